use super::*;
use crate::engine::audit::AuditResult;
use chrono::TimeZone;

const SG: &str = "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-0abc";

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, hour, 0, 0).single().expect("time")
}

fn rec(hour: u32, event: AuditEvent, result: AuditResult, job: &str, resource: &str, account: &str) -> AuditRecord {
    AuditRecord {
        time: at(hour),
        event,
        result,
        job: Some(job.into()),
        operator: "alice".into(),
        findings: Vec::new(),
        control_id: Some("EC2.18".into()),
        account_id: account.into(),
        region: "eu-west-1".into(),
        resource_type: "AwsEc2SecurityGroup".into(),
        resource: resource.into(),
        playbook: Some("sg-open-ports".into()),
        fingerprint: None,
        before: None,
        after: None,
        changes: Vec::new(),
        rollback: Vec::new(),
        process: None,
        message: String::new(),
    }
}

/// An apply job at `hour`, verified an hour later when `verified`.
fn apply(hour: u32, job: &str, resource: &str, account: &str, verified: bool) -> Vec<AuditRecord> {
    let mut out = vec![
        rec(hour, AuditEvent::ApplyIntent, AuditResult::Pending, job, resource, account),
        rec(hour, AuditEvent::ApplyOutcome, AuditResult::Ok, job, resource, account),
    ];
    if verified {
        out.push(rec(hour + 1, AuditEvent::Verification, AuditResult::Verified, job, resource, account));
    }
    out
}

fn rollback(hour: u32, job: &str, resource: &str) -> Vec<AuditRecord> {
    vec![
        rec(hour, AuditEvent::RollbackIntent, AuditResult::Pending, job, resource, "111111111111"),
        rec(hour, AuditEvent::RollbackOutcome, AuditResult::Ok, job, resource, "111111111111"),
    ]
}

#[test]
fn a_resource_is_named_by_its_arn_or_the_id_it_ends_with() {
    assert!(names_resource(SG, SG));
    assert!(names_resource(SG, "sg-0abc"));
    assert!(names_resource("arn:aws:s3:::acme-logs", "acme-logs"));
    assert!(!names_resource(SG, "0abc"), "a partial id is not a name");
    assert!(!names_resource(SG, ""));
}

#[test]
fn the_latest_verified_fix_of_a_resource_is_picked() {
    let records = [
        apply(1, "s-1", SG, "111111111111", true),
        apply(3, "s-2", SG, "111111111111", true),
        apply(5, "s-3", SG, "111111111111", false),
    ]
    .concat();
    let target = by_resource(&records, "sg-0abc").expect("a fix");
    assert_eq!(target.job, "s-2", "the latest verified one, not the unverified s-3");
    assert_eq!(target.verified_at, Some(at(4)));
    assert_eq!(target.intent.event, AuditEvent::ApplyIntent);
}

#[test]
fn no_fix_an_ambiguous_name_and_a_rolled_back_fix_are_refused_with_the_reason() {
    let none = by_resource(&apply(1, "s-1", SG, "111111111111", false), SG).expect_err("unverified only");
    assert!(none.contains("no verified fix of"), "{none}");

    let other = "arn:aws:ec2:eu-west-1:222222222222:security-group/sg-0abc";
    let two = [apply(1, "s-1", SG, "111111111111", true), apply(2, "s-2", other, "222222222222", true)].concat();
    let err = by_resource(&two, "sg-0abc").expect_err("two resources");
    assert!(err.contains("2 resources") && err.contains("give the full ARN"), "{err}");
    assert_eq!(by_resource(&two, other).expect("the full ARN is enough").job, "s-2");

    let undone = [apply(1, "s-1", SG, "111111111111", true), rollback(4, "s-9", SG)].concat();
    let err = by_resource(&undone, SG).expect_err("rolled back");
    assert!(err.contains("job s-1") && err.contains("already rolled back by job s-9"), "{err}");
    let err = by_job(&undone, "s-1").expect_err("rolled back");
    assert!(err.contains("already rolled back by job s-9"), "{err}");
}

#[test]
fn a_job_is_found_by_name_verified_or_not() {
    let records = [apply(1, "s-1", SG, "111111111111", true), apply(3, "s-2", SG, "111111111111", false)].concat();
    assert_eq!(by_job(&records, "s-1").expect("s-1").verified_at, Some(at(2)));
    assert_eq!(by_job(&records, "s-2").expect("s-2").verified_at, None);
    let err = by_job(&records, "s-7\u{1b}[2J").expect_err("unknown");
    assert!(err.contains("no apply job s-7 in") && !err.contains('\u{1b}'), "the name is shown inert: {err}");
}
