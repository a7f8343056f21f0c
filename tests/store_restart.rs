//! The store across restarts, on moto through the real SDK, the engine's paging tasks and the Store stage as the TUI
//! runs them: the
//! second start shows every stored finding before the first page arrives (each source `Cached`), then syncs from its
//! mark; a finding resolved between the runs leaves the default view after that sync; a source that fails keeps its
//! cached rows.
#![allow(clippy::unwrap_used)]

mod support;

use hubtriage::cloud::SourceId;
use hubtriage::engine::refresh::{spawn_with_store, RefreshSettings};
use hubtriage::engine::stage::{self, Subscribers};
use hubtriage::engine::{cached, Msg, SourceStatus};
use hubtriage::store::Store;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::http::aws_call;
use support::moto::moto;
use support::proxy::{self, Fault};
use support::seed::{assume, sample_findings, seed_source};

const ROLE: &str = "HubtriageAudit";
const ACCOUNT: &str = "919191919191";
const REGION: &str = "eu-west-1";
const FINDINGS: usize = 230;

/// What a run showed, in order: `page:<n>` for each page of rows, `status:<word>` for each source status.
struct Run {
    events: Vec<String>,
    /// Each finding's workflow as the last page that carried it said.
    workflow: BTreeMap<String, String>,
}

