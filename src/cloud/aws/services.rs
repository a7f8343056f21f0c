//! Live reads of KMS keys, CloudTrail trails, RDS snapshots, IAM users (access keys, their last use, a console
//! password) and the account's public EBS snapshots, in the finding's own account and region.

use super::errors::map_sdk_error;
use super::read_limits::ReadService;
use super::resources::{absent_ok, AwsResources};
use super::session::Accounts;
use crate::cloud::CloudError;
use crate::model::ResourceRef;
use crate::playbook::state::{AccessKey, IamUserState, KmsKeyState, RdsSnapshotState, TrailState};
use aws_config::{Region, SdkConfig};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

fn kms(config: &SdkConfig, region: &str) -> aws_sdk_kms::Client {
    aws_sdk_kms::Client::from_conf(
        aws_sdk_kms::config::Builder::from(config).region(Region::new(region.to_string())).build(),
    )
}

pub(super) fn cloudtrail(config: &SdkConfig, region: &str) -> aws_sdk_cloudtrail::Client {
    let conf = aws_sdk_cloudtrail::config::Builder::from(config).region(Region::new(region.to_string())).build();
    aws_sdk_cloudtrail::Client::from_conf(conf)
}

pub(super) fn rds(config: &SdkConfig, region: &str) -> aws_sdk_rds::Client {
    aws_sdk_rds::Client::from_conf(
        aws_sdk_rds::config::Builder::from(config).region(Region::new(region.to_string())).build(),
    )
}

pub(super) fn iam(config: &SdkConfig, region: &str) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::config::Builder::from(config).region(Region::new(region.to_string())).build(),
    )
}

pub(super) fn kms_client(config: &SdkConfig, region: &str) -> aws_sdk_kms::Client {
    kms(config, region)
}

