//! Approval requests through the real binary on moto, kept in a DynamoDB coordination table: in a prod account the
//! requester cannot approve their own request; another role session can, and its approval carries the plan out;
//! a request nobody answers in time expires and its finding shows `manual` with a note saying so.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use std::time::Duration;
use support::asff::s3_8_asff;
use support::http::Keys;
use support::moto::moto;

const REGION: &str = "eu-west-1";
const ROLE: &str = "HubtriageRemediation";
const TABLE: &str = "hubtriage-approvals-test";

fn config_for(account: &str, ttl: &str) -> String {
    format!(
        "[[policy.rules]]\nname = \"s3-by-approval\"\nverdict = \"approve\"\ncontrols = [\"S3.*\"]\n\n\
         [accounts.\"{account}\"]\nclass = \"prod\"\n\n[review]\napproval_ttl = \"{ttl}\"\n"
    )
}

/// hubtriage as the identity of `keys` (an assumed-role session), with the coordination table.
fn as_identity(
    endpoint: &str,
    dir: &tempfile::TempDir,
    config: &str,
    account: &str,
    keys: &Keys,
) -> assert_cmd::Command {
    let mut cmd = support::binary::hubtriage(endpoint, dir, config, Duration::from_secs(180));
    cmd.env("AWS_ACCESS_KEY_ID", &keys.access_key)
        .env("AWS_SECRET_ACCESS_KEY", &keys.secret_key)
        .env("AWS_SESSION_TOKEN", keys.session_token.as_deref().unwrap())
        .args(["--accounts", account, "--regions", REGION, "--role-name", ROLE, "--lock-table", TABLE])
        .args(["--audit-log", dir.path().join("audit.jsonl").to_str().unwrap()]);
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn has_public_access_block(s3: &aws_sdk_s3::Client, bucket: &str) -> bool {
    s3.get_public_access_block().bucket(bucket).send().await.is_ok()
}

#[test]
fn a_prod_request_needs_a_second_identity_and_an_unanswered_one_expires_to_manual() {
    let server = moto();
    let endpoint = server.endpoint();
    let account = "636363636363";
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(support::leases::create_lease_table(&endpoint, TABLE));
    let (approved_bucket, expiring_bucket) = ("approval-approved", "approval-expiring");
    let s3 = runtime.block_on(async {
        support::s3::new_bucket(&endpoint, account, REGION, approved_bucket).await;
        support::s3::new_bucket(&endpoint, account, REGION, expiring_bucket).await
    });
    let ids = support::seed::import_findings(
        server.port,
        "HubtriageTest",
        account,
        REGION,
        &[
            s3_8_asff(account, REGION, approved_bucket, "approved"),
            s3_8_asff(account, REGION, expiring_bucket, "expiring"),
        ],
    );
    let alice = support::seed::assume_as(server.port, "123456789012", "Triage", "alice");
    let bob = support::seed::assume_as(server.port, "123456789012", "Triage", "bob");
    let dir = tempfile::tempdir().unwrap();
    let config = config_for(account, "24h");
    let run =
        |keys: &Keys, args: &[&str]| as_identity(&endpoint, &dir, &config, account, keys).args(args).output().unwrap();

    let out = run(&alice, &["approvals", "request", "--finding", &ids[0], "--note", "public bucket, customer data"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let request = stdout.split_whitespace().next().unwrap().to_string();
    assert!(request.starts_with("apr-") && stdout.contains("another identity"), "{stdout}");

    let out = run(&alice, &["approvals", "approve", &request]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("another identity than the requester's"), "{}", text(&out.stderr));
    assert!(!runtime.block_on(has_public_access_block(&s3, approved_bucket)), "nothing was applied");

    let out = run(&bob, &["approvals", "approve", &request]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("approved by arn:aws:sts::123456789012:assumed-role/Triage/bob"), "{stdout}");
    assert!(runtime.block_on(has_public_access_block(&s3, approved_bucket)), "carried out: {stdout}");
    let out = run(&bob, &["approvals", "list", "--all", "--format", "json"]);
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let entry = listed.as_array().unwrap().iter().find(|r| r["id"] == request.as_str()).unwrap();
    assert_eq!(entry["status"], "applied", "{entry:#}");
    assert!(entry["requested_by"].as_str().unwrap().ends_with("/alice"), "{entry:#}");

    // A request nobody answers within approval_ttl expires, and the finding is handed back as manual work.
    let short = config_for(account, "2s");
    let out = as_identity(&endpoint, &dir, &short, account, &alice)
        .args(["approvals", "request", "--finding", &ids[1]])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let expiring = text(&out.stdout).split_whitespace().next().unwrap().to_string();
    std::thread::sleep(Duration::from_secs(3));
    let out = as_identity(&endpoint, &dir, &short, account, &bob).args(["plan", "--format", "json"]).output().unwrap();
    let plans: Value = serde_json::from_slice(&out.stdout).unwrap();
    let handed_back = plans.as_array().unwrap().iter().find(|p| p["id"] == ids[1].as_str()).unwrap();
    assert_eq!(handed_back["verdict"], "manual", "{handed_back:#}");
    let reason = handed_back["reason"].as_str().unwrap();
    assert!(reason.contains(&expiring) && reason.contains("expired unanswered"), "{reason}");
    let out =
        as_identity(&endpoint, &dir, &short, account, &bob).args(["approvals", "approve", &expiring]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("expired"), "{}", text(&out.stderr));
    assert!(!runtime.block_on(has_public_access_block(&s3, expiring_bucket)));
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    let events: Vec<String> = audit
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["event"].as_str().unwrap().to_string())
        .filter(|e| e.starts_with("approval-"))
        .collect();
    assert_eq!(
        events,
        ["approval-requested", "approval-approved", "approval-requested", "approval-expired"],
        "each step audited once"
    );
}
