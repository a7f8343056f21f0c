//! The Exceptions view (`5`): every exception across accounts and regions, soonest expiry first; `x` renews and
//! `X` removes the selected one, `r` lists again; an ended exception job lists them again.

use super::component::{nav_delta, step, Component};
use super::dialog::{Dialog, Outcome};
use super::exception_form::{ExceptionDialog, ExceptionTarget, Subject, EXCEPTIONS_NEED_LIVE_ACCESS};
use super::exception_removal::RemoveExceptionDialog;
use crate::engine::exceptions::ExceptionEntry;
use crate::engine::jobs::{JobKind, JobUpdate};
use crate::model::sanitize;
use crate::policy::exception::ExceptionTag;
use crate::ui::context::Context;
use crate::ui::effect::Effect;
use crate::ui::keys::{b, c, k, Action as A};
use crate::ui::keys::{Action, Binding};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::Frame;

mod list;
mod view;

pub use list::{days_left_words, status_word, ExceptionList};

/// The Exceptions view.
pub const KEYS: &[Binding] = &[
    b(&[c('j'), k(KeyCode::Down)], A::Down, "next exception"),
    b(&[c('k'), k(KeyCode::Up)], A::Up, "previous exception"),
    b(&[k(KeyCode::PageDown)], A::PageDown, "one page down"),
    b(&[k(KeyCode::PageUp)], A::PageUp, "one page up"),
    b(&[c('g'), k(KeyCode::Home)], A::Top, "soonest expiry"),
    b(&[c('G'), k(KeyCode::End)], A::Bottom, "latest expiry"),
    b(&[c('x')], A::AddException, "renew the selected exception (form)"),
    b(&[c('X')], A::RemoveException, "remove the selected exception (confirm)"),
    b(&[c('r')], A::RefreshNow, "list the exceptions of every account and region again"),
];

/// The valid exception an entry of the Exceptions view shows.
fn entry_tag(entry: &ExceptionEntry) -> Option<ExceptionTag> {
    let expires = entry.expires.filter(|_| entry.status.applies())?;
    Some(ExceptionTag { reason: entry.reason.clone(), expires, owner: entry.owner.clone(), controls: None })
}

impl ExceptionList {
    /// What `x` and `X` act on here: the selected entry, with its valid exception, and a note when its tags do not
    /// apply.
    fn subject(&self) -> Result<Subject, String> {
        let entry = self.selected_entry().ok_or("no exception selected")?;
        let note = entry_tag(entry).is_none().then(|| format!("'{}' ({})", entry.reason, status_word(entry)));
        Ok((ExceptionTarget::of_entry(entry), entry_tag(entry), note))
    }

    /// `5` and `r`: lists the exceptions across every account and region.
    pub fn refresh(&mut self, ctx: &mut Context) {
        if !ctx.can_fix {
            ctx.say(EXCEPTIONS_NEED_LIVE_ACCESS);
            return;
        }
        self.loading = true;
        ctx.request(Effect::RefreshExceptions);
    }

    /// An exception job ended: the listing (once asked for) and the verdicts of the resource's findings are read
    /// again; the status line says how it went.
    pub fn after_job(&mut self, update: &JobUpdate, ctx: &mut Context) {
        let what = if update.kind == JobKind::ExceptionRemove { "exception removal" } else { "exception" };
        let detail = update.state.detail().map(|d| format!(": {}", sanitize::single_line(d))).unwrap_or_default();
        ctx.say(format!(
            "job #{} {what} on {}: {}{detail}",
            update.id,
            sanitize::single_line(&update.resource),
            update.state.word()
        ));
        if ctx.can_fix && (self.listed_at.is_some() || self.loading) {
            self.loading = true;
            ctx.request(Effect::RefreshExceptions);
        }
        ctx.reassess_after_exception(update);
    }
}

impl Component for ExceptionList {
    type Outcome = Outcome;

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        view::draw(frame, area, ctx, self);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Outcome {
        match self.action_of(key) {
            Some(
                action @ (Action::Down | Action::Up | Action::PageDown | Action::PageUp | Action::Top | Action::Bottom),
            ) => self.selected = step(self.selected, self.entries.len(), nav_delta(action, ctx.table_height)),
            Some(Action::RefreshNow) => self.refresh(ctx),
            Some(Action::AddException) => {
                return match ExceptionDialog::open(self.subject(), String::new(), ctx) {
                    Some(form) => Outcome::Open(Dialog::Exception(Box::new(form))),
                    None => Outcome::Handled,
                }
            }
            Some(Action::RemoveException) => {
                return match RemoveExceptionDialog::open(self.subject(), ctx) {
                    Some(d) => Outcome::Open(Dialog::RemoveException(Box::new(d))),
                    None => Outcome::Handled,
                }
            }
            _ => return Outcome::NotHandled,
        }
        Outcome::Handled
    }
}
