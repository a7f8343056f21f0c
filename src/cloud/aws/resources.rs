//! Live resource state, read in the finding's own account (assumed role) and region.

use super::errors::map_sdk_error;
use super::session::Accounts;
use crate::cloud::{CloudError, Resources};
use crate::model::ResourceRef;
use crate::playbook::state::{
    BucketPublicAccessBlock, BucketState, PublicAccessBlock, ResourceState, SecurityGroupRule, SecurityGroupState,
};
use crate::playbook::Change;
use async_trait::async_trait;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Reads S3 buckets and security groups.
pub struct AwsResources {
    accounts: Arc<Accounts>,
}

/// `Ok(None)` when the service says the thing is simply not there (one of `absent_codes`).
fn absent_ok<T, E>(
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

impl AwsResources {
    pub fn new(accounts: Arc<Accounts>) -> Self {
        Self { accounts }
    }

    async fn bucket(&self, account_id: &str, region: &str, name: &str) -> Result<BucketState, CloudError> {
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        let s3 = Accounts::s3(&config, region);
        let ctx = |op: &str| format!("{op} {name} in {account_id}/{region}");
        let pab = absent_ok(
            s3.get_public_access_block().bucket(name).send().await,
            &["NoSuchPublicAccessBlockConfiguration"],
            &ctx("GetPublicAccessBlock"),
        )?;
        let public_access_block = match pab.as_ref().and_then(|o| o.public_access_block_configuration()) {
            None => BucketPublicAccessBlock::NotConfigured,
            Some(c) => BucketPublicAccessBlock::Configured(PublicAccessBlock {
                block_public_acls: c.block_public_acls().unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                block_public_policy: c.block_public_policy().unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
            }),
        };
        let encryption = absent_ok(
            s3.get_bucket_encryption().bucket(name).send().await,
            &["ServerSideEncryptionConfigurationNotFoundError"],
            &ctx("GetBucketEncryption"),
        )?
        .and_then(|o| {
            o.server_side_encryption_configuration()?
                .rules()
                .iter()
                .find_map(|r| r.apply_server_side_encryption_by_default())
                .map(|d| d.sse_algorithm().as_str().to_string())
        });
        let policy = absent_ok(
            s3.get_bucket_policy().bucket(name).send().await,
            &["NoSuchBucketPolicy"],
            &ctx("GetBucketPolicy"),
        )?
        .and_then(|o| o.policy().map(String::from));
        let tags: BTreeMap<String, String> =
            absent_ok(s3.get_bucket_tagging().bucket(name).send().await, &["NoSuchTagSet"], &ctx("GetBucketTagging"))?
                .map(|o| o.tag_set().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect())
                .unwrap_or_default();
        Ok(BucketState {
            name: name.to_string(),
            account_id: account_id.to_string(),
            region: region.to_string(),
            public_access_block,
            encryption,
            encryption_kms_key: None,
            policy,
            tags,
        })
    }

    async fn security_group(
        &self,
        account_id: &str,
        region: &str,
        group_id: &str,
    ) -> Result<SecurityGroupState, CloudError> {
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        let ec2 = Accounts::ec2(&config, region);
        let ctx = |op: &str| format!("{op} {group_id} in {account_id}/{region}");
        let groups = ec2
            .describe_security_groups()
            .group_ids(group_id)
            .send()
            .await
            .map_err(|e| map_sdk_error(&ctx("DescribeSecurityGroups"), e))?;
        let group = groups
            .security_groups()
            .iter()
            .find(|g| g.group_id() == Some(group_id))
            .ok_or_else(|| CloudError::NotFound(ctx("security group")))?;
        let tags = group
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
            .collect();
        let mut rules = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let filter = aws_sdk_ec2::types::Filter::builder().name("group-id").values(group_id).build();
            let page = ec2
                .describe_security_group_rules()
                .filters(filter)
                .max_results(1000)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| map_sdk_error(&ctx("DescribeSecurityGroupRules"), e))?;
            for r in page.security_group_rules() {
                rules.push(SecurityGroupRule {
                    rule_id: r.security_group_rule_id().map(String::from),
                    protocol: r.ip_protocol().unwrap_or("-1").to_string(),
                    from_port: r.from_port().unwrap_or(-1),
                    to_port: r.to_port().unwrap_or(-1),
                    cidr_ipv4: r.cidr_ipv4().map(String::from),
                    cidr_ipv6: r.cidr_ipv6().map(String::from),
                    referenced_group: r
                        .referenced_group_info()
                        .and_then(|g| g.group_id())
                        .or(r.prefix_list_id())
                        .map(String::from),
                    description: r.description().map(String::from),
                    is_egress: r.is_egress().unwrap_or(false),
                });
            }
            token = page.next_token().filter(|t| !t.is_empty()).map(String::from);
            if token.is_none() {
                break;
            }
        }
        rules.sort();
        Ok(SecurityGroupState {
            group_id: group_id.to_string(),
            group_name: group.group_name().unwrap_or_default().to_string(),
            vpc_id: group.vpc_id().map(String::from),
            account_id: account_id.to_string(),
            region: region.to_string(),
            rules,
            tags,
        })
    }
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
        let region = resource.region.as_deref().filter(|r| !r.is_empty()).unwrap_or(region);
        match resource.kind.as_str() {
            "AwsS3Bucket" => {
                Ok(ResourceState::S3Bucket(Box::pin(self.bucket(account_id, region, resource.short_id())).await?))
            }
            "AwsEc2SecurityGroup" => Ok(ResourceState::SecurityGroup(
                Box::pin(self.security_group(account_id, region, resource.short_id())).await?,
            )),
            other => Err(CloudError::Unsupported(format!("no live reader for {other} resources"))),
        }
    }

    async fn apply(&self, account_id: &str, region: &str, change: &Change) -> Result<(), CloudError> {
        Err(CloudError::Unsupported(format!("{} in {account_id}/{region}", change.operation())))
    }
}
