//! Finding events from an SQS queue (fed by an EventBridge rule): long polling, batches of up to ten, visibility
//! extended while a message's fix runs, deleted once its outcome is audited.

use super::errors::map_sdk_error;
use crate::cloud::events::{EventQueue, QueueMessage};
use crate::cloud::CloudError;
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, MessageSystemAttributeName};
use aws_types::region::Region;
use std::time::Duration;

/// The longest long poll SQS allows.
const MAX_WAIT: Duration = Duration::from_secs(20);

/// The most messages one ReceiveMessage returns.
const MAX_BATCH: u32 = 10;

/// An SQS queue of EventBridge finding events.
pub struct SqsEventQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

impl SqsEventQueue {
    /// The queue at `url`, reached with `config`'s credentials and endpoint, in the region its URL names (else
    /// `config`'s region).
    pub fn new(config: &SdkConfig, url: &str) -> Self {
        let mut conf = aws_sdk_sqs::config::Builder::from(config);
        if let Some(region) = region_of(url) {
            conf = conf.region(Region::new(region));
        }
        Self { client: aws_sdk_sqs::Client::from_conf(conf.build()), url: url.to_string() }
    }
}

/// The region in a queue URL such as `https://sqs.eu-west-1.amazonaws.com/123456789012/name`; `None` for other
/// hosts (an emulator).
pub fn region_of(url: &str) -> Option<String> {
    let host = url.split("://").nth(1)?.split('/').next()?;
    let mut parts = host.split('.');
    match (parts.next(), parts.next()) {
        (Some("sqs"), Some(region)) if region.contains('-') => Some(region.to_string()),
        _ => None,
    }
}

#[async_trait]
impl EventQueue for SqsEventQueue {
    fn describe(&self) -> String {
        self.url.clone()
    }

    async fn receive(
        &self,
        max: u32,
        wait: Duration,
        visibility: Option<Duration>,
    ) -> Result<Vec<QueueMessage>, CloudError> {
        let out = self
            .client
            .receive_message()
            .queue_url(&self.url)
            .max_number_of_messages(max.clamp(1, MAX_BATCH) as i32)
            .wait_time_seconds(wait.min(MAX_WAIT).as_secs() as i32)
            .set_visibility_timeout(visibility.map(|v| v.as_secs().min(43_200) as i32))
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(|e| map_sdk_error(&format!("sqs:ReceiveMessage {}", self.url), e))?;
        Ok(out.messages.unwrap_or_default().into_iter().filter_map(message).collect())
    }

    async fn extend(&self, receipt: &str, timeout: Duration) -> Result<(), CloudError> {
        self.client
            .change_message_visibility()
            .queue_url(&self.url)
            .receipt_handle(receipt)
            .visibility_timeout(timeout.as_secs().min(43_200) as i32)
            .send()
            .await
            .map_err(|e| map_sdk_error(&format!("sqs:ChangeMessageVisibility {}", self.url), e))?;
        Ok(())
    }

    async fn delete(&self, receipt: &str) -> Result<(), CloudError> {
        self.client
            .delete_message()
            .queue_url(&self.url)
            .receipt_handle(receipt)
            .send()
            .await
            .map_err(|e| map_sdk_error(&format!("sqs:DeleteMessage {}", self.url), e))?;
        Ok(())
    }

    async fn delete_all(&self, receipts: &[String]) -> Vec<Result<(), CloudError>> {
        let mut results = Vec::with_capacity(receipts.len());
        for chunk in receipts.chunks(MAX_BATCH as usize) {
            results.extend(self.delete_batch(chunk).await);
        }
        results
    }
}

impl SqsEventQueue {
    /// One DeleteMessageBatch of up to ten receipts (entry ids are their places in `receipts`).
    async fn delete_batch(&self, receipts: &[String]) -> Vec<Result<(), CloudError>> {
        let entries = receipts.iter().enumerate().filter_map(|(i, receipt)| {
            DeleteMessageBatchRequestEntry::builder().id(i.to_string()).receipt_handle(receipt).build().ok()
        });
        let sent = self.client.delete_message_batch().queue_url(&self.url).set_entries(Some(entries.collect())).send();
        let out = match sent.await {
            Ok(out) => out,
            Err(e) => {
                let e = map_sdk_error(&format!("sqs:DeleteMessageBatch {}", self.url), e);
                return receipts.iter().map(|_| Err(e.clone())).collect();
            }
        };
        let failed: std::collections::HashMap<&str, String> = out
            .failed()
            .iter()
            .map(|f| (f.id(), format!("{}: {}", f.code(), f.message().unwrap_or_default())))
            .collect();
        let done: std::collections::HashSet<&str> = out.successful().iter().map(|s| s.id()).collect();
        (0..receipts.len())
            .map(|i| {
                let id = i.to_string();
                match failed.get(id.as_str()) {
                    Some(why) => Err(CloudError::Other(format!("sqs:DeleteMessageBatch {}: {why}", self.url))),
                    None if done.contains(id.as_str()) => Ok(()),
                    None => Err(CloudError::Other(format!("sqs:DeleteMessageBatch {}: no result", self.url))),
                }
            })
            .collect()
    }
}

/// Our message from the SDK's; one without a receipt handle cannot be handled and is left to the queue.
fn message(m: aws_sdk_sqs::types::Message) -> Option<QueueMessage> {
    let receive_count = m
        .attributes()
        .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    Some(QueueMessage {
        message_id: m.message_id.unwrap_or_default(),
        receipt: m.receipt_handle?,
        receive_count,
        body: m.body.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::region_of;

    #[test]
    fn the_region_comes_from_an_aws_queue_url_only() {
        assert_eq!(region_of("https://sqs.eu-west-1.amazonaws.com/123456789012/q").as_deref(), Some("eu-west-1"));
        assert_eq!(region_of("http://127.0.0.1:5000/123456789012/q"), None);
        assert_eq!(region_of("https://queue.amazonaws.com/1/q"), None);
    }
}
