//! Tags on S3 buckets and EC2 resources (exceptions), in the finding's own account (assumed role) and region.
//!
//! S3 PutBucketTagging replaces the whole set, so adding reads, merges and writes every tag back (system tags
//! `aws:…` included: S3 refuses a write that would drop them), and removing writes the rest or deletes an empty set.
//! EC2 CreateTags merges; DeleteTags is only ever sent with the keys to remove (without keys it deletes every tag).
//! Tagged resources are listed with the Resource Groups Tagging API, or, where it is denied or missing, with S3
//! ListBuckets + GetBucketTagging and EC2 DescribeTags.

use super::errors::map_sdk_error;
use super::resources::absent_ok;
use super::session::Accounts;
use crate::cloud::{CloudError, TaggedResource};
use aws_config::SdkConfig;
use futures::{StreamExt, TryStreamExt};
use std::collections::{BTreeMap, BTreeSet};

/// S3 and EC2 allow this many user tags per resource (`aws:` system tags do not count).
pub const MAX_TAGS: usize = 50;
/// Calls in flight at once per listing (bucket locations, bucket tag sets).
const CONCURRENT_CALLS: usize = 8;
/// EC2 filter values per DescribeTags call.
const IDS_PER_CALL: usize = 100;

/// EC2 resource types (as DescribeTags and ARNs name them) with their ASFF type.
const EC2_TYPES: &[(&str, &str)] = &[
    ("instance", "AwsEc2Instance"),
    ("security-group", "AwsEc2SecurityGroup"),
    ("volume", "AwsEc2Volume"),
    ("vpc", "AwsEc2Vpc"),
    ("subnet", "AwsEc2Subnet"),
    ("network-acl", "AwsEc2NetworkAcl"),
    ("network-interface", "AwsEc2NetworkInterface"),
    ("elastic-ip", "AwsEc2Eip"),
    ("launch-template", "AwsEc2LaunchTemplate"),
    ("route-table", "AwsEc2RouteTable"),
    ("transit-gateway", "AwsEc2TransitGateway"),
    ("vpc-peering-connection", "AwsEc2VpcPeeringConnection"),
    ("vpn-connection", "AwsEc2VpnConnection"),
    ("client-vpn-endpoint", "AwsEc2ClientVpnEndpoint"),
    ("vpc-endpoint-service", "AwsEc2VpcEndpointService"),
];

fn asff_type_of_ec2(kind: &str) -> Option<&'static str> {
    EC2_TYPES.iter().find(|(k, _)| *k == kind).map(|(_, asff)| *asff)
}

fn ec2_kind_of_asff(asff: &str) -> Option<&'static str> {
    EC2_TYPES.iter().find(|(_, a)| *a == asff).map(|(kind, _)| *kind)
}

/// What a tag change is made on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TagTarget {
    Bucket(String),
    /// An EC2 resource id (`sg-…`, `i-…`, `vol-…`).
    Ec2(String),
}

