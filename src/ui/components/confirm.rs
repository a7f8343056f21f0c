//! What the confirmation dialogs share: the meaning of their keys, scrolling, and the checks before anything is
//! confirmed (read-only mode, a capital `Y` for production accounts).

use crate::ui::context::Context;
use crate::ui::keys::{lookup, Action, Binding, Key};
use crossterm::event::KeyEvent;

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
