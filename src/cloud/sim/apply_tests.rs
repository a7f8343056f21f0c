//! S3 and account changes through `Resources::apply`: each changes exactly its target, and the findings follow.

use super::tests::{fetch_all, saturday, source};
use super::*;
use crate::model::{ComplianceStatus, WorkflowStatus};
use crate::playbook::{AccountState, BucketPublicAccessBlock, BucketState, PublicAccessBlock};
use futures::executor::block_on;

pub(super) const PROD: &str = "210987654321";
pub(super) const STAGING: &str = "345678901234";
pub(super) const SANDBOX: &str = "456789012345";
const EU: &str = "eu-west-1";
const US: &str = "us-east-1";

pub(super) fn org() -> SimOrg {
    SimOrg::new(7, saturday())
}

pub(super) fn apply(org: &SimOrg, account: &str, region: &str, change: Change) -> Result<(), CloudError> {
    block_on(org.apply(account, region, &change))
}

pub(super) fn reference(kind: &str, id: &str) -> ResourceRef {
    ResourceRef { kind: kind.into(), id: id.into(), region: None, tags: Default::default(), details: None }
}

pub(super) fn read(org: &SimOrg, account: &str, region: &str, kind: &str, id: &str) -> ResourceState {
    block_on(org.read_state(account, region, &reference(kind, id))).expect("read")
}

fn bucket(org: &SimOrg, account: &str, region: &str, name: &str) -> BucketState {
    match read(org, account, region, "AwsS3Bucket", &format!("arn:aws:s3:::{name}")) {
        ResourceState::S3Bucket(b) => b,
        other => panic!("not a bucket: {other:?}"),
    }
}

fn account(org: &SimOrg, account: &str, region: &str) -> AccountState {
    match read(org, account, region, "AwsAccount", &format!("AWS::::Account:{account}")) {
        ResourceState::Account(a) => a,
        other => panic!("not an account: {other:?}"),
    }
}

/// The finding of `control` on the resource whose short id is `resource`, open or not.
pub(super) fn finding(org: &SimOrg, src: &SourceId, control: &str, resource: &str) -> Finding {
    org.findings(src, true)
        .into_iter()
        .find(|f| f.control_id.as_deref() == Some(control) && f.resources[0].short_id() == resource)
        .unwrap_or_else(|| panic!("no {control} finding on {resource}"))
}

/// Whether GetFindings (default filters) lists `control` on `resource`.
pub(super) fn listed(org: &SimOrg, src: &SourceId, control: &str, resource: &str) -> bool {
    let open = fetch_all(org, src).expect("fetch");
    open.iter().any(|f| f.control_id.as_deref() == Some(control) && f.resources[0].short_id() == resource)
}

/// Every finding of a source updated at or after `since`, all pages.
pub(super) fn changed_since(org: &SimOrg, src: &SourceId, since: DateTime<Utc>) -> Vec<Finding> {
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let page = block_on(org.fetch_changed_page(src, since, token)).expect("changed page");
        all.extend(page.findings);
        match page.next_token {
            Some(t) => token = Some(t),
            None => return all,
        }
    }
}

/// Every bucket of a source, straight from the state.
fn buckets(org: &SimOrg, src: &SourceId) -> Vec<BucketState> {
    org.lock().sources[src].buckets.iter().map(|b| b.state.clone()).collect()
}

#[test]
fn bucket_block_public_access_changes_that_bucket_only_and_its_finding_follows() {
    let org = org();
    let src = source(STAGING, EU);
    let name = "platform-staging-artifacts-eu-west-1";
    let others = |org: &SimOrg| buckets(org, &src).into_iter().filter(|b| b.name != name).collect::<Vec<_>>();
    let before_others = others(&org);
    assert!(listed(&org, &src, "S3.8", name));
    let open_before = fetch_all(&org, &src).expect("fetch").len();

    let put = Change::PutBucketPublicAccessBlock { bucket: name.into(), config: PublicAccessBlock::ALL_ON };
    apply(&org, STAGING, EU, put).expect("put");
    let fixed = bucket(&org, STAGING, EU, name);
    assert_eq!(fixed.public_access_block, BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON));
    assert_eq!(others(&org), before_others, "no other bucket changed");
    assert!(!listed(&org, &src, "S3.8", name), "the S3.8 finding closed");
    assert_eq!(fetch_all(&org, &src).expect("fetch").len(), open_before - 1);

    apply(&org, STAGING, EU, Change::DeleteBucketPublicAccessBlock { bucket: name.into() }).expect("delete");
    assert_eq!(bucket(&org, STAGING, EU, name).public_access_block, BucketPublicAccessBlock::NotConfigured);
    let reopened = finding(&org, &src, "S3.8", name);
    assert!(reopened.is_open());
    assert_eq!(reopened.workflow_status, WorkflowStatus::New, "a finding that fails again is NEW");
    assert_eq!(org.call_count("PutPublicAccessBlock"), 1);
    assert_eq!(org.call_count("DeletePublicAccessBlock"), 1);
    assert_eq!(org.call_count("Apply"), 2);
}