/// The bucket or EC2 id of a resource given as an ARN or a plain id; refuses types that cannot carry tags here
/// and ARNs of another account or region than the one the change is made in.
pub(super) fn tag_target(
    resource_type: &str,
    resource_id: &str,
    account_id: &str,
    region: &str,
) -> Result<TagTarget, CloudError> {
    let id = resource_id.trim();
    let bad = |why: &str| CloudError::Other(format!("{resource_type} {resource_id:?}: {why}"));
    let arn: Option<Vec<&str>> = id.starts_with("arn:").then(|| id.splitn(6, ':').collect());
    if let Some(parts) = &arn {
        if parts.len() != 6 {
            return Err(bad("not an ARN"));
        }
    }
    if resource_type == "AwsS3Bucket" {
        let name = match &arn {
            Some(parts) if parts[2] == "s3" => parts[5],
            Some(_) => return Err(bad("not an S3 bucket ARN")),
            None => id,
        };
        if name.is_empty() || name.contains(['/', ':', ' ']) {
            return Err(bad("not a bucket name"));
        }
        return Ok(TagTarget::Bucket(name.to_string()));
    }
    if !resource_type.starts_with("AwsEc2") || resource_type == "AwsEc2Account" {
        return Err(CloudError::Unsupported(format!("{resource_type} resources cannot carry tags here")));
    }
    let ec2_id = match &arn {
        Some(parts) => {
            if parts[2] != "ec2" {
                return Err(bad("not an EC2 ARN"));
            }
            if !parts[3].is_empty() && parts[3] != region {
                return Err(bad(&format!("the resource is in region {}, not {region}", parts[3])));
            }
            if !parts[4].is_empty() && parts[4] != account_id {
                return Err(bad(&format!("the resource is in account {}, not {account_id}", parts[4])));
            }
            parts[5].rsplit('/').next().unwrap_or_default()
        }
        None => id,
    };
    let looks_like_id = ec2_id.split_once('-').is_some_and(|(prefix, rest)| {
        !prefix.is_empty() && !rest.is_empty() && ec2_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if !looks_like_id {
        return Err(bad("no EC2 resource id (like sg-0123 or i-0123) in it"));
    }
    Ok(TagTarget::Ec2(ec2_id.to_string()))
}

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
            let current = Box::pin(bucket_tags(&s3, &bucket, &at)).await?;
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
            let current = Box::pin(bucket_tags(&s3, &bucket, &at)).await?;
            let rest = without(&current, &keys);
            if rest.len() == current.len() {
                return Ok(());
            }
            if rest.is_empty() {
                s3.delete_bucket_tagging()
                    .bucket(&bucket)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| map_sdk_error(&format!("DeleteBucketTagging on bucket {bucket} in {at}"), e))
            } else {
                let context = format!("PutBucketTagging without {} on bucket {bucket} in {at}", keys.join(","));
                Box::pin(put_bucket_tags(&s3, &bucket, &rest, &context)).await
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
    }
}

/// A bucket's tags; none when it has no tag set (NoSuchTagSet).
async fn bucket_tags(s3: &aws_sdk_s3::Client, bucket: &str, at: &str) -> Result<BTreeMap<String, String>, CloudError> {
    let out = absent_ok(
        s3.get_bucket_tagging().bucket(bucket).send().await,
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
        .tagging(tagging)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| map_sdk_error(context, e))
}

// ---- listing ----

/// Every S3 bucket of the region and EC2 resource carrying `tag_key`, with all their tags, sorted by type and ARN.
/// The Resource Groups Tagging API answers in a few calls; when it is denied (no `tag:GetResources`) or missing (an
/// emulator), S3 and EC2 are asked directly.
pub(super) async fn list_tagged(
    config: &SdkConfig,
    partition: &str,
    account_id: &str,
    region: &str,
    tag_key: &str,
) -> Result<Vec<TaggedResource>, CloudError> {
    let mut found = match Box::pin(list_with_tagging_api(config, account_id, region, tag_key)).await {
        Ok(found) => found,
        Err(e @ (CloudError::AccessDenied(_) | CloudError::Unsupported(_))) => {
            tracing::warn!(error = %e, account_id, region, "tagging API unavailable; listing S3 and EC2 directly");
            let mut found = Box::pin(list_buckets_directly(config, partition, account_id, region, tag_key)).await?;
            found.extend(Box::pin(list_ec2_directly(config, partition, account_id, region, tag_key)).await?);
            found
        }
        Err(e) => return Err(e),
    };
    found.sort_by(|a, b| (&a.resource_type, &a.resource_id).cmp(&(&b.resource_type, &b.resource_id)));
    found.dedup_by(|a, b| a.resource_id == b.resource_id);
    Ok(found)
}

