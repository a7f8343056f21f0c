//! Rows read from pages get their verdict from the finding alone, and their plan when first shown (at once for
//! auto-fix rows). The verdict must be the one the finding's recorded state gives (the tags that state carries),
//! and the plan the one the full snapshot assessment works out: checked on every finding of the ASFF corpus, as
//! recorded, with exception tags on its resource, and with that resource made an account.

use chrono::{DateTime, TimeZone, Utc};
use hubtriage::config::Config;
use hubtriage::engine::Row;
use hubtriage::model::asff::read_document;
use hubtriage::model::Finding;
use hubtriage::playbook::{snapshot, Playbooks};
use hubtriage::policy::{Decision, PolicyInput, Provenance, Verdict};
use hubtriage::triage::Triage;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

mod common;

fn triage() -> Arc<Triage> {
    let config = Config::load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml")).expect("config");
    Arc::new(Triage { policy: config.policy().expect("policy"), playbooks: Playbooks::new(&config.playbooks) })
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).single().expect("time")
}

/// The verdict as worked out with the recorded state in hand: the state read first, its tags (or, without one,
/// the resource's) for the policy.
fn verdict_from_recorded_state(triage: &Triage, finding: &Finding) -> Decision {
    let playbook = finding.control_id.as_deref().and_then(|c| triage.playbooks.for_control(c));
    let has_playbook = playbook.is_some();
    let needs_care = playbook.is_some_and(|p| p.about().risk == hubtriage::playbook::Risk::ReversibleWithCare);
    // A finding that may not drive its playbook has no state read for it.
    let provenance = has_playbook.then(|| triage.policy.provenance(finding));
    let may_drive = !matches!(provenance, Some(Provenance::Untrusted(_)));
    let state = (has_playbook && may_drive).then(|| snapshot::state_from_finding(finding)).and_then(Result::ok);
    let none = BTreeMap::new();
    let tags = match (&state, finding.primary_resource()) {
        (Some(state), _) => state.tags(),
        (None, Some(resource)) => &resource.tags,
        (None, None) => &none,
    };
    triage.policy.decide(&PolicyInput {
        finding,
        has_playbook,
        provenance: provenance.as_ref(),
        tags,
        now: now(),
        disabled_playbook: None,
        needs_care,
    })
}

fn read(finding: &Value) -> Option<Finding> {
    read_document(&finding.to_string()).findings.into_iter().next()
}

/// The finding with a valid exception on its first resource, and that resource made an account.
fn variants(finding: &Value) -> [Value; 3] {
    let mut tagged = finding.clone();
    if let Some(resource) = tagged.pointer_mut("/Resources/0").and_then(Value::as_object_mut) {
        resource.insert(
            "Tags".into(),
            json!({
                "SecurityException": "accepted risk",
                "SecurityExceptionExpiry": "2027-01-31",
                "SecurityExceptionOwner": "web-team",
                "team": "web"
            }),
        );
    }
    let mut account = tagged.clone();
    if let Some(resource) = account.pointer_mut("/Resources/0").and_then(Value::as_object_mut) {
        resource.insert("Type".into(), json!("AwsAccount"));
    }
    [finding.clone(), tagged, account]
}

#[test]
fn the_verdict_from_the_finding_alone_is_the_one_its_recorded_state_gives() {
    let triage = triage();
    let (mut checked, mut with_playbook, mut excepted, mut account_tags_unread) = (0, 0, 0, 0);
    for (i, value) in common::corpus_findings().iter().enumerate() {
        for (variant, value) in variants(value).iter().enumerate() {
            let Some(finding) = read(value) else { continue };
            let expected = verdict_from_recorded_state(&triage, &finding);
            let row = Row::from_snapshot(finding.clone(), &triage, now());
            assert_eq!(row.decision, expected, "corpus finding {i}, variant {variant}");
            assert_eq!(
                row.decision,
                triage.assess(&finding, None, now()).decision,
                "corpus finding {i}, variant {variant}"
            );
            checked += 1;
            let has_playbook = *row.plan() != hubtriage::triage::PlanStatus::NoPlaybook;
            with_playbook += usize::from(has_playbook);
            excepted += usize::from(row.decision.verdict == Verdict::Excepted);
            account_tags_unread +=
                usize::from(variant == 2 && has_playbook && row.decision.verdict != Verdict::Excepted);
        }
    }
    assert!(checked > 300, "{checked}");
    assert!(with_playbook > 20, "findings with a playbook: {with_playbook}");
    assert!(excepted > 100, "findings excepted by their resource's tags: {excepted}");
    assert!(account_tags_unread > 5, "accounts with a playbook, whose state carries no tags: {account_tags_unread}");
}

#[test]
fn a_row_plan_is_the_snapshot_plan_and_only_auto_fix_rows_have_it_before_it_is_asked_for() {
    let triage = triage();
    let (mut deferred, mut at_once) = (0, 0);
    for (i, value) in common::corpus_findings().iter().enumerate() {
        // As recorded, and in the sandbox account, where the example policy fixes S3 and EC2 findings itself.
        let mut in_sandbox = value.clone();
        in_sandbox["AwsAccountId"] = json!(SANDBOX);
        for finding in [value, &in_sandbox].into_iter().filter_map(read) {
            check_plan(&triage, finding, i, &mut deferred, &mut at_once);
        }
    }
    assert!(deferred > 100 && at_once > 10, "deferred {deferred}, at once {at_once}");
}

/// The account of the example configuration's class `sandbox`.
const SANDBOX: &str = "456789012345";

/// Counts the row as planned at once (auto-fix) or deferred; either way its plan is the snapshot assessment's.
fn check_plan(triage: &Arc<Triage>, finding: Finding, i: usize, deferred: &mut usize, at_once: &mut usize) {
    let expected = triage.assess(&finding, None, now());
    let row = Row::from_snapshot(finding, triage, now());
    match row.plan_if_known() {
        Some(plan) => {
            assert_eq!(row.decision.verdict, Verdict::AutoFix, "corpus finding {i}");
            assert_eq!(plan, &expected.plan, "corpus finding {i}");
            *at_once += 1;
        }
        None => {
            assert_ne!(row.decision.verdict, Verdict::AutoFix, "corpus finding {i}");
            *deferred += 1;
        }
    }
    assert_eq!(row.assessment(), expected, "corpus finding {i}");
}
