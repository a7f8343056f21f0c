//! The CloudFormation template `watch` runs on: the EventBridge rule for Security Hub's finding events, the queue it
//! feeds (with a dead-letter queue and a policy letting only that rule send), the lease table, and the role `watch`
//! runs as. One function per resource; every value is a `serde_json::Value`, printed as JSON or YAML.
//!
//! The role's permissions are the queue and table calls `watch` makes plus exactly what `hubtriage iam-policy`
//! prints for this configuration (its generator, not a second list): everything, because `watch` runs as the base
//! identity and also fixes findings of its own account with it.

use super::{DETAIL_TYPES, EVENT_SOURCE, LEASE_EXPIRY_ATTRIBUTE, LEASE_KEY_ATTRIBUTE};
use crate::cli::iam_policy::{policy_for, PolicyFor};
use crate::config::Config;
use crate::playbook::Playbooks;
use serde_json::{json, Value};

/// Logical ids of the template's resources.
pub const RULE: &str = "FindingEventsRule";
pub const QUEUE: &str = "FindingEventsQueue";
pub const DEAD_LETTER_QUEUE: &str = "FindingEventsDeadLetterQueue";
pub const QUEUE_POLICY: &str = "FindingEventsQueuePolicy";
pub const LEASE_TABLE: &str = "LeaseTable";
pub const WATCH_ROLE: &str = "WatchRole";
pub const WATCH_INSTANCE_PROFILE: &str = "WatchInstanceProfile";

/// The name of the role's inline policy.
pub const WATCH_POLICY_NAME: &str = "hubtriage-watch";
/// The rule's target id.
pub const TARGET_ID: &str = "hubtriage-watch-queue";
/// A dead-lettered message is kept this long (the SQS maximum): longer than the queue keeps messages, since a
/// standard queue's message keeps its first enqueue time when it moves.
pub const DEAD_LETTER_RETENTION_SECONDS: u32 = 14 * 24 * 3600;
/// How long the queue keeps a message nobody handled (the SQS default, 4 days).
pub const QUEUE_RETENTION_SECONDS: u32 = 4 * 24 * 3600;
/// IAM's limit on a role's inline policies, together, in characters without white space.
pub const INLINE_POLICY_LIMIT: usize = 10_240;

fn get_att(resource: &str, attribute: &str) -> Value {
    json!({ "Fn::GetAtt": [resource, attribute] })
}

fn reference(name: &str) -> Value {
    json!({ "Ref": name })
}

/// The template's parameters: queue timings, the redrive count, and who may assume the role.
fn parameters() -> Value {
    json!({
        "VisibilityTimeoutSeconds": {
            "Type": "Number",
            "Default": 300,
            "MinValue": 0,
            "MaxValue": 43200,
            "Description": "How long a received finding event stays hidden from other watch replicas (watch extends \
                            it while a fix runs).",
        },
        "ReceiveMessageWaitTimeSeconds": {
            "Type": "Number",
            "Default": 20,
            "MinValue": 0,
            "MaxValue": 20,
            "Description": "Long polling: how long a receive waits for the first message.",
        },
        "MaxReceiveCount": {
            "Type": "Number",
            "Default": 5,
            "MinValue": 1,
            "MaxValue": 1000,
            "Description": "Receives of one message before it moves to the dead-letter queue.",
        },
        "WatchServicePrincipal": {
            "Type": "String",
            "Default": "ecs-tasks.amazonaws.com",
            "AllowedPattern": "^[a-z0-9][a-z0-9.-]*\\.amazonaws\\.com$",
            "Description": "The service that runs hubtriage watch and assumes its role: ecs-tasks.amazonaws.com (ECS \
                            task role), ec2.amazonaws.com (an instance profile is created), …",
        },
    })
}

fn conditions() -> Value {
    json!({ "WatchRunsOnEc2": { "Fn::Equals": [reference("WatchServicePrincipal"), "ec2.amazonaws.com"] } })
}

/// The EventBridge event pattern: Security Hub's three finding events.
pub fn event_pattern() -> Value {
    json!({ "source": [EVENT_SOURCE], "detail-type": DETAIL_TYPES })
}

/// The rule on the default event bus, sending every finding event to the queue as it is (the envelope `watch` reads).
fn rule() -> Value {
    json!({
        "Type": "AWS::Events::Rule",
        "Properties": {
            "Description": "Security Hub finding events (imported, imported V2, custom action) for hubtriage watch",
            "State": "ENABLED",
            "EventPattern": event_pattern(),
            "Targets": [{ "Id": TARGET_ID, "Arn": get_att(QUEUE, "Arn") }],
        },
    })
}

/// The queue `watch` consumes: long polling, encrypted with SQS-managed keys (EventBridge cannot use the
/// `alias/aws/sqs` KMS key), and a message received `MaxReceiveCount` times goes to the dead-letter queue.
fn queue() -> Value {
    json!({
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "VisibilityTimeout": reference("VisibilityTimeoutSeconds"),
            "ReceiveMessageWaitTimeSeconds": reference("ReceiveMessageWaitTimeSeconds"),
            "MessageRetentionPeriod": QUEUE_RETENTION_SECONDS,
            "SqsManagedSseEnabled": true,
            "RedrivePolicy": {
                "deadLetterTargetArn": get_att(DEAD_LETTER_QUEUE, "Arn"),
                "maxReceiveCount": reference("MaxReceiveCount"),
            },
        },
    })
}

fn dead_letter_queue() -> Value {
    json!({
        "Type": "AWS::SQS::Queue",
        "Properties": { "MessageRetentionPeriod": DEAD_LETTER_RETENTION_SECONDS, "SqsManagedSseEnabled": true },
    })
}

