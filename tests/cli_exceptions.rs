//! `hubtriage exceptions list|add|remove` as scripts use them, on the demo organisation. Each `--demo` process starts
//! a fresh organisation, so listing is checked on the demo's own seeded exceptions, and add / remove on their
//! output and audit records (persistence within one process is tested in the engine).

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const STAGING: &str = "345678901234";
const PROD: &str = "210987654321";
const ARTIFACTS: &str = "arn:aws:s3:::platform-staging-artifacts-eu-west-1";

fn hubtriage(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("hubtriage").expect("binary");
    cmd.env("HUBTRIAGE_LOG", home.join("hubtriage.log")).env("HOME", home);
    cmd
}

/// How a run ended: exit code, stdout, stderr.
type Run = (Option<i32>, String, String);

/// Runs `hubtriage --demo --audit-log <home>/audit.jsonl <args>`.
fn demo(home: &Path, args: &[&str]) -> Run {
    let audit = home.join("audit.jsonl");
    let mut all = vec!["--demo", "--audit-log", audit.to_str().expect("path")];
    all.extend_from_slice(args);
    let output = hubtriage(home).args(&all).output().expect("runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (output.status.code(), text(&output.stdout), text(&output.stderr))
}

fn audit_events(home: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(home.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("audit line is JSON");
            (v["event"].as_str().unwrap_or("").to_string(), v["result"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

fn list_json(home: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["exceptions", "list", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = demo(home, &args);
    assert_eq!(code, Some(0), "{stderr}");
    serde_json::from_str(&stdout).expect("a JSON array")
}

fn by_resource<'a>(entries: &'a [Value], needle: &str) -> Option<&'a Value> {
    entries.iter().find(|e| e["resource_id"].as_str().is_some_and(|r| r.contains(needle)))
}

#[test]
fn list_shows_the_seeded_exceptions_with_days_left_and_status() {
    let home = tempfile::tempdir().expect("home");
    let (code, stdout, stderr) = demo(home.path(), &["exceptions", "list"]);
    assert_eq!(code, Some(0), "{stderr}");
    let header = stdout.lines().next().expect("header");
    for column in ["RESOURCE", "ACCOUNT", "REGION", "REASON", "OWNER", "EXPIRES", "DAYS LEFT", "STATUS"] {
        assert!(header.contains(column), "{header}");
    }
    let status_page = stdout.lines().find(|l| l.contains("payments-prod-status-page-eu-west-1")).expect("listed");
    assert!(status_page.contains(PROD) && status_page.contains(" 20  valid"), "{status_page}");
    assert!(stdout.contains("expired 12 days ago"), "{stdout}");
    assert!(stdout.contains("expiring soon"), "{stdout}");
    assert!(stdout.contains("invalid: "), "{stdout}");
    assert!(audit_events(home.path()).is_empty(), "listing changes nothing");
}

#[test]
fn list_json_has_the_fields_sorted_by_expiry() {
    let home = tempfile::tempdir().expect("home");
    let entries = list_json(home.path(), &[]);
    let page = by_resource(&entries, "payments-prod-status-page").expect("status page");
    assert_eq!(page["resource"], "payments-prod-status-page-eu-west-1");
    assert_eq!((page["account_id"].as_str(), page["region"].as_str()), (Some(PROD), Some("eu-west-1")));
    assert_eq!(page["days_left"], 20);
    assert_eq!(page["status"], "valid");
    assert_eq!(page["owner"], "web-platform@example.com");
    assert!(page["reason"].as_str().is_some_and(|r| r.contains("SEC-1423")) && page["expires"].is_string());
    let expired = by_resource(&entries, "legacy-exports").expect("expired one");
    assert_eq!((expired["status"].as_str(), expired["days_left"].as_i64()), (Some("expired"), Some(-12)));
    let invalid = by_resource(&entries, "shared-datasets").expect("unparsable one");
    assert_eq!(invalid["status"], "invalid");
    assert!(invalid["expires"].is_null() && invalid["problem"].is_string());
    assert_eq!(entries.last().map(|e| &e["status"]), Some(&Value::from("invalid")), "unreadable ones last");
    let days: Vec<i64> = entries.iter().filter_map(|e| e["days_left"].as_i64()).collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "{days:?}");
}

#[test]
fn expiring_filters_to_exceptions_ending_soon_expired_included() {
    let home = tempfile::tempdir().expect("home");
    let entries = list_json(home.path(), &["--expiring", "7"]);
    assert!(by_resource(&entries, "partner-exchange").is_some(), "ends in 3 days");
    assert!(by_resource(&entries, "legacy-exports").is_some(), "expired ones are included");
    assert!(by_resource(&entries, "status-page").is_none(), "20 days left");
    assert!(entries.iter().all(|e| e["status"] != "invalid" && e["days_left"].as_i64().is_some_and(|d| d <= 7)));
}

#[test]
fn add_tags_the_resource_audits_and_says_what_it_did() {
    let home = tempfile::tempdir().expect("home");
    let args = ["exceptions", "add", "--resource", ARTIFACTS, "--account", STAGING, "--region", "eu-west-1"];
    let (code, stdout, stderr) =
        demo(home.path(), &[&args[..], &["--reason", "vendor audit", "--expires", "30d", "--owner", "alice"]].concat());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with(&format!("exception added on {ARTIFACTS}: \"vendor audit\" until")), "{stdout}");
    assert!(stdout.contains("(30 days), owner alice") && stdout.contains("verified"), "{stdout}");
    let events = audit_events(home.path());
    assert_eq!(
        events,
        [("exception-intent".to_string(), "pending".to_string()), ("exception-outcome".into(), "ok".into())]
    );
}

#[test]
fn add_renews_an_existing_exception_and_remove_takes_it_away() {
    let home = tempfile::tempdir().expect("home");
    let (code, stdout, stderr) = demo(
        home.path(),
        &[
            "exceptions",
            "add",
            "--resource",
            "platform-staging-partner-exchange-eu-west-1",
            "--type",
            "AwsS3Bucket",
            "--account",
            STAGING,
            "--region",
            "eu-west-1",
            "--reason",
            "migration slipped (PLAT-901)",
            "--expires",
            "14d",
        ],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("exception renewed on") && stdout.contains("(was \"partner file exchange"), "{stdout}");

    let entries = list_json(home.path(), &[]);
    let group = by_resource(&entries, ":security-group/").expect("the excepted vendor SFTP group");
    let arn = group["resource_id"].as_str().expect("arn");
    let (account, region) = (group["account_id"].as_str().expect("a"), group["region"].as_str().expect("r"));
    let (code, stdout, stderr) =
        demo(home.path(), &["exceptions", "remove", "--resource", arn, "--account", account, "--region", region]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with(&format!("exception removed from {arn}: SecurityException")), "{stdout}");
}

#[test]
fn bad_input_exits_1_with_the_reason_and_changes_nothing() {
    let home = tempfile::tempdir().expect("home");
    let add = |resource: &str, extra: &[&str]| {
        let mut args = vec!["exceptions", "add", "--resource", resource, "--account", STAGING, "--region", "eu-west-1"];
        args.extend_from_slice(extra);
        demo(home.path(), &args)
    };
    let cases: Vec<(Run, &str)> = vec![
        (add(ARTIFACTS, &["--reason", " ", "--expires", "5d"]), "reason: an exception needs a reason"),
        (add(ARTIFACTS, &["--reason", "x", "--expires", "2020-01-01"]), "is in the past"),
        (add(ARTIFACTS, &["--reason", "x", "--expires", "400d"]), "beyond the maximum of 90 days"),
        (add(ARTIFACTS, &["--reason", "x", "--expires", "soonish"]), "expires: "),
        (
            add(&format!("AWS::::Account:{STAGING}"), &["--type", "AwsAccount", "--reason", "x", "--expires", "5d"]),
            "AwsAccount resources cannot carry tags",
        ),
        (add("some-bucket", &["--reason", "x", "--expires", "5d"]), "give --type"),
        (add("sg-0123", &["--type", "AwsEc2Instance", "--reason", "x", "--expires", "5d"]), "is a AwsEc2SecurityGroup"),
    ];
    for ((code, stdout, stderr), message) in cases {
        assert_eq!(code, Some(1), "{message}: {stdout} {stderr}");
        assert!(stderr.contains(message) && stderr.contains("nothing was changed"), "{message}: {stderr}");
    }
    let (code, _, stderr) =
        demo(home.path(), &["exceptions", "remove", "--resource", "sg-1", "--account", "12", "--region", "eu-west-1"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("--account \"12\": an AWS account id is 12 digits"), "{stderr}");
    assert!(audit_events(home.path()).is_empty(), "nothing was attempted");
}

#[test]
fn read_only_refuses_to_add() {
    let home = tempfile::tempdir().expect("home");
    let args = ["--read-only", "exceptions", "add", "--resource", ARTIFACTS, "--account", STAGING];
    let (code, stdout, stderr) =
        demo(home.path(), &[&args[..], &["--region", "eu-west-1", "--reason", "x", "--expires", "5d"]].concat());
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stderr.contains("read-only mode: no change was made"), "{stderr}");
    assert_eq!(audit_events(home.path()), [("refused".to_string(), "refused".to_string())]);
}

#[test]
fn offline_findings_cannot_hold_exceptions() {
    let home = tempfile::tempdir().expect("home");
    let file = home.path().join("findings.json");
    std::fs::write(&file, "[]").expect("write");
    let output = hubtriage(home.path())
        .args(["--findings", file.to_str().expect("path"), "exceptions", "list"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("need live access"));
}
