//! Tags on S3 buckets, EC2 resources, KMS keys and IAM users and roles (exceptions) set and removed, in the finding's own account (assumed role)
//! and region.
//!
//! S3 PutBucketTagging replaces the whole set, so adding reads, merges and writes every tag back (system tags
//! `aws:…` included: S3 refuses a write that would drop them), and removing writes the rest or deletes an empty set.
//! EC2 CreateTags merges; DeleteTags is only ever sent with the keys to remove (without keys it deletes every tag).
//! KMS keys and IAM users and roles are `tags_services`'. Which resource a change is made on is `tag_target`'s;
//! listing the tagged resources is `tagged`'s.

use super::errors::map_sdk_error;
use super::resources::absent_ok;
use super::session::Accounts;
use super::tag_target::{tag_target, TagTarget};
use crate::cloud::CloudError;
use aws_config::SdkConfig;
use std::collections::{BTreeMap, BTreeSet};

/// S3 and EC2 allow this many user tags per resource (`aws:` system tags do not count).
pub const MAX_TAGS: usize = 50;

/// Keys and values that cannot be written, with the reason.
fn check_new_tags(tags: &BTreeMap<String, String>) -> Result<(), String> {
    for (key, value) in tags {
        if key.trim().is_empty() {
            return Err("a tag key is empty".into());
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(format!("tag key {key:?}: the aws: prefix is reserved for AWS"));
        }
        if key.chars().count() > 128 || value.chars().count() > 256 {
            return Err(format!("tag {key:?}: keys are at most 128 characters and values at most 256"));
        }
    }
    Ok(())
}

