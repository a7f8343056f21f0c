//! Notifications through the AWS adapter against moto: an SNS topic with an SQS queue subscribed, a message
//! published through the product's notifier and read back from the queue as a subscriber would get it.
#![allow(clippy::unwrap_used)]

mod support;

use aws_config::Region;
use hubtriage::cloud::{CloudError, Notification};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use support::moto::moto;
use support::sdk::{self, run};

/// Not the base configuration's region (us-east-1): the topic's own region must be used.
const TOPIC_REGION: &str = "eu-west-1";

fn sqs(config: &aws_config::SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::from_conf(aws_sdk_sqs::config::Builder::from(config).region(Region::new(TOPIC_REGION)).build())
}

fn sns(config: &aws_config::SdkConfig) -> aws_sdk_sns::Client {
    aws_sdk_sns::Client::from_conf(aws_sdk_sns::config::Builder::from(config).region(Region::new(TOPIC_REGION)).build())
}

/// A topic with a queue subscribed to it: (topic ARN, queue URL).
async fn topic_with_queue(config: &aws_config::SdkConfig, name: &str) -> (String, String) {
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
async fn received(config: &aws_config::SdkConfig, queue_url: &str, want: usize) -> Vec<Value> {
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

#[test]
fn a_notification_reaches_a_queue_subscribed_to_the_topic_with_subject_body_and_attributes() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let base = sdk::base_config(&endpoint);
        let (topic, queue_url) = topic_with_queue(&base, "hubtriage-remediations").await;
        assert!(topic.starts_with(&format!("arn:aws:sns:{TOPIC_REGION}:")), "{topic}");

        let backend = sdk::backend(&endpoint, &[], &[TOPIC_REGION]).await;
        let notifier = backend.notifier.clone().expect("the AWS backend notifies");
        let body = json!({
            "event": "remediated",
            "finding": "arn:aws:securityhub:eu-west-1:222222222222:finding/abc",
            "account": "222222222222",
            "region": "eu-west-1",
            "resource": "arn:aws:s3:::acme-logs",
            "playbook": "s3-bucket-block-public-access",
            "result": "verified",
        });
        let notification = Notification {
            subject: format!("Fixed S3.8 on acme-logs — {}", "x".repeat(150)),
            body: body.clone(),
            attributes: BTreeMap::from([
                ("event".to_string(), "remediated".to_string()),
                ("severity".to_string(), "HIGH".to_string()),
                ("account_class".to_string(), "production".to_string()),
                ("empty".to_string(), String::new()),
            ]),
        };
        notifier.publish(&topic, &notification).await.unwrap();

        let messages = received(&base, &queue_url, 1).await;
        assert_eq!(messages.len(), 1, "{messages:#?}");
        let m = &messages[0];
        assert_eq!(m["TopicArn"], topic.as_str());
        let subject = m["Subject"].as_str().unwrap();
        assert_eq!(subject.chars().count(), 100, "SNS subjects are at most 100 characters: {subject}");
        assert!(subject.starts_with("Fixed S3.8 on acme-logs ? xxx"), "printable ASCII only: {subject}");
        let message = m["Message"].as_str().unwrap();
        assert!(message.contains("\n  \"event\": \"remediated\""), "pretty-printed: {message}");
        assert_eq!(serde_json::from_str::<Value>(message).unwrap(), body);
        let attributes = m["MessageAttributes"].as_object().unwrap();
        let got: BTreeMap<&str, (&str, &str)> = attributes
            .iter()
            .map(|(k, v)| (k.as_str(), (v["Type"].as_str().unwrap(), v["Value"].as_str().unwrap())))
            .collect();
        assert_eq!(
            got,
            BTreeMap::from([
                ("account_class", ("String", "production")),
                ("event", ("String", "remediated")),
                ("severity", ("String", "HIGH")),
            ]),
            "empty values are left out (SNS rejects them)"
        );
    });
}

#[test]
fn publishing_to_a_missing_topic_or_a_malformed_arn_fails_with_the_topic_named() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let backend = sdk::backend(&endpoint, &[], &[TOPIC_REGION]).await;
        let notifier = backend.notifier.clone().unwrap();
        let notification =
            Notification { subject: "s".into(), body: json!({"event": "x"}), attributes: BTreeMap::new() };
        let missing = format!("arn:aws:sns:{TOPIC_REGION}:123456789012:no-such-topic");
        let err = notifier.publish(&missing, &notification).await.expect_err("no such topic");
        assert!(matches!(err, CloudError::NotFound(_)), "{err:?}");
        assert!(err.to_string().contains(&format!("sns:Publish to {missing}")), "{err}");

        let err = notifier.publish("arn:aws:sqs:eu-west-1:123456789012:q", &notification).await.expect_err("not SNS");
        assert!(err.to_string().contains("is not an SNS topic ARN"), "{err}");
    });
}
