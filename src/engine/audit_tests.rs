use super::*;

pub(crate) fn record(event: AuditEvent, result: AuditResult, job: &str) -> AuditRecord {
    AuditRecord {
        time: Utc::now(),
        event,
        result,
        job: Some(job.into()),
        operator: "arn:aws:sts::111111111111:assumed-role/Sec/alice".into(),
        findings: vec![AuditFinding { id: "f-1".into(), product_arn: "arn:p".into(), first_observed_at: None }],
        control_id: Some("S3.8".into()),
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        resource_type: "AwsS3Bucket".into(),
        resource: "arn:aws:s3:::acme-logs".into(),
        playbook: Some("s3-bucket-block-public-access".into()),
        fingerprint: Some("0123456789abcdef".into()),
        before: None,
        after: None,
        changes: vec![Change::DeleteBucketPublicAccessBlock { bucket: "acme-logs".into() }],
        rollback: Vec::new(),
        message: "applying".into(),
    }
}

#[test]
fn records_are_appended_one_per_line_and_read_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/audit.jsonl");
    let log = AuditLog::open(&path).expect("open");
    log.append(&record(AuditEvent::ApplyIntent, AuditResult::Pending, "j1")).expect("append");
    log.append(&record(AuditEvent::ApplyOutcome, AuditResult::Ok, "j1")).expect("append");
    let text = std::fs::read_to_string(&path).expect("read");
    assert_eq!(text.lines().count(), 2);
    assert!(text.lines().next().is_some_and(|l| l.contains(r#""event":"apply-intent""#)), "{text}");
    let read = AuditLog::read(&path).expect("read");
    assert_eq!(read.records.len(), 2);
    assert!(read.problems.is_empty());
    assert_eq!(read.records[1].result, AuditResult::Ok);
}

#[test]
fn a_torn_last_line_is_reported_and_the_next_record_starts_on_its_own_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    let whole = serde_json::to_string(&record(AuditEvent::ApplyIntent, AuditResult::Pending, "j1")).expect("json");
    std::fs::write(&path, format!("{whole}\n{}", &whole[..whole.len() / 2])).expect("write");
    let read = AuditLog::read(&path).expect("read");
    assert_eq!(read.records.len(), 1);
    assert_eq!(read.problems.len(), 1);
    assert!(read.problems[0].starts_with("line 2: incomplete record"), "{:?}", read.problems);

    let log = AuditLog::open(&path).expect("open");
    log.append(&record(AuditEvent::ApplyOutcome, AuditResult::Ok, "j1")).expect("append");
    let read = AuditLog::read(&path).expect("read");
    assert_eq!(read.records.len(), 2, "{:?}", read.problems);
    assert_eq!(read.problems.len(), 1);
}

#[test]
fn finding_text_with_control_sequences_is_escaped_in_the_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path).expect("open");
    let mut r = record(AuditEvent::Refused, AuditResult::Refused, "j2");
    r.message = "evil \u{1b}]52;c;aGk=\u{7} title".into();
    log.append(&r).expect("append");
    let bytes = std::fs::read(&path).expect("read");
    assert!(!bytes.contains(&0x1b), "raw ESC written to the audit log");
    assert_eq!(AuditLog::read(&path).expect("read").records[0].message, r.message);
}
