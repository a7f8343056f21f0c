//! One paging task per source: fetch, assess off the UI thread, send pages as they arrive.

use super::{Msg, OpenTotals, Row, SourceStatus};
use crate::cloud::quota::{Quota, TokenBucket};
use crate::cloud::{CloudError, FindingSource, SourceApi, SourceId};
use crate::model::hash::paging_key_hash;
use crate::model::Finding;
use crate::store::Store;
use crate::triage::Triage;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// How often a failing page is retried before the source is marked failed.
const MAX_ATTEMPTS: u32 = 6;

/// First wait before retrying a failing page; it doubles with every attempt.
const RETRY_BASE: Duration = Duration::from_millis(200);

/// Starts one paging task per source (one full load each, no refresh: see `refresh::spawn_all` for that).
pub fn spawn_all(source: Arc<dyn FindingSource>, triage: Arc<Triage>, tx: UnboundedSender<Msg>) {
    for id in source.sources() {
        let (source, triage, tx) = (source.clone(), triage.clone(), tx.clone());
        tokio::spawn(async move { page_source(source, id, triage, tx).await });
    }
}

/// Rows for a page of findings, each assessed from its own snapshot (live reads come later, per selection).
pub fn assess_page(findings: Vec<Finding>, triage: &Arc<Triage>, now: DateTime<Utc>) -> Vec<Row> {
    findings.into_iter().map(|f| Row::from_snapshot(f, triage, now)).collect()
}

/// Moves the JSON of a page of findings to the spill file (a page read whole is written in one piece).
pub fn spill_page(findings: &mut [Finding]) {
    for f in findings {
        f.raw.spill();
    }
}

/// Wait before retry `attempt` (1-based): `base`, doubled per attempt, at most 64 × `base`.
pub(crate) fn backoff(base: Duration, attempt: u32) -> Duration {
    base.saturating_mul(1 << attempt.min(6))
}

/// Pages through one source until the end, a permanent failure, or the UI going away.
pub async fn page_source(source: Arc<dyn FindingSource>, id: SourceId, triage: Arc<Triage>, tx: UnboundedSender<Msg>) {
    let retry = Retry { base: RETRY_BASE, max_attempts: MAX_ATTEMPTS };
    Pager::new(source, id, triage, tx, retry).run_pass(Pass::Full).await;
}

/// What one pass over a source reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pass {
    /// Every open finding (the initial load), with `Loading` progress.
    Full,
    /// Findings updated at or after this time, whatever their state; the status stays as it is until the end.
    ChangedSince(DateTime<Utc>),
}

/// How a failing page is retried within a pass.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Retry {
    pub base: Duration,
    pub max_attempts: u32,
}

/// How a pass ended.
#[derive(Debug)]
pub(crate) enum PassEnd {
    /// Every page was read; the source is `Ok`.
    Done,
    /// A page failed for good; its status was sent (except `Unsupported` on a `ChangedSince` pass, which is silent).
    Failed(CloudError),
    /// The UI is gone.
    Closed,
}

/// How a source is read, across passes: the API it was last said to read, and a token bucket for the quota of its
/// reads (a new full one when the quota changes, as when the source's API is decided).
#[derive(Debug, Default)]
pub(crate) struct Reading {
    api: Option<SourceApi>,
    pace: Option<(Quota, TokenBucket)>,
    /// Whether the source was asked for its counts (once, after its first page: its API is known by then).
    counted: bool,
}

impl Reading {
    /// The bucket that keeps requests under `quota` (`None`: unlimited).
    fn bucket(&mut self, quota: Option<Quota>) -> Option<&TokenBucket> {
        let Some(quota) = quota else {
            self.pace = None;
            return None;
        };
        if self.pace.as_ref().is_none_or(|(kept, _)| *kept != quota) {
            self.pace = Some((quota, quota.bucket()));
        }
        self.pace.as_ref().map(|(_, bucket)| bucket)
    }

    /// `api` when it is known and was not said before.
    fn newly_decided(&mut self, api: Option<SourceApi>) -> Option<SourceApi> {
        let api = api.filter(|a| self.api != Some(*a))?;
        self.api = Some(api);
        Some(api)
    }
}

