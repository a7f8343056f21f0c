//! Remediations applied through the AWS adapter against moto, in an account the product reaches by assuming a role.
//! Each test creates the non-compliant resource with the SDK directly, reads it through the adapter, plans with the
//! built-in playbook, applies every planned change, checks with direct SDK reads that exactly that change happened
//! (and nothing else), checks the playbook verifies the new state, then applies the rollback and checks the state is
//! back to what it was.
#![allow(clippy::unwrap_used)]

mod support;

use aws_sdk_ec2::types::{Filter, InstanceMetadataOptionsRequest, IpPermission, IpRange, Ipv6Range, UserIdGroupPair};
use aws_sdk_s3::types::{
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use hubtriage::cloud::{Backend, CloudError, FindingUpdate};
use hubtriage::model::{FindingKey, ResourceRef, WorkflowStatus};
use hubtriage::playbook::{
    Basis, BucketPublicAccessBlock, Change, Plan, PlanOutcome, PlaybookSettings, Playbooks, PublicAccessBlock,
    ResourceState,
};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use support::ec2::{create_group, default_vpc, run_instance};
use support::http::{aws_call_with, Keys};
use support::moto::moto;
use support::s3::{code_of, direct_bucket_tags, new_bucket, put_bucket_tags, put_public_access_block};
use support::sdk::{self, resources, run, BASE_ACCOUNT};

/// The account the findings live in; the product reaches it through the role in its settings.
const ACCOUNT: &str = "222222222222";
const REGION: &str = "eu-west-1";
const OTHER_REGION: &str = "us-west-2";

fn resource(kind: &str, id: &str) -> ResourceRef {
    ResourceRef {
        kind: kind.into(),
        id: id.into(),
        region: Some(REGION.into()),
        tags: Default::default(),
        details: None,
    }
}

async fn read(backend: &Backend, account: &str, resource: &ResourceRef) -> ResourceState {
    resources(backend)
        .read_state(account, REGION, resource)
        .await
        .unwrap_or_else(|e| panic!("read_state {} in {account}: {e}", resource.id))
}

async fn apply_all(backend: &Backend, account: &str, changes: &[Change]) {
    for change in changes {
        sdk::apply(backend, account, REGION, change).await;
    }
}

/// The state before, the plan, and the state after applying it.
struct Fixed {
    before: ResourceState,
    plan: Plan,
    after: ResourceState,
}

/// Reads, plans (the state must fail the control), applies every change, re-reads; the playbook must verify it.
async fn fix(backend: &Backend, playbooks: &Playbooks, account: &str, control: &str, resource: &ResourceRef) -> Fixed {
    let playbook = playbooks.for_control(control).unwrap_or_else(|| panic!("no playbook for {control}"));
    let before = read(backend, account, resource).await;
    assert!(!playbook.verify(control, &before), "{control}: the set-up state already passes: {before:?}");
    let plan = match playbook.plan(control, &before, Basis::Live) {
        Ok(PlanOutcome::Change(plan)) => plan,
        other => panic!("{control}: expected a change for {before:?}, got {other:?}"),
    };
    assert!(!plan.changes.is_empty() && !plan.rollback.is_empty(), "{control}: {plan:?}");
    apply_all(backend, account, &plan.changes).await;
    let after = read(backend, account, resource).await;
    assert!(playbook.verify(control, &after), "{control}: not fixed by {:?}: {after:?}", plan.changes);
    Fixed { before, plan, after }
}

/// Applies the rollback; the re-read state must be the before-state again (rule ids aside) and fail the control.
async fn roll_back(
    backend: &Backend,
    playbooks: &Playbooks,
    account: &str,
    control: &str,
    resource: &ResourceRef,
    fixed: &Fixed,
) -> ResourceState {
    apply_all(backend, account, &fixed.plan.rollback).await;
    let restored = read(backend, account, resource).await;
    assert_eq!(restored.effective(), fixed.before.effective(), "{control}: rollback did not restore the state");
    assert!(!playbooks.for_control(control).unwrap().verify(control, &restored), "{control}: {restored:?}");
    restored
}

// ---- S3, read directly ----

/// Everything the tests set on a bucket, read with the SDK.
#[derive(Debug, Clone, PartialEq)]
struct DirectBucket {
    public_access_block: Option<PublicAccessBlock>,
    encryption: Option<(String, Option<String>)>,
    policy: Option<String>,
    tags: BTreeMap<String, String>,
}

async fn direct_bucket(s3: &aws_sdk_s3::Client, bucket: &str) -> DirectBucket {
    let public_access_block = match s3.get_public_access_block().bucket(bucket).send().await {
        Ok(o) => o.public_access_block_configuration().map(|c| PublicAccessBlock {
            block_public_acls: c.block_public_acls().unwrap(),
            ignore_public_acls: c.ignore_public_acls().unwrap(),
            block_public_policy: c.block_public_policy().unwrap(),
            restrict_public_buckets: c.restrict_public_buckets().unwrap(),
        }),
        Err(e) if code_of(&e) == "NoSuchPublicAccessBlockConfiguration" => None,
        Err(e) => panic!("GetPublicAccessBlock {bucket}: {e:?}"),
    };
    let encryption = match s3.get_bucket_encryption().bucket(bucket).send().await {
        Ok(o) => {
            let rule = &o.server_side_encryption_configuration().unwrap().rules()[0];
            let d = rule.apply_server_side_encryption_by_default().unwrap();
            Some((d.sse_algorithm().as_str().to_string(), d.kms_master_key_id().map(String::from)))
        }
        Err(e) if code_of(&e) == "ServerSideEncryptionConfigurationNotFoundError" => None,
        Err(e) => panic!("GetBucketEncryption {bucket}: {e:?}"),
    };
    let policy = match s3.get_bucket_policy().bucket(bucket).send().await {
        Ok(o) => o.policy().map(String::from),
        Err(e) if code_of(&e) == "NoSuchBucketPolicy" => None,
        Err(e) => panic!("GetBucketPolicy {bucket}: {e:?}"),
    };
    let tags = direct_bucket_tags(s3, bucket).await.unwrap_or_default();
    DirectBucket { public_access_block, encryption, policy, tags }
}

async fn put_aes256(s3: &aws_sdk_s3::Client, bucket: &str) {
    let default = ServerSideEncryptionByDefault::builder().sse_algorithm(ServerSideEncryption::Aes256).build().unwrap();
    let conf = ServerSideEncryptionConfiguration::builder()
        .rules(ServerSideEncryptionRule::builder().apply_server_side_encryption_by_default(default).build())
        .build()
        .unwrap();
    s3.put_bucket_encryption().bucket(bucket).server_side_encryption_configuration(conf).send().await.unwrap();
}

/// A policy with two statements that have nothing to do with transport security.
fn two_statement_policy(bucket: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AuditReadsObjects",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
                "Action": "s3:GetObject",
                "Resource": format!("arn:aws:s3:::{bucket}/*")
            },
            {
                "Sid": "NobodyDeletesTheBucket",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:DeleteBucket",
                "Resource": format!("arn:aws:s3:::{bucket}")
            }
        ]
    })
    .to_string()
}

