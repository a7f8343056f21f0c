//! Keys, the intents they map to, and what a key table is: one table per context of (keys, intent, help text).
//! The global keys are here; each view and dialog keeps its own table in its component. Dispatch looks keys up in
//! the table of the context that has them, and the `?` help lists the same tables, so no key is bound without help
//! or documented without being bound.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Something the user wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    ToggleFocus,
    StartFilter,
    StartCommand,
    ClearFilters,
    CycleSeverity,
    /// Open the account picker.
    PickAccount,
    /// Open the region picker.
    PickRegion,
    CycleVerdict,
    CycleSort,
    ReverseSort,
    ToggleRaw,
    ToggleClosed,
    /// Group the table by the next of control, resource, account, none.
    CycleGroup,
    /// Open or fold the group under the cursor.
    ToggleFold,
    /// Open every group, or fold them all.
    ToggleAllFolds,
    ShowFindings,
    ShowSources,
    ShowJobs,
    ShowAudit,
    ShowExceptions,
    ShowOutput,
    ShowApprovals,
    ShowOverview,
    RefreshNow,
    ToggleMark,
    Apply,
    Rollback,
    ToggleIncident,
    AddException,
    RemoveException,
    ActionMenu,
    RequestApproval,
    ApproveRequest,
    RejectRequest,
    ToggleHelp,
    /// Close the help overlay.
    CloseHelp,
    /// Dialogs: yes (`y`, Enter).
    Confirm,
    /// Dialogs: a capital `Y`, which also confirms changes in production accounts.
    ConfirmProd,
    /// Dialogs and typed lines: no, close, go back.
    Cancel,
    /// Typed lines and forms: take what was typed.
    Submit,
    /// Forms: the next / previous field.
    NextField,
    PreviousField,
    /// Typed lines and forms: clear the field.
    ClearInput,
    /// Typed lines and forms: delete the last character.
    DeleteChar,
    /// The command line: complete the word being typed.
    Complete,
}

/// A key: its code and whether Ctrl is held (Shift is in the character; Alt is not told apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    /// A character key.
    pub const fn char(c: char) -> Self {
        Self { code: KeyCode::Char(c), ctrl: false }
    }

    /// A named key (arrows, Enter, Esc…).
    pub const fn code(code: KeyCode) -> Self {
        Self { code, ctrl: false }
    }

    /// Ctrl and a character.
    pub const fn ctrl(c: char) -> Self {
        Self { code: KeyCode::Char(c), ctrl: true }
    }

    /// The key of a terminal key event.
    pub fn of(event: KeyEvent) -> Self {
        Self { code: event.code, ctrl: event.modifiers.contains(KeyModifiers::CONTROL) }
    }

    /// How help writes the key: `j`, `↓`, `PgDn`, `space`, `Ctrl-C`.
    pub fn label(self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) if self.ctrl => c.to_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Down => "↓".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Backspace => "Backspace".into(),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("Ctrl-{name}")
        } else {
            name
        }
    }
}

/// Keys, the intent they trigger, and what help says about them.
#[derive(Debug)]
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub help: &'static str,
}

impl Binding {
    /// The keys as help writes them: `j / ↓`.
    pub fn label(&self) -> String {
        self.keys.iter().map(|k| k.label()).collect::<Vec<_>>().join(" / ")
    }

    /// Whether `key` is one of its keys.
    pub fn binds(&self, key: Key) -> bool {
        self.keys.contains(&key)
    }
}

/// The intent of `key` in `table`: its first binding naming the key.
pub fn lookup(table: &[Binding], key: Key) -> Option<Action> {
    table.iter().find(|b| b.binds(key)).map(|b| b.action)
}

/// The bindings help lists for a view: the view's own, then the global ones it does not override.
pub fn help_entries(view: &'static [Binding], global: &'static [Binding]) -> Vec<&'static Binding> {
    let shadowed = |b: &Binding| b.keys.iter().all(|k| lookup(view, *k).is_some());
    view.iter().chain(global.iter().filter(|b| !shadowed(b))).collect()
}

/// A binding (for the tables).
pub const fn b(keys: &'static [Key], action: Action, help: &'static str) -> Binding {
    Binding { keys, action, help }
}

/// A character key (for the tables).
pub const fn c(c: char) -> Key {
    Key::char(c)
}

/// A named key (for the tables).
pub const fn k(code: KeyCode) -> Key {
    Key::code(code)
}

/// Keys of every view (the view's own table comes first and can override them).
pub const GLOBAL: &[Binding] = &[
    b(&[c(':')], Action::StartCommand, ":overview :group :account :region :sort :theme :quit (Tab)"),
    b(&[c('1')], Action::ShowFindings, "Findings view"),
    b(&[c('2')], Action::ShowSources, "Sources view: state of every account × region"),
    b(&[c('3')], Action::ShowJobs, "Jobs view: every fix and rollback with its state"),
    b(&[c('4')], Action::ShowAudit, "Audit view: the audit log and time to safe state"),
    b(&[c('5')], Action::ShowExceptions, "Exceptions view: all accounts and regions, by expiry"),
    b(&[c('6')], Action::ShowOutput, "Output view: what custom actions printed, newest first"),
    b(&[c('7')], Action::ShowApprovals, "Approvals view: approval requests with their plans"),
    b(&[c('0')], Action::ShowOverview, "Overview: counts, top accounts and controls, trend, outcomes"),
    b(&[c('I')], Action::ToggleIncident, "incident mode on / off: lifts change windows (confirm)"),
    b(&[c('r')], Action::RefreshNow, "refresh now: fetch what changed since the last sync"),
    b(&[c('?')], Action::ToggleHelp, "this help"),
    b(&[c('q'), Key::ctrl('c')], Action::Quit, "quit"),
];

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;
