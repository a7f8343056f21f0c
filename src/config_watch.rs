//! `[watch]`: the unattended engine fed by EventBridge through SQS.

use serde::Deserialize;

/// `[watch]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct WatchConfig {
    /// The SQS queue the EventBridge rule delivers finding events to (`--queue-url` wins).
    pub queue_url: Option<String>,
    /// A message received more often than this is not handled again: it is left to the queue's redrive policy
    /// (its dead-letter queue), with the reason logged. Keep it at or below the queue's `maxReceiveCount`.
    pub max_receives: u32,
    /// While a message's fix runs its visibility is extended by this many seconds at a time.
    pub visibility_seconds: u64,
    /// Seconds between delta syncs of every source (the safety net for missed events); 0 turns them off.
    pub sync_seconds: u64,
    /// Messages being handled at once (received but not yet deleted or left).
    pub max_in_flight: usize,
}

impl Default for WatchConfig {
    fn default() -> Self {
        Self { queue_url: None, max_receives: 5, visibility_seconds: 120, sync_seconds: 900, max_in_flight: 40 }
    }
}

impl WatchConfig {
    /// Says what is wrong with a value, in the words of the config file.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_receives == 0 {
            return Err("watch.max_receives: at least 1".into());
        }
        if !(10..=43_200).contains(&self.visibility_seconds) {
            return Err("watch.visibility_seconds: between 10 and 43200 (SQS's limit, 12 hours)".into());
        }
        if self.max_in_flight == 0 {
            return Err("watch.max_in_flight: at least 1".into());
        }
        Ok(())
    }
}
