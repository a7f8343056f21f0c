//! EC2.2: a VPC's default security group allows no traffic. Every ingress and egress rule is revoked by rule id; the
//! group itself stays (it cannot be deleted).

use super::change::Change;
use super::common::{group, ip_permission_json};
use super::plan::{fingerprint, shell_word, Basis, Plan, PlanError, PlanOutcome, Step};
use super::state::{ResourceState, SecurityGroupRule};
use super::{About, Playbook, Risk};

/// Empties the default security group.
pub struct DefaultSecurityGroup;

fn direction(egress: bool) -> &'static str {
    if egress {
        "egress"
    } else {
        "ingress"
    }
}

impl Playbook for DefaultSecurityGroup {
    fn name(&self) -> &'static str {
        "sg-empty-default-group"
    }

    fn controls(&self) -> &'static [&'static str] {
        &["EC2.2"]
    }

    fn about(&self) -> About {
        About {
            change: "revoke every rule of a VPC's default security group",
            rollback: "authorize the revoked rules again",
            risk: Risk::AlwaysSafe,
        }
    }

    fn resource_type(&self) -> &'static str {
        "AwsEc2SecurityGroup"
    }

    fn plan(&self, _control_id: &str, state: &ResourceState, basis: Basis) -> Result<PlanOutcome, PlanError> {
        let g = group(state, self.name())?;
        if g.group_name != "default" {
            return Err(PlanError::Unsafe(format!(
                "security group {} is named {:?}, not \"default\": EC2.2 only empties a VPC's default group",
                g.group_id, g.group_name
            )));
        }
        if g.rules.is_empty() {
            return Ok(PlanOutcome::AlreadyCompliant(format!("default security group {} has no rules", g.group_id)));
        }
        let group_id = shell_word(&g.group_id);
        let region = shell_word(&g.region);
        let (mut steps, mut cli, mut rollback_cli) = (Vec::new(), Vec::new(), Vec::new());
        let (mut changes, mut rollback) = (Vec::new(), Vec::new());
        for egress in [false, true] {
            let these: Vec<&SecurityGroupRule> = g.rules.iter().filter(|r| r.is_egress == egress).collect();
            if these.is_empty() {
                continue;
            }
            let way = direction(egress);
            let ids: Vec<String> = these.iter().filter_map(|r| r.rule_id.clone()).collect();
            if !ids.is_empty() {
                let words: Vec<String> = ids.iter().map(|id| shell_word(id)).collect();
                cli.push(format!(
                    "aws ec2 revoke-security-group-{way} --group-id {group_id} --security-group-rule-ids {} --region {region}",
                    words.join(" ")
                ));
                changes.push(if egress {
                    Change::RevokeEgress { group_id: g.group_id.clone(), rule_ids: ids }
                } else {
                    Change::RevokeIngress { group_id: g.group_id.clone(), rule_ids: ids }
                });
            }
            for rule in &these {
                steps.push(Step {
                    action: format!(
                        "RevokeSecurityGroup{} on {}",
                        if egress { "Egress" } else { "Ingress" },
                        g.group_id
                    ),
                    before: format!("{way} {}", rule.describe()),
                    after: "rule removed".into(),
                });
                let permission = shell_word(&ip_permission_json(rule));
                if rule.rule_id.is_none() {
                    cli.push(format!(
                        "aws ec2 revoke-security-group-{way} --group-id {group_id} --ip-permissions {permission} --region {region}"
                    ));
                }
                rollback_cli.push(format!(
                    "aws ec2 authorize-security-group-{way} --group-id {group_id} --ip-permissions {permission} --region {region}"
                ));
            }
            let restored = these.iter().map(|r| SecurityGroupRule { rule_id: None, ..(*r).clone() }).collect();
            rollback.push(if egress {
                Change::AuthorizeEgress { group_id: g.group_id.clone(), rules: restored }
            } else {
                Change::AuthorizeIngress { group_id: g.group_id.clone(), rules: restored }
            });
        }
        let mut warnings = vec![format!(
            "instances and network interfaces still using {} lose the traffic these rules allowed (check with: aws ec2 describe-network-interfaces --filters Name=group-id,Values={group_id} --region {region})",
            g.group_id
        )];
        if g.rules.iter().any(|r| r.rule_id.is_none()) {
            warnings.push(
                "the finding records no rule ids: apply re-reads the live group and revokes its rules by id".into(),
            );
        }
        let mut sorted = g.rules.clone();
        sorted.sort();
        let rules_text: Vec<String> = sorted.iter().map(|r| format!("{}|{}", r.is_egress, r.describe())).collect();
        let mut parts: Vec<&str> = vec![self.name(), &g.account_id, &g.group_id, &g.group_name];
        parts.extend(rules_text.iter().map(String::as_str));
        let ingress = g.rules.iter().filter(|r| !r.is_egress).count();
        Ok(PlanOutcome::Change(Plan {
            playbook: self.name(),
            summary: format!(
                "Revoke all {ingress} ingress and {} egress rule(s) of default security group {}",
                g.rules.len() - ingress,
                g.group_id
            ),
            steps,
            cli,
            rollback_cli,
            fingerprint: fingerprint(&parts),
            basis,
            changes,
            rollback,
            warnings,
        }))
    }

    fn verify(&self, _control_id: &str, state: &ResourceState) -> bool {
        matches!(state, ResourceState::SecurityGroup(g) if g.rules.is_empty())
    }

    fn iam_actions(&self) -> &'static [&'static str] {
        &[
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSecurityGroupRules",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupEgress",
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:AuthorizeSecurityGroupEgress",
        ]
    }
}

#[cfg(test)]
#[path = "default_sg_tests.rs"]
mod tests;
