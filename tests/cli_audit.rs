//! `hubtriage audit verify` on audit logs hubtriage itself wrote (a fix applied on the demo organisation), and the
//! modes of the files hubtriage writes.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn hubtriage(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("hubtriage").expect("binary");
    cmd.env("HOME", home).env_remove("XDG_DATA_HOME").env_remove("XDG_CONFIG_HOME");
    cmd
}

/// Applies one approvable fix on the demo organisation; the audit log goes to `audit`.
fn apply_a_fix(home: &Path, audit: Option<&Path>) {
    let log = home.join("hubtriage.log");
    let plan = hubtriage(home).env("HUBTRIAGE_LOG", &log).args(["--demo", "plan", "--format", "json"]).output();
    let entries: Vec<Value> = serde_json::from_slice(&plan.expect("plan").stdout).expect("plan JSON");
    let id = entries
        .iter()
        .find(|e| e["verdict"] == "approve" && e["account_id"] == "567890123456" && e["control_id"] == "S3.8")
        .and_then(|e| e["id"].as_str())
        .expect("an approvable finding");
    let mut cmd = hubtriage(home);
    if let Some(audit) = audit {
        cmd.env("HUBTRIAGE_LOG", &log).arg("--audit-log").arg(audit);
    }
    let output = cmd.args(["--demo", "apply", "--finding", id, "--yes"]).output().expect("apply");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}

/// Runs `audit verify --audit-log PATH`: exit status, stdout, stderr.
fn verify(home: &Path, audit: &Path) -> (Option<i32>, String, String) {
    let output = hubtriage(home)
        .env("HUBTRIAGE_LOG", home.join("hubtriage.log"))
        .args(["audit", "verify", "--audit-log"])
        .arg(audit)
        .output()
        .expect("verify");
    let text = |b: &[u8]| String::from_utf8_lossy(b).to_string();
    (output.status.code(), text(&output.stdout), text(&output.stderr))
}

#[test]
fn a_real_log_verifies_and_a_byte_changed_in_its_middle_is_named_by_line() {
    let home = tempfile::tempdir().expect("home");
    let audit = home.path().join("audit.jsonl");
    apply_a_fix(home.path(), Some(&audit));

    let (code, stdout, stderr) = verify(home.path(), &audit);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("the chain holds"), "{stdout}");

    let text = std::fs::read_to_string(&audit).expect("log");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    assert!(lines.len() >= 3, "a fix writes several records: {text}");
    let middle = lines.len() / 2;
    let at = lines[middle].find("\"message\":\"").expect("a message") + "\"message\":\"".len();
    let mut bytes = lines[middle].clone().into_bytes();
    bytes[at] = if bytes[at] == b'Z' { b'Y' } else { b'Z' };
    lines[middle] = String::from_utf8(bytes).expect("utf-8");
    std::fs::write(&audit, format!("{}\n", lines.join("\n"))).expect("tamper");

    let (code, stdout, _) = verify(home.path(), &audit);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("the chain does not hold"), "{stdout}");
    assert!(stdout.contains(&format!("line {}: changed:", middle + 1)), "{stdout}");
}

#[test]
fn a_torn_last_line_fails_verification_as_torn_and_a_missing_log_is_an_error() {
    let home = tempfile::tempdir().expect("home");
    let audit = home.path().join("audit.jsonl");
    apply_a_fix(home.path(), Some(&audit));
    let mut text = std::fs::read_to_string(&audit).expect("log");
    let whole = text.lines().count();
    text.push_str(r#"{"seq":99,"prev":"ab","time":"2026-11-22T02:00:00Z","event":"apply-in"#);
    std::fs::write(&audit, text).expect("torn");

    let (code, stdout, _) = verify(home.path(), &audit);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains(&format!("line {}: torn:", whole + 1)), "{stdout}");
    assert!(!stdout.contains(": changed:"), "a torn line is not called changed: {stdout}");

    let (code, _, stderr) = verify(home.path(), &home.path().join("nowhere.jsonl"));
    assert_eq!(code, Some(1));
    assert!(stderr.contains("cannot verify") && stderr.contains("nowhere.jsonl"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn the_files_hubtriage_writes_are_0600_in_a_0700_data_directory() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())).permissions().mode();
    let home = tempfile::tempdir().expect("home");
    let data = home.path().join(".local/share/hubtriage");
    // The demo keeps its audit log apart unless told where: here, the default place of a real one.
    let entries: Vec<Value> = serde_json::from_slice(
        &hubtriage(home.path()).args(["--demo", "plan", "--format", "json"]).output().expect("plan").stdout,
    )
    .expect("plan JSON");
    let id = entries
        .iter()
        .find(|e| e["verdict"] == "approve" && e["account_id"] == "567890123456" && e["control_id"] == "S3.8")
        .and_then(|e| e["id"].as_str())
        .expect("an approvable finding");
    let output = hubtriage(home.path())
        .arg("--audit-log")
        .arg(data.join("audit.jsonl"))
        .args(["--demo", "apply", "--finding", id, "--yes"])
        .output()
        .expect("apply");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));

    assert_eq!(mode(&data) & 0o777, 0o700, "the data directory");
    assert_eq!(mode(&data.join("audit.jsonl")) & 0o777, 0o600, "the audit log");
    assert_eq!(mode(&data.join("hubtriage.log")) & 0o777, 0o600, "the log file");

    // Without --audit-log, `audit verify` checks the log in its default place.
    let output = hubtriage(home.path()).args(["audit", "verify"]).output().expect("verify");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(&data.join("audit.jsonl").display().to_string()), "{stdout}");
}
