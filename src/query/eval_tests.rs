#![allow(clippy::unwrap_used)]

use super::*;
use crate::model::testing::control_finding;
use crate::model::{Severity, WorkflowStatus};
use chrono::{Duration, TimeZone, Utc};
use std::collections::BTreeMap;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

fn finding(control: &str, severity: Severity, account: &str) -> crate::model::Finding {
    let mut f = control_finding(control, severity, account, "AwsS3Bucket");
    f.first_observed_at = Some(now() - Duration::days(10));
    f.updated_at = Some(now() - Duration::hours(2));
    f
}

fn matches(query: &str, f: &crate::model::Finding, verdict: Verdict) -> bool {
    let names: BTreeMap<String, String> = [("210987654321".to_string(), "payments-prod".to_string())].into();
    let ctx = Context { now: now(), account_names: &names };
    Query::parse(query).unwrap().matches(f, verdict, &ctx)
}

#[test]
fn the_issue_example_matches_only_the_finding_it_describes() {
    let q = r#"sev>=high control:S3.* account:payments-prod region:eu-* verdict:auto-fix age>7d "s3.8 title""#;
    let hit = finding("S3.8", Severity::High, "210987654321");
    assert!(matches(q, &hit, Verdict::AutoFix));
    assert!(!matches(q, &hit, Verdict::Manual), "verdict");
    assert!(!matches(q, &finding("S3.8", Severity::Medium, "210987654321"), Verdict::AutoFix), "severity");
    assert!(!matches(q, &finding("EC2.19", Severity::High, "210987654321"), Verdict::AutoFix), "control");
    assert!(!matches(q, &finding("S3.8", Severity::High, "111111111111"), Verdict::AutoFix), "account");
    let mut young = hit.clone();
    young.first_observed_at = Some(now() - Duration::days(3));
    assert!(!matches(q, &young, Verdict::AutoFix), "age");
    let mut us = hit.clone();
    us.region = "us-east-1".into();
    assert!(!matches(q, &us, Verdict::AutoFix), "region");
}

#[test]
fn fields_match_by_glob_in_any_case_and_accounts_by_id_or_name() {
    let f = finding("EC2.19", Severity::Low, "210987654321");
    for yes in [
        "control:ec2.19",
        "control:EC2.1*",
        "account:210987654321",
        "account:PAYMENTS-*",
        "resource:example-bucket",
        "resource:arn:aws:s3:::example-*",
        "type:AwsS3*",
        "product:security*",
        "title:*title",
        "status:new",
        "status:open,archived",
        "updated<1d",
        "age>=10d",
        "sev:low,high",
    ] {
        assert!(matches(yes, &f, Verdict::Manual), "{yes}");
    }
    for no in [
        "control:EC2.1",
        "control:EC2",
        "account:payments",
        "resource:bucket",
        "type:AwsEc2*",
        "status:closed",
        "updated>1d",
        "age<1w",
    ] {
        assert!(!matches(no, &f, Verdict::Manual), "{no}");
    }
}

#[test]
fn negation_or_and_missing_times() {
    let f = finding("S3.8", Severity::Critical, "111111111111");
    assert!(matches("-control:S3.*  or sev:critical", &f, Verdict::Manual));
    assert!(!matches("not control:S3.* or sev:low", &f, Verdict::Manual));
    assert!(matches("control!=EC2.* verdict!=auto-fix,approve", &f, Verdict::Manual));
    assert!(!matches("(sev:low or sev:high) s3", &f, Verdict::Manual));
    let mut resolved = f.clone();
    resolved.workflow_status = WorkflowStatus::Resolved;
    assert!(matches("status:closed status:resolved", &resolved, Verdict::Manual));
    let mut unknown = f.clone();
    unknown.first_observed_at = None;
    assert!(!matches("age>1d", &unknown, Verdict::Manual) && !matches("age<1d", &unknown, Verdict::Manual));
}

#[test]
fn words_match_as_the_free_text_filter_did() {
    let f = finding("S3.8", Severity::High, "111111111111");
    // Words anywhere in the searched text, in any order and case; the verdict is part of it.
    assert!(matches("HIGH bucket s3.8", &f, Verdict::AutoFix));
    assert!(matches("auto-fix", &f, Verdict::AutoFix));
    assert!(!matches("auto-fix", &f, Verdict::Manual));
    assert!(!matches("bucket missing", &f, Verdict::AutoFix));
    // A quoted phrase must appear as typed.
    assert!(matches(r#""s3.8 title""#, &f, Verdict::Manual));
    assert!(!matches(r#""bucket s3.8""#, &f, Verdict::Manual));
    // The id pasted whole.
    assert!(matches(f.id.as_ref(), &f, Verdict::Manual));
    let names = BTreeMap::new();
    let ctx = Context { now: now(), account_names: &names };
    assert!(Query::parse("verdict:auto-fix").unwrap().may_match(&f, &ctx));
    assert!(!Query::parse("verdict:auto-fix sev:low").unwrap().may_match(&f, &ctx));
}

#[test]
fn globs_anchor_both_ends() {
    assert!(glob_matches("s3.*", "S3.8"));
    assert!(!glob_matches("s3.*", "xS3.8"));
    assert!(glob_matches("*a*b*", "xxAyyBzz"));
    assert!(!glob_matches("*a*b", "xxAyyBzz"));
    assert!(glob_matches("a*a", "aa"));
    assert!(!glob_matches("a*a", "a"));
    assert!(glob_matches("*", ""));
    assert!(!glob_matches("", "x"));
}
