//! What `watch` does to the messages themselves: delete once handled, leave (and say when they come back), keep
//! hidden while their fixes run. Calls for several messages go out together: the loop that handles messages and
//! job updates waits for one round trip, not one per message.

use super::log::Decision;
use super::Watch;
use futures::future::join_all;

impl Watch {
    /// Deletes every message whose outcome is complete and good; leaves those with a failure to the queue.
    pub(super) async fn finish_ready(&mut self) {
        let ready: Vec<String> =
            self.pending.iter().filter(|(_, p)| p.waiting.is_empty()).map(|(id, _)| id.clone()).collect();
        let mut deleting = Vec::new();
        let mut retrying = Vec::new();
        for id in ready {
            let Some(pending) = self.pending.remove(&id) else { continue };
            if let Some(why) = pending.reason_to_leave() {
                self.summary.left += 1;
                self.log.write(&Decision::new("left").message(&id).reason(why));
                if let Some(after) = pending.retry_after() {
                    // A failed fix is tried again soon (backing off per receive), not after the whole timeout.
                    retrying.push((id, pending.message.receipt, after));
                }
                continue;
            }
            deleting.push((id, pending.message.receipt));
        }
        let queue = self.queue.clone();
        let retried = join_all(retrying.iter().map(|(_, receipt, after)| queue.extend(receipt, *after)));
        let deleted = join_all(deleting.iter().map(|(_, receipt)| queue.delete(receipt)));
        let (retried, deleted) = futures::join!(retried, deleted);
        for ((id, _, _), result) in retrying.iter().zip(retried) {
            if let Err(e) = result {
                self.log.write(&Decision::new("problem").message(id).reason(format!(
                    "setting when it comes back failed ({e}): it comes back after its visibility timeout"
                )));
            }
        }
        for ((id, _), result) in deleting.iter().zip(deleted) {
            match result {
                Ok(()) => {
                    self.summary.deleted += 1;
                    self.log.write(&Decision::new("deleted").message(id));
                }
                Err(e) => {
                    self.summary.left += 1;
                    self.log.write(
                        &Decision::new("left")
                            .message(id)
                            .reason(format!("deleting it failed ({e}); it comes back and changes nothing twice")),
                    );
                }
            }
        }
    }

    /// Keeps the messages whose fixes run hidden from other consumers: each once a third of its visibility has
    /// passed since it was received or last extended.
    pub(super) async fn extend_visibility(&mut self) {
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
        let (queue, visibility) = (self.queue.clone(), self.settings.visibility);
        let results = join_all(extending.iter().map(|(_, receipt)| queue.extend(receipt, visibility))).await;
        for ((id, _), result) in extending.iter().zip(results) {
            if let Err(e) = result {
                self.log.write(&Decision::new("problem").message(id).reason(format!(
                    "extending its visibility failed ({e}): another consumer may receive it; the lease keeps the \
                     resource from being changed twice"
                )));
            }
        }
    }
}
