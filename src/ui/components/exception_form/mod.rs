//! `x`: the exception form (reason, expiry, owner, controls) on the selected finding's resource or the selected
//! entry of the Exceptions view. Input is checked with `engine::exceptions::validate` before anything leaves, and
//! the error is shown under the field it names; what is confirmed leaves as `Effect::Exception`.

use super::component::{Component, Step};
use crate::engine::exceptions::{validate, ExceptionOp};
use crate::policy::exception::ExceptionTag;
use crate::ui::context::Context;
use crate::ui::effect::Effect;
use crate::ui::keys::{b, c, k, Action as A, Key as K};
use crate::ui::keys::{lookup, Action, Binding, Key};
use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Frame;

mod draw;
mod form;

pub use draw::target_lines;
pub use form::{ExceptionDialog, ExceptionField, ExceptionTarget, Subject, EXCEPTIONS_NEED_LIVE_ACCESS};

/// The exception form; other characters are typed into the focused field.
pub const FORM_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Tab), k(KeyCode::Down)], A::NextField, "next field"),
    b(&[k(KeyCode::BackTab), k(KeyCode::Up)], A::PreviousField, "previous field"),
    b(&[k(KeyCode::Enter)], A::Submit, "check the input, then add or renew the exception"),
    b(&[k(KeyCode::Esc), K::ctrl('c')], A::Cancel, "cancel: nothing changes"),
    b(&[K::ctrl('u')], A::ClearInput, "clear the field"),
    b(&[k(KeyCode::Backspace)], A::DeleteChar, "delete the last character"),
];
/// The exception form once valid input waits for the capital `Y` of a production account.
pub const CONFIRM_KEYS: &[Binding] = &[
    b(&[c('Y')], A::ConfirmProd, "confirm the change in the production account"),
    b(&[k(KeyCode::Esc), c('n')], A::Cancel, "back to the form"),
];

impl ExceptionDialog {
    /// `x`: the form, prefilled from a valid exception (renewal) or with the defaults and `controls`; offline or
    /// without a subject the status line says why not.
    pub fn open(subject: Result<Subject, String>, controls: String, ctx: &mut Context) -> Option<Self> {
        if !ctx.can_fix {
            ctx.say(EXCEPTIONS_NEED_LIVE_ACCESS);
            return None;
        }
        let (target, current, _) = match subject {
            Ok(subject) => subject,
            Err(why) => {
                ctx.say(why);
                return None;
            }
        };
        let controls = match &current {
            Some(ExceptionTag { controls: Some(list), .. }) => list.join(","),
            _ => controls,
        };
        let mut dialog = ExceptionDialog {
            controls,
            prod: ctx.is_prod(&target.account_id),
            reason: current.as_ref().map(|c| c.reason.clone()).unwrap_or_default(),
            expires: format!("{}d", ctx.exceptions.default_days),
            owner: current.as_ref().and_then(|c| c.owner.clone()).unwrap_or_else(|| ctx.operator.clone()),
            focus: ExceptionField::Reason,
            current,
            error: None,
            confirming: false,
            read_only: ctx.read_only,
            target,
        };
        // A resource that cannot carry tags is said at once, not after the operator typed a reason.
        dialog.error = validate(&dialog.input(), &ctx.exceptions, &ctx.operator, Utc::now())
            .err()
            .filter(|e| e.starts_with("resource:"));
        Some(dialog)
    }

    /// Enter (or the capital `Y` of a production account): validates, then submits unless read-only.
    fn submit(&mut self, confirmed: bool, ctx: &mut Context) -> Step {
        let input = self.input();
        if let Err(e) = validate(&input, &ctx.exceptions, &ctx.operator, Utc::now()) {
            self.focus = ExceptionField::of_error(&e).unwrap_or(self.focus);
            self.error = Some(e);
            self.confirming = false;
            return Step::Stay;
        }
        self.error = None;
        if self.read_only {
            ctx.say("read-only mode: nothing will be changed");
            return Step::Stay;
        }
        if self.prod && !confirmed {
            self.confirming = true;
            return Step::Stay;
        }
        let verb = if self.current.is_some() { "renewal" } else { "exception" };
        ctx.say(format!("{verb} on {} submitted: 3 shows the job", input.resource.short_id()));
        ctx.request(Effect::Exception(Box::new(ExceptionOp::Add(input))));
        Step::Close
    }
}

impl Component for ExceptionDialog {
    type Outcome = Step;

    fn keys(&self) -> &'static [Binding] {
        if self.confirming {
            CONFIRM_KEYS
        } else {
            FORM_KEYS
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        draw::form(frame, area, ctx, self);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Step {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if self.confirming {
            match lookup(CONFIRM_KEYS, Key::of(key)) {
                Some(Action::ConfirmProd) => return self.submit(true, ctx),
                Some(Action::Cancel) => self.confirming = false,
                _ => ctx.say("a production account is changed: press capital Y to confirm"),
            }
            return Step::Stay;
        }
        match (lookup(FORM_KEYS, Key::of(key)), key.code) {
            (Some(Action::Cancel), _) => {
                ctx.say("cancelled: nothing changed");
                return Step::Close;
            }
            (Some(Action::ClearInput), _) => {
                self.field(self.focus).clear();
                self.edited();
            }
            (Some(Action::NextField), _) => self.focus = self.focus.next(),
            (Some(Action::PreviousField), _) => self.focus = self.focus.previous(),
            (Some(Action::DeleteChar), _) => {
                self.field(self.focus).pop();
                self.edited();
            }
            (Some(Action::Submit), _) => return self.submit(false, ctx),
            (None, KeyCode::Char(c)) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                self.field(self.focus).push(c);
                self.edited();
            }
            _ => {}
        }
        Step::Stay
    }
}