/// One start against `endpoint` with `store`: stored findings first, then the sources, until the source's sync ends
/// (Ok or failed).
async fn start(endpoint: &str, store: &Arc<Store>) -> Run {
    let backend = support::sdk::backend(endpoint, &[ACCOUNT], &[REGION]).await;
    let triage = hubtriage::session::triage(&hubtriage::config::Config::default()).unwrap();
    let (ui_tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let tx = stage::spawn(ui_tx, Subscribers::default(), None);
    let sources = backend.findings.sources();
    cached::send_stored(store, &sources, &triage, &tx).unwrap();
    let settings = RefreshSettings { every: None, max_attempts: 2, ..RefreshSettings::default() };
    let _refresh = spawn_with_store(backend.findings.clone(), triage, tx, settings, Some(store.clone()));
    let mut run = Run { events: Vec::new(), workflow: BTreeMap::new() };
    while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_secs(60), rx.recv()).await {
        match msg {
            Msg::Findings(changes) => {
                run.events.push(format!("page:{}", changes.added.len() + changes.changed.len()));
                for row in changes.added.iter().chain(&changes.changed) {
                    run.workflow.insert(row.finding.id.to_string(), row.finding.workflow_status.label().into());
                }
            }
            Msg::SourceState { status, .. } => {
                let end = matches!(status, SourceStatus::Ok { .. }) || status.is_failure();
                run.events.push(format!("status:{}", status.word()));
                if end {
                    return run;
                }
            }
            _ => {}
        }
    }
    panic!("the source never finished: {:?}", run.events);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_shows_the_stored_findings_first_then_syncs_from_the_mark() {
    let server = moto();
    let port = server.port;
    let ids =
        tokio::task::spawn_blocking(move || seed_source(port, ROLE, ACCOUNT, REGION, &sample_findings(), FINDINGS))
            .await
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store/test.sqlite3");

    // First start: nothing stored; the source loads in full and every page is kept.
    let store = Arc::new(Store::open(&path).unwrap());
    let first = start(&server.endpoint(), &store).await;
    assert_eq!(first.events.first().map(String::as_str), Some("status:cached"), "{:?}", first.events);
    assert_eq!(first.events.last().map(String::as_str), Some("status:ok"));
    // Samples that are archived, closed or passed are not in the default view GetFindings answers.
    assert!(ids.len() < FINDINGS, "{}", ids.len());
    assert_eq!(first.workflow.len(), ids.len());
    let source = SourceId { account_id: ACCOUNT.into(), region: REGION.into() };
    // The mark is written as the pass ends, just after its status went out.
    for _ in 0..100 {
        if store.marks().unwrap().contains_key(&source) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(store.marks().unwrap().contains_key(&source), "the complete pass left its mark");
    // Between the runs Security Hub resolves one open finding.
    let open = store.open_keys(ACCOUNT, REGION).unwrap();
    let n = ids.iter().position(|id| open.iter().any(|k| &*k.id == id)).expect("an open finding");
    let resolved = ids[n].clone();
    drop(store);
    let samples = sample_findings();
    let mut finding: Value = support::seed::rewrite(&samples[n % samples.len()], ACCOUNT, REGION, n);
    finding["Workflow"] = json!({"Status": "RESOLVED"});
    // Updated now: after the mark, and within the refresh's UpdatedAt filter, which the emulator applies.
    finding["UpdatedAt"] = json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let keys = assume(port, ACCOUNT, ROLE);
    let body = serde_json::to_vec(&json!({ "Findings": [finding] })).unwrap();
    let r = aws_call(port, &keys, ("securityhub", REGION), "POST", "/findings/import", "application/json", &body);
    assert_eq!(r.status, 200, "{}", r.body);

    // Second start, every GetFindings held for a second: the stored findings are all on screen before any page.
    let slow = proxy::start(
        server.port,
        Arc::new(|req| {
            if proxy::is_get_findings(req) {
                std::thread::sleep(Duration::from_secs(1));
            }
            None::<Fault>
        }),
    );
    let store = Arc::new(Store::open(&path).unwrap());
    let second = start(&slow.endpoint(), &store).await;
    let cached_at = second.events.iter().position(|e| e == "status:cached").unwrap();
    let stored_rows: usize =
        second.events[..cached_at].iter().filter_map(|e| e.strip_prefix("page:")?.parse::<usize>().ok()).sum();
    assert_eq!(stored_rows, ids.len(), "every stored finding before the first page: {:?}", second.events);
    assert_eq!(second.events.last().map(String::as_str), Some("status:ok"), "{:?}", second.events);
    assert_eq!(second.workflow[&resolved], "RESOLVED", "the sync brought the resolved copy");
    let history: Vec<String> = store
        .history(&hubtriage::model::FindingKey {
            product_arn: finding_product_arn(&second, &resolved, &store).into(),
            id: resolved.clone().into(),
        })
        .unwrap()
        .into_iter()
        .map(|(_, event, _)| event)
        .collect();
    assert_eq!(history, ["first-seen", "workflow", "closed"]);
    drop(store);

    // Third start with every GetFindings denied: the cached rows stay, the source shows its failure.
    let denied = Arc::new(AtomicBool::new(true));
    let deny = denied.clone();
    let failing = proxy::start(
        server.port,
        Arc::new(move |req| (proxy::is_get_findings(req) && deny.load(Ordering::SeqCst)).then(Fault::throttling)),
    );
    let store = Arc::new(Store::open(&path).unwrap());
    let third = start(&failing.endpoint(), &store).await;
    assert_eq!(third.workflow.len(), ids.len(), "the cached rows are kept: {:?}", third.events);
    assert_eq!(third.events.last().map(String::as_str), Some("status:error"), "{:?}", third.events);
}

/// The product ARN the stored copy of `id` carries.
fn finding_product_arn(_run: &Run, id: &str, store: &Store) -> String {
    store.load().unwrap().into_iter().find(|s| &*s.key.id == id).map(|s| s.key.product_arn.to_string()).unwrap()
}

/// `store info` names the identity's and endpoint's own file, private; `store reset` removes it; offline runs have
/// no store.
#[test]
fn store_info_and_reset_name_the_identitys_own_file() {
    let server = moto();
    let dir = tempfile::tempdir().unwrap();
    let hubtriage = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("hubtriage")
            .unwrap()
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("HUBTRIAGE_LOG", dir.path().join("hubtriage.log"))
            .args(["--endpoint-url", &server.endpoint(), "--regions", REGION])
            .args(args)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap()
    };
    let info = hubtriage(&["store", "info"]);
    let stdout = String::from_utf8_lossy(&info.stdout);
    assert_eq!(info.status.code(), Some(0), "{}", String::from_utf8_lossy(&info.stderr));
    let path = stdout.lines().next().and_then(|l| l.strip_prefix("store: ")).unwrap().to_string();
    assert!(path.contains("/store/123456789012-") && path.ends_with(".sqlite3"), "{stdout}");
    assert!(stdout.contains("last complete sync"), "{stdout}");
    assert!(stdout.contains("check: every page reads back whole"), "{stdout}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);

    let reset = hubtriage(&["store", "reset"]);
    assert_eq!(reset.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&reset.stdout).contains("removed"));
    assert!(!std::path::Path::new(&path).exists());

    let offline = hubtriage(&["--findings", dir.path().to_str().unwrap(), "store", "info"]);
    assert_eq!(offline.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&offline.stderr).contains("no store for this run"));
}
