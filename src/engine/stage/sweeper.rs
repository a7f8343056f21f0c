//! The exception sweeper's share of the change feed: open findings whose verdict is `excepted` (their resource
//! carries a valid exception tag) go to the remediator, which suppresses each once with a note naming the
//! exception (`exceptions.suppress_findings`). Its periodic pass sets them back to NEW when the exception ends.

use crate::engine::finding_state::FindingChanges;
use crate::engine::remediate::Remediator;
use crate::engine::Msg;
use crate::model::Finding;
use crate::policy::Verdict;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// Hands excepted open findings to the remediator's suppression.
pub struct Sweeper {
    remediator: Arc<Remediator>,
}

impl Sweeper {
    /// `None` unless `exceptions.suppress_findings` is on and the remediator may change anything.
    pub fn new(remediator: &Arc<Remediator>) -> Option<Self> {
        (remediator.settings().exceptions.suppress_findings && !remediator.read_only())
            .then(|| Self { remediator: remediator.clone() })
    }

    /// Hands over the batch's open excepted findings; returns how many.
    pub fn on_changes(&self, changes: &FindingChanges, tx: &UnboundedSender<Msg>) -> usize {
        let excepted: Vec<Arc<Finding>> = changes
            .rows()
            .filter(|row| row.decision.verdict == Verdict::Excepted && row.finding.is_open())
            .map(|row| row.finding.clone())
            .collect();
        let n = excepted.len();
        if n > 0 {
            self.remediator.suppress_excepted(excepted, tx.clone());
        }
        n
    }
}