#[test]
fn s3_8_turns_on_all_four_bucket_settings_and_nothing_else_then_rolls_back() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let bucket = "ht-apply-s3-8";
        let s3 = new_bucket(&endpoint, ACCOUNT, REGION, bucket).await;
        let partial = PublicAccessBlock { block_public_acls: true, ..Default::default() };
        put_public_access_block(&s3, bucket, partial).await;
        put_bucket_tags(&s3, bucket, [("team", "data"), ("env", "prod")]).await;
        put_aes256(&s3, bucket).await;
        s3.put_bucket_policy().bucket(bucket).policy(two_statement_policy(bucket)).send().await.unwrap();
        let direct_before = direct_bucket(&s3, bucket).await;

        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let playbooks = Playbooks::new(&PlaybookSettings::default());
        let r = resource("AwsS3Bucket", &format!("arn:aws:s3:::{bucket}"));
        let fixed = fix(&backend, &playbooks, ACCOUNT, "S3.8", &r).await;
        let ResourceState::S3Bucket(before) = &fixed.before else { panic!("{:?}", fixed.before) };
        assert_eq!(before.public_access_block, BucketPublicAccessBlock::Configured(partial));
        assert_eq!((before.account_id.as_str(), before.region.as_str()), (ACCOUNT, REGION));
        assert_eq!(
            fixed.plan.changes,
            [Change::PutBucketPublicAccessBlock { bucket: bucket.into(), config: PublicAccessBlock::ALL_ON }]
        );

        let direct_after = direct_bucket(&s3, bucket).await;
        assert_eq!(
            direct_after,
            DirectBucket { public_access_block: Some(PublicAccessBlock::ALL_ON), ..direct_before.clone() },
            "only the four settings changed"
        );
        let mut expected = before.clone();
        expected.public_access_block = BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON);
        assert_eq!(fixed.after, ResourceState::S3Bucket(expected));

        roll_back(&backend, &playbooks, ACCOUNT, "S3.8", &r, &fixed).await;
        assert_eq!(direct_bucket(&s3, bucket).await, direct_before);
    });
}

