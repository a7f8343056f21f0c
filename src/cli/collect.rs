//! Reads every page of every source for headless commands, with a per-source summary.

use crate::cloud::{Backend, CloudError, SourceId};
use crate::engine::live_plan::assess_live;
use crate::engine::{ingest, Msg, Row, SourceStatus};
use crate::triage::Triage;
use futures::stream::{self, StreamExt};
use std::collections::BTreeMap;
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
    /// Why the source failed, when it did.
    pub error: Option<String>,
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

/// Live reads running at once.
const LIVE_CONCURRENCY: usize = 16;

/// The error text of a source's final status, if it failed.
fn failure_text(status: &SourceStatus) -> Option<String> {
    match status {
        SourceStatus::Denied(m) => Some(CloudError::AccessDenied(m.clone()).to_string()),
        SourceStatus::NotEnabled(m) => Some(CloudError::NotEnabled(m.clone()).to_string()),
        SourceStatus::Failed(m) => Some(m.clone()),
        _ => None,
    }
}

/// Reads all sources concurrently through the engine's paging tasks (the same paging, retries and backoff as the
/// TUI), deduplicates, and assesses every finding (live where the backend can read).
pub async fn collect(backend: &Backend, triage: &Arc<Triage>) -> Collected {
    collect_matching(backend, triage, |_| true).await
}

/// Like [`collect`], keeping (and reading live) only the findings `keep` accepts.
pub async fn collect_matching(
    backend: &Backend,
    triage: &Arc<Triage>,
    keep: impl Fn(&crate::model::Finding) -> bool,
) -> Collected {
    let started = Instant::now();
    let mut summaries: BTreeMap<SourceId, SourceSummary> = backend
        .findings
        .sources()
        .into_iter()
        .map(|source| {
            let summary = SourceSummary {
                source: source.clone(),
                findings: 0,
                pages: 0,
                first_page_after: None,
                done_after: Duration::ZERO,
                error: None,
            };
            (source, summary)
        })
        .collect();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    ingest::spawn_all(backend.findings.clone(), triage.clone(), tx);
    let mut snapshot_rows = Vec::new();
    let mut problems = Vec::new();
    // The channel closes when every paging task has ended.
    while let Some(msg) = rx.recv().await {
        match msg {
            Msg::FindingsPage { source, rows, problems: page_problems } => {
                if let Some(s) = summaries.get_mut(&source) {
                    s.pages += 1;
                    s.findings += rows.len();
                    s.first_page_after.get_or_insert_with(|| started.elapsed());
                }
                snapshot_rows.extend(rows);
                problems.extend(page_problems);
            }
            Msg::SourceState { source, status } => {
                if let Some(s) = summaries.get_mut(&source) {
                    s.done_after = started.elapsed();
                    s.error = failure_text(&status);
                }
            }
            _ => {}
        }
    }
    let sources = summaries.into_values().collect();
    let findings = crate::cloud::file::dedupe_latest_by(snapshot_rows, |r: &Row| &r.finding);
    let findings: Vec<Row> = findings.into_iter().filter(|r| keep(&r.finding)).collect();
    let assessed: Vec<(Row, Option<String>)> = stream::iter(findings)
        .map(|mut row| async move {
            let has_playbook = *row.plan() != crate::triage::PlanStatus::NoPlaybook;
            let error = match (&backend.resources, has_playbook) {
                (Some(resources), true) => match assess_live(resources.as_ref(), triage, &row.finding).await {
                    Ok(live) => {
                        row.set_assessment(live);
                        None
                    }
                    Err(e) => Some(format!("live state unavailable, plan from the finding's snapshot: {e}")),
                },
                _ => None,
            };
            (row, error)
        })
        .buffered(LIVE_CONCURRENCY)
        .collect()
        .await;
    let (rows, live_errors) = assessed.into_iter().unzip();
    Collected { rows, live_errors, sources, problems }
}