fn time(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

/// The region an ARN names, when it names one.
fn arn_region(id: &str) -> Option<&str> {
    id.strip_prefix("arn:").and_then(|rest| rest.split(':').nth(2)).filter(|r| !r.is_empty())
}

impl AwsResources {
    pub(super) async fn kms_key(
        &self,
        account_id: &str,
        region: &str,
        resource: &ResourceRef,
    ) -> Result<KmsKeyState, CloudError> {
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        let key_id = resource.short_id();
        let client = kms(&config, region);
        let ctx = |op: &str| format!("{op} {key_id} in {account_id}/{region}");
        let (described, rotation, tags) = tokio::try_join!(
            async {
                let call = client.describe_key().key_id(key_id).send();
                self.gated(account_id, region, ReadService::Other, call)
                    .await
                    .map_err(|e| map_sdk_error(&ctx("DescribeKey"), e))
            },
            async {
                let call = client.get_key_rotation_status().key_id(key_id).send();
                self.gated(account_id, region, ReadService::Other, call)
                    .await
                    .map_err(|e| map_sdk_error(&ctx("GetKeyRotationStatus"), e))
            },
            async {
                let call = client.list_resource_tags().key_id(key_id).send();
                self.gated(account_id, region, ReadService::Other, call)
                    .await
                    .map_err(|e| map_sdk_error(&ctx("ListResourceTags"), e))
            },
        )?;
        let meta = described.key_metadata();
        Ok(KmsKeyState {
            key_id: meta.map(|m| m.key_id().to_string()).unwrap_or_else(|| key_id.to_string()),
            account_id: account_id.to_string(),
            region: region.to_string(),
            rotation_enabled: Some(rotation.key_rotation_enabled()),
            key_manager: meta.and_then(|m| m.key_manager()).map(|m| m.as_str().to_string()),
            key_state: meta.and_then(|m| m.key_state()).map(|s| s.as_str().to_string()),
            key_spec: meta.and_then(|m| m.key_spec()).map(|s| s.as_str().to_string()),
            tags: tags.tags().iter().map(|t| (t.tag_key().to_string(), t.tag_value().to_string())).collect(),
        })
    }

    pub(super) async fn trail(
        &self,
        account_id: &str,
        region: &str,
        resource: &ResourceRef,
    ) -> Result<TrailState, CloudError> {
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        // A trail is changed (and best read) in its home region, which its ARN names.
        let home = arn_region(&resource.id).unwrap_or(region);
        let client = cloudtrail(&config, home);
        let name = resource.id.as_str();
        let ctx = |op: &str| format!("{op} {name} in {account_id}/{home}");
        let call = client.get_trail().name(name).send();
        let out = self
            .gated(account_id, home, ReadService::Other, call)
            .await
            .map_err(|e| map_sdk_error(&ctx("GetTrail"), e))?;
        let trail = out.trail().ok_or_else(|| CloudError::NotFound(ctx("GetTrail")))?;
        let arn = trail.trail_arn().unwrap_or(name).to_string();
        let call = client.list_tags().resource_id_list(&arn).send();
        let tags = self
            .gated(account_id, home, ReadService::Other, call)
            .await
            .map_err(|e| map_sdk_error(&ctx("ListTags"), e))?;
        let tags: BTreeMap<String, String> = tags
            .resource_tag_list()
            .iter()
            .flat_map(|r| r.tags_list())
            .map(|t| (t.key().to_string(), t.value().unwrap_or_default().to_string()))
            .collect();
        Ok(TrailState {
            name: trail.name().unwrap_or(resource.short_id()).to_string(),
            home_region: trail.home_region().unwrap_or(home).to_string(),
            arn,
            account_id: account_id.to_string(),
            region: region.to_string(),
            log_file_validation: Some(trail.log_file_validation_enabled().unwrap_or(false)),
            tags,
        })
    }

    pub(super) async fn rds_snapshot(
        &self,
        account_id: &str,
        region: &str,
        resource: &ResourceRef,
    ) -> Result<RdsSnapshotState, CloudError> {
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        let (identifier, cluster) = crate::playbook::snapshot_services::rds_snapshot_id(resource);
        let client = rds(&config, region);
        let ctx = |op: &str| format!("{op} {identifier} in {account_id}/{region}");
        let partition = &self.accounts.identity().partition;
        let kind = if cluster { "cluster-snapshot" } else { "snapshot" };
        let arn = format!("arn:{partition}:rds:{region}:{account_id}:{kind}:{identifier}");
        let values: Vec<String> = if cluster {
            let call =
                client.describe_db_cluster_snapshot_attributes().db_cluster_snapshot_identifier(identifier).send();
            let out = self
                .gated(account_id, region, ReadService::Other, call)
                .await
                .map_err(|e| map_sdk_error(&ctx("DescribeDBClusterSnapshotAttributes"), e))?;
            out.db_cluster_snapshot_attributes_result()
                .map(|r| r.db_cluster_snapshot_attributes())
                .unwrap_or_default()
                .iter()
                .filter(|a| a.attribute_name() == Some("restore"))
                .flat_map(|a| a.attribute_values().iter().cloned())
                .collect()
        } else {
            let call = client.describe_db_snapshot_attributes().db_snapshot_identifier(identifier).send();
            let out = self
                .gated(account_id, region, ReadService::Other, call)
                .await
                .map_err(|e| map_sdk_error(&ctx("DescribeDBSnapshotAttributes"), e))?;
            out.db_snapshot_attributes_result()
                .map(|r| r.db_snapshot_attributes())
                .unwrap_or_default()
                .iter()
                .filter(|a| a.attribute_name() == Some("restore"))
                .flat_map(|a| a.attribute_values().iter().cloned())
                .collect()
        };
        let call = client.list_tags_for_resource().resource_name(&arn).send();
        let tags = self
            .gated(account_id, region, ReadService::Other, call)
            .await
            .map_err(|e| map_sdk_error(&ctx("ListTagsForResource"), e))?;
        let mut shared_with: Vec<String> = values.iter().filter(|v| *v != "all").cloned().collect();
        shared_with.sort();
        Ok(RdsSnapshotState {
            identifier: identifier.to_string(),
            cluster,
            account_id: account_id.to_string(),
            region: region.to_string(),
            public: Some(values.iter().any(|v| v == "all")),
            shared_with,
            tags: tags
                .tag_list()
                .iter()
                .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
                .collect(),
        })
    }

    pub(super) async fn iam_user(
        &self,
        account_id: &str,
        region: &str,
        resource: &ResourceRef,
    ) -> Result<IamUserState, CloudError> {
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        let user = resource.short_id();
        let client = iam(&config, region);
        let ctx = |op: &str| format!("{op} {user} in account {account_id}");
        let (keys, profile, tags) = tokio::try_join!(
            async {
                let call = client.list_access_keys().user_name(user).send();
                self.gated(account_id, region, ReadService::Other, call)
                    .await
                    .map_err(|e| map_sdk_error(&ctx("ListAccessKeys"), e))
            },
            async {
                let call = client.get_login_profile().user_name(user).send();
                absent_ok(
                    self.gated(account_id, region, ReadService::Other, call).await,
                    &["NoSuchEntity"],
                    &ctx("GetLoginProfile"),
                )
            },
            async {
                let call = client.list_user_tags().user_name(user).send();
                self.gated(account_id, region, ReadService::Other, call)
                    .await
                    .map_err(|e| map_sdk_error(&ctx("ListUserTags"), e))
            },
        )?;
        let read_at = Utc::now();
        let mut access_keys = Vec::new();
        for meta in keys.access_key_metadata() {
            let Some(id) = meta.access_key_id() else { continue };
            let call = client.get_access_key_last_used().access_key_id(id).send();
            let used = self
                .gated(account_id, region, ReadService::Other, call)
                .await
                .map_err(|e| map_sdk_error(&ctx(&format!("GetAccessKeyLastUsed {id} of")), e))?;
            access_keys.push(AccessKey {
                id: id.to_string(),
                active: meta.status().is_some_and(|s| s.as_str() == "Active"),
                created: meta.create_date().and_then(time).unwrap_or(read_at),
                last_used: used.access_key_last_used().and_then(|u| u.last_used_date()).and_then(time),
            });
        }
        access_keys.sort();
        Ok(IamUserState {
            user_name: user.to_string(),
            account_id: account_id.to_string(),
            read_at,
            access_keys,
            console_password: Some(profile.is_some()),
            tags: tags.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect(),
        })
    }

    /// The account's own snapshots in the region that group `all` may create volumes from, sorted. AWS narrows the
    /// list with `RestorableByUserIds=all`; each candidate's permission is then read to be sure (emulators ignore
    /// the filter).
    pub(super) async fn public_ebs_snapshots(
        &self,
        config: &SdkConfig,
        account_id: &str,
        region: &str,
    ) -> Result<Vec<String>, CloudError> {
        let ec2 = Accounts::ec2(config, region);
        let ctx = |op: &str| format!("{op} in {account_id}/{region}");
        let mut candidates = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let call = ec2
                .describe_snapshots()
                .owner_ids("self")
                .restorable_by_user_ids("all")
                .max_results(1000)
                .set_next_token(token.take())
                .send();
            let page = self
                .gated(account_id, region, ReadService::Ec2, call)
                .await
                .map_err(|e| map_sdk_error(&ctx("DescribeSnapshots"), e))?;
            candidates.extend(
                page.snapshots()
                    .iter()
                    .filter(|s| s.owner_id() == Some(account_id))
                    .filter_map(|s| s.snapshot_id())
                    .map(String::from),
            );
            token = page.next_token().filter(|t| !t.is_empty()).map(String::from);
            if token.is_none() {
                break;
            }
        }
        let mut public = Vec::new();
        for id in candidates {
            let call = ec2
                .describe_snapshot_attribute()
                .snapshot_id(&id)
                .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
                .send();
            let out = self
                .gated(account_id, region, ReadService::Ec2, call)
                .await
                .map_err(|e| map_sdk_error(&ctx(&format!("DescribeSnapshotAttribute {id}")), e))?;
            if out.create_volume_permissions().iter().any(|p| p.group().is_some_and(|g| g.as_str() == "all")) {
                public.push(id);
            }
        }
        public.sort();
        Ok(public)
    }
}
