//! KMS keys, IAM users and IAM roles carrying an exception tag key, with all their tags, in the finding's own account
//! (assumed role). IAM is not covered by the Resource Groups Tagging API, so users and roles are always listed here
//! (ListUsers / ListRoles, then ListUserTags / ListRoleTags for each); KMS keys are listed here (ListKeys, then
//! ListResourceTags for each) only when the tagging API is denied or missing. A key or user whose tags cannot be
//! read (a key policy that denies it, a user deleted meanwhile) is skipped, with a warning in the log.

use super::errors::map_sdk_error;
use super::services::{iam, kms_client};
use super::tagged::CONCURRENT_CALLS;
use crate::cloud::{CloudError, TaggedResource};
use aws_config::SdkConfig;
use futures::{StreamExt, TryStreamExt};
use std::collections::BTreeMap;

type Tags = BTreeMap<String, String>;

/// `Some(tags)` when they carry `tag_key`; a resource that is gone or whose tags are denied is skipped.
fn keep(result: Result<Tags, CloudError>, tag_key: &str, what: &str) -> Result<Option<Tags>, CloudError> {
    match result {
        Ok(tags) => Ok(tags.contains_key(tag_key).then_some(tags)),
        Err(e @ (CloudError::AccessDenied(_) | CloudError::NotFound(_))) => {
            tracing::warn!(error = %e, what, "tags not readable; not listed among the exceptions");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Every IAM user and role of the account carrying `tag_key`.
pub(super) async fn list_iam_directly(
    config: &SdkConfig,
    account_id: &str,
    region: &str,
    tag_key: &str,
) -> Result<Vec<TaggedResource>, CloudError> {
    let client = iam(config, region);
    let at = format!("account {account_id}");
    // (is a user, name, ARN)
    let mut listed: Vec<(bool, String, String)> = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = client
            .list_users()
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| map_sdk_error(&format!("ListUsers in {at}"), e))?;
        listed.extend(page.users().iter().map(|u| (true, u.user_name().to_string(), u.arn().to_string())));
        marker = page.marker().filter(|_| page.is_truncated()).map(String::from);
        if marker.is_none() {
            break;
        }
    }
    loop {
        let page = client
            .list_roles()
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| map_sdk_error(&format!("ListRoles in {at}"), e))?;
        listed.extend(page.roles().iter().map(|r| (false, r.role_name().to_string(), r.arn().to_string())));
        marker = page.marker().filter(|_| page.is_truncated()).map(String::from);
        if marker.is_none() {
            break;
        }
    }
    let found: Vec<Option<TaggedResource>> = futures::stream::iter(listed)
        .map(|(user, name, arn)| {
            let (client, at) = (&client, &at);
            async move {
                let tags = if user {
                    let context = format!("ListUserTags {name} in {at}");
                    client
                        .list_user_tags()
                        .user_name(&name)
                        .send()
                        .await
                        .map(|o| o.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect())
                        .map_err(|e| map_sdk_error(&context, e))
                } else {
                    let context = format!("ListRoleTags {name} in {at}");
                    client
                        .list_role_tags()
                        .role_name(&name)
                        .send()
                        .await
                        .map(|o| o.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect())
                        .map_err(|e| map_sdk_error(&context, e))
                };
                let resource_type = if user { "AwsIamUser" } else { "AwsIamRole" };
                Ok::<_, CloudError>(keep(tags, tag_key, &arn)?.map(|tags| TaggedResource {
                    resource_type: resource_type.into(),
                    resource_id: arn,
                    tags,
                }))
            }
        })
        .buffer_unordered(CONCURRENT_CALLS)
        .try_collect()
        .await?;
    Ok(found.into_iter().flatten().collect())
}

/// Every KMS key of the region carrying `tag_key`.
pub(super) async fn list_kms_directly(
    config: &SdkConfig,
    account_id: &str,
    region: &str,
    tag_key: &str,
) -> Result<Vec<TaggedResource>, CloudError> {
    let client = kms_client(config, region);
    let at = format!("{account_id}/{region}");
    let mut keys: Vec<(String, String)> = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = client
            .list_keys()
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| map_sdk_error(&format!("ListKeys in {at}"), e))?;
        for k in page.keys() {
            if let (Some(id), Some(arn)) = (k.key_id(), k.key_arn()) {
                keys.push((id.to_string(), arn.to_string()));
            }
        }
        marker = page.next_marker().filter(|_| page.truncated()).map(String::from);
        if marker.is_none() {
            break;
        }
    }
    let found: Vec<Option<TaggedResource>> = futures::stream::iter(keys)
        .map(|(id, arn)| {
            let (client, at) = (&client, &at);
            async move {
                let tags = client
                    .list_resource_tags()
                    .key_id(&id)
                    .send()
                    .await
                    .map(|o| o.tags().iter().map(|t| (t.tag_key().to_string(), t.tag_value().to_string())).collect())
                    .map_err(|e| map_sdk_error(&format!("ListResourceTags {id} in {at}"), e));
                Ok::<_, CloudError>(keep(tags, tag_key, &arn)?.map(|tags| TaggedResource {
                    resource_type: "AwsKmsKey".into(),
                    resource_id: arn,
                    tags,
                }))
            }
        })
        .buffer_unordered(CONCURRENT_CALLS)
        .try_collect()
        .await?;
    Ok(found.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_carriers_are_kept_and_unreadable_tags_are_skipped() {
        let tags: Tags = [("SecurityException".to_string(), "r".to_string())].into();
        assert_eq!(keep(Ok(tags.clone()), "SecurityException", "k").expect("kept"), Some(tags.clone()));
        assert_eq!(keep(Ok(tags), "Other", "k").expect("read"), None);
        assert_eq!(keep(Err(CloudError::AccessDenied("no".into())), "SecurityException", "k").expect("skipped"), None);
        assert!(keep(Err(CloudError::Throttled("slow".into())), "SecurityException", "k").is_err());
    }
}
