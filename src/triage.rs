//! Pure: a finding (and the state of its resource, when read) → verdict, explanation and dry-run plan.

use crate::model::Finding;
use crate::playbook::state::NO_TAGS;
use crate::playbook::{snapshot, Basis, BucketParts, Plan, PlanOutcome, Playbook, Playbooks, ResourceState};
use crate::policy::{Decision, Policy, PolicyInput, Provenance};
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

/// The playbook a finding's control has, and the finding's provenance (asked only when there is a playbook).
struct Handler<'a> {
    playbook: Option<&'a dyn Playbook>,
    provenance: Option<Provenance>,
}

impl Handler<'_> {
    /// The playbook, when the finding may drive it.
    fn playbook(&self) -> Option<&dyn Playbook> {
        match self.provenance {
            Some(Provenance::Untrusted(_)) => None,
            _ => self.playbook,
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
        let Some(state) = live else {
            return Assessment { decision: self.snapshot_decision(finding, now), plan: self.snapshot_plan(finding) };
        };
        if let ResourceState::S3Bucket(b) = state {
            if b.unread.contains(BucketParts::TAGS) {
                let why = format!("bucket {}: its tags were not read, so its exceptions are unknown", b.name);
                return Assessment {
                    decision: self.snapshot_decision(finding, now),
                    plan: PlanStatus::Unavailable(why),
                };
            }
        }
        let handler = self.handler(finding);
        let decision = self.decide(finding, &handler, state.tags(), now);
        let plan = match (handler.playbook(), finding.control_id.as_deref()) {
            (Some(_), Some(control)) => self.plan_status(control, state, Basis::Live),
            _ => PlanStatus::NoPlaybook,
        };
        Assessment { decision, plan }
    }

    /// The parts of a bucket the finding's verdict and plan look at: its tags (exceptions), and what its playbook
    /// names.
    pub fn bucket_parts(&self, finding: &Finding) -> BucketParts {
        let named = match (self.handler(finding).playbook(), finding.control_id.as_deref()) {
            (Some(playbook), Some(control)) => playbook.bucket_parts(control),
            _ => BucketParts::NONE,
        };
        named.and(BucketParts::TAGS)
    }

    /// The verdict from the finding alone: the tags its snapshot records (those of the state the snapshot plan
    /// reads, when a playbook handles the finding).
    pub fn snapshot_decision(&self, finding: &Finding, now: DateTime<Utc>) -> Decision {
        let handler = self.handler(finding);
        let tags = match finding.primary_resource() {
            Some(_) if handler.playbook().is_some() => snapshot::state_tags(finding),
            Some(resource) => &resource.tags,
            None => &NO_TAGS,
        };
        self.decide(finding, &handler, tags, now)
    }

    /// The dry-run plan from the state the finding itself records (`Resources[].Details`).
    pub fn snapshot_plan(&self, finding: &Finding) -> PlanStatus {
        let (Some(_), Some(control)) = (self.handler(finding).playbook(), finding.control_id.as_deref()) else {
            return PlanStatus::NoPlaybook;
        };
        match snapshot::state_from_finding(finding) {
            Ok(state) => self.plan_status(control, &state, Basis::FindingSnapshot),
            Err(why) => PlanStatus::Unavailable(why.to_string()),
        }
    }

    /// The playbook for the finding's control, and whether the finding may drive it.
    fn handler(&self, finding: &Finding) -> Handler<'_> {
        let playbook = finding.control_id.as_deref().and_then(|c| self.playbooks.for_control(c));
        let provenance = playbook.map(|_| self.policy.provenance(finding));
        Handler { playbook, provenance }
    }

    fn decide(
        &self,
        finding: &Finding,
        handler: &Handler<'_>,
        tags: &BTreeMap<String, String>,
        now: DateTime<Utc>,
    ) -> Decision {
        let has_playbook = handler.playbook.is_some();
        let disabled_playbook = match (handler.playbook, finding.control_id.as_deref()) {
            (None, Some(control)) => self.playbooks.disabled_for(control).map(|p| p.name()),
            _ => None,
        };
        let needs_care = handler.playbook.is_some_and(|p| p.about().risk == crate::playbook::Risk::ReversibleWithCare);
        self.policy.decide(&PolicyInput {
            finding,
            has_playbook,
            provenance: handler.provenance.as_ref(),
            tags,
            now,
            disabled_playbook,
            needs_care,
        })
    }

    fn plan_status(&self, control: &str, state: &ResourceState, basis: Basis) -> PlanStatus {
        match self.playbooks.plan(control, state, basis) {
            Some(Ok(PlanOutcome::Change(plan))) => PlanStatus::Planned(Box::new(plan)),
            Some(Ok(PlanOutcome::AlreadyCompliant(why))) => PlanStatus::AlreadyCompliant(why),
            Some(Err(e)) => PlanStatus::Unavailable(e.to_string()),
            None => PlanStatus::NoPlaybook,
        }
    }
}
