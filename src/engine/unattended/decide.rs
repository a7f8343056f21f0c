//! What `watch` does with one finding of an event, from its current copy (the newest the store knows: an event
//! that arrives late or twice changes nothing), the policy verdict and what is already running or done.

use super::message::EventKind;
use crate::engine::jobs::JobId;
use crate::engine::stage::AutoFix;
use crate::engine::Row;
use crate::policy::Verdict;
use std::collections::BTreeSet;

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Apply the policy's plan (the job re-reads the resource and plans live first).
    Fix,
    /// A job on this finding is already running: its outcome is the message's outcome too.
    Join(JobId),
    /// Nothing to do, and why.
    Skip(String),
}

/// What the decision depends on besides the row.
pub struct Context<'a> {
    /// The auto-fix switch (`--auto-fix`, `auto_fix = true`).
    pub auto_fix: bool,
    /// Accounts fixes may run in (`aws.accounts`); `None`: any account the roles reach.
    pub accounts: Option<&'a BTreeSet<String>>,
    /// The job running on this finding, if any.
    pub running: Option<JobId>,
    /// Whether this copy of the finding was already fixed and verified by this process.
    pub fixed: bool,
}

/// Decides for `row`, the finding's current copy, carried by an event of `kind`.
pub fn decide(row: &Row, kind: &EventKind, cx: &Context<'_>) -> Action {
    let finding = &row.finding;
    if let Some(job) = cx.running {
        return Action::Join(job);
    }
    if !finding.is_open() {
        return Action::Skip(format!(
            "the finding is not open (workflow {}, record state {:?}, compliance {:?})",
            finding.workflow_status.label(),
            finding.record_state,
            finding.compliance_status
        ));
    }
    if let Some(accounts) = cx.accounts {
        if !accounts.contains(&*finding.account_id) {
            return Action::Skip(format!(
                "account {} is not one hubtriage manages (aws.accounts); nothing was changed",
                finding.account_id
            ));
        }
    }
    if cx.fixed {
        return Action::Skip("this copy of the finding was already fixed and verified".into());
    }
    match row.decision.verdict {
        Verdict::AutoFix if AutoFix::takes(row) => {
            if cx.auto_fix || matches!(kind, EventKind::CustomAction { .. }) {
                Action::Fix
            } else {
                Action::Skip(format!(
                    "would fix: auto-fix is off (--auto-fix or auto_fix = true turns it on); {}",
                    row.decision.reason
                ))
            }
        }
        Verdict::AutoFix => Action::Skip(format!(
            "auto-fix, but no plan: {}",
            row.plan().problem().unwrap_or("the resource already is in the desired state or no playbook applies")
        )),
        Verdict::NeedsApproval => Action::Skip(format!(
            "needs approval ({}): review the plan and apply it with `hubtriage apply --finding {}`",
            row.decision.reason,
            finding.public_id()
        )),
        other => Action::Skip(format!("{other}: {}", row.decision.reason)),
    }
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
