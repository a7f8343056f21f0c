//! Crash safety: a process killed (SIGKILL) in the middle of a fix leaves an audit log that is valid up to its last
//! complete line; a torn last line is reported; the next start re-checks the change that was never verified.

use assert_cmd::cargo::CommandCargoExt;
use hubtriage::engine::audit::{AuditEvent, AuditLog, AuditResult};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn hubtriage(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("hubtriage").expect("binary");
    cmd.env("HOME", home).env("HUBTRIAGE_LOG", home.join("hubtriage.log"));
    cmd
}

#[test]
fn a_fix_killed_before_verification_is_rechecked_on_the_next_start() {
    let home = tempfile::tempdir().expect("home");
    let config = home.path().join("config.toml");
    let example = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml"))
        .expect("example config");
    // A long first verification wait leaves time to kill the process between the calls and the verification.
    let slow = example.replace("verify_first_delay_ms = 1000", "verify_first_delay_ms = 20000");
    assert_ne!(slow, example);
    std::fs::write(&config, slow).expect("config");
    let fast_config = home.path().join("fast.toml");
    std::fs::write(&fast_config, example.replace("verify_first_delay_ms = 1000", "verify_first_delay_ms = 10"))
        .expect("config");
    let audit = home.path().join("audit.jsonl");
    let plan = hubtriage(home.path())
        .args(["--demo", "--config"])
        .arg(&config)
        .args(["plan", "--format", "json"])
        .output()
        .expect("plan");
    let entries: Vec<Value> = serde_json::from_slice(&plan.stdout).expect("plan JSON");
    let id = entries
        .iter()
        .find(|e| e["verdict"] == "approve" && e["account_id"] == "567890123456" && e["control_id"] == "S3.8")
        .and_then(|e| e["id"].as_str())
        .expect("an approvable finding")
        .to_string();
    let apply = |config: &Path| {
        let mut cmd = hubtriage(home.path());
        cmd.args(["--demo", "--config"]).arg(config).arg("--audit-log").arg(&audit);
        cmd.args(["apply", "--finding", &id, "--yes"]);
        cmd
    };

    let mut child = apply(&config).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&audit).unwrap_or_default().contains("\"event\":\"apply-outcome\"") {
        assert!(Instant::now() < deadline, "the fix never reached its outcome record");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");

    let read = AuditLog::read(&audit).expect("read");
    assert!(read.problems.is_empty(), "every line is complete: {:?}", read.problems);
    let events: Vec<AuditEvent> = read.records.iter().map(|r| r.event).collect();
    assert_eq!(events, [AuditEvent::ApplyIntent, AuditEvent::ApplyOutcome], "killed before verification");
    let killed_job = read.records[0].job.clone().expect("job");
    // A torn line, as a crash in the middle of a write leaves it.
    let mut file = std::fs::OpenOptions::new().append(true).open(&audit).expect("open");
    file.write_all(br#"{"time":"2026-11-22T02:00:00Z","event":"apply-in"#).expect("torn line");
    drop(file);

    let next = apply(&fast_config).output().expect("next start");
    let stderr = String::from_utf8_lossy(&next.stderr);
    assert!(stderr.contains("line 3: incomplete record"), "the torn line is reported: {stderr}");
    assert!(stderr.contains("an interrupted change from an earlier run was re-checked"), "{stderr}");
    let read = AuditLog::read(&audit).expect("read");
    let recheck = read
        .records
        .iter()
        .find(|r| r.job.as_deref() == Some(killed_job.as_str()) && r.event == AuditEvent::Verification)
        .expect("the killed job got its verification record");
    // The demo organisation starts afresh in every process, so the bucket is open again: the re-check says so.
    assert_eq!(recheck.result, AuditResult::Unverified);
    assert!(recheck.message.contains("interrupted change"), "{}", recheck.message);
    assert_eq!(read.problems.len(), 1, "only the torn line: {:?}", read.problems);
}

#[test]
fn sigterm_lets_the_running_fix_finish_and_cancels_the_queued_one() {
    let home = tempfile::tempdir().expect("home");
    let example = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml"))
        .expect("example config");
    let config = home.path().join("config.toml");
    let one_at_a_time = example
        .replace("verify_first_delay_ms = 1000", "verify_first_delay_ms = 1500")
        .replace("max_parallel_jobs = 4", "max_parallel_jobs = 1");
    std::fs::write(&config, one_at_a_time).expect("config");
    let audit = home.path().join("audit.jsonl");
    let plan = hubtriage(home.path()).args(["--demo", "plan", "--format", "json"]).output().expect("plan");
    let entries: Vec<Value> = serde_json::from_slice(&plan.stdout).expect("plan JSON");
    let ids: Vec<String> = entries
        .iter()
        .filter(|e| e["verdict"] == "approve" && e["account_id"] == "567890123456" && e["control_id"] == "S3.8")
        .filter_map(|e| e["id"].as_str().map(String::from))
        .take(2)
        .collect();
    assert_eq!(ids.len(), 2);
    let mut cmd = hubtriage(home.path());
    cmd.args(["--demo", "--config"]).arg(&config).arg("--audit-log").arg(&audit).arg("apply");
    for id in &ids {
        cmd.args(["--finding", id]);
    }
    let child = cmd.arg("--yes").stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&audit).unwrap_or_default().contains("\"event\":\"apply-outcome\"") {
        assert!(Instant::now() < deadline, "the first fix never reached its outcome record");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let output = child.wait_with_output().expect("exits");

    assert_eq!(output.status.code(), Some(130), "{}", String::from_utf8_lossy(&output.stderr));
    let read = AuditLog::read(&audit).expect("read");
    assert!(read.problems.is_empty(), "{:?}", read.problems);
    let first = read.records[0].job.clone().expect("job");
    let verified = read.records.iter().any(|r| {
        r.job.as_deref() == Some(first.as_str())
            && r.event == AuditEvent::Verification
            && r.result == AuditResult::Verified
    });
    assert!(verified, "the running fix finished its verification");
    let cancelled =
        read.records.iter().filter(|r| r.event == AuditEvent::Refused && r.message.contains("stopping")).count();
    assert_eq!(cancelled, 1, "the queued fix was cancelled before any call");
    assert_eq!(read.records.iter().filter(|r| r.event == AuditEvent::ApplyIntent).count(), 1);
}
