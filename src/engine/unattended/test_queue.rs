//! A queue in memory for the engine's tests: it behaves as SQS does for one consumer.
#![allow(clippy::unwrap_used)]

use crate::cloud::events::{EventQueue, QueueMessage};
use crate::cloud::CloudError;
use async_trait::async_trait;
use std::sync::Mutex;
use std::time::Duration;

/// A queue in memory: messages go out once (until put back by a test), deletions and extensions are recorded.
#[derive(Default)]
pub(super) struct MemQueue {
    ready: Mutex<Vec<QueueMessage>>,
    deleted: Mutex<Vec<String>>,
    extended: Mutex<Vec<(String, Duration)>>,
    /// How many messages each receive asked for.
    asked: Mutex<Vec<u32>>,
    /// How long a receive takes.
    delay: Mutex<Duration>,
}

impl MemQueue {
    pub(super) fn send(&self, id: &str, body: &str, receive_count: u32) {
        let message =
            QueueMessage { message_id: id.into(), receipt: format!("receipt-{id}"), receive_count, body: body.into() };
        self.ready.lock().unwrap().push(message);
    }

    /// Every receive takes `delay` from now on.
    pub(super) fn slow(&self, delay: Duration) {
        *self.delay.lock().unwrap() = delay;
    }

    pub(super) fn extended(&self) -> Vec<(String, Duration)> {
        self.extended.lock().unwrap().clone()
    }

    pub(super) fn asked(&self) -> Vec<u32> {
        self.asked.lock().unwrap().clone()
    }

    pub(super) fn deleted(&self) -> Vec<String> {
        self.deleted.lock().unwrap().clone()
    }
}

#[async_trait]
impl EventQueue for MemQueue {
    fn describe(&self) -> String {
        "memory".into()
    }

    async fn receive(
        &self,
        max: u32,
        _wait: Duration,
        _visibility: Option<Duration>,
    ) -> Result<Vec<QueueMessage>, CloudError> {
        self.asked.lock().unwrap().push(max);
        let delay = *self.delay.lock().unwrap();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let mut ready = self.ready.lock().unwrap();
        let n = ready.len().min(max as usize);
        Ok(ready.drain(..n).collect())
    }

    async fn extend(&self, receipt: &str, timeout: Duration) -> Result<(), CloudError> {
        self.extended.lock().unwrap().push((receipt.into(), timeout));
        Ok(())
    }

    async fn delete(&self, receipt: &str) -> Result<(), CloudError> {
        self.deleted.lock().unwrap().push(receipt.trim_start_matches("receipt-").into());
        Ok(())
    }
}
