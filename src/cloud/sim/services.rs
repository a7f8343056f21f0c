//! CloudTrail trails, EBS snapshots and RDS snapshots of the simulated organisation (scripted per account and region,
//! without drawing on the random stream the rest is built from), their `Resources[]` shapes, and the control
//! findings about them and about access keys: CloudTrail.4, EC2.1, RDS.1, IAM.22.

use super::org::{Place, RegionState};
use super::shapes::resource;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A CloudTrail trail.
#[derive(Debug, Clone)]
pub(super) struct SimTrail {
    pub name: String,
    pub log_file_validation: bool,
    pub tags: BTreeMap<String, String>,
}

/// An EBS snapshot of the account.
#[derive(Debug, Clone)]
pub(super) struct SimEbsSnapshot {
    pub id: String,
    pub public: bool,
}

/// An RDS DB snapshot.
#[derive(Debug, Clone)]
pub(super) struct SimDbSnapshot {
    pub id: String,
    pub public: bool,
    pub shared_with: Vec<String>,
    pub tags: BTreeMap<String, String>,
}

/// The trails, EBS snapshots and RDS snapshots of one account and region.
pub(super) struct Services {
    pub trails: Vec<SimTrail>,
    pub ebs_snapshots: Vec<SimEbsSnapshot>,
    pub db_snapshots: Vec<SimDbSnapshot>,
}

/// The scripted services of a place: production keeps its trail validated and its snapshots private; staging forgot
/// validation; the sandbox and the legacy account published snapshots.
pub(super) fn build(place: &Place) -> Services {
    let trail =
        |name: &str, validation| SimTrail { name: name.into(), log_file_validation: validation, tags: BTreeMap::new() };
    let ebs = |id: &str, public| SimEbsSnapshot { id: id.into(), public };
    let db = |id: &str, public, shared: &[&str]| SimDbSnapshot {
        id: id.into(),
        public,
        shared_with: shared.iter().map(|s| s.to_string()).collect(),
        tags: BTreeMap::new(),
    };
    let (trails, ebs_snapshots, db_snapshots) = match place.key().as_str() {
        "payments-prod/eu-west-1" => (
            vec![trail("org-audit-trail", true)],
            vec![ebs("snap-0a1b2c3d4e5f60718", false)],
            vec![db("payments-ledger-2026-11-30", false, &[])],
        ),
        "platform-staging/eu-west-1" => {
            (vec![trail("staging-trail", false)], vec![ebs("snap-0c3d4e5f607182930", false)], Vec::new())
        }
        "research-sandbox/eu-west-1" => (
            Vec::new(),
            vec![ebs("snap-0f1e2d3c4b5a69788", true), ebs("snap-0e2d3c4b5a6978871", false)],
            vec![db("test-mysql-final", true, &["444444444444"])],
        ),
        "legacy-ops/us-east-1" => (
            vec![trail("legacy-trail", false)],
            vec![ebs("snap-0d4c3b2a190817263", true)],
            vec![db("legacy-crm-before-upgrade", true, &[])],
        ),
        _ => (Vec::new(), Vec::new(), Vec::new()),
    };
    Services { trails, ebs_snapshots, db_snapshots }
}

/// `arn:aws:cloudtrail:<region>:<account>:trail/<name>`.
pub(super) fn trail_arn(place: &Place, name: &str) -> String {
    format!("arn:aws:cloudtrail:{}:{}:trail/{name}", place.region, place.account_id)
}

/// `arn:aws:rds:<region>:<account>:snapshot:<id>`.
pub(super) fn db_snapshot_arn(place: &Place, id: &str) -> String {
    format!("arn:aws:rds:{}:{}:snapshot:{id}", place.region, place.account_id)
}

fn trail_resource(place: &Place, t: &SimTrail) -> Value {
    let arn = trail_arn(place, &t.name);
    let d = json!({"AwsCloudTrailTrail": {
        "Name": t.name, "TrailArn": arn, "HomeRegion": place.region, "IsMultiRegionTrail": true,
        "LogFileValidationEnabled": t.log_file_validation, "S3BucketName": format!("{}-cloudtrail", place.account_name),
    }});
    resource("AwsCloudTrailTrail", &arn, &place.region, None, d)
}

fn db_snapshot_resource(place: &Place, s: &SimDbSnapshot) -> Value {
    let d =
        json!({"AwsRdsDbSnapshot": {"DbSnapshotIdentifier": s.id, "SnapshotType": "manual", "Status": "available"}});
    resource("AwsRdsDbSnapshot", &db_snapshot_arn(place, &s.id), &place.region, None, d)
}

/// One evaluation: (control, resource, failed, first seen).
pub(super) type Evaluation = (&'static str, Value, bool, Option<chrono::DateTime<chrono::Utc>>);

/// The evaluations of CloudTrail.4, EC2.1, RDS.1 and IAM.22 in one account and region.
pub(super) fn evaluations(state: &RegionState) -> Vec<Evaluation> {
    let place = &state.place;
    let mut out: Vec<Evaluation> = Vec::new();
    for t in &state.trails {
        out.push(("CloudTrail.4", trail_resource(place, t), !t.log_file_validation, None));
    }
    if !state.ebs_snapshots.is_empty() {
        out.push(("EC2.1", super::shapes::account(place), state.ebs_snapshots.iter().any(|s| s.public), None));
    }
    for s in &state.db_snapshots {
        out.push(("RDS.1", db_snapshot_resource(place, s), s.public, None));
    }
    for u in &state.users {
        let idle = u.key_active && u.key_idle_days().is_some_and(|d| d > 45);
        out.push(("IAM.22", super::shapes::user(place, u), idle, Some(u.created_at)));
    }
    out
}
