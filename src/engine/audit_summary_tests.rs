use super::*;
use crate::playbook::state::{AccountState, BucketPublicAccessBlock};
use chrono::TimeZone;
use std::sync::Arc;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).single().expect("time")
}

/// A record of `job` about `resource` and control S3.1 for finding `finding`, first observed on Nov 1 at 00:00.
fn rec(time: DateTime<Utc>, event: AuditEvent, result: AuditResult, job: &str, resource: &str) -> AuditRecord {
    AuditRecord {
        time,
        event,
        result,
        job: Some(job.into()),
        operator: "alice".into(),
        findings: vec![AuditFinding {
            id: format!("f-{resource}"),
            product_arn: "arn:p".into(),
            first_observed_at: Some(at(1, 0)),
            format: Default::default(),
        }],
        control_id: Some("S3.1".into()),
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        resource_type: "AwsAccount".into(),
        resource: resource.into(),
        playbook: Some("s3-account-block-public-access".into()),
        fingerprint: Some(format!("fp-{job}")),
        before: None,
        after: None,
        changes: Vec::new(),
        rollback: Vec::new(),
        process: None,
        message: String::new(),
    }
}

/// A whole apply job: intent at `hour`, outcome, verification (verified or not) an hour later.
fn apply(day: u32, hour: u32, job: &str, resource: &str, verified: bool) -> Vec<AuditRecord> {
    let mut intent = rec(at(day, hour), AuditEvent::ApplyIntent, AuditResult::Pending, job, resource);
    intent.before = Some(ResourceState::Account(AccountState {
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        s3_public_access_block: BucketPublicAccessBlock::NotConfigured,
        ebs_encryption_by_default: None,
        public_ebs_snapshots: None,
    }));
    intent.rollback = vec![Change::DeleteAccountPublicAccessBlock];
    let result = if verified { AuditResult::Verified } else { AuditResult::Unverified };
    vec![
        intent,
        rec(at(day, hour), AuditEvent::ApplyOutcome, AuditResult::Ok, job, resource),
        rec(at(day, hour + 1), AuditEvent::Verification, result, job, resource),
        rec(at(day, hour + 1), AuditEvent::FindingUpdate, AuditResult::Ok, job, resource),
    ]
}

fn rollback(day: u32, hour: u32, job: &str, resource: &str, outcome: AuditResult) -> Vec<AuditRecord> {
    vec![
        rec(at(day, hour), AuditEvent::RollbackIntent, AuditResult::Pending, job, resource),
        rec(at(day, hour), AuditEvent::RollbackOutcome, outcome, job, resource),
    ]
}

fn key(resource: &str) -> FindingKey {
    FindingKey { product_arn: Arc::from("arn:p"), id: Arc::from(format!("f-{resource}").as_str()) }
}

#[test]
fn fixes_are_the_verified_apply_jobs_only() {
    let mut log = apply(2, 1, "j1", "acct", true);
    log.extend(apply(3, 1, "j2", "acct", false));
    log.extend(rollback(4, 1, "r1", "acct", AuditResult::Ok));
    let fixes = fixes(&log);
    assert_eq!(fixes.len(), 1, "{fixes:?}");
    assert_eq!(fixes[0].job, "j1");
    assert_eq!(fixes[0].verified_at, at(2, 2));
    assert_eq!(fixes[0].first_observed_at, Some(at(1, 0)));
    assert_eq!(fixes[0].fingerprint, "fp-j1");
    assert_eq!(fixes[0].control_id, "S3.1");
}

#[test]
fn rollback_candidate_is_the_latest_verified_fix_not_yet_rolled_back() {
    let mut log = apply(2, 1, "j1", "acct", true);
    log.extend(apply(3, 1, "j2", "acct", true));
    log.extend(apply(4, 1, "j3", "acct", false));
    let candidate = rollback_candidate(&log, &key("acct")).expect("a candidate");
    assert_eq!(candidate.job, "j2", "the unverified j3 is not a candidate; j2 is the latest verified");
    assert_eq!(candidate.rollback, vec![Change::DeleteAccountPublicAccessBlock]);
    assert!(candidate.before.is_some());
    assert!(rollback_candidate(&log, &key("other")).is_none(), "a finding never fixed has no candidate");

    log.extend(rollback(5, 1, "r1", "acct", AuditResult::Failed));
    assert_eq!(rollback_candidate(&log, &key("acct")).map(|c| c.job), Some("j2".into()), "a failed rollback");
    log.extend(rollback(5, 2, "r2", "acct", AuditResult::Ok));
    assert_eq!(rollback_candidate(&log, &key("acct")), None, "rolled back: nothing left, not the older j1");
}

