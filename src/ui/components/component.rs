//! The shape of every view and dialog (as gitui's components have it): it owns its state, answers its keys through
//! its key table, and draws itself from its state and the shared context.

use crate::ui::context::Context;
use crate::ui::keys::{lookup, Action, Binding, Key};
use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;

/// A view or a dialog.
pub trait Component {
    /// What a key leads to: for a view, whether it handled the key or opens a dialog; for a dialog, whether it stays.
    type Outcome;

    /// Its key table: dispatch looks keys up in it and the help lists it.
    fn keys(&self) -> &'static [Binding];

    /// Draws itself into `area`.
    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context);

    /// Handles a key.
    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Self::Outcome;

    /// The intent of a key in its table.
    fn action_of(&self, key: KeyEvent) -> Option<Action> {
        lookup(self.keys(), Key::of(key))
    }
}

/// What a dialog or a typed line does after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Stay,
    Close,
}

/// How far a movement key moves a selection: a row, a page of `page` rows, or to an end (`isize::MIN` / `MAX`).
pub fn nav_delta(action: Action, page: usize) -> isize {
    let page = page.max(1) as isize;
    match action {
        Action::Down => 1,
        Action::Up => -1,
        Action::PageDown => page,
        Action::PageUp => -page,
        Action::Top => isize::MIN,
        Action::Bottom => isize::MAX,
        _ => 0,
    }
}

/// A selection `at` among `len` entries moved by `delta`; `isize::MIN` / `MAX` go to the first / last entry.
pub fn step(at: usize, len: usize, delta: isize) -> usize {
    match delta {
        isize::MIN => 0,
        isize::MAX => len.saturating_sub(1),
        d => at.saturating_add_signed(d).min(len.saturating_sub(1)),
    }
}
