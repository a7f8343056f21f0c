//! Keys, the intents they map to, and the key tables: one table per context (the global keys, each view, each
//! dialog) of (keys, intent, help text). Dispatch looks keys up in the table of the context that has them, and the
//! `?` help lists the same table, so no key is bound without help or documented without being bound.

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

use KeyCode::{BackTab, Backspace, Down, End, Enter, Esc, Home, PageDown, PageUp, Tab, Up};

const fn b(keys: &'static [Key], action: Action, help: &'static str) -> Binding {
    Binding { keys, action, help }
}

const fn c(c: char) -> Key {
    Key::char(c)
}

const fn k(code: KeyCode) -> Key {
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

/// The Findings view.
pub const FINDINGS: &[Binding] = &[
    b(&[c('j'), k(Down)], Action::Down, "next finding (or scroll the detail pane)"),
    b(&[c('k'), k(Up)], Action::Up, "previous finding (or scroll the detail pane)"),
    b(&[k(PageDown)], Action::PageDown, "one page down"),
    b(&[k(PageUp)], Action::PageUp, "one page up"),
    b(&[c('g'), k(Home)], Action::Top, "first finding"),
    b(&[c('G'), k(End)], Action::Bottom, "last finding"),
    b(&[k(Tab), k(Enter)], Action::ToggleFocus, "move focus between table and detail pane"),
    b(&[c('/')], Action::StartFilter, "query: words, or sev>=high control:S3.* age>7d … (Esc cancels)"),
    b(&[c('S')], Action::CycleSeverity, "severity filter: CRITICAL, HIGH+, MEDIUM+, LOW+, all"),
    b(&[c('A')], Action::PickAccount, "account filter: pick one, type to narrow (:account)"),
    b(&[c('R')], Action::PickRegion, "region filter: pick one, type to narrow (:region)"),
    b(&[c('V')], Action::CycleVerdict, "verdict filter: cycle through verdicts"),
    b(&[k(Esc)], Action::ClearFilters, "clear every filter; with no filter set, clear the marks"),
    b(&[c('o')], Action::CycleSort, "sort by the next column"),
    b(&[c('O')], Action::ReverseSort, "reverse the sort order"),
    b(&[c('J')], Action::ToggleRaw, "show / hide the raw JSON in the detail pane"),
    b(&[c('C')], Action::ToggleClosed, "show / hide resolved, suppressed and archived findings"),
    b(&[c('b')], Action::CycleGroup, "group by control, resource, account, or not (:group)"),
    b(&[c('z')], Action::ToggleFold, "open / fold the group (Enter on a group header too)"),
    b(&[c('Z')], Action::ToggleAllFolds, "open every group / fold them all"),
    b(&[c(' ')], Action::ToggleMark, "mark / unmark the finding or a whole group (a applies to marks)"),
    b(&[c('a')], Action::Apply, "apply the marked (or selected) findings: live plans, confirm"),
    b(&[c('u')], Action::Rollback, "roll back the last verified fix of the finding's resource"),
    b(&[c('x')], Action::AddException, "add or renew an exception on the resource (form)"),
    b(&[c('X')], Action::RemoveException, "remove the exception from the resource (confirm)"),
    b(&[c('c')], Action::ActionMenu, "custom actions for the selected (or marked) findings"),
    b(&[c('p')], Action::RequestApproval, "put the plan up for approval (optional note)"),
];

/// The Sources view: the global keys only.
pub const SOURCES: &[Binding] = &[];

/// The Jobs view.
pub const JOBS: &[Binding] = &[
    b(&[c('j'), k(Down)], Action::Down, "next job"),
    b(&[c('k'), k(Up)], Action::Up, "previous job"),
    b(&[k(PageDown)], Action::PageDown, "one page down"),
    b(&[k(PageUp)], Action::PageUp, "one page up"),
    b(&[c('g'), k(Home)], Action::Top, "newest job"),
    b(&[c('G'), k(End)], Action::Bottom, "oldest job"),
];

/// The Audit view.
pub const AUDIT: &[Binding] = &[
    b(&[c('j'), k(Down)], Action::Down, "next (older) record"),
    b(&[c('k'), k(Up)], Action::Up, "previous (newer) record"),
    b(&[k(PageDown)], Action::PageDown, "one page down"),
    b(&[k(PageUp)], Action::PageUp, "one page up"),
    b(&[c('g'), k(Home)], Action::Top, "newest record"),
    b(&[c('G'), k(End)], Action::Bottom, "oldest record"),
];

/// The Exceptions view.
pub const EXCEPTIONS: &[Binding] = &[
    b(&[c('j'), k(Down)], Action::Down, "next exception"),
    b(&[c('k'), k(Up)], Action::Up, "previous exception"),
    b(&[k(PageDown)], Action::PageDown, "one page down"),
    b(&[k(PageUp)], Action::PageUp, "one page up"),
    b(&[c('g'), k(Home)], Action::Top, "soonest expiry"),
    b(&[c('G'), k(End)], Action::Bottom, "latest expiry"),
    b(&[c('x')], Action::AddException, "renew the selected exception (form)"),
    b(&[c('X')], Action::RemoveException, "remove the selected exception (confirm)"),
    b(&[c('r')], Action::RefreshNow, "list the exceptions of every account and region again"),
];

/// The Output view.
pub const OUTPUT: &[Binding] = &[
    b(&[c('j'), k(Down)], Action::Down, "scroll down"),
    b(&[c('k'), k(Up)], Action::Up, "scroll up"),
    b(&[k(PageDown)], Action::PageDown, "one page down"),
    b(&[k(PageUp)], Action::PageUp, "one page up"),
    b(&[c('g'), k(Home)], Action::Top, "the top (newest run)"),
    b(&[c('G'), k(End)], Action::Bottom, "the bottom"),
];

/// The Approvals view.
pub const APPROVALS: &[Binding] = &[
    b(&[c('j'), k(Down)], Action::Down, "next (older) request"),
    b(&[c('k'), k(Up)], Action::Up, "previous (newer) request"),
    b(&[k(PageDown)], Action::PageDown, "one page down"),
    b(&[k(PageUp)], Action::PageUp, "one page up"),
    b(&[c('g'), k(Home)], Action::Top, "newest request"),
    b(&[c('G'), k(End)], Action::Bottom, "oldest request"),
    b(&[c('y')], Action::ApproveRequest, "approve the selected request and carry it out (confirm)"),
    b(&[c('n')], Action::RejectRequest, "reject the selected request (reason)"),
    b(&[c('r')], Action::RefreshNow, "list the requests again"),
];

/// The Overview.
pub const OVERVIEW: &[Binding] =
    &[b(&[c('r')], Action::RefreshNow, "compute the figures again and read the store's history again")];

/// The help overlay.
pub const HELP: &[Binding] = &[b(&[k(Esc), c('?'), c('q')], Action::CloseHelp, "close this help")];

/// "reading live state…" while an apply waits for the live plans.
pub const READING: &[Binding] = &[b(&[c('n'), k(Esc), c('q')], Action::Cancel, "cancel: nothing is applied")];

/// Confirmations that fit on one screen: incident mode, removing an exception, running a custom action.
pub const CONFIRM: &[Binding] = &[
    b(&[c('y'), k(Enter)], Action::Confirm, "confirm"),
    b(&[c('Y')], Action::ConfirmProd, "confirm, also in a production account"),
    b(&[c('n'), k(Esc), c('q')], Action::Cancel, "cancel: nothing changes"),
];

/// Confirmations that show a plan and scroll: apply, rollback, approval.
pub const CONFIRM_PLAN: &[Binding] = &[
    b(&[c('y'), k(Enter)], Action::Confirm, "confirm"),
    b(&[c('Y')], Action::ConfirmProd, "confirm, also in a production account"),
    b(&[c('n'), k(Esc), c('q')], Action::Cancel, "cancel: nothing changes"),
    b(&[c('j'), k(Down)], Action::Down, "scroll down"),
    b(&[c('k'), k(Up)], Action::Up, "scroll up"),
    b(&[k(PageDown)], Action::PageDown, "scroll a page down"),
    b(&[k(PageUp)], Action::PageUp, "scroll a page up"),
    b(&[c('g'), k(Home)], Action::Top, "scroll to the top"),
];

/// The exception form; other characters are typed into the focused field.
pub const EXCEPTION_FORM: &[Binding] = &[
    b(&[k(Tab), k(Down)], Action::NextField, "next field"),
    b(&[k(BackTab), k(Up)], Action::PreviousField, "previous field"),
    b(&[k(Enter)], Action::Submit, "check the input, then add or renew the exception"),
    b(&[k(Esc), Key::ctrl('c')], Action::Cancel, "cancel: nothing changes"),
    b(&[Key::ctrl('u')], Action::ClearInput, "clear the field"),
    b(&[k(Backspace)], Action::DeleteChar, "delete the last character"),
];

/// The exception form once valid input waits for the capital `Y` of a production account.
pub const EXCEPTION_CONFIRM: &[Binding] = &[
    b(&[c('Y')], Action::ConfirmProd, "confirm the change in the production account"),
    b(&[k(Esc), c('n')], Action::Cancel, "back to the form"),
];

/// The note of an approval request and the reason of a rejection; other characters are typed.
pub const TEXT_FORM: &[Binding] = &[
    b(&[k(Enter)], Action::Submit, "submit"),
    b(&[k(Esc), Key::ctrl('c')], Action::Cancel, "cancel: nothing changes"),
    b(&[Key::ctrl('u')], Action::ClearInput, "clear the text"),
    b(&[k(Backspace)], Action::DeleteChar, "delete the last character"),
];

/// The custom actions menu; an action's own key (from the config) runs it and wins over these.
pub const ACTION_MENU: &[Binding] = &[
    b(&[c('j'), k(Down)], Action::Down, "next action"),
    b(&[c('k'), k(Up)], Action::Up, "previous action"),
    b(&[k(Enter)], Action::Submit, "run the selected action"),
    b(&[k(Esc), c('q')], Action::Cancel, "close: nothing runs"),
];

/// The query typed after `/`; other characters are typed.
pub const QUERY: &[Binding] = &[
    b(&[k(Enter)], Action::Submit, "keep the query (when it reads)"),
    b(&[k(Esc)], Action::Cancel, "drop the query"),
    b(&[k(Backspace)], Action::DeleteChar, "delete the last character"),
];

/// The account and region pickers; other characters are typed.
pub const PICKER: &[Binding] = &[
    b(&[k(Down)], Action::Down, "next entry"),
    b(&[k(Up)], Action::Up, "previous entry"),
    b(&[k(PageDown)], Action::PageDown, "a page down"),
    b(&[k(PageUp)], Action::PageUp, "a page up"),
    b(&[k(Home)], Action::Top, "first entry"),
    b(&[k(End)], Action::Bottom, "last entry"),
    b(&[k(Enter)], Action::Submit, "filter the table to the entry chosen"),
    b(&[k(Esc), Key::ctrl('c')], Action::Cancel, "cancel: the filter stays as it was"),
    b(&[Key::ctrl('u')], Action::ClearInput, "clear what was typed"),
    b(&[k(Backspace)], Action::DeleteChar, "delete the last character"),
];

/// The command typed after `:`; other characters are typed.
pub const COMMAND: &[Binding] = &[
    b(&[k(Enter)], Action::Submit, "run the command"),
    b(&[k(Esc)], Action::Cancel, "drop the command"),
    b(&[k(Tab)], Action::Complete, "complete the word being typed"),
    b(&[k(Backspace)], Action::DeleteChar, "delete the last character"),
];

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;