/// Asks the source for the counts of its open findings, in the background (paging does not wait), and sends them
/// when it has them; a failure is only logged: the counts are a preview of what paging delivers anyway.
fn count_open(source: Arc<dyn FindingSource>, id: SourceId, triage: Arc<Triage>, tx: UnboundedSender<Msg>) {
    tokio::spawn(async move {
        match source.open_counts(&id).await {
            Ok(Some(counts)) => {
                let totals = OpenTotals::of(&counts, &triage);
                let _ = tx.send(Msg::SourceTotals { source: id, totals });
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(source = %id, error = %e, "the source's counts are not known before paging ends"),
        }
    });
}

/// Reads one source, pass after pass, for the UI.
pub(crate) struct Pager {
    source: Arc<dyn FindingSource>,
    id: SourceId,
    triage: Arc<Triage>,
    tx: UnboundedSender<Msg>,
    retry: Retry,
    /// The API the source reads and the pace its requests keep, across passes.
    reading: Reading,
    /// The findings of the source in the default view (open), across passes, by the hash of their key: the count
    /// `Ok` reports.
    listed: HashSet<u64>,
    /// Where pages are kept on disk; dropped after its first failure (reported once with the page's problems).
    store: Option<Arc<Store>>,
}

impl Pager {
    pub(crate) fn new(
        source: Arc<dyn FindingSource>,
        id: SourceId,
        triage: Arc<Triage>,
        tx: UnboundedSender<Msg>,
        retry: Retry,
    ) -> Self {
        Self { source, id, triage, tx, retry, reading: Reading::default(), listed: HashSet::new(), store: None }
    }

    /// Keeps every page read in `store` as well; the open findings stored for the source count as listed.
    pub(crate) fn keeping_in(mut self, store: Option<Arc<Store>>) -> Self {
        if let Some(Ok(keys)) = store.as_deref().map(|s| s.open_keys(&self.id.account_id, &self.id.region)) {
            self.listed.extend(keys.iter().map(|k| paging_key_hash(&k.id, &k.product_arn)));
        }
        self.store = store;
        self
    }

    /// The channel to the UI.
    pub(crate) fn tx(&self) -> &UnboundedSender<Msg> {
        &self.tx
    }

    /// Reads every page of one pass, keeping to the source's quota and retrying failing pages with backoff, and
    /// sends pages and status to the UI.
    pub(crate) async fn run_pass(&mut self, pass: Pass) -> PassEnd {
        let Self { source, id, triage, tx, retry, reading, listed, store } = self;
        run_pass(source, id, triage, tx, pass, *retry, reading, listed, store).await
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_pass(
    source: &Arc<dyn FindingSource>,
    id: &SourceId,
    triage: &Arc<Triage>,
    tx: &UnboundedSender<Msg>,
    pass: Pass,
    retry: Retry,
    reading: &mut Reading,
    listed: &mut HashSet<u64>,
    store: &mut Option<Arc<Store>>,
) -> PassEnd {
    let mut token = None;
    let mut pages = 0usize;
    let mut total = 0usize;
    let mut attempt = 0u32;
    let send_status = |status| tx.send(Msg::SourceState { source: id.clone(), status }).is_ok();
    if pass == Pass::Full && !send_status(SourceStatus::Loading { pages, findings: total }) {
        return PassEnd::Closed;
    }
    loop {
        if let Some(pacer) = reading.bucket(source.source_quota(id)) {
            tokio::select! {
                () = pacer.acquire() => {}
                _ = tx.closed() => return PassEnd::Closed,
            }
        }
        let result = match pass {
            Pass::Full => source.fetch_page(id, token.clone()).await,
            Pass::ChangedSince(since) => source.fetch_changed_page(id, since, token.clone()).await,
        };
        if let Some(api) = reading.newly_decided(source.api_of(id)) {
            if tx.send(Msg::SourceApi { source: id.clone(), api }).is_err() {
                return PassEnd::Closed;
            }
        }
        match result {
            Ok(page) => {
                attempt = 0;
                pages += 1;
                total += page.findings.len();
                for f in &page.findings {
                    let key = paging_key_hash(&f.id, &f.product_arn);
                    if f.is_open() {
                        listed.insert(key);
                    } else {
                        listed.remove(&key);
                    }
                }
                let mut findings = page.findings;
                let mut problems = page.problems;
                if let Some(Err(e)) = store.as_deref().map(|s| s.upsert(&findings, Utc::now())) {
                    tracing::error!(source = %id, error = %e, "store write failed");
                    problems.push(format!("{e}; findings are no longer kept on disk in this session"));
                    *store = None;
                }
                spill_page(&mut findings);
                let rows = assess_page(findings, triage, Utc::now());
                let quiet = pass != Pass::Full && rows.is_empty() && problems.is_empty();
                // Spawned before the page is sent, not after: a task spawned on a worker takes that worker's next
                // turn, and would push the Store stage (woken by the page to take it next) behind every other
                // source's paging.
                if !std::mem::replace(&mut reading.counted, true) {
                    count_open(source.clone(), id.clone(), triage.clone(), tx.clone());
                }
                if !quiet && tx.send(Msg::FindingsPage { source: id.clone(), rows, problems }).is_err() {
                    return PassEnd::Closed;
                }
                token = page.next_token;
                let done = token.is_none();
                let status = if done {
                    SourceStatus::Ok { findings: listed.len(), synced_at: Utc::now() }
                } else {
                    SourceStatus::Loading { pages, findings: total }
                };
                if (done || pass == Pass::Full) && !send_status(status) {
                    return PassEnd::Closed;
                }
                if done {
                    return PassEnd::Done;
                }
                // A source that answers at once (the simulated organisation, a test double, a cached page) would
                // otherwise keep this worker for all its pages: the Store stage, the timers and the other sources
                // take their turn between two pages.
                tokio::task::yield_now().await;
            }
            Err(CloudError::Unsupported(m)) if matches!(pass, Pass::ChangedSince(_)) => {
                tracing::debug!(source = %id, reason = %m, "source cannot be refreshed");
                return PassEnd::Failed(CloudError::Unsupported(m));
            }
            Err(e) if e.is_retryable() && attempt + 1 < retry.max_attempts => {
                attempt += 1;
                tracing::warn!(source = %id, attempt, error = %e, ?pass, "retrying page");
                if !send_status(SourceStatus::Retrying { attempt, error: e.to_string() }) {
                    return PassEnd::Closed;
                }
                tokio::select! {
                    _ = tokio::time::sleep(backoff(retry.base, attempt)) => {}
                    _ = tx.closed() => return PassEnd::Closed,
                }
            }
            Err(e) => {
                tracing::error!(source = %id, error = %e, ?pass, "source failed");
                let status = match &e {
                    CloudError::AccessDenied(m) => SourceStatus::Denied(m.clone()),
                    CloudError::NotEnabled(m) => SourceStatus::NotEnabled(m.clone()),
                    other => SourceStatus::Failed(other.to_string()),
                };
                if !send_status(status) {
                    return PassEnd::Closed;
                }
                return PassEnd::Failed(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pace_follows_the_quota_and_an_api_is_said_once() {
        let mut reading = Reading::default();
        let cspm = Quota { rate: 3.0, burst: 6 };
        let v2 = Quota { rate: 1.0, burst: 1 };
        assert!(reading.bucket(Some(cspm)).is_some_and(|b| b.try_take().is_ok()));
        assert_eq!(reading.pace.as_ref().map(|(q, _)| *q), Some(cspm));
        let _ = reading.bucket(Some(cspm));
        assert!(reading.bucket(Some(v2)).is_some_and(|b| b.try_take().is_ok() && b.try_take().is_err()));
        assert!(reading.bucket(None).is_none());
        assert_eq!(reading.newly_decided(None), None);
        assert_eq!(reading.newly_decided(Some(SourceApi::V2)), Some(SourceApi::V2));
        assert_eq!(reading.newly_decided(Some(SourceApi::V2)), None);
        assert_eq!(reading.newly_decided(Some(SourceApi::Cspm)), Some(SourceApi::Cspm));
    }

    /// Sources that answer every page at once, as the simulated organisation and test doubles do.
    struct Immediate;

    #[async_trait::async_trait]
    impl FindingSource for Immediate {
        fn sources(&self) -> Vec<SourceId> {
            ["first", "second"]
                .map(|region| SourceId { account_id: "111111111111".into(), region: region.into() })
                .into()
        }
        async fn fetch_page(
            &self,
            _: &SourceId,
            token: Option<String>,
        ) -> Result<crate::cloud::FindingsPage, CloudError> {
            let page: u32 = token.map_or(1, |t| t.parse().unwrap_or(99));
            let next_token = (page < 5).then(|| (page + 1).to_string());
            Ok(crate::cloud::FindingsPage { next_token, ..Default::default() })
        }
    }

    #[tokio::test]
    async fn sources_that_answer_at_once_take_turns_page_by_page() {
        let triage = crate::session::triage(&crate::config::Config::default()).expect("triage");
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        spawn_all(Arc::new(Immediate), triage, tx);
        let mut pages = Vec::new();
        while let Some(msg) = rx.recv().await {
            if let Msg::FindingsPage { source, .. } = msg {
                pages.push(source.region);
            }
        }
        assert_eq!(pages.len(), 10, "{pages:?}");
        // On one thread, a source that kept its turn would send its five pages before the other's first.
        let last_of_first = pages.iter().rposition(|r| r == "first");
        let first_of_second = pages.iter().position(|r| r == "second");
        assert!(first_of_second < last_of_first, "pages arrived as {pages:?}");
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_millis(200);
        assert_eq!(backoff(base, 1), Duration::from_millis(400));
        assert_eq!(backoff(base, 2), Duration::from_millis(800));
        assert_eq!(backoff(base, 6), backoff(base, 60));
    }
}