/// The tag set after setting `new` on `current` (same keys overwritten, every other tag kept).
fn merged(current: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut all = current.clone();
    all.extend(new.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

/// User tags (the ones counted against the limit of 50).
fn user_tag_count(tags: &BTreeMap<String, String>) -> usize {
    tags.keys().filter(|k| !k.to_ascii_lowercase().starts_with("aws:")).count()
}

/// The tag set after removing `keys`.
fn without(current: &BTreeMap<String, String>, keys: &[String]) -> BTreeMap<String, String> {
    current.iter().filter(|(k, _)| !keys.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Sets `tags` on a resource, keeping every other tag.
pub(super) async fn tag_resource(
    config: &SdkConfig,
    account_id: &str,
    region: &str,
    resource_type: &str,
    resource_id: &str,
    tags: &BTreeMap<String, String>,
) -> Result<(), CloudError> {
    let target = tag_target(resource_type, resource_id, account_id, region)?;
    let at = format!("{account_id}/{region}");
    let keys: Vec<&str> = tags.keys().map(String::as_str).collect();
    if let Err(why) = check_new_tags(tags) {
        return Err(CloudError::Other(format!("tag {resource_id} in {at}: {why}; nothing was changed")));
    }
    if tags.is_empty() {
        return Ok(());
    }
    match target {
        TagTarget::Bucket(bucket) => {
            let s3 = Accounts::s3(config, region);
            let current = Box::pin(bucket_tags(&s3, &bucket, account_id, &at)).await?;
            let all = merged(&current, tags);
            if all == current {
                return Ok(());
            }
            if user_tag_count(&all) > MAX_TAGS {
                return Err(CloudError::Other(format!(
                    "PutBucketTagging {} on bucket {bucket} in {at}: the bucket has {} tags and would have {}, more \
                     than the {MAX_TAGS} S3 allows; nothing was changed",
                    keys.join(","),
                    user_tag_count(&current),
                    user_tag_count(&all)
                )));
            }
            Box::pin(put_bucket_tags(
                &s3,
                &bucket,
                account_id,
                &all,
                &format!("PutBucketTagging {} on bucket {bucket} in {at}", keys.join(",")),
            ))
            .await
        }
        TagTarget::Ec2(id) => {
            let mut ec2_tags = Vec::with_capacity(tags.len());
            for (k, v) in tags {
                ec2_tags.push(aws_sdk_ec2::types::Tag::builder().key(k).value(v).build());
            }
            Accounts::ec2(config, region)
                .create_tags()
                .resources(&id)
                .set_tags(Some(ec2_tags))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| map_sdk_error(&format!("CreateTags {} on {id} in {at}", keys.join(",")), e))
        }
        other => Box::pin(super::tags_services::tag_service(config, region, &other, tags, &at)).await,
    }
}

/// Removes the tags `keys` from a resource, and only those.
pub(super) async fn untag_resource(
    config: &SdkConfig,
    account_id: &str,
    region: &str,
    resource_type: &str,
    resource_id: &str,
    keys: &[String],
) -> Result<(), CloudError> {
    let target = tag_target(resource_type, resource_id, account_id, region)?;
    let at = format!("{account_id}/{region}");
    let keys: Vec<String> =
        keys.iter().filter(|k| !k.is_empty()).cloned().collect::<BTreeSet<_>>().into_iter().collect();
    if keys.is_empty() {
        return Ok(());
    }
    match target {
        TagTarget::Bucket(bucket) => {
            let s3 = Accounts::s3(config, region);
            let current = Box::pin(bucket_tags(&s3, &bucket, account_id, &at)).await?;
            let rest = without(&current, &keys);
            if rest.len() == current.len() {
                return Ok(());
            }
            if rest.is_empty() {
                s3.delete_bucket_tagging()
                    .bucket(&bucket)
                    .expected_bucket_owner(account_id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| map_sdk_error(&format!("DeleteBucketTagging on bucket {bucket} in {at}"), e))
            } else {
                let context = format!("PutBucketTagging without {} on bucket {bucket} in {at}", keys.join(","));
                Box::pin(put_bucket_tags(&s3, &bucket, account_id, &rest, &context)).await
            }
        }
        TagTarget::Ec2(id) => {
            // Keys without values: the tag goes whatever its value. Never without keys (that deletes every tag).
            let tags: Vec<aws_sdk_ec2::types::Tag> =
                keys.iter().map(|k| aws_sdk_ec2::types::Tag::builder().key(k).build()).collect();
            debug_assert!(!tags.is_empty());
            Accounts::ec2(config, region)
                .delete_tags()
                .resources(&id)
                .set_tags(Some(tags))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| map_sdk_error(&format!("DeleteTags {} on {id} in {at}", keys.join(",")), e))
        }
        other => Box::pin(super::tags_services::untag_service(config, region, &other, &keys, &at)).await,
    }
}

/// A bucket's tags; none when it has no tag set (NoSuchTagSet).
/// `owner` is the account the bucket must belong to (S3 refuses the call otherwise).
async fn bucket_tags(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    owner: &str,
    at: &str,
) -> Result<BTreeMap<String, String>, CloudError> {
    let out = absent_ok(
        s3.get_bucket_tagging().bucket(bucket).expected_bucket_owner(owner).send().await,
        &["NoSuchTagSet"],
        &format!("GetBucketTagging on bucket {bucket} in {at}"),
    )?;
    Ok(out
        .map(|o| o.tag_set().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect())
        .unwrap_or_default())
}

/// Writes a bucket's whole tag set.
async fn put_bucket_tags(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    owner: &str,
    tags: &BTreeMap<String, String>,
    context: &str,
) -> Result<(), CloudError> {
    let build_error = |e: aws_smithy_types::error::operation::BuildError| CloudError::Other(format!("{context}: {e}"));
    let mut set = Vec::with_capacity(tags.len());
    for (k, v) in tags {
        set.push(aws_sdk_s3::types::Tag::builder().key(k).value(v).build().map_err(build_error)?);
    }
    let tagging = aws_sdk_s3::types::Tagging::builder().set_tag_set(Some(set)).build().map_err(build_error)?;
    s3.put_bucket_tagging()
        .bucket(bucket)
        .expected_bucket_owner(owner)
        .tagging(tagging)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| map_sdk_error(context, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn merging_keeps_every_other_tag_and_removing_only_drops_the_keys() {
        let current =
            map(&[("team", "data"), ("SecurityExceptionExpiry", "2026-01-01"), ("aws:cloudformation:stack-name", "s")]);
        let all = merged(&current, &map(&[("SecurityExceptionExpiry", "2027-01-01"), ("SecurityException", "r")]));
        assert_eq!(
            all,
            map(&[
                ("team", "data"),
                ("SecurityExceptionExpiry", "2027-01-01"),
                ("SecurityException", "r"),
                ("aws:cloudformation:stack-name", "s")
            ])
        );
        assert_eq!(user_tag_count(&all), 3);
        let rest = without(&all, &["SecurityException".into(), "SecurityExceptionExpiry".into(), "absent".into()]);
        assert_eq!(rest, map(&[("team", "data"), ("aws:cloudformation:stack-name", "s")]));
    }

    #[test]
    fn reserved_or_empty_keys_are_refused() {
        assert!(check_new_tags(&map(&[("SecurityException", "r")])).is_ok());
        assert!(check_new_tags(&map(&[("aws:x", "r")])).expect_err("refused").contains("reserved"));
        assert!(check_new_tags(&map(&[(" ", "r")])).is_err());
        assert!(check_new_tags(&map(&[("k", &"v".repeat(257))])).is_err());
    }
}
