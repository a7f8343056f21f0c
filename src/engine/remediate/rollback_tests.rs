//! Rollback on the simulated organisation: the recorded before-state restored, and refused when someone changed
//! the fixed settings since (a change that kept the resource compliant is never overwritten).

use super::tests::{approved_request, events, fixable, fixture, STAGING};
use super::*;
use crate::engine::audit::AuditEvent;
use crate::engine::audit::AuditResult;
use crate::engine::jobs::JobState;
use crate::playbook::{Change, ResourceState};

#[tokio::test]
async fn rollback_restores_the_recorded_before_state() {
    let f = fixture(false);
    let finding = fixable(&f, "S3.8").await;
    let resource = finding.primary_resource().expect("resource").clone();
    let before = f.org.read_state(STAGING, "eu-west-1", &resource).await.expect("before");
    let request = approved_request(&f, &finding).await;
    assert_eq!(f.remediator.run_apply(1, request, None).await, JobState::Resolved);

    let state = f.remediator.run_rollback(2, &f.remediator.audit_job(1), None).await;

    assert_eq!(state, JobState::RolledBack);
    let after = f.org.read_state(STAGING, "eu-west-1", &resource).await.expect("after");
    assert_eq!(after.effective(), before.effective());
    let job = f.remediator.audit_job(2);
    assert_eq!(
        events(&f, &job),
        vec![
            (AuditEvent::RollbackIntent, AuditResult::Pending),
            (AuditEvent::RollbackOutcome, AuditResult::Ok),
            (AuditEvent::Verification, AuditResult::Verified),
            (AuditEvent::FindingUpdate, AuditResult::Ok),
        ]
    );
    // A second rollback finds the resource already restored and changes nothing.
    let again = f.remediator.run_rollback(3, &f.remediator.audit_job(1), None).await;
    assert!(matches!(again, JobState::NoOp(_)), "{again:?}");
    assert_eq!(f.org.mutations().len(), 2);
}

#[tokio::test]
async fn a_rollback_never_overwrites_a_later_change_that_kept_the_resource_compliant() {
    let f = fixture(false);
    let finding = fixable(&f, "S3.5").await;
    let resource = finding.primary_resource().expect("resource").clone();
    let request = approved_request(&f, &finding).await;
    assert_eq!(f.remediator.run_apply(1, request, None).await, JobState::Resolved);
    let ResourceState::S3Bucket(fixed) = f.org.read_state(STAGING, "eu-west-1", &resource).await.expect("fixed") else {
        panic!("a bucket")
    };
    // Someone adds a statement of their own: the bucket still denies plain HTTP, so it is still compliant.
    let mut policy: serde_json::Value = serde_json::from_str(fixed.policy.as_deref().expect("policy")).expect("json");
    policy["Statement"].as_array_mut().expect("statements").push(serde_json::json!({
        "Sid": "AuditorsRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::345678901234:root"},
        "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{}/*", fixed.name)
    }));
    let theirs = policy.to_string();
    let change = Change::PutBucketPolicy { bucket: fixed.name.clone(), policy: theirs.clone() };
    f.org.apply(STAGING, "eu-west-1", &change).await.expect("their change");
    let changes_before = f.org.mutations().len();

    let state = f.remediator.run_rollback(2, &f.remediator.audit_job(1), None).await;

    let JobState::Refused(why) = state else { panic!("expected a refusal, got {state:?}") };
    assert!(
        why.contains("changed since job") && why.contains("policy.Statement: added {\"Sid\":\"AuditorsRead\""),
        "{why}"
    );
    assert!(why.contains("AuditorsRead") && why.contains("nothing was changed"), "the difference is shown: {why}");
    assert_eq!(f.org.mutations().len(), changes_before, "nothing was called");
    let ResourceState::S3Bucket(now) = f.org.read_state(STAGING, "eu-west-1", &resource).await.expect("now") else {
        panic!("a bucket")
    };
    assert_eq!(now.policy.as_deref(), Some(theirs.as_str()), "their policy stands");
}

#[tokio::test]
async fn a_rollback_goes_ahead_when_only_tags_changed_since_the_fix() {
    let f = fixture(false);
    let finding = fixable(&f, "S3.8").await;
    let resource = finding.primary_resource().expect("resource").clone();
    let request = approved_request(&f, &finding).await;
    assert_eq!(f.remediator.run_apply(1, request, None).await, JobState::Resolved);
    let ResourceState::S3Bucket(fixed) = f.org.read_state(STAGING, "eu-west-1", &resource).await.expect("fixed") else {
        panic!("a bucket")
    };
    let retag = Change::TagResource {
        resource_type: "AwsS3Bucket".into(),
        resource_id: format!("arn:aws:s3:::{}", fixed.name),
        tags: [("reviewed-by".to_string(), "alice".to_string())].into(),
    };
    f.org.apply(STAGING, "eu-west-1", &retag).await.expect("tags");

    let state = f.remediator.run_rollback(2, &f.remediator.audit_job(1), None).await;

    assert_eq!(state, JobState::RolledBack);
}
