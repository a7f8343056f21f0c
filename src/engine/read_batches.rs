//! Reads of the resources an adapter reads many at a time (`Resources::reads_together`: security groups,
//! instances), gathered per account, region and kind for a moment (`LINGER`, or until `PER_BATCH` wait) and sent as
//! one `read_states`. The findings of a page arrive together, so their groups and instances cost one call a page
//! instead of one or two each.

use crate::cloud::Resources;
use crate::model::ResourceRef;
use crate::playbook::ResourceState;
use futures::future::{BoxFuture, FutureExt};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::oneshot;

/// How long the first read of a batch waits for others.
const LINGER: Duration = Duration::from_millis(10);
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
}

impl ReadBatches {
    pub(super) fn new(resources: Arc<dyn Resources>) -> Arc<Self> {
        Arc::new(Self { resources, waiting: Mutex::new(HashMap::new()) })
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

    /// Sends the batch under `key` after `LINGER`, unless it went out full before.
    fn send_after_linger(self: &Arc<Self>, key: BatchKey) {
        let batches = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(LINGER).await;
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
