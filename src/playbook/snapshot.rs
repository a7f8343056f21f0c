//! Resource state taken from a finding's own `Resources[].Details`, for offline plans.

use super::plan::PlanError;
use super::state::{
    AccountState, BucketPublicAccessBlock, BucketState, InstanceState, PublicAccessBlock, ResourceState,
    SecurityGroupRule, SecurityGroupState, NO_TAGS,
};
use crate::model::{sanitize, Finding, ResourceRef};
use serde_json::Value;
use std::collections::BTreeMap;

/// The state of the finding's primary resource as recorded in the finding.
pub fn state_from_finding(finding: &Finding) -> Result<ResourceState, PlanError> {
    let resource = finding.primary_resource().ok_or_else(|| PlanError::NoSnapshot(" (no Resources)".into()))?;
    match &*resource.kind {
        "AwsS3Bucket" => Ok(ResourceState::S3Bucket(bucket(finding, resource))),
        "AwsEc2SecurityGroup" => security_group(finding, resource).map(ResourceState::SecurityGroup),
        "AwsAccount" => Ok(ResourceState::Account(AccountState {
            account_id: finding.account_id.to_string(),
            region: region(finding, resource),
            s3_public_access_block: BucketPublicAccessBlock::Unknown,
            ebs_encryption_by_default: None,
            public_ebs_snapshots: None,
        })),
        "AwsEc2Instance" => Ok(ResourceState::Instance(instance(finding, resource))),
        other => super::snapshot_services::state(finding, resource, region(finding, resource)).unwrap_or_else(|| {
            Err(PlanError::NoSnapshot(format!(" (resource type {other} is not one hubtriage plans for)")))
        }),
    }
}

/// The tags of the state `state_from_finding` reads (`ResourceState::tags`), without reading it: the primary
/// resource's own, none for an account (its state carries none), the resource's when the finding records no state.
pub fn state_tags(finding: &Finding) -> &BTreeMap<String, String> {
    match finding.primary_resource() {
        Some(resource) if *resource.kind != *"AwsAccount" => &resource.tags,
        _ => &NO_TAGS,
    }
}

/// The resource's own region, else the finding's.
fn region(finding: &Finding, resource: &ResourceRef) -> String {
    resource.region.as_deref().map_or_else(|| finding.region.to_string(), str::to_string)
}

fn details(resource: &ResourceRef, key: &str) -> Option<Value> {
    resource.details()?.get_mut(key).map(Value::take)
}

fn bucket(finding: &Finding, resource: &ResourceRef) -> BucketState {
    let d = details(resource, "AwsS3Bucket");
    let d = d.as_ref();
    let public_access_block = d
        .and_then(|d| d.get("PublicAccessBlockConfiguration"))
        .map(|c| {
            let flag = |k: &str| c.get(k).and_then(Value::as_bool).unwrap_or(false);
            BucketPublicAccessBlock::Configured(PublicAccessBlock {
                block_public_acls: flag("BlockPublicAcls"),
                ignore_public_acls: flag("IgnorePublicAcls"),
                block_public_policy: flag("BlockPublicPolicy"),
                restrict_public_buckets: flag("RestrictPublicBuckets"),
            })
        })
        .unwrap_or(BucketPublicAccessBlock::Unknown);
    let by_default = d
        .and_then(|d| d.pointer("/ServerSideEncryptionConfiguration/Rules"))
        .and_then(Value::as_array)
        .and_then(|rules| rules.iter().find_map(|r| r.get("ApplyServerSideEncryptionByDefault")));
    let text = |k: &str| by_default.and_then(|v| v.get(k)).and_then(Value::as_str).map(sanitize::single_line);
    let encryption = text("SSEAlgorithm");
    let encryption_kms_key = text("KMSMasterKeyID").filter(|k| !k.is_empty());
    BucketState {
        name: resource.short_id().to_string(),
        account_id: finding.account_id.to_string(),
        region: region(finding, resource),
        public_access_block,
        encryption_kms_key: encryption_kms_key.filter(|_| encryption.is_some()),
        encryption,
        policy: None,
        tags: (*resource.tags).clone(),
        unread: crate::playbook::BucketParts::NONE,
    }
}

fn security_group(finding: &Finding, resource: &ResourceRef) -> Result<SecurityGroupState, PlanError> {
    let d = details(resource, "AwsEc2SecurityGroup")
        .ok_or_else(|| PlanError::NoSnapshot(" (no AwsEc2SecurityGroup details)".into()))?;
    let Some(ingress) = d.get("IpPermissions").and_then(Value::as_array) else {
        return Err(PlanError::NoSnapshot(" (AwsEc2SecurityGroup details record no IpPermissions)".into()));
    };
    let mut rules: Vec<SecurityGroupRule> = ingress.iter().flat_map(|p| rules_of(p, false)).collect();
    if let Some(egress) = d.get("IpPermissionsEgress").and_then(Value::as_array) {
        rules.extend(egress.iter().flat_map(|p| rules_of(p, true)));
    }
    let text = |k: &str| d.get(k).and_then(Value::as_str).map(sanitize::single_line);
    Ok(SecurityGroupState {
        group_id: text("GroupId").unwrap_or_else(|| resource.short_id().to_string()),
        group_name: text("GroupName").unwrap_or_default(),
        vpc_id: text("VpcId"),
        account_id: finding.account_id.to_string(),
        region: region(finding, resource),
        rules,
        tags: (*resource.tags).clone(),
    })
}

fn instance(finding: &Finding, resource: &ResourceRef) -> InstanceState {
    let details = details(resource, "AwsEc2Instance");
    let options = details.as_ref().and_then(|d| d.get("MetadataOptions"));
    let text = |k: &str| options.and_then(|o| o.get(k)).and_then(Value::as_str).map(sanitize::single_line);
    InstanceState {
        instance_id: resource.short_id().to_string(),
        account_id: finding.account_id.to_string(),
        region: region(finding, resource),
        http_tokens: text("HttpTokens"),
        http_endpoint: text("HttpEndpoint"),
        tags: (*resource.tags).clone(),
    }
}

/// One ASFF `IpPermission` holds several sources; each becomes its own rule, as EC2 stores them.
fn rules_of(permission: &Value, is_egress: bool) -> Vec<SecurityGroupRule> {
    let protocol = permission.get("IpProtocol").and_then(Value::as_str).unwrap_or("-1").to_string();
    let port = |k: &str| permission.get(k).and_then(Value::as_i64).and_then(|p| i32::try_from(p).ok()).unwrap_or(-1);
    let base = SecurityGroupRule {
        rule_id: None,
        protocol: sanitize::single_line(&protocol),
        from_port: port("FromPort"),
        to_port: port("ToPort"),
        cidr_ipv4: None,
        cidr_ipv6: None,
        referenced_group: None,
        description: None,
        is_egress,
    };
    let list = |k: &str| permission.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(sanitize::single_line);
    let mut rules = Vec::new();
    for range in list("IpRanges") {
        rules.push(SecurityGroupRule {
            cidr_ipv4: text(&range, "CidrIp"),
            description: text(&range, "Description"),
            ..base.clone()
        });
    }
    for range in list("Ipv6Ranges") {
        rules.push(SecurityGroupRule {
            cidr_ipv6: text(&range, "CidrIpv6"),
            description: text(&range, "Description"),
            ..base.clone()
        });
    }
    for pair in list("UserIdGroupPairs") {
        rules.push(SecurityGroupRule {
            referenced_group: text(&pair, "GroupId"),
            description: text(&pair, "Description"),
            ..base.clone()
        });
    }
    rules
}

#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod tests;
