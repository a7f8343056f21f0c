use super::*;

pub(crate) fn record(event: AuditEvent, result: AuditResult, job: &str) -> AuditRecord {
    AuditRecord {
        time: Utc::now(),
        event,
        result,
        job: Some(job.into()),
        operator: "arn:aws:sts::111111111111:assumed-role/Sec/alice".into(),
        findings: vec![AuditFinding {
            id: "f-1".into(),
            product_arn: "arn:p".into(),
            first_observed_at: None,
            format: Default::default(),
        }],
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
        process: None,
        message: "applying".into(),
    }
}

#[tokio::test]
async fn records_are_appended_one_per_line_and_read_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/audit.jsonl");
    let log = AuditLog::open(&path).expect("open");
    log.append(&record(AuditEvent::ApplyIntent, AuditResult::Pending, "j1")).await.expect("append");
    log.append(&record(AuditEvent::ApplyOutcome, AuditResult::Ok, "j1")).await.expect("append");
    let text = std::fs::read_to_string(&path).expect("read");
    assert_eq!(text.lines().count(), 2);
    assert!(text.lines().next().is_some_and(|l| l.contains(r#""event":"apply-intent""#)), "{text}");
    let read = AuditLog::read(&path).expect("read");
    assert_eq!(read.records.len(), 2);
    assert!(read.problems.is_empty());
    assert_eq!(read.records[1].result, AuditResult::Ok);
}

#[tokio::test]
async fn a_torn_last_line_is_reported_and_the_next_record_starts_on_its_own_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    let whole = serde_json::to_string(&record(AuditEvent::ApplyIntent, AuditResult::Pending, "j1")).expect("json");
    std::fs::write(&path, format!("{whole}\n{}", &whole[..whole.len() / 2])).expect("write");
    let read = AuditLog::read(&path).expect("read");
    assert_eq!(read.records.len(), 1);
    assert_eq!(read.problems.len(), 1);
    assert!(read.problems[0].starts_with("line 2: incomplete record"), "{:?}", read.problems);

    let log = AuditLog::open(&path).expect("open");
    log.append(&record(AuditEvent::ApplyOutcome, AuditResult::Ok, "j1")).await.expect("append");
    let read = AuditLog::read(&path).expect("read");
    assert_eq!(read.records.len(), 2, "{:?}", read.problems);
    assert_eq!(read.problems.len(), 1);
}

#[tokio::test]
async fn finding_text_with_control_sequences_is_escaped_in_the_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path).expect("open");
    let mut r = record(AuditEvent::Refused, AuditResult::Refused, "j2");
    r.message = "evil \u{1b}]52;c;aGk=\u{7} title".into();
    log.append(&r).await.expect("append");
    let bytes = std::fs::read(&path).expect("read");
    assert!(!bytes.contains(&0x1b), "raw ESC written to the audit log");
    assert_eq!(AuditLog::read(&path).expect("read").records[0].message, r.message);
}

/// The lines of a log file, without their newlines.
fn lines_of(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).expect("read").lines().map(String::from).collect()
}

