//! What `watch` keeps about a message while it is handled, and about a fix it started.

use super::message::EventKind;
use crate::cloud::events::QueueMessage;
use crate::engine::jobs::JobId;
use crate::model::Finding;
use std::collections::BTreeSet;
use std::sync::Arc;

/// A received message whose outcome is not complete yet.
pub(super) struct Pending {
    pub(super) message: QueueMessage,
    pub(super) kind: EventKind,
    /// Jobs whose outcome the message waits for.
    pub(super) waiting: BTreeSet<JobId>,
    /// Findings of the event that could not be read.
    pub(super) problems: Vec<String>,
    /// Fixes that did not end in the desired state.
    pub(super) failures: Vec<String>,
    /// When its visibility was last set: at the receive (which hid it for `watch.visibility_seconds`), then at
    /// every extension while its fixes run.
    pub(super) extended_at: tokio::time::Instant,
}

impl Pending {
    pub(super) fn new(message: QueueMessage, kind: &EventKind) -> Self {
        Self {
            message,
            kind: kind.clone(),
            waiting: BTreeSet::new(),
            problems: Vec::new(),
            failures: Vec::new(),
            extended_at: tokio::time::Instant::now(),
        }
    }

    /// Why the message must stay in the queue (to be tried again, then dead-lettered), if it must.
    pub(super) fn reason_to_leave(&self) -> Option<String> {
        if !self.failures.is_empty() {
            return Some(format!(
                "{} fix(es) failed ({}); it comes back after its visibility timeout to be tried again",
                self.failures.len(),
                self.failures.join("; ")
            ));
        }
        if !self.problems.is_empty() {
            return Some(format!(
                "{} finding(s) of the event could not be read; left to the queue's redrive policy (dead-letter \
                 queue) so that nothing is lost",
                self.problems.len()
            ));
        }
        None
    }

    /// When a message left after a failed fix should come back: sooner the first times, at most five minutes.
    /// `None` for one that cannot be read: it waits out its visibility timeout on its way to the dead-letter queue.
    pub(super) fn retry_after(&self) -> Option<std::time::Duration> {
        (!self.failures.is_empty()).then(|| {
            let seconds = 5u64 << self.message.receive_count.clamp(1, 7).saturating_sub(1);
            std::time::Duration::from_secs(seconds.min(300))
        })
    }
}

/// A fix `watch` started.
pub(super) struct RunningFix {
    pub(super) finding: Arc<Finding>,
    /// The audit log's name of the job, once its first update arrived.
    pub(super) audit_job: Option<String>,
    /// Messages whose outcome is this fix's.
    pub(super) messages: Vec<String>,
    /// How many times it was submitted (a fix refused for someone else's lease is tried again).
    pub(super) tries: u32,
    /// Whether other replicas were told that this copy is fixed (at verification, before the lease is released).
    pub(super) recorded: bool,
    /// When this process last claimed (or renewed its claim on) this copy of the finding; `None`: not claimed yet.
    pub(super) claimed_at: Option<tokio::time::Instant>,
    /// How many times the claim was found held by another process (its outcome awaited).
    pub(super) waits: u32,
    /// Not waiting for a job slot: awaiting another replica's outcome or the end of someone else's lease.
    pub(super) resting: bool,
}
