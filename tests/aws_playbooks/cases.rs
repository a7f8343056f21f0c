//! One test per playbook: KMS.4, CloudTrail.4, EC2.1, RDS.1, IAM.3 / IAM.22.

use super::*;

#[test]
fn kms_4_turns_on_rotation_of_that_key_only_and_rolls_back() {
    const ACCOUNT: &str = "210000000001";
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let kms = kms(&sdk::assumed_config(&endpoint, ACCOUNT).await);
        let key = kms.create_key().send().await.unwrap().key_metadata().unwrap().key_id().to_string();
        let other = kms.create_key().send().await.unwrap().key_metadata().unwrap().key_id().to_string();
        let rotation = |id: String| {
            let kms = kms.clone();
            async move { kms.get_key_rotation_status().key_id(id).send().await.unwrap().key_rotation_enabled() }
        };
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let r = resource("AwsKmsKey", &format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{key}"));
        let fixed = fix(&backend, ACCOUNT, "KMS.4", &r).await;
        assert_eq!(fixed.plan.changes, [Change::SetKeyRotation { key_id: key.clone(), enabled: true }]);
        let ResourceState::KmsKey(before) = &fixed.before else { panic!("{:?}", fixed.before) };
        assert_eq!(
            (before.key_manager.as_deref(), before.key_state.as_deref(), before.rotation_enabled),
            (Some("CUSTOMER"), Some("Enabled"), Some(false))
        );
        let mut expected = before.clone();
        expected.rotation_enabled = Some(true);
        assert_eq!(fixed.after, ResourceState::KmsKey(expected), "only the rotation changed");
        assert!(rotation(key.clone()).await);
        assert!(!rotation(other.clone()).await, "the other key is untouched");
        roll_back(&backend, ACCOUNT, "KMS.4", &r, &fixed).await;
        assert!(!rotation(key).await);
    });
}

#[test]
fn cloudtrail_4_turns_on_validation_of_that_trail_only_and_rolls_back() {
    const ACCOUNT: &str = "210000000002";
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let config = sdk::assumed_config(&endpoint, ACCOUNT).await;
        let bucket = format!("trail-logs-{ACCOUNT}");
        support::s3::new_bucket(&endpoint, ACCOUNT, REGION, &bucket).await;
        let ct = cloudtrail(&config);
        for name in ["audit", "other"] {
            ct.create_trail().name(name).s3_bucket_name(&bucket).send().await.unwrap();
        }
        let validation = |name: &'static str| {
            let ct = ct.clone();
            async move { ct.get_trail().name(name).send().await.unwrap().trail().unwrap().log_file_validation_enabled() }
        };
        assert_eq!(validation("audit").await, Some(false));
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let arn = format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/audit");
        let r = resource("AwsCloudTrailTrail", &arn);
        let fixed = fix(&backend, ACCOUNT, "CloudTrail.4", &r).await;
        assert_eq!(
            fixed.plan.changes,
            [Change::SetTrailLogFileValidation { trail_arn: arn.clone(), home_region: REGION.into(), enabled: true }]
        );
        let ResourceState::Trail(before) = &fixed.before else { panic!("{:?}", fixed.before) };
        assert_eq!((before.name.as_str(), before.home_region.as_str()), ("audit", REGION));
        let mut expected = before.clone();
        expected.log_file_validation = Some(true);
        assert_eq!(fixed.after, ResourceState::Trail(expected));
        assert_eq!(validation("audit").await, Some(true));
        assert_eq!(validation("other").await, Some(false), "the other trail is untouched");
        let trail = ct.get_trail().name("audit").send().await.unwrap();
        assert_eq!(trail.trail().unwrap().s3_bucket_name(), Some(bucket.as_str()), "its bucket is kept");
        roll_back(&backend, ACCOUNT, "CloudTrail.4", &r, &fixed).await;
        assert_eq!(validation("audit").await, Some(false));
    });
}

/// The `createVolumePermission` of a snapshot: groups and user ids.
async fn volume_permission(ec2: &aws_sdk_ec2::Client, id: &str) -> BTreeSet<String> {
    let out = ec2
        .describe_snapshot_attribute()
        .snapshot_id(id)
        .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
        .send()
        .await
        .unwrap();
    out.create_volume_permissions()
        .iter()
        .map(|p| {
            p.group().map(|g| format!("group:{}", g.as_str())).or(p.user_id().map(|u| format!("user:{u}"))).unwrap()
        })
        .collect()
}