#[tokio::test]
async fn every_record_carries_its_place_and_the_hash_of_the_line_before() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path).expect("open");
    let first = log.append(&record(AuditEvent::ApplyIntent, AuditResult::Pending, "j1")).await.expect("append");
    let second = log.append(&record(AuditEvent::ApplyOutcome, AuditResult::Ok, "j1")).await.expect("append");

    let lines = lines_of(&path);
    assert!(lines[0].starts_with(&format!(r#"{{"seq":1,"prev":"{}","time":"#, audit_chain::GENESIS)), "{}", lines[0]);
    let prev = audit_chain::line_hash(lines[0].as_bytes());
    assert!(lines[1].starts_with(&format!(r#"{{"seq":2,"prev":"{prev}","#)), "{}", lines[1]);
    assert_eq!((first.seq, second.seq), (1, 2));
    assert_eq!(first.hash, prev);
    assert_eq!(second.line, lines[1].as_bytes());
    assert!(crate::engine::audit_verify::verify(&std::fs::read(&path).expect("read")).holds());
}

#[test]
fn writers_in_several_processes_share_one_chain() {
    // Each writer opens the log itself, as another process would: only the file lock keeps them in turn.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let log = AuditLog::open(&path).expect("open");
                for i in 0..25 {
                    let r = record(AuditEvent::Refused, AuditResult::Refused, &format!("w{w}-{i}"));
                    futures::executor::block_on(log.append(&r)).expect("append");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("writer");
    }
    let report = crate::engine::audit_verify::verify(&std::fs::read(&path).expect("read"));
    assert!(report.holds(), "{:?}", report.breaks);
    assert_eq!(report.chained, 100);
    assert_eq!(report.last.map(|(_, seq)| seq), Some(100));
}

#[tokio::test]
async fn after_a_torn_line_the_chain_goes_on_and_only_the_torn_line_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path).expect("open");
    log.append(&record(AuditEvent::ApplyIntent, AuditResult::Pending, "j1")).await.expect("append");
    let whole = String::from_utf8(
        audit_chain::encode(
            &audit_chain::Link { seq: 2, prev: "x".into() },
            &record(AuditEvent::ApplyOutcome, AuditResult::Ok, "j1"),
        )
        .expect("encode"),
    )
    .expect("utf-8");
    // A process stopped in the middle of writing record 2.
    let mut file = std::fs::OpenOptions::new().append(true).open(&path).expect("open");
    file.write_all(&whole.as_bytes()[..whole.len() / 2]).expect("torn write");
    drop(file);

    let next = log.append(&record(AuditEvent::Verification, AuditResult::Verified, "j1")).await.expect("append");

    assert_eq!(next.seq, 2, "the torn record never took its place");
    let report = crate::engine::audit_verify::verify(&std::fs::read(&path).expect("read"));
    assert_eq!(report.breaks.len(), 1, "{:?}", report.breaks);
    assert_eq!(report.breaks[0].line, 2);
    assert_eq!(report.breaks[0].kind, crate::engine::audit_verify::BreakKind::Torn);
}

#[tokio::test]
async fn a_log_from_before_the_chain_is_continued_by_a_chain_that_vouches_for_its_last_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    let legacy: Vec<String> = (0..3)
        .map(|i| {
            serde_json::to_string(&record(AuditEvent::Refused, AuditResult::Refused, &format!("old{i}"))).expect("json")
        })
        .collect();
    std::fs::write(&path, format!("{}\n", legacy.join("\n"))).expect("write");

    let log = AuditLog::open(&path).expect("open");
    let first = log.append(&record(AuditEvent::ApplyIntent, AuditResult::Pending, "j1")).await.expect("append");

    assert_eq!(first.seq, 1);
    let lines = lines_of(&path);
    assert!(lines[3].contains(&audit_chain::line_hash(lines[2].as_bytes())), "{}", lines[3]);
    let report = crate::engine::audit_verify::verify(&std::fs::read(&path).expect("read"));
    assert!(report.holds(), "{:?}", report.breaks);
    assert_eq!((report.legacy, report.chained), (3, 1));
    assert_eq!(AuditLog::read(&path).expect("read").records.len(), 4, "old and new records read alike");
}

#[tokio::test]
async fn records_longer_than_a_read_chunk_chain_correctly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path).expect("open");
    for i in 0..4 {
        let mut r = record(AuditEvent::Refused, AuditResult::Refused, "j");
        r.message = "x".repeat(20_000 + i * 7_000);
        log.append(&r).await.expect("append");
    }
    let report = crate::engine::audit_verify::verify(&std::fs::read(&path).expect("read"));
    assert!(report.holds(), "{:?}", report.breaks);
    assert_eq!(report.chained, 4);
}

#[tokio::test]
async fn a_failed_intent_is_closed_by_a_failed_outcome_and_other_records_are_not() {
    let intent = record(AuditEvent::ApplyIntent, AuditResult::Pending, "j1");
    let closing = intent.not_started("copy failed").expect("an intent is closed");
    assert_eq!((closing.event, closing.result), (AuditEvent::ApplyOutcome, AuditResult::Failed));
    assert_eq!(closing.job.as_deref(), Some("j1"));
    assert!(closing.message.contains("not started: copy failed"));
    assert!(closing.changes.is_empty());
    assert!(record(AuditEvent::Verification, AuditResult::Verified, "j1").not_started("x").is_none());
}

#[cfg(unix)]
#[tokio::test]
async fn the_log_is_created_0600_in_a_new_0700_directory_and_a_wider_one_is_narrowed() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("logs/audit.jsonl");
    AuditLog::open(&path)
        .expect("open")
        .append(&record(AuditEvent::Drift, AuditResult::Ok, "j"))
        .await
        .expect("append");
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&dir.path().join("logs")), 0o700);

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    AuditLog::open(&path).expect("open again");
    assert_eq!(mode(&path), 0o600);
}
