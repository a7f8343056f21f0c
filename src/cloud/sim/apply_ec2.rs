//! EC2 changes: security group rules revoked by id and authorized (with fresh rule ids), EBS encryption by default,
//! instance metadata options — with the errors EC2 gives (unknown group, rule or instance; invalid rule). Like the
//! AWS adapter, an empty revoke or authorize makes no call and rules that exist already count as authorized.

use super::org::{OrgState, RegionState, SimGroup};
use super::rng::stable_hex;
use crate::cloud::{CloudError, SourceId};
use crate::playbook::{Change, SecurityGroupRule};
use chrono::{DateTime, Utc};

/// Makes an EC2 change at `now`.
pub(super) fn apply(
    state: &mut OrgState,
    source: &SourceId,
    change: &Change,
    now: DateTime<Utc>,
) -> Result<(), CloudError> {
    let not_here = || CloudError::NotFound(format!("{source}: the simulated organisation does not use this region"));
    let region = state.sources.get_mut(source).ok_or_else(not_here)?;
    match change {
        Change::RevokeIngress { group_id, rule_ids } | Change::RevokeEgress { group_id, rule_ids } => {
            let egress = matches!(change, Change::RevokeEgress { .. });
            let group = group_mut(region, group_id)?;
            // Nothing to revoke: no call is made (as the AWS adapter does).
            if !rule_ids.is_empty() {
                revoke(group, rule_ids, egress)?;
                group.changed_at = Some(now);
            }
        }
        Change::AuthorizeIngress { group_id, rules } | Change::AuthorizeEgress { group_id, rules } => {
            let egress = matches!(change, Change::AuthorizeEgress { .. });
            let known: Vec<String> = region.groups.iter().map(|g| g.state.group_id.clone()).collect();
            let seed = region.place.seed;
            let group = group_mut(region, group_id)?;
            let new = checked_rules(group, rules, egress, &known)?;
            if new.is_empty() {
                return Ok(());
            }
            for mut rule in new {
                state.rules_created += 1;
                let n = state.rules_created.to_string();
                rule.rule_id = Some(format!("sgr-{}", stable_hex(seed, &["new-rule", &n], 17)));
                group.state.rules.push(rule);
            }
            group.changed_at = Some(now);
        }
        Change::SetEbsEncryptionByDefault { enabled } => {
            region.posture.ebs_encryption_by_default = *enabled;
            region.posture.ebs_changed_at = Some(now);
        }
        Change::SetInstanceMetadataTokens { instance_id, http_tokens } => {
            let instance = region.instances.iter_mut().find(|i| i.id == *instance_id).ok_or_else(|| {
                CloudError::NotFound(format!(
                    "InvalidInstanceID.NotFound: The instance ID '{instance_id}' does not exist"
                ))
            })?;
            instance.imdsv2_required = match http_tokens.as_str() {
                "required" => true,
                "optional" => false,
                other => {
                    return Err(CloudError::Other(format!(
                        "InvalidParameterValue: Value ({other}) for parameter httpTokens is invalid. Valid values \
                         are optional, required"
                    )))
                }
            };
            instance.changed_at = Some(now);
        }
        other => return Err(CloudError::Unsupported(format!("{} is not an EC2 change", other.operation()))),
    }
    Ok(())
}

fn group_mut<'a>(region: &'a mut RegionState, group_id: &str) -> Result<&'a mut SimGroup, CloudError> {
    region.groups.iter_mut().find(|g| g.state.group_id == group_id).ok_or_else(|| {
        CloudError::NotFound(format!("InvalidGroup.NotFound: The security group '{group_id}' does not exist"))
    })
}

/// Revokes rules by id; one unknown id (or a rule of the other direction) revokes nothing, as in a non-default VPC.
fn revoke(group: &mut SimGroup, rule_ids: &[String], egress: bool) -> Result<(), CloudError> {
    let has = |id: &String| group.state.rules.iter().any(|r| r.rule_id.as_ref() == Some(id) && r.is_egress == egress);
    let unknown: Vec<&str> = rule_ids.iter().filter(|id| !has(id)).map(String::as_str).collect();
    if !unknown.is_empty() {
        return Err(CloudError::NotFound(format!(
            "InvalidPermission.NotFound: The specified rule does not exist in this security group ({}: {})",
            group.state.group_id,
            unknown.join(", ")
        )));
    }
    group.state.rules.retain(|r| !r.rule_id.as_ref().is_some_and(|id| rule_ids.contains(id)));
    Ok(())
}

/// A rule as EC2 stores it: direction from the call, protocol numbers named, ports of all-traffic rules `-1`, no id.
fn normalized(rule: &SecurityGroupRule, egress: bool) -> SecurityGroupRule {
    let protocol = match rule.protocol.as_str() {
        "6" => "tcp".to_string(),
        "17" => "udp".to_string(),
        "1" => "icmp".to_string(),
        "all" => "-1".to_string(),
        p => p.to_ascii_lowercase(),
    };
    let (from_port, to_port) = if protocol == "-1" { (-1, -1) } else { (rule.from_port, rule.to_port) };
    SecurityGroupRule { rule_id: None, protocol, from_port, to_port, is_egress: egress, ..rule.clone() }
}

/// What makes two rules the same rule (the description does not).
fn same(a: &SecurityGroupRule, b: &SecurityGroupRule) -> bool {
    (&a.protocol, a.from_port, a.to_port, &a.cidr_ipv4, &a.cidr_ipv6, &a.referenced_group, a.is_egress)
        == (&b.protocol, b.from_port, b.to_port, &b.cidr_ipv4, &b.cidr_ipv6, &b.referenced_group, b.is_egress)
}

/// The rules to add, checked as EC2 checks them (any problem adds nothing), without those the group holds already.
fn checked_rules(
    group: &SimGroup,
    rules: &[SecurityGroupRule],
    egress: bool,
    known_groups: &[String],
) -> Result<Vec<SecurityGroupRule>, CloudError> {
    let invalid = |why: String| CloudError::Other(format!("InvalidParameterValue: {why}"));
    let mut out: Vec<SecurityGroupRule> = Vec::new();
    for rule in rules {
        let r = normalized(rule, egress);
        let targets = [r.cidr_ipv4.is_some(), r.cidr_ipv6.is_some(), r.referenced_group.is_some()];
        if targets.iter().filter(|t| **t).count() != 1 {
            return Err(invalid("a rule needs exactly one of CidrIpv4, CidrIpv6 or a referenced group".into()));
        }
        let named = ["tcp", "udp", "icmp", "icmpv6", "-1"].contains(&r.protocol.as_str());
        if !named && r.protocol.parse::<u8>().is_err() {
            return Err(invalid(format!("Invalid value '{}' for IP protocol", r.protocol)));
        }
        let ports_apply = matches!(r.protocol.as_str(), "tcp" | "udp");
        if ports_apply && !(0 <= r.from_port && r.from_port <= r.to_port && r.to_port <= 65535) {
            return Err(invalid(format!("Invalid port range {}-{}", r.from_port, r.to_port)));
        }
        if let Some(other) = r.referenced_group.as_ref().filter(|g| !known_groups.contains(g)) {
            return Err(CloudError::NotFound(format!(
                "InvalidGroup.NotFound: The security group '{other}' does not exist"
            )));
        }
        // EC2 refuses a rule that exists already (InvalidPermission.Duplicate); the port counts it as added, as the
        // AWS adapter does, so a rollback that runs a second time succeeds.
        if !group.state.rules.iter().chain(out.iter()).any(|existing| same(existing, &r)) {
            out.push(r);
        }
    }
    Ok(out)
}
