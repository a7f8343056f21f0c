//! What `watch` does to the messages themselves: delete once handled, leave (and say when they come back), keep
//! hidden while their fixes run. The calls run beside the loop that handles messages and job updates (it never
//! waits a round trip per message); their results come back to it to be logged and counted.

use super::log::Decision;
use super::Watch;
use crate::cloud::CloudError;
use tokio::task::JoinError;

/// A queue call that ended: which messages, what it was, and how it went for each.
pub(super) struct QueueCall {
    ids: Vec<String>,
    kind: CallKind,
    results: Vec<Result<(), CloudError>>,
}

#[derive(Clone, Copy)]
enum CallKind {
    Delete,
    /// When a message left after a failure comes back.
    Retry,
    Extend,
}

impl Watch {
    /// Deletes every message whose outcome is complete and good; leaves those with a failure to the queue.
    pub(super) fn finish_ready(&mut self) {
        let ready: Vec<String> =
            self.pending.iter().filter(|(_, p)| p.waiting.is_empty()).map(|(id, _)| id.clone()).collect();
        let (mut ids, mut receipts) = (Vec::new(), Vec::new());
        for id in ready {
            let Some(pending) = self.pending.remove(&id) else { continue };
            if let Some(why) = pending.reason_to_leave() {
                self.summary.left += 1;
                self.log.write(&Decision::new("left").message(&id).reason(why));
                if let Some(after) = pending.retry_after() {
                    // A failed fix is tried again soon (backing off per receive), not after the whole timeout.
                    self.queue_call(id, CallKind::Retry, pending.message.receipt, after);
                }
                continue;
            }
            ids.push(id);
            receipts.push(pending.message.receipt);
        }
        if !ids.is_empty() {
            // Together: DeleteMessageBatch takes up to ten at once.
            let queue = self.queue.clone();
            self.queue_calls.spawn(async move {
                let results = queue.delete_all(&receipts).await;
                QueueCall { ids, kind: CallKind::Delete, results }
            });
        }
    }

    /// Keeps the messages whose fixes run hidden from other consumers: each once a third of its visibility has
    /// passed since it was received or last extended.
    pub(super) fn extend_visibility(&mut self) {
        let due = self.settings.visibility / 3;
        let now = tokio::time::Instant::now();
        let mut extending = Vec::new();
        for pending in self.pending.values_mut().filter(|p| !p.waiting.is_empty()) {
            if pending.extended_at.elapsed() < due {
                continue;
            }
            pending.extended_at = now;
            extending.push((pending.message.message_id.clone(), pending.message.receipt.clone()));
        }
        for (id, receipt) in extending {
            self.queue_call(id, CallKind::Extend, receipt, self.settings.visibility);
        }
    }

    /// Starts hiding a message for `timeout` from now, beside the loop.
    fn queue_call(&mut self, id: String, kind: CallKind, receipt: String, timeout: std::time::Duration) {
        let queue = self.queue.clone();
        self.queue_calls.spawn(async move {
            let result = queue.extend(&receipt, timeout).await;
            QueueCall { ids: vec![id], kind, results: vec![result] }
        });
    }

    /// A call on messages ended: logged and counted.
    pub(super) fn queue_call_ended(&mut self, call: Result<QueueCall, JoinError>) {
        let QueueCall { ids, kind, results } = match call {
            Ok(call) => call,
            Err(e) => {
                let why = format!("a queue call stopped ({e}): its message comes back after its visibility timeout");
                return self.log.write(&Decision::new("problem").reason(why));
            }
        };
        for (id, result) in ids.iter().zip(results) {
            self.message_call_ended(id, kind, result);
        }
    }

    fn message_call_ended(&mut self, id: &str, kind: CallKind, result: Result<(), CloudError>) {
        match (kind, result) {
            (CallKind::Delete, Ok(())) => {
                self.summary.deleted += 1;
                self.log.write(&Decision::new("deleted").message(id));
            }
            (CallKind::Delete, Err(e)) => {
                self.summary.left += 1;
                self.log.write(
                    &Decision::new("left")
                        .message(id)
                        .reason(format!("deleting it failed ({e}); it comes back and changes nothing twice")),
                );
            }
            (CallKind::Retry, Err(e)) => self.log.write(&Decision::new("problem").message(id).reason(format!(
                "setting when it comes back failed ({e}): it comes back after its visibility timeout"
            ))),
            (CallKind::Extend, Err(e)) => self.log.write(&Decision::new("problem").message(id).reason(format!(
                "extending its visibility failed ({e}): another consumer may receive it; the lease keeps the \
                 resource from being changed twice"
            ))),
            (_, Ok(())) => {}
        }
    }
}
