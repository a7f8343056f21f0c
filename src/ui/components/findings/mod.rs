//! The Findings view (`1`): the findings table over the selected finding's detail pane; the keys that act on the
//! selected (or marked) findings open their dialogs: apply, rollback, exceptions, custom actions, approval.

use super::action_menu::ActionMenu;
use super::apply::Reading;
use super::approval_text::{ApprovalTextForm, TextPurpose};
use super::component::Component;
use super::dialog::{Dialog, Outcome};
use super::exception_form::{ExceptionDialog, ExceptionTarget, Subject};
use super::exception_removal::RemoveExceptionDialog;
use super::picker::{Picker, PickerKind};
use super::rollback::RollbackDialog;
use crate::ui::context::{Context, NEEDS_LIVE_ACCESS};
use crate::ui::effect::Effect;
use crate::ui::keys::{b, c, k, Action as A};
use crate::ui::keys::{Action, Binding};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

mod columns;
pub mod detail;
mod filters;
mod group_line;
pub mod grouping;
mod history;
mod state;
pub mod table;

pub use state::{FindingsView, Focus};

/// The Findings view.
pub const KEYS: &[Binding] = &[
    b(&[c('j'), k(KeyCode::Down)], A::Down, "next finding (or scroll the detail pane)"),
    b(&[c('k'), k(KeyCode::Up)], A::Up, "previous finding (or scroll the detail pane)"),
    b(&[k(KeyCode::PageDown)], A::PageDown, "one page down"),
    b(&[k(KeyCode::PageUp)], A::PageUp, "one page up"),
    b(&[c('g'), k(KeyCode::Home)], A::Top, "first finding"),
    b(&[c('G'), k(KeyCode::End)], A::Bottom, "last finding"),
    b(&[k(KeyCode::Tab), k(KeyCode::Enter)], A::ToggleFocus, "move focus between table and detail pane"),
    b(&[c('/')], A::StartFilter, "query: words, or sev>=high control:S3.* age>7d … (Esc cancels)"),
    b(&[c('S')], A::CycleSeverity, "severity filter: CRITICAL, HIGH+, MEDIUM+, LOW+, all"),
    b(&[c('A')], A::PickAccount, "account filter: pick one, type to narrow (:account)"),
    b(&[c('R')], A::PickRegion, "region filter: pick one, type to narrow (:region)"),
    b(&[c('V')], A::CycleVerdict, "verdict filter: cycle through verdicts"),
    b(&[k(KeyCode::Esc)], A::ClearFilters, "clear every filter; with no filter set, clear the marks"),
    b(&[c('o')], A::CycleSort, "sort by the next column"),
    b(&[c('O')], A::ReverseSort, "reverse the sort order"),
    b(&[c('J')], A::ToggleRaw, "show / hide the raw JSON in the detail pane"),
    b(&[c('C')], A::ToggleClosed, "show / hide resolved, suppressed and archived findings"),
    b(&[c('b')], A::CycleGroup, "group by control, resource, account, or not (:group)"),
    b(&[c('z')], A::ToggleFold, "open / fold the group (Enter on a group header too)"),
    b(&[c('Z')], A::ToggleAllFolds, "open every group / fold them all"),
    b(&[c(' ')], A::ToggleMark, "mark / unmark the finding or a whole group (a applies to marks)"),
    b(&[c('a')], A::Apply, "apply the marked (or selected) findings: live plans, confirm"),
    b(&[c('u')], A::Rollback, "roll back the last verified fix of the finding's resource"),
    b(&[c('x')], A::AddException, "add or renew an exception on the resource (form)"),
    b(&[c('X')], A::RemoveException, "remove the exception from the resource (confirm)"),
    b(&[c('c')], A::ActionMenu, "custom actions for the selected (or marked) findings"),
    b(&[c('p')], A::RequestApproval, "put the plan up for approval (optional note)"),
];

/// What `x` and `X` act on here: the selected finding's resource, with its valid exception, and a note when tags
/// are there but do not apply.
fn subject(ctx: &Context) -> Result<Subject, String> {
    let row = ctx.listing.selected_row().ok_or("no finding selected")?;
    let target = ExceptionTarget::of_finding(&row.finding).ok_or("this finding names no resource")?;
    let decision = &row.decision;
    let tagged = target.resource.tags.contains_key(&ctx.exceptions.tags.reason_tag);
    let note = decision.exception_note.clone().or_else(|| tagged.then(|| "exception tags present".into()));
    Ok((target, decision.exception.as_deref().cloned(), note))
}