#[test]
fn s3_8_rollback_of_a_bucket_without_settings_deletes_the_configuration() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let bucket = "ht-apply-s3-8-bare";
        let s3 = new_bucket(&endpoint, ACCOUNT, REGION, bucket).await;
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let playbooks = Playbooks::new(&PlaybookSettings::default());
        let r = resource("AwsS3Bucket", bucket);
        let fixed = fix(&backend, &playbooks, ACCOUNT, "S3.8", &r).await;
        assert_eq!(fixed.plan.rollback, [Change::DeleteBucketPublicAccessBlock { bucket: bucket.into() }]);
        assert_eq!(direct_bucket(&s3, bucket).await.public_access_block, Some(PublicAccessBlock::ALL_ON));
        roll_back(&backend, &playbooks, ACCOUNT, "S3.8", &r, &fixed).await;
        assert_eq!(direct_bucket(&s3, bucket).await.public_access_block, None, "the configuration is gone again");
    });
}

#[test]
fn s3_4_turns_on_default_encryption_and_the_rollback_removes_it() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let bucket = "ht-apply-s3-4";
        let s3 = new_bucket(&endpoint, ACCOUNT, REGION, bucket).await;
        put_public_access_block(&s3, bucket, PublicAccessBlock::ALL_ON).await;
        put_bucket_tags(&s3, bucket, [("owner", "payments")]).await;
        s3.put_bucket_policy().bucket(bucket).policy(two_statement_policy(bucket)).send().await.unwrap();
        let direct_before = direct_bucket(&s3, bucket).await;
        assert_eq!(direct_before.encryption, None, "moto: a new bucket has no default encryption");

        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let playbooks = Playbooks::new(&PlaybookSettings::default());
        let r = resource("AwsS3Bucket", &format!("arn:aws:s3:::{bucket}"));
        let fixed = fix(&backend, &playbooks, ACCOUNT, "S3.4", &r).await;
        assert_eq!(
            fixed.plan.changes,
            [Change::PutBucketEncryption { bucket: bucket.into(), algorithm: "AES256".into(), kms_key_id: None }]
        );
        assert_eq!(fixed.plan.rollback, [Change::DeleteBucketEncryption { bucket: bucket.into() }]);
        assert_eq!(
            direct_bucket(&s3, bucket).await,
            DirectBucket { encryption: Some(("AES256".into(), None)), ..direct_before.clone() }
        );
        roll_back(&backend, &playbooks, ACCOUNT, "S3.4", &r, &fixed).await;
        assert_eq!(direct_bucket(&s3, bucket).await, direct_before);
    });
}

#[test]
fn s3_17_with_a_configured_key_writes_and_reads_back_the_kms_key_and_restores_sse_s3() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let bucket = "ht-apply-s3-17";
        let key = format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/0b8f4c3e-1111-2222-3333-444455556666");
        let s3 = new_bucket(&endpoint, ACCOUNT, REGION, bucket).await;
        put_aes256(&s3, bucket).await;
        let direct_before = direct_bucket(&s3, bucket).await;

        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let playbooks = Playbooks::new(&PlaybookSettings { s3_kms_key_id: Some(key.clone()), ..Default::default() });
        let r = resource("AwsS3Bucket", bucket);
        let fixed = fix(&backend, &playbooks, ACCOUNT, "S3.17", &r).await;
        assert_eq!(
            fixed.plan.changes,
            [Change::PutBucketEncryption {
                bucket: bucket.into(),
                algorithm: "aws:kms".into(),
                kms_key_id: Some(key.clone())
            }]
        );
        let ResourceState::S3Bucket(after) = &fixed.after else { panic!() };
        assert_eq!((after.encryption.as_deref(), after.encryption_kms_key.as_deref()), (Some("aws:kms"), Some(&*key)));
        assert_eq!(
            direct_bucket(&s3, bucket).await,
            DirectBucket { encryption: Some(("aws:kms".into(), Some(key.clone()))), ..direct_before.clone() }
        );
        roll_back(&backend, &playbooks, ACCOUNT, "S3.17", &r, &fixed).await;
        assert_eq!(direct_bucket(&s3, bucket).await, direct_before, "back to SSE-S3");
    });
}

