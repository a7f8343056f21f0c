//! EC2.13 / EC2.14 / EC2.18 / EC2.19 / EC2.53 / EC2.54: revoke only the ingress rules open to the world on the
//! ports the control concerns. Every other rule stays.

use super::change::Change;
use super::common::{group, ip_permission_json};
use super::plan::{fingerprint, shell_word, Basis, Plan, PlanError, PlanOutcome, Step};
use super::state::{ResourceState, SecurityGroupRule};
use super::{About, Playbook, Risk};

/// Ports EC2.19 calls high-risk.
pub const HIGH_RISK_PORTS: [i32; 24] = [
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088,
    8888, 9200, 9300,
];

/// Which world-open sources a control looks at.
#[derive(Clone, Copy, PartialEq)]
enum Family {
    Both,
    V4,
    V6,
}

/// Revokes world-open ingress rules on the ports a control concerns.
pub struct OpenPorts {
    authorized_public_ports: Vec<i32>,
}

impl OpenPorts {
    /// `authorized_public_ports` are the ports EC2.18 allows open to the world.
    pub fn new(authorized_public_ports: Vec<i32>) -> Self {
        Self { authorized_public_ports }
    }

    /// Whether an ingress rule breaks the control.
    fn offends(&self, control_id: &str, rule: &SecurityGroupRule) -> bool {
        if rule.is_egress {
            return false;
        }
        let family = match control_id {
            "EC2.53" => Family::V4,
            "EC2.54" => Family::V6,
            _ => Family::Both,
        };
        let open = match family {
            Family::Both => rule.is_open_to_world(),
            Family::V4 => rule.cidr_ipv4.as_deref() == Some("0.0.0.0/0"),
            Family::V6 => rule.cidr_ipv6.as_deref() == Some("::/0"),
        };
        if !open {
            return false;
        }
        let ports: &[i32] = match control_id {
            "EC2.13" => &[22],
            "EC2.14" => &[3389],
            "EC2.53" | "EC2.54" => &[22, 3389],
            "EC2.19" => &HIGH_RISK_PORTS,
            "EC2.18" => return !self.only_authorized_ports(rule),
            _ => return false,
        };
        ports.iter().any(|p| rule.covers_port(*p))
    }

    fn only_authorized_ports(&self, rule: &SecurityGroupRule) -> bool {
        matches!(rule.protocol.as_str(), "tcp" | "udp" | "6" | "17")
            && (rule.from_port..=rule.to_port).all(|p| self.authorized_public_ports.contains(&p))
    }
}

impl Playbook for OpenPorts {
    fn name(&self) -> &'static str {
        "sg-revoke-world-open-ingress"
    }

    fn controls(&self) -> &'static [&'static str] {
        &["EC2.13", "EC2.14", "EC2.18", "EC2.19", "EC2.53", "EC2.54"]
    }

    fn about(&self) -> About {
        About {
            change: "revoke ingress rules open to 0.0.0.0/0 or ::/0 on the flagged ports (authorized ports kept)",
            rollback: "authorize the revoked rules again",
            risk: Risk::AlwaysSafe,
        }
    }

    fn resource_type(&self) -> &'static str {
        "AwsEc2SecurityGroup"
    }

    fn plan(&self, control_id: &str, state: &ResourceState, basis: Basis) -> Result<PlanOutcome, PlanError> {
        let g = group(state, self.name())?;
        let offending: Vec<&SecurityGroupRule> = g.rules.iter().filter(|r| self.offends(control_id, r)).collect();
        if offending.is_empty() {
            return Ok(PlanOutcome::AlreadyCompliant(format!(
                "security group {} has no ingress rule open to the world that {control_id} concerns",
                g.group_id
            )));
        }
        let group_id = shell_word(&g.group_id);
        let region = shell_word(&g.region);
        let mut steps = Vec::new();
        let mut cli = Vec::new();
        let mut rollback_cli = Vec::new();
        let mut warnings = Vec::new();
        for rule in &offending {
            steps.push(Step {
                action: format!("RevokeSecurityGroupIngress on {}", g.group_id),
                before: format!("ingress {}", rule.describe()),
                after: "rule removed".into(),
            });
            match &rule.rule_id {
                Some(id) => cli.push(format!(
                    "aws ec2 revoke-security-group-ingress --group-id {group_id} --security-group-rule-ids {} --region {region}",
                    shell_word(id)
                )),
                None => cli.push(format!(
                    "aws ec2 revoke-security-group-ingress --group-id {group_id} --ip-permissions {} --region {region}",
                    shell_word(&ip_permission_json(rule))
                )),
            }
            rollback_cli.push(format!(
                "aws ec2 authorize-security-group-ingress --group-id {group_id} --ip-permissions {} --region {region}",
                shell_word(&ip_permission_json(rule))
            ));
            if rule.protocol == "-1" || rule.to_port - rule.from_port > 0 {
                warnings.push(format!(
                    "rule {} spans more than the concerned ports; revoking it closes the whole range",
                    rule.describe()
                ));
            }
        }
        let rule_ids: Vec<String> = offending.iter().filter_map(|r| r.rule_id.clone()).collect();
        if rule_ids.len() < offending.len() {
            warnings.push(
                "the finding records no rule ids: apply re-reads the live group and revokes its rules by id".into(),
            );
        }
        let changes = if rule_ids.is_empty() {
            Vec::new()
        } else {
            vec![Change::RevokeIngress { group_id: g.group_id.clone(), rule_ids }]
        };
        let kept = g.rules.iter().filter(|r| !r.is_egress).count() - offending.len();
        let mut sorted: Vec<&SecurityGroupRule> = g.rules.iter().collect();
        sorted.sort();
        let rules_text: Vec<String> = sorted.iter().map(|r| format!("{}|{}", r.is_egress, r.describe())).collect();
        let mut parts: Vec<&str> = vec![self.name(), control_id, &g.account_id, &g.group_id];
        parts.extend(rules_text.iter().map(String::as_str));
        Ok(PlanOutcome::Change(Plan {
            playbook: self.name(),
            summary: format!(
                "Revoke {} world-open ingress rule(s) on {} ({}) for {control_id}; {kept} other ingress rule(s) untouched",
                offending.len(),
                g.group_id,
                g.group_name
            ),
            steps,
            cli,
            rollback_cli,
            fingerprint: fingerprint(&parts),
            basis,
            changes,
            rollback: vec![Change::AuthorizeIngress {
                group_id: g.group_id.clone(),
                rules: offending.iter().map(|r| SecurityGroupRule { rule_id: None, ..(*r).clone() }).collect(),
            }],
            warnings,
        }))
    }

    fn verify(&self, control_id: &str, state: &ResourceState) -> bool {
        matches!(state, ResourceState::SecurityGroup(g) if !g.rules.iter().any(|r| self.offends(control_id, r)))
    }

    fn iam_actions(&self) -> &'static [&'static str] {
        &[
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSecurityGroupRules",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:AuthorizeSecurityGroupIngress",
        ]
    }
}

#[cfg(test)]
#[path = "sg_open_ports_tests.rs"]
mod tests;
