//! An SNS topic with an SQS queue subscribed, to read notifications back as a subscriber gets them.
#![allow(clippy::unwrap_used)]

use aws_config::Region;
use serde_json::Value;
use std::time::{Duration, Instant};

/// Not the base configuration's region (us-east-1): the topic's own region must be used.
pub const TOPIC_REGION: &str = "eu-west-1";

fn sqs(config: &aws_config::SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::from_conf(aws_sdk_sqs::config::Builder::from(config).region(Region::new(TOPIC_REGION)).build())
}

fn sns(config: &aws_config::SdkConfig) -> aws_sdk_sns::Client {
    aws_sdk_sns::Client::from_conf(aws_sdk_sns::config::Builder::from(config).region(Region::new(TOPIC_REGION)).build())
}

/// A topic with a queue subscribed to it: (topic ARN, queue URL).
pub async fn topic_with_queue(config: &aws_config::SdkConfig, name: &str) -> (String, String) {
    let topic = sns(config).create_topic().name(name).send().await.unwrap().topic_arn().unwrap().to_string();
    let sqs = sqs(config);
    let queue_url = sqs.create_queue().queue_name(format!("{name}-queue")).send().await.unwrap();
    let queue_url = queue_url.queue_url().unwrap().to_string();
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap();
    let queue_arn = attributes.attributes().unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn].clone();
    sns(config).subscribe().topic_arn(&topic).protocol("sqs").endpoint(queue_arn).send().await.unwrap();
    (topic, queue_url)
}

/// The SNS envelopes that arrived on the queue within a few seconds.
pub async fn received(config: &aws_config::SdkConfig, queue_url: &str, want: usize) -> Vec<Value> {
    let sqs = sqs(config);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut out = Vec::new();
    while out.len() < want && Instant::now() < deadline {
        let r = sqs.receive_message().queue_url(queue_url).max_number_of_messages(10).wait_time_seconds(1).send();
        for m in r.await.unwrap().messages() {
            out.push(serde_json::from_str(m.body().unwrap()).unwrap());
        }
    }
    out
}
