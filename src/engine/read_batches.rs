//! Reads of the resources an adapter reads many at a time (`Resources::reads_together`: security groups,
//! instances), gathered per account, region and kind and sent as one `read_states` once `PER_BATCH` wait or the first
//! of them has waited `LINGER` — a little longer than a source takes between two pages (Security Hub serves about 3
//! a second), so the groups and instances of two pages share their calls. Once the last page is in, what waits goes
//! out at once and later reads wait only `LINGER_AT_END`.

use crate::cloud::Resources;
use crate::model::ResourceRef;
use crate::playbook::ResourceState;
use futures::future::{BoxFuture, FutureExt};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::oneshot;

/// How long the first read of a batch waits for others while pages arrive.
const LINGER: Duration = Duration::from_millis(400);
/// The same once the last page is in (the reads of its findings are being asked for).
const LINGER_AT_END: Duration = Duration::from_millis(10);
/// At most this many resources in one batch.
const PER_BATCH: usize = 100;

type Answer = oneshot::Sender<Result<Arc<ResourceState>, String>>;

/// The finding's account and region, and the kind of resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct BatchKey {
    account_id: String,
    region: String,
    kind: String,
}

/// Batches being gathered.
pub(super) struct ReadBatches {
    resources: Arc<dyn Resources>,
    waiting: Mutex<HashMap<BatchKey, Vec<(ResourceRef, Answer)>>>,
    /// Whether the last page is in.
    pages_in: AtomicBool,
}

impl ReadBatches {
    pub(super) fn new(resources: Arc<dyn Resources>) -> Arc<Self> {
        Arc::new(Self { resources, waiting: Mutex::new(HashMap::new()), pages_in: AtomicBool::new(false) })
    }

    /// Never held across an await; a poisoned map still holds whole entries.
    fn waiting(&self) -> MutexGuard<'_, HashMap<BatchKey, Vec<(ResourceRef, Answer)>>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The resource's state, once the batch it joins is read; the error names the resource.
    pub(super) fn read(
        self: &Arc<Self>,
        account_id: &str,
        region: &str,
        resource: &ResourceRef,
    ) -> BoxFuture<'static, Result<Arc<ResourceState>, String>> {
        let (answer, answered) = oneshot::channel();
        let key = BatchKey { account_id: account_id.into(), region: region.into(), kind: resource.kind.to_string() };
        let full = {
            let mut waiting = self.waiting();
            let batch = waiting.entry(key.clone()).or_default();
            batch.push((resource.clone(), answer));
            if batch.len() == 1 {
                self.send_after_linger(key.clone());
            }
            if batch.len() >= PER_BATCH {
                waiting.remove(&key)
            } else {
                None
            }
        };
        if let Some(batch) = full {
            self.send(key, batch);
        }
        async move { answered.await.unwrap_or_else(|_| Err("the read stopped".into())) }.boxed()
    }

    /// No more pages: what waits goes out now, and later reads wait only `LINGER_AT_END`.
    pub(super) fn last_page_in(&self) {
        self.pages_in.store(true, Ordering::SeqCst);
        let waiting = std::mem::take(&mut *self.waiting());
        for (key, batch) in waiting {
            self.send(key, batch);
        }
    }

    /// Sends the batch under `key` after its linger, unless it went out before.
    fn send_after_linger(self: &Arc<Self>, key: BatchKey) {
        let batches = self.clone();
        let linger = if self.pages_in.load(Ordering::SeqCst) { LINGER_AT_END } else { LINGER };
        tokio::spawn(async move {
            tokio::time::sleep(linger).await;
            let batch = batches.waiting().remove(&key);
            if let Some(batch) = batch {
                batches.send(key, batch);
            }
        });
    }

    /// Reads a batch as a task of its own and answers each of its resources.
    fn send(&self, key: BatchKey, batch: Vec<(ResourceRef, Answer)>) {
        let resources = self.resources.clone();
        tokio::spawn(async move {
            let (refs, answers): (Vec<ResourceRef>, Vec<Answer>) = batch.into_iter().unzip();
            let states = resources.read_states(&key.account_id, &key.region, &refs).await;
            for ((resource, answer), state) in refs.iter().zip(answers).zip(states) {
                let state = state
                    .map(Arc::new)
                    .map_err(|e| format!("reading {} in {}/{}: {e}", resource.short_id(), key.account_id, key.region));
                let _ = answer.send(state);
            }
        });
    }
}

#[cfg(test)]
#[path = "read_batches_tests.rs"]
mod tests;
