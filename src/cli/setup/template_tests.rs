use super::*;
use crate::cli::iam_policy::{policy_for, PolicyFor};
use serde_json::Value;

fn config() -> Config {
    let mut config = Config::default();
    config.notify.topic_arn = Some("arn:aws:sns:eu-west-1:111111111111:sec".into());
    config.aws.role_name = Some("Remediation".into());
    config
}

fn built() -> (Config, Value) {
    let config = config();
    let playbooks = Playbooks::new(&config.playbooks);
    let template = template(&config, &playbooks);
    (config, template)
}

fn resource<'a>(template: &'a Value, id: &str) -> &'a Value {
    let found = &template["Resources"][id];
    assert!(found.is_object(), "no resource {id}");
    found
}

/// Every `Ref` and `Fn::GetAtt` target in `value`.
fn references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(name)) = map.get("Ref") {
                out.push(name.clone());
            }
            if let Some(Value::Array(att)) = map.get("Fn::GetAtt") {
                out.extend(att.first().and_then(Value::as_str).map(str::to_string));
            }
            map.values().for_each(|v| references(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

#[test]
fn every_resource_of_the_contract_is_there_with_its_type() {
    let (_, t) = built();
    for (id, kind) in [
        (RULE, "AWS::Events::Rule"),
        (QUEUE, "AWS::SQS::Queue"),
        (DEAD_LETTER_QUEUE, "AWS::SQS::Queue"),
        (QUEUE_POLICY, "AWS::SQS::QueuePolicy"),
        (LEASE_TABLE, "AWS::DynamoDB::Table"),
        (WATCH_ROLE, "AWS::IAM::Role"),
    ] {
        assert_eq!(resource(&t, id)["Type"], kind, "{id}");
    }
    assert_eq!(resource(&t, WATCH_INSTANCE_PROFILE)["Condition"], "WatchRunsOnEc2");
}

#[test]
fn outputs_name_the_queue_table_rule_and_role() {
    let (_, t) = built();
    let outputs = &t["Outputs"];
    assert_eq!(outputs["QueueUrl"]["Value"], json!({ "Ref": QUEUE }));
    assert_eq!(outputs["QueueArn"]["Value"], json!({ "Fn::GetAtt": [QUEUE, "Arn"] }));
    assert_eq!(outputs["DeadLetterQueueUrl"]["Value"], json!({ "Ref": DEAD_LETTER_QUEUE }));
    assert_eq!(outputs["LockTable"]["Value"], json!({ "Ref": LEASE_TABLE }));
    assert_eq!(outputs["RuleArn"]["Value"], json!({ "Fn::GetAtt": [RULE, "Arn"] }));
    assert_eq!(outputs["WatchRoleArn"]["Value"], json!({ "Fn::GetAtt": [WATCH_ROLE, "Arn"] }));
}

#[test]
fn every_reference_names_a_resource_or_parameter_of_the_template() {
    let (_, t) = built();
    let mut names = Vec::new();
    references(&t, &mut names);
    assert!(names.len() > 10, "{names:?}");
    for name in names {
        let known = t["Resources"].get(&name).is_some() || t["Parameters"].get(&name).is_some();
        assert!(known, "{name} is neither a resource nor a parameter");
    }
}

#[test]
fn the_rule_selects_the_three_finding_events_and_targets_the_queue() {
    let (_, t) = built();
    let props = &resource(&t, RULE)["Properties"];
    assert_eq!(
        props["EventPattern"],
        json!({ "source": ["aws.securityhub"], "detail-type": [
            "Security Hub Findings - Imported", "Findings Imported V2", "Security Hub Findings - Custom Action"] })
    );
    assert_eq!(props["State"], "ENABLED");
    assert_eq!(props["Targets"], json!([{ "Id": TARGET_ID, "Arn": { "Fn::GetAtt": [QUEUE, "Arn"] } }]));
    assert!(props.get("EventBusName").is_none(), "the default bus");
}

#[test]
fn the_queue_long_polls_is_encrypted_and_redrives_to_a_dead_letter_queue() {
    let (_, t) = built();
    let props = &resource(&t, QUEUE)["Properties"];
    assert_eq!(props["ReceiveMessageWaitTimeSeconds"], json!({ "Ref": "ReceiveMessageWaitTimeSeconds" }));
    assert_eq!(t["Parameters"]["ReceiveMessageWaitTimeSeconds"]["Default"], 20);
    assert_eq!(props["VisibilityTimeout"], json!({ "Ref": "VisibilityTimeoutSeconds" }));
    assert_eq!(props["SqsManagedSseEnabled"], true);
    assert_eq!(props["RedrivePolicy"]["deadLetterTargetArn"], json!({ "Fn::GetAtt": [DEAD_LETTER_QUEUE, "Arn"] }));
    assert_eq!(props["RedrivePolicy"]["maxReceiveCount"], json!({ "Ref": "MaxReceiveCount" }));
    assert_eq!(t["Parameters"]["MaxReceiveCount"]["Default"], 5);
    let dlq = &resource(&t, DEAD_LETTER_QUEUE)["Properties"];
    assert_eq!(dlq["MessageRetentionPeriod"], 1_209_600);
    assert_eq!(dlq["SqsManagedSseEnabled"], true);
    assert!(props["MessageRetentionPeriod"].as_u64() < dlq["MessageRetentionPeriod"].as_u64());
}

#[test]
fn only_eventbridge_may_send_and_only_for_the_rule() {
    let (_, t) = built();
    let props = &resource(&t, QUEUE_POLICY)["Properties"];
    assert_eq!(props["Queues"], json!([{ "Ref": QUEUE }]));
    let allows: Vec<&Value> = props["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .collect();
    assert_eq!(allows.len(), 1, "{allows:?}");
    let allow = allows[0];
    assert_eq!(allow["Principal"], json!({ "Service": "events.amazonaws.com" }));
    assert_eq!(allow["Action"], "sqs:SendMessage");
    assert_eq!(allow["Resource"], json!({ "Fn::GetAtt": [QUEUE, "Arn"] }));
    assert_eq!(allow["Condition"], json!({ "ArnEquals": { "aws:SourceArn": { "Fn::GetAtt": [RULE, "Arn"] } } }));
}

#[test]
fn the_lease_table_is_keyed_by_resource_and_expires_on_expires_at() {
    let (_, t) = built();
    let props = &resource(&t, LEASE_TABLE)["Properties"];
    assert_eq!(props["KeySchema"], json!([{ "AttributeName": "resource", "KeyType": "HASH" }]));
    assert_eq!(props["AttributeDefinitions"], json!([{ "AttributeName": "resource", "AttributeType": "S" }]));
    assert_eq!(props["TimeToLiveSpecification"], json!({ "AttributeName": "expires_at", "Enabled": true }));
    assert_eq!(props["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(props["SSESpecification"]["SSEEnabled"], true);
    assert_eq!(props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], true);
}

#[test]
fn the_role_has_the_queue_and_lease_calls_and_every_statement_of_the_iam_policy_generator() {
    let (config, t) = built();
    let playbooks = Playbooks::new(&config.playbooks);
    let role = &resource(&t, WATCH_ROLE)["Properties"];
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
        json!({ "Ref": "WatchServicePrincipal" })
    );
    assert_eq!(t["Parameters"]["WatchServicePrincipal"]["Default"], "ecs-tasks.amazonaws.com");
    let policies = role["Policies"].as_array().expect("policies");
    assert_eq!(policies.len(), 1);
    let statements = policies[0]["PolicyDocument"]["Statement"].as_array().expect("statements");
    let generated = policy_for(&config, &playbooks, PolicyFor::All);
    let generated = generated["Statement"].as_array().expect("generated statements");
    assert!(generated.len() > 5, "the generator gives the playbooks' statements");
    for statement in generated {
        assert!(statements.contains(statement), "missing {statement}");
    }
    assert_eq!(statements.len(), generated.len() + 2, "the queue and lease statements, nothing else");
    let find = |sid: &str| statements.iter().find(|s| s["Sid"] == sid).unwrap_or_else(|| panic!("no {sid}"));
    let queue = find("ConsumeFindingEvents");
    assert_eq!(
        queue["Action"],
        json!(["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"])
    );
    assert_eq!(queue["Resource"], json!({ "Fn::GetAtt": [QUEUE, "Arn"] }));
    let leases = find("HoldResourceLeases");
    assert_eq!(
        leases["Action"],
        json!(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:UpdateItem"])
    );
    assert_eq!(leases["Resource"], json!({ "Fn::GetAtt": [LEASE_TABLE, "Arn"] }));
    let size = inline_policy_size(&t);
    assert!(size > 1000 && size < INLINE_POLICY_LIMIT, "{size}");
}

#[test]
fn the_role_follows_the_configuration() {
    let mut config = config();
    let playbooks = Playbooks::new(&config.playbooks);
    let with_role = watch_policy_document(&config, &playbooks);
    config.aws.role_name = None;
    let without_role = watch_policy_document(&config, &playbooks);
    let sids = |doc: &Value| -> Vec<String> {
        doc["Statement"].as_array().into_iter().flatten().map(|s| s["Sid"].as_str().unwrap_or("").to_string()).collect()
    };
    assert!(sids(&with_role).contains(&"AssumeRemediationRoleInEachAccount".to_string()));
    assert!(!sids(&without_role).contains(&"AssumeRemediationRoleInEachAccount".to_string()));
}
