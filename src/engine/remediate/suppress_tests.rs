//! `suppress_findings` on the simulated organisation: excepted findings are suppressed once with a note, and set
//! back to NEW by the sweeper when the exception is removed or expires.

use super::exception_tests::{add, fixture, remove, Fx, ARTIFACTS, EU, STAGING};
use super::*;
use crate::cloud::{FindingSource, FindingUpdate, FindingUpdates, SourceId};
use crate::config::ExceptionsConfig;
use crate::engine::audit::AuditEvent;
use crate::engine::audit::AuditResult;
use crate::model::WorkflowStatus;
use crate::playbook::Change;
use chrono::Utc;
use std::time::Duration;

fn suppressing() -> ExceptionsConfig {
    ExceptionsConfig { suppress_findings: true, ..Default::default() }
}

fn src() -> SourceId {
    SourceId { account_id: STAGING.into(), region: EU.into() }
}

/// The bucket's findings as a refresh reads them now (open only, or all).
fn bucket_findings(f: &Fx, open_only: bool) -> Vec<Arc<Finding>> {
    let all = f.org.findings(&src(), !open_only);
    all.into_iter().filter(|x| x.resources[0].id == ARTIFACTS).map(Arc::new).collect()
}

fn updates_with(f: &Fx, status: WorkflowStatus) -> Vec<FindingUpdate> {
    f.org.finding_updates().into_iter().map(|(_, _, u)| u).filter(|u| u.status == status).collect()
}

/// Suppresses the bucket's open findings after excepting it; returns how many.
async fn except_and_suppress(f: &Fx) -> usize {
    let state = f.remediator.run_exception(1, add("AwsS3Bucket", ARTIFACTS, "vendor audit", "30d", ""), None).await;
    assert_eq!(state, JobState::Verified);
    let open = bucket_findings(f, true);
    assert!(!open.is_empty());
    let suppressed = f.remediator.suppress_now(&open, Utc::now(), None).await;
    assert_eq!(suppressed, open.len());
    suppressed
}

#[tokio::test]
async fn excepted_findings_are_suppressed_once_with_a_note() {
    let f = fixture(false, suppressing());
    let count = except_and_suppress(&f).await;

    let updates = updates_with(&f, WorkflowStatus::Suppressed);
    assert_eq!(updates.len(), 1, "one call for the bucket's findings");
    let expiry = (Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%d");
    let note = format!("hubtriage: excepted by tag SecurityException \"vendor audit\" until {expiry}, owner tester");
    assert_eq!(updates[0].note, note);
    assert!(bucket_findings(&f, true).is_empty(), "no longer open");
    assert!(bucket_findings(&f, false).iter().all(|x| x.workflow_status != WorkflowStatus::New));

    let records: Vec<AuditRecord> =
        f.remediator.audit_records().into_iter().filter(|r| r.event == AuditEvent::Suppression).collect();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].findings.len(), count);
    assert!(records[0].findings.iter().all(|x| x.product_arn.starts_with("arn:aws:securityhub:")));

    // Each finding once: a finding reset by someone else while the exception holds is left alone.
    let held = bucket_findings(&f, false);
    let reset = FindingUpdate {
        findings: held.iter().map(|x| x.key()).collect(),
        format: Default::default(),
        status: WorkflowStatus::New,
        note: "someone looked at it".into(),
        updated_by: "someone".into(),
    };
    f.org.update_findings(STAGING, EU, &reset).await.expect("reset");
    assert_eq!(f.remediator.suppress_now(&bucket_findings(&f, true), Utc::now(), None).await, 0);
    assert_eq!(updates_with(&f, WorkflowStatus::Suppressed).len(), 1);
}

