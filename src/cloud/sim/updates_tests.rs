//! BatchUpdateFindings and SNS against the simulated organisation.

use super::apply_tests::{apply, changed_since, finding, listed, org, STAGING};
use super::tests::{fetch_all, source};
use super::*;
use crate::cloud::{FindingUpdate, FindingUpdates, Notification, Notifier};
use crate::model::{ComplianceStatus, FindingKey, WorkflowStatus};
use crate::playbook::PublicAccessBlock;
use futures::executor::block_on;
use std::collections::BTreeMap;
use std::sync::Arc;

const EU: &str = "eu-west-1";
const BUCKET: &str = "platform-staging-artifacts-eu-west-1";

fn resolve(keys: Vec<FindingKey>, note: &str) -> FindingUpdate {
    FindingUpdate {
        findings: keys,
        format: Default::default(),
        status: WorkflowStatus::Resolved,
        note: note.into(),
        updated_by: "alice".into(),
    }
}

fn update(org: &SimOrg, update: &FindingUpdate) -> Result<crate::cloud::UpdateReport, CloudError> {
    block_on(org.update_findings(STAGING, EU, update))
}

#[test]
fn a_resolved_finding_leaves_the_open_list_and_keeps_its_note() {
    let org = org();
    let src = source(STAGING, EU);
    let target = finding(&org, &src, "S3.8", BUCKET);
    let open_before = fetch_all(&org, &src).expect("fetch").len();
    let report = update(&org, &resolve(vec![target.key()], "accepted risk: build cache")).expect("update");
    assert_eq!(report.processed, vec![target.id.to_string()]);
    assert!(report.unprocessed.is_empty());

    assert!(!listed(&org, &src, "S3.8", BUCKET), "no longer listed as open");
    assert_eq!(fetch_all(&org, &src).expect("fetch").len(), open_before - 1);
    let after = finding(&org, &src, "S3.8", BUCKET);
    assert_eq!(after.workflow_status, WorkflowStatus::Resolved);
    assert_eq!(after.compliance_status, Some(ComplianceStatus::Failed), "the bucket is still not fixed");
    assert_eq!(after.updated_at, target.updated_at, "BatchUpdateFindings does not move UpdatedAt");
    let raw: Value = serde_json::from_str(&after.raw.text().expect("raw")).expect("raw");
    assert_eq!(raw["Note"]["Text"], "accepted risk: build cache");
    assert_eq!(raw["Note"]["UpdatedBy"], "alice");
    let calls = org.finding_updates();
    assert_eq!(calls.len(), 1);
    assert_eq!((calls[0].0.as_str(), calls[0].1.as_str()), (STAGING, EU));
    assert_eq!(org.call_count("BatchUpdateFindings"), 1);
}

#[test]
fn a_fixed_then_rolled_back_finding_is_resolved_then_new_again_with_its_note() {
    let org = org();
    let src = source(STAGING, EU);
    let target = finding(&org, &src, "S3.8", BUCKET);
    let since = org.now();
    let put = Change::PutBucketPublicAccessBlock { bucket: BUCKET.into(), config: PublicAccessBlock::ALL_ON };
    apply(&org, STAGING, EU, put).expect("fix");
    update(&org, &resolve(vec![target.key()], "fixed by hubtriage")).expect("update");
    let refreshed = changed_since(&org, &src, since);
    let fixed = refreshed.iter().find(|f| f.id == target.id).expect("refreshed");
    assert_eq!(
        (fixed.workflow_status, fixed.compliance_status),
        (WorkflowStatus::Resolved, Some(ComplianceStatus::Passed))
    );

    org.advance_clock(chrono::Duration::minutes(2));
    let since = org.now();
    apply(&org, STAGING, EU, Change::DeleteBucketPublicAccessBlock { bucket: BUCKET.into() }).expect("rollback");
    let refreshed = changed_since(&org, &src, since);
    let reopened = refreshed.iter().find(|f| f.id == target.id).expect("refreshed after the rollback");
    assert_eq!(reopened.workflow_status, WorkflowStatus::New, "failing again reopens it");
    assert!(reopened.is_open() && listed(&org, &src, "S3.8", BUCKET));
    assert!(reopened.raw.text().expect("raw").contains("fixed by hubtriage"), "the note stays");
}

