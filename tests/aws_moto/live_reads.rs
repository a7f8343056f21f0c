//! Live plans against moto, counted at a proxy: findings about one bucket share one set of S3 reads, reads start
//! while a slow source is still paging, and S3 throttling is retried without losing a finding's live plan.

use super::support::asff::s3_8_asff;
use super::support::moto::moto;
use super::support::proxy::{self, Fault};
use super::support::seed::import_findings;
use super::ROLE;
use hubtriage::cli::collect::{collect, Collected};
use hubtriage::playbook::Basis;
use hubtriage::triage::PlanStatus;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a test sets up: in `account`/`region`, these buckets, and these findings (S3.8, bucket `n % buckets`).
struct Setup {
    account: &'static str,
    region: &'static str,
    buckets: Vec<String>,
    findings: usize,
}

impl Setup {
    /// Creates the buckets and imports the findings straight into moto, then collects through `rule`'s proxy as a
    /// headless command does.
    fn collect_through(self, rule: Arc<proxy::Rule>) -> Collected {
        let server = moto();
        let port = server.port;
        let fault = proxy::start(port, rule);
        let (endpoint, through) = (server.endpoint(), fault.endpoint());
        super::support::sdk::run(async move {
            let Setup { account, region, buckets, findings } = self;
            for bucket in &buckets {
                super::support::s3::new_bucket(&endpoint, account, region, bucket).await;
            }
            let findings: Vec<Value> = (0..findings)
                .map(|n| s3_8_asff(account, region, &buckets[n % buckets.len()], &format!("{}-{n:04}", buckets[0])))
                .collect();
            tokio::task::spawn_blocking(move || import_findings(port, ROLE, account, region, &findings)).await.unwrap();
            let backend = super::support::sdk::backend(&through, &[account], &[region]).await;
            let triage = hubtriage::session::triage(&hubtriage::config::Config::default()).unwrap();
            collect(&backend, &triage).await
        })
    }
}

/// Every row has its live plan and no error.
fn assert_all_live(collected: &Collected, findings: usize) {
    assert_eq!(collected.rows.len(), findings);
    for (row, error) in collected.rows.iter().zip(&collected.live_errors) {
        assert_eq!(error, &None, "{}", row.finding.id);
        match row.plan() {
            PlanStatus::Planned(plan) => assert_eq!(plan.basis, Basis::Live, "{}", row.finding.id),
            other => panic!("{}: {other:?}", row.finding.id),
        }
    }
}

/// The request line of calls on any of `buckets`, in the order the proxy received them, into `log`.
fn log_bucket_calls(buckets: &[&str], req: &super::support::http::IncomingRequest, log: &Mutex<Vec<String>>) -> bool {
    let hit = buckets.iter().any(|b| proxy::is_bucket_call(req, b));
    if hit {
        log.lock().unwrap().push(req.head.lines().next().unwrap_or_default().to_string());
    }
    hit
}

#[test]
fn findings_about_one_bucket_share_one_set_of_s3_reads_and_each_gets_its_live_plan() {
    let bucket = "hubtriage-shared-reads";
    let calls = Arc::new(Mutex::new(Vec::new()));
    let log = calls.clone();
    let setup = Setup { account: "818181818181", region: "eu-west-1", buckets: vec![bucket.into()], findings: 5 };
    let collected = setup.collect_through(Arc::new(move |req| {
        log_bucket_calls(&[bucket], req, &log);
        None
    }));
    assert_all_live(&collected, 5);
    let calls = calls.lock().unwrap().clone();
    // One GetPublicAccessBlock, GetBucketEncryption, GetBucketPolicy and GetBucketTagging for all five findings.
    assert_eq!(calls.len(), 4, "{calls:#?}");
    for setting in ["publicAccessBlock", "encryption", "policy", "tagging"] {
        assert_eq!(calls.iter().filter(|c| c.contains(&format!("?{setting}"))).count(), 1, "{setting}: {calls:#?}");
    }
    let live = collected.live.expect("read live");
    assert_eq!((live.findings, live.resources), (5, 1));
}

#[test]
fn live_reads_start_before_the_last_page_of_a_slow_source_arrives() {
    let buckets = ["hubtriage-paged-a", "hubtriage-paged-b", "hubtriage-paged-c"];
    // What reached the proxy, in order: "page" for a GetFindings call, "read" for a call on a bucket.
    let order = Arc::new(Mutex::new(Vec::<&'static str>::new()));
    let bucket_calls = Arc::new(Mutex::new(Vec::new()));
    let (seen, log) = (order.clone(), bucket_calls.clone());
    let setup = Setup {
        account: "828282828282",
        region: "eu-west-1",
        buckets: buckets.iter().map(|b| b.to_string()).collect(),
        // Three pages of 100.
        findings: 250,
    };
    let collected = setup.collect_through(Arc::new(move |req| {
        if proxy::is_get_findings(req) {
            seen.lock().unwrap().push("page");
            // Every page is slow to come, so reading them all takes well over a second.
            return Some(Fault::slow(Duration::from_millis(700)));
        }
        if log_bucket_calls(&buckets, req, &log) {
            seen.lock().unwrap().push("read");
        }
        None
    }));
    assert_all_live(&collected, 250);
    let order = order.lock().unwrap().clone();
    let last_page = order.iter().rposition(|c| *c == "page").expect("GetFindings calls");
    let first_read = order.iter().position(|c| *c == "read").expect("bucket reads");
    assert_eq!(order.iter().filter(|c| **c == "page").count(), 3, "{order:?}");
    assert!(first_read < last_page, "the first read came after the last page was asked for: {order:?}");
    // And still one set of reads per bucket.
    assert_eq!(bucket_calls.lock().unwrap().len(), 4 * buckets.len(), "{:#?}", bucket_calls.lock().unwrap());
}

#[test]
fn throttled_bucket_reads_are_retried_and_every_finding_keeps_its_live_plan() {
    let bucket = "hubtriage-throttled-reads";
    let calls = Arc::new(Mutex::new(Vec::new()));
    let log = calls.clone();
    let setup = Setup { account: "838383838383", region: "us-west-2", buckets: vec![bucket.into()], findings: 3 };
    let collected = setup.collect_through(Arc::new(move |req| {
        // The first try of every call on the bucket is told to slow down.
        let before = log.lock().unwrap().clone();
        let first_try = log_bucket_calls(&[bucket], req, &log) && !before.contains(log.lock().unwrap().last()?);
        first_try.then(Fault::s3_slow_down)
    }));
    assert_all_live(&collected, 3);
    // Four reads, each answered SlowDown once and then retried by the SDK.
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 8, "{calls:#?}");
}
