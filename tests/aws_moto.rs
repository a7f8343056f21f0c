//! The AWS adapter against a moto server: 2 accounts × 2 regions seeded with real ASFF samples, read back through
//! the real binary (`plan --format json`) and through the library, plus faults injected by a proxy.
#![allow(clippy::unwrap_used)]

mod support;

#[path = "aws_moto/bucket_owner.rs"]
mod bucket_owner;
#[path = "aws_moto/ec2_batches.rs"]
mod ec2_batches;
#[path = "aws_moto/live_reads.rs"]
mod live_reads;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::moto::moto;
use support::proxy::{self, Fault};
use support::seed::{sample_findings, seed_source};

const ROLE: &str = "HubtriageAudit";
const REGIONS: [&str; 2] = ["eu-west-1", "us-west-2"];
/// More than one page per source.
const PER_SOURCE: usize = 230;

/// Seeds every (account, region); returns id → (account, region).
fn seed(port: u16, accounts: &[&str], per_source: usize) -> BTreeMap<String, (String, String)> {
    let samples = sample_findings();
    let mut expected = BTreeMap::new();
    for account in accounts {
        for region in REGIONS {
            for id in seed_source(port, ROLE, account, region, &samples, per_source) {
                expected.insert(id, (account.to_string(), region.to_string()));
            }
        }
    }
    expected
}

/// The binary, hermetic, with an empty config: `plan --format json` of `accounts` × [`REGIONS`].
fn hubtriage(endpoint: &str, accounts: &[&str], dir: &tempfile::TempDir) -> Command {
    let mut cmd = support::binary::hubtriage(endpoint, dir, "", Duration::from_secs(300));
    cmd.args(["--accounts", &accounts.join(","), "--regions", &REGIONS.join(","), "--role-name", ROLE])
        .args(["plan", "--format", "json"]);
    cmd
}

/// How many of the seeded findings are in `account`/`region`'s default view.
fn in_view(expected: &BTreeMap<String, (String, String)>, account: &str, region: &str) -> usize {
    expected.values().filter(|(a, r)| a == account && r == region).count()
}

/// Every expected finding exactly once, with its own account and region; nothing else from these accounts.
fn assert_exactly_once(entries: &[Value], expected: &BTreeMap<String, (String, String)>) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for e in entries {
        let id = e["id"].as_str().unwrap().to_string();
        if let Some((account, region)) = expected.get(&id) {
            assert_eq!(e["account_id"].as_str(), Some(account.as_str()), "account of {id}");
            assert_eq!(e["region"].as_str(), Some(region.as_str()), "region of {id}");
        }
        *seen.entry(id).or_default() += 1;
    }
    let missing: Vec<&String> = expected.keys().filter(|id| !seen.contains_key(*id)).collect();
    assert!(missing.is_empty(), "{} of {} findings missing, e.g. {:?}", missing.len(), expected.len(), missing.first());
    let dupes: Vec<(&String, &usize)> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dupes.is_empty(), "duplicated: {dupes:?}");
    let extra: Vec<&String> = seen.keys().filter(|id| !expected.contains_key(*id)).collect();
    assert!(extra.is_empty(), "unexpected findings: {extra:?}");
}

