//! Notifications through SNS Publish, with the base credentials, in the topic's own region.

use super::errors::map_sdk_error;
use super::session::Accounts;
use crate::cloud::updates::{bounded_subject, Notification, Notifier};
use crate::cloud::CloudError;
use async_trait::async_trait;
use aws_sdk_sns::types::MessageAttributeValue;
use std::sync::Arc;

/// Publishes to SNS topics.
pub struct AwsNotifier {
    accounts: Arc<Accounts>,
}

impl AwsNotifier {
    pub fn new(accounts: Arc<Accounts>) -> Self {
        Self { accounts }
    }
}

/// The region of an SNS topic ARN (`arn:partition:sns:region:account:name`).
pub fn topic_region(topic_arn: &str) -> Result<&str, CloudError> {
    let parts: Vec<&str> = topic_arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "sns", region, account, name]
            if !partition.is_empty() && !region.is_empty() && !account.is_empty() && !name.is_empty() =>
        {
            Ok(region)
        }
        _ => Err(CloudError::Other(format!(
            "{topic_arn:?} is not an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)"
        ))),
    }
}

/// One SNS Publish with `client`: the subject bounded to what SNS accepts, the body as pretty JSON, and the
/// attributes as String message attributes (empty values are left out: SNS rejects them).
pub async fn publish_with(
    client: &aws_sdk_sns::Client,
    topic_arn: &str,
    notification: &Notification,
) -> Result<Option<String>, CloudError> {
    let context = format!("sns:Publish to {topic_arn}");
    let message = serde_json::to_string_pretty(&notification.body)
        .map_err(|e| CloudError::Other(format!("{context}: cannot write the message: {e}")))?;
    let subject = bounded_subject(notification.subject.trim());
    let subject = subject.trim();
    let mut request = client
        .publish()
        .topic_arn(topic_arn)
        .message(message)
        .set_subject((!subject.is_empty()).then(|| subject.to_string()));
    for (name, value) in notification.attributes.iter().filter(|(_, v)| !v.is_empty()) {
        let attribute = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(value)
            .build()
            .map_err(|e| CloudError::Other(format!("{context}: attribute {name}: {e}")))?;
        request = request.message_attributes(name, attribute);
    }
    let out = request.send().await.map_err(|e| map_sdk_error(&context, e))?;
    Ok(out.message_id().map(String::from))
}

#[async_trait]
impl Notifier for AwsNotifier {
    async fn publish(&self, topic_arn: &str, notification: &Notification) -> Result<(), CloudError> {
        let region = topic_region(topic_arn)?;
        let client = Accounts::sns(self.accounts.base(), region);
        Box::pin(publish_with(&client, topic_arn, notification)).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_comes_from_the_topic_arn() {
        assert_eq!(topic_region("arn:aws:sns:eu-west-1:111111111111:alerts").ok(), Some("eu-west-1"));
        assert_eq!(topic_region("arn:aws-cn:sns:cn-north-1:111111111111:a:b").ok(), Some("cn-north-1"));
        assert!(topic_region("arn:aws:sqs:eu-west-1:111111111111:q").is_err());
        assert!(topic_region("arn:aws:sns::111111111111:alerts").is_err());
        assert!(topic_region("alerts").is_err());
    }
}
