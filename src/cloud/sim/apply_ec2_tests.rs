//! EC2 changes through `Resources::apply`, the refresh that follows a fix, and faults on mutating calls.

use super::apply_tests::{apply, changed_since, finding, listed, org, read, PROD, STAGING};
use super::tests::{fetch_all, source};
use super::*;
use crate::model::{ComplianceStatus, WorkflowStatus};
use crate::playbook::{InstanceState, SecurityGroupRule, SecurityGroupState};

const EU: &str = "eu-west-1";

fn group_id(org: &SimOrg, src: &SourceId, name: &str) -> String {
    let state = org.lock();
    let group = state.sources[src].groups.iter().find(|g| g.state.group_name == name).expect("group");
    group.state.group_id.clone()
}

fn group(org: &SimOrg, account: &str, id: &str) -> SecurityGroupState {
    match read(org, account, EU, "AwsEc2SecurityGroup", id) {
        ResourceState::SecurityGroup(g) => g,
        other => panic!("not a group: {other:?}"),
    }
}

fn world_rule(port: i32) -> SecurityGroupRule {
    SecurityGroupRule {
        rule_id: None,
        protocol: "tcp".into(),
        from_port: port,
        to_port: port,
        cidr_ipv4: Some("0.0.0.0/0".into()),
        cidr_ipv6: None,
        referenced_group: None,
        description: Some("restored".into()),
        is_egress: false,
    }
}

/// The id of the group's world-open ingress rule on `port`.
fn world_rule_id(g: &SecurityGroupState, port: i32) -> String {
    let rule = g.rules.iter().find(|r| !r.is_egress && r.is_open_to_world() && r.from_port == port).expect("rule");
    rule.rule_id.clone().expect("id")
}

#[test]
fn revoking_ssh_by_rule_id_keeps_https_and_closes_the_ssh_findings() {
    let org = org();
    let src = source(PROD, EU);
    let id = group_id(&org, &src, "bastion");
    apply(&org, PROD, EU, Change::AuthorizeIngress { group_id: id.clone(), rules: vec![world_rule(443)] })
        .expect("open 443");
    let before = group(&org, PROD, &id);
    let ssh = world_rule_id(&before, 22);
    let https = world_rule_id(&before, 443);
    assert!(https.starts_with("sgr-") && https.len() == 21, "{https}");
    assert!(listed(&org, &src, "EC2.13", &id));
    let since = org.now();

    apply(&org, PROD, EU, Change::RevokeIngress { group_id: id.clone(), rule_ids: vec![ssh.clone()] }).expect("revoke");
    let after = group(&org, PROD, &id);
    let expected: Vec<_> = before.rules.iter().filter(|r| r.rule_id.as_deref() != Some(ssh.as_str())).collect();
    assert_eq!(after.rules.iter().collect::<Vec<_>>(), expected, "only the SSH rule went");
    assert_eq!(world_rule_id(&after, 443), https, "HTTPS kept, same id");
    assert!(after.rules.iter().any(|r| r.from_port == 22 && r.cidr_ipv4.as_deref() == Some("203.0.113.0/24")));

    // The refresh after the fix brings the SSH findings back PASSED and RESOLVED under their ids.
    let refreshed = changed_since(&org, &src, since);
    for control in ["EC2.13", "EC2.53"] {
        let f = refreshed.iter().find(|f| f.control_id.as_deref() == Some(control)).expect(control);
        assert_eq!(f.id, finding(&org, &src, control, &id).id);
        assert_eq!(f.compliance_status, Some(ComplianceStatus::Passed));
        assert_eq!(f.workflow_status, WorkflowStatus::Resolved);
        assert!(f.updated_at >= Some(since) && !f.is_open());
    }
    assert!(refreshed.iter().all(|f| f.resources[0].short_id() == id), "only the group's findings moved");
    assert!(!listed(&org, &src, "EC2.13", &id));
}

#[test]
fn revoke_with_an_unknown_rule_id_revokes_nothing() {
    let org = org();
    let src = source(PROD, EU);
    let id = group_id(&org, &src, "bastion");
    let before = group(&org, PROD, &id);
    let ssh = world_rule_id(&before, 22);
    let revoke =
        Change::RevokeIngress { group_id: id.clone(), rule_ids: vec![ssh.clone(), "sgr-0000000000000000".into()] };
    let err = apply(&org, PROD, EU, revoke).expect_err("unknown rule");
    assert!(matches!(&err, CloudError::NotFound(e) if e.contains("InvalidPermission.NotFound")), "{err}");
    assert_eq!(group(&org, PROD, &id), before, "nothing revoked");
    let egress = before.rules.iter().find(|r| r.is_egress).and_then(|r| r.rule_id.clone()).expect("egress");
    let wrong_direction = Change::RevokeIngress { group_id: id.clone(), rule_ids: vec![egress] };
    assert!(matches!(apply(&org, PROD, EU, wrong_direction), Err(CloudError::NotFound(_))));
    let no_group = Change::RevokeIngress { group_id: "sg-00000000000000000".into(), rule_ids: vec![ssh] };
    assert!(matches!(apply(&org, PROD, EU, no_group), Err(CloudError::NotFound(e)) if e.contains("InvalidGroup")));
    assert_eq!(group(&org, PROD, &id), before);
    assert!(listed(&org, &src, "EC2.13", &id), "still open");
}