#[test]
fn s3_5_adds_one_ssl_only_statement_and_keeps_the_others_exactly() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let bucket = "ht-apply-s3-5";
        let s3 = new_bucket(&endpoint, ACCOUNT, REGION, bucket).await;
        put_public_access_block(&s3, bucket, PublicAccessBlock::ALL_ON).await;
        put_bucket_tags(&s3, bucket, [("team", "web")]).await;
        let original = two_statement_policy(bucket);
        s3.put_bucket_policy().bucket(bucket).policy(&original).send().await.unwrap();
        let direct_before = direct_bucket(&s3, bucket).await;
        assert_eq!(direct_before.policy.as_deref(), Some(original.as_str()));

        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let playbooks = Playbooks::new(&PlaybookSettings::default());
        let r = resource("AwsS3Bucket", bucket);
        let fixed = fix(&backend, &playbooks, ACCOUNT, "S3.5", &r).await;
        assert!(matches!(fixed.plan.changes.as_slice(), [Change::PutBucketPolicy { .. }]), "{:?}", fixed.plan.changes);
        assert_eq!(fixed.plan.rollback, [Change::PutBucketPolicy { bucket: bucket.into(), policy: original.clone() }]);

        let direct_after = direct_bucket(&s3, bucket).await;
        assert_eq!(DirectBucket { policy: direct_before.policy.clone(), ..direct_after.clone() }, direct_before);
        let before: Value = serde_json::from_str(&original).unwrap();
        let after: Value = serde_json::from_str(direct_after.policy.as_deref().unwrap()).unwrap();
        assert_eq!(after["Version"], before["Version"]);
        let statements = after["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 3, "{after:#}");
        for kept in before["Statement"].as_array().unwrap() {
            assert!(statements.contains(kept), "statement {kept} changed or went missing: {after:#}");
        }
        let added: Vec<&Value> =
            statements.iter().filter(|s| !before["Statement"].as_array().unwrap().contains(s)).collect();
        assert_eq!(added.len(), 1);
        assert_eq!(added[0]["Effect"], "Deny");
        assert_eq!(added[0]["Condition"]["Bool"]["aws:SecureTransport"], "false");
        let resources: Vec<&str> =
            added[0]["Resource"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(resources, [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")]);

        roll_back(&backend, &playbooks, ACCOUNT, "S3.5", &r, &fixed).await;
        assert_eq!(direct_bucket(&s3, bucket).await, direct_before, "the original policy, byte for byte");
    });
}

// ---- S3 account-level Block Public Access, read directly over HTTP (the SDK cannot reach moto's s3control
// without the adapter's host rewrite) ----

fn raw_account_pab(port: u16, keys: &Keys, account: &str) -> Option<PublicAccessBlock> {
    let r = aws_call_with(
        port,
        keys,
        ("s3", REGION),
        "GET",
        "/v20180820/configuration/publicAccessBlock",
        "application/xml",
        &[("x-amz-account-id", account.to_string())],
        b"",
    );
    if r.status == 404 && r.body.contains("NoSuchPublicAccessBlockConfiguration") {
        return None;
    }
    assert_eq!(r.status, 200, "GetPublicAccessBlock for {account}: {}", r.body);
    let flag = |name: &str| r.body.contains(&format!("<{name}>true</{name}>"));
    Some(PublicAccessBlock {
        block_public_acls: flag("BlockPublicAcls"),
        ignore_public_acls: flag("IgnorePublicAcls"),
        block_public_policy: flag("BlockPublicPolicy"),
        restrict_public_buckets: flag("RestrictPublicBuckets"),
    })
}

#[test]
fn s3_1_blocks_public_access_for_the_assumed_account_only_and_rolls_back() {
    const ACCOUNT_S3_1: &str = "333333333333";
    let server = moto();
    let endpoint = server.endpoint();
    let port = server.port;
    run(async move {
        let keys =
            tokio::task::spawn_blocking(move || support::seed::assume(port, ACCOUNT_S3_1, sdk::ROLE)).await.unwrap();
        let direct = move |keys: Keys, account: &'static str| async move {
            tokio::task::spawn_blocking(move || raw_account_pab(port, &keys, account)).await.unwrap()
        };
        assert_eq!(direct(keys.clone(), ACCOUNT_S3_1).await, None, "a fresh account has no configuration");

        let backend = sdk::backend(&endpoint, &[ACCOUNT_S3_1], &[REGION]).await;
        let playbooks = Playbooks::new(&PlaybookSettings::default());
        let r = resource("AwsAccount", &format!("AWS::::Account:{ACCOUNT_S3_1}"));
        let fixed = fix(&backend, &playbooks, ACCOUNT_S3_1, "S3.1", &r).await;
        let ResourceState::Account(before) = &fixed.before else { panic!("{:?}", fixed.before) };
        assert_eq!(before.s3_public_access_block, BucketPublicAccessBlock::NotConfigured);
        assert_eq!(before.ebs_encryption_by_default, Some(false));
        assert_eq!(fixed.plan.changes, [Change::PutAccountPublicAccessBlock { config: PublicAccessBlock::ALL_ON }]);
        assert_eq!(fixed.plan.rollback, [Change::DeleteAccountPublicAccessBlock]);

        assert_eq!(direct(keys.clone(), ACCOUNT_S3_1).await, Some(PublicAccessBlock::ALL_ON));
        assert_eq!(direct(Keys::base(), BASE_ACCOUNT).await, None, "the caller's own account is untouched");
        let mut expected = before.clone();
        expected.s3_public_access_block = BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON);
        assert_eq!(fixed.after, ResourceState::Account(expected), "EBS encryption by default untouched");

        roll_back(&backend, &playbooks, ACCOUNT_S3_1, "S3.1", &r, &fixed).await;
        assert_eq!(direct(keys, ACCOUNT_S3_1).await, None, "the configuration is deleted again");
    });
}

