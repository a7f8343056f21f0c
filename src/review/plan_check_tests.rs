//! apply --plan's file checks: organisation, endpoint, age, policy.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::review::plan_file::PlanHeader;

fn scope(account: &str, endpoint: &str) -> PlanScope {
    PlanScope { source: "aws".into(), account: account.into(), endpoint: endpoint.into() }
}

fn made(at: &str, scope: PlanScope, digest: &str) -> PlanDocument {
    let header = PlanHeader {
        created_at: at.parse().unwrap(),
        created_by: "arn:aws:sts::123456789012:assumed-role/R/alice".into(),
        scope,
        policy_digest: digest.into(),
        incident_mode: false,
    };
    PlanDocument::new(header, vec![])
}

fn context() -> ApplyContext {
    ApplyContext {
        scope: scope("123456789012", "aws"),
        policy_digest: "sha256:aa".into(),
        now: "2026-12-04T12:00:00Z".parse().unwrap(),
        max_age: std::time::Duration::from_secs(86_400),
    }
}

#[test]
fn a_plan_file_is_refused_whole_when_foreign_old_future_or_under_another_policy() {
    let here = scope("123456789012", "aws");
    assert!(check_document(&made("2026-12-04T09:00:00Z", here.clone(), "sha256:aa"), &context()).is_ok());
    let cases = [
        (made("2026-12-04T09:00:00Z", scope("999999999999", "aws"), "sha256:aa"), "account 999999999999"),
        (made("2026-12-04T09:00:00Z", scope("123456789012", "http://127.0.0.1:5000"), "sha256:aa"), "endpoint"),
        (
            made(
                "2026-12-04T09:00:00Z",
                PlanScope { source: "findings-file".into(), account: "findings-file".into(), endpoint: "aws".into() },
                "sha256:aa",
            ),
            "offline",
        ),
        (made("2026-12-03T11:00:00Z", here.clone(), "sha256:aa"), "25 h ago"),
        (made("2026-12-04T12:30:00Z", here.clone(), "sha256:aa"), "in the future"),
        (made("2026-12-04T09:00:00Z", here, "sha256:bb"), "the policy changed"),
    ];
    for (document, expected) in cases {
        let why = check_document(&document, &context()).unwrap_err();
        assert!(why.contains(expected), "{expected}: {why}");
    }
}
