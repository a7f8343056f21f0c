//! `hubtriage setup --template` deployed on moto's CloudFormation, and `hubtriage setup --check` on what it made:
//! the stack completes, its outputs pass the check, a Security Hub finding event reaches the queue through the
//! deployed rule (another detail type does not), and unwiring the rule or the redrive policy fails the check by name.
//!
//! moto 5.2.5's CloudFormation skips `AWS::SQS::QueuePolicy` ("not supported by moto's CloudFormation
//! implementation") and ignores the table's `TimeToLiveSpecification`: the tests show `--check` catching both on the
//! bare deployment, then apply the template's own policy document and TTL specification through the SQS and
//! DynamoDB APIs, as CloudFormation does on AWS.
#![allow(clippy::unwrap_used)]

mod support;

use aws_config::{Region, SdkConfig};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::moto::moto;

/// Not the binary's AWS_REGION (us-east-1): `--check` must look in the queue's region.
const REGION: &str = "eu-west-1";
const OUTPUTS: [&str; 6] = ["QueueUrl", "QueueArn", "DeadLetterQueueUrl", "LockTable", "RuleArn", "WatchRoleArn"];
const CHECKS: [&str; 6] = ["queue", "dead-letter queue", "rule", "queue policy", "lock table", "lock table TTL"];

fn config(endpoint: &str) -> SdkConfig {
    support::sdk::base_config(endpoint).to_builder().region(Region::new(REGION)).build()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().thread_stack_size(8 << 20).build().unwrap()
}

