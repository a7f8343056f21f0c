use super::*;
use crate::playbook::state::SecurityGroupState;
use std::collections::BTreeMap;

fn self_rule(id: Option<&str>) -> SecurityGroupRule {
    SecurityGroupRule {
        rule_id: id.map(String::from),
        protocol: "-1".into(),
        from_port: -1,
        to_port: -1,
        cidr_ipv4: None,
        cidr_ipv6: None,
        referenced_group: Some("sg-def".into()),
        description: None,
        is_egress: false,
    }
}

fn egress_rule(id: Option<&str>) -> SecurityGroupRule {
    SecurityGroupRule { cidr_ipv4: Some("0.0.0.0/0".into()), referenced_group: None, is_egress: true, ..self_rule(id) }
}

fn group(name: &str, rules: Vec<SecurityGroupRule>) -> ResourceState {
    ResourceState::SecurityGroup(SecurityGroupState {
        group_id: "sg-def".into(),
        group_name: name.into(),
        vpc_id: Some("vpc-1".into()),
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        rules,
        tags: BTreeMap::new(),
    })
}

fn change(state: &ResourceState) -> Plan {
    match DefaultSecurityGroup.plan("EC2.2", state, Basis::Live) {
        Ok(PlanOutcome::Change(p)) => p,
        other => panic!("expected a change, got {other:?}"),
    }
}

#[test]
fn revokes_every_ingress_and_egress_rule_by_id_and_restores_them_without_ids() {
    let p = change(&group("default", vec![egress_rule(Some("sgr-out")), self_rule(Some("sgr-self"))]));
    assert_eq!(p.steps.len(), 2);
    assert_eq!(p.steps[0].action, "RevokeSecurityGroupIngress on sg-def");
    assert_eq!(p.steps[0].before, "ingress all traffic from sg-def [sgr-self]");
    assert_eq!(p.steps[1].before, "egress all traffic from 0.0.0.0/0 [sgr-out]");
    assert_eq!(p.steps[1].after, "rule removed");
    assert_eq!(
        p.cli,
        [
            "aws ec2 revoke-security-group-ingress --group-id sg-def --security-group-rule-ids sgr-self --region eu-west-1",
            "aws ec2 revoke-security-group-egress --group-id sg-def --security-group-rule-ids sgr-out --region eu-west-1",
        ]
    );
    assert_eq!(
        p.rollback_cli,
        [
            r#"aws ec2 authorize-security-group-ingress --group-id sg-def --ip-permissions '[{"IpProtocol":"-1","UserIdGroupPairs":[{"GroupId":"sg-def"}]}]' --region eu-west-1"#,
            r#"aws ec2 authorize-security-group-egress --group-id sg-def --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]' --region eu-west-1"#,
        ]
    );
    assert_eq!(
        p.changes,
        [
            Change::RevokeIngress { group_id: "sg-def".into(), rule_ids: vec!["sgr-self".into()] },
            Change::RevokeEgress { group_id: "sg-def".into(), rule_ids: vec!["sgr-out".into()] },
        ]
    );
    assert_eq!(
        p.rollback,
        [
            Change::AuthorizeIngress { group_id: "sg-def".into(), rules: vec![self_rule(None)] },
            Change::AuthorizeEgress { group_id: "sg-def".into(), rules: vec![egress_rule(None)] },
        ]
    );
    assert!(p.warnings.iter().any(|w| w.contains("lose the traffic")), "{:?}", p.warnings);
    assert_eq!(p.summary, "Revoke all 1 ingress and 1 egress rule(s) of default security group sg-def");
}

#[test]
fn snapshot_rules_without_ids_still_show_steps_and_warn() {
    let p = change(&group("default", vec![self_rule(None)]));
    assert_eq!(p.steps.len(), 1);
    assert!(p.changes.is_empty(), "no rule ids to revoke by: {:?}", p.changes);
    assert!(p.cli[0].contains("--ip-permissions '[{"), "{}", p.cli[0]);
    assert!(p.warnings.iter().any(|w| w.contains("re-reads the live group")), "{:?}", p.warnings);
    assert_eq!(p.rollback.len(), 1);
}

#[test]
fn only_the_default_group_is_emptied() {
    match DefaultSecurityGroup.plan("EC2.2", &group("web", vec![self_rule(Some("sgr-1"))]), Basis::Live) {
        Err(PlanError::Unsafe(m)) => assert!(m.contains(r#"named "web""#), "{m}"),
        other => panic!("expected Unsafe, got {other:?}"),
    }
}

#[test]
fn empty_default_group_is_compliant_and_verify() {
    let empty = group("default", vec![]);
    assert!(matches!(DefaultSecurityGroup.plan("EC2.2", &empty, Basis::Live), Ok(PlanOutcome::AlreadyCompliant(_))));
    assert!(DefaultSecurityGroup.verify("EC2.2", &empty));
    assert!(!DefaultSecurityGroup.verify("EC2.2", &group("default", vec![egress_rule(Some("sgr-out"))])));
}

#[test]
fn other_resources_are_refused() {
    let instance = ResourceState::Instance(crate::playbook::InstanceState {
        instance_id: "i-1".into(),
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        http_tokens: None,
        http_endpoint: None,
        tags: BTreeMap::new(),
    });
    assert!(matches!(
        DefaultSecurityGroup.plan("EC2.2", &instance, Basis::Live),
        Err(PlanError::WrongResource { wanted: "security group", found: "EC2 instance", .. })
    ));
    assert!(!DefaultSecurityGroup.verify("EC2.2", &instance));
}
