//! Bucket names are global: a finding in one account can name a bucket of another. Every bucket call says which
//! account it expects to own the bucket (ExpectedBucketOwner), and the emulator refuses a mismatch as S3 does, so
//! such a bucket is neither read nor changed in the finding's account's name, and the finding says why.
//! (Accounts of their own: the test binary shares one emulator.)

use super::support::asff::bucket_control_asff;
use super::support::moto::moto;
use super::support::s3::new_bucket;
use super::support::sdk::{self, resources, run};
use super::support::seed::import_findings;
use super::ROLE;
use hubtriage::cloud::CloudError;
use hubtriage::model::ResourceRef;
use hubtriage::playbook::{Change, PublicAccessBlock, ResourceState};
use hubtriage::triage::PlanStatus;

const FINDING_ACCOUNT: &str = "868686868686";
const OWNER: &str = "878787878787";
const REGION: &str = "eu-west-1";

fn bucket_ref(bucket: &str) -> ResourceRef {
    ResourceRef {
        kind: "AwsS3Bucket".into(),
        id: format!("arn:aws:s3:::{bucket}"),
        region: Some(REGION.into()),
        tags: Default::default(),
        details: None,
    }
}

#[test]
fn a_bucket_of_another_account_is_neither_read_nor_changed_in_the_findings_account() {
    let server = moto();
    let (endpoint, port) = (server.endpoint(), server.port);
    run(async move {
        let bucket = "ht-owned-by-another-account";
        let owners_s3 = new_bucket(&endpoint, OWNER, REGION, bucket).await;
        let backend = sdk::backend(&endpoint, &[FINDING_ACCOUNT, OWNER], &[REGION]).await;
        let resources = resources(&backend);

        let read = resources.read_state(FINDING_ACCOUNT, REGION, &bucket_ref(bucket)).await;
        assert!(matches!(read, Err(CloudError::AccessDenied(_))), "{read:?}");
        let change = Change::PutBucketPublicAccessBlock { bucket: bucket.into(), config: PublicAccessBlock::ALL_ON };
        let applied = resources.apply(FINDING_ACCOUNT, REGION, &change).await;
        assert!(matches!(applied, Err(CloudError::AccessDenied(_))), "{applied:?}");
        let owners_block = owners_s3.get_public_access_block().bucket(bucket).send().await;
        assert!(owners_block.is_err(), "the owner's bucket was changed: {owners_block:?}");
        // In its owner's account the same bucket reads as usual.
        let owned = resources.read_state(OWNER, REGION, &bucket_ref(bucket)).await.unwrap();
        assert!(matches!(owned, ResourceState::S3Bucket(_)), "{owned:?}");

        // A finding in the other account about it: no live plan, and the reason is on its row.
        let finding = bucket_control_asff("S3.8", FINDING_ACCOUNT, REGION, bucket, "ht-owner-0001");
        tokio::task::spawn_blocking(move || import_findings(port, ROLE, FINDING_ACCOUNT, REGION, &[finding]))
            .await
            .unwrap();
        let triage = hubtriage::session::triage(&hubtriage::config::Config::default()).unwrap();
        let only_there = sdk::backend(&endpoint, &[FINDING_ACCOUNT], &[REGION]).await;
        let collected = hubtriage::cli::collect::collect(&only_there, &triage).await;
        assert_eq!(collected.rows.len(), 1);
        let error = collected.live_errors[0].as_deref().unwrap_or_default();
        assert!(error.contains("access denied"), "{error}");
        if let PlanStatus::Planned(plan) = collected.rows[0].plan() {
            assert_ne!(plan.basis, hubtriage::playbook::Basis::Live, "{plan:?}");
        }
    });
}