#[test]
fn authorize_restores_a_revoked_rule_with_a_new_id_and_runs_again_harmlessly() {
    let org = org();
    let src = source(PROD, EU);
    let id = group_id(&org, &src, "bastion");
    let before = group(&org, PROD, &id);
    let ssh = world_rule_id(&before, 22);
    apply(&org, PROD, EU, Change::RevokeIngress { group_id: id.clone(), rule_ids: vec![ssh.clone()] }).expect("revoke");
    let restore = || Change::AuthorizeIngress { group_id: id.clone(), rules: vec![world_rule(22)] };
    apply(&org, PROD, EU, restore()).expect("restore");
    let restored = group(&org, PROD, &id);
    let new_id = world_rule_id(&restored, 22);
    assert_ne!(new_id, ssh, "a restored rule gets a new id");
    let strip = |g: &SecurityGroupState| {
        let mut g = ResourceState::SecurityGroup(g.clone()).effective();
        if let ResourceState::SecurityGroup(g) = &mut g {
            g.rules.iter_mut().for_each(|r| r.description = None);
        }
        g
    };
    assert_eq!(strip(&restored), strip(&before), "the same rules again");
    assert!(listed(&org, &src, "EC2.13", &id), "the rollback reopens the finding");

    // Running the rollback again succeeds and adds nothing: the rule exists already (as the AWS adapter treats
    // EC2's InvalidPermission.Duplicate).
    apply(&org, PROD, EU, restore()).expect("the rule exists already");
    assert_eq!(group(&org, PROD, &id), restored, "nothing added");
    let mut bad = world_rule(22);
    bad.cidr_ipv6 = Some("::/0".into());
    let both = Change::AuthorizeIngress { group_id: id.clone(), rules: vec![world_rule(8443), bad] };
    assert!(matches!(apply(&org, PROD, EU, both), Err(CloudError::Other(e)) if e.contains("InvalidParameterValue")));
    assert_eq!(group(&org, PROD, &id), restored, "one bad rule adds none");
}

#[test]
fn emptying_the_default_group_passes_ec2_2() {
    let org = org();
    let src = source(STAGING, EU);
    let id = group_id(&org, &src, "default");
    let g = group(&org, STAGING, &id);
    let ids = |egress: bool| -> Vec<String> {
        g.rules.iter().filter(|r| r.is_egress == egress).filter_map(|r| r.rule_id.clone()).collect()
    };
    assert!(listed(&org, &src, "EC2.2", &id));
    apply(&org, STAGING, EU, Change::RevokeIngress { group_id: id.clone(), rule_ids: ids(false) }).expect("ingress");
    assert!(group(&org, STAGING, &id).rules.iter().all(|r| r.is_egress), "egress kept");
    assert!(listed(&org, &src, "EC2.2", &id), "egress still allowed");
    apply(&org, STAGING, EU, Change::RevokeEgress { group_id: id.clone(), rule_ids: ids(true) }).expect("egress");
    assert!(group(&org, STAGING, &id).rules.is_empty());
    assert!(!listed(&org, &src, "EC2.2", &id));

    let mut all_out = world_rule(0);
    (all_out.protocol, all_out.from_port, all_out.to_port) = ("-1".into(), -1, -1);
    apply(&org, STAGING, EU, Change::AuthorizeEgress { group_id: id.clone(), rules: vec![all_out] }).expect("restore");
    let restored = group(&org, STAGING, &id);
    assert!(restored.rules.len() == 1 && restored.rules[0].is_egress, "{restored:?}");
}

