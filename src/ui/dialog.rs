//! Confirm dialogs of mutating intents (apply, rollback, incident mode, exception removal, custom actions): what
//! they show is computed here once, when they open, so what the operator confirms is exactly what runs.

use super::action_menu::{ActionMenu, PendingRun};
use super::approval_dialog::{ApprovalTextForm, ApproveDialog};
use super::exception_dialog::ExceptionDialog;
use super::exception_removal::RemoveExceptionDialog;
use super::keys::{lookup, Action, Binding, Key};
use crate::engine::audit_summary::RollbackCandidate;
use crate::engine::jobs::{group_requests, ApplyRequest, PreviewItem};
use crate::model::Finding;
use crate::playbook::{Basis, Plan};
use crate::policy::Verdict;
use crate::triage::{Assessment, PlanStatus};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The account class whose changes need a capital `Y`.
pub const PROD_CLASS: &str = "prod";

/// A dialog over the current view; while one is open it takes every key.
#[derive(Debug, Clone)]
pub enum Dialog {
    /// Waiting for the live state of the findings to apply; the answer must carry `req`.
    Reading { req: u64, count: usize },
    /// The live plans of the findings to apply, to confirm.
    Apply(Box<ApplyDialog>),
    /// The fix a rollback undoes, to confirm.
    Rollback(Box<RollbackDialog>),
    /// Switch incident mode to `on`?
    Incident { on: bool },
    /// The exception form (`x`): it takes typed text, not dialog keys.
    Exception(Box<ExceptionDialog>),
    /// Remove this exception?
    RemoveException(Box<RemoveExceptionDialog>),
    /// The custom actions offered (`c`).
    Actions(Box<ActionMenu>),
    /// Run this action on these findings?
    RunAction(Box<PendingRun>),
    /// The note of an approval request (`p`) or the reason of a rejection (`n`): typed text.
    ApprovalText(Box<ApprovalTextForm>),
    /// Approve this request and carry it out?
    Approve(Box<ApproveDialog>),
}

/// One finding of an apply preview, and whether it will be changed.
#[derive(Debug, Clone)]
pub struct PreviewEntry {
    pub finding: Arc<Finding>,
    /// The live assessment, when the read worked.
    pub assessment: Option<Assessment>,
    /// Why it will not be changed; `None` when it is part of a request.
    pub skipped: Option<String>,
}

/// The apply confirmation: the requests that will run and the findings left out.
#[derive(Debug, Clone)]
pub struct ApplyDialog {
    /// Every previewed finding, in the order asked.
    pub entries: Vec<PreviewEntry>,
    /// Findings on the same resource and control grouped into one job each.
    pub requests: Vec<ApplyRequest>,
    /// Accounts of class `prod` a request changes: confirming needs a capital `Y`.
    pub prod_accounts: Vec<String>,
    /// Nothing will be applied; the plans are shown for review.
    pub read_only: bool,
    pub scroll: u16,
}

/// The rollback confirmation.
#[derive(Debug, Clone)]
pub struct RollbackDialog {
    pub candidate: RollbackCandidate,
    /// The account is of class `prod`: confirming needs a capital `Y`.
    pub prod: bool,
    pub read_only: bool,
    pub scroll: u16,
}

/// Why a previewed finding cannot be applied, or its live plan.
pub fn applicable(item: &PreviewItem) -> Result<&Plan, String> {
    if let Some(holder) = &item.holder {
        let line = crate::model::sanitize::single_line;
        return Err(format!(
            "being changed by {} ({}, job {}) since {}: not applied",
            line(&holder.owner.operator),
            line(&holder.owner.process),
            line(&holder.owner.job),
            holder.taken_at.format("%Y-%m-%d %H:%M:%S UTC")
        ));
    }
    let assessment = item.result.as_ref().map_err(|e| format!("live read failed: {e}"))?;
    let decision = &assessment.decision;
    match decision.verdict {
        Verdict::AutoFix | Verdict::NeedsApproval => {}
        Verdict::NoPlaybook => return Err("no playbook: nothing hubtriage can change".into()),
        Verdict::Manual => return Err(format!("verdict manual: {}", decision.reason)),
        Verdict::Excepted => return Err(format!("verdict excepted: {}", decision.reason)),
    }
    match &assessment.plan {
        PlanStatus::Planned(plan) if plan.basis == Basis::Live => Ok(plan),
        PlanStatus::Planned(plan) => {
            Err(format!("plan basis is {}, not live state: nothing is changed on a guess", plan.basis.name()))
        }
        PlanStatus::AlreadyCompliant(why) => Err(format!("already compliant: {why}")),
        PlanStatus::Unavailable(why) => Err(format!("no plan: {why}")),
        PlanStatus::NoPlaybook => Err("no playbook: nothing hubtriage can change".into()),
    }
}

