//! Exceptions added, renewed and removed by hand on the simulated organisation: only our three tags change, every
//! change is audited and notified, refusals change nothing, and the verdict follows the tags.

use super::*;
use crate::cloud::sim::{SimFault, SimOrg};
use crate::cloud::{FindingSource, SourceId};
use crate::config::ExceptionsConfig;
use crate::engine::audit::AuditEvent;
use crate::engine::audit::AuditResult;
use crate::engine::exceptions::{ExceptionInput, ExceptionOp, ExceptionStatus};
use crate::model::ResourceRef;
use crate::playbook::{Change, ResourceState};
use crate::policy::Verdict;
use chrono::Utc;
use std::collections::BTreeMap;

pub(super) const STAGING: &str = "345678901234";
pub(super) const EU: &str = "eu-west-1";
pub(super) const ARTIFACTS: &str = "arn:aws:s3:::platform-staging-artifacts-eu-west-1";

pub(super) use super::tests::Fixture as Fx;

/// The shared remediation fixture with these exception settings.
pub(super) fn fixture(read_only: bool, exceptions: ExceptionsConfig) -> Fx {
    super::tests::fixture_with(read_only, exceptions)
}

pub(super) fn resource(kind: &str, id: &str) -> ResourceRef {
    ResourceRef { kind: kind.into(), id: id.into(), region: None, tags: Default::default(), details: None }
}

pub(super) fn add(kind: &str, id: &str, reason: &str, expires: &str, owner: &str) -> ExceptionOp {
    ExceptionOp::Add(ExceptionInput {
        account_id: STAGING.into(),
        region: EU.into(),
        resource: resource(kind, id),
        reason: reason.into(),
        expires: expires.into(),
        owner: owner.into(),
        controls: String::new(),
    })
}

pub(super) fn remove(kind: &str, id: &str) -> ExceptionOp {
    ExceptionOp::Remove { account_id: STAGING.into(), region: EU.into(), resource: resource(kind, id) }
}

pub(super) async fn tags(f: &Fx, kind: &str, id: &str) -> BTreeMap<String, String> {
    f.org.read_state(STAGING, EU, &resource(kind, id)).await.expect("read").tags().clone()
}

fn records(f: &Fx, job: &str) -> Vec<AuditRecord> {
    let read = AuditLog::read(&f.audit_path).expect("read");
    read.records.into_iter().filter(|r| r.job.as_deref() == Some(job)).collect()
}

fn events(f: &Fx, job: &str) -> Vec<(AuditEvent, AuditResult)> {
    records(f, job).iter().map(|r| (r.event, r.result)).collect()
}

fn notified(f: &Fx) -> Vec<String> {
    f.org.notifications().iter().map(|(_, n)| n.body["event"].as_str().unwrap_or("").to_string()).collect()
}

const OURS: [&str; 3] = ["SecurityException", "SecurityExceptionExpiry", "SecurityExceptionOwner"];

