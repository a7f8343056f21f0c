//! Live resource state, read in the finding's own account (assumed role) and region. The calls of one read go out
//! together, each through its service's gate for that account and region (`read_limits`).

use super::errors::map_sdk_error;
use super::read_limits::{ReadGates, ReadLimits, ReadService};
use super::session::Accounts;
use crate::cloud::{CloudError, Resources, TaggedResource};
use crate::model::ResourceRef;
use crate::playbook::state::{AccountState, BucketPublicAccessBlock, PublicAccessBlock, ResourceState};
use crate::playbook::{BucketParts, Change};
use async_trait::async_trait;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::future::Future;
use std::sync::Arc;

/// Reads and changes S3 buckets, security groups, account-wide settings and EC2 instances.
pub struct AwsResources {
    pub(super) accounts: Arc<Accounts>,
    gates: ReadGates,
}

/// `Ok(None)` when the service says the thing is simply not there (one of `absent_codes`).
pub(super) fn absent_ok<T, E>(
    result: Result<T, SdkError<E, HttpResponse>>,
    absent_codes: &[&str],
    context: &str,
) -> Result<Option<T>, CloudError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.as_service_error().and_then(|s| s.code()).is_some_and(|c| absent_codes.contains(&c)) => Ok(None),
        Err(e) => Err(map_sdk_error(context, e)),
    }
}

/// The four Block Public Access settings from an S3 or s3control configuration (two SDK types of the same shape);
/// no configuration at all is `NotConfigured`, an unset setting is off.
macro_rules! block_configuration {
    ($configuration:expr) => {
        match $configuration {
            None => BucketPublicAccessBlock::NotConfigured,
            Some(c) => BucketPublicAccessBlock::Configured(PublicAccessBlock {
                block_public_acls: c.block_public_acls().unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                block_public_policy: c.block_public_policy().unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
            }),
        }
    };
}
pub(super) use block_configuration;

impl AwsResources {
    /// Reads (and changes) with the default bounds on calls in flight.
    pub fn new(accounts: Arc<Accounts>) -> Self {
        Self::with_limits(accounts, ReadLimits::default())
    }

    /// Reads (and changes) with these bounds on read calls in flight.
    pub fn with_limits(accounts: Arc<Accounts>, limits: ReadLimits) -> Self {
        Self { accounts, gates: ReadGates::new(limits) }
    }

    /// Makes one read call once the service's gate for that account and region lets it through.
    pub(super) async fn gated<T>(
        &self,
        account_id: &str,
        region: &str,
        service: ReadService,
        call: impl Future<Output = T>,
    ) -> T {
        let _permit = self.gates.enter(account_id, region, service).await;
        call.await
    }

    /// An S3 read call through the S3 gate of that account and region.
    pub(super) async fn s3_call<T>(&self, account_id: &str, region: &str, call: impl Future<Output = T>) -> T {
        self.gated(account_id, region, ReadService::S3, call).await
    }
}

impl AwsResources {
    async fn account(&self, account_id: &str, region: &str) -> Result<AccountState, CloudError> {
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        let ctx = |op: &str| format!("{op} for account {account_id} in {account_id}/{region}");
        let s3control = Accounts::s3control(&config, region);
        let ec2 = Accounts::ec2(&config, region);
        let (pab, ebs) = tokio::try_join!(
            async {
                let call = s3control.get_public_access_block().account_id(account_id).send();
                let sent = self.gated(account_id, region, ReadService::S3Control, call).await;
                absent_ok(sent, &["NoSuchPublicAccessBlockConfiguration"], &ctx("GetPublicAccessBlock"))
            },
            async {
                let call = ec2.get_ebs_encryption_by_default().send();
                self.gated(account_id, region, ReadService::Ec2, call)
                    .await
                    .map_err(|e| map_sdk_error(&ctx("GetEbsEncryptionByDefault"), e))
            },
        )?;
        let s3_public_access_block =
            block_configuration!(pab.as_ref().and_then(|o| o.public_access_block_configuration()));
        // EC2.1 needs them; a role without the snapshot reads still reads the rest (EC2.1 then plans nothing and says
        // why).
        let public_ebs_snapshots = match Box::pin(self.public_ebs_snapshots(&config, account_id, region)).await {
            Ok(ids) => Some(ids),
            Err(e) => {
                tracing::warn!(account_id, region, error = %e, "public EBS snapshots not read");
                None
            }
        };
        Ok(AccountState {
            account_id: account_id.to_string(),
            region: region.to_string(),
            s3_public_access_block,
            ebs_encryption_by_default: ebs.ebs_encryption_by_default(),
            public_ebs_snapshots,
        })
    }
}