#[test]
fn ec2_7_turns_on_ebs_encryption_by_default_in_that_account_and_region_only() {
    const ACCOUNT_EC2_7: &str = "444444444444";
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let assumed = sdk::assumed_config(&endpoint, ACCOUNT_EC2_7).await;
        let base = sdk::base_config(&endpoint);
        let ebs_default = |config: aws_config::SdkConfig, region: &'static str| async move {
            sdk::ec2(&config, region).get_ebs_encryption_by_default().send().await.unwrap().ebs_encryption_by_default()
        };
        assert_eq!(ebs_default(assumed.clone(), REGION).await, Some(false));

        let backend = sdk::backend(&endpoint, &[ACCOUNT_EC2_7], &[REGION]).await;
        let playbooks = Playbooks::new(&PlaybookSettings::default());
        let r = resource("AwsAccount", &format!("AWS::::Account:{ACCOUNT_EC2_7}"));
        let fixed = fix(&backend, &playbooks, ACCOUNT_EC2_7, "EC2.7", &r).await;
        assert_eq!(fixed.plan.changes, [Change::SetEbsEncryptionByDefault { enabled: true }]);

        assert_eq!(ebs_default(assumed.clone(), REGION).await, Some(true));
        assert_eq!(ebs_default(assumed.clone(), OTHER_REGION).await, Some(false), "another region is untouched");
        assert_eq!(ebs_default(base.clone(), REGION).await, Some(false), "the caller's own account is untouched");
        let ResourceState::Account(before) = &fixed.before else { panic!() };
        let mut expected = before.clone();
        expected.ebs_encryption_by_default = Some(true);
        assert_eq!(fixed.after, ResourceState::Account(expected), "account Block Public Access untouched");

        roll_back(&backend, &playbooks, ACCOUNT_EC2_7, "EC2.7", &r, &fixed).await;
        assert_eq!(ebs_default(assumed, REGION).await, Some(false));
    });
}

// ---- security groups, read directly ----

/// A rule as DescribeSecurityGroupRules returns it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct DirectRule {
    id: String,
    egress: bool,
    protocol: String,
    ports: (i32, i32),
    source: String,
    description: Option<String>,
}

impl DirectRule {
    /// The rule without its id (re-created rules get new ids).
    fn shape(&self) -> DirectRule {
        DirectRule { id: String::new(), ..self.clone() }
    }
}

async fn direct_rules(ec2: &aws_sdk_ec2::Client, group_id: &str) -> BTreeSet<DirectRule> {
    let out = ec2
        .describe_security_group_rules()
        .filters(Filter::builder().name("group-id").values(group_id).build())
        .send()
        .await
        .unwrap();
    out.security_group_rules()
        .iter()
        .map(|r| DirectRule {
            id: r.security_group_rule_id().unwrap().to_string(),
            egress: r.is_egress().unwrap(),
            protocol: r.ip_protocol().unwrap().to_string(),
            ports: (r.from_port().unwrap_or(-1), r.to_port().unwrap_or(-1)),
            source: r
                .cidr_ipv4()
                .or(r.cidr_ipv6())
                .or(r.referenced_group_info().and_then(|g| g.group_id()))
                .or(r.prefix_list_id())
                .unwrap_or("?")
                .to_string(),
            description: r.description().filter(|d| !d.is_empty()).map(String::from),
        })
        .collect()
}

