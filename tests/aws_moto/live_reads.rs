//! Live plans against moto, counted at a proxy: findings about one bucket share its S3 reads, only the parts of a
//! bucket its findings' playbooks look at are read, reads start while a slow source is still paging, and S3
//! throttling is retried without losing a finding's live plan.

use super::support::asff::bucket_control_asff;
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

/// What a test sets up: in `account`/`region`, these buckets, and these findings (finding `n`: control
/// `n % controls`, bucket `n % buckets`).
struct Setup {
    account: &'static str,
    region: &'static str,
    buckets: Vec<String>,
    controls: &'static [&'static str],
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
            let Setup { account, region, buckets, controls, findings } = self;
            for bucket in &buckets {
                super::support::s3::new_bucket(&endpoint, account, region, bucket).await;
            }
            let findings: Vec<Value> = (0..findings)
                .map(|n| {
                    let (control, bucket) = (controls[n % controls.len()], &buckets[n % buckets.len()]);
                    bucket_control_asff(control, account, region, bucket, &format!("{}-{n:04}", buckets[0]))
                })
                .collect();
            tokio::task::spawn_blocking(move || import_findings(port, ROLE, account, region, &findings)).await.unwrap();
            let backend = super::support::sdk::backend(&through, &[account], &[region]).await;
            let triage = hubtriage::session::triage(&hubtriage::config::Config::default()).unwrap();
            collect(&backend, &triage).await
        })
    }
}

impl Setup {
    /// Collects as `collect_through` does, logging the calls on the setup's buckets; the rows and the calls.
    fn collect_logging_bucket_calls(self) -> (Collected, Vec<String>) {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let log = calls.clone();
        let buckets = self.buckets.clone();
        let collected = self.collect_through(Arc::new(move |req| {
            let names: Vec<&str> = buckets.iter().map(String::as_str).collect();
            log_bucket_calls(&names, req, &log);
            None
        }));
        let calls = calls.lock().unwrap().clone();
        (collected, calls)
    }
}

/// Every row has its live plan (or is found already compliant live) and no error.
fn assert_all_live(collected: &Collected, findings: usize) {
    assert_eq!(collected.rows.len(), findings);
    for (row, error) in collected.rows.iter().zip(&collected.live_errors) {
        assert_eq!(error, &None, "{}", row.finding.id);
        match row.plan() {
            PlanStatus::Planned(plan) => assert_eq!(plan.basis, Basis::Live, "{}", row.finding.id),
            PlanStatus::AlreadyCompliant(_) => assert!(row.finding.id.contains("/S3.4/"), "{}", row.finding.id),
            other => panic!("{}: {other:?}", row.finding.id),
        }
    }
}

/// How many of `calls` are on the bucket setting `setting` (`publicAccessBlock`, `encryption`, …).
fn count_of(calls: &[String], setting: &str) -> usize {
    calls.iter().filter(|c| c.contains(&format!("?{setting}"))).count()
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
fn findings_about_one_bucket_share_its_reads_and_read_only_what_their_playbook_looks_at() {
    let bucket = "hubtriage-shared-reads";
    let setup = Setup {
        account: "818181818181",
        region: "eu-west-1",
        buckets: vec![bucket.into()],
        controls: &["S3.8"],
        findings: 5,
    };
    let (collected, calls) = setup.collect_logging_bucket_calls();
    assert_all_live(&collected, 5);
    // S3.8 plans from Block Public Access (and warns of a policy); the verdict reads the tags. One call each for all
    // five findings, and the default encryption is never asked for.
    assert_eq!(calls.len(), 3, "{calls:#?}");
    for setting in ["publicAccessBlock", "policy", "tagging"] {
        assert_eq!(count_of(&calls, setting), 1, "{setting}: {calls:#?}");
    }
    let live = collected.live.expect("read live");
    assert_eq!((live.findings, live.resources), (5, 1));
}

#[test]
fn a_bucket_is_read_by_the_parts_its_findings_need_each_part_once() {
    let (mixed, encrypted) = ("hubtriage-parts-mixed", "hubtriage-parts-encryption");
    let setup = Setup {
        account: "848484848484",
        region: "eu-west-1",
        // Finding n is on bucket n % 2 with control n % 3: the first bucket gets all three controls, and so does the
        // second; a third setup below has only S3.4.
        buckets: vec![mixed.into(), encrypted.into()],
        controls: &["S3.4", "S3.5", "S3.8"],
        findings: 12,
    };
    let (collected, calls) = setup.collect_logging_bucket_calls();
    assert_all_live(&collected, 12);
    for bucket in [mixed, encrypted] {
        let of_bucket: Vec<String> = calls.iter().filter(|c| c.contains(bucket)).cloned().collect();
        for setting in ["publicAccessBlock", "encryption", "policy", "tagging"] {
            assert_eq!(count_of(&of_bucket, setting), 1, "{bucket} {setting}: {calls:#?}");
        }
    }

    let only = "hubtriage-parts-only-s3-4";
    let setup = Setup {
        account: "848484848484",
        region: "eu-central-1",
        buckets: vec![only.into()],
        controls: &["S3.4"],
        findings: 2,
    };
    let (collected, calls) = setup.collect_logging_bucket_calls();
    assert_all_live(&collected, 2);
    assert_eq!((count_of(&calls, "encryption"), count_of(&calls, "tagging")), (1, 1), "{calls:#?}");
    assert_eq!(calls.len(), 2, "S3.4 needs neither Block Public Access nor the policy: {calls:#?}");
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
        controls: &["S3.8"],
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
    // And still one set of reads per bucket: Block Public Access, policy and tags.
    assert_eq!(bucket_calls.lock().unwrap().len(), 3 * buckets.len(), "{:#?}", bucket_calls.lock().unwrap());
}

#[test]
fn throttled_bucket_reads_are_retried_and_every_finding_keeps_its_live_plan() {
    let bucket = "hubtriage-throttled-reads";
    let calls = Arc::new(Mutex::new(Vec::new()));
    let log = calls.clone();
    let setup = Setup {
        account: "838383838383",
        region: "us-west-2",
        buckets: vec![bucket.into()],
        controls: &["S3.8"],
        findings: 3,
    };
    let collected = setup.collect_through(Arc::new(move |req| {
        // The first try of every call on the bucket is told to slow down.
        let before = log.lock().unwrap().clone();
        let first_try = log_bucket_calls(&[bucket], req, &log) && !before.contains(log.lock().unwrap().last()?);
        first_try.then(Fault::s3_slow_down)
    }));
    assert_all_live(&collected, 3);
    // Three reads, each answered SlowDown once and then retried by the SDK.
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 6, "{calls:#?}");
}
