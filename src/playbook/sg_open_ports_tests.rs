use super::*;
use crate::playbook::state::SecurityGroupState;
use std::collections::BTreeMap;

fn rule(id: &str, protocol: &str, from: i32, to: i32, v4: Option<&str>, v6: Option<&str>) -> SecurityGroupRule {
    SecurityGroupRule {
        rule_id: Some(id.into()),
        protocol: protocol.into(),
        from_port: from,
        to_port: to,
        cidr_ipv4: v4.map(String::from),
        cidr_ipv6: v6.map(String::from),
        referenced_group: None,
        description: None,
        is_egress: false,
    }
}

fn group(rules: Vec<SecurityGroupRule>) -> ResourceState {
    ResourceState::SecurityGroup(SecurityGroupState {
        group_id: "sg-0abc".into(),
        group_name: "bastion".into(),
        vpc_id: Some("vpc-1".into()),
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        rules,
        tags: BTreeMap::new(),
    })
}

fn plan(control: &str, state: &ResourceState) -> Plan {
    match OpenPorts::new(vec![80, 443]).plan(control, state, Basis::Live) {
        Ok(PlanOutcome::Change(p)) => p,
        other => panic!("expected a change, got {other:?}"),
    }
}

#[test]
fn ec2_13_revokes_only_world_open_ssh_by_rule_id() {
    let state = group(vec![
        rule("sgr-ssh", "tcp", 22, 22, Some("0.0.0.0/0"), None),
        rule("sgr-ssh-office", "tcp", 22, 22, Some("203.0.113.0/24"), None),
        rule("sgr-https", "tcp", 443, 443, Some("0.0.0.0/0"), None),
        rule("sgr-rdp", "tcp", 3389, 3389, Some("0.0.0.0/0"), None),
    ]);
    let p = plan("EC2.13", &state);
    assert_eq!(p.steps.len(), 1);
    assert_eq!(p.steps[0].before, "ingress tcp 22 from 0.0.0.0/0 [sgr-ssh]");
    assert_eq!(
        p.cli,
        ["aws ec2 revoke-security-group-ingress --group-id sg-0abc --security-group-rule-ids sgr-ssh --region eu-west-1"]
    );
    assert!(
        p.rollback_cli[0]
            .contains(r#"'[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'"#),
        "{}",
        p.rollback_cli[0]
    );
    assert!(p.summary.contains("3 other ingress rule(s) untouched"), "{}", p.summary);
}

#[test]
fn ec2_14_and_ipv6_and_all_traffic() {
    let state = group(vec![
        rule("sgr-rdp6", "tcp", 3389, 3389, None, Some("::/0")),
        rule("sgr-all", "-1", -1, -1, Some("0.0.0.0/0"), None),
    ]);
    let p = plan("EC2.14", &state);
    assert_eq!(p.steps.len(), 2);
    assert!(p.warnings.iter().any(|w| w.contains("all traffic")), "{:?}", p.warnings);
    let v6_only = plan("EC2.54", &state);
    assert_eq!(v6_only.steps.len(), 1);
    assert!(v6_only.steps[0].before.contains("::/0"));
}

#[test]
fn ec2_19_covers_ranges_that_include_high_risk_ports() {
    let state = group(vec![
        rule("sgr-db-range", "tcp", 3300, 3310, Some("0.0.0.0/0"), None),
        rule("sgr-custom", "tcp", 7000, 7001, Some("0.0.0.0/0"), None),
    ]);
    let p = plan("EC2.19", &state);
    assert_eq!(p.steps.len(), 1);
    assert!(p.steps[0].before.contains("3300-3310"));
}

#[test]
fn ec2_18_allows_authorized_ports_only() {
    let state = group(vec![
        rule("sgr-https", "tcp", 443, 443, Some("0.0.0.0/0"), None),
        rule("sgr-custom", "tcp", 7000, 7000, Some("0.0.0.0/0"), None),
    ]);
    let p = plan("EC2.18", &state);
    assert_eq!(p.steps.len(), 1);
    assert!(p.steps[0].before.contains("7000"));
}

#[test]
fn snapshot_rules_without_ids_are_revoked_by_properties() {
    let mut r = rule("x", "tcp", 22, 22, Some("0.0.0.0/0"), None);
    r.rule_id = None;
    r.description = Some("it's open".into());
    let p = plan("EC2.13", &group(vec![r]));
    assert!(p.cli[0].contains("--ip-permissions '[{"), "{}", p.cli[0]);
    assert!(p.cli[0].contains(r"it'\''s open"), "quotes escaped for the shell: {}", p.cli[0]);
}

#[test]
fn compliant_group_and_verify() {
    let ok = group(vec![rule("sgr-ssh-office", "tcp", 22, 22, Some("10.0.0.0/8"), None)]);
    assert!(matches!(OpenPorts::new(vec![]).plan("EC2.13", &ok, Basis::Live), Ok(PlanOutcome::AlreadyCompliant(_))));
    let pb = OpenPorts::new(vec![]);
    assert!(pb.verify("EC2.13", &ok));
    assert!(!pb.verify("EC2.13", &group(vec![rule("a", "tcp", 0, 65535, Some("0.0.0.0/0"), None)])));
}

#[test]
fn egress_rules_are_never_touched() {
    let mut egress = rule("sgr-out", "-1", -1, -1, Some("0.0.0.0/0"), None);
    egress.is_egress = true;
    assert!(matches!(
        OpenPorts::new(vec![]).plan("EC2.19", &group(vec![egress]), Basis::Live),
        Ok(PlanOutcome::AlreadyCompliant(_))
    ));
}