#[test]
fn ebs_encryption_by_default_is_per_region() {
    let org = org();
    let account_ref = format!("AWS::::Account:{STAGING}");
    let ebs = |region: &str| match read(&org, STAGING, region, "AwsAccount", &account_ref) {
        ResourceState::Account(a) => a.ebs_encryption_by_default,
        other => panic!("{other:?}"),
    };
    assert_eq!((ebs(EU), ebs("us-east-1")), (Some(false), Some(false)));
    apply(&org, STAGING, EU, Change::SetEbsEncryptionByDefault { enabled: true }).expect("enable");
    assert_eq!((ebs(EU), ebs("us-east-1")), (Some(true), Some(false)));
    assert!(!listed(&org, &source(STAGING, EU), "EC2.7", &account_ref));
    assert!(listed(&org, &source(STAGING, "us-east-1"), "EC2.7", &account_ref));
    apply(&org, STAGING, EU, Change::SetEbsEncryptionByDefault { enabled: false }).expect("disable");
    assert_eq!(ebs(EU), Some(false));
    assert_eq!(org.call_count("EnableEbsEncryptionByDefault"), 1);
    assert_eq!(org.call_count("DisableEbsEncryptionByDefault"), 1);
}

#[test]
fn instance_metadata_tokens_turn_imdsv2_on_and_off() {
    let org = org();
    let src = source(PROD, EU);
    let id = {
        let state = org.lock();
        let i = state.sources[&src].instances.iter().find(|i| i.tags.get("Name").is_some_and(|n| n == "bastion-1"));
        i.expect("bastion-1").id.clone()
    };
    let arn = format!("arn:aws:ec2:eu-west-1:{PROD}:instance/{id}");
    let instance = |org: &SimOrg| match read(org, PROD, EU, "AwsEc2Instance", &arn) {
        ResourceState::Instance(i) => i,
        other => panic!("{other:?}"),
    };
    let InstanceState { http_tokens, http_endpoint, tags, .. } = instance(&org);
    assert_eq!((http_tokens.as_deref(), http_endpoint.as_deref()), (Some("optional"), Some("enabled")));
    assert_eq!(tags.get("Name").map(String::as_str), Some("bastion-1"));
    assert!(listed(&org, &src, "EC2.8", &id));

    let set = |tokens: &str| Change::SetInstanceMetadataTokens { instance_id: id.clone(), http_tokens: tokens.into() };
    apply(&org, PROD, EU, set("required")).expect("required");
    assert_eq!(instance(&org).http_tokens.as_deref(), Some("required"));
    assert!(!listed(&org, &src, "EC2.8", &id));
    assert!(apply(&org, PROD, EU, set("mandatory")).is_err());
    assert_eq!(instance(&org).http_tokens.as_deref(), Some("required"), "refused: unchanged");
    let missing = Change::SetInstanceMetadataTokens { instance_id: "i-0".into(), http_tokens: "required".into() };
    assert!(matches!(apply(&org, PROD, EU, missing), Err(CloudError::NotFound(_))));
    assert!(matches!(block_on_read_elsewhere(&org, &arn), Err(CloudError::NotFound(_))), "in its own account only");
    apply(&org, PROD, EU, set("optional")).expect("optional");
    assert!(listed(&org, &src, "EC2.8", &id));
}

fn block_on_read_elsewhere(org: &SimOrg, arn: &str) -> Result<ResourceState, CloudError> {
    futures::executor::block_on(org.read_state(STAGING, EU, &super::apply_tests::reference("AwsEc2Instance", arn)))
}

#[test]
fn denied_writes_fail_while_reads_work_and_other_sources_still_change() {
    let org = org();
    let src = source(STAGING, EU);
    let other = source(STAGING, "us-east-1");
    let enable = || Change::SetEbsEncryptionByDefault { enabled: true };
    org.set_fault(&src, Some(SimFault::DenyWrites));
    let err = apply(&org, STAGING, EU, enable()).expect_err("denied");
    assert!(matches!(&err, CloudError::AccessDenied(e) if e.contains("ec2:EnableEbsEncryptionByDefault")), "{err}");
    let account_ref = format!("AWS::::Account:{STAGING}");
    assert!(matches!(read(&org, STAGING, EU, "AwsAccount", &account_ref), ResourceState::Account(a)
        if a.ebs_encryption_by_default == Some(false)));
    assert!(!fetch_all(&org, &src).expect("GetFindings works").is_empty());
    apply(&org, STAGING, "us-east-1", enable()).expect("another region is not denied");
    assert!(!listed(&org, &other, "EC2.7", &account_ref));

    org.set_fault(&src, Some(SimFault::AccessDenied));
    assert!(matches!(apply(&org, STAGING, EU, enable()), Err(CloudError::AccessDenied(_))));
    org.set_fault(&src, Some(SimFault::NotEnabled));
    apply(&org, STAGING, EU, enable()).expect("Security Hub being off does not stop EC2");
    let mutations = org.mutations();
    assert_eq!(mutations.len(), 4, "{mutations:?}");
    assert_eq!(mutations.iter().filter(|m| m.contains(" -> failed: access denied")).count(), 2, "{mutations:?}");
    assert_eq!(org.call_count("Apply"), 4);
}
