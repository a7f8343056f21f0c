//! Headless commands against moto with a notification topic that does not exist (SNS Publish answers NotFound):
//! `apply --yes`, `exceptions add` and `exceptions remove` still do their work and keep their exit status, and each
//! says on stderr that its notification was not sent, naming the topic and the cause.
#![allow(clippy::unwrap_used)]

mod support;

use assert_cmd::Command;
use serde_json::json;
use std::path::Path;
use std::time::Duration;
use support::asff::s3_8_asff;
use support::http::aws_call;
use support::moto::moto;
use support::s3::new_bucket;
use support::sdk::{run, ROLE};
use support::seed::assume;

const ACCOUNT: &str = "222222222222";
const REGION: &str = "eu-west-1";
const MISSING_TOPIC: &str = "arn:aws:sns:eu-west-1:222222222222:hubtriage-no-such-topic";

/// The binary, hermetic (fake keys, no profile files), with a config naming the missing topic.
fn hubtriage(endpoint: &str, dir: &Path) -> Command {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[notify]\ntopic_arn = \"{MISSING_TOPIC}\"\n\n[remediation]\nverify_first_delay_ms = 100\n\
             verify_max_delay_ms = 400\ndrift_check_seconds = 0\n"
        ),
    )
    .unwrap();
    let mut cmd = Command::cargo_bin("hubtriage").unwrap();
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", dir.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("aws-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HUBTRIAGE_LOG", dir.join("hubtriage.log"))
        .args(["--config", config.to_str().unwrap(), "--endpoint-url", endpoint])
        .args(["--accounts", ACCOUNT, "--regions", REGION, "--role-name", ROLE])
        .arg("--audit-log")
        .arg(dir.join("audit.jsonl"))
        .timeout(Duration::from_secs(180));
    cmd
}

/// Runs the binary: (exit status, stdout, stderr).
fn output(cmd: &mut Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The line that says the notification was not sent, with its cause.
fn assert_not_sent(stderr: &str) {
    let prefix = format!("hubtriage: notification not sent: {MISSING_TOPIC}: ");
    let line = stderr.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no {prefix:?} in:\n{stderr}"));
    assert!(line.contains("not found"), "the cause is said: {line}");
}

/// Audit events with their result.
fn audited(dir: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(dir.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|r| (r["event"].as_str().unwrap_or("").to_string(), r["result"].as_str().unwrap_or("").to_string()))
        .collect()
}

#[test]
fn a_failed_notification_is_said_on_stderr_and_the_work_still_counts() {
    let server = moto();
    let endpoint = server.endpoint();
    let bucket = "hubtriage-notify-failed";
    let e = endpoint.clone();
    run(async move {
        new_bucket(&e, ACCOUNT, REGION, bucket).await;
    });
    // The S3.8 finding on that bucket, as Security Hub reports it.
    let keys = assume(server.port, ACCOUNT, ROLE);
    let enabled = aws_call(server.port, &keys, ("securityhub", REGION), "POST", "/accounts", "application/json", b"{}");
    assert!(enabled.status == 200 || enabled.body.contains("ResourceConflict"), "{}", enabled.body);
    let finding = s3_8_asff(ACCOUNT, REGION, bucket, "notify-failed");
    let id = finding["Id"].as_str().unwrap().to_string();
    let body = serde_json::to_vec(&json!({ "Findings": [finding] })).unwrap();
    let imported =
        aws_call(server.port, &keys, ("securityhub", REGION), "POST", "/findings/import", "application/json", &body);
    assert_eq!(imported.status, 200, "{}", imported.body);

    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = output(hubtriage(&endpoint, dir.path()).args(["apply", "--finding", &id, "--yes"]));
    assert!(stderr.contains("1 of 1 job(s) verified"), "the fix verified:\nstdout:\n{stdout}\nstderr:\n{stderr}");
    assert_not_sent(&stderr);
    assert_eq!(code, Some(0), "a verified fix still counts; the failed notification is said, not fatal:\n{stderr}");
    assert!(audited(dir.path()).contains(&("notification".into(), "failed".into())), "{:?}", audited(dir.path()));

    let target = ["--resource", &format!("arn:aws:s3:::{bucket}"), "--account", ACCOUNT, "--region", REGION];
    let (code, stdout, stderr) =
        output(hubtriage(&endpoint, dir.path()).args(["exceptions", "add"]).args(target).args([
            "--reason",
            "partner upload bucket (SEC-1)",
            "--expires",
            "5d",
        ]));
    assert!(stdout.contains("verified by re-reading the tags"), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_not_sent(&stderr);
    assert_eq!(code, Some(0), "{stderr}");

    let (code, stdout, stderr) = output(hubtriage(&endpoint, dir.path()).args(["exceptions", "remove"]).args(target));
    assert!(stdout.contains("verified by re-reading the tags"), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_not_sent(&stderr);
    assert_eq!(code, Some(0), "{stderr}");
}