fn tcp(port: i32) -> aws_sdk_ec2::types::builders::IpPermissionBuilder {
    IpPermission::builder().ip_protocol("tcp").from_port(port).to_port(port)
}

fn v4(cidr: &str, description: &str) -> IpRange {
    IpRange::builder().cidr_ip(cidr).description(description).build()
}

#[test]
fn ec2_13_revokes_only_the_world_open_ssh_rules_and_restores_them() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let ec2 = sdk::ec2(&sdk::assumed_config(&endpoint, ACCOUNT).await, REGION);
        let group_id = create_group(&ec2, "ht-apply-web", "web servers", &[]).await;
        ec2.authorize_security_group_ingress()
            .group_id(&group_id)
            .ip_permissions(tcp(443).ip_ranges(v4("0.0.0.0/0", "https for everyone")).build())
            .ip_permissions(tcp(22).ip_ranges(v4("0.0.0.0/0", "ssh from anywhere")).build())
            .ip_permissions(tcp(22).ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build()).build())
            .ip_permissions(tcp(22).ip_ranges(v4("10.0.0.0/8", "ssh from the office")).build())
            .send()
            .await
            .unwrap();
        ec2.authorize_security_group_egress()
            .group_id(&group_id)
            .ip_permissions(tcp(5432).ip_ranges(v4("10.1.0.0/16", "database")).build())
            .send()
            .await
            .unwrap();
        let before = direct_rules(&ec2, &group_id).await;
        let world_ssh: BTreeSet<String> = before
            .iter()
            .filter(|r| !r.egress && r.ports == (22, 22) && (r.source == "0.0.0.0/0" || r.source == "::/0"))
            .map(|r| r.id.clone())
            .collect();
        assert_eq!(world_ssh.len(), 2, "{before:#?}");

        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let playbooks = Playbooks::new(&PlaybookSettings::default());
        let r = resource("AwsEc2SecurityGroup", &format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group_id}"));
        let fixed = fix(&backend, &playbooks, ACCOUNT, "EC2.13", &r).await;
        let [Change::RevokeIngress { group_id: revoked_in, rule_ids }] = fixed.plan.changes.as_slice() else {
            panic!("{:?}", fixed.plan.changes)
        };
        assert_eq!(revoked_in, &group_id);
        assert_eq!(rule_ids.iter().cloned().collect::<BTreeSet<_>>(), world_ssh);

        let after = direct_rules(&ec2, &group_id).await;
        let expected: BTreeSet<DirectRule> = before.iter().filter(|r| !world_ssh.contains(&r.id)).cloned().collect();
        assert_eq!(after, expected, "443, office ssh and every egress rule keep their ids and settings");
        assert!(after.iter().any(|r| r.ports == (443, 443) && r.source == "0.0.0.0/0"));
        assert!(after.iter().any(|r| r.egress && r.ports == (5432, 5432)));

        roll_back(&backend, &playbooks, ACCOUNT, "EC2.13", &r, &fixed).await;
        let restored: BTreeSet<DirectRule> =
            direct_rules(&ec2, &group_id).await.iter().map(DirectRule::shape).collect();
        assert_eq!(restored, before.iter().map(DirectRule::shape).collect(), "descriptions included");

        // The rollback runs again (say after a restart) when one of the two rules had been removed by hand: the
        // missing one comes back, the present one is not duplicated, and nothing fails.
        let now = direct_rules(&ec2, &group_id).await;
        let one = now.iter().find(|r| !r.egress && r.ports == (22, 22) && r.source == "::/0").unwrap();
        ec2.revoke_security_group_ingress().group_id(&group_id).security_group_rule_ids(&one.id).send().await.unwrap();
        apply_all(&backend, ACCOUNT, &fixed.plan.rollback).await;
        apply_all(&backend, ACCOUNT, &fixed.plan.rollback).await;
        let again: BTreeSet<DirectRule> = direct_rules(&ec2, &group_id).await.iter().map(DirectRule::shape).collect();
        assert_eq!(again, before.iter().map(DirectRule::shape).collect());
        assert_eq!(direct_rules(&ec2, &group_id).await.len(), before.len(), "no duplicates");
    });
}

