//! Helpers the playbooks share: picking the state they need, ARN partitions, EC2 permission JSON.

use super::plan::PlanError;
use super::state::{AccountState, BucketState, InstanceState, ResourceState, SecurityGroupRule, SecurityGroupState};
use serde::Serialize;

/// The bucket, or `WrongResource`.
pub fn bucket<'a>(state: &'a ResourceState, playbook: &'static str) -> Result<&'a BucketState, PlanError> {
    match state {
        ResourceState::S3Bucket(b) => Ok(b),
        other => Err(PlanError::WrongResource { playbook, wanted: "S3 bucket", found: other.kind() }),
    }
}

/// The security group, or `WrongResource`.
pub fn group<'a>(state: &'a ResourceState, playbook: &'static str) -> Result<&'a SecurityGroupState, PlanError> {
    match state {
        ResourceState::SecurityGroup(g) => Ok(g),
        other => Err(PlanError::WrongResource { playbook, wanted: "security group", found: other.kind() }),
    }
}

/// The account settings, or `WrongResource`.
pub fn account<'a>(state: &'a ResourceState, playbook: &'static str) -> Result<&'a AccountState, PlanError> {
    match state {
        ResourceState::Account(a) => Ok(a),
        other => Err(PlanError::WrongResource { playbook, wanted: "account", found: other.kind() }),
    }
}

/// The instance, or `WrongResource`.
pub fn instance<'a>(state: &'a ResourceState, playbook: &'static str) -> Result<&'a InstanceState, PlanError> {
    match state {
        ResourceState::Instance(i) => Ok(i),
        other => Err(PlanError::WrongResource { playbook, wanted: "EC2 instance", found: other.kind() }),
    }
}

/// The ARN partition of a region: `aws-cn` in China, `aws-us-gov` in GovCloud, `aws` elsewhere.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

/// One source of an EC2 `IpPermission`, in the order the AWS CLI documents the members.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Source<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    cidr_ip: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cidr_ipv6: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

/// An EC2 `IpPermission` with one source.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Permission<'a> {
    ip_protocol: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_port: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to_port: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_ranges: Option<[Source<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ipv6_ranges: Option<[Source<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id_group_pairs: Option<[Source<'a>; 1]>,
}

/// `--ip-permissions` JSON for one rule, for revoking by properties (snapshots carry no rule ids) and for restoring.
pub fn ip_permission_json(rule: &SecurityGroupRule) -> String {
    let ports = rule.protocol != "-1";
    let source = |cidr_ip, cidr_ipv6, group_id| Source {
        cidr_ip,
        cidr_ipv6,
        group_id,
        description: rule.description.as_deref().filter(|d| !d.is_empty()),
    };
    let permission = Permission {
        ip_protocol: &rule.protocol,
        from_port: ports.then_some(rule.from_port),
        to_port: ports.then_some(rule.to_port),
        ip_ranges: rule.cidr_ipv4.as_deref().map(|c| [source(Some(c), None, None)]),
        ipv6_ranges: rule.cidr_ipv6.as_deref().map(|c| [source(None, Some(c), None)]),
        user_id_group_pairs: rule.referenced_group.as_deref().map(|g| [source(None, None, Some(g))]),
    };
    serde_json::to_string(&[permission]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_follow_the_region() {
        assert_eq!(partition("eu-west-1"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition("us-isob-east-1"), "aws-iso-b");
    }

    #[test]
    fn self_referencing_rules_name_the_group() {
        let rule = SecurityGroupRule {
            rule_id: Some("sgr-1".into()),
            protocol: "-1".into(),
            from_port: -1,
            to_port: -1,
            cidr_ipv4: None,
            cidr_ipv6: None,
            referenced_group: Some("sg-1".into()),
            description: Some("self".into()),
            is_egress: false,
        };
        let json: serde_json::Value = serde_json::from_str(&ip_permission_json(&rule)).expect("json");
        assert_eq!(
            json,
            serde_json::json!([{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-1", "Description": "self"}]}])
        );
    }
}