/// Resource Groups Tagging API GetResources, paged; S3 buckets are kept only when they are in `region`.
async fn list_with_tagging_api(
    config: &SdkConfig,
    account_id: &str,
    region: &str,
    tag_key: &str,
) -> Result<Vec<TaggedResource>, CloudError> {
    use aws_sdk_resourcegroupstagging::types::TagFilter;
    let client = Accounts::tagging(config, region);
    let context = format!("GetResources (tag {tag_key}) in {account_id}/{region}");
    let mut found = Vec::new();
    let mut buckets = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .get_resources()
            .tag_filters(TagFilter::builder().key(tag_key).build())
            .resource_type_filters("s3:bucket")
            .resource_type_filters("ec2")
            .resources_per_page(100)
            .set_pagination_token(token.take())
            .send()
            .await
            .map_err(|e| map_sdk_error(&context, e))?;
        for mapping in page.resource_tag_mapping_list() {
            let Some(arn) = mapping.resource_arn() else { continue };
            let tags: BTreeMap<String, String> =
                mapping.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect();
            if !tags.contains_key(tag_key) {
                continue;
            }
            match classify_arn(arn, account_id, region) {
                Some(ArnKind::Bucket(name)) => buckets.push((name, arn.to_string(), tags)),
                Some(ArnKind::Ec2(resource_type)) => {
                    found.push(TaggedResource { resource_type: resource_type.into(), resource_id: arn.into(), tags })
                }
                None => tracing::debug!(arn, "tagged resource of a type exceptions do not cover"),
            }
        }
        token = page.pagination_token().filter(|t| !t.is_empty()).map(String::from);
        if token.is_none() {
            break;
        }
    }
    let s3 = Accounts::s3(config, region);
    let at = format!("{account_id}/{region}");
    let located: Vec<Option<TaggedResource>> = futures::stream::iter(buckets)
        .map(|(name, arn, tags)| {
            let s3 = &s3;
            let at = &at;
            async move {
                let home = Box::pin(bucket_region(s3, &name, None, at)).await?;
                Ok::<_, CloudError>((home.as_deref() == Some(region)).then(|| TaggedResource {
                    resource_type: "AwsS3Bucket".into(),
                    resource_id: arn,
                    tags,
                }))
            }
        })
        .buffer_unordered(CONCURRENT_CALLS)
        .try_collect()
        .await?;
    found.extend(located.into_iter().flatten());
    Ok(found)
}

/// A resource ARN the listing covers.
#[derive(Debug, PartialEq, Eq)]
enum ArnKind {
    Bucket(String),
    /// The ASFF type of an EC2 resource in the account and region.
    Ec2(&'static str),
}

fn classify_arn(arn: &str, account_id: &str, region: &str) -> Option<ArnKind> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, _, service, arn_region, arn_account, resource] = parts.as_slice() else { return None };
    match *service {
        "s3" if !resource.is_empty() && !resource.contains('/') => Some(ArnKind::Bucket(resource.to_string())),
        "ec2" if *arn_region == region && *arn_account == account_id => {
            let (kind, id) = resource.split_once('/')?;
            (!id.is_empty()).then_some(())?;
            asff_type_of_ec2(kind).map(ArnKind::Ec2)
        }
        _ => None,
    }
}

/// A bucket's region: ListBuckets' `BucketRegion` when given, else GetBucketLocation (no constraint is us-east-1,
/// `EU` is eu-west-1). `None` when the bucket is gone.
async fn bucket_region(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    listed: Option<&str>,
    at: &str,
) -> Result<Option<String>, CloudError> {
    if let Some(region) = listed.filter(|r| !r.is_empty()) {
        return Ok(Some(region.to_string()));
    }
    let out = absent_ok(
        s3.get_bucket_location().bucket(bucket).send().await,
        &["NoSuchBucket"],
        &format!("GetBucketLocation on bucket {bucket} in {at}"),
    )?;
    Ok(out.map(|o| region_of_constraint(o.location_constraint().map(|c| c.as_str()))))
}

