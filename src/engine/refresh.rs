//! Live refresh: one task per source loads it, then every `every` (and whenever the UI asks) fetches what changed
//! since the last sync — `UpdatedAt` from the start of the last good sync minus an overlap window, whatever the
//! findings' state, so resolved, suppressed and archived findings come back and leave the default view. Pages go to
//! the UI as `Msg::FindingsPage` (the listing upserts by ProductArn + Id, newer `UpdatedAt` wins). A failing source
//! is retried with backoff; a source that never loaded is loaded again in full; nothing already sent is taken back.

use super::ingest::{backoff, Pager, Pass, PassEnd, Retry};
use super::Msg;
use crate::cloud::{CloudError, FindingSource, SourceId};
use crate::store::Store;
use crate::triage::Triage;
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;

/// How sources are refreshed and retried.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshSettings {
    /// Time between incremental refreshes; `None`: only when asked (`RefreshHandle::now`).
    pub every: Option<Duration>,
    /// How far before the start of the last good sync a refresh reaches back (clock skew, eventual consistency).
    pub overlap: chrono::Duration,
    /// First wait before retrying a failing page; doubles per attempt.
    pub page_retry: Duration,
    /// Attempts at one page before the pass is given up (the source shows the error).
    pub max_attempts: u32,
    /// First wait before a source whose last pass failed is tried again; doubles per failed pass, never more than
    /// `every` (or ten minutes without `every`).
    pub source_retry: Duration,
}

impl Default for RefreshSettings {
    fn default() -> Self {
        Self {
            every: Some(Duration::from_secs(60)),
            overlap: chrono::Duration::minutes(5),
            page_retry: Duration::from_millis(200),
            max_attempts: 6,
            source_retry: Duration::from_secs(15),
        }
    }
}

impl RefreshSettings {
    /// The defaults with `every` from the backend (`aws.refresh_seconds`).
    pub fn every(every: Option<Duration>) -> Self {
        Self { every, ..Self::default() }
    }

    /// Wait after `failures` (≥ 1) failed passes in a row.
    fn after_failures(&self, failures: u32) -> Duration {
        let cap = self.every.unwrap_or(Duration::from_secs(600));
        backoff(self.source_retry, failures.saturating_sub(1)).min(cap)
    }
}

/// Asks every source for a refresh now. Cheap to clone; requests made while a refresh runs cause one more after it.
#[derive(Debug, Clone)]
pub struct RefreshHandle {
    requests: Arc<watch::Sender<u64>>,
}

impl RefreshHandle {
    /// Refresh every source now (a source in the middle of a pass refreshes again when it ends).
    pub fn now(&self) {
        self.requests.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// Starts one task per source: the initial load, then live refresh. Tasks end when the UI's receiver is dropped.
pub fn spawn_all(
    source: Arc<dyn FindingSource>,
    triage: Arc<Triage>,
    tx: UnboundedSender<Msg>,
    settings: RefreshSettings,
) -> RefreshHandle {
    spawn_with_store(source, triage, tx, settings, None)
}

/// [`spawn_all`] keeping every page in `store`: a source with a mark there starts with a delta sync from it
/// (the stored findings are already on screen), and each complete pass moves its mark.
pub fn spawn_with_store(
    source: Arc<dyn FindingSource>,
    triage: Arc<Triage>,
    tx: UnboundedSender<Msg>,
    settings: RefreshSettings,
    store: Option<Arc<Store>>,
) -> RefreshHandle {
    let (requests, _) = watch::channel(0u64);
    let handle = RefreshHandle { requests: Arc::new(requests) };
    let marks = match store.as_deref().map(Store::marks) {
        Some(Ok(marks)) => marks,
        Some(Err(e)) => {
            tracing::warn!(error = %e, "store marks unreadable: every source loads in full");
            Default::default()
        }
        None => Default::default(),
    };
    for id in source.sources() {
        let (source, triage, tx, settings) = (source.clone(), triage.clone(), tx.clone(), settings.clone());
        let requests = handle.requests.subscribe();
        let (store, mark) = (store.clone(), marks.get(&id).copied());
        tokio::spawn(async move { source_loop(source, id, triage, tx, settings, requests, store, mark).await });
    }
    handle
}

/// Loads one source (from `mark` on, when the store has one), then refreshes it until the UI goes away or the
/// source cannot be refreshed.
#[allow(clippy::too_many_arguments)]
async fn source_loop(
    source: Arc<dyn FindingSource>,
    id: SourceId,
    triage: Arc<Triage>,
    tx: UnboundedSender<Msg>,
    settings: RefreshSettings,
    requests: watch::Receiver<u64>,
    store: Option<Arc<Store>>,
    mark: Option<chrono::DateTime<Utc>>,
) {
    let retry = Retry { base: settings.page_retry, max_attempts: settings.max_attempts.max(1) };
    let mut requests = Some(requests);
    let mut pager = Pager::new(source, id.clone(), triage, tx, retry).keeping_in(store.clone());
    // Start of the last pass that read every page: findings updated before it are known.
    let mut synced_from = mark;
    let mut failures = 0u32;
    loop {
        if let Some(rx) = requests.as_mut() {
            // Requests made before this pass starts are served by it.
            rx.borrow_and_update();
        }
        let started = Utc::now();
        let pass = match synced_from {
            None => Pass::Full,
            Some(from) => Pass::ChangedSince(from - settings.overlap),
        };
        match pager.run_pass(pass).await {
            PassEnd::Done => {
                synced_from = Some(started);
                failures = 0;
                if let Some(Err(e)) = store.as_deref().map(|s| s.mark_synced(&id, started)) {
                    tracing::warn!(source = %id, error = %e, "the store did not take the sync mark");
                }
            }
            PassEnd::Closed => return,
            PassEnd::Failed(CloudError::Unsupported(_)) if pass != Pass::Full => return,
            PassEnd::Failed(_) => failures = failures.saturating_add(1),
        }
        let wait = if failures > 0 { Some(settings.after_failures(failures)) } else { settings.every };
        if !wait_for_next(wait, &mut requests, pager.tx()).await {
            return;
        }
    }
}

/// Waits `wait` (forever with `None`) or until a refresh is requested. False when the UI is gone.
async fn wait_for_next(
    wait: Option<Duration>,
    requests: &mut Option<watch::Receiver<u64>>,
    tx: &UnboundedSender<Msg>,
) -> bool {
    let sleep = async {
        match wait {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(sleep);
    loop {
        let requested = async {
            match requests.as_mut() {
                Some(rx) => rx.changed().await.is_ok(),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = &mut sleep => return true,
            _ = tx.closed() => return false,
            asked = requested => {
                if asked {
                    return true;
                }
                // The handle is gone: only the timer is left.
                *requests = None;
            }
        }
    }
}

#[cfg(test)]
mod tests;
