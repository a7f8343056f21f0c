//! A finding with its verdict and dry-run plan, as the table holds it.

use crate::model::Finding;
use crate::policy::{Decision, Verdict};
use crate::triage::{Assessment, PlanStatus, Triage};
use chrono::{DateTime, Utc};
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

/// A finding with its verdict and dry-run plan.
///
/// A plan from the finding's own snapshot is worked out when first asked for: most rows are never shown in the
/// detail pane, and a plan (the recorded state read from the resource details, the change, its CLI text and
/// fingerprint) costs more than reading the finding. Auto-fix rows get theirs with the verdict, off the UI thread:
/// the table counts those that would change, and the auto-fix switch queues them.
#[derive(Clone)]
pub struct Row {
    pub finding: Arc<Finding>,
    pub decision: Decision,
    plan: OnceLock<PlanStatus>,
    /// Works out the snapshot plan on first use; `None` when the plan was given.
    planner: Option<Arc<Triage>>,
}

impl Row {
    /// A row with a finished assessment (a live one, or one made elsewhere).
    pub fn new(finding: Arc<Finding>, assessment: Assessment) -> Self {
        let Assessment { decision, plan } = assessment;
        Self { finding, decision, plan: OnceLock::from(plan), planner: None }
    }

    /// A row assessed from the finding alone: the verdict now, the plan now for auto-fix rows and on first use for
    /// the others.
    pub fn from_snapshot(finding: Finding, triage: &Arc<Triage>, now: DateTime<Utc>) -> Self {
        let decision = triage.snapshot_decision(&finding, now);
        let (plan, planner) = match decision.verdict {
            Verdict::AutoFix => (OnceLock::from(triage.snapshot_plan(&finding)), None),
            _ => (OnceLock::new(), Some(triage.clone())),
        };
        Self { finding: Arc::new(finding), decision, plan, planner }
    }

    /// The dry-run plan, or why there is none.
    pub fn plan(&self) -> &PlanStatus {
        self.plan.get_or_init(|| match &self.planner {
            Some(triage) => triage.snapshot_plan(&self.finding),
            None => PlanStatus::NoPlaybook,
        })
    }

    /// The plan, without keeping it when it is worked out now: for a command that shows each row once (`plan
    /// --format json` over a large export would otherwise hold every plan until it ends, tens of megabytes).
    pub fn plan_unkept(&self) -> Cow<'_, PlanStatus> {
        match (self.plan.get(), &self.planner) {
            (Some(known), _) => Cow::Borrowed(known),
            (None, Some(triage)) => Cow::Owned(triage.snapshot_plan(&self.finding)),
            (None, None) => Cow::Owned(PlanStatus::NoPlaybook),
        }
    }

    /// The plan when it was already worked out.
    pub fn plan_if_known(&self) -> Option<&PlanStatus> {
        self.plan.get()
    }

    /// The verdict and the plan, as one assessment.
    pub fn assessment(&self) -> Assessment {
        Assessment { decision: self.decision.clone(), plan: self.plan().clone() }
    }

    /// Replaces the verdict and plan (a live assessment arrived).
    pub fn set_assessment(&mut self, assessment: Assessment) {
        *self = Self::new(self.finding.clone(), assessment);
    }
}

impl std::fmt::Debug for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Row")
            .field("finding", &self.finding)
            .field("decision", &self.decision)
            .field("plan", &self.plan.get())
            .finish()
    }
}

#[cfg(test)]
#[path = "row_tests.rs"]
mod tests;
