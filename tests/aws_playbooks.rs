//! The KMS, CloudTrail, EBS snapshot, RDS snapshot and IAM access key playbooks applied through the AWS adapter
//! against moto, each in an account of its own that the product reaches by assuming a role. Each test creates the
//! non-compliant resource (and a neighbour that must stay as it is) with the SDK directly, reads it through the
//! adapter, plans with the built-in playbook, applies the plan, checks with direct reads that exactly that change
//! happened, checks the playbook verifies the new state, rolls back and checks the state is back.
#![allow(clippy::unwrap_used)]

mod support;

use aws_config::{Region, SdkConfig};
use hubtriage::cloud::Backend;
use hubtriage::model::ResourceRef;
use hubtriage::playbook::{Basis, Change, Plan, PlanOutcome, PlaybookSettings, Playbooks, ResourceState};
use std::collections::{BTreeMap, BTreeSet};
use support::moto::moto;
use support::sdk::{self, resources, run};

const REGION: &str = "eu-west-1";

fn resource(kind: &str, id: &str) -> ResourceRef {
    ResourceRef {
        kind: kind.into(),
        id: id.into(),
        region: Some(REGION.into()),
        tags: Default::default(),
        details: None,
    }
}

async fn read(backend: &Backend, account: &str, resource: &ResourceRef) -> ResourceState {
    resources(backend)
        .read_state(account, REGION, resource)
        .await
        .unwrap_or_else(|e| panic!("read_state {} in {account}: {e}", resource.id))
}

async fn apply_all(backend: &Backend, account: &str, changes: &[Change]) {
    for change in changes {
        sdk::apply(backend, account, REGION, change).await;
    }
}

/// The state before, the plan, and the state after applying it.
struct Fixed {
    before: ResourceState,
    plan: Plan,
    after: ResourceState,
}

/// Reads, plans (the state must fail the control), applies every change, re-reads; the playbook must verify it.
async fn fix(backend: &Backend, account: &str, control: &str, resource: &ResourceRef) -> Fixed {
    let playbooks = Playbooks::new(&PlaybookSettings::default());
    let playbook = playbooks.for_control(control).unwrap_or_else(|| panic!("no playbook for {control}"));
    let before = read(backend, account, resource).await;
    assert!(!playbook.verify(control, &before), "{control}: the set-up state already passes: {before:?}");
    let plan = match playbook.plan(control, &before, Basis::Live) {
        Ok(PlanOutcome::Change(plan)) => plan,
        other => panic!("{control}: expected a change for {before:?}, got {other:?}"),
    };
    apply_all(backend, account, &plan.changes).await;
    let after = read(backend, account, resource).await;
    assert!(playbook.verify(control, &after), "{control}: not fixed by {:?}: {after:?}", plan.changes);
    Fixed { before, plan, after }
}

/// Applies the rollback; the re-read state must be the before-state again and fail the control.
async fn roll_back(backend: &Backend, account: &str, control: &str, resource: &ResourceRef, fixed: &Fixed) {
    apply_all(backend, account, &fixed.plan.rollback).await;
    let restored = read(backend, account, resource).await;
    assert_eq!(restored.effective(), fixed.before.effective(), "{control}: rollback did not restore the state");
    let playbooks = Playbooks::new(&PlaybookSettings::default());
    assert!(!playbooks.for_control(control).unwrap().verify(control, &restored), "{control}: {restored:?}");
}

fn kms(config: &SdkConfig) -> aws_sdk_kms::Client {
    aws_sdk_kms::Client::from_conf(aws_sdk_kms::config::Builder::from(config).region(Region::new(REGION)).build())
}

fn cloudtrail(config: &SdkConfig) -> aws_sdk_cloudtrail::Client {
    aws_sdk_cloudtrail::Client::from_conf(
        aws_sdk_cloudtrail::config::Builder::from(config).region(Region::new(REGION)).build(),
    )
}

fn rds(config: &SdkConfig) -> aws_sdk_rds::Client {
    aws_sdk_rds::Client::from_conf(aws_sdk_rds::config::Builder::from(config).region(Region::new(REGION)).build())
}

fn iam(config: &SdkConfig) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::from_conf(aws_sdk_iam::config::Builder::from(config).region(Region::new(REGION)).build())
}

#[path = "aws_playbooks/cases.rs"]
mod cases;
#[path = "aws_playbooks/exceptions.rs"]
mod exceptions;
