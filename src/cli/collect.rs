//! Reads every page of every source for headless commands, with a per-source summary. Each finding is assessed live
//! as soon as its page arrives (reads overlap with paging; one read per resource; see `LiveAssessments`).

use crate::cloud::{Backend, CloudError, SourceId};
use crate::engine::live_assessments::LiveAssessments;
use crate::engine::{ingest, Msg, Row, SourceStatus};
use crate::triage::Triage;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How one source went.
#[derive(Debug)]
pub struct SourceSummary {
    pub source: SourceId,
    pub findings: usize,
    pub pages: usize,
    /// The Security Hub API the source read, when one was decided.
    pub api: Option<crate::cloud::SourceApi>,
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
    /// How the live reads went; `None` when nothing was read live.
    pub live: Option<LiveSummary>,
}

/// How the live reads went.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveSummary {
    /// Findings assessed from live state (or that tried).
    pub findings: usize,
    /// Resources read for them: one read per resource, however many findings name it.
    pub resources: usize,
    /// When the last live assessment ended, counted from the start of the collection.
    pub done_after: Duration,
}

/// How a headless command collects.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CollectOptions {
    /// A source that delivers no page for this long is given up (`--source-timeout`).
    pub source_timeout: Duration,
    /// Read every finding's resource for a live plan, where the backend can; `false`: plans from the findings'
    /// snapshots, no resource read.
    pub live: bool,
}

/// How long a source may go without delivering a page before a headless command gives up on it (`--source-timeout`):
/// a few attempts at the adapter's 20-second attempt timeout, far more than any throttling backoff.
pub const DEFAULT_SOURCE_TIMEOUT: Duration = Duration::from_secs(90);

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
    collect_within(backend, triage, keep, DEFAULT_SOURCE_TIMEOUT).await
}

/// Like [`collect_matching`]; a source that delivers no page for `source_timeout` is given up (named with the
/// cause, what it delivered kept) so one hung source never holds the command. On a terminal, stderr shows progress.
pub async fn collect_within(
    backend: &Backend,
    triage: &Arc<Triage>,
    keep: impl Fn(&crate::model::Finding) -> bool,
    source_timeout: Duration,
) -> Collected {
    collect_with(backend, triage, keep, CollectOptions { source_timeout, live: true }).await
}

/// Like [`collect_within`], reading live or not as `options` say.
pub async fn collect_with(
    backend: &Backend,
    triage: &Arc<Triage>,
    keep: impl Fn(&crate::model::Finding) -> bool,
    options: CollectOptions,
) -> Collected {
    let CollectOptions { source_timeout, live } = options;
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
                api: None,
                first_page_after: None,
                done_after: Duration::ZERO,
                error: None,
            };
            (source, summary)
        })
        .collect();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    ingest::spawn_all(backend.findings.clone(), triage.clone(), tx);
    let resources = backend.resources.clone().filter(|_| live);
    let mut found = LiveAssessments::new(resources, triage.clone());
    let mut problems = Vec::new();
    let mut progress = Progress::new(summaries.len());
    let mut last_page: BTreeMap<SourceId, Instant> = summaries.keys().map(|s| (s.clone(), started)).collect();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    // Until every source has ended (or been given up); the channel also closes when every paging task has ended.
    while progress.done < progress.total {
        let msg = tokio::select! {
            msg = rx.recv() => msg,
            _ = tick.tick() => {
                for (source, at) in &last_page {
                    let Some(s) = summaries.get_mut(source).filter(|s| s.error.is_none() && at.elapsed() > source_timeout)
                    else { continue };
                    s.done_after = started.elapsed();
                    s.error = Some(format!(
                        "gave up: no page for {}s (--source-timeout); {} finding(s) read before",
                        source_timeout.as_secs_f32(),
                        s.findings
                    ));
                    progress.done += 1;
                }
                last_page.retain(|source, _| summaries.get(source).is_some_and(|s| s.error.is_none()));
                progress.show(&summaries);
                continue;
            }
        };
        let Some(msg) = msg else { break };
        match msg {
            Msg::FindingsPage { source, rows, problems: page_problems } => {
                if let Some(s) = summaries.get_mut(&source).filter(|_| last_page.contains_key(&source)) {
                    s.pages += 1;
                    s.findings += rows.len();
                    s.first_page_after.get_or_insert_with(|| started.elapsed());
                    last_page.insert(source, Instant::now());
                    for row in rows {
                        let wanted = keep(&row.finding);
                        found.add(row, wanted);
                    }
                    problems.extend(page_problems);
                }
            }
            Msg::SourceApi { source, api } => {
                if let Some(s) = summaries.get_mut(&source) {
                    s.api = Some(api);
                }
            }
            Msg::SourceState { source, status } => {
                let ended = matches!(status, SourceStatus::Ok { .. }) || status.is_failure();
                if let Some(s) = summaries.get_mut(&source).filter(|_| ended && last_page.contains_key(&source)) {
                    s.done_after = started.elapsed();
                    s.error = failure_text(&status);
                    last_page.remove(&source);
                    progress.done += 1;
                }
            }
            _ => {}
        }
    }
    progress.finish();
    let sources = summaries.into_values().collect();
    let reads = found.reads().cloned();
    let (rows, live_errors, assessed) = found.finish().await;
    let live = reads.map(|reads| LiveSummary {
        findings: assessed,
        resources: reads.reads_started(),
        done_after: started.elapsed(),
    });
    Collected { rows, live_errors, sources, problems, live }
}

/// "3/4 sources, 1200 findings" on stderr while sources load, when stderr is a terminal.
struct Progress {
    total: usize,
    done: usize,
    shown: bool,
    terminal: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        use std::io::IsTerminal;
        Self { total, done: 0, shown: false, terminal: std::io::stderr().is_terminal() }
    }

    // Its own control sequences (clear the line), nothing from a finding: written as they are.
    #[allow(clippy::print_stderr)]
    fn show(&mut self, summaries: &BTreeMap<SourceId, SourceSummary>) {
        if !self.terminal {
            return;
        }
        let findings: usize = summaries.values().map(|s| s.findings).sum();
        eprint!("\r\x1b[2Kreading: {}/{} sources done, {findings} findings", self.done, self.total);
        self.shown = true;
    }

    #[allow(clippy::print_stderr)]
    fn finish(&self) {
        if self.shown {
            eprint!("\r\x1b[2K");
        }
    }
}
