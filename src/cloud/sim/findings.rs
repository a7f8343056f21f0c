//! Security Hub control findings derived from the current state: every control is evaluated for every resource it
//! applies to, PASSED or FAILED, so a remediated resource's finding turns PASSED under the same id.

use super::controls::lookup;
use super::envelope::{control_finding, Check};
use super::org::{RegionState, SimGroup};
use super::s3::policy_access;
use super::shapes;
use crate::playbook::sg_open_ports::HIGH_RISK_PORTS;
use crate::playbook::{BucketPublicAccessBlock, PublicAccessBlock, SecurityGroupRule};
use serde_json::Value;

/// Ports EC2.18 allows open to the world (the control's default `authorizedTcpPorts`).
const AUTHORIZED_TCP_PORTS: [i32; 2] = [80, 443];

/// Every control evaluation of one account and region, as ASFF JSON.
pub(super) fn control_findings(state: &RegionState) -> Vec<Value> {
    let mut out = Vec::new();
    account_controls(state, &mut out);
    bucket_controls(state, &mut out);
    group_controls(state, &mut out);
    instance_controls(state, &mut out);
    inventory_controls(state, &mut out);
    out
}

/// Appends one evaluation of a known control.
struct Emit<'a> {
    state: &'a RegionState,
    out: &'a mut Vec<Value>,
}

impl Emit<'_> {
    fn check(
        &mut self,
        id: &str,
        resource: &Value,
        failed: bool,
        since: Option<chrono::DateTime<chrono::Utc>>,
        changed: Option<chrono::DateTime<chrono::Utc>>,
    ) {
        let Some(control) = lookup(id) else { return };
        let resource_id = resource.get("Id").and_then(Value::as_str).unwrap_or_default().to_string();
        let check = Check { control, resource: resource.clone(), resource_id, failed, since, changed };
        self.out.push(control_finding(&self.state.place, check));
    }
}

fn account_controls(state: &RegionState, out: &mut Vec<Value>) {
    let p = &state.posture;
    let account = shapes::account(&state.place);
    let mut emit = Emit { state, out };
    let all_on = p.account_public_access_block == BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON);
    emit.check("S3.1", &account, !all_on, None, p.public_access_changed_at);
    emit.check("EC2.7", &account, !p.ebs_encryption_by_default, None, p.ebs_changed_at);
    emit.check("CloudTrail.1", &account, !p.cloudtrail_multi_region, None, None);
    emit.check("Config.1", &account, !p.config_recording, None, None);
    emit.check("GuardDuty.1", &account, p.guardduty_detector.is_none(), None, None);
    if state.place.is_home() {
        emit.check("IAM.4", &account, p.root_access_key, None, None);
        emit.check("IAM.6", &account, !p.root_hardware_mfa, None, None);
    }
}

fn bucket_controls(state: &RegionState, out: &mut Vec<Value>) {
    let account_restricts = matches!(
        state.posture.account_public_access_block,
        BucketPublicAccessBlock::Configured(c) if c.restrict_public_buckets
    );
    let mut emit = Emit { state, out };
    for b in &state.buckets {
        let s = &b.state;
        let resource = shapes::bucket(&state.place, b);
        let access = policy_access(s.policy.as_deref());
        let restricted = account_restricts
            || matches!(s.public_access_block, BucketPublicAccessBlock::Configured(c) if c.restrict_public_buckets);
        let all_on = s.public_access_block == BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON);
        let (since, changed) = (Some(b.created_at), b.changed_at);
        emit.check("S3.2", &resource, access.public_read && !restricted, since, changed);
        emit.check("S3.3", &resource, access.public_write && !restricted, since, changed);
        emit.check("S3.4", &resource, s.encryption.is_none(), since, changed);
        emit.check("S3.5", &resource, !access.ssl_only, since, changed);
        emit.check("S3.8", &resource, !all_on, since, changed);
        emit.check("S3.9", &resource, b.logging_target.is_none(), since, changed);
    }
}

/// Ingress rules open to the world, from IPv4 (`v4`), IPv6 (`v6`) or either.
fn world_open(g: &SimGroup, v4: bool, v6: bool) -> impl Iterator<Item = &SecurityGroupRule> {
    g.state.rules.iter().filter(move |r| {
        !r.is_egress
            && ((v4 && r.cidr_ipv4.as_deref() == Some("0.0.0.0/0")) || (v6 && r.cidr_ipv6.as_deref() == Some("::/0")))
    })
}

fn reaches_any(rule: &SecurityGroupRule, ports: &[i32]) -> bool {
    ports.iter().any(|p| rule.covers_port(*p))
}

fn only_authorized(rule: &SecurityGroupRule) -> bool {
    rule.protocol == "tcp" && (rule.from_port..=rule.to_port).all(|p| AUTHORIZED_TCP_PORTS.contains(&p))
}

fn group_controls(state: &RegionState, out: &mut Vec<Value>) {
    let mut emit = Emit { state, out };
    for g in &state.groups {
        let resource = shapes::group(&state.place, g);
        let changed = g.changed_at;
        if g.state.group_name == "default" {
            emit.check("EC2.2", &resource, !g.state.rules.is_empty(), None, changed);
        }
        emit.check("EC2.13", &resource, world_open(g, true, true).any(|r| r.covers_port(22)), None, changed);
        emit.check("EC2.14", &resource, world_open(g, true, true).any(|r| r.covers_port(3389)), None, changed);
        emit.check("EC2.18", &resource, world_open(g, true, true).any(|r| !only_authorized(r)), None, changed);
        emit.check(
            "EC2.19",
            &resource,
            world_open(g, true, true).any(|r| reaches_any(r, &HIGH_RISK_PORTS)),
            None,
            changed,
        );
        emit.check("EC2.53", &resource, world_open(g, true, false).any(|r| reaches_any(r, &[22, 3389])), None, changed);
        emit.check("EC2.54", &resource, world_open(g, false, true).any(|r| reaches_any(r, &[22, 3389])), None, changed);
    }
}

fn instance_controls(state: &RegionState, out: &mut Vec<Value>) {
    let mut emit = Emit { state, out };
    for i in &state.instances {
        let resource = shapes::instance(&state.place, i);
        let (since, changed) = (Some(i.launched_at), i.changed_at);
        emit.check("EC2.8", &resource, !i.imdsv2_required, since, changed);
        emit.check("EC2.9", &resource, i.public_ip.is_some(), since, changed);
        emit.check("SSM.1", &resource, !i.ssm_managed, since, changed);
    }
}

fn inventory_controls(state: &RegionState, out: &mut Vec<Value>) {
    let place = &state.place;
    let mut emit = Emit { state, out };
    for u in &state.users {
        let resource = shapes::user(place, u);
        let old_key = u.key_active && u.access_key_age_days.is_some_and(|d| d > 90);
        emit.check("IAM.3", &resource, old_key, Some(u.created_at), u.key_changed_at);
        emit.check("IAM.5", &resource, u.console_without_mfa, Some(u.created_at), None);
    }
    for db in &state.databases {
        let resource = shapes::database(place, db);
        emit.check("RDS.2", &resource, db.public, None, None);
        emit.check("RDS.3", &resource, !db.encrypted, None, None);
    }
    for k in &state.keys {
        let resource = shapes::key(place, k);
        emit.check("KMS.4", &resource, !k.rotation, Some(k.created_at), k.changed_at);
    }
    for (control, resource, failed, since) in super::services::evaluations(state) {
        emit.check(control, &resource, failed, since, state.services_changed_at);
    }
}
