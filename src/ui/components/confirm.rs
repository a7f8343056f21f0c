//! What the confirmation dialogs share: the meaning of their keys, scrolling, and the checks before anything is
//! confirmed (read-only mode, a capital `Y` for production accounts).

use crate::ui::context::Context;
use crate::ui::keys::{b, c, k, Action as A};
use crate::ui::keys::{lookup, Action, Binding, Key};
use crossterm::event::{KeyCode, KeyEvent};

/// Confirmations that fit on one screen: incident mode, removing an exception, running a custom action.
pub const CONFIRM: &[Binding] = &[
    b(&[c('y'), k(KeyCode::Enter)], A::Confirm, "confirm"),
    b(&[c('Y')], A::ConfirmProd, "confirm, also in a production account"),
    b(&[c('n'), k(KeyCode::Esc), c('q')], A::Cancel, "cancel: nothing changes"),
];
/// Confirmations that show a plan and scroll: apply, rollback, approval.
pub const CONFIRM_PLAN: &[Binding] = &[
    b(&[c('y'), k(KeyCode::Enter)], A::Confirm, "confirm"),
    b(&[c('Y')], A::ConfirmProd, "confirm, also in a production account"),
    b(&[c('n'), k(KeyCode::Esc), c('q')], A::Cancel, "cancel: nothing changes"),
    b(&[c('j'), k(KeyCode::Down)], A::Down, "scroll down"),
    b(&[c('k'), k(KeyCode::Up)], A::Up, "scroll up"),
    b(&[k(KeyCode::PageDown)], A::PageDown, "scroll a page down"),
    b(&[k(KeyCode::PageUp)], A::PageUp, "scroll a page up"),
    b(&[c('g'), k(KeyCode::Home)], A::Top, "scroll to the top"),
];

/// What a key does in a confirmation.
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
    pub fn of(table: &[Binding], key: KeyEvent) -> Option<Self> {
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

/// Applies a scroll step to a dialog's offset.
pub fn scroll(offset: &mut u16, step: i16) {
    *offset = if step == i16::MIN { 0 } else { offset.saturating_add_signed(step) };
}

/// Where a key leaves a confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Stay,
    /// Cancelled: nothing changes.
    Cancelled,
    /// Confirmed: carry it out.
    Confirmed,
}

/// A key in a confirmation: `n` cancels, scroll keys scroll `offset`, and in read-only mode or (without a capital
/// `Y`) in a production account the status line says why nothing is confirmed.
pub fn decide(
    table: &[Binding],
    key: KeyEvent,
    offset: Option<&mut u16>,
    (prod, read_only): (bool, bool),
    ctx: &mut Context,
) -> Decision {
    match DialogKey::of(table, key) {
        None => Decision::Stay,
        Some(DialogKey::No) => {
            ctx.say("cancelled: nothing changed");
            Decision::Cancelled
        }
        Some(DialogKey::Scroll(step)) => {
            if let Some(offset) = offset {
                scroll(offset, step);
            }
            Decision::Stay
        }
        Some(_) if read_only => {
            ctx.say("read-only mode: nothing will be changed");
            Decision::Stay
        }
        Some(DialogKey::Yes) if prod => {
            ctx.say("a production account is changed: press capital Y to confirm");
            Decision::Stay
        }
        Some(DialogKey::Yes | DialogKey::CapitalYes) => Decision::Confirmed,
    }
}
