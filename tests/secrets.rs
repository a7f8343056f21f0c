//! Secrets never leave in logs, output or error text: credentials from the environment, and user information in
//! `--endpoint-url`, even at the most verbose log level, on success and on failure.

mod support;

use assert_cmd::Command;
use support::moto::moto;

const ACCESS_KEY_ID: &str = "AKIAHUBTRIAGETEST0001";
const SECRET: &str = "wJalrXUtnFEMIsecretK7MDENGbPxRfiCY";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEHubtriageSessionToken";
const ENDPOINT_PASSWORD: &str = "hunter2-endpoint-password";

/// stdout, stderr and the log file of one run, with every secret set.
fn run_with_secrets(endpoint: &str, args: &[&str]) -> (String, i32) {
    let home = tempfile::tempdir().expect("home");
    let log = home.path().join("hubtriage.log");
    let output = Command::cargo_bin("hubtriage")
        .expect("binary")
        .env("HOME", home.path())
        .env("HUBTRIAGE_LOG", &log)
        .env("HUBTRIAGE_LOG_LEVEL", "trace")
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
        .env("AWS_REGION", "eu-west-1")
        .args(["--endpoint-url", endpoint])
        .args(args)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("runs");
    let everything = format!(
        "{}\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    (everything, output.status.code().unwrap_or(-1))
}

fn assert_no_secret(text: &str) {
    for secret in [ACCESS_KEY_ID, SECRET, SESSION_TOKEN, ENDPOINT_PASSWORD] {
        assert!(!text.contains(secret), "{secret} leaked:\n{}", text.chars().take(4000).collect::<String>());
    }
}

#[test]
fn a_session_against_the_emulator_leaks_no_credential_or_endpoint_password() {
    let server = moto();
    let endpoint = format!("http://admin:{ENDPOINT_PASSWORD}@127.0.0.1:{}", server.port);
    let (text, code) = run_with_secrets(
        &endpoint,
        &["--accounts", "222222222222", "--role-name", "Audit", "--regions", "eu-west-1", "plan"],
    );
    assert_eq!(code, 0, "{}", text.chars().take(2000).collect::<String>());
    assert!(text.contains("222222222222/eu-west-1"), "the session ran: {text}");
    assert_no_secret(&text);
}

#[test]
fn a_failed_connection_leaks_nothing_either() {
    let (text, code) = run_with_secrets(&format!("http://admin:{ENDPOINT_PASSWORD}@127.0.0.1:9"), &["plan"]);
    assert_eq!(code, 1);
    assert!(text.contains("connecting to AWS"), "{text}");
    assert_no_secret(&text);
}