/// Where to read a resource: its own region when it names one (global S3 findings carry it there), else the
/// finding's.
pub(super) fn own_region<'a>(resource: &'a ResourceRef, finding_region: &'a str) -> &'a str {
    resource.region.as_deref().filter(|r| !r.is_empty()).unwrap_or(finding_region)
}

/// The instance id of an `AwsEc2Instance` resource: `i-…` itself, or the part after `instance/` in its ARN.
pub(super) fn instance_id(resource: &ResourceRef) -> &str {
    resource.id.split_once("instance/").map_or_else(|| resource.short_id(), |(_, id)| id)
}

#[async_trait]
impl Resources for AwsResources {
    async fn read_state(
        &self,
        account_id: &str,
        region: &str,
        resource: &ResourceRef,
    ) -> Result<ResourceState, CloudError> {
        // A resource's own region (global S3 findings carry it there) wins over the finding's.
        let region = own_region(resource, region);
        match &*resource.kind {
            "AwsS3Bucket" => {
                let name = resource.short_id();
                Ok(ResourceState::S3Bucket(Box::pin(self.bucket(account_id, region, name, BucketParts::ALL)).await?))
            }
            "AwsEc2SecurityGroup" => Ok(ResourceState::SecurityGroup(
                Box::pin(self.security_group(account_id, region, resource.short_id())).await?,
            )),
            "AwsAccount" => Ok(ResourceState::Account(Box::pin(self.account(account_id, region)).await?)),
            "AwsEc2Instance" => {
                Ok(ResourceState::Instance(Box::pin(self.instance(account_id, region, instance_id(resource))).await?))
            }
            "AwsKmsKey" => Ok(ResourceState::KmsKey(Box::pin(self.kms_key(account_id, region, resource)).await?)),
            "AwsCloudTrailTrail" => Ok(ResourceState::Trail(Box::pin(self.trail(account_id, region, resource)).await?)),
            "AwsRdsDbSnapshot" | "AwsRdsDbClusterSnapshot" => {
                Ok(ResourceState::RdsSnapshot(Box::pin(self.rds_snapshot(account_id, region, resource)).await?))
            }
            "AwsIamUser" => Ok(ResourceState::IamUser(Box::pin(self.iam_user(account_id, region, resource)).await?)),
            other => Err(CloudError::Unsupported(format!("no live reader for {other} resources"))),
        }
    }

    async fn read_state_parts(
        &self,
        account_id: &str,
        region: &str,
        resource: &ResourceRef,
        parts: BucketParts,
    ) -> Result<ResourceState, CloudError> {
        if &*resource.kind != "AwsS3Bucket" {
            return self.read_state(account_id, region, resource).await;
        }
        let region = own_region(resource, region);
        Ok(ResourceState::S3Bucket(Box::pin(self.bucket(account_id, region, resource.short_id(), parts)).await?))
    }

    fn reads_together(&self, kind: &str) -> bool {
        matches!(kind, "AwsEc2SecurityGroup" | "AwsEc2Instance")
    }

    async fn read_states(
        &self,
        account_id: &str,
        region: &str,
        resources: &[ResourceRef],
    ) -> Vec<Result<ResourceState, CloudError>> {
        Box::pin(super::ec2_batches::read_states(self, account_id, region, resources)).await
    }

    async fn apply(&self, account_id: &str, region: &str, change: &Change) -> Result<(), CloudError> {
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        Box::pin(super::apply::apply_change(&config, account_id, region, change)).await
    }

    async fn list_tagged(
        &self,
        account_id: &str,
        region: &str,
        tag_key: &str,
    ) -> Result<Vec<TaggedResource>, CloudError> {
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        let partition = self.accounts.identity().partition.clone();
        Box::pin(super::tagged::list_tagged(&config, &partition, account_id, region, tag_key)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_ids_come_from_ids_and_arns() {
        let r = |id: &str| ResourceRef {
            kind: "AwsEc2Instance".into(),
            id: id.into(),
            region: None,
            tags: Default::default(),
            details: None,
        };
        assert_eq!(instance_id(&r("arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc")), "i-0abc");
        assert_eq!(instance_id(&r("i-0def")), "i-0def");
    }
}