#[test]
fn ec2_1_makes_the_public_snapshot_private_keeps_its_shares_and_rolls_back() {
    const ACCOUNT: &str = "210000000003";
    const SHARED: &str = "333333333333";
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let ec2 = sdk::ec2(&sdk::assumed_config(&endpoint, ACCOUNT).await, REGION);
        let volume = ec2.create_volume().size(1).availability_zone("eu-west-1a").send().await.unwrap();
        let volume = volume.volume_id().unwrap().to_string();
        let mut ids = Vec::new();
        for _ in 0..2 {
            let snapshot = ec2.create_snapshot().volume_id(&volume).send().await.unwrap();
            ids.push(snapshot.snapshot_id().unwrap().to_string());
        }
        let (public, private) = (ids[0].clone(), ids[1].clone());
        ec2.modify_snapshot_attribute()
            .snapshot_id(&public)
            .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
            .operation_type(aws_sdk_ec2::types::OperationType::Add)
            .group_names("all")
            .user_ids(SHARED)
            .send()
            .await
            .unwrap();
        let shared_and_public: BTreeSet<String> = ["group:all".to_string(), format!("user:{SHARED}")].into();
        assert_eq!(volume_permission(&ec2, &public).await, shared_and_public);

        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let r = resource("AwsAccount", &format!("AWS::::Account:{ACCOUNT}"));
        let fixed = fix(&backend, ACCOUNT, "EC2.1", &r).await;
        assert_eq!(fixed.plan.changes, [Change::SetEbsSnapshotPublic { snapshot_id: public.clone(), public: false }]);
        let ResourceState::Account(before) = &fixed.before else { panic!("{:?}", fixed.before) };
        assert_eq!(before.public_ebs_snapshots, Some(vec![public.clone()]));
        let mut expected = before.clone();
        expected.public_ebs_snapshots = Some(Vec::new());
        assert_eq!(fixed.after, ResourceState::Account(expected), "the account's other settings are untouched");
        assert_eq!(volume_permission(&ec2, &public).await, [format!("user:{SHARED}")].into(), "the share is kept");
        assert!(volume_permission(&ec2, &private).await.is_empty(), "the private snapshot is untouched");
        roll_back(&backend, ACCOUNT, "EC2.1", &r, &fixed).await;
        assert_eq!(volume_permission(&ec2, &public).await, shared_and_public);
    });
}

/// The `restore` attribute of a DB snapshot.
async fn restore(rds: &aws_sdk_rds::Client, id: &str) -> BTreeSet<String> {
    let out = rds.describe_db_snapshot_attributes().db_snapshot_identifier(id).send().await.unwrap();
    let attributes = out.db_snapshot_attributes_result().unwrap().db_snapshot_attributes();
    attributes
        .iter()
        .filter(|a| a.attribute_name() == Some("restore"))
        .flat_map(|a| a.attribute_values().to_vec())
        .collect()
}

#[test]
fn rds_1_removes_all_from_restore_keeps_the_shared_account_and_rolls_back() {
    const ACCOUNT: &str = "210000000004";
    const SHARED: &str = "444444444444";
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let rds = rds(&sdk::assumed_config(&endpoint, ACCOUNT).await);
        rds.create_db_instance()
            .db_instance_identifier("ledger")
            .engine("postgres")
            .db_instance_class("db.t3.micro")
            .master_username("admin")
            .master_user_password("password123")
            .allocated_storage(20)
            .send()
            .await
            .unwrap();
        for id in ["ledger-public", "ledger-private"] {
            rds.create_db_snapshot().db_snapshot_identifier(id).db_instance_identifier("ledger").send().await.unwrap();
        }
        rds.modify_db_snapshot_attribute()
            .db_snapshot_identifier("ledger-public")
            .attribute_name("restore")
            .values_to_add("all")
            .values_to_add(SHARED)
            .send()
            .await
            .unwrap();
        let public_and_shared: BTreeSet<String> = ["all".to_string(), SHARED.to_string()].into();
        assert_eq!(restore(&rds, "ledger-public").await, public_and_shared);

        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let r = resource("AwsRdsDbSnapshot", &format!("arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:ledger-public"));
        let fixed = fix(&backend, ACCOUNT, "RDS.1", &r).await;
        assert_eq!(
            fixed.plan.changes,
            [Change::SetRdsSnapshotPublic { identifier: "ledger-public".into(), cluster: false, public: false }]
        );
        let ResourceState::RdsSnapshot(before) = &fixed.before else { panic!("{:?}", fixed.before) };
        assert_eq!((before.public, before.shared_with.clone()), (Some(true), vec![SHARED.to_string()]));
        assert_eq!(restore(&rds, "ledger-public").await, [SHARED.to_string()].into(), "the shared account stays");
        assert!(restore(&rds, "ledger-private").await.is_empty(), "the other snapshot is untouched");
        roll_back(&backend, ACCOUNT, "RDS.1", &r, &fixed).await;
        assert_eq!(restore(&rds, "ledger-public").await, public_and_shared);
    });
}

