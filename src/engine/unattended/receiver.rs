//! Receives from the queue in its own task, so a long poll is never cut short (a ReceiveMessage dropped midway would
//! hide the messages it took until their visibility timeout), and only while there is room for more work: fewer
//! than `max_in_flight` messages handled, and few enough fixes waiting for a job slot that new ones start soon —
//! the rest stays in the queue, for whichever replica has room first. The room counts the messages already
//! received and not yet handed over (never more than the room asks for), and room that opens wakes the task at once.

use super::WatchSettings;
use crate::cloud::events::{EventQueue, QueueMessage};
use crate::cloud::CloudError;
use futures::stream::{FuturesUnordered, StreamExt};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, Notify};

/// Longest wait before receiving again after the queue failed.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// How much room the engine has, and how many received messages it had been handed when it said so.
#[derive(Default)]
struct Room {
    room: usize,
    handed: usize,
}

/// What the engine and the receiving task share.
#[derive(Default)]
struct Shared {
    room: Mutex<Room>,
    /// Wakes the task waiting for room (or to stop).
    wake: Notify,
    stopped: AtomicBool,
}

impl Shared {
    /// Room for more messages now, given that `received` were received in all: those not handed over yet (the
    /// engine has not counted them) take their share of it.
    fn room_after(&self, received: usize) -> usize {
        let room = self.room.lock().unwrap_or_else(|p| p.into_inner());
        room.room.saturating_sub(received.saturating_sub(room.handed))
    }
}

/// The receiving task's end: batches come out here.
pub(super) struct Batches {
    rx: mpsc::Receiver<Result<Vec<QueueMessage>, CloudError>>,
    shared: Arc<Shared>,
    /// Messages handed over so far.
    handed: usize,
}

impl Batches {
    /// The next batch, telling the task how many more messages there is room for now (counting every message
    /// handed over before); `None` once it stopped.
    pub(super) async fn next(&mut self, room: usize) -> Option<Result<Vec<QueueMessage>, CloudError>> {
        *self.shared.room.lock().unwrap_or_else(|p| p.into_inner()) = Room { room, handed: self.handed };
        if room > 0 {
            self.shared.wake.notify_one();
        }
        let batch = self.rx.recv().await;
        if let Some(Ok(messages)) = &batch {
            self.handed += messages.len();
        }
        batch
    }

    /// Receives no more (a receive under way ends on its own; what it got comes back to the queue).
    pub(super) fn stop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        self.shared.wake.notify_one();
        self.rx.close();
    }
}

/// Receives at most this many at once (SQS gives up to ten messages per receive): room for more than one batch is
/// filled by receives side by side, so a replica whose messages mostly need no fix takes them in as fast as it
/// handles them.
const RECEIVES_AT_ONCE: usize = 3;

/// Starts receiving.
pub(super) fn spawn(queue: Arc<dyn EventQueue>, settings: &WatchSettings) -> Batches {
    let (tx, rx) = mpsc::channel(RECEIVES_AT_ONCE);
    let shared = Arc::new(Shared::default());
    let task = shared.clone();
    let (wait, once, visibility) = (settings.wait, settings.once, settings.visibility);
    // `--once` drains: a short poll that comes back empty means the queue is (one at a time, so that no other
    // receive is under way then).
    let (wait, at_once) = if once { (wait.min(Duration::from_secs(2)), 1) } else { (wait, RECEIVES_AT_ONCE) };
    tokio::spawn(async move {
        let (mut failures, mut received, mut asked) = (0u32, 0usize, 0usize);
        let mut receives = FuturesUnordered::new();
        while !task.stopped.load(Ordering::SeqCst) {
            // Messages asked for by receives under way count against the room until they come back.
            let room = task.room_after(received).saturating_sub(asked);
            if room > 0 && receives.len() < at_once {
                let max = room.min(10);
                asked += max;
                let queue = queue.clone();
                // Hidden for `watch.visibility_seconds` from the start: renewed only once a third of it has passed.
                receives.push(async move { (max, queue.receive(max as u32, wait, Some(visibility)).await) });
                continue;
            }
            let (max, batch) = tokio::select! {
                Some(done) = receives.next(), if !receives.is_empty() => done,
                _ = task.wake.notified() => continue,
            };
            asked -= max;
            let failed = batch.is_err();
            if let Ok(messages) = &batch {
                received += messages.len();
            }
            if tx.send(batch).await.is_err() {
                break;
            }
            if failed {
                failures += 1;
                let pause = Duration::from_secs(1 << failures.min(6)).min(MAX_BACKOFF);
                tokio::time::sleep(pause).await;
            } else {
                failures = 0;
            }
        }
        // Receives under way end on their own (what they got comes back to the queue after its visibility timeout).
        while receives.next().await.is_some() {}
    });
    Batches { rx, shared, handed: 0 }
}

#[cfg(test)]
#[path = "receiver_tests.rs"]
mod tests;
