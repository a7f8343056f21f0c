//! Pure: a finding (and the state of its resource, when read) → verdict, explanation and dry-run plan.

use crate::model::Finding;
use crate::playbook::{snapshot, Basis, Plan, PlanOutcome, Playbooks, ResourceState};
use crate::policy::{Decision, Policy, PolicyInput};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// What the triage of one finding produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub decision: Decision,
    pub plan: PlanStatus,
}

/// The dry-run plan, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanStatus {
    /// No playbook handles the finding.
    NoPlaybook,
    /// Boxed: most findings have none, and a row is as large as its largest variant.
    Planned(Box<Plan>),
    /// The resource is already in the desired state.
    AlreadyCompliant(String),
    /// A playbook exists but no plan could be computed.
    Unavailable(String),
}

impl PlanStatus {
    /// The plan, when there is one.
    pub fn plan(&self) -> Option<&Plan> {
        match self {
            Self::Planned(p) => Some(p),
            _ => None,
        }
    }

    /// Why there is no plan, when there is none but a playbook exists.
    pub fn problem(&self) -> Option<&str> {
        match self {
            Self::Unavailable(why) => Some(why),
            _ => None,
        }
    }
}

/// Policy and playbooks together.
pub struct Triage {
    pub policy: Policy,
    pub playbooks: Playbooks,
}

impl Triage {
    /// Assesses a finding from `live` state when given, else from the finding's own snapshot.
    pub fn assess(&self, finding: &Finding, live: Option<&ResourceState>, now: DateTime<Utc>) -> Assessment {
        let playbook = finding.control_id.as_deref().and_then(|c| self.playbooks.for_control(c));
        let snapshot_state;
        let (state, basis) = match live {
            Some(state) => (Ok(state), Basis::Live),
            None if playbook.is_some() => {
                snapshot_state = snapshot::state_from_finding(finding);
                (snapshot_state.as_ref().map_err(ToString::to_string), Basis::FindingSnapshot)
            }
            None => (Err(String::new()), Basis::FindingSnapshot),
        };
        let empty = BTreeMap::new();
        let tags = match (&state, finding.primary_resource()) {
            (Ok(s), _) => s.tags(),
            (Err(_), Some(r)) => &r.tags,
            (Err(_), None) => &empty,
        };
        let decision = self.policy.decide(&PolicyInput { finding, has_playbook: playbook.is_some(), tags, now });
        let plan = match (playbook, finding.control_id.as_deref()) {
            (Some(_), Some(control)) => match state.map(|state| self.playbooks.plan(control, state, basis)) {
                Ok(Some(Ok(PlanOutcome::Change(plan)))) => PlanStatus::Planned(Box::new(plan)),
                Ok(Some(Ok(PlanOutcome::AlreadyCompliant(why)))) => PlanStatus::AlreadyCompliant(why),
                Ok(Some(Err(e))) => PlanStatus::Unavailable(e.to_string()),
                Ok(None) => PlanStatus::NoPlaybook,
                Err(why) => PlanStatus::Unavailable(why),
            },
            _ => PlanStatus::NoPlaybook,
        };
        Assessment { decision, plan }
    }
}
