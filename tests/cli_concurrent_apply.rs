//! Two `hubtriage apply --yes` processes started at once on the same ten S3.8 findings, with one audit log, through
//! the real binary on moto: every bucket is changed exactly once (PutPublicAccessBlock counted as it crosses a
//! proxy, which slows it so the two processes overlap), the process that comes second records a no-op or a refusal
//! naming the holder — never a failure —, and every job id is distinct. Once with a DynamoDB lease table
//! (`--lock-table`), once with the lock files of the data dir.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::asff::s3_8_asff;
use support::moto::moto;
use support::proxy::{is_bucket_call, Fault};
use support::s3::new_bucket;

const REGION: &str = "eu-west-1";
const ROLE: &str = "HubtriageRemediation";
const BUCKETS: usize = 10;

fn bucket(prefix: &str, i: usize) -> String {
    format!("{prefix}-concurrent-{i}")
}

/// The outcome of one process.
struct Run {
    code: Option<i32>,
    stderr: String,
}

/// Runs two `apply --yes` at once in one home (data dir) and one audit log; returns both runs, the audit records
/// and the PutPublicAccessBlock calls per bucket.
fn race(account: &str, prefix: &str, lock_table: Option<&str>) -> (Vec<Run>, Vec<Value>, BTreeMap<String, usize>) {
    let server = moto();
    let endpoint = server.endpoint();
    let names: Vec<String> = (0..BUCKETS).map(|i| bucket(prefix, i)).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    for name in &names {
        runtime.block_on(new_bucket(&endpoint, account, REGION, name));
    }
    if let Some(table) = lock_table {
        runtime.block_on(support::leases::create_lease_table(&endpoint, table));
    }
    let findings: Vec<Value> =
        names.iter().enumerate().map(|(i, b)| s3_8_asff(account, REGION, b, &format!("{prefix}-{i}"))).collect();
    let ids = support::seed::import_findings(server.port, "HubtriageTest", account, REGION, &findings);

    let puts: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    let (seen, watched) = (puts.clone(), names.clone());
    let proxy = support::proxy::start(
        server.port,
        Arc::new(move |req| {
            let put = req.head.starts_with("PUT ") && req.head.contains("publicAccessBlock");
            let name = watched.iter().find(|b| is_bucket_call(req, b))?;
            if !put {
                return None;
            }
            *seen.lock().unwrap().entry(name.clone()).or_default() += 1;
            // Slow enough that the other process, without a lease, would re-read the bucket before this lands.
            Some(Fault::slow(Duration::from_millis(400)))
        }),
    );

    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let config = "[[policy.rules]]\nname = \"fix-s3\"\nverdict = \"approve\"\ncontrols = [\"S3.*\"]\n";
    let commands: Vec<_> = (0..2)
        .map(|_| {
            let mut cmd = support::binary::hubtriage(&proxy.endpoint(), &dir, config, Duration::from_secs(180));
            cmd.args(["--accounts", account, "--regions", REGION, "--role-name", ROLE])
                .args(["--audit-log", audit.to_str().unwrap()]);
            if let Some(table) = lock_table {
                cmd.args(["--lock-table", table]);
            }
            cmd.arg("apply");
            for id in &ids {
                cmd.args(["--finding", id]);
            }
            cmd.arg("--yes");
            cmd
        })
        .collect();
    let runs: Vec<Run> = std::thread::scope(|scope| {
        let handles: Vec<_> = commands
            .into_iter()
            .map(|mut cmd| {
                scope.spawn(move || {
                    let output = cmd.output().unwrap();
                    Run { code: output.status.code(), stderr: String::from_utf8_lossy(&output.stderr).into_owned() }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let records: Vec<Value> =
        std::fs::read_to_string(&audit).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let puts = puts.lock().unwrap().clone();
    (runs, records, puts)
}

fn check(prefix: &str, runs: &[Run], records: &[Value], puts: &BTreeMap<String, usize>) {
    let all = || runs.iter().map(|r| r.stderr.as_str()).collect::<Vec<_>>().join("\n----\n");
    for i in 0..BUCKETS {
        let name = bucket(prefix, i);
        assert_eq!(puts.get(&name), Some(&1), "{name} changed {:?} times; stderr:\n{}", puts.get(&name), all());
    }
    for run in runs {
        assert!(matches!(run.code, Some(0 | 2)), "exit {:?}: {}", run.code, run.stderr);
    }
    let failed: Vec<&Value> =
        records.iter().filter(|r| r["result"] == "failed" || r["result"] == "unverified").collect();
    assert!(failed.is_empty(), "failures recorded: {failed:#?}");

    // Each bucket: one intent, one verified fix; every other job on it a no-op or a refusal naming the holder.
    let intents: Vec<&Value> = records.iter().filter(|r| r["event"] == "apply-intent").collect();
    assert_eq!(intents.len(), BUCKETS, "one intent per bucket: {intents:#?}");
    let intent_jobs: BTreeSet<&str> = intents.iter().map(|r| r["job"].as_str().unwrap()).collect();
    assert_eq!(intent_jobs.len(), BUCKETS, "a job id was used twice: {intent_jobs:?}");
    for record in records.iter().filter(|r| r["event"] == "no-op") {
        assert!(record["message"].as_str().unwrap().contains("already in the desired state"), "{record:#}");
        assert_eq!(record["result"], "verified");
    }
    for record in records.iter().filter(|r| r["event"] == "refused") {
        let message = record["message"].as_str().unwrap();
        assert!(message.contains("is being changed by") && message.contains(" apply, job "), "{message}");
    }
    // Two processes, each with its own job ids: no id is shared between them.
    let sessions: BTreeSet<String> = records
        .iter()
        .filter_map(|r| r["job"].as_str())
        .map(|job| job.rsplit_once('-').map(|(session, _)| session.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(sessions.len(), 2, "two runs, two sets of job ids: {sessions:?}");
    let per_session_jobs: BTreeSet<(String, String)> = records
        .iter()
        .filter(|r| matches!(r["event"].as_str(), Some("apply-intent" | "no-op" | "refused")))
        .map(|r| (r["job"].as_str().unwrap().to_string(), r["resource"].as_str().unwrap().to_string()))
        .collect();
    let jobs: BTreeSet<&String> = per_session_jobs.iter().map(|(job, _)| job).collect();
    assert_eq!(jobs.len(), per_session_jobs.len(), "one job id named two resources: {per_session_jobs:#?}");
}

#[test]
fn two_applies_at_once_with_lock_files_change_each_bucket_once() {
    let (runs, records, puts) = race("444444444444", "lockfile", None);
    check("lockfile", &runs, &records, &puts);
}

#[test]
fn two_applies_at_once_with_a_dynamodb_lock_table_change_each_bucket_once() {
    let server = moto();
    let (runs, records, puts) = race("555555555555", "dynamo", Some("hubtriage-leases"));
    check("dynamo", &runs, &records, &puts);
    // The leases were taken in the table (not in the data dir), and each was released with its job's outcome.
    let endpoint = server.endpoint();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let items = runtime.block_on(async {
        let client = aws_sdk_dynamodb::Client::new(&support::sdk::base_config(&endpoint));
        client.scan().table_name("hubtriage-leases").send().await.unwrap().items().to_vec()
    });
    let released: BTreeSet<String> = items
        .iter()
        .filter(|item| item.contains_key("outcome"))
        .filter_map(|item| item.get("resource").and_then(|r| r.as_s().ok()).cloned())
        .collect();
    assert_eq!(released.len(), BUCKETS, "one released lease per bucket in the table: {items:#?}");
}
