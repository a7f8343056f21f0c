//! Resource state taken from a finding's own `Resources[].Details`, for offline plans.

use super::plan::PlanError;
use super::state::{
    BucketPublicAccessBlock, BucketState, PublicAccessBlock, ResourceState, SecurityGroupRule, SecurityGroupState,
};
use crate::model::{sanitize, Finding, ResourceRef};
use serde_json::Value;

/// The state of the finding's primary resource as recorded in the finding.
pub fn state_from_finding(finding: &Finding) -> Result<ResourceState, PlanError> {
    let resource = finding.primary_resource().ok_or_else(|| PlanError::NoSnapshot(" (no Resources)".into()))?;
    match resource.kind.as_str() {
        "AwsS3Bucket" => Ok(ResourceState::S3Bucket(bucket(finding, resource))),
        "AwsEc2SecurityGroup" => security_group(finding, resource).map(ResourceState::SecurityGroup),
        other => Err(PlanError::NoSnapshot(format!(" (resource type {other} is not one hubtriage plans for)"))),
    }
}

fn details<'a>(resource: &'a ResourceRef, key: &str) -> Option<&'a Value> {
    resource.details.as_ref()?.get(key)
}

fn bucket(finding: &Finding, resource: &ResourceRef) -> BucketState {
    let d = details(resource, "AwsS3Bucket");
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
    let encryption = d
        .and_then(|d| {
            d.pointer("/ServerSideEncryptionConfiguration/Rules/0/ApplyServerSideEncryptionByDefault/SSEAlgorithm")
        })
        .and_then(Value::as_str)
        .map(sanitize::single_line);
    BucketState {
        name: resource.short_id().to_string(),
        account_id: finding.account_id.clone(),
        region: resource.region.clone().unwrap_or_else(|| finding.region.clone()),
        public_access_block,
        encryption,
        encryption_kms_key: None,
        policy: None,
        tags: resource.tags.clone(),
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
        account_id: finding.account_id.clone(),
        region: resource.region.clone().unwrap_or_else(|| finding.region.clone()),
        rules,
        tags: resource.tags.clone(),
    })
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
mod tests {
    use super::*;
    use crate::model::asff::read_document;

    #[test]
    fn security_group_snapshot_from_asff_details() {
        let doc = serde_json::json!({
            "Id": "f", "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub", "AwsAccountId": "111111111111",
            "Region": "us-east-1", "GeneratorId": "security-control/EC2.13",
            "Resources": [{"Type": "AwsEc2SecurityGroup", "Id": "arn:aws:ec2:us-east-1:111111111111:security-group/sg-1",
                "Details": {"AwsEc2SecurityGroup": {"GroupName": "web", "GroupId": "sg-1", "IpPermissions": [
                    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "10.0.0.0/8"}]}]}}}]});
        let finding = read_document(&doc.to_string()).findings.remove(0);
        let ResourceState::SecurityGroup(g) = state_from_finding(&finding).expect("state") else {
            panic!("expected a security group");
        };
        assert_eq!(g.group_id, "sg-1");
        assert_eq!(g.rules.len(), 2);
        assert!(g.rules[0].is_open_to_world());
        assert!(!g.rules[1].is_open_to_world());
    }

    #[test]
    fn security_group_without_permissions_cannot_be_planned_offline() {
        let doc = serde_json::json!({
            "Id": "f", "ProductArn": "p", "AwsAccountId": "111111111111", "Region": "us-east-1", "GeneratorId": "g",
            "Resources": [{"Type": "AwsEc2SecurityGroup", "Id": "sg-1", "Details": {"AwsEc2SecurityGroup": {"GroupId": "sg-1"}}}]});
        let finding = read_document(&doc.to_string()).findings.remove(0);
        assert!(matches!(state_from_finding(&finding), Err(PlanError::NoSnapshot(_))));
    }
}
