//! Faults mid-pagination on moto, through the real SDK and real HTTP, read by the engine's paging task as the TUI
//! runs it: credentials that expire (the role is assumed again), connections that close without an answer, and
//! answers that never come (the attempt timeout). Each shows as `Retrying` with its cause, paging resumes from the
//! same NextToken, and every finding arrives exactly once.
#![allow(clippy::unwrap_used)]

mod support;

use hubtriage::cloud::SourceId;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::moto::moto;
use support::paging::{self, Paged};
use support::proxy::{self, Fault};
use support::seed::{sample_findings, seed_source};

const ROLE: &str = "HubtriageAudit";
const REGION: &str = "eu-west-1";
/// Three pages of GetFindings.
const FINDINGS: usize = 230;

/// What the proxy saw: the NextToken of every GetFindings request in order (`None` for a first page), and how many
/// AssumeRole calls were made for the account.
#[derive(Default)]
struct Wire {
    tokens: Mutex<Vec<Option<String>>>,
    assume_roles: AtomicUsize,
}

/// A proxy in front of moto that records the wire and answers GetFindings request `n` (0-based) with `fault(n)`.
fn proxy_with(
    port: u16,
    account: &'static str,
    fault: impl Fn(usize) -> Option<Fault> + Send + Sync + 'static,
) -> (proxy::FaultProxy, Arc<Wire>) {
    let wire = Arc::new(Wire::default());
    let seen = wire.clone();
    let proxy = proxy::start(
        port,
        Arc::new(move |req| {
            if proxy::assume_role_account(req).as_deref() == Some(account) {
                seen.assume_roles.fetch_add(1, Ordering::SeqCst);
            }
            if !proxy::is_get_findings(req) {
                return None;
            }
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            let token = body.get("NextToken").and_then(Value::as_str).map(String::from);
            let n = {
                let mut tokens = seen.tokens.lock().unwrap();
                tokens.push(token);
                tokens.len() - 1
            };
            fault(n)
        }),
    );
    (proxy, wire)
}

/// Seeds `FINDINGS` findings into `account`/`REGION`; the ids of those in the default view.
async fn seed(port: u16, account: &'static str) -> BTreeSet<String> {
    tokio::task::spawn_blocking(move || seed_source(port, ROLE, account, REGION, &sample_findings(), FINDINGS))
        .await
        .unwrap()
        .into_iter()
        .collect()
}

/// Connects the AWS adapter through `endpoint` (fake keys; `attempt_timeout` as an embedding program would set it)
/// and runs the engine's paging task over `account`/`REGION` to its end.
async fn page(endpoint: String, account: &str, attempt_timeout: Option<Duration>) -> Paged {
    let settings = hubtriage::cloud::aws::AwsSettings::default().with_overrides(
        None,
        &[account.to_string()],
        &[REGION.to_string()],
        Some(ROLE),
        None,
    );
    let source = SourceId { account_id: account.into(), region: REGION.into() };
    paging::page(endpoint, settings, source, attempt_timeout).await
}

