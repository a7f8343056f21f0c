//! Reads every page of every source for headless commands, with a per-source summary.

use crate::cloud::{Backend, CloudError, SourceId};
use crate::engine::live_plan::assess_live;
use crate::engine::Row;
use crate::model::Finding;
use crate::triage::Triage;
use chrono::Utc;
use futures::stream::{self, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How one source went.
#[derive(Debug)]
pub struct SourceSummary {
    pub source: SourceId,
    pub findings: usize,
    pub pages: usize,
    /// When the first page arrived, counted from the start of the collection.
    pub first_page_after: Option<Duration>,
    /// When the source was done (or failed), counted from the start of the collection.
    pub done_after: Duration,
    pub error: Option<CloudError>,
}

/// Everything collected.
pub struct Collected {
    pub rows: Vec<Row>,
    /// Per-row problems found while planning live, parallel to `rows`.
    pub live_errors: Vec<Option<String>>,
    pub sources: Vec<SourceSummary>,
    /// Input that could not be read.
    pub problems: Vec<String>,
}

const ATTEMPTS: u32 = 5;
/// Live reads running at once.
const LIVE_CONCURRENCY: usize = 16;

async fn read_source(
    backend: &Backend,
    source: SourceId,
    started: Instant,
) -> (SourceSummary, Vec<Finding>, Vec<String>) {
    let mut first_page_after = None;
    let mut findings = Vec::new();
    let mut problems = Vec::new();
    let mut token = None;
    let mut pages = 0;
    let mut attempt = 0;
    let error = loop {
        match backend.findings.fetch_page(&source, token.clone()).await {
            Ok(page) => {
                attempt = 0;
                pages += 1;
                first_page_after.get_or_insert_with(|| started.elapsed());
                findings.extend(page.findings);
                problems.extend(page.problems);
                token = page.next_token;
                if token.is_none() {
                    break None;
                }
            }
            Err(e) if e.is_retryable() && attempt + 1 < ATTEMPTS => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(200 * (1 << attempt))).await;
            }
            Err(e) => break Some(e),
        }
    };
    let done_after = started.elapsed();
    let summary = SourceSummary { source, findings: findings.len(), pages, first_page_after, done_after, error };
    (summary, findings, problems)
}

/// Reads all sources concurrently, deduplicates, and assesses every finding (live where the backend can read).
pub async fn collect(backend: &Backend, triage: &Arc<Triage>) -> Collected {
    let started = Instant::now();
    let results =
        futures::future::join_all(backend.findings.sources().into_iter().map(|s| read_source(backend, s, started)))
            .await;
    let mut sources = Vec::new();
    let mut findings = Vec::new();
    let mut problems = Vec::new();
    for (summary, f, p) in results {
        problems.extend(p);
        findings.extend(f);
        sources.push(summary);
    }
    let findings = crate::cloud::file::dedupe_latest(findings);
    let now = Utc::now();
    let assessed: Vec<(Row, Option<String>)> = stream::iter(findings)
        .map(|finding| async move {
            let snapshot = triage.assess(&finding, None, now);
            let has_playbook = snapshot.plan != crate::triage::PlanStatus::NoPlaybook;
            let (assessment, error) = match (&backend.resources, has_playbook) {
                (Some(resources), true) => match assess_live(resources.as_ref(), triage, &finding).await {
                    Ok(live) => (live, None),
                    Err(e) => {
                        (snapshot, Some(format!("live state unavailable, plan from the finding's snapshot: {e}")))
                    }
                },
                _ => (snapshot, None),
            };
            (Row { finding: Arc::new(finding), assessment }, error)
        })
        .buffered(LIVE_CONCURRENCY)
        .collect()
        .await;
    let (rows, live_errors) = assessed.into_iter().unzip();
    Collected { rows, live_errors, sources, problems }
}