/// `hubtriage setup --template [--format yaml]` as the binary prints it.
fn printed_template(endpoint: &str, format: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = support::binary::hubtriage(endpoint, &dir, "", Duration::from_secs(60))
        .args(["setup", "--template", "--format", format])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Creates a stack from `body` with `parameters`, waits for it, and returns its outputs.
async fn deploy(config: &SdkConfig, body: &str, parameters: &[(&str, &str)]) -> BTreeMap<String, String> {
    static STACKS: AtomicUsize = AtomicUsize::new(0);
    let name = format!("hubtriage-{}-{}", std::process::id(), STACKS.fetch_add(1, Ordering::Relaxed));
    let cfn = aws_sdk_cloudformation::Client::new(config);
    cfn.create_stack()
        .stack_name(&name)
        .template_body(body)
        .set_parameters(Some(
            parameters
                .iter()
                .map(|(k, v)| {
                    aws_sdk_cloudformation::types::Parameter::builder().parameter_key(*k).parameter_value(*v).build()
                })
                .collect(),
        ))
        .capabilities(aws_sdk_cloudformation::types::Capability::CapabilityIam)
        .send()
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let stacks = cfn.describe_stacks().stack_name(&name).send().await.unwrap();
        let stack = &stacks.stacks()[0];
        let status = stack.stack_status().unwrap().as_str().to_string();
        if !status.ends_with("IN_PROGRESS") {
            assert_eq!(status, "CREATE_COMPLETE", "{:?}", stack.stack_status_reason());
            return stack
                .outputs()
                .iter()
                .map(|o| (o.output_key().unwrap().to_string(), o.output_value().unwrap().to_string()))
                .collect();
        }
        assert!(Instant::now() < deadline, "stack {name} still {status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `value` with the template's `Fn::GetAtt` of the queue and the rule replaced by the deployed ARNs.
fn resolved(value: &Value, outputs: &BTreeMap<String, String>) -> Value {
    match value {
        Value::Object(map) => match map.get("Fn::GetAtt").and_then(|a| a[0].as_str()) {
            Some("FindingEventsQueue") => Value::String(outputs["QueueArn"].clone()),
            Some("FindingEventsRule") => Value::String(outputs["RuleArn"].clone()),
            Some(other) => panic!("unexpected GetAtt {other}"),
            None => Value::Object(map.iter().map(|(k, v)| (k.clone(), resolved(v, outputs))).collect()),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| resolved(v, outputs)).collect()),
        other => other.clone(),
    }
}

/// What CloudFormation does on AWS and moto skips: the queue policy and the table's TTL, from the template itself.
async fn apply_what_moto_skips(config: &SdkConfig, template: &Value, outputs: &BTreeMap<String, String>) {
    let resources = &template["Resources"];
    let policy = resolved(&resources["FindingEventsQueuePolicy"]["Properties"]["PolicyDocument"], outputs);
    aws_sdk_sqs::Client::new(config)
        .set_queue_attributes()
        .queue_url(&outputs["QueueUrl"])
        .attributes(aws_sdk_sqs::types::QueueAttributeName::Policy, policy.to_string())
        .send()
        .await
        .unwrap();
    let ttl = &resources["LeaseTable"]["Properties"]["TimeToLiveSpecification"];
    let spec = aws_sdk_dynamodb::types::TimeToLiveSpecification::builder()
        .attribute_name(ttl["AttributeName"].as_str().unwrap())
        .enabled(ttl["Enabled"].as_bool().unwrap())
        .build()
        .unwrap();
    aws_sdk_dynamodb::Client::new(config)
        .update_time_to_live()
        .table_name(&outputs["LockTable"])
        .time_to_live_specification(spec)
        .send()
        .await
        .unwrap();
}

/// `hubtriage --endpoint-url … setup --check --queue-url … --lock-table …`: exit code and (check → line).
fn check(endpoint: &str, queue_url: &str, table: &str) -> (Option<i32>, BTreeMap<String, String>) {
    check_with(endpoint, "", &["--queue-url", queue_url, "--lock-table", table])
}

/// `setup --check` with a config file of `config` and `args` after it.
fn check_with(endpoint: &str, config: &str, args: &[&str]) -> (Option<i32>, BTreeMap<String, String>) {
    let dir = tempfile::tempdir().unwrap();
    let out = support::binary::hubtriage(endpoint, &dir, config, Duration::from_secs(120))
        .args(["setup", "--check"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), CHECKS.len(), "one line per check:\n{stdout}\n{stderr}");
    let mut by_check = BTreeMap::new();
    for (line, name) in lines.iter().zip(CHECKS) {
        let rest = line.strip_prefix("✓ ").or_else(|| line.strip_prefix("✗ ")).unwrap_or_else(|| panic!("{line}"));
        assert!(rest.starts_with(&format!("{name}: ")), "check {name} in order: {line}");
        by_check.insert(name.to_string(), line.to_string());
    }
    (out.status.code(), by_check)
}

fn failing(lines: &BTreeMap<String, String>) -> Vec<&str> {
    CHECKS.into_iter().filter(|c| lines[*c].starts_with('✗')).collect()
}

async fn put_event(config: &SdkConfig, detail_type: &str, marker: &str) {
    let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
        .source("aws.securityhub")
        .detail_type(detail_type)
        .detail(serde_json::json!({ "findings": [{ "Id": marker }] }).to_string())
        .build();
    let out = aws_sdk_eventbridge::Client::new(config).put_events().entries(entry).send().await.unwrap();
    assert_eq!(out.failed_entry_count(), 0);
}

/// The bodies that arrive on the queue within `wait`.
async fn received(config: &SdkConfig, queue_url: &str, wait: Duration) -> Vec<Value> {
    let sqs = aws_sdk_sqs::Client::new(config);
    let deadline = Instant::now() + wait;
    let mut bodies = Vec::new();
    while Instant::now() < deadline {
        let out = sqs.receive_message().queue_url(queue_url).max_number_of_messages(10).wait_time_seconds(1);
        for m in out.send().await.unwrap().messages() {
            bodies.push(serde_json::from_str(m.body().unwrap()).unwrap());
        }
    }
    bodies
}

#[test]
fn the_template_deploys_its_outputs_pass_the_check_and_finding_events_reach_the_queue() {
    let server = moto();
    let endpoint = server.endpoint();
    runtime().block_on(async {
        let config = config(&endpoint);
        let text = printed_template(&endpoint, "json");
        let template: Value = serde_json::from_str(&text).unwrap();
        let outputs = deploy(&config, &text, &[]).await;
        assert_eq!(outputs.len(), OUTPUTS.len(), "no instance profile without EC2: {outputs:?}");
        for key in OUTPUTS {
            assert!(outputs.contains_key(key), "output {key}: {outputs:?}");
        }
        assert!(outputs["QueueUrl"].contains(&format!("sqs.{REGION}.")), "{outputs:?}");

        // moto left out the queue policy and the TTL: the check says so, and only that.
        let (code, lines) = check(&endpoint, &outputs["QueueUrl"], &outputs["LockTable"]);
        assert_eq!(code, Some(1), "{lines:?}");
        assert_eq!(failing(&lines), ["queue policy", "lock table TTL"], "{lines:#?}");

        apply_what_moto_skips(&config, &template, &outputs).await;
        let (code, lines) = check(&endpoint, &outputs["QueueUrl"], &outputs["LockTable"]);
        assert_eq!(code, Some(0), "{lines:#?}");
        assert!(failing(&lines).is_empty(), "{lines:#?}");
        assert!(lines["rule"].contains(&format!("of {REGION}")), "{}", lines["rule"]);

        put_event(&config, "Security Hub Findings - Imported", "imported-1").await;
        put_event(&config, "Security Hub Insight Results", "insight-1").await;
        let bodies = received(&config, &outputs["QueueUrl"], Duration::from_secs(4)).await;
        assert_eq!(bodies.len(), 1, "{bodies:#?}");
        assert_eq!(bodies[0]["detail-type"], "Security Hub Findings - Imported");
        assert_eq!(bodies[0]["source"], "aws.securityhub");
        assert_eq!(bodies[0]["detail"]["findings"][0]["Id"], "imported-1");

        // The rule without its target: nothing reaches the queue, and the check names the rule.
        let rule = outputs["RuleArn"].rsplit('/').next().unwrap();
        aws_sdk_eventbridge::Client::new(&config)
            .remove_targets()
            .rule(rule)
            .ids("hubtriage-watch-queue")
            .send()
            .await
            .unwrap();
        let (code, lines) = check(&endpoint, &outputs["QueueUrl"], &outputs["LockTable"]);
        assert_eq!(code, Some(1));
        assert!(
            lines["rule"].starts_with("✗ rule: no rule on the default event bus of eu-west-1 targets"),
            "{lines:#?}"
        );
        assert!(lines["rule"].contains("put-targets"), "the fix: {}", lines["rule"]);
        assert!(lines["queue"].starts_with('✓') && lines["lock table"].starts_with('✓'), "{lines:#?}");
    });
}

#[test]
fn a_queue_without_its_redrive_policy_fails_the_dead_letter_check() {
    let server = moto();
    let endpoint = server.endpoint();
    runtime().block_on(async {
        let config = config(&endpoint);
        let text = printed_template(&endpoint, "json");
        let outputs = deploy(&config, &text, &[]).await;
        aws_sdk_sqs::Client::new(&config)
            .set_queue_attributes()
            .queue_url(&outputs["QueueUrl"])
            .attributes(aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy, "")
            .send()
            .await
            .unwrap();
        // After: moto's SetQueueAttributes drops a queue's policy when the call does not name it.
        apply_what_moto_skips(&config, &serde_json::from_str(&text).unwrap(), &outputs).await;
        let (code, lines) = check(&endpoint, &outputs["QueueUrl"], &outputs["LockTable"]);
        assert_eq!(code, Some(1));
        assert_eq!(failing(&lines), ["dead-letter queue"], "{lines:#?}");
        assert!(lines["dead-letter queue"].contains("no redrive policy"), "{}", lines["dead-letter queue"]);
    });
}

#[test]
fn the_yaml_template_deploys_with_its_parameters_and_an_instance_profile_for_ec2() {
    let server = moto();
    let endpoint = server.endpoint();
    runtime().block_on(async {
        let config = config(&endpoint);
        let yaml = printed_template(&endpoint, "yaml");
        assert!(yaml.starts_with("AWSTemplateFormatVersion: \"2010-09-09\"\n"), "{yaml}");
        let parameters = [("WatchServicePrincipal", "ec2.amazonaws.com"), ("MaxReceiveCount", "3")];
        let outputs = deploy(&config, &yaml, &parameters).await;
        let keys: Vec<&str> = outputs.keys().map(String::as_str).collect();
        let mut expected = OUTPUTS.to_vec();
        expected.push("WatchInstanceProfile");
        expected.sort_unstable();
        assert_eq!(keys, expected);
        let attributes = aws_sdk_sqs::Client::new(&config)
            .get_queue_attributes()
            .queue_url(&outputs["QueueUrl"])
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
            .send()
            .await
            .unwrap();
        let attribute = |name: &str| attributes.attributes().unwrap()[&name.into()].clone();
        let redrive: Value = serde_json::from_str(&attribute("RedrivePolicy")).unwrap();
        assert_eq!(redrive["maxReceiveCount"].to_string().trim_matches('"'), "3");
        assert_eq!(attribute("ReceiveMessageWaitTimeSeconds"), "20");
        assert_eq!(attribute("SqsManagedSseEnabled"), "true");
    });
}

#[test]
fn a_missing_queue_and_table_are_named_and_what_depends_on_them_is_not_checked() {
    let server = moto();
    let url = format!("https://sqs.{REGION}.amazonaws.com/123456789012/no-such-queue");
    // The queue and the table as `watch` and every fixer find them: from the config.
    let config = format!("[watch]\nqueue_url = \"{url}\"\n[coordination]\ntable = \"no-such-table\"\n");
    let (code, lines) = check_with(&server.endpoint(), &config, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(failing(&lines), CHECKS, "{lines:#?}");
    assert!(lines["queue"].contains("does not exist"), "{}", lines["queue"]);
    assert!(lines["lock table"].contains("no-such-table does not exist"), "{}", lines["lock table"]);
    for name in ["dead-letter queue", "rule", "queue policy", "lock table TTL"] {
        assert!(lines[name].contains("not checked"), "{}", lines[name]);
    }
}

#[test]
fn an_unreachable_endpoint_is_a_network_error_per_check() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let (code, lines) = check(&endpoint, "https://sqs.eu-west-1.amazonaws.com/123456789012/q", "leases");
    assert_eq!(code, Some(1));
    assert_eq!(failing(&lines), CHECKS, "{lines:#?}");
    assert!(lines["queue"].contains("network error: GetQueueAttributes"), "{}", lines["queue"]);
    assert!(lines["lock table"].contains("network error: DescribeTable"), "{}", lines["lock table"]);
}
