//! An S3 bucket's settings, read in its own account and region: only the parts asked for, one call each.

use super::resources::{absent_ok, block_configuration, AwsResources};
use super::session::Accounts;
use crate::cloud::CloudError;
use crate::playbook::state::{BucketPublicAccessBlock, BucketState, PublicAccessBlock};
use crate::playbook::BucketParts;
use std::collections::BTreeMap;

impl AwsResources {
    /// The bucket's `parts`, one call each (the others are left unread).
    pub(super) async fn bucket(
        &self,
        account_id: &str,
        region: &str,
        name: &str,
        parts: BucketParts,
    ) -> Result<BucketState, CloudError> {
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        let s3 = Accounts::s3(&config, region);
        let ctx = |op: &str| format!("{op} {name} in {account_id}/{region}");
        let wanted = |part| parts.contains(part);
        // The parts are independent: read together, the bucket costs one round trip however many are asked for.
        let (pab, encryption, policy, tags) = tokio::try_join!(
            async {
                if !wanted(BucketParts::PUBLIC_ACCESS_BLOCK) {
                    return Ok(None);
                }
                let sent = self.s3_call(
                    account_id,
                    region,
                    s3.get_public_access_block().bucket(name).expected_bucket_owner(account_id).send(),
                );
                absent_ok(sent.await, &["NoSuchPublicAccessBlockConfiguration"], &ctx("GetPublicAccessBlock"))
            },
            async {
                if !wanted(BucketParts::ENCRYPTION) {
                    return Ok(None);
                }
                let sent = self.s3_call(
                    account_id,
                    region,
                    s3.get_bucket_encryption().bucket(name).expected_bucket_owner(account_id).send(),
                );
                absent_ok(sent.await, &["ServerSideEncryptionConfigurationNotFoundError"], &ctx("GetBucketEncryption"))
            },
            async {
                if !wanted(BucketParts::POLICY) {
                    return Ok(None);
                }
                let sent = self.s3_call(
                    account_id,
                    region,
                    s3.get_bucket_policy().bucket(name).expected_bucket_owner(account_id).send(),
                );
                absent_ok(sent.await, &["NoSuchBucketPolicy"], &ctx("GetBucketPolicy"))
            },
            async {
                if !wanted(BucketParts::TAGS) {
                    return Ok(None);
                }
                let sent = self.s3_call(
                    account_id,
                    region,
                    s3.get_bucket_tagging().bucket(name).expected_bucket_owner(account_id).send(),
                );
                absent_ok(sent.await, &["NoSuchTagSet"], &ctx("GetBucketTagging"))
            },
        )?;
        let public_access_block = match wanted(BucketParts::PUBLIC_ACCESS_BLOCK) {
            true => block_configuration!(pab.as_ref().and_then(|o| o.public_access_block_configuration())),
            false => BucketPublicAccessBlock::Unknown,
        };
        let encryption = encryption.and_then(|o| {
            o.server_side_encryption_configuration()?
                .rules()
                .iter()
                .find_map(|r| r.apply_server_side_encryption_by_default())
                .map(|d| (d.sse_algorithm().as_str().to_string(), d.kms_master_key_id().map(String::from)))
        });
        let (encryption, encryption_kms_key) = match encryption {
            Some((algorithm, key)) => (Some(algorithm), key),
            None => (None, None),
        };
        let policy = policy.and_then(|o| o.policy().map(String::from));
        let tags: BTreeMap<String, String> = tags
            .map(|o| o.tag_set().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect())
            .unwrap_or_default();
        Ok(BucketState {
            name: name.to_string(),
            account_id: account_id.to_string(),
            region: region.to_string(),
            public_access_block,
            encryption,
            encryption_kms_key,
            policy,
            tags,
            unread: BucketParts::ALL.without(parts),
        })
    }
}
