//! Tagged resources listed without the Resource Groups Tagging API (denied or missing, as in an emulator): S3
//! ListBuckets + GetBucketTagging and EC2 DescribeTags, in the finding's own account (assumed role) and region.

use super::errors::map_sdk_error;
use super::resources::absent_ok;
use super::session::Accounts;
use super::tagged::{asff_type_of_ec2, bucket_region, ec2_kind_of_asff, CONCURRENT_CALLS};
use crate::cloud::{CloudError, TaggedResource};
use aws_config::SdkConfig;
use futures::{StreamExt, TryStreamExt};
use std::collections::BTreeMap;

/// EC2 filter values per DescribeTags call.
const IDS_PER_CALL: usize = 100;

/// S3 ListBuckets (paged), the region of each bucket, and the tag set of those in `region`.
pub(super) async fn list_buckets_directly(
    config: &SdkConfig,
    partition: &str,
    account_id: &str,
    region: &str,
    tag_key: &str,
) -> Result<Vec<TaggedResource>, CloudError> {
    let s3 = Accounts::s3(config, region);
    let at = format!("{account_id}/{region}");
    let mut listed: Vec<(String, Option<String>)> = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = s3
            .list_buckets()
            .set_continuation_token(token.take())
            .send()
            .await
            .map_err(|e| map_sdk_error(&format!("ListBuckets in {at}"), e))?;
        for b in page.buckets() {
            if let Some(name) = b.name() {
                listed.push((name.to_string(), b.bucket_region().map(String::from)));
            }
        }
        token = page.continuation_token().filter(|t| !t.is_empty()).map(String::from);
        if token.is_none() {
            break;
        }
    }
    let found: Vec<Option<TaggedResource>> = futures::stream::iter(listed)
        .map(|(name, listed_region)| {
            let s3 = &s3;
            let at = &at;
            async move {
                let home = Box::pin(bucket_region(s3, &name, listed_region.as_deref(), at)).await?;
                if home.as_deref() != Some(region) {
                    return Ok(None);
                }
                let tags = absent_ok(
                    s3.get_bucket_tagging().bucket(&name).send().await,
                    &["NoSuchTagSet", "NoSuchBucket"],
                    &format!("GetBucketTagging on bucket {name} in {at}"),
                )?
                .map(|o| {
                    o.tag_set().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect::<BTreeMap<_, _>>()
                })
                .unwrap_or_default();
                Ok::<_, CloudError>(tags.contains_key(tag_key).then(|| TaggedResource {
                    resource_type: "AwsS3Bucket".into(),
                    resource_id: format!("arn:{partition}:s3:::{name}"),
                    tags,
                }))
            }
        })
        .buffer_unordered(CONCURRENT_CALLS)
        .try_collect()
        .await?;
    Ok(found.into_iter().flatten().collect())
}

/// EC2 DescribeTags with the key (paged) finds the resources; DescribeTags by resource id reads all their tags.
pub(super) async fn list_ec2_directly(
    config: &SdkConfig,
    partition: &str,
    account_id: &str,
    region: &str,
    tag_key: &str,
) -> Result<Vec<TaggedResource>, CloudError> {
    use aws_sdk_ec2::types::Filter;
    let ec2 = Accounts::ec2(config, region);
    let at = format!("{account_id}/{region}");
    let mut carriers: BTreeMap<String, &'static str> = BTreeMap::new();
    let filter = Filter::builder().name("key").values(tag_key).build();
    for description in Box::pin(describe_tags(&ec2, filter, &format!("DescribeTags (key {tag_key}) in {at}"))).await? {
        let (Some(id), Some(kind)) = (description.resource_id(), description.resource_type()) else { continue };
        match asff_type_of_ec2(kind.as_str()) {
            Some(asff) => {
                carriers.insert(id.to_string(), asff);
            }
            None => tracing::debug!(id, kind = kind.as_str(), "tagged EC2 resource of a type exceptions do not cover"),
        }
    }
    let ids: Vec<String> = carriers.keys().cloned().collect();
    let mut tags: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for chunk in ids.chunks(IDS_PER_CALL) {
        let filter = Filter::builder().name("resource-id").set_values(Some(chunk.to_vec())).build();
        let context = format!("DescribeTags ({} resources) in {at}", chunk.len());
        for d in Box::pin(describe_tags(&ec2, filter, &context)).await? {
            if let (Some(id), Some(key)) = (d.resource_id(), d.key()) {
                tags.entry(id.to_string())
                    .or_default()
                    .insert(key.to_string(), d.value().unwrap_or_default().to_string());
            }
        }
    }
    Ok(carriers
        .into_iter()
        .filter_map(|(id, asff)| {
            let tags = tags.remove(&id).filter(|t| t.contains_key(tag_key))?;
            let kind = ec2_kind_of_asff(asff)?;
            Some(TaggedResource {
                resource_type: asff.into(),
                resource_id: format!("arn:{partition}:ec2:{region}:{account_id}:{kind}/{id}"),
                tags,
            })
        })
        .collect())
}

async fn describe_tags(
    ec2: &aws_sdk_ec2::Client,
    filter: aws_sdk_ec2::types::Filter,
    context: &str,
) -> Result<Vec<aws_sdk_ec2::types::TagDescription>, CloudError> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = ec2
            .describe_tags()
            .filters(filter.clone())
            .max_results(1000)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| map_sdk_error(context, e))?;
        all.extend(page.tags().iter().cloned());
        token = page.next_token().filter(|t| !t.is_empty()).map(String::from);
        if token.is_none() {
            break;
        }
    }
    Ok(all)
}
