//! Finding events from a queue (EventBridge → SQS): what `watch` consumes and what `--events-queue` pushes into the
//! TUI. A message is deleted only after its outcome is in the audit log; one not deleted comes back after its
//! visibility timeout and, after the queue's `maxReceiveCount`, goes to its dead-letter queue.

use async_trait::async_trait;
use std::time::Duration;

use super::CloudError;

/// One message as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueMessage {
    pub message_id: String,
    /// Needed to delete the message or extend its visibility; changes on every receive.
    pub receipt: String,
    /// How many times the queue has handed this message out, this one included.
    pub receive_count: u32,
    /// The body: an EventBridge envelope, as JSON text.
    pub body: String,
}

/// A queue of finding events.
#[async_trait]
pub trait EventQueue: Send + Sync {
    /// The queue, for logs (its URL).
    fn describe(&self) -> String;

    /// Long-polls for up to `max` messages (at most 10), waiting up to `wait` (at most 20 s) for the first; those
    /// received are hidden from other consumers for `visibility` when given, else for the queue's own timeout.
    async fn receive(
        &self,
        max: u32,
        wait: Duration,
        visibility: Option<Duration>,
    ) -> Result<Vec<QueueMessage>, CloudError>;

    /// Keeps a message hidden from other consumers for `timeout` from now (while its fix runs).
    async fn extend(&self, receipt: &str, timeout: Duration) -> Result<(), CloudError>;

    /// Deletes a handled message.
    async fn delete(&self, receipt: &str) -> Result<(), CloudError>;

    /// Deletes handled messages (up to ten in one call where the queue allows it); one result per receipt, in order.
    async fn delete_all(&self, receipts: &[String]) -> Vec<Result<(), CloudError>> {
        let mut results = Vec::with_capacity(receipts.len());
        for receipt in receipts {
            results.push(self.delete(receipt).await);
        }
        results
    }
}
