//! Live reads the app asks for before each frame: the selected finding's live plan, findings re-assessed after an
//! exception changed on their resource.

use super::context::{Context, LivePlan};
use super::effect::Effect;
use crate::engine::jobs::JobUpdate;
use crate::model::{Finding, FindingKey};
use crate::triage::{Assessment, PlanStatus};
use std::sync::Arc;

/// Whether a finding's primary resource is the one a job changed (jobs record an id or an ARN).
fn same_resource(finding: &Finding, update: &JobUpdate) -> bool {
    finding.account_id == update.account_id && finding.primary_resource().is_some_and(|r| r.id == update.resource)
}

impl Context {
    /// A live plan answer: for the selected finding, or for one re-assessed after an exception change.
    pub fn on_live_plan(&mut self, req: u64, key: FindingKey, result: Result<Assessment, String>) {
        let current = self.live.as_ref().is_some_and(|l| l.req == req);
        if !current && !self.reassess.remove(&req) {
            return;
        }
        if let Ok(assessment) = result.as_ref() {
            self.listing.set_assessment(&key, assessment.clone());
        }
        if let Some(live) = self.live.as_mut().filter(|l| l.req == req) {
            live.result = Some(result);
        }
    }

    /// An exception job ended: every finding on its resource is read again, so its verdict becomes `excepted` (or
    /// stops being so); the selected finding's live plan is asked for again in any case.
    pub fn reassess_after_exception(&mut self, update: &JobUpdate) {
        self.live = None;
        if !self.live_reads {
            return;
        }
        let affected: Vec<Arc<Finding>> = self
            .listing
            .all()
            .iter()
            .filter(|r| update.findings.contains(&r.finding.key()) || same_resource(&r.finding, update))
            .map(|r| r.finding.clone())
            .collect();
        self.reread_live(affected);
    }

    /// Asks for each finding's live plan again: the selected one's shows in the detail pane, the others only update
    /// their rows' verdicts.
    pub fn reread_live(&mut self, findings: Vec<Arc<Finding>>) {
        let selected = self.selected_key();
        for finding in findings {
            let req = self.next_req();
            let key = finding.key();
            if Some(&key) == selected.as_ref() {
                self.live = Some(LivePlan { req, key, result: None });
            } else {
                self.reassess.insert(req);
            }
            self.effects.push(Effect::LivePlan { req, finding });
        }
    }

    /// A live plan request for the selected finding when it changed.
    pub fn live_plan_effect(&mut self) -> Vec<Effect> {
        self.listing.refresh();
        let Some(row) = self.listing.selected_row() else {
            return Vec::new();
        };
        if !self.live_reads || *row.plan() == PlanStatus::NoPlaybook {
            return Vec::new();
        }
        let key = row.finding.key();
        if self.live.as_ref().is_some_and(|l| l.key == key) {
            return Vec::new();
        }
        let finding = row.finding.clone();
        let req = self.next_req();
        self.live = Some(LivePlan { req, key, result: None });
        vec![Effect::LivePlan { req, finding }]
    }
}