/// Only EventBridge may send, and only for this rule; nobody may use the queue without TLS.
pub fn queue_policy_document() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "FindingEventsFromTheRuleOnly",
                "Effect": "Allow",
                "Principal": { "Service": "events.amazonaws.com" },
                "Action": "sqs:SendMessage",
                "Resource": get_att(QUEUE, "Arn"),
                "Condition": { "ArnEquals": { "aws:SourceArn": get_att(RULE, "Arn") } },
            },
            {
                "Sid": "TlsOnly",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": get_att(QUEUE, "Arn"),
                "Condition": { "Bool": { "aws:SecureTransport": "false" } },
            },
        ],
    })
}

fn queue_policy() -> Value {
    json!({
        "Type": "AWS::SQS::QueuePolicy",
        "Properties": { "Queues": [reference(QUEUE)], "PolicyDocument": queue_policy_document() },
    })
}

/// One lease per resource, keyed by `resource` (S); a lease whose owner died is removed by TTL on `expires_at`.
fn lease_table() -> Value {
    json!({
        "Type": "AWS::DynamoDB::Table",
        "Properties": {
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{ "AttributeName": LEASE_KEY_ATTRIBUTE, "AttributeType": "S" }],
            "KeySchema": [{ "AttributeName": LEASE_KEY_ATTRIBUTE, "KeyType": "HASH" }],
            "TimeToLiveSpecification": { "AttributeName": LEASE_EXPIRY_ATTRIBUTE, "Enabled": true },
            "SSESpecification": { "SSEEnabled": true },
            "PointInTimeRecoverySpecification": { "PointInTimeRecoveryEnabled": true },
        },
    })
}

/// The statements for the queue and the lease table: what `watch` itself calls.
pub fn watch_statements() -> Vec<Value> {
    vec![
        json!({
            "Sid": "ConsumeFindingEvents",
            "Effect": "Allow",
            "Action": [
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
            "Resource": get_att(QUEUE, "Arn"),
        }),
        json!({
            "Sid": "HoldResourceLeases",
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:UpdateItem"],
            "Resource": get_att(LEASE_TABLE, "Arn"),
        }),
    ]
}

/// The role's policy: the queue and lease statements, then the `iam-policy` generator's statements.
pub fn watch_policy_document(config: &Config, playbooks: &Playbooks) -> Value {
    let mut statements = watch_statements();
    let generated = policy_for(config, playbooks, PolicyFor::All);
    statements.extend(generated["Statement"].as_array().cloned().unwrap_or_default());
    json!({ "Version": "2012-10-17", "Statement": statements })
}

fn watch_role(config: &Config, playbooks: &Playbooks) -> Value {
    json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": "hubtriage watch: consumes finding events, holds resource leases, fixes what policy allows",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": { "Service": reference("WatchServicePrincipal") },
                    "Action": "sts:AssumeRole",
                }],
            },
            "Policies": [{ "PolicyName": WATCH_POLICY_NAME, "PolicyDocument": watch_policy_document(config, playbooks) }],
        },
    })
}

fn watch_instance_profile() -> Value {
    json!({
        "Type": "AWS::IAM::InstanceProfile",
        "Condition": "WatchRunsOnEc2",
        "Properties": { "Roles": [reference(WATCH_ROLE)] },
    })
}

fn output(description: &str, value: Value) -> Value {
    json!({ "Description": description, "Value": value })
}

/// The outputs; `QueueUrl` and `LockTable` are what `watch --queue-url` and `--lock-table` take.
fn outputs() -> Value {
    json!({
        "QueueUrl": output("hubtriage watch --queue-url", reference(QUEUE)),
        "QueueArn": output("The finding-events queue", get_att(QUEUE, "Arn")),
        "DeadLetterQueueUrl": output("Where events that failed MaxReceiveCount times go", reference(DEAD_LETTER_QUEUE)),
        "LockTable": output("hubtriage watch --lock-table", reference(LEASE_TABLE)),
        "RuleArn": output("The EventBridge rule on the default bus", get_att(RULE, "Arn")),
        "WatchRoleArn": output("The role hubtriage watch runs as", get_att(WATCH_ROLE, "Arn")),
        "WatchInstanceProfile": {
            "Condition": "WatchRunsOnEc2",
            "Description": "The instance profile for an EC2 instance running hubtriage watch",
            "Value": reference(WATCH_INSTANCE_PROFILE),
        },
    })
}

/// The whole template for this configuration's playbooks, actions and notifications.
pub fn template(config: &Config, playbooks: &Playbooks) -> Value {
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!(
            "hubtriage watch (generated by hubtriage {} setup --template): EventBridge rule for Security Hub finding \
             events, SQS queue with dead-letter queue, DynamoDB lease table, IAM role",
            env!("CARGO_PKG_VERSION")
        ),
        "Parameters": parameters(),
        "Conditions": conditions(),
        "Resources": {
            RULE: rule(),
            QUEUE: queue(),
            DEAD_LETTER_QUEUE: dead_letter_queue(),
            QUEUE_POLICY: queue_policy(),
            LEASE_TABLE: lease_table(),
            WATCH_ROLE: watch_role(config, playbooks),
            WATCH_INSTANCE_PROFILE: watch_instance_profile(),
        },
        "Outputs": outputs(),
    })
}

/// The size IAM counts for the role's inline policy (JSON without white space; intrinsic functions stand for ARNs
/// of about their own length).
pub fn inline_policy_size(template: &Value) -> usize {
    let policies = &template["Resources"][WATCH_ROLE]["Properties"]["Policies"];
    policies
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| serde_json::to_string(&p["PolicyDocument"]).map_or(0, |s| s.len()))
        .sum()
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
