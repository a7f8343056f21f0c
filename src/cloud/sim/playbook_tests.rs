//! Every playbook against the simulated organisation: a plan computed from live state applies cleanly, closes its
//! finding and verifies; its rollback restores the state it started from.

use super::tests::{fetch_all, saturday};
use super::*;
use crate::playbook::{Basis, PlanOutcome, PlaybookSettings, Playbooks};
use futures::executor::block_on;
use std::collections::{BTreeMap, BTreeSet};

/// Whether the control finding `id` is open now (control findings only: quicker than deriving every product's).
fn is_open(org: &SimOrg, src: &SourceId, id: &str) -> bool {
    let state = org.lock();
    let mut values = findings::control_findings(&state.sources[src]);
    state.overlay.apply(&mut values);
    let finding = values.into_iter().find(|v| v["Id"] == id).expect("same id");
    super::is_open(&finding)
}

#[test]
fn every_plan_applies_closes_its_finding_verifies_and_rolls_back() {
    let playbooks = Playbooks::new(&PlaybookSettings::default());
    let org = SimOrg::new(7, saturday());
    let mut fixed: BTreeMap<String, usize> = BTreeMap::new();
    let mut declined: Vec<String> = Vec::new();
    for src in org.sources() {
        // One finding of a control per source keeps the test quick; the stories differ between sources.
        let mut tried: BTreeSet<String> = BTreeSet::new();
        for finding in fetch_all(&org, &src).expect("fetch") {
            let (Some(control), Some(resource)) = (finding.control_id.as_deref(), finding.primary_resource()) else {
                continue;
            };
            if !tried.insert(control.to_string()) {
                continue;
            }
            let Some(playbook) = playbooks.for_control(control) else { continue };
            let read = || block_on(org.read_state(&src.account_id, &src.region, resource));
            let before = read().unwrap_or_else(|e| panic!("{control} on {}: {e}", resource.id));
            let plan = match playbooks.plan(control, &before, Basis::Live) {
                Some(Ok(PlanOutcome::Change(plan))) => plan,
                Some(Ok(PlanOutcome::AlreadyCompliant(why))) => panic!("{control} on {}: {why}", resource.id),
                Some(Err(why)) => {
                    declined.push(format!("{control} {}: {why}", resource.short_id()));
                    continue;
                }
                None => continue,
            };
            let what = format!("{control} on {} in {src}", resource.short_id());
            for change in &plan.changes {
                block_on(org.apply(&src.account_id, &src.region, change))
                    .unwrap_or_else(|e| panic!("{what}: {} failed: {e}", change.describe()));
            }
            let after = read().expect("read after");
            assert!(playbook.verify(control, &after), "{what}: does not verify after {:?}", plan.changes);
            assert!(!is_open(&org, &src, &finding.id), "{what}: still open after {}", plan.summary);
            for change in &plan.rollback {
                block_on(org.apply(&src.account_id, &src.region, change))
                    .unwrap_or_else(|e| panic!("{what}: rollback {} failed: {e}", change.describe()));
            }
            assert_eq!(read().expect("read after rollback").effective(), before.effective(), "{what}: rollback");
            assert!(is_open(&org, &src, &finding.id), "{what}: open again");
            *fixed.entry(control.to_string()).or_default() += 1;
        }
    }
    eprintln!("fixed and rolled back: {fixed:?}\ndeclined: {declined:#?}");
    let controls = ["S3.1", "S3.2", "S3.4", "S3.5", "S3.8", "EC2.2", "EC2.7", "EC2.8", "EC2.13", "EC2.19"];
    let services = ["KMS.4", "CloudTrail.4", "EC2.1", "RDS.1", "IAM.3", "IAM.22"];
    for control in controls.into_iter().chain(services) {
        assert!(fixed.contains_key(control), "no {control} finding was fixed: {fixed:?}");
    }
    assert!(org.mutations().iter().all(|m| !m.contains(" -> failed")));
}