impl ApplyDialog {
    /// Classifies the preview and groups the applicable findings into requests.
    pub fn new(items: Vec<PreviewItem>, account_classes: &BTreeMap<String, String>, read_only: bool) -> Self {
        let mut approved = Vec::new();
        let entries: Vec<PreviewEntry> = items
            .into_iter()
            .map(|item| {
                let skipped = match applicable(&item) {
                    Ok(plan) => {
                        approved.push((item.finding.clone(), plan.clone()));
                        None
                    }
                    Err(why) => Some(why),
                };
                PreviewEntry { finding: item.finding, assessment: item.result.ok(), skipped }
            })
            .collect();
        let requests = group_requests(approved);
        let mut prod_accounts: Vec<String> = requests
            .iter()
            .filter_map(|r| r.findings.first())
            .filter(|f| account_classes.get(&f.account_id).is_some_and(|c| c == PROD_CLASS))
            .map(|f| f.account_id.clone())
            .collect();
        prod_accounts.sort();
        prod_accounts.dedup();
        Self { entries, requests, prod_accounts, read_only, scroll: 0 }
    }

    /// Findings that will be changed.
    pub fn applicable_count(&self) -> usize {
        self.requests.iter().map(|r| r.findings.len()).sum()
    }
}

/// What a key does in a dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogKey {
    /// `y` or Enter.
    Yes,
    /// Capital `Y`: also confirms changes in production accounts.
    CapitalYes,
    /// `n` or Esc.
    No,
    Scroll(i16),
}

impl DialogKey {
    /// The meaning of a key in a dialog whose keys are `table`.
    pub fn of(table: &[Binding], key: crossterm::event::KeyEvent) -> Option<Self> {
        Some(match lookup(table, Key::of(key))? {
            Action::Confirm => Self::Yes,
            Action::ConfirmProd => Self::CapitalYes,
            Action::Cancel => Self::No,
            Action::Down => Self::Scroll(1),
            Action::Up => Self::Scroll(-1),
            Action::PageDown => Self::Scroll(10),
            Action::PageUp => Self::Scroll(-10),
            Action::Top => Self::Scroll(i16::MIN),
            _ => return None,
        })
    }
}

impl Dialog {
    /// The key table of the dialogs that take dialog keys (the forms and the menu have their own).
    pub fn keys(&self) -> &'static [Binding] {
        use super::keys::{CONFIRM, CONFIRM_PLAN, READING};
        match self {
            Dialog::Reading { .. } => READING,
            Dialog::Apply(_) | Dialog::Rollback(_) | Dialog::Approve(_) => CONFIRM_PLAN,
            Dialog::Incident { .. } | Dialog::RemoveException(_) | Dialog::RunAction(_) => CONFIRM,
            Dialog::Exception(d) if d.confirming => super::keys::EXCEPTION_CONFIRM,
            Dialog::Exception(_) => super::keys::EXCEPTION_FORM,
            Dialog::Actions(_) => super::keys::ACTION_MENU,
            Dialog::ApprovalText(_) => super::keys::TEXT_FORM,
        }
    }
}

/// Applies a scroll step to a dialog's offset.
pub fn scroll(offset: &mut u16, step: i16) {
    *offset = if step == i16::MIN { 0 } else { offset.saturating_add_signed(step) };
}