/// The request after the faulted ones asked for the same page: the token of request `first_fault` again, and it
/// was not a first page (paging did not start over).
fn assert_resumed(wire: &Wire, first_fault: usize, resumed_at: usize) {
    let tokens = wire.tokens.lock().unwrap();
    assert!(tokens.len() > resumed_at, "GetFindings requests: {}", tokens.len());
    assert!(tokens[first_fault].is_some(), "the fault hit a later page, not the first: {tokens:?}");
    assert_eq!(tokens[resumed_at], tokens[first_fault], "resumed from the same NextToken: {tokens:?}");
    assert_eq!(tokens.iter().filter(|t| t.is_none()).count(), 1, "paging never started over: {tokens:?}");
    assert_eq!(tokens.len(), resumed_at + 2, "then the last page, and nothing more: {tokens:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn expired_credentials_mid_pagination_are_renewed_and_paging_continues() {
    let server = moto();
    let account = "701000000001";
    let expected = seed(server.port, account).await;
    // Page 1 passes; the request for page 2 is rejected as AWS rejects an expired session token; then all pass.
    let (proxy, wire) = proxy_with(server.port, account, |n| (n == 1).then(Fault::expired_token));
    let paged = page(proxy.endpoint(), account, None).await;
    paged.assert_complete(&expected);
    let retries = paged.retries();
    assert_eq!(retries.len(), 1, "{:?}", paged.statuses);
    assert!(
        retries[0].contains("ExpiredTokenException") && retries[0].contains("expired"),
        "the cause is shown while retrying: {retries:?}"
    );
    assert_eq!(wire.assume_roles.load(Ordering::SeqCst), 2, "the role was assumed again after the rejection");
    assert_resumed(&wire, 1, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connections_closed_mid_pagination_are_retried_from_the_same_page() {
    let server = moto();
    let account = "701000000002";
    let expected = seed(server.port, account).await;
    // After page 1, the next three requests (more than the SDK's own three attempts) are cut off unanswered.
    let (proxy, wire) = proxy_with(server.port, account, |n| (1..=3).contains(&n).then(Fault::hang_up));
    let paged = page(proxy.endpoint(), account, None).await;
    paged.assert_complete(&expected);
    let retries = paged.retries();
    assert!(!retries.is_empty(), "the outage is shown: {:?}", paged.statuses);
    for r in &retries {
        assert!(r.starts_with("network error: GetFindings in 701000000002/eu-west-1: "), "cause shown: {r}");
    }
    eprintln!("retrying as shown: {retries:?}");
    assert_eq!(wire.assume_roles.load(Ordering::SeqCst), 1, "a network fault does not renew the session");
    assert_resumed(&wire, 1, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn answers_that_never_come_time_out_and_paging_resumes() {
    let server = moto();
    let account = "701000000003";
    let expected = seed(server.port, account).await;
    // After page 1, three requests are held far longer than the 1 s attempt timeout the embedding sets.
    let (proxy, wire) =
        proxy_with(server.port, account, |n| (1..=3).contains(&n).then(|| Fault::stall(Duration::from_secs(30))));
    let paged = page(proxy.endpoint(), account, Some(Duration::from_secs(1))).await;
    paged.assert_complete(&expected);
    let retries = paged.retries();
    assert!(!retries.is_empty(), "the timeout is shown: {:?}", paged.statuses);
    assert!(retries.iter().all(|r| r.contains("timed out")), "{retries:?}");
    assert!(paged.elapsed < Duration::from_secs(25), "did not wait for the stalled answers: {:?}", paged.elapsed);
    assert_resumed(&wire, 1, 4);
}

/// With no timeout from the embedding, the adapter's own attempt timeout applies: one answer that hangs for two
/// minutes costs one attempt timeout, not two minutes (before: the source hung until the connection closed).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hung_answer_is_cut_off_by_the_adapters_attempt_timeout() {
    let server = moto();
    let account = "701000000004";
    let expected = seed(server.port, account).await;
    let (proxy, wire) = proxy_with(server.port, account, |n| (n == 1).then(|| Fault::stall(Duration::from_secs(120))));
    let paged = page(proxy.endpoint(), account, None).await;
    paged.assert_complete(&expected);
    assert!(
        paged.elapsed < Duration::from_secs(60),
        "a hung answer held the source for {:?} (attempt timeout 20 s)",
        paged.elapsed
    );
    assert_resumed(&wire, 1, 2);
    eprintln!("paging around a hung answer took {:?}", paged.elapsed);
}

/// `plan` with one account whose every call hangs and one that answers: the hung source is given up after
/// `--source-timeout` with that cause on stderr, exit 2, and the other source's findings are all printed — instead of
/// the command waiting minutes for the hung one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_source_is_given_up_after_the_source_timeout_and_the_rest_is_printed() {
    let server = moto();
    let (good, hung) = ("818181818181", "828282828282");
    let expected = seed(server.port, good).await;
    let fault = proxy::start(
        server.port,
        Arc::new(move |req| {
            (proxy::assume_role_account(req).as_deref() == Some(hung)).then(|| Fault::stall(Duration::from_secs(600)))
        }),
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "").unwrap();
    let started = Instant::now();
    let output = assert_cmd::Command::cargo_bin("hubtriage")
        .unwrap()
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("HUBTRIAGE_LOG", dir.path().join("hubtriage.log"))
        .args(["--config", dir.path().join("config.toml").to_str().unwrap(), "--endpoint-url", &fault.endpoint()])
        .args(["--accounts", &format!("{good},{hung}"), "--regions", REGION, "--role-name", ROLE])
        .args(["--source-timeout", "3", "plan", "--format", "json"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(elapsed < Duration::from_secs(30), "waited {elapsed:?} for the hung source\n{stderr}");
    assert!(stderr.contains(&format!("{hung}/{REGION}")) && stderr.contains("no page for 3s"), "{stderr}");
    let entries: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let ids: BTreeSet<String> = entries.iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids, expected, "every finding of the answering source");
}
