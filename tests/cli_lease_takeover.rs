//! A process killed (SIGKILL) in the middle of a fix, with a DynamoDB lease table, through the real binary on moto:
//! its lease outlives it, so another `apply` started at once is refused and names it; once the lease has expired, the
//! next `apply` takes it over, re-checks the dead process's change (it never landed: its call was stalled) in that
//! process's own job, re-reads the bucket and completes the fix. The bucket is changed once.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::asff::s3_8_asff;
use support::moto::moto;
use support::proxy::{is_bucket_call, Fault};
use support::s3::new_bucket;

const ACCOUNT: &str = "666666666666";
const REGION: &str = "eu-west-1";
const BUCKET: &str = "takeover-after-sigkill";
const TABLE: &str = "takeover-leases";

fn records(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap_or_default().lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

#[test]
fn a_killed_fixers_lease_refuses_others_until_it_expires_then_the_next_one_rechecks_and_completes_the_fix() {
    let server = moto();
    let endpoint = server.endpoint();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let s3 = runtime.block_on(new_bucket(&endpoint, ACCOUNT, REGION, BUCKET));
    let dynamodb = aws_sdk_dynamodb::Client::new(&support::sdk::base_config(&endpoint));
    runtime.block_on(support::leases::create_lease_table(&endpoint, TABLE));
    let ids = support::seed::import_findings(
        server.port,
        "HubtriageTest",
        ACCOUNT,
        REGION,
        &[s3_8_asff(ACCOUNT, REGION, BUCKET, "takeover")],
    );
    // The first PutPublicAccessBlock is held, then the connection dropped: it never lands. Later ones pass.
    let puts = Arc::new(AtomicUsize::new(0));
    let seen = puts.clone();
    let proxy = support::proxy::start(
        server.port,
        Arc::new(move |req| {
            let put = req.head.starts_with("PUT ") && req.head.contains("publicAccessBlock");
            if !(put && is_bucket_call(req, BUCKET)) {
                return None;
            }
            (seen.fetch_add(1, Ordering::SeqCst) == 0).then(|| Fault::stall(Duration::from_secs(30)))
        }),
    );
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let config = "[[policy.rules]]\nname = \"fix-s3\"\nverdict = \"approve\"\ncontrols = [\"S3.*\"]\n\
                  [coordination]\nlease_seconds = 6\n";
    let apply = || {
        let mut cmd = support::binary::hubtriage_process(&proxy.endpoint(), &dir, config);
        cmd.args(["--accounts", ACCOUNT, "--regions", REGION, "--role-name", "HubtriageRemediation"])
            .args(["--audit-log", audit.to_str().unwrap(), "--lock-table", TABLE])
            .args(["apply", "--finding", &ids[0], "--yes"]);
        cmd
    };

    // The first fixer writes its intent, makes its call (held by the proxy) and is killed.
    let mut first = apply().stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while puts.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "the first fixer never made its call: {:#?}", records(&audit));
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let dead_job = records(&audit)
        .iter()
        .find(|r| r["event"] == "apply-intent")
        .and_then(|r| r["job"].as_str().map(String::from))
        .expect("the killed job's intent");

    // At once: its lease has not expired, so the next apply changes nothing and names it.
    let second = apply().output().unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("apply, job {dead_job}) since")) && stderr.contains("refused"), "{stderr}");
    assert_eq!(puts.load(Ordering::SeqCst), 1, "no call while the dead process's lease holds");

    // Once it has expired, the next apply takes it over.
    let key = format!("{ACCOUNT}/{REGION}/arn:aws:s3:::{BUCKET}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let item = runtime.block_on(async {
            let key = aws_sdk_dynamodb::types::AttributeValue::S(key.clone());
            dynamodb.get_item().table_name(TABLE).key("resource", key).consistent_read(true).send().await.unwrap()
        });
        let expires: i64 = item.item().unwrap()["expires_at"].as_n().unwrap().parse().unwrap();
        if expires < chrono::Utc::now().timestamp() {
            break;
        }
        assert!(Instant::now() < deadline, "the dead process's lease never expired");
        std::thread::sleep(Duration::from_millis(200));
    }
    let third = apply().output().unwrap();
    let stderr = String::from_utf8_lossy(&third.stderr);
    assert_eq!(third.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("an interrupted change from an earlier run was re-checked"), "{stderr}");

    let all = records(&audit);
    let recheck = all
        .iter()
        .find(|r| r["event"] == "verification" && r["job"] == dead_job.as_str())
        .expect("the dead job was re-checked in its own job");
    assert_eq!(recheck["result"], "unverified", "its call never landed: {recheck:#}");
    let fixed: Vec<&Value> = all.iter().filter(|r| r["event"] == "verification" && r["result"] == "verified").collect();
    assert_eq!(fixed.len(), 1, "the third apply completed the fix: {all:#?}");
    assert_ne!(fixed[0]["job"], dead_job.as_str());
    assert_eq!(puts.load(Ordering::SeqCst), 2, "one stalled call, one that landed");
    let block = runtime.block_on(s3.get_public_access_block().bucket(BUCKET).send()).unwrap();
    assert_eq!(block.public_access_block_configuration().and_then(|c| c.block_public_acls()), Some(true));
}
