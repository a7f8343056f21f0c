//! `X`: the confirmation that removes an exception (only its tags) from the selected finding's resource, or from
//! the selected entry of the Exceptions view; confirmed, it leaves as `Effect::Exception(ExceptionOp::Remove)`.

use super::component::{Component, Step};
use super::confirm::CONFIRM;
use super::confirm::{decide, Decision};
use super::exception_form::{target_lines, ExceptionTarget, Subject, EXCEPTIONS_NEED_LIVE_ACCESS};
use super::popup::popup;
use crate::engine::exceptions::ExceptionOp;
use crate::model::sanitize;
use crate::policy::exception::ExceptionTag;
use crate::ui::context::Context;
use crate::ui::effect::Effect;
use crate::ui::keys::Binding;
use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::Frame;

/// The removal confirmation.
#[derive(Debug, Clone)]
pub struct RemoveExceptionDialog {
    pub target: ExceptionTarget,
    /// The exception in words: "'reason' (expires 2026-12-01, owner alice)".
    pub what: String,
    /// The account is of class `prod`: confirming needs a capital `Y`.
    pub prod: bool,
    pub read_only: bool,
}

/// "'reason' (expires 2026-12-01, owner alice)".
fn describe(tag: &ExceptionTag) -> String {
    let owner = tag.owner.as_deref().map(|o| format!(", owner {o}")).unwrap_or_default();
    format!("'{}' (expires {}{owner})", tag.reason, tag.expires.format("%Y-%m-%d"))
}

impl RemoveExceptionDialog {
    /// `X`: asks to remove the exception of the subject; offline, without a subject or without an exception the
    /// status line says why not.
    pub fn open(subject: Result<Subject, String>, ctx: &mut Context) -> Option<Self> {
        if !ctx.can_fix {
            ctx.say(EXCEPTIONS_NEED_LIVE_ACCESS);
            return None;
        }
        let (target, current, note) = match subject {
            Ok(subject) => subject,
            Err(why) => {
                ctx.say(why);
                return None;
            }
        };
        let what = match (current.as_ref().map(describe), note) {
            (Some(what), _) | (None, Some(what)) => what,
            (None, None) => {
                ctx.say(format!("no exception on {}: x adds one", target.resource.short_id()));
                return None;
            }
        };
        let prod = ctx.is_prod(&target.account_id);
        Some(Self { target, what, prod, read_only: ctx.read_only })
    }
}

impl Component for RemoveExceptionDialog {
    type Outcome = Step;

    fn keys(&self) -> &'static [Binding] {
        CONFIRM
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        draw(frame, area, ctx, self);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Step {
        match decide(CONFIRM, key, None, (self.prod, self.read_only), ctx) {
            Decision::Stay => Step::Stay,
            Decision::Cancelled => Step::Close,
            Decision::Confirmed => {
                let t = self.target.clone();
                ctx.say(format!("removal of the exception on {} submitted: 3 shows the job", t.resource.short_id()));
                ctx.request(Effect::Exception(Box::new(ExceptionOp::Remove {
                    account_id: t.account_id,
                    region: t.region,
                    resource: t.resource,
                })));
                Step::Close
            }
        }
    }
}

/// Draws the removal confirmation.
fn draw(frame: &mut Frame, area: Rect, ctx: &Context, d: &RemoveExceptionDialog) {
    let t = &ctx.theme;
    let banner = Style::default().fg(t.background).bg(t.error).add_modifier(Modifier::BOLD);
    let mut lines = Vec::new();
    if d.read_only {
        lines.push(Line::styled(" read-only mode: nothing will be changed ", banner));
    }
    lines.push(Line::styled(
        sanitize::single_line(&format!("remove exception {} from {}?", d.what, d.target.resource.short_id())),
        Style::default().add_modifier(Modifier::BOLD),
    ));
    lines.extend(target_lines(&d.target, ctx));
    lines.push(Line::styled(
        "Only the exception's tags are deleted; every other tag stays. The normal verdict applies again.",
        Style::default().fg(t.muted),
    ));
    if d.prod {
        lines.push(Line::styled(" PRODUCTION: this account is class prod — press capital Y to remove ", banner));
    }
    let keys = if d.read_only {
        " read-only: n / Esc close "
    } else if d.prod {
        " Y (capital) remove · n / Esc cancel "
    } else {
        " y / Enter remove · n / Esc cancel "
    };
    popup(frame, area, t, " Remove exception? ", lines, 0, (100, u16::MAX), keys);
}
