//! The resources of the KMS, CloudTrail, EBS snapshot, RDS snapshot and IAM access key playbooks in the session's
//! account, set up directly on moto, and the findings' resources that drive those playbooks.

use super::session::{ACCOUNT, REGION};
use crate::support::{s3, sdk};
use aws_config::Region;
use hubtriage::model::ResourceRef;

/// What the playbooks are driven on.
pub struct ServiceFixtures {
    pub key: String,
    trail_arn: String,
    db_snapshot: String,
    pub user: String,
}

fn resource(kind: &str, id: &str) -> ResourceRef {
    ResourceRef {
        kind: kind.into(),
        id: id.into(),
        region: Some(REGION.into()),
        tags: Default::default(),
        details: None,
    }
}

/// Creates a KMS key, a trail, a public EBS snapshot, a public RDS snapshot and a user with a year-old key.
pub async fn set_up(moto_endpoint: &str) -> ServiceFixtures {
    let assumed = sdk::assumed_config(moto_endpoint, ACCOUNT).await;
    let kms = aws_sdk_kms::Client::from_conf(
        aws_sdk_kms::config::Builder::from(&assumed).region(Region::new(REGION)).build(),
    );
    let key = kms.create_key().send().await.unwrap().key_metadata().unwrap().key_id().to_string();

    let bucket = "ht-iam-trail-logs";
    s3::create_bucket(&sdk::s3(&assumed, REGION), bucket, REGION).await;
    let cloudtrail = aws_sdk_cloudtrail::Client::from_conf(
        aws_sdk_cloudtrail::config::Builder::from(&assumed).region(Region::new(REGION)).build(),
    );
    let trail = cloudtrail.create_trail().name("ht-iam-trail").s3_bucket_name(bucket).send().await.unwrap();
    let trail_arn = trail.trail_arn().unwrap().to_string();

    let ec2 = sdk::ec2(&assumed, REGION);
    let volume = ec2.create_volume().size(1).availability_zone("eu-west-1a").send().await.unwrap();
    let snapshot = ec2.create_snapshot().volume_id(volume.volume_id().unwrap()).send().await.unwrap();
    ec2.modify_snapshot_attribute()
        .snapshot_id(snapshot.snapshot_id().unwrap())
        .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
        .operation_type(aws_sdk_ec2::types::OperationType::Add)
        .group_names("all")
        .send()
        .await
        .unwrap();

    let rds = aws_sdk_rds::Client::from_conf(
        aws_sdk_rds::config::Builder::from(&assumed).region(Region::new(REGION)).build(),
    );
    rds.create_db_instance()
        .db_instance_identifier("ht-iam-db")
        .engine("postgres")
        .db_instance_class("db.t3.micro")
        .master_username("admin")
        .master_user_password("password123")
        .allocated_storage(20)
        .send()
        .await
        .unwrap();
    let db_snapshot = "ht-iam-db-snapshot".to_string();
    rds.create_db_snapshot()
        .db_snapshot_identifier(&db_snapshot)
        .db_instance_identifier("ht-iam-db")
        .send()
        .await
        .unwrap();
    rds.modify_db_snapshot_attribute()
        .db_snapshot_identifier(&db_snapshot)
        .attribute_name("restore")
        .values_to_add("all")
        .send()
        .await
        .unwrap();

    let iam = aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::config::Builder::from(&assumed).region(Region::new(REGION)).build(),
    );
    let user = "ht-iam-deployer".to_string();
    iam.create_user().user_name(&user).send().await.unwrap();
    let created = iam.create_access_key().user_name(&user).send().await.unwrap();
    let key_id = created.access_key().unwrap().access_key_id().to_string();
    let port: u16 = moto_endpoint.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap();
    let year_ago = (chrono::Utc::now() - chrono::Duration::days(365)).to_rfc3339();
    let body = serde_json::json!({"account": ACCOUNT, "access_key_id": key_id, "created": year_ago, "last_used": null});
    let dated = tokio::task::spawn_blocking(move || {
        crate::support::http::request(
            port,
            "POST",
            "/_hubtriage/iam-access-key-dates",
            &[("Content-Type", "application/json".to_string())],
            body.to_string().as_bytes(),
        )
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(dated.status, 200, "{}", dated.body);
    ServiceFixtures { key, trail_arn, db_snapshot, user }
}

/// The controls and resources that drive the service playbooks.
pub fn cases(f: &ServiceFixtures) -> Vec<(&'static str, ResourceRef)> {
    vec![
        ("KMS.4", resource("AwsKmsKey", &format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{}", f.key))),
        ("CloudTrail.4", resource("AwsCloudTrailTrail", &f.trail_arn)),
        ("EC2.1", resource("AwsAccount", &format!("AWS::::Account:{ACCOUNT}"))),
        ("RDS.1", resource("AwsRdsDbSnapshot", &format!("arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:{}", f.db_snapshot))),
        ("IAM.3", resource("AwsIamUser", &format!("arn:aws:iam::{ACCOUNT}:user/{}", f.user))),
    ]
}

/// The RDS snapshot and the trail, as exceptions are set on them.
pub fn tag_targets(f: &ServiceFixtures) -> Vec<ResourceRef> {
    let snapshot = format!("arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:{}", f.db_snapshot);
    vec![resource("AwsRdsDbSnapshot", &snapshot), resource("AwsCloudTrailTrail", &f.trail_arn)]
}
