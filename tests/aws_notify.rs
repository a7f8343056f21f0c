//! Notifications through the AWS adapter against moto: an SNS topic with an SQS queue subscribed, a message
//! published through the product's notifier and read back from the queue as a subscriber would get it.
#![allow(clippy::unwrap_used)]

mod support;

use hubtriage::cloud::{CloudError, Notification};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use support::moto::moto;
use support::queue::{received, topic_with_queue, TOPIC_REGION};
use support::sdk::{self, run};

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
