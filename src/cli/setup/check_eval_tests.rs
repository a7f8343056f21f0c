use super::*;

const QUEUE: &str = "arn:aws:sqs:eu-west-1:123456789012:findings";
const RULE: &str = "arn:aws:events:eu-west-1:123456789012:rule/hubtriage-findings";

fn table(keys: &[(&str, &str)], types: &[(&str, &str)]) -> TableFacts {
    let own = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    TableFacts { status: "ACTIVE".into(), keys: own(keys), attribute_types: own(types) }
}

#[test]
fn the_region_comes_from_aws_queue_urls_only() {
    assert_eq!(region_of_queue_url("https://sqs.eu-west-1.amazonaws.com/1/q").as_deref(), Some("eu-west-1"));
    assert_eq!(region_of_queue_url("https://ap-south-2.queue.amazonaws.com/1/q").as_deref(), Some("ap-south-2"));
    assert_eq!(region_of_queue_url("https://queue.amazonaws.com/1/q").as_deref(), Some("us-east-1"));
    assert_eq!(region_of_queue_url("http://127.0.0.1:5000/123456789012/q"), None);
    assert_eq!(region_of_queue_url("http://localhost:4566/000000000000/q"), None);
}

#[test]
fn a_pattern_must_list_the_source_and_every_detail_type() {
    let ours = r#"{"source":["aws.securityhub"],"detail-type":["Security Hub Findings - Imported","Findings Imported V2","Security Hub Findings - Custom Action"]}"#;
    assert_eq!(judge_pattern(Some(ours)), Ok(String::new()));
    let two =
        r#"{"source":["aws.securityhub"],"detail-type":["Security Hub Findings - Imported","Findings Imported V2"]}"#;
    let err = judge_pattern(Some(two)).expect_err("custom action missing");
    assert!(err.contains("\"Security Hub Findings - Custom Action\""), "{err}");
    let other = r#"{"source":["aws.guardduty"]}"#;
    assert!(judge_pattern(Some(other)).expect_err("wrong source").contains("aws.securityhub"));
    assert!(judge_pattern(None).is_err());
    assert!(judge_pattern(Some("not json")).is_err());
    let narrowed = r#"{"source":["aws.securityhub"],"detail":{"findings":{"Severity":{"Label":["CRITICAL"]}}}}"#;
    assert_eq!(judge_pattern(Some(narrowed)), Ok(" (the pattern also filters on detail)".into()));
}

fn policy(statement: serde_json::Value) -> String {
    serde_json::json!({ "Version": "2012-10-17", "Statement": [statement] }).to_string()
}

#[test]
fn the_queue_policy_must_let_eventbridge_send_for_the_rule() {
    let ours = policy(serde_json::json!({
        "Effect": "Allow", "Principal": { "Service": "events.amazonaws.com" }, "Action": "sqs:SendMessage",
        "Resource": QUEUE, "Condition": { "ArnEquals": { "aws:SourceArn": RULE } } }));
    assert_eq!(judge_queue_policy(Some(&ours), QUEUE, RULE), Ok(String::new()));
    let other_rule = "arn:aws:events:eu-west-1:123456789012:rule/other";
    let err = judge_queue_policy(Some(&ours), QUEUE, other_rule).expect_err("another rule");
    assert!(err.contains("hubtriage-findings") && err.contains(other_rule), "{err}");
    assert!(judge_queue_policy(None, QUEUE, RULE).expect_err("no policy").contains("no access policy"));

    let wildcard = policy(serde_json::json!({
        "Effect": "Allow", "Principal": { "Service": ["sns.amazonaws.com", "events.amazonaws.com"] },
        "Action": ["sqs:Send*"], "Resource": "arn:aws:sqs:*:123456789012:*",
        "Condition": { "ArnLike": { "aws:sourcearn": "arn:aws:events:eu-west-1:123456789012:rule/hubtriage-*" } } }));
    assert_eq!(judge_queue_policy(Some(&wildcard), QUEUE, RULE), Ok(String::new()));

    let unconditioned = policy(serde_json::json!({
        "Effect": "Allow", "Principal": { "Service": "events.amazonaws.com" }, "Action": "sqs:*", "Resource": QUEUE }));
    assert!(judge_queue_policy(Some(&unconditioned), QUEUE, RULE).expect("allowed").contains("any source"));

    let sns_only = policy(serde_json::json!({
        "Effect": "Allow", "Principal": { "Service": "sns.amazonaws.com" }, "Action": "sqs:SendMessage", "Resource": QUEUE }));
    assert!(judge_queue_policy(Some(&sns_only), QUEUE, RULE).is_err());
    let receive_only = policy(serde_json::json!({
        "Effect": "Allow", "Principal": { "Service": "events.amazonaws.com" }, "Action": "sqs:ReceiveMessage", "Resource": QUEUE }));
    assert!(judge_queue_policy(Some(&receive_only), QUEUE, RULE).is_err());
}