#[test]
fn plan_json_returns_every_seeded_finding_once_with_its_account_and_region() {
    let server = moto();
    let accounts = ["111111111111", "222222222222"];
    let expected = seed(server.port, &accounts, PER_SOURCE);
    // Some samples are archived, closed or passed: imported, but not in the default view GetFindings answers.
    assert!(expected.len() < accounts.len() * REGIONS.len() * PER_SOURCE, "{}", expected.len());
    let dir = tempfile::tempdir().unwrap();
    let out = hubtriage(&server.endpoint(), &accounts, &dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    let entries: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_exactly_once(&entries, &expected);
    // Paging happened: 230 findings per source is 3 pages.
    for account in accounts {
        for region in REGIONS {
            let line =
                format!("source {account}/{region}: {} findings in 3 pages", in_view(&expected, account, region));
            assert!(stderr.contains(&line), "no {line:?} in stderr:\n{stderr}");
        }
    }
}

#[test]
fn a_denied_account_is_reported_and_the_others_still_deliver() {
    let server = moto();
    let (good, denied) = ("333333333333", "444444444444");
    let expected = seed(server.port, &[good], 120);
    seed(server.port, &[denied], 5);
    let denied_owned = denied.to_string();
    let fault = proxy::start(
        server.port,
        Arc::new(move |req| {
            (proxy::assume_role_account(req).as_deref() == Some(denied_owned.as_str())).then(Fault::sts_access_denied)
        }),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = hubtriage(&fault.endpoint(), &[good, denied], &dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{stderr}");
    let entries: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_exactly_once(&entries, &expected);
    for region in REGIONS {
        let line = format!("source {denied}/{region} failed after 0 findings: access denied");
        assert!(stderr.contains(&line), "no {line:?} in stderr:\n{stderr}");
        let line = format!("source {good}/{region}: {} findings", in_view(&expected, good, region));
        assert!(stderr.contains(&line), "stderr:\n{stderr}");
    }
    assert!(stderr.contains("AssumeRole arn:aws:iam::444444444444:role/HubtriageAudit"), "stderr:\n{stderr}");
}

/// The library path (no binary), timed: every other GetFindings call is throttled and all findings still arrive.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn throttled_every_other_call_still_delivers_everything() {
    let server = moto();
    let accounts = ["555555555555", "666666666666"];
    let port = server.port;
    let expected = tokio::task::spawn_blocking(move || seed(port, &accounts, 150)).await.unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let fault = proxy::start(
        server.port,
        Arc::new(move |req| {
            (proxy::is_get_findings(req) && counter.fetch_add(1, Ordering::SeqCst).is_multiple_of(2))
                .then(Fault::throttling)
        }),
    );
    let endpoint = fault.endpoint();
    let work = tokio::spawn(async move {
        let base = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new("testing", "testing", None, None, "test"),
            ))
            .build();
        let settings = hubtriage::cloud::aws::AwsSettings::default().with_overrides(
            None,
            &accounts.map(String::from),
            &REGIONS.map(String::from),
            Some(ROLE),
            None,
        );
        let (backend, identity) = hubtriage::cloud::aws::connect_with(base, &settings).await.unwrap();
        assert!(identity.contains("123456789012"), "{identity}");
        let triage = hubtriage::session::triage(&hubtriage::config::Config::default()).unwrap();
        let started = Instant::now();
        let collected = hubtriage::cli::collect::collect(&backend, &triage).await;
        (collected, started.elapsed())
    });
    let (collected, elapsed) = work.await.unwrap();
    for s in &collected.sources {
        assert!(s.error.is_none(), "{}: {:?}", s.source, s.error);
        assert_eq!(s.findings, in_view(&expected, &s.source.account_id, &s.source.region), "{}", s.source);
    }
    let ids: BTreeSet<String> = collected.rows.iter().map(|r| r.finding.id.to_string()).collect();
    assert_eq!(ids.len(), collected.rows.len(), "duplicates");
    assert_eq!(ids, expected.keys().cloned().collect::<BTreeSet<_>>());
    for row in &collected.rows {
        let (account, region) = &expected[&*row.finding.id];
        assert_eq!((&*row.finding.account_id, &*row.finding.region), (account.as_str(), region.as_str()));
    }
    assert!(
        calls.load(Ordering::SeqCst) >= 16,
        "GetFindings calls through the proxy: {}",
        calls.load(Ordering::SeqCst)
    );
    eprintln!("throttled collect of {} findings took {elapsed:?}", collected.rows.len());
}

/// A refresh (findings changed since the last sync) over more than one page: every page is asked with the filters
/// its NextToken was issued for, even when the clock moves between pages, so page 2 is not refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_of_several_pages_reads_every_page() {
    use hubtriage::cloud::SourceId;
    let server = moto();
    let account = "777777777777";
    let port = server.port;
    // Findings last updated long ago, then 230 updated now: the refresh reads only the recent ones.
    let seeded = tokio::task::spawn_blocking(move || {
        let samples = sample_findings();
        seed_source(port, ROLE, account, REGIONS[0], &samples, 40);
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let recent: Vec<Value> = (1000..1230)
            .map(|n| {
                let mut f = support::seed::rewrite(&samples[n % samples.len()], account, REGIONS[0], n);
                f["UpdatedAt"] = Value::String(now.clone());
                f
            })
            .collect();
        support::seed::import_findings(port, ROLE, account, REGIONS[0], &recent)
    })
    .await
    .unwrap();
    let backend = support::sdk::backend(&server.endpoint(), &[account], &[REGIONS[0]]).await;
    let source = SourceId { account_id: account.into(), region: REGIONS[0].into() };
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let (mut token, mut ids, mut pages) = (None, BTreeSet::new(), 0);
    loop {
        let page = backend.findings.fetch_changed_page(&source, since, token).await.unwrap_or_else(|e| {
            panic!("page {} of the refresh: {e}", pages + 1);
        });
        pages += 1;
        ids.extend(page.findings.iter().map(|f| f.id.to_string()));
        token = page.next_token;
        if token.is_none() {
            break;
        }
        // The clock moves on between pages, as it does while a real pass waits for its quota.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(pages, 3);
    // The emulator applies the UpdatedAt filter (moto alone ignores filters, AWS-NOTES §3) and checks it against the
    // token: the 230 recent findings, closed ones included, and none of the old ones.
    assert_eq!(ids, seeded.into_iter().collect::<BTreeSet<_>>());
}
