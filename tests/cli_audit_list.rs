//! `hubtriage audit list` on a log written by the audit module: each filter narrows to the records it names, each
//! format prints them (JSON as the log holds them, CSV per RFC 4180), a hostile record (terminal escapes, a leading
//! `=`) is printed inert, and a bad record or a torn last line is named by line while the rest is listed (exit 2).

use assert_cmd::Command;
use chrono::{DateTime, Duration, TimeZone, Utc};
use hubtriage::engine::audit::{AuditEvent, AuditFinding, AuditLog, AuditRecord, AuditResult};
use serde_json::Value;
use std::path::Path;

const SG: &str = "arn:aws:ec2:us-east-1:222222222222:security-group/sg-0abc";
const HOSTILE: &str = "=HYPERLINK(\"http://evil.example\",\"ok\")\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{9b}31m";

fn at(month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour, 0, 0).single().expect("time")
}

#[allow(clippy::too_many_arguments)]
fn record(
    time: DateTime<Utc>,
    event: AuditEvent,
    result: AuditResult,
    job: &str,
    account: &str,
    control: Option<&str>,
    resource: &str,
    message: &str,
) -> AuditRecord {
    AuditRecord {
        time,
        event,
        result,
        job: Some(job.into()),
        operator: "arn:aws:sts::111111111111:assumed-role/Ops/alice".into(),
        findings: vec![AuditFinding {
            id: format!("finding-of-{job}"),
            product_arn: "arn:aws:securityhub:eu-west-1::product/aws/securityhub".into(),
            first_observed_at: None,
            format: Default::default(),
        }],
        control_id: control.map(String::from),
        account_id: account.into(),
        region: "eu-west-1".into(),
        resource_type: "AwsS3Bucket".into(),
        resource: resource.into(),
        playbook: None,
        fingerprint: None,
        before: None,
        after: None,
        changes: Vec::new(),
        rollback: Vec::new(),
        process: None,
        message: message.into(),
    }
}

/// Five records, the last one hostile and an hour old, appended through the audit module.
fn write_log(path: &Path) {
    use AuditEvent::*;
    let a = "111111111111";
    let records = [
        record(at(11, 1, 10), ApplyIntent, AuditResult::Pending, "j-1", a, Some("S3.8"), "arn:aws:s3:::alpha", "fix"),
        record(at(11, 1, 11), Verification, AuditResult::Verified, "j-1", a, Some("S3.8"), "arn:aws:s3:::alpha", "ok"),
        record(at(11, 15, 8), ApplyIntent, AuditResult::Pending, "j-2", "222222222222", Some("EC2.13"), SG, "ssh"),
        record(
            at(12, 1, 9),
            RollbackIntent,
            AuditResult::Pending,
            "j-3",
            a,
            Some("S3.8"),
            "arn:aws:s3:::alpha",
            "undo",
        ),
        record(
            Utc::now() - Duration::hours(1),
            ExceptionIntent,
            AuditResult::Pending,
            "-j-4",
            "333333333333",
            None,
            "arn:aws:s3:::evil",
            HOSTILE,
        ),
    ];
    let log = AuditLog::open(path).expect("open");
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    for r in &records {
        runtime.block_on(log.append(r)).expect("append");
    }
}

