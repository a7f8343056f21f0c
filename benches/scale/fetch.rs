//! Fetch against the quota: the simulated organisation enforces GetFindings' quota (3 requests/s, burst 6, 100 per
//! page, throttling beyond it); the paging engine reads through it on tokio's paused clock, so the minutes the quota
//! imposes pass in moments and the figures are the time the quota allows, not this machine's speed.

use crate::corpus::{self, Corpus, SOURCES};
use crate::ingest::triage;
use crate::report::Report;
use async_trait::async_trait;
use hubtriage::cloud::quota::Quota;
use hubtriage::cloud::sim::{FindingFeed, SimOrg};
use hubtriage::cloud::{CloudError, FindingSource, FindingsPage, SourceId};
use hubtriage::engine::{ingest, Msg, SourceStatus};
use serde_json::Value;
use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

/// Findings per source.
const PER_SOURCE: usize = 10_000;

/// The generated findings of one source, served by the simulated organisation.
struct SourceFeed {
    corpus: Arc<Corpus>,
    source: usize,
}

impl FindingFeed for SourceFeed {
    fn len(&self) -> usize {
        PER_SOURCE
    }

    fn findings(&self, range: Range<usize>) -> Vec<Value> {
        range.map(|j| serde_json::from_str(&self.corpus.finding(self.source + SOURCES * j)).expect("json")).collect()
    }
}

/// The organisation's imported sources only (not the demo accounts it also holds).
struct Imported {
    org: SimOrg,
    sources: Vec<SourceId>,
}

#[async_trait]
impl FindingSource for Imported {
    fn sources(&self) -> Vec<SourceId> {
        self.sources.clone()
    }

    fn quota(&self) -> Option<Quota> {
        self.org.quota()
    }

    async fn fetch_page(&self, source: &SourceId, token: Option<String>) -> Result<FindingsPage, CloudError> {
        self.org.fetch_page(source, token).await
    }
}

/// What one read of `sources` sources showed.
struct Fetched {
    elapsed: Duration,
    findings: usize,
    distinct: usize,
    retries: usize,
    failed: usize,
}

fn fetch(corpus: &Arc<Corpus>, sources: usize) -> Fetched {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().expect("runtime");
    runtime.block_on(async {
        let org = SimOrg::new(1, chrono::Utc::now());
        org.enforce_quota(Quota::GET_FINDINGS);
        let ids: Vec<SourceId> = (0..sources)
            .map(|n| SourceId {
                account_id: corpus::account(n % corpus::ACCOUNTS),
                region: corpus::REGIONS[n / corpus::ACCOUNTS].into(),
            })
            .collect();
        for (n, id) in ids.iter().enumerate() {
            org.import(id.clone(), Arc::new(SourceFeed { corpus: corpus.clone(), source: n }));
        }
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let started = tokio::time::Instant::now();
        ingest::spawn_all(Arc::new(Imported { org, sources: ids }), triage(), tx);
        let mut fetched = Fetched { elapsed: Duration::ZERO, findings: 0, distinct: 0, retries: 0, failed: 0 };
        let mut keys = HashSet::new();
        let mut ended = 0;
        while let Some(msg) = rx.recv().await {
            match msg {
                Msg::FindingsPage { rows, .. } => {
                    fetched.findings += rows.len();
                    if sources == 1 {
                        keys.extend(rows.iter().map(|r| r.finding.key()));
                    }
                }
                Msg::SourceState { status: SourceStatus::Retrying { .. }, .. } => fetched.retries += 1,
                Msg::SourceState { status: SourceStatus::Ok { .. }, .. } => ended += 1,
                Msg::SourceState { status: SourceStatus::Loading { .. }, .. } => {}
                Msg::SourceState { .. } => {
                    fetched.failed += 1;
                    ended += 1;
                }
                _ => {}
            }
            if ended == sources {
                break;
            }
        }
        fetched.elapsed = started.elapsed();
        fetched.distinct = if sources == 1 { keys.len() } else { fetched.findings };
        fetched
    })
}

pub fn run(corpus: &Arc<Corpus>, report: &mut Report) {
    let pages = PER_SOURCE.div_ceil(100);
    let bound = Quota::GET_FINDINGS.bound_seconds(pages);
    let one = fetch(corpus, 1);
    let secs = one.elapsed.as_secs_f64();
    report.check(
        format!("fetch {PER_SOURCE} from 1 source (quota bound {bound:.1} s)"),
        format!("{secs:.2} s = {:.3}× bound", secs / bound),
        "≤ 1.1× bound",
        secs <= 1.1 * bound && one.findings == PER_SOURCE && one.distinct == PER_SOURCE,
    );
    report.check(
        "throttling errors shown while fetching (1 source)",
        format!("{} retries, {} failed", one.retries, one.failed),
        "none",
        one.retries == 0 && one.failed == 0,
    );
    let all = fetch(corpus, SOURCES);
    let all_secs = all.elapsed.as_secs_f64();
    report.check(
        format!("fetch {SOURCES} sources × {PER_SOURCE} in parallel"),
        format!("{all_secs:.2} s = {:.3}× one source", all_secs / secs),
        "≤ 1.1× one source",
        all_secs <= 1.1 * secs && all.findings == SOURCES * PER_SOURCE && all.retries == 0 && all.failed == 0,
    );
}