fn region_of_constraint(constraint: Option<&str>) -> String {
    match constraint {
        None | Some("") => "us-east-1".into(),
        Some("EU") => "eu-west-1".into(),
        Some(region) => region.into(),
    }
}

/// S3 ListBuckets (paged), the region of each bucket, and the tag set of those in `region`.
async fn list_buckets_directly(
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
async fn list_ec2_directly(
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

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "222222222222";
    const REGION: &str = "eu-west-1";

    fn target(kind: &str, id: &str) -> Result<TagTarget, CloudError> {
        tag_target(kind, id, ACCOUNT, REGION)
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn targets_come_from_arns_and_plain_ids() {
        assert_eq!(target("AwsS3Bucket", "arn:aws:s3:::logs").expect("accepted"), TagTarget::Bucket("logs".into()));
        assert_eq!(target("AwsS3Bucket", "logs").expect("accepted"), TagTarget::Bucket("logs".into()));
        assert!(target("AwsS3Bucket", "arn:aws:s3:::logs/key").is_err());
        let sg = format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-0abc");
        assert_eq!(target("AwsEc2SecurityGroup", &sg).expect("accepted"), TagTarget::Ec2("sg-0abc".into()));
        let i = format!("arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0def");
        assert_eq!(target("AwsEc2Instance", &i).expect("accepted"), TagTarget::Ec2("i-0def".into()));
        assert_eq!(target("AwsEc2Volume", "vol-1").expect("accepted"), TagTarget::Ec2("vol-1".into()));
    }

    #[test]
    fn other_types_and_foreign_arns_are_refused() {
        let e = target("AwsAccount", ACCOUNT).expect_err("refused");
        assert_eq!(e, CloudError::Unsupported("AwsAccount resources cannot carry tags here".into()));
        assert!(matches!(target("AwsIamRole", "arn:aws:iam::1:role/x"), Err(CloudError::Unsupported(_))));
        let other_region = format!("arn:aws:ec2:us-west-2:{ACCOUNT}:security-group/sg-1");
        assert!(target("AwsEc2SecurityGroup", &other_region).expect_err("refused").to_string().contains("us-west-2"));
        let other_account = format!("arn:aws:ec2:{REGION}:333333333333:security-group/sg-1");
        assert!(target("AwsEc2SecurityGroup", &other_account)
            .expect_err("refused")
            .to_string()
            .contains("333333333333"));
        assert!(target("AwsEc2SecurityGroup", "").is_err());
        assert!(target("AwsEc2SecurityGroup", "sg-1 --all").is_err());
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

    #[test]
    fn listed_arns_map_to_asff_types_in_the_account_and_region() {
        let c = |arn: &str| classify_arn(arn, ACCOUNT, REGION);
        assert_eq!(c("arn:aws:s3:::logs"), Some(ArnKind::Bucket("logs".into())));
        assert_eq!(
            c(&format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-1")),
            Some(ArnKind::Ec2("AwsEc2SecurityGroup"))
        );
        assert_eq!(c(&format!("arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-1")), Some(ArnKind::Ec2("AwsEc2Instance")));
        assert_eq!(
            c(&format!("arn:aws:ec2:{REGION}:{ACCOUNT}:elastic-ip/eipalloc-1")),
            Some(ArnKind::Ec2("AwsEc2Eip"))
        );
        assert_eq!(c(&format!("arn:aws:ec2:us-west-2:{ACCOUNT}:instance/i-1")), None);
        assert_eq!(c(&format!("arn:aws:ec2:{REGION}:{ACCOUNT}:image/ami-1")), None);
        assert_eq!(c(&format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:f")), None);
    }

    #[test]
    fn bucket_regions_follow_the_location_constraint() {
        assert_eq!(region_of_constraint(None), "us-east-1");
        assert_eq!(region_of_constraint(Some("")), "us-east-1");
        assert_eq!(region_of_constraint(Some("EU")), "eu-west-1");
        assert_eq!(region_of_constraint(Some("eu-central-1")), "eu-central-1");
    }
}