#[test]
fn ec2_2_empties_the_default_group_leaves_other_groups_alone_and_restores_it() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let ec2 = sdk::ec2(&sdk::assumed_config(&endpoint, ACCOUNT).await, REGION);
        let vpc = default_vpc(&ec2).await;
        let groups = ec2
            .describe_security_groups()
            .filters(Filter::builder().name("vpc-id").values(&vpc).build())
            .filters(Filter::builder().name("group-name").values("default").build())
            .send()
            .await
            .unwrap();
        let default_id = groups.security_groups()[0].group_id().unwrap().to_string();
        // moto's default group has no ingress rule; on AWS it allows all traffic from itself.
        ec2.authorize_security_group_ingress()
            .group_id(&default_id)
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("-1")
                    .user_id_group_pairs(UserIdGroupPair::builder().group_id(&default_id).build())
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let app_id = create_group(&ec2, "ht-apply-app", "app servers", &[]).await;
        ec2.authorize_security_group_ingress()
            .group_id(&app_id)
            .ip_permissions(
                tcp(8080)
                    .user_id_group_pairs(
                        UserIdGroupPair::builder().group_id(&default_id).description("from default").build(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let before = direct_rules(&ec2, &default_id).await;
        assert!(before.iter().any(|r| !r.egress && r.source == default_id), "{before:#?}");
        let app_before = direct_rules(&ec2, &app_id).await;

        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let playbooks = Playbooks::new(&PlaybookSettings::default());
        let r = resource("AwsEc2SecurityGroup", &default_id);
        let fixed = fix(&backend, &playbooks, ACCOUNT, "EC2.2", &r).await;
        let revoked: BTreeSet<String> = fixed
            .plan
            .changes
            .iter()
            .flat_map(|c| match c {
                Change::RevokeIngress { rule_ids, .. } | Change::RevokeEgress { rule_ids, .. } => rule_ids.clone(),
                other => panic!("EC2.2 only revokes: {other:?}"),
            })
            .collect();
        assert_eq!(revoked, before.iter().map(|r| r.id.clone()).collect(), "every rule, by id");

        assert!(direct_rules(&ec2, &default_id).await.is_empty());
        assert_eq!(direct_rules(&ec2, &app_id).await, app_before, "the other group keeps its rule");

        roll_back(&backend, &playbooks, ACCOUNT, "EC2.2", &r, &fixed).await;
        let restored: BTreeSet<DirectRule> =
            direct_rules(&ec2, &default_id).await.iter().map(DirectRule::shape).collect();
        assert_eq!(restored, before.iter().map(DirectRule::shape).collect());
    });
}

// ---- instances ----

/// HttpTokens, HttpEndpoint, state and tags of an instance, read directly.
async fn direct_instance(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
) -> (Option<String>, Option<String>, String, BTreeMap<String, String>) {
    let out = ec2.describe_instances().instance_ids(id).send().await.unwrap();
    let i = &out.reservations()[0].instances()[0];
    let m = i.metadata_options().unwrap();
    (
        m.http_tokens().map(|t| t.as_str().to_string()),
        m.http_endpoint().map(|e| e.as_str().to_string()),
        i.state().and_then(|s| s.name()).map(|n| n.as_str().to_string()).unwrap_or_default(),
        i.tags().iter().map(|t| (t.key().unwrap().to_string(), t.value().unwrap().to_string())).collect(),
    )
}