/// Backdates an access key in the emulator (moto dates every key "now" and records no use).
pub(super) fn date_key(port: u16, account: &str, key: &str, created_days_ago: i64, used_days_ago: Option<i64>) {
    let at = |days: i64| (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339();
    let body = serde_json::json!({
        "account": account, "access_key_id": key, "created": at(created_days_ago), "last_used": used_days_ago.map(at),
    });
    let r = support::http::request(
        port,
        "POST",
        "/_hubtriage/iam-access-key-dates",
        &[("Content-Type", "application/json".to_string())],
        body.to_string().as_bytes(),
    )
    .unwrap();
    assert_eq!(r.status, 200, "dating {key}: {}", r.body);
}

/// Every access key of a user and its status.
async fn key_statuses(iam: &aws_sdk_iam::Client, user: &str) -> BTreeMap<String, String> {
    let out = iam.list_access_keys().user_name(user).send().await.unwrap();
    out.access_key_metadata()
        .iter()
        .map(|k| (k.access_key_id().unwrap().to_string(), k.status().unwrap().as_str().to_string()))
        .collect()
}

#[test]
fn iam_3_deactivates_only_the_stale_key_deletes_nothing_and_rolls_back() {
    const ACCOUNT: &str = "210000000005";
    let server = moto();
    let (endpoint, port) = (server.endpoint(), server.port);
    run(async move {
        let iam = iam(&sdk::assumed_config(&endpoint, ACCOUNT).await);
        let mut keys = Vec::new();
        for user in ["ci-deployer", "alice"] {
            iam.create_user().user_name(user).send().await.unwrap();
        }
        for user in ["ci-deployer", "ci-deployer", "alice"] {
            let key = iam.create_access_key().user_name(user).send().await.unwrap();
            keys.push(key.access_key().unwrap().access_key_id().to_string());
        }
        let (old, fresh, alices) = (keys[0].clone(), keys[1].clone(), keys[2].clone());
        date_key(port, ACCOUNT, &old, 400, Some(1));
        date_key(port, ACCOUNT, &fresh, 20, Some(2));
        date_key(port, ACCOUNT, &alices, 400, None);

        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let r = resource("AwsIamUser", &format!("arn:aws:iam::{ACCOUNT}:user/ci-deployer"));
        let fixed = fix(&backend, ACCOUNT, "IAM.3", &r).await;
        assert_eq!(
            fixed.plan.changes,
            [Change::SetAccessKeyStatus { user_name: "ci-deployer".into(), access_key_id: old.clone(), active: false }]
        );
        let ResourceState::IamUser(before) = &fixed.before else { panic!("{:?}", fixed.before) };
        assert_eq!(before.access_keys.len(), 2);
        assert!(before.access_keys.iter().any(|k| k.id == old && k.age_days(before.read_at) >= 399), "{before:?}");
        assert_eq!(before.console_password, Some(false));
        let statuses = key_statuses(&iam, "ci-deployer").await;
        let expected: BTreeMap<String, String> =
            [(old.clone(), "Inactive".to_string()), (fresh.clone(), "Active".to_string())].into();
        assert_eq!(statuses, expected, "deactivated, not deleted; the fresh key stays active");
        assert_eq!(key_statuses(&iam, "alice").await, [(alices, "Active".to_string())].into(), "other users untouched");
        roll_back(&backend, ACCOUNT, "IAM.3", &r, &fixed).await;
        assert!(key_statuses(&iam, "ci-deployer").await.values().all(|s| s == "Active"));
    });
}
