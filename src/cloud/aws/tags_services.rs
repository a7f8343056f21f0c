//! Tags on KMS keys, IAM users and roles, RDS snapshots and CloudTrail trails (exceptions) set and removed, in the
//! finding's own account (assumed role). Every one of these merges on write (TagResource, TagUser, TagRole,
//! AddTagsToResource, AddTags set the keys given and keep the others) and removes only the keys named (UntagResource,
//! UntagUser, UntagRole, RemoveTagsFromResource, RemoveTags take the keys; hubtriage never sends none). A trail's
//! tags are changed in its home region.

use super::errors::map_sdk_error;
use super::services::{cloudtrail, iam, kms_client, rds};
use super::tag_target::TagTarget;
use crate::cloud::CloudError;
use aws_config::SdkConfig;
use std::collections::BTreeMap;

/// Sets `tags` on a KMS key, IAM user or role (not empty, checked by the caller).
pub(super) async fn tag_service(
    config: &SdkConfig,
    region: &str,
    target: &TagTarget,
    tags: &BTreeMap<String, String>,
    at: &str,
) -> Result<(), CloudError> {
    let keys = tags.keys().cloned().collect::<Vec<_>>().join(",");
    match target {
        TagTarget::KmsKey(key) => {
            let context = format!("TagResource {keys} on KMS key {key} in {at}");
            let build_error =
                |e: aws_smithy_types::error::operation::BuildError| CloudError::Other(format!("{context}: {e}"));
            let mut kms_tags = Vec::with_capacity(tags.len());
            for (k, v) in tags {
                kms_tags.push(aws_sdk_kms::types::Tag::builder().tag_key(k).tag_value(v).build().map_err(build_error)?);
            }
            kms_client(config, region)
                .tag_resource()
                .key_id(key)
                .set_tags(Some(kms_tags))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| map_sdk_error(&context, e))
        }
        TagTarget::IamUser(name) | TagTarget::IamRole(name) => {
            let user = matches!(target, TagTarget::IamUser(_));
            let (op, what) = if user { ("TagUser", "user") } else { ("TagRole", "role") };
            let context = format!("{op} {keys} on IAM {what} {name} in {at}");
            let build_error =
                |e: aws_smithy_types::error::operation::BuildError| CloudError::Other(format!("{context}: {e}"));
            let mut iam_tags = Vec::with_capacity(tags.len());
            for (k, v) in tags {
                iam_tags.push(aws_sdk_iam::types::Tag::builder().key(k).value(v).build().map_err(build_error)?);
            }
            let client = iam(config, region);
            let sent = if user {
                client
                    .tag_user()
                    .user_name(name)
                    .set_tags(Some(iam_tags))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| map_sdk_error(&context, e))
            } else {
                client
                    .tag_role()
                    .role_name(name)
                    .set_tags(Some(iam_tags))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| map_sdk_error(&context, e))
            };
            sent
        }
        TagTarget::RdsSnapshot(arn) => {
            let rds_tags: Vec<aws_sdk_rds::types::Tag> =
                tags.iter().map(|(k, v)| aws_sdk_rds::types::Tag::builder().key(k).value(v).build()).collect();
            rds(config, region)
                .add_tags_to_resource()
                .resource_name(arn)
                .set_tags(Some(rds_tags))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| map_sdk_error(&format!("AddTagsToResource {keys} on {arn} in {at}"), e))
        }
        TagTarget::Trail { arn, home_region } => {
            let context = format!("AddTags {keys} on trail {arn} in {at}");
            let build_error =
                |e: aws_smithy_types::error::operation::BuildError| CloudError::Other(format!("{context}: {e}"));
            let mut trail_tags = Vec::with_capacity(tags.len());
            for (k, v) in tags {
                trail_tags
                    .push(aws_sdk_cloudtrail::types::Tag::builder().key(k).value(v).build().map_err(build_error)?);
            }
            cloudtrail(config, home_region)
                .add_tags()
                .resource_id(arn)
                .set_tags_list(Some(trail_tags))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| map_sdk_error(&context, e))
        }
        TagTarget::Bucket(_) | TagTarget::Ec2(_) => {
            Err(CloudError::Other(format!("tag {keys} in {at}: not a KMS, IAM, RDS or CloudTrail resource")))
        }
    }
}

/// Removes the tags `keys` (not empty, checked by the caller) from a KMS key, IAM user or role, and only those.
pub(super) async fn untag_service(
    config: &SdkConfig,
    region: &str,
    target: &TagTarget,
    keys: &[String],
    at: &str,
) -> Result<(), CloudError> {
    let named = keys.join(",");
    match target {
        TagTarget::KmsKey(key) => kms_client(config, region)
            .untag_resource()
            .key_id(key)
            .set_tag_keys(Some(keys.to_vec()))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| map_sdk_error(&format!("UntagResource {named} on KMS key {key} in {at}"), e)),
        TagTarget::IamUser(name) => iam(config, region)
            .untag_user()
            .user_name(name)
            .set_tag_keys(Some(keys.to_vec()))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| map_sdk_error(&format!("UntagUser {named} on IAM user {name} in {at}"), e)),
        TagTarget::IamRole(name) => iam(config, region)
            .untag_role()
            .role_name(name)
            .set_tag_keys(Some(keys.to_vec()))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| map_sdk_error(&format!("UntagRole {named} on IAM role {name} in {at}"), e)),
        TagTarget::RdsSnapshot(arn) => rds(config, region)
            .remove_tags_from_resource()
            .resource_name(arn)
            .set_tag_keys(Some(keys.to_vec()))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| map_sdk_error(&format!("RemoveTagsFromResource {named} on {arn} in {at}"), e)),
        TagTarget::Trail { arn, home_region } => {
            let context = format!("RemoveTags {named} on trail {arn} in {at}");
            let build_error =
                |e: aws_smithy_types::error::operation::BuildError| CloudError::Other(format!("{context}: {e}"));
            let mut trail_tags = Vec::with_capacity(keys.len());
            for k in keys {
                trail_tags.push(aws_sdk_cloudtrail::types::Tag::builder().key(k).build().map_err(build_error)?);
            }
            cloudtrail(config, home_region)
                .remove_tags()
                .resource_id(arn)
                .set_tags_list(Some(trail_tags))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| map_sdk_error(&context, e))
        }
        TagTarget::Bucket(_) | TagTarget::Ec2(_) => {
            Err(CloudError::Other(format!("untag {named} in {at}: not a KMS, IAM, RDS or CloudTrail resource")))
        }
    }
}
