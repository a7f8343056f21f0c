//! What `watch` does to the messages themselves: delete once handled, leave (and say when they come back), keep
//! hidden while their fixes run.

use super::log::Decision;
use super::Watch;

impl Watch {
    /// Deletes every message whose outcome is complete and good; leaves those with a failure to the queue.
    pub(super) async fn finish_ready(&mut self) {
        let ready: Vec<String> =
            self.pending.iter().filter(|(_, p)| p.waiting.is_empty()).map(|(id, _)| id.clone()).collect();
        for id in ready {
            let Some(pending) = self.pending.remove(&id) else { continue };
            if let Some(why) = pending.reason_to_leave() {
                self.summary.left += 1;
                self.log.write(&Decision::new("left").message(&id).reason(why));
                if let Some(after) = pending.retry_after() {
                    // A failed fix is tried again soon (backing off per receive), not after the whole timeout.
                    if let Err(e) = self.queue.extend(&pending.message.receipt, after).await {
                        self.log.write(&Decision::new("problem").message(&id).reason(format!(
                            "setting when it comes back failed ({e}): it comes back after its visibility timeout"
                        )));
                    }
                }
                continue;
            }
            match self.queue.delete(&pending.message.receipt).await {
                Ok(()) => {
                    self.summary.deleted += 1;
                    self.log.write(&Decision::new("deleted").message(&id));
                }
                Err(e) => {
                    self.summary.left += 1;
                    self.log.write(
                        &Decision::new("left")
                            .message(&id)
                            .reason(format!("deleting it failed ({e}); it comes back and changes nothing twice")),
                    );
                }
            }
        }
    }

    /// Keeps the messages whose fixes run hidden from other consumers.
    pub(super) async fn extend_visibility(&mut self) {
        let due = self.settings.visibility / 3;
        for pending in self.pending.values_mut().filter(|p| !p.waiting.is_empty()) {
            if pending.extended_at.is_some_and(|at| at.elapsed() < due) {
                continue;
            }
            pending.extended_at = Some(tokio::time::Instant::now());
            if let Err(e) = self.queue.extend(&pending.message.receipt, self.settings.visibility).await {
                self.log.write(&Decision::new("problem").message(&pending.message.message_id).reason(format!(
                    "extending its visibility failed ({e}): another consumer may receive it; the lease keeps the \
                     resource from being changed twice"
                )));
            }
        }
    }
}