/// `audit list --audit-log PATH ARGS…`: exit status, stdout, stderr.
fn list(dir: &Path, log: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("hubtriage")
        .expect("binary")
        .env("HOME", dir)
        .env("HUBTRIAGE_LOG", dir.join("hubtriage.log"))
        .arg("--audit-log")
        .arg(log)
        .args(["audit", "list"])
        .args(args)
        .output()
        .expect("runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// The jobs listed as JSON with these filters.
fn jobs(dir: &Path, log: &Path, filters: &[&str]) -> Vec<String> {
    let (code, stdout, stderr) = list(dir, log, &[filters, &["--format", "json"]].concat());
    assert_eq!(code, Some(0), "{stderr}");
    let records: Vec<Value> = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    records.iter().map(|r| r["job"].as_str().expect("job").to_string()).collect()
}

#[test]
fn each_filter_narrows_to_the_records_it_names() {
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("audit.jsonl");
    write_log(&log);
    let d = dir.path();
    assert_eq!(jobs(d, &log, &[]), ["j-1", "j-1", "j-2", "j-3", "-j-4"]);
    assert_eq!(jobs(d, &log, &["--resource", "alpha"]), ["j-1", "j-1", "j-3"]);
    assert_eq!(jobs(d, &log, &["--resource", SG]), ["j-2"]);
    assert_eq!(jobs(d, &log, &["--account", "222222222222"]), ["j-2"]);
    assert_eq!(jobs(d, &log, &["--control", "ec2.13"]), ["j-2"]);
    assert_eq!(jobs(d, &log, &["--event", "verification,rollback-intent"]), ["j-1", "j-3"]);
    assert_eq!(jobs(d, &log, &["--event", "apply-intent", "--account", "111111111111"]), ["j-1"]);
    assert_eq!(jobs(d, &log, &["--until", "2026-11-02"]), ["j-1", "j-1"]);
    assert_eq!(jobs(d, &log, &["--since", "2026-11-10", "--until", "2026-12-01T09:00:01Z"]), ["j-2", "j-3"]);
    assert_eq!(jobs(d, &log, &["--since", "2d"]), ["-j-4"]);
    assert_eq!(jobs(d, &log, &["--since", "0h"]), Vec::<String>::new());
    assert_eq!(jobs(d, &log, &["--since", "3h"]), ["-j-4"]);

    let (code, _, stderr) = list(d, &log, &["--event", "apply_intent"]);
    assert_eq!(code, Some(64), "a usage error: {stderr}");
    assert!(stderr.contains("apply-intent, apply-outcome, verification"), "the valid names are listed: {stderr}");
    let (code, _, stderr) = list(d, &log, &["--since", "last week"]);
    assert_eq!(code, Some(64), "{stderr}");
    assert!(stderr.contains("RFC 3339"), "{stderr}");
}

#[test]
fn every_format_prints_the_records_and_the_hostile_one_inert() {
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("audit.jsonl");
    write_log(&log);

    let (code, json, _) = list(dir.path(), &log, &["--format", "json"]);
    assert_eq!(code, Some(0));
    let listed: Vec<Value> = serde_json::from_str(&json).expect("a JSON array");
    let held: Vec<Value> =
        std::fs::read_to_string(&log).expect("log").lines().map(|l| serde_json::from_str(l).expect("line")).collect();
    assert_eq!(listed, held, "the records as the log holds them, chain fields and all");
    assert_eq!(listed[4]["message"], HOSTILE, "the JSON keeps the text, escaped");
    assert!(!json.contains(['\u{1b}', '\u{7}', '\u{9b}']), "{json:?}");

    let (code, table, _) = list(dir.path(), &log, &[]);
    assert_eq!(code, Some(0));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 6, "a header and one line per record:\n{table}");
    assert!(lines[0].starts_with("TIME") && lines[0].contains("RESOURCE"), "{table}");
    assert!(lines[3].contains("j-2") && lines[3].contains("EC2.13") && lines[3].contains(SG), "{table}");
    assert!(!table.contains(['\u{1b}', '\u{7}', '\u{9b}']), "{table:?}");
    assert!(lines[5].ends_with("=HYPERLINK(\"http://evil.example\",\"ok\")"), "{table}");

    let (code, csv, _) = list(dir.path(), &log, &["--format", "csv"]);
    assert_eq!(code, Some(0));
    let rows: Vec<&str> = csv.split_terminator("\r\n").collect();
    assert_eq!(rows.len(), 6, "{csv:?}");
    assert!(rows[0].starts_with("time,event,result,job,operator,account_id"), "{csv}");
    assert!(rows[1].starts_with("2026-11-01T10:00:00Z,apply-intent,pending,j-1,"), "{csv}");
    assert!(!csv.contains(['\u{1b}', '\u{7}', '\u{9b}']), "{csv:?}");
    let hostile = rows[5];
    assert!(hostile.contains(",'-j-4,"), "a cell starting with - is not a formula: {hostile}");
    assert!(
        hostile.ends_with(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"ok\"\")\""),
        "quoted per RFC 4180, the formula defused: {hostile}"
    );
}

#[test]
fn a_bad_record_and_a_torn_last_line_are_named_and_the_rest_is_listed() {
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("audit.jsonl");
    write_log(&log);
    let text = std::fs::read_to_string(&log).expect("log");
    let first = text.lines().next().expect("a line").to_string();
    std::fs::write(&log, format!("{text}{{\"event\":\"apply-intent\"}}\n{first}\n{{\"seq\":8,\"time\":\"2026-1"))
        .expect("write");

    let (code, stdout, stderr) = list(dir.path(), &log, &["--format", "json"]);
    assert_eq!(code, Some(2), "{stderr}");
    let listed: Vec<Value> = serde_json::from_str(&stdout).expect("the records still print as JSON");
    assert_eq!(listed.len(), 6, "the record after the bad one is read too");
    assert!(stderr.contains("line 6: missing field"), "{stderr}");
    assert!(stderr.contains("line 8: incomplete record (the process stopped mid-write)"), "{stderr}");

    let (code, _, stderr) = list(dir.path(), &dir.path().join("nowhere.jsonl"), &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("cannot read the audit log") && stderr.contains("nowhere.jsonl"), "{stderr}");
}
