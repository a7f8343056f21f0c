//! The approval dialogs: the note form of `p` (optional), the reason form of `n` (required), and the confirmation
//! of `y`, which shows exactly what will be applied (capital `Y` for a production account, as for `a`).

use super::app::{App, Effect, View};
use super::dialog::{scroll, Dialog, DialogKey, PROD_CLASS};
use super::keys::{lookup, Action, Key, TEXT_FORM};
use crate::engine::approval_work::ApprovalOp;
use crate::model::Finding;
use crate::review::{ApprovalRequest, ApprovalStatus};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;

/// Longest note or reason typed, in characters.
pub const MAX_TEXT: usize = 500;

/// What a text form is for.
#[derive(Debug, Clone)]
pub enum TextPurpose {
    /// `p`: a note for the approver (optional).
    Request { finding: Arc<Finding> },
    /// `n`: why the request is rejected (required).
    Reject { request: Box<ApprovalRequest> },
}

/// A one-line form over the view.
#[derive(Debug, Clone)]
pub struct ApprovalTextForm {
    pub purpose: TextPurpose,
    pub text: String,
    /// Why Enter did not submit.
    pub error: Option<String>,
}

/// The approval confirmation.
#[derive(Debug, Clone)]
pub struct ApproveDialog {
    pub request: ApprovalRequest,
    /// The request's account is of class `prod`: confirming needs a capital `Y`.
    pub prod: bool,
    pub scroll: u16,
}

impl App {
    /// The note form of `p` for `finding`.
    pub(super) fn open_request_form(&mut self, finding: Arc<Finding>) {
        let form = ApprovalTextForm { purpose: TextPurpose::Request { finding }, text: String::new(), error: None };
        self.dialog = Some(Dialog::ApprovalText(Box::new(form)));
    }

    /// The selected request, pending, in the Approvals view; else the status line says why not.
    fn pending_selected(&mut self, key: char) -> Option<ApprovalRequest> {
        if self.view != View::Approvals {
            self.status_message =
                Some(format!("{key} decides the selected approval request: in the Approvals view (7)"));
            return None;
        }
        if !self.approvals_usable() {
            return None;
        }
        let Some(request) = self.approvals.selected_request() else {
            self.status_message = Some("no approval request selected".into());
            return None;
        };
        if request.status != ApprovalStatus::Pending {
            self.status_message = Some(request.already_decided());
            return None;
        }
        Some(request.clone())
    }

    /// `y` in the Approvals view: the confirmation showing the request's plan.
    pub(super) fn start_approve(&mut self) {
        let Some(request) = self.pending_selected('y') else { return };
        let prod = request.account_class == PROD_CLASS || self.is_prod(&request.finding.account_id);
        self.dialog = Some(Dialog::Approve(Box::new(ApproveDialog { request, prod, scroll: 0 })));
    }

    /// `n` in the Approvals view: the reason form.
    pub(super) fn start_reject(&mut self) {
        let Some(request) = self.pending_selected('n') else { return };
        let purpose = TextPurpose::Reject { request: Box::new(request) };
        self.dialog =
            Some(Dialog::ApprovalText(Box::new(ApprovalTextForm { purpose, text: String::new(), error: None })));
    }

    /// A key in the approval confirmation.
    pub(super) fn on_approve_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(Dialog::Approve(d)) = self.dialog.as_mut() else { return Vec::new() };
        match DialogKey::of(super::keys::CONFIRM_PLAN, key) {
            None => Vec::new(),
            Some(DialogKey::Scroll(step)) => {
                scroll(&mut d.scroll, step);
                Vec::new()
            }
            Some(DialogKey::No) => {
                self.dialog = None;
                self.status_message = Some("cancelled: nothing approved".into());
                Vec::new()
            }
            Some(DialogKey::Yes) if d.prod => {
                self.status_message = Some("a production account is changed: press capital Y to approve".into());
                Vec::new()
            }
            Some(DialogKey::Yes | DialogKey::CapitalYes) => {
                let id = d.request.id.clone();
                self.dialog = None;
                self.status_message = Some(format!("approving request {id}…"));
                let req = self.next_req();
                vec![Effect::Approval { req, op: ApprovalOp::Approve { id } }]
            }
        }
    }

    /// A key in the note or reason form.
    pub(super) fn on_approval_text_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(Dialog::ApprovalText(form)) = self.dialog.as_mut() else { return Vec::new() };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match (lookup(TEXT_FORM, Key::of(key)), key.code) {
            (Some(Action::Cancel), _) => self.cancel_form(),
            (Some(Action::ClearInput), _) => form.text.clear(),
            (Some(Action::DeleteChar), _) => {
                form.text.pop();
            }
            (Some(Action::Submit), _) => return self.submit_text_form(),
            (None, KeyCode::Char(c)) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                if form.text.chars().count() < MAX_TEXT {
                    form.text.push(c);
                    form.error = None;
                } else {
                    form.error = Some(format!("at most {MAX_TEXT} characters"));
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn cancel_form(&mut self) {
        self.dialog = None;
        self.status_message = Some("cancelled: nothing changed".into());
    }

    /// Enter: the request with its note, or the rejection once a reason is typed.
    fn submit_text_form(&mut self) -> Vec<Effect> {
        let Some(Dialog::ApprovalText(form)) = self.dialog.as_mut() else { return Vec::new() };
        let text = form.text.trim().to_string();
        let op = match &form.purpose {
            TextPurpose::Request { finding } => {
                let label = finding
                    .primary_resource()
                    .map(|r| r.short_id().to_string())
                    .unwrap_or_else(|| finding.title.to_string());
                self.status_message = Some(format!("putting {label} up for approval: reading its live state…"));
                ApprovalOp::Request { finding: finding.clone(), note: (!text.is_empty()).then_some(text) }
            }
            TextPurpose::Reject { .. } if text.is_empty() => {
                form.error = Some("a reason is needed: it is recorded and sent with the rejection".into());
                return Vec::new();
            }
            TextPurpose::Reject { request } => {
                self.status_message = Some(format!("rejecting request {}…", request.id));
                ApprovalOp::Reject { id: request.id.clone(), reason: text }
            }
        };
        self.dialog = None;
        let req = self.next_req();
        vec![Effect::Approval { req, op }]
    }
}
