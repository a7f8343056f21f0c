//! Every S3 bucket, EC2 resource and KMS key carrying an exception tag key, with all their tags, in the finding's
//! own account (assumed role) and region: listed with the Resource Groups Tagging API, or, where it is denied or
//! missing, with S3 ListBuckets + GetBucketTagging and EC2 DescribeTags (`tagged_direct`) and KMS ListKeys +
//! ListResourceTags (`tagged_services`). IAM users and roles, which the tagging API does not cover, are always listed
//! with IAM's own calls (`tagged_services`).

use super::errors::map_sdk_error;
use super::resources::absent_ok;
use super::session::Accounts;
use super::tagged_direct::{list_buckets_directly, list_ec2_directly};
use super::tagged_services::{list_iam_directly, list_kms_directly};
use crate::cloud::{CloudError, TaggedResource};
use aws_config::SdkConfig;
use futures::{StreamExt, TryStreamExt};
use std::collections::BTreeMap;

/// Calls in flight at once per listing (bucket locations, bucket tag sets).
pub(super) const CONCURRENT_CALLS: usize = 8;

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

/// The EC2 resource types (as ARNs name them: `security-group`, `instance`, …) exceptions are set on and listed.
pub fn ec2_tag_kinds() -> impl Iterator<Item = &'static str> {
    EC2_TYPES.iter().map(|(kind, _)| *kind)
}

pub(super) fn asff_type_of_ec2(kind: &str) -> Option<&'static str> {
    EC2_TYPES.iter().find(|(k, _)| *k == kind).map(|(_, asff)| *asff)
}

pub(super) fn ec2_kind_of_asff(asff: &str) -> Option<&'static str> {
    EC2_TYPES.iter().find(|(_, a)| *a == asff).map(|(kind, _)| *kind)
}

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
            found.extend(Box::pin(list_kms_directly(config, account_id, region, tag_key)).await?);
            found
        }
        Err(e) => return Err(e),
    };
    found.extend(Box::pin(list_iam_directly(config, account_id, region, tag_key)).await?);
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
            .resource_type_filters("kms:key")
            .resource_type_filters("rds:snapshot")
            .resource_type_filters("rds:cluster-snapshot")
            .resource_type_filters("cloudtrail:trail")
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
                Some(ArnKind::Ec2(resource_type) | ArnKind::Service(resource_type)) => {
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
    /// A KMS key, RDS snapshot or CloudTrail trail in the account and region, with its ASFF type.
    Service(&'static str),
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
        _ if *arn_region != region || *arn_account != account_id => None,
        "kms" => resource.strip_prefix("key/").filter(|id| !id.is_empty()).map(|_| ArnKind::Service("AwsKmsKey")),
        "rds" if resource.strip_prefix("snapshot:").is_some_and(|n| !n.is_empty()) => {
            Some(ArnKind::Service("AwsRdsDbSnapshot"))
        }
        "rds" if resource.strip_prefix("cluster-snapshot:").is_some_and(|n| !n.is_empty()) => {
            Some(ArnKind::Service("AwsRdsDbClusterSnapshot"))
        }
        "cloudtrail" => {
            resource.strip_prefix("trail/").filter(|n| !n.is_empty()).map(|_| ArnKind::Service("AwsCloudTrailTrail"))
        }
        _ => None,
    }
}

/// A bucket's region: ListBuckets' `BucketRegion` when given, else GetBucketLocation (no constraint is us-east-1,
/// `EU` is eu-west-1). `None` when the bucket is gone.
pub(super) async fn bucket_region(
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

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "222222222222";
    const REGION: &str = "eu-west-1";

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
        assert_eq!(c(&format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/1234")), Some(ArnKind::Service("AwsKmsKey")));
        assert_eq!(c(&format!("arn:aws:kms:us-west-2:{ACCOUNT}:key/1234")), None);
        assert_eq!(c(&format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/x")), None);
        assert_eq!(
            c(&format!("arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:s")),
            Some(ArnKind::Service("AwsRdsDbSnapshot"))
        );
        assert_eq!(
            c(&format!("arn:aws:rds:{REGION}:{ACCOUNT}:cluster-snapshot:s")),
            Some(ArnKind::Service("AwsRdsDbClusterSnapshot"))
        );
        assert_eq!(c(&format!("arn:aws:rds:{REGION}:{ACCOUNT}:db:d")), None);
        assert_eq!(
            c(&format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/t")),
            Some(ArnKind::Service("AwsCloudTrailTrail"))
        );
    }

    #[test]
    fn bucket_regions_follow_the_location_constraint() {
        assert_eq!(region_of_constraint(None), "us-east-1");
        assert_eq!(region_of_constraint(Some("")), "us-east-1");
        assert_eq!(region_of_constraint(Some("EU")), "eu-west-1");
        assert_eq!(region_of_constraint(Some("eu-central-1")), "eu-central-1");
    }
}