#[test]
fn an_unconditional_deny_wins_and_a_tls_deny_does_not_count() {
    let allow = serde_json::json!({
        "Effect": "Allow", "Principal": { "Service": "events.amazonaws.com" }, "Action": "sqs:SendMessage",
        "Resource": QUEUE, "Condition": { "ArnEquals": { "aws:SourceArn": RULE } } });
    let tls = serde_json::json!({ "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": QUEUE,
        "Condition": { "Bool": { "aws:SecureTransport": "false" } } });
    let doc = serde_json::json!({ "Statement": [allow.clone(), tls] }).to_string();
    assert!(judge_queue_policy(Some(&doc), QUEUE, RULE).is_ok());
    let deny = serde_json::json!({ "Sid": "NoEvents", "Effect": "Deny", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*" });
    let doc = serde_json::json!({ "Statement": [allow, deny] }).to_string();
    assert!(judge_queue_policy(Some(&doc), QUEUE, RULE).expect_err("denied").contains("NoEvents"));
}

#[test]
fn the_redrive_policy_names_the_dead_letter_queue_and_count() {
    let dlq = "arn:aws:sqs:eu-west-1:123456789012:findings-dlq";
    let text = format!(r#"{{"deadLetterTargetArn":"{dlq}","maxReceiveCount":"5"}}"#);
    assert_eq!(redrive_target(Some(&text)), Ok((dlq.to_string(), 5)));
    let text = format!(r#"{{"deadLetterTargetArn":"{dlq}","maxReceiveCount":3}}"#);
    assert_eq!(redrive_target(Some(&text)), Ok((dlq.to_string(), 3)));
    assert!(redrive_target(None).expect_err("none").contains("no redrive policy"));
    assert!(redrive_target(Some(r#"{"maxReceiveCount":3}"#)).is_err());
}

#[test]
fn the_lease_table_must_be_keyed_by_resource_alone_as_a_string() {
    assert_eq!(table_problem(&table(&[("resource", "HASH")], &[("resource", "S")])), None);
    let wrong_key = table_problem(&table(&[("id", "HASH")], &[("id", "S")])).expect("wrong key");
    assert!(wrong_key.contains("id") && wrong_key.contains("resource"), "{wrong_key}");
    let sorted = table(&[("resource", "HASH"), ("taken_at", "RANGE")], &[("resource", "S"), ("taken_at", "N")]);
    assert!(table_problem(&sorted).expect("sort key").contains("taken_at"));
    assert!(table_problem(&table(&[("resource", "HASH")], &[("resource", "N")])).expect("number").contains("type N"));
}

#[test]
fn ttl_must_be_on_expires_at() {
    let ttl = |status: &str, attribute: Option<&str>| TtlFacts {
        status: status.into(),
        attribute: attribute.map(str::to_string),
    };
    assert_eq!(ttl_problem(&ttl("ENABLED", Some("expires_at"))), None);
    assert_eq!(ttl_problem(&ttl("ENABLING", Some("expires_at"))), None);
    assert!(ttl_problem(&ttl("ENABLED", Some("ttl"))).expect("other attribute").contains("ttl"));
    assert!(ttl_problem(&ttl("DISABLED", None)).expect("off").contains("disabled"));
}
