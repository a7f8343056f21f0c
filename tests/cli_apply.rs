//! `hubtriage apply` and `hubtriage iam-policy` as scripts use them, on the demo organisation.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn hubtriage(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("hubtriage").expect("binary");
    cmd.env("HUBTRIAGE_LOG", home.join("hubtriage.log")).env("HOME", home);
    cmd
}

/// The demo's findings with their live plans.
fn demo_plan(home: &Path) -> Vec<Value> {
    let output = hubtriage(home).args(["--demo", "plan", "--format", "json"]).output().expect("runs");
    serde_json::from_slice(&output.stdout).expect("JSON array")
}

/// A finding outside production (no change window) whose live plan a person may approve.
fn approvable(entries: &[Value]) -> &Value {
    entries
        .iter()
        .find(|e| {
            e["verdict"] == "approve"
                && e["account_id"] == "567890123456"
                && e["plan"]["basis"] == "live"
                && e["control_id"] == "S3.8"
        })
        .expect("an approvable S3.8 finding in the unclassified account")
}

fn audit_events(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("audit line is JSON")["event"].as_str().unwrap_or("").to_string()
        })
        .collect()
}

#[test]
fn without_yes_apply_prints_the_live_plan_and_changes_nothing() {
    let home = tempfile::tempdir().expect("home");
    let audit = home.path().join("audit.jsonl");
    let entries = demo_plan(home.path());
    let finding = approvable(&entries);
    let id = finding["id"].as_str().expect("id");

    let output = hubtriage(home.path())
        .args(["--demo", "--audit-log", audit.to_str().expect("path"), "apply", "--finding", id])
        .output()
        .expect("runs");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains(finding["plan"]["fingerprint"].as_str().expect("fingerprint")), "{stdout}");
    assert!(stdout.contains("cli:         aws s3api put-public-access-block"), "{stdout}");
    assert!(stdout.contains("rollback:"), "{stdout}");
    assert!(stderr.contains("dry run, nothing was changed"), "{stderr}");
    assert!(audit_events(&audit).is_empty(), "nothing audited: nothing was attempted");
}

#[test]
fn with_yes_apply_fixes_verifies_and_audits_and_exits_zero() {
    let home = tempfile::tempdir().expect("home");
    let audit = home.path().join("audit.jsonl");
    let entries = demo_plan(home.path());
    let id = approvable(&entries)["id"].as_str().expect("id").to_string();

    let output = hubtriage(home.path())
        .args(["--demo", "--audit-log", audit.to_str().expect("path"), "apply", "--finding", &id, "--yes"])
        .output()
        .expect("runs");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("1 of 1 job(s) verified"), "{stderr}");
    assert!(stderr.contains(": resolved"), "{stderr}");
    assert_eq!(audit_events(&audit), ["apply-intent", "apply-outcome", "verification", "finding-update"]);
}

#[test]
fn read_only_apply_refuses_and_exits_non_zero() {
    let home = tempfile::tempdir().expect("home");
    let audit = home.path().join("audit.jsonl");
    let entries = demo_plan(home.path());
    let id = approvable(&entries)["id"].as_str().expect("id").to_string();

    let output = hubtriage(home.path())
        .args([
            "--demo",
            "--read-only",
            "--audit-log",
            audit.to_str().expect("path"),
            "apply",
            "--finding",
            &id,
            "--yes",
        ])
        .output()
        .expect("runs");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("refused: read-only mode"), "{stderr}");
    assert_eq!(audit_events(&audit), ["refused"]);
}

#[test]
fn unknown_and_unfixable_findings_are_named_and_make_the_exit_non_zero() {
    let home = tempfile::tempdir().expect("home");
    let entries = demo_plan(home.path());
    let manual = entries.iter().find(|e| e["verdict"] == "manual").expect("a manual finding");
    let id = manual["id"].as_str().expect("id");

    let output = hubtriage(home.path())
        .args(["--demo", "apply", "--finding", id, "--finding", "no-such-finding", "--yes"])
        .output()
        .expect("runs");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("finding no-such-finding not found"), "{stderr}");
    assert!(stdout.contains("skipped: verdict manual"), "{stdout}");
}

#[test]
fn iam_policy_grants_each_playbook_its_calls_and_nothing_that_deletes_data() {
    let home = tempfile::tempdir().expect("home");
    let output = hubtriage(home.path()).args(["--demo", "iam-policy"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&output.stdout).expect("policy JSON");
    let statements = doc["Statement"].as_array().expect("statements");
    let actions: Vec<&str> = statements
        .iter()
        .flat_map(|s| s["Action"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    for needed in [
        "securityhub:GetFindings",
        "securityhub:BatchUpdateFindings",
        "ec2:RevokeSecurityGroupIngress",
        "s3:PutBucketPublicAccessBlock",
        "ec2:ModifyInstanceMetadataOptions",
        "sns:Publish",
    ] {
        assert!(actions.contains(&needed), "{needed} missing from {actions:?}");
    }
    for forbidden in ["s3:DeleteBucket", "s3:DeleteObject", "ec2:TerminateInstances", "*"] {
        assert!(!actions.contains(&forbidden), "{forbidden} granted");
    }
}

#[test]
fn the_demos_fixes_never_reach_the_users_audit_log_and_its_own_is_removed_at_the_end() {
    let home = tempfile::tempdir().expect("home");
    let temp = tempfile::tempdir().expect("the run's temporary directory");
    let entries = demo_plan(home.path());
    let id = approvable(&entries)["id"].as_str().expect("id").to_string();

    let output = hubtriage(home.path())
        .env("TMPDIR", temp.path())
        .args(["--demo", "apply", "--finding", &id, "--yes"])
        .output()
        .expect("runs");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    // A fix is applied only once its record is written: the demo's own log took it.
    assert!(stderr.contains("1 of 1 job(s) verified"), "{stderr}");
    let users_log = home.path().join(".local/share/hubtriage/audit.jsonl");
    assert!(!users_log.exists(), "the simulated fix was written to {}", users_log.display());
    let left: Vec<_> = std::fs::read_dir(temp.path()).expect("temp dir").flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "the demo left {left:?} in the temporary directory");
}
