use super::*;
use crate::playbook::state::BucketPublicAccessBlock;
use std::collections::BTreeMap;

const KEY_ARN: &str = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn bucket_with(encryption: Option<&str>, key: Option<&str>) -> ResourceState {
    ResourceState::S3Bucket(BucketState {
        name: "acme-logs".into(),
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        public_access_block: BucketPublicAccessBlock::Unknown,
        encryption: encryption.map(String::from),
        encryption_kms_key: key.map(String::from),
        policy: None,
        tags: BTreeMap::new(),
        unread: crate::playbook::BucketParts::NONE,
    })
}

fn change(pb: &DefaultEncryption, control: &str, state: &ResourceState) -> Plan {
    match pb.plan(control, state, Basis::Live) {
        Ok(PlanOutcome::Change(p)) => p,
        other => panic!("expected a change, got {other:?}"),
    }
}

#[test]
fn s3_4_without_a_key_uses_sse_s3_and_rolls_back_by_deleting() {
    let p = change(&DefaultEncryption::new(None), "S3.4", &bucket_with(None, None));
    assert_eq!(p.steps[0].before, "no default encryption configuration");
    assert_eq!(p.steps[0].after, "AES256 (SSE-S3)");
    assert_eq!(
        p.cli,
        [
            r#"aws s3api put-bucket-encryption --bucket acme-logs --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}' --region eu-west-1"#
        ]
    );
    assert_eq!(p.rollback_cli, ["aws s3api delete-bucket-encryption --bucket acme-logs --region eu-west-1"]);
    assert_eq!(
        p.changes,
        [Change::PutBucketEncryption { bucket: "acme-logs".into(), algorithm: "AES256".into(), kms_key_id: None }]
    );
    assert_eq!(p.rollback, [Change::DeleteBucketEncryption { bucket: "acme-logs".into() }]);
    assert!(p.warnings.iter().any(|w| w.contains("not re-encrypted")), "{:?}", p.warnings);
}

#[test]
fn s3_17_without_a_key_uses_the_aws_managed_key_and_rolls_back_to_sse_s3() {
    let p = change(&DefaultEncryption::new(None), "S3.17", &bucket_with(Some("AES256"), None));
    assert_eq!(p.steps[0].before, "AES256 (SSE-S3)");
    assert_eq!(p.steps[0].after, "aws:kms with the AWS-managed key aws/s3");
    assert!(p.cli[0].contains(r#"{"SSEAlgorithm":"aws:kms"}"#), "{}", p.cli[0]);
    assert!(!p.cli[0].contains("KMSMasterKeyID"));
    assert_eq!(
        p.rollback,
        [Change::PutBucketEncryption { bucket: "acme-logs".into(), algorithm: "AES256".into(), kms_key_id: None }]
    );
    assert!(p.rollback_cli[0].contains(r#"{"SSEAlgorithm":"AES256"}"#), "{}", p.rollback_cli[0]);
    assert!(p.warnings.iter().any(|w| w.contains("aws/s3 cannot be shared")), "{:?}", p.warnings);
}

#[test]
fn a_configured_key_is_used_for_both_controls_and_the_previous_key_is_restored() {
    let pb = DefaultEncryption::new(Some("alias/security".into()));
    let p = change(&pb, "S3.4", &bucket_with(None, None));
    assert_eq!(p.steps[0].after, "aws:kms with KMS key alias/security");
    let previous = bucket_with(Some("aws:kms"), Some(KEY_ARN));
    let p = change(&pb, "S3.17", &previous);
    assert_eq!(p.steps[0].before, format!("aws:kms with KMS key {KEY_ARN}"));
    assert!(
        p.cli[0].contains(r#"'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"alias/security"}}]}'"#),
        "{}",
        p.cli[0]
    );
    assert_eq!(
        p.changes,
        [Change::PutBucketEncryption {
            bucket: "acme-logs".into(),
            algorithm: "aws:kms".into(),
            kms_key_id: Some("alias/security".into())
        }]
    );
    assert_eq!(
        p.rollback,
        [Change::PutBucketEncryption {
            bucket: "acme-logs".into(),
            algorithm: "aws:kms".into(),
            kms_key_id: Some(KEY_ARN.into())
        }]
    );
    assert!(p.rollback_cli[0].contains(KEY_ARN));
}

#[test]
fn already_compliant_and_verify() {
    let plain = DefaultEncryption::new(None);
    let sse_s3 = bucket_with(Some("AES256"), None);
    assert!(matches!(plain.plan("S3.4", &sse_s3, Basis::Live), Ok(PlanOutcome::AlreadyCompliant(_))));
    assert!(plain.verify("S3.4", &sse_s3));
    assert!(!plain.verify("S3.17", &sse_s3));
    assert!(!plain.verify("S3.4", &bucket_with(None, None)));
    let dsse = bucket_with(Some("aws:kms:dsse"), None);
    assert!(matches!(plain.plan("S3.17", &dsse, Basis::Live), Ok(PlanOutcome::AlreadyCompliant(_))));

    let keyed = DefaultEncryption::new(Some("1234abcd-12ab-34cd-56ef-1234567890ab".into()));
    assert!(keyed.verify("S3.17", &bucket_with(Some("aws:kms"), Some(KEY_ARN))));
    assert!(
        !keyed.verify("S3.17", &bucket_with(Some("aws:kms"), None)),
        "the AWS-managed key is not the configured one"
    );
    assert!(!keyed.verify("S3.17", &bucket_with(Some("aws:kms"), Some("arn:aws:kms:eu-west-1:1:key/other"))));
    assert!(keyed.verify("S3.4", &sse_s3), "S3.4 accepts any default encryption");
}

#[test]
fn snapshot_without_encryption_warns_that_apply_reads_it_live() {
    let p = match DefaultEncryption::new(None).plan("S3.4", &bucket_with(None, None), Basis::FindingSnapshot) {
        Ok(PlanOutcome::Change(p)) => p,
        other => panic!("expected a change, got {other:?}"),
    };
    assert!(p.warnings.iter().any(|w| w.contains("reads it live")), "{:?}", p.warnings);
}

#[test]
fn hostile_bucket_names_are_quoted_and_other_resources_refused() {
    let mut state = bucket_with(None, None);
    if let ResourceState::S3Bucket(b) = &mut state {
        b.name = "x; rm -rf ~".into();
    }
    let p = change(&DefaultEncryption::new(None), "S3.4", &state);
    assert!(p.cli[0].contains("--bucket 'x; rm -rf ~'"), "{}", p.cli[0]);
    assert!(p.rollback_cli[0].contains("--bucket 'x; rm -rf ~'"), "{}", p.rollback_cli[0]);
    let account = ResourceState::Account(crate::playbook::AccountState {
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        s3_public_access_block: BucketPublicAccessBlock::Unknown,
        ebs_encryption_by_default: None,
        public_ebs_snapshots: None,
    });
    assert!(matches!(
        DefaultEncryption::new(None).plan("S3.4", &account, Basis::Live),
        Err(PlanError::WrongResource { wanted: "S3 bucket", found: "account", .. })
    ));
    assert!(!DefaultEncryption::new(None).verify("S3.4", &account));
}
