//! Auto-fix queueing, fed by the change feed: every open finding whose verdict is `auto-fix` and that has a plan is
//! handed to the remediator once, whether or not a TUI is shown. The job re-reads the resource and plans live
//! before it changes anything.

use crate::engine::finding_state::FindingChanges;
use crate::engine::jobs::ApplyRequest;
use crate::engine::remediate::Remediator;
use crate::engine::{Msg, Row};
use crate::model::FindingKey;
use crate::policy::Verdict;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// Queues auto-fix findings to a remediator, each finding once per run.
pub struct AutoFix {
    remediator: Arc<Remediator>,
    queued: HashSet<FindingKey>,
}

impl AutoFix {
    /// `None` unless auto-fix is on and the remediator may change anything (not read-only).
    pub fn new(remediator: &Arc<Remediator>, on: bool) -> Option<Self> {
        (on && !remediator.read_only()).then(|| Self { remediator: remediator.clone(), queued: HashSet::new() })
    }

    /// Whether `row` is one auto-fix takes: open, verdict `auto-fix`, with a plan.
    pub fn takes(row: &Row) -> bool {
        row.decision.verdict == Verdict::AutoFix && row.finding.is_open() && row.plan().plan().is_some()
    }

    /// Submits the batch's new and changed findings auto-fix takes and has not queued yet; `tx` gets the jobs'
    /// updates. Returns how many were submitted.
    pub fn on_changes(&mut self, changes: &FindingChanges, tx: &UnboundedSender<Msg>) -> usize {
        let mut submitted = 0;
        for row in changes.rows() {
            if Self::takes(row) && self.queued.insert(row.finding.key()) {
                let control_id = row.finding.control_id.as_deref().unwrap_or_default().to_string();
                let request =
                    ApplyRequest { findings: vec![row.finding.clone()], control_id, approved: None, origin: None };
                self.remediator.submit(request, tx.clone());
                submitted += 1;
            }
        }
        submitted
    }
}
