//! Receives from the queue in its own task, so a long poll is never cut short (a ReceiveMessage dropped midway would
//! hide the messages it took until their visibility timeout), and only while there is room for more work: fewer
//! than `max_in_flight` messages handled, and few enough fixes waiting for a job slot that new ones start soon —
//! the rest stays in the queue, for whichever replica has room first.

use super::WatchSettings;
use crate::cloud::events::{EventQueue, QueueMessage};
use crate::cloud::CloudError;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Longest wait before receiving again after the queue failed.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The receiving task's end: batches come out here.
pub(super) struct Batches {
    rx: mpsc::Receiver<Result<Vec<QueueMessage>, CloudError>>,
    room: Arc<AtomicUsize>,
    stopped: Arc<AtomicBool>,
}

impl Batches {
    /// The next batch, telling the task how many more messages there is room for now; `None` once it stopped.
    pub(super) async fn next(&mut self, room: usize) -> Option<Result<Vec<QueueMessage>, CloudError>> {
        self.room.store(room, Ordering::SeqCst);
        self.rx.recv().await
    }

    /// Receives no more (a receive under way ends on its own; what it got comes back to the queue).
    pub(super) fn stop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.rx.close();
    }
}

/// Starts receiving.
pub(super) fn spawn(queue: Arc<dyn EventQueue>, settings: &WatchSettings) -> Batches {
    let (tx, rx) = mpsc::channel(1);
    let room = Arc::new(AtomicUsize::new(0));
    let stopped = Arc::new(AtomicBool::new(false));
    let (room_of, stop) = (room.clone(), stopped.clone());
    let (wait, once, visibility) = (settings.wait, settings.once, settings.visibility);
    tokio::spawn(async move {
        let mut failures = 0u32;
        while !stop.load(Ordering::SeqCst) {
            let room = room_of.load(Ordering::SeqCst);
            if room == 0 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            // `--once` drains: a short poll that comes back empty means the queue is.
            let wait = if once { wait.min(Duration::from_secs(2)) } else { wait };
            // Hidden for `watch.visibility_seconds` from the start: renewed only once a third of it has passed.
            let batch = queue.receive(room.min(10) as u32, wait, Some(visibility)).await;
            let failed = batch.is_err();
            if tx.send(batch).await.is_err() {
                return;
            }
            if failed {
                failures += 1;
                let pause = Duration::from_secs(1 << failures.min(6)).min(MAX_BACKOFF);
                tokio::time::sleep(pause).await;
            } else {
                failures = 0;
            }
        }
    });
    Batches { rx, room, stopped }
}
