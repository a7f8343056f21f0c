//! The dialog on top of the view, one of the dialog components; while one is open it takes every key. And what a
//! view's key leads to, which can be opening one.

use super::action_menu::ActionMenu;
use super::apply::{ApplyDialog, Reading};
use super::approval_text::ApprovalTextForm;
use super::approve::ApproveDialog;
use super::component::{Component, Step};
use super::exception_form::ExceptionDialog;
use super::exception_removal::RemoveExceptionDialog;
use super::incident::IncidentDialog;
use super::picker::Picker;
use super::rollback::RollbackDialog;
use crate::ui::context::Context;
use crate::ui::keys::Binding;
use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

/// A dialog over the current view.
#[derive(Debug, Clone)]
pub enum Dialog {
    /// Waiting for the live state of the findings to apply.
    Reading(Reading),
    /// The live plans of the findings to apply, to confirm.
    Apply(Box<ApplyDialog>),
    /// The fix a rollback undoes, to confirm.
    Rollback(Box<RollbackDialog>),
    /// Switch incident mode?
    Incident(IncidentDialog),
    /// The exception form (`x`).
    Exception(Box<ExceptionDialog>),
    /// Remove this exception?
    RemoveException(Box<RemoveExceptionDialog>),
    /// The custom actions offered (`c`), then "run this action?" when it asks first.
    Actions(Box<ActionMenu>),
    /// The note of an approval request (`p`) or the reason of a rejection (`n`).
    ApprovalText(Box<ApprovalTextForm>),
    /// Approve this request and carry it out?
    Approve(Box<ApproveDialog>),
    /// The account or region picker (`A`, `R`).
    Picker(Box<Picker>),
}

/// What a key does in a view.
#[derive(Debug)]
pub enum Outcome {
    /// Not one of the view's keys: the global keys get it.
    NotHandled,
    Handled,
    /// Opens this dialog on top.
    Open(Dialog),
    /// Starts typing the query (`/`).
    StartQuery,
}

impl Dialog {
    fn component(&self) -> &dyn Component<Outcome = Step> {
        match self {
            Dialog::Reading(d) => d,
            Dialog::Apply(d) => d.as_ref(),
            Dialog::Rollback(d) => d.as_ref(),
            Dialog::Incident(d) => d,
            Dialog::Exception(d) => d.as_ref(),
            Dialog::RemoveException(d) => d.as_ref(),
            Dialog::Actions(d) => d.as_ref(),
            Dialog::ApprovalText(d) => d.as_ref(),
            Dialog::Approve(d) => d.as_ref(),
            Dialog::Picker(d) => d.as_ref(),
        }
    }

    fn component_mut(&mut self) -> &mut dyn Component<Outcome = Step> {
        match self {
            Dialog::Reading(d) => d,
            Dialog::Apply(d) => d.as_mut(),
            Dialog::Rollback(d) => d.as_mut(),
            Dialog::Incident(d) => d,
            Dialog::Exception(d) => d.as_mut(),
            Dialog::RemoveException(d) => d.as_mut(),
            Dialog::Actions(d) => d.as_mut(),
            Dialog::ApprovalText(d) => d.as_mut(),
            Dialog::Approve(d) => d.as_mut(),
            Dialog::Picker(d) => d.as_mut(),
        }
    }

    /// The key table of the dialog as it is now.
    pub fn keys(&self) -> &'static [Binding] {
        self.component().keys()
    }

    /// Draws the dialog over `area`.
    pub fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        self.component().draw(frame, area, ctx);
    }

    /// A key: whether the dialog stays open.
    pub fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Step {
        self.component_mut().handle_key(key, ctx)
    }
}