#[test]
fn account_block_public_access_is_account_wide_and_restricts_public_buckets() {
    let org = org();
    let (eu, us) = (source(SANDBOX, EU), source(SANDBOX, US));
    assert_eq!(account(&org, SANDBOX, EU).s3_public_access_block, BucketPublicAccessBlock::NotConfigured);
    let public = "research-sandbox-shared-datasets-us-east-1";
    assert_eq!(finding(&org, &us, "S3.2", public).compliance_status, Some(ComplianceStatus::Failed));
    let prod_before = account(&org, PROD, EU);
    let since = org.now();

    let put = Change::PutAccountPublicAccessBlock { config: PublicAccessBlock::ALL_ON };
    apply(&org, SANDBOX, EU, put).expect("put");
    for region in [EU, US] {
        let a = account(&org, SANDBOX, region);
        assert_eq!(a.s3_public_access_block, BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON));
    }
    assert_eq!(account(&org, PROD, EU), prod_before, "other accounts keep theirs");
    let account_id = format!("AWS::::Account:{SANDBOX}");
    for src in [&eu, &us] {
        assert!(!listed(&org, src, "S3.1", &account_id), "S3.1 closed in {src}");
    }
    // The public bucket in the other region is now restricted by the account setting: its S3.2 finding passes and
    // comes back in the next refresh, though the bucket itself did not change.
    let refreshed = changed_since(&org, &us, since);
    let s32 = refreshed.iter().find(|f| f.control_id.as_deref() == Some("S3.2")).expect("S3.2 refreshed");
    assert_eq!(s32.resources[0].short_id(), public);
    assert_eq!(s32.compliance_status, Some(ComplianceStatus::Passed));
    assert_eq!(s32.workflow_status, WorkflowStatus::Resolved);

    apply(&org, SANDBOX, US, Change::DeleteAccountPublicAccessBlock).expect("delete");
    assert_eq!(account(&org, SANDBOX, EU).s3_public_access_block, BucketPublicAccessBlock::NotConfigured);
    assert!(listed(&org, &us, "S3.2", public), "the bucket is public again");
}

#[test]
fn default_encryption_put_and_delete_and_bad_requests_change_nothing() {
    let org = org();
    let src = source(SANDBOX, EU);
    let name = "research-sandbox-scratch-eu-west-1";
    assert_eq!(bucket(&org, SANDBOX, EU, name).encryption, None);
    assert!(listed(&org, &src, "S3.4", name));

    let bad = Change::PutBucketEncryption { bucket: name.into(), algorithm: "ROT13".into(), kms_key_id: None };
    assert!(matches!(apply(&org, SANDBOX, EU, bad), Err(CloudError::Other(e)) if e.contains("MalformedXML")));
    let key_with_sse_s3 =
        Change::PutBucketEncryption { bucket: name.into(), algorithm: "AES256".into(), kms_key_id: Some("k".into()) };
    assert!(apply(&org, SANDBOX, EU, key_with_sse_s3).is_err());
    assert_eq!(bucket(&org, SANDBOX, EU, name).encryption, None, "refused requests change nothing");

    let key = "arn:aws:kms:eu-west-1:456789012345:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let put =
        Change::PutBucketEncryption { bucket: name.into(), algorithm: "aws:kms".into(), kms_key_id: Some(key.into()) };
    apply(&org, SANDBOX, EU, put).expect("put");
    let b = bucket(&org, SANDBOX, EU, name);
    assert_eq!((b.encryption.as_deref(), b.encryption_kms_key.as_deref()), (Some("aws:kms"), Some(key)));
    assert!(!listed(&org, &src, "S3.4", name));
    let raw: Value = serde_json::from_str(&finding(&org, &src, "S3.4", name).raw.text().expect("raw")).expect("raw");
    let by_default = &raw["Resources"][0]["Details"]["AwsS3Bucket"]["ServerSideEncryptionConfiguration"]["Rules"][0]
        ["ApplyServerSideEncryptionByDefault"];
    assert_eq!(by_default["KMSMasterKeyID"], key, "the finding shows the key");

    apply(&org, SANDBOX, EU, Change::DeleteBucketEncryption { bucket: name.into() }).expect("delete");
    let b = bucket(&org, SANDBOX, EU, name);
    assert_eq!((b.encryption, b.encryption_kms_key), (None, None));
    assert!(listed(&org, &src, "S3.4", name));
}