#[test]
fn suppressed_findings_stay_suppressed_when_their_resource_changes() {
    let org = org();
    let src = source(STAGING, EU);
    let target = finding(&org, &src, "S3.8", BUCKET);
    let suppress = FindingUpdate { status: WorkflowStatus::Suppressed, ..resolve(vec![target.key()], "") };
    update(&org, &suppress).expect("suppress");
    let put = Change::PutBucketPublicAccessBlock { bucket: BUCKET.into(), config: PublicAccessBlock::ALL_ON };
    apply(&org, STAGING, EU, put).expect("fix");
    apply(&org, STAGING, EU, Change::DeleteBucketPublicAccessBlock { bucket: BUCKET.into() }).expect("rollback");
    let f = finding(&org, &src, "S3.8", BUCKET);
    assert_eq!(f.workflow_status, WorkflowStatus::Suppressed);
    assert!(!f.raw.text().expect("raw").contains("\"Note\""), "an empty note sets none");
}

#[test]
fn unknown_duplicate_and_too_many_findings_are_reported_as_security_hub_does() {
    let org = org();
    let src = source(STAGING, EU);
    let known = finding(&org, &src, "S3.8", BUCKET);
    let unknown = FindingKey { product_arn: known.key().product_arn, id: Arc::from("arn:aws:securityhub:nope") };
    let wrong_product =
        FindingKey { product_arn: Arc::from("arn:aws:securityhub:eu-west-1::product/aws/guardduty"), ..known.key() };
    let report = update(&org, &resolve(vec![known.key(), unknown, wrong_product], "n")).expect("update");
    assert_eq!(report.processed, vec![known.id.to_string()]);
    assert_eq!(report.unprocessed.len(), 2);
    assert!(report.unprocessed.iter().all(|(_, e)| e.starts_with("FindingNotFound")), "{:?}", report.unprocessed);
    assert_eq!(report.unprocessed[0].0, "arn:aws:securityhub:nope");

    let other = finding(&org, &src, "S3.4", BUCKET);
    let report = update(&org, &resolve(vec![other.key(), other.key()], "")).expect("update");
    assert!(report.processed.is_empty());
    assert!(report.unprocessed.iter().all(|(_, e)| e.starts_with("DuplicatedFindingIdentifier")));

    let many: Vec<FindingKey> = org.findings(&src, true).iter().take(101).map(Finding::key).collect();
    assert_eq!(many.len(), 101);
    assert!(matches!(update(&org, &resolve(many, "")), Err(CloudError::Other(e)) if e.contains("InvalidInput")));
    assert!(matches!(update(&org, &resolve(Vec::new(), "")), Err(CloudError::Other(_))));
    let long = "x".repeat(513);
    assert!(matches!(update(&org, &resolve(vec![known.key()], &long)), Err(CloudError::Other(_))));
    assert_eq!(org.finding_updates().len(), 5, "every call is recorded");
}

#[test]
fn finding_updates_respect_faults() {
    let org = org();
    let src = source(STAGING, EU);
    let key = finding(&org, &src, "S3.8", BUCKET).key();
    org.set_fault(&src, Some(SimFault::DenyWrites));
    assert!(matches!(update(&org, &resolve(vec![key.clone()], "n")), Err(CloudError::AccessDenied(_))));
    assert!(listed(&org, &src, "S3.8", BUCKET), "nothing resolved");
    org.set_fault(&src, Some(SimFault::NotEnabled));
    assert!(matches!(update(&org, &resolve(vec![key], "n")), Err(CloudError::NotEnabled(_))));
}

fn notification(subject: &str) -> Notification {
    let attributes: BTreeMap<String, String> =
        [("event", "remediated"), ("account_class", "staging"), ("severity", "HIGH")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    Notification { subject: subject.into(), body: serde_json::json!({"event": "remediated"}), attributes }
}

#[test]
fn notifications_are_recorded_and_checked_as_sns_would() {
    let org = org();
    let topic = format!("arn:aws:sns:eu-west-1:{STAGING}:security-remediation");
    block_on(org.publish(&topic, &notification("Fixed S3.8 on artifacts"))).expect("publish");
    let sent = org.notifications();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, topic);
    assert_eq!(sent[0].1, notification("Fixed S3.8 on artifacts"));
    assert_eq!(sent[0].1.attributes["account_class"], "staging");

    assert!(block_on(org.publish("not-a-topic", &notification("x"))).is_err());
    assert!(block_on(org.publish(&topic, &notification("line\nbreak"))).is_err());
    let mut empty = notification("x");
    empty.attributes.insert("owner".into(), String::new());
    assert!(block_on(org.publish(&topic, &empty)).is_err());
    org.set_fault(&source(STAGING, EU), Some(SimFault::DenyWrites));
    assert!(matches!(block_on(org.publish(&topic, &notification("x"))), Err(CloudError::AccessDenied(_))));
    assert_eq!(org.notifications().len(), 1, "only accepted notifications are recorded");
    assert_eq!(org.call_count("Publish"), 5);
}