/// `a`: asks for the live plans of the marked findings (or the selected one) and shows "reading live state…".
fn start_apply(ctx: &mut Context) -> Option<Dialog> {
    if !ctx.can_fix {
        ctx.say(NEEDS_LIVE_ACCESS);
        return None;
    }
    let findings = ctx.marked_or_selected();
    if findings.is_empty() {
        ctx.say("no finding selected");
        return None;
    }
    let req = ctx.next_req();
    let count = findings.len();
    ctx.request(Effect::PreviewApply { req, findings });
    Some(Dialog::Reading(Reading { req, count }))
}

/// `p`: the note form for putting the selected finding's plan up for approval.
fn start_request_approval(ctx: &mut Context) -> Option<Dialog> {
    if !ctx.approvals_usable() {
        return None;
    }
    let Some(row) = ctx.listing.selected_row() else {
        ctx.say("no finding selected");
        return None;
    };
    let form = ApprovalTextForm::new(TextPurpose::Request { finding: row.finding.clone() });
    Some(Dialog::ApprovalText(Box::new(form)))
}

impl FindingsView {
    /// An action of the view's table; the dialog it opens, if any.
    fn act(&mut self, action: Action, ctx: &mut Context) -> Option<Dialog> {
        let page = ctx.table_height.max(1) as isize;
        let detail = self.focus == Focus::Detail;
        match action {
            Action::Down if detail => self.detail_scroll = self.detail_scroll.saturating_add(1),
            Action::Up if detail => self.detail_scroll = self.detail_scroll.saturating_sub(1),
            Action::Down => ctx.listing.move_by(1),
            Action::Up => ctx.listing.move_by(-1),
            Action::PageDown => ctx.listing.move_by(page),
            Action::PageUp => ctx.listing.move_by(-page),
            Action::Top => ctx.listing.select_edge(false),
            Action::Bottom => ctx.listing.select_edge(true),
            Action::ToggleFocus if ctx.listing.on_header() => ctx.listing.toggle_fold(),
            Action::PickAccount => return Some(Dialog::Picker(Box::new(Picker::open(PickerKind::Account, ctx)))),
            Action::PickRegion => return Some(Dialog::Picker(Box::new(Picker::open(PickerKind::Region, ctx)))),
            Action::CycleGroup | Action::ToggleFold | Action::ToggleAllFolds => grouping::apply(action, ctx),
            Action::ToggleFocus => {
                self.focus = if self.focus == Focus::Table { Focus::Detail } else { Focus::Table };
            }
            Action::ToggleRaw => {
                self.show_raw = !self.show_raw;
                self.detail_scroll = 0;
            }
            Action::ToggleMark => grouping::toggle_mark(ctx),
            Action::Apply => return start_apply(ctx),
            Action::Rollback => return RollbackDialog::open(ctx).map(|d| Dialog::Rollback(Box::new(d))),
            Action::AddException => {
                // The finding's own control by default: an exception for what was looked at, not for every control.
                let control = ctx
                    .listing
                    .selected_row()
                    .and_then(|r| r.finding.control_id.as_deref().map(str::to_string))
                    .unwrap_or_default();
                return ExceptionDialog::open(subject(ctx), control, ctx).map(|d| Dialog::Exception(Box::new(d)));
            }
            Action::RemoveException => {
                return RemoveExceptionDialog::open(subject(ctx), ctx).map(|d| Dialog::RemoveException(Box::new(d)))
            }
            Action::ActionMenu => return ActionMenu::open(ctx).map(|m| Dialog::Actions(Box::new(m))),
            Action::RequestApproval => return start_request_approval(ctx),
            other => filters::apply(other, ctx),
        }
        None
    }
}

impl Component for FindingsView {
    type Outcome = Outcome;

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        let table_rows = (area.height as usize * 55 / 100).max(3) as u16;
        let [table_area, detail_area] =
            Layout::vertical([Constraint::Length(table_rows), Constraint::Min(3)]).areas(area);
        table::draw(frame, table_area, ctx, self.focus);
        detail::draw(frame, detail_area, ctx, self);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Outcome {
        let Some(action) = self.action_of(key) else { return Outcome::NotHandled };
        if action == Action::StartFilter {
            return Outcome::StartQuery;
        }
        let before = ctx.selected_key();
        let opened = self.act(action, ctx);
        ctx.listing.refresh();
        if ctx.selected_key() != before {
            self.detail_scroll = 0;
        }
        match opened {
            Some(dialog) => Outcome::Open(dialog),
            None => Outcome::Handled,
        }
    }
}