#[test]
fn sse_kms_buckets_name_their_customer_managed_key() {
    let org = org();
    let b = bucket(&org, PROD, EU, "payments-prod-invoices-eu-west-1");
    assert_eq!(b.encryption.as_deref(), Some("aws:kms"));
    let key = b.encryption_kms_key.expect("a KMS key");
    assert!(key.starts_with("arn:aws:kms:eu-west-1:210987654321:key/"), "{key}");
    let sse_s3 = bucket(&org, PROD, EU, "payments-prod-merchant-uploads-eu-west-1");
    assert_eq!((sse_s3.encryption.as_deref(), sse_s3.encryption_kms_key), (Some("AES256"), None));
}

#[test]
fn bucket_policies_drive_the_policy_findings() {
    let org = org();
    let src = source(PROD, EU);
    let name = "payments-prod-status-page-eu-west-1";
    let original = bucket(&org, PROD, EU, name).policy.expect("a public policy");
    assert!(listed(&org, &src, "S3.5", name) && listed(&org, &src, "S3.2", name));

    // The SSL-only statement merged into the public policy: S3.5 passes, the bucket stays public (S3.2).
    let mut doc: Value = serde_json::from_str(&original).expect("json");
    let deny = serde_json::json!({
        "Sid": "AllowSSLRequestsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{name}"), format!("arn:aws:s3:::{name}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    });
    doc["Statement"].as_array_mut().expect("statements").push(deny);
    let merged = doc.to_string();
    apply(&org, PROD, EU, Change::PutBucketPolicy { bucket: name.into(), policy: merged.clone() }).expect("put");
    assert_eq!(bucket(&org, PROD, EU, name).policy.as_deref(), Some(merged.as_str()));
    assert_eq!(finding(&org, &src, "S3.5", name).compliance_status, Some(ComplianceStatus::Passed));
    assert!(listed(&org, &src, "S3.2", name));

    for broken in ["{not json", r#"{"Version":"2012-10-17"}"#, &original.replace(name, "someone-elses-bucket")] {
        let put = Change::PutBucketPolicy { bucket: name.into(), policy: broken.to_string() };
        assert!(matches!(apply(&org, PROD, EU, put), Err(CloudError::Other(e)) if e.starts_with("MalformedPolicy")));
    }
    assert_eq!(bucket(&org, PROD, EU, name).policy.as_deref(), Some(merged.as_str()), "refused: unchanged");

    apply(&org, PROD, EU, Change::DeleteBucketPolicy { bucket: name.into() }).expect("delete");
    assert_eq!(bucket(&org, PROD, EU, name).policy, None);
    assert!(!listed(&org, &src, "S3.2", name), "no policy, not public");
    assert!(listed(&org, &src, "S3.5", name), "no policy, no SSL requirement");

    // A bucket that blocks public policies refuses one, as S3 does.
    let locked = "payments-prod-invoices-eu-west-1";
    let public = original.replace(name, locked);
    let put = Change::PutBucketPolicy { bucket: locked.into(), policy: public };
    assert!(matches!(apply(&org, PROD, EU, put), Err(CloudError::AccessDenied(_))));
    assert!(bucket(&org, PROD, EU, locked).policy.is_some_and(|p| !p.contains("s3:GetObject")));
}

#[test]
fn changes_to_unknown_buckets_or_other_places_are_not_found() {
    let org = org();
    let name = "payments-prod-status-page-eu-west-1";
    let delete = || Change::DeleteBucketPolicy { bucket: name.into() };
    let missing = Change::DeleteBucketPolicy { bucket: "no-such-bucket".into() };
    assert!(matches!(apply(&org, PROD, EU, missing), Err(CloudError::NotFound(e)) if e.contains("NoSuchBucket")));
    assert!(matches!(apply(&org, PROD, US, delete()), Err(CloudError::NotFound(_))), "another region");
    assert!(matches!(apply(&org, STAGING, EU, delete()), Err(CloudError::NotFound(_))), "another account");
    assert!(matches!(apply(&org, "999999999999", EU, delete()), Err(CloudError::AccessDenied(_))), "no role");
    assert!(bucket(&org, PROD, EU, name).policy.is_some(), "nothing changed");
    let mutations = org.mutations();
    assert_eq!(mutations.len(), 4);
    assert!(mutations.iter().all(|m| m.contains(" -> failed: ")), "{mutations:?}");
    assert!(mutations[0].starts_with("210987654321/eu-west-1 DeleteBucketPolicy no-such-bucket"), "{mutations:?}");
}