#[tokio::test]
async fn adding_on_a_bucket_keeps_every_other_tag_and_is_audited_and_notified() {
    let f = fixture(false, ExceptionsConfig::default());
    let before = tags(&f, "AwsS3Bucket", ARTIFACTS).await;
    assert!(before.len() >= 4 && !before.contains_key("SecurityException"), "{before:?}");

    let state = f.remediator.run_exception(1, add("AwsS3Bucket", ARTIFACTS, "vendor audit", "30d", ""), None).await;

    assert_eq!(state, JobState::Verified);
    let after = tags(&f, "AwsS3Bucket", ARTIFACTS).await;
    assert_eq!(after.get("SecurityException").map(String::as_str), Some("vendor audit"));
    assert_eq!(after.get("SecurityExceptionOwner").map(String::as_str), Some("tester"), "the operator by default");
    let expected = (Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
    assert_eq!(after.get("SecurityExceptionExpiry"), Some(&expected));
    assert_eq!(after.len(), before.len() + 3);
    assert!(before.iter().all(|(k, v)| after.get(k) == Some(v)), "every other tag kept");
    assert_eq!(f.org.mutations().len(), 1, "{:?}", f.org.mutations());

    let job = f.remediator.audit_job(1);
    let records = records(&f, &job);
    assert_eq!(
        events(&f, &job),
        vec![(AuditEvent::ExceptionIntent, AuditResult::Pending), (AuditEvent::ExceptionOutcome, AuditResult::Ok)]
    );
    assert!(matches!(records[0].before, Some(ResourceState::S3Bucket(_))), "before-state recorded");
    assert!(records[0].message.starts_with("add exception on"), "{}", records[0].message);
    assert!(records[0].message.contains("tags before: "), "{}", records[0].message);
    assert!(matches!(&records[0].changes[..], [Change::TagResource { tags, .. }] if tags.len() == 3));
    assert!(records[1].message.starts_with("exception added on"), "{}", records[1].message);
    assert!(records[1].after.is_some() && records[1].control_id.is_none());
    assert_eq!(notified(&f), ["exception-added"]);
}

#[tokio::test]
async fn renewing_overwrites_only_our_three_tags() {
    let f = fixture(false, ExceptionsConfig::default());
    f.remediator.run_exception(1, add("AwsS3Bucket", ARTIFACTS, "first", "10d", "alice"), None).await;
    let before = tags(&f, "AwsS3Bucket", ARTIFACTS).await;

    let state = f.remediator.run_exception(2, add("AwsS3Bucket", ARTIFACTS, "second", "2d", "bob"), None).await;

    assert_eq!(state, JobState::Verified);
    let after = tags(&f, "AwsS3Bucket", ARTIFACTS).await;
    assert_eq!(after.get("SecurityException").map(String::as_str), Some("second"));
    assert_eq!(after.get("SecurityExceptionOwner").map(String::as_str), Some("bob"));
    assert!(before.iter().filter(|(k, _)| !OURS.contains(&k.as_str())).all(|(k, v)| after.get(k) == Some(v)));
    assert_eq!(after.len(), before.len());
    let outcome = records(&f, &f.remediator.audit_job(2)).pop().expect("outcome");
    assert!(outcome.message.contains("renewed") && outcome.message.contains("(was \"first\""), "{}", outcome.message);
    assert_eq!(notified(&f), ["exception-added", "exception-renewed"]);
}

#[tokio::test]
async fn removing_deletes_only_our_tags_that_are_there() {
    let f = fixture(false, ExceptionsConfig::default());
    let partial = BTreeMap::from([
        ("SecurityException".to_string(), "x".to_string()),
        ("SecurityExceptionExpiry".to_string(), "2030-01-01".to_string()),
        ("Unrelated".to_string(), "kept".to_string()),
    ]);
    let change =
        Change::TagResource { resource_type: "AwsS3Bucket".into(), resource_id: ARTIFACTS.into(), tags: partial };
    f.org.apply(STAGING, EU, &change).await.expect("tag");
    let before = tags(&f, "AwsS3Bucket", ARTIFACTS).await;

    let state = f.remediator.run_exception(1, remove("AwsS3Bucket", ARTIFACTS), None).await;

    assert_eq!(state, JobState::Verified);
    let after = tags(&f, "AwsS3Bucket", ARTIFACTS).await;
    let mut expected = before.clone();
    expected.remove("SecurityException");
    expected.remove("SecurityExceptionExpiry");
    assert_eq!(after, expected, "only our tags removed");
    let intent = records(&f, &f.remediator.audit_job(1)).remove(0);
    assert!(
        matches!(&intent.changes[..], [Change::UntagResource { keys, .. }]
            if keys == &["SecurityException".to_string(), "SecurityExceptionExpiry".to_string()]),
        "{:?}",
        intent.changes
    );
    assert_eq!(notified(&f), ["exception-removed"]);

    let again = f.remediator.run_exception(2, remove("AwsS3Bucket", ARTIFACTS), None).await;
    assert!(matches!(&again, JobState::NoOp(m) if m.contains("nothing to remove")), "{again:?}");
    assert_eq!(f.org.mutations().len(), 2, "nothing sent the second time: {:?}", f.org.mutations());
}

#[tokio::test]
async fn a_security_group_takes_and_loses_an_exception_by_its_id() {
    let f = fixture(false, ExceptionsConfig::default());
    let listed = f.org.list_tagged(STAGING, EU, "Name").await.expect("list");
    let group = listed.iter().find(|r| r.resource_type == "AwsEc2SecurityGroup").expect("a group");
    let id = crate::engine::exceptions::short_id(&group.resource_id);

    let state = f.remediator.run_exception(1, add("AwsEc2SecurityGroup", &id, "vendor", "5d", ""), None).await;
    assert_eq!(state, JobState::Verified);
    let record = records(&f, &f.remediator.audit_job(1)).remove(0);
    assert_eq!(record.resource, group.resource_id, "the job names the group by its ARN");
    assert_eq!(tags(&f, "AwsEc2SecurityGroup", &id).await.get("SecurityException").map(String::as_str), Some("vendor"));

    let removed = f.remediator.run_exception(2, remove("AwsEc2SecurityGroup", &group.resource_id), None).await;
    assert_eq!(removed, JobState::Verified);
    let after = tags(&f, "AwsEc2SecurityGroup", &id).await;
    assert!(OURS.iter().all(|k| !after.contains_key(*k)) && after == group.tags, "{after:?}");
}

#[tokio::test]
async fn the_verdict_follows_the_tags_and_falls_back_when_expired() {
    let f = fixture(false, ExceptionsConfig::default());
    let src = SourceId { account_id: STAGING.into(), region: EU.into() };
    let bucket_finding = |org: &SimOrg| {
        let all = org.findings(&src, true);
        let found = all.into_iter().find(|x| x.control_id.as_deref() == Some("S3.8") && x.resources[0].id == ARTIFACTS);
        Arc::new(found.expect("the S3.8 finding of the bucket"))
    };
    let live = |finding: Arc<Finding>| {
        let remediator = f.remediator.clone();
        async move { remediator.assess_all(vec![finding]).await.remove(0).result.expect("live").decision }
    };
    assert_ne!(live(bucket_finding(&f.org)).await.verdict, Verdict::Excepted);

    f.remediator.run_exception(1, add("AwsS3Bucket", ARTIFACTS, "vendor audit", "30d", ""), None).await;
    let decision = live(bucket_finding(&f.org)).await;
    assert_eq!(decision.verdict, Verdict::Excepted, "{}", decision.reason);
    let refreshed = bucket_finding(&f.org);
    let snapshot = f.remediator.triage().assess(&refreshed, None, Utc::now());
    assert_eq!(snapshot.decision.verdict, Verdict::Excepted, "the refreshed finding carries the tags");

    let expired = Change::TagResource {
        resource_type: "AwsS3Bucket".into(),
        resource_id: ARTIFACTS.into(),
        tags: BTreeMap::from([("SecurityExceptionExpiry".to_string(), "2020-01-01".to_string())]),
    };
    f.org.apply(STAGING, EU, &expired).await.expect("expire");
    let decision = live(bucket_finding(&f.org)).await;
    assert_ne!(decision.verdict, Verdict::Excepted);
    assert!(decision.exception_note.as_deref().is_some_and(|n| n.contains("expired")), "{decision:?}");
}

#[tokio::test]
async fn read_only_refuses_and_changes_nothing() {
    let f = fixture(true, ExceptionsConfig::default());
    let state = f.remediator.run_exception(1, add("AwsS3Bucket", ARTIFACTS, "x", "5d", ""), None).await;
    assert!(matches!(&state, JobState::Refused(m) if m.contains("read-only")), "{state:?}");
    assert!(f.org.mutations().is_empty());
    assert_eq!(events(&f, &f.remediator.audit_job(1)), vec![(AuditEvent::Refused, AuditResult::Refused)]);
    assert!(notified(&f).is_empty());
}

#[tokio::test]
async fn invalid_input_is_refused_with_the_validation_message() {
    let f = fixture(false, ExceptionsConfig::default());
    let cases = [
        (add("AwsS3Bucket", ARTIFACTS, "  ", "5d", ""), "reason: an exception needs a reason"),
        (add("AwsS3Bucket", ARTIFACTS, "x", "2020-01-01", ""), "is in the past"),
        (add("AwsS3Bucket", ARTIFACTS, "x", "400d", ""), "beyond the maximum of 90 days"),
        (add("AwsAccount", &format!("AWS::::Account:{STAGING}"), "x", "5d", ""), "cannot carry tags"),
        (remove("AwsAccount", &format!("AWS::::Account:{STAGING}")), "cannot carry tags"),
    ];
    for (i, (op, message)) in cases.into_iter().enumerate() {
        let state = f.remediator.run_exception(i as u64 + 1, op, None).await;
        assert!(matches!(&state, JobState::Refused(m) if m.contains(message)), "{message}: {state:?}");
    }
    assert!(f.org.mutations().is_empty(), "{:?}", f.org.mutations());
    assert!(notified(&f).is_empty());
}

#[tokio::test]
async fn a_denied_write_fails_audited_and_notified() {
    let f = fixture(false, ExceptionsConfig::default());
    f.org.set_fault(&SourceId { account_id: STAGING.into(), region: EU.into() }, Some(SimFault::DenyWrites));
    let state = f.remediator.run_exception(1, add("AwsS3Bucket", ARTIFACTS, "x", "5d", ""), None).await;
    assert!(matches!(&state, JobState::Failed(m) if m.contains("AccessDenied") || m.contains("not authorized")));
    assert_eq!(
        events(&f, &f.remediator.audit_job(1)),
        vec![(AuditEvent::ExceptionIntent, AuditResult::Pending), (AuditEvent::ExceptionOutcome, AuditResult::Failed)]
    );
    assert_eq!(notified(&f), ["exception-failed"]);
}

#[tokio::test]
async fn listing_reads_every_source_sorted_by_expiry_and_names_failing_ones() {
    let f = fixture(false, ExceptionsConfig::default());
    f.remediator.run_exception(1, add("AwsS3Bucket", ARTIFACTS, "vendor audit", "30d", ""), None).await;
    let sources = f.org.sources();
    let broken = SourceId { account_id: "210987654321".into(), region: "us-east-1".into() };
    f.org.set_fault(&broken, Some(SimFault::AccessDenied));

    let (entries, problems) = f.remediator.list_exceptions(&sources, Utc::now()).await;

    let ours = entries.iter().find(|e| e.resource_id == ARTIFACTS).expect("the new exception is listed");
    assert_eq!(
        (ours.days_left, ours.status.clone(), ours.owner.as_deref()),
        (Some(30), ExceptionStatus::Valid, Some("tester"))
    );
    assert!(entries.iter().any(|e| e.status == ExceptionStatus::ExpiringSoon), "the seeded one ending in 3 days");
    assert!(entries.iter().any(|e| matches!(e.status, ExceptionStatus::Invalid(_))), "the unparsable seeded one");
    let expiries: Vec<_> = entries.iter().map(|e| (e.expires.is_none(), e.expires)).collect();
    assert!(expiries.windows(2).all(|w| w[0] <= w[1]), "sorted by expiry, unreadable last");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("210987654321/us-east-1"), "{problems:?}");
    assert!(entries.iter().all(|e| !(e.account_id == broken.account_id && e.region == broken.region)));
}
