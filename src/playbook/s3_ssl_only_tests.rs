use super::*;
use crate::playbook::state::{BucketPublicAccessBlock, BucketState};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const DENY: &str = r#"{"Sid":"HubtriageDenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::acme-logs","arn:aws:s3:::acme-logs/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#;

fn bucket_with(policy: Option<&str>, region: &str) -> ResourceState {
    ResourceState::S3Bucket(BucketState {
        name: "acme-logs".into(),
        account_id: "111111111111".into(),
        region: region.into(),
        public_access_block: BucketPublicAccessBlock::Unknown,
        encryption: None,
        encryption_kms_key: None,
        policy: policy.map(String::from),
        tags: BTreeMap::new(),
        unread: crate::playbook::BucketParts::NONE,
    })
}

fn change(state: &ResourceState) -> Plan {
    match SslOnly.plan("S3.5", state, Basis::Live) {
        Ok(PlanOutcome::Change(p)) => p,
        other => panic!("expected a change, got {other:?}"),
    }
}

fn new_policy(p: &Plan) -> &str {
    match &p.changes[..] {
        [Change::PutBucketPolicy { bucket, policy }] if bucket == "acme-logs" => policy,
        other => panic!("expected one PutBucketPolicy, got {other:?}"),
    }
}

#[test]
fn no_policy_gets_a_new_one_and_rolls_back_by_deleting_it() {
    let p = change(&bucket_with(None, "eu-west-1"));
    let expected = format!(r#"{{"Version":"2012-10-17","Statement":[{DENY}]}}"#);
    assert_eq!(new_policy(&p), expected);
    assert_eq!(p.steps[0].before, "no bucket policy");
    assert_eq!(p.steps[0].after, format!("the 0 statement(s) unchanged, plus {DENY}"));
    assert_eq!(
        p.cli,
        [format!("aws s3api put-bucket-policy --bucket acme-logs --policy '{expected}' --region eu-west-1")]
    );
    assert_eq!(p.rollback, [Change::DeleteBucketPolicy { bucket: "acme-logs".into() }]);
    assert_eq!(p.rollback_cli, ["aws s3api delete-bucket-policy --bucket acme-logs --region eu-west-1"]);
    assert!(SslOnly.verify("S3.5", &bucket_with(Some(&expected), "eu-west-1")));
}

#[test]
fn existing_statements_are_kept_byte_for_byte_and_the_previous_policy_restored_exactly() {
    let existing = r#"{
  "Version": "2012-10-17",
  "Id": "it's ours",
  "Statement": [
    {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-logs/*"},
    {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::acme-logs"}
  ]
}"#;
    let p = change(&bucket_with(Some(existing), "eu-west-1"));
    let merged = new_policy(&p);
    assert!(merged.contains(r#"{"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-logs/*"}"#), "{merged}");
    let doc: Value = serde_json::from_str(merged).expect("valid JSON");
    let old: Value = serde_json::from_str(existing).expect("valid JSON");
    assert_eq!(doc["Id"], "it's ours");
    assert_eq!(doc["Version"], "2012-10-17");
    let statements = doc["Statement"].as_array().expect("array");
    assert_eq!(statements.len(), 3);
    assert_eq!(statements[..2], old["Statement"].as_array().expect("array")[..]);
    assert_eq!(statements[2], serde_json::from_str::<Value>(DENY).expect("json"));
    assert_eq!(p.steps[0].before, "bucket policy with 2 statement(s), none denying plain HTTP");
    assert_eq!(p.rollback, [Change::PutBucketPolicy { bucket: "acme-logs".into(), policy: existing.into() }]);
    assert!(p.rollback_cli[0].contains(r"it'\''s ours"), "quoted for the shell: {}", p.rollback_cli[0]);
    assert!(p.summary.contains("2 existing policy statement(s) untouched"));
}

#[test]
fn a_single_statement_object_becomes_an_array() {
    let single = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-logs/*"}}"#;
    let merged = new_policy(&change(&bucket_with(Some(single), "eu-west-1"))).to_string();
    assert_eq!(
        merged,
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::222222222222:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-logs/*"}},{DENY}]}}"#
        )
    );
}

#[test]
fn unreadable_policies_and_sid_clashes_are_unsafe() {
    for (policy, why) in [
        ("{not json", "not a JSON object"),
        (r#"["a"]"#, "not a JSON object"),
        (r#"{"Statement":"x"}"#, "neither an array nor an object"),
        (r#"{"Statement":[],"Statement":[]}"#, "twice"),
        (r#"{"Statement":[{"Sid":"HubtriageDenyInsecureTransport","Effect":"Allow"}]}"#, "already has a statement"),
    ] {
        match SslOnly.plan("S3.5", &bucket_with(Some(policy), "eu-west-1"), Basis::Live) {
            Err(PlanError::Unsafe(message)) => {
                assert!(message.contains(why), "{policy}: {message}");
                assert!(message.contains("by hand"), "{message}");
            }
            other => panic!("{policy}: expected Unsafe, got {other:?}"),
        }
    }
}

#[test]
fn partitions_follow_the_bucket_region() {
    let p = change(&bucket_with(None, "cn-north-1"));
    assert!(new_policy(&p).contains(r#""arn:aws-cn:s3:::acme-logs","arn:aws-cn:s3:::acme-logs/*""#));
    let p = change(&bucket_with(None, "us-gov-west-1"));
    assert!(new_policy(&p).contains(r#""arn:aws-us-gov:s3:::acme-logs/*""#));
}

#[test]
fn compliant_policies_in_other_spellings_verify() {
    let other_sid = json!({"Statement": [{"Sid": "ssl", "Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": ["s3:GetObject", "*"],
        "Resource": "arn:aws:s3:::acme-logs/*", "Condition": {"Bool": {"aws:securetransport": ["false"]}}}]})
    .to_string();
    let state = bucket_with(Some(&other_sid), "eu-west-1");
    assert!(SslOnly.verify("S3.5", &state));
    assert!(matches!(SslOnly.plan("S3.5", &state, Basis::Live), Ok(PlanOutcome::AlreadyCompliant(_))));
    for not_enough in [
        json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}}),
        json!({"Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}}),
        json!({"Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}}),
        json!({"Statement": {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": false}}}}),
    ] {
        assert!(!SslOnly.verify("S3.5", &bucket_with(Some(&not_enough.to_string()), "eu-west-1")), "{not_enough}");
    }
    assert!(!SslOnly.verify("S3.5", &bucket_with(None, "eu-west-1")));
}

#[test]
fn snapshot_plans_warn_and_other_resources_are_refused() {
    let p = match SslOnly.plan("S3.5", &bucket_with(None, "eu-west-1"), Basis::FindingSnapshot) {
        Ok(PlanOutcome::Change(p)) => p,
        other => panic!("expected a change, got {other:?}"),
    };
    assert!(p.warnings.iter().any(|w| w.contains("reads it live")), "{:?}", p.warnings);
    assert!(p.warnings.iter().any(|w| w.contains("plain HTTP")), "{:?}", p.warnings);
    let group = ResourceState::SecurityGroup(crate::playbook::SecurityGroupState {
        group_id: "sg-1".into(),
        group_name: "default".into(),
        vpc_id: None,
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        rules: vec![],
        tags: BTreeMap::new(),
    });
    assert!(matches!(SslOnly.plan("S3.5", &group, Basis::Live), Err(PlanError::WrongResource { .. })));
}

#[test]
fn policies_over_the_size_limit_are_refused() {
    let big = json!({"Statement": [{"Sid": "x".repeat(21 * 1024), "Effect": "Allow"}]}).to_string();
    assert!(matches!(
        SslOnly.plan("S3.5", &bucket_with(Some(&big), "eu-west-1"), Basis::Live),
        Err(PlanError::Unsafe(m)) if m.contains("over S3's limit")
    ));
}