#[tokio::test]
async fn the_sweeper_sets_them_new_once_the_tag_is_removed() {
    let f = fixture(false, suppressing());
    let count = except_and_suppress(&f).await;
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    f.remediator.start_exception_sweeper(f.org.sources(), Duration::from_millis(20), tx);
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert!(updates_with(&f, WorkflowStatus::New).is_empty(), "nothing released while the exception holds");

    assert_eq!(f.remediator.run_exception(2, remove("AwsS3Bucket", ARTIFACTS), None).await, JobState::Verified);
    let mut released = Vec::new();
    for _ in 0..100 {
        released = updates_with(&f, WorkflowStatus::New);
        if !released.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(released.len(), 1, "{released:?}");
    assert_eq!(released[0].findings.len(), count);
    assert!(released[0].note.starts_with("hubtriage: exception removed from platform-staging-artifacts-eu-west-1"));
    assert_eq!(bucket_findings(&f, true).len(), count, "open again");
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(updates_with(&f, WorkflowStatus::New).len(), 1, "released once");
}

#[tokio::test]
async fn an_expired_exception_releases_its_findings_with_a_note_saying_so() {
    let f = fixture(false, suppressing());
    let count = except_and_suppress(&f).await;
    let expired = Change::TagResource {
        resource_type: "AwsS3Bucket".into(),
        resource_id: ARTIFACTS.into(),
        tags: [("SecurityExceptionExpiry".to_string(), "2020-01-01".to_string())].into(),
    };
    f.org.apply(STAGING, EU, &expired).await.expect("expire");

    assert_eq!(f.remediator.release_ended(&f.org.sources(), Utc::now(), None).await, count);
    let released = updates_with(&f, WorkflowStatus::New);
    assert!(released[0].note.starts_with("hubtriage: exception expired on 2020-01-01"), "{}", released[0].note);
    assert_eq!(f.remediator.release_ended(&f.org.sources(), Utc::now(), None).await, 0);
}

#[tokio::test]
async fn a_source_that_cannot_be_listed_keeps_its_findings_suppressed() {
    let f = fixture(false, suppressing());
    except_and_suppress(&f).await;
    f.remediator.run_exception(2, remove("AwsS3Bucket", ARTIFACTS), None).await;
    f.org.set_fault(&src(), Some(crate::cloud::sim::SimFault::AccessDenied));
    assert_eq!(f.remediator.release_ended(&f.org.sources(), Utc::now(), None).await, 0);
    f.org.set_fault(&src(), None);
    assert!(f.remediator.release_ended(&f.org.sources(), Utc::now(), None).await > 0);
}

#[tokio::test]
async fn nothing_is_suppressed_when_the_setting_is_off_or_without_a_valid_exception() {
    let off = fixture(false, ExceptionsConfig::default());
    off.remediator.run_exception(1, add("AwsS3Bucket", ARTIFACTS, "x", "30d", ""), None).await;
    assert_eq!(off.remediator.suppress_now(&bucket_findings(&off, true), Utc::now(), None).await, 0);
    assert!(off.org.finding_updates().is_empty());

    let on = fixture(false, suppressing());
    let everything: Vec<Arc<Finding>> =
        on.org.sources().iter().flat_map(|s| on.org.findings(s, false)).map(Arc::new).collect();
    let excepted = on.remediator.suppress_now(&everything, Utc::now(), None).await;
    let updates = updates_with(&on, WorkflowStatus::Suppressed);
    let suppressed: usize = updates.iter().map(|u| u.findings.len()).sum();
    assert_eq!(suppressed, excepted);
    assert!(updates.iter().all(|u| u.note.contains("until") && !u.note.contains("partner export feed")), "expired");
}

#[tokio::test]
async fn updates_go_at_most_a_hundred_at_a_time_and_failures_are_audited() {
    let f = fixture(false, suppressing());
    f.remediator.run_exception(1, add("AwsS3Bucket", ARTIFACTS, "x", "30d", ""), None).await;
    let model = bucket_findings(&f, true).remove(0);
    let many: Vec<Arc<Finding>> = (0..250)
        .map(|i| Arc::new(Finding { id: format!("{}-copy-{i}", model.id).into(), ..(*model).clone() }))
        .collect();

    assert_eq!(f.remediator.suppress_now(&many, Utc::now(), None).await, 0, "Security Hub knows none of them");
    let calls = updates_with(&f, WorkflowStatus::Suppressed);
    assert_eq!(calls.iter().map(|u| u.findings.len()).collect::<Vec<_>>(), [100, 100, 50]);
    let failed = f.remediator.audit_records().into_iter().filter(|r| r.result == AuditResult::Failed).count();
    assert_eq!(failed, 3, "each failed call audited");
}