#[test]
fn ec2_8_requires_imdsv2_on_the_instance_and_rolls_back_to_optional() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let ec2 = sdk::ec2(&sdk::assumed_config(&endpoint, ACCOUNT).await, REGION);
        let id = run_instance(&ec2, "legacy-app", |request| {
            request.instance_type(aws_sdk_ec2::types::InstanceType::T3Micro).metadata_options(
                InstanceMetadataOptionsRequest::builder()
                    .http_tokens(aws_sdk_ec2::types::HttpTokensState::Optional)
                    .build(),
            )
        })
        .await;
        let (tokens, _, state, tags) = direct_instance(&ec2, &id).await;
        assert_eq!(tokens.as_deref(), Some("optional"));

        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let playbooks = Playbooks::new(&PlaybookSettings::default());
        let r = resource("AwsEc2Instance", &format!("arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{id}"));
        let fixed = fix(&backend, &playbooks, ACCOUNT, "EC2.8", &r).await;
        assert_eq!(
            fixed.plan.changes,
            [Change::SetInstanceMetadataTokens { instance_id: id.clone(), http_tokens: "required".into() }]
        );
        let ResourceState::Instance(before) = &fixed.before else { panic!("{:?}", fixed.before) };
        assert_eq!(before.instance_id, id);
        assert_eq!(before.tags.get("Name").map(String::as_str), Some("legacy-app"));
        assert_eq!(
            (before.http_tokens.as_deref(), before.http_endpoint.as_deref()),
            (Some("optional"), Some("enabled"))
        );

        let (tokens_after, _, state_after, tags_after) = direct_instance(&ec2, &id).await;
        assert_eq!(tokens_after.as_deref(), Some("required"));
        assert_eq!((state_after, tags_after), (state.clone(), tags.clone()), "still running, same tags");

        // moto 5.2.5 rebuilds all metadata options on ModifyInstanceMetadataOptions, so the HttpEndpoint it reports
        // afterwards is not the one it had (AWS keeps options a request leaves out). Compare the rest.
        let without_endpoint = |s: &ResourceState| match s.effective() {
            ResourceState::Instance(mut i) => {
                i.http_endpoint = None;
                i
            }
            other => panic!("{other:?}"),
        };
        let mut expected = without_endpoint(&fixed.before);
        expected.http_tokens = Some("required".into());
        assert_eq!(without_endpoint(&fixed.after), expected);

        apply_all(&backend, ACCOUNT, &fixed.plan.rollback).await;
        let restored = read(&backend, ACCOUNT, &r).await;
        assert_eq!(without_endpoint(&restored), without_endpoint(&fixed.before));
        assert!(!playbooks.for_control("EC2.8").unwrap().verify("EC2.8", &restored));
        let (tokens_back, _, state_back, tags_back) = direct_instance(&ec2, &id).await;
        assert_eq!((tokens_back.as_deref(), state_back, tags_back), (Some("optional"), state, tags));
    });
}

// ---- failures ----

#[test]
fn failures_name_the_operation_resource_and_place_and_empty_revokes_send_nothing() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let resources = resources(&backend);
        let missing = "sg-0123456789abcdef0";
        let err = resources
            .apply(ACCOUNT, REGION, &Change::RevokeIngress { group_id: missing.into(), rule_ids: vec!["sgr-0".into()] })
            .await
            .expect_err("no such group");
        let text = err.to_string();
        for part in ["RevokeSecurityGroupIngress", missing, "222222222222/eu-west-1"] {
            assert!(text.contains(part), "{part:?} not in {text:?}");
        }
        // Nothing to revoke: no call is made, so even a group that does not exist is fine.
        for change in [
            Change::RevokeIngress { group_id: missing.into(), rule_ids: vec![] },
            Change::RevokeEgress { group_id: missing.into(), rule_ids: vec![] },
            Change::AuthorizeIngress { group_id: missing.into(), rules: vec![] },
        ] {
            resources.apply(ACCOUNT, REGION, &change).await.unwrap_or_else(|e| panic!("{change:?}: {e}"));
        }
        let err = resources
            .apply(ACCOUNT, REGION, &Change::DeleteBucketPolicy { bucket: "ht-apply-no-such-bucket".into() })
            .await
            .expect_err("no such bucket");
        assert!(matches!(err, CloudError::NotFound(_)), "{err:?}");
        assert!(err.to_string().contains("DeleteBucketPolicy on bucket ht-apply-no-such-bucket in 222222222222"));
    });
}

/// BatchUpdateFindings on the emulator: a finding Security Hub does not hold comes back unprocessed, named with
/// the service's reason; more than 100 findings are refused before any call. What we send is
/// checked with aws-smithy-mocks in aws_mock.rs.
#[test]
fn finding_updates_name_each_finding_security_hub_did_not_process() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let updates = backend.updates.clone().expect("the AWS backend updates findings");
        let key = FindingKey {
            product_arn: format!("arn:aws:securityhub:{REGION}::product/aws/securityhub").into(),
            id: format!("arn:aws:securityhub:{REGION}:{ACCOUNT}:finding/never-imported").into(),
        };
        let update = FindingUpdate {
            findings: vec![key.clone()],
            format: Default::default(),
            status: WorkflowStatus::Resolved,
            note: "fixed by hubtriage".into(),
            updated_by: "tester".into(),
        };
        let report = updates.update_findings(ACCOUNT, REGION, &update).await.expect("the call itself succeeds");
        assert!(report.processed.is_empty(), "{report:?}");
        assert_eq!(report.unprocessed, [(key.id.to_string(), "FindingNotFound: Finding Not Found".to_string())]);
        let too_many = FindingUpdate { findings: vec![key; 101], ..update };
        let err = updates.update_findings(ACCOUNT, REGION, &too_many).await.expect_err("over the limit");
        assert!(matches!(err, CloudError::Other(ref m) if m.contains("at most 100")), "{err:?}");
    });
}
