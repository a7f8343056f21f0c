//! How `watch` runs, and what a run did.

use std::collections::BTreeSet;
use std::time::Duration;

/// How `watch` runs.
#[derive(Debug, Clone)]
pub struct WatchSettings {
    /// The auto-fix switch: `auto-fix` verdicts are applied (a console custom action applies them either way).
    pub auto_fix: bool,
    /// A message received more often is left to the queue's redrive policy unhandled.
    pub max_receives: u32,
    /// Visibility given to a message whose fix runs, renewed at a third of it.
    pub visibility: Duration,
    /// Messages handled at once.
    pub max_in_flight: usize,
    /// Drain the queue, finish what it asked for, and stop (no delta sync).
    pub once: bool,
    /// Accounts fixes may run in (`aws.accounts`); `None`: any.
    pub accounts: Option<BTreeSet<String>>,
    /// How long a long poll waits for a first message.
    pub wait: Duration,
    /// Longest wait for running fixes once stopping.
    pub stop_grace: Duration,
    /// Closed findings are pruned from the store this many days after they closed (`[store] retention_days`).
    pub retention_days: u32,
}

impl Default for WatchSettings {
    fn default() -> Self {
        Self {
            auto_fix: false,
            max_receives: 5,
            visibility: Duration::from_secs(120),
            max_in_flight: 40,
            once: false,
            accounts: None,
            wait: Duration::from_secs(20),
            stop_grace: Duration::from_secs(60),
            retention_days: 90,
        }
    }
}

/// What a run did, for its exit status.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WatchSummary {
    pub received: usize,
    pub deleted: usize,
    /// Left to the queue: unreadable, failed, or unfinished when stopped.
    pub left: usize,
    pub fixed: usize,
    pub failed: usize,
}