#[test]
fn recurrence_counts_fixes_on_the_resource_and_across_the_control() {
    let mut log = apply(2, 1, "j1", "bucket-a", true);
    log.extend(apply(3, 1, "j2", "bucket-a", true));
    log.extend(apply(4, 1, "j3", "bucket-b", true));
    log.extend(apply(5, 1, "j4", "bucket-c", false));
    let r = recurrence(&log, "111111111111", "eu-west-1", "bucket-a", "S3.1");
    assert_eq!(r.on_resource, 2);
    assert_eq!(r.last_on_resource, Some(at(3, 2)));
    assert_eq!(r.control_fixes, 3);
    assert_eq!(r.control_resources, 2);
    assert!(r.points_upstream());
    let other = recurrence(&log, "111111111111", "eu-west-1", "bucket-b", "S3.1");
    assert_eq!(other.on_resource, 1);
    assert!(!other.points_upstream());
    assert_eq!(recurrence(&log, "111111111111", "eu-west-1", "bucket-a", "S3.8"), Recurrence::default());
}

#[test]
fn time_to_safe_state_per_fix_and_median() {
    // First observed Nov 1 00:00; verified Nov 2 02:00 (26h), Nov 3 02:00 (50h), Nov 5 02:00 (98h).
    let mut log = apply(2, 1, "j1", "a", true);
    log.extend(apply(3, 1, "j2", "b", true));
    log.extend(apply(5, 1, "j3", "c", true));
    log.extend(apply(6, 1, "j4", "d", false));
    let (per_fix, median) = time_to_safe(&log);
    let hours: Vec<u64> = per_fix.iter().map(|(_, d)| d.as_secs() / 3600).collect();
    assert_eq!(hours, vec![26, 50, 98]);
    assert_eq!(median, Some(Duration::from_secs(50 * 3600)));
    log.extend(apply(7, 1, "j5", "e", true)); // 146h: the median of four is the mean of the middle two
    assert_eq!(time_to_safe(&log).1, Some(Duration::from_secs(74 * 3600)));
    assert_eq!(time_to_safe(&[]), (Vec::new(), None));
}

#[test]
fn unfinished_intents_have_no_outcome_in_their_job() {
    let mut log = apply(2, 1, "j1", "a", true);
    log.push(rec(at(3, 1), AuditEvent::ApplyIntent, AuditResult::Pending, "j2", "b"));
    log.push(rec(at(3, 2), AuditEvent::RollbackIntent, AuditResult::Pending, "r1", "a"));
    log.extend(rollback(3, 3, "r2", "a", AuditResult::Failed));
    let open: Vec<Option<String>> = unfinished(&log).into_iter().map(|r| r.job).collect();
    assert_eq!(open, vec![Some("j2".to_string()), Some("r1".to_string())]);
    // The re-check after the stop writes a verification into the change's own job: no longer unfinished.
    log.push(rec(at(4, 1), AuditEvent::Verification, AuditResult::Unverified, "j2", "b"));
    let open: Vec<Option<String>> = unfinished(&log).into_iter().map(|r| r.job).collect();
    assert_eq!(open, vec![Some("r1".to_string())]);
    // Stopped after the calls but before verifying: the change still needs a re-check.
    log.push(rec(at(5, 1), AuditEvent::ApplyIntent, AuditResult::Pending, "j3", "c"));
    log.push(rec(at(5, 2), AuditEvent::ApplyOutcome, AuditResult::Ok, "j3", "c"));
    let open: Vec<Option<String>> = unfinished(&log).into_iter().map(|r| r.job).collect();
    assert_eq!(open, vec![Some("r1".to_string()), Some("j3".to_string())]);
}

#[test]
fn watched_fixes_are_the_latest_verified_fix_per_resource_and_control_not_rolled_back() {
    let mut log = apply(2, 1, "j1", "a", true);
    log.extend(apply(3, 1, "j2", "a", true));
    log.extend(apply(3, 1, "j3", "b", true));
    log.extend(apply(3, 1, "j4", "c", false));
    log.extend(rollback(4, 1, "r1", "b", AuditResult::Ok));
    let watched: Vec<String> = watched_fixes(&log).into_iter().map(|f| f.job).collect();
    assert_eq!(watched, vec!["j2".to_string()]);
}
