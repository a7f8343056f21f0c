//! User intents and the keys that map to them. The help overlay is generated from `BINDINGS`.

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
    CycleAccount,
    CycleRegion,
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
}

/// A key, the action it triggers, and what the help overlay says about it.
pub struct Binding {
    pub keys: &'static str,
    pub action: Action,
    pub help: &'static str,
}

/// Every key of the findings view, in the order help lists them.
pub const BINDINGS: &[Binding] = &[
    Binding { keys: "j / ↓", action: Action::Down, help: "next finding (or scroll the detail pane)" },
    Binding { keys: "k / ↑", action: Action::Up, help: "previous finding (or scroll the detail pane)" },
    Binding { keys: "PgDn / PgUp", action: Action::PageDown, help: "one page down / up" },
    Binding { keys: "g / G", action: Action::Top, help: "first / last finding" },
    Binding { keys: "Tab / Enter", action: Action::ToggleFocus, help: "move focus between table and detail pane" },
    Binding {
        keys: "/",
        action: Action::StartFilter,
        help: "query: words, or sev>=high control:S3.* age>7d … (Esc cancels)",
    },
    Binding {
        keys: ":",
        action: Action::StartCommand,
        help: ":overview :group :account :region :sort :theme :quit (Tab)",
    },
    Binding { keys: "S", action: Action::CycleSeverity, help: "severity filter: CRITICAL, HIGH+, MEDIUM+, LOW+, all" },
    Binding { keys: "A", action: Action::CycleAccount, help: "account filter: cycle through accounts" },
    Binding { keys: "R", action: Action::CycleRegion, help: "region filter: cycle through regions" },
    Binding { keys: "V", action: Action::CycleVerdict, help: "verdict filter: cycle through verdicts" },
    Binding {
        keys: "Esc",
        action: Action::ClearFilters,
        help: "clear every filter; with no filter set, clear the marks",
    },
    Binding { keys: "o", action: Action::CycleSort, help: "sort by the next column" },
    Binding { keys: "O", action: Action::ReverseSort, help: "reverse the sort order" },
    Binding { keys: "J", action: Action::ToggleRaw, help: "show / hide the raw JSON in the detail pane" },
    Binding { keys: "C", action: Action::ToggleClosed, help: "show / hide resolved, suppressed and archived findings" },
    Binding { keys: "b", action: Action::CycleGroup, help: "group by control, resource, account, or not (:group)" },
    Binding { keys: "z", action: Action::ToggleFold, help: "open / fold the group (Enter on a group header too)" },
    Binding { keys: "Z", action: Action::ToggleAllFolds, help: "open every group / fold them all" },
    Binding { keys: "1", action: Action::ShowFindings, help: "Findings view" },
    Binding { keys: "2", action: Action::ShowSources, help: "Sources view: state of every account × region" },
    Binding { keys: "3", action: Action::ShowJobs, help: "Jobs view: every fix and rollback with its state" },
    Binding { keys: "4", action: Action::ShowAudit, help: "Audit view: the audit log and time to safe state" },
    Binding { keys: "5", action: Action::ShowExceptions, help: "Exceptions view: all accounts and regions, by expiry" },
    Binding { keys: "6", action: Action::ShowOutput, help: "Output view: what custom actions printed, newest first" },
    Binding { keys: "7", action: Action::ShowApprovals, help: "Approvals view: approval requests with their plans" },
    Binding {
        keys: "0",
        action: Action::ShowOverview,
        help: "Overview: counts, top accounts and controls, trend, outcomes",
    },
    Binding {
        keys: "space",
        action: Action::ToggleMark,
        help: "mark / unmark the finding or all of a group (a applies to marked)",
    },
    Binding { keys: "a", action: Action::Apply, help: "apply the marked (or selected) findings: live plans, confirm" },
    Binding { keys: "u", action: Action::Rollback, help: "roll back the last verified fix of the finding's resource" },
    Binding {
        keys: "I",
        action: Action::ToggleIncident,
        help: "incident mode on / off: lifts change windows (confirm)",
    },
    Binding { keys: "x", action: Action::AddException, help: "add or renew an exception on the resource (form)" },
    Binding { keys: "X", action: Action::RemoveException, help: "remove the exception from the resource (confirm)" },
    Binding { keys: "c", action: Action::ActionMenu, help: "custom actions for the selected (or marked) findings" },
    Binding { keys: "p", action: Action::RequestApproval, help: "put the plan up for approval (optional note)" },
    Binding { keys: "y", action: Action::ApproveRequest, help: "Approvals view: approve and carry out (confirm)" },
    Binding { keys: "n", action: Action::RejectRequest, help: "Approvals view: reject the request (reason)" },
    Binding {
        keys: "r",
        action: Action::RefreshNow,
        help: "refresh now (Exceptions, Approvals view: list them again)",
    },
    Binding { keys: "?", action: Action::ToggleHelp, help: "this help" },
    Binding { keys: "q / Ctrl-C", action: Action::Quit, help: "quit" },
];

/// The action of a key in the normal (non-typing) mode.
pub fn action_for(key: KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, KeyCode::Char('c')).then_some(Action::Quit);
    }
    Some(match key.code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char('j') | KeyCode::Down => Action::Down,
        KeyCode::Char('k') | KeyCode::Up => Action::Up,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::Char('g') | KeyCode::Home => Action::Top,
        KeyCode::Char('G') | KeyCode::End => Action::Bottom,
        KeyCode::Tab | KeyCode::Enter => Action::ToggleFocus,
        KeyCode::Char('/') => Action::StartFilter,
        KeyCode::Char(':') => Action::StartCommand,
        KeyCode::Esc => Action::ClearFilters,
        KeyCode::Char('S') => Action::CycleSeverity,
        KeyCode::Char('A') => Action::CycleAccount,
        KeyCode::Char('R') => Action::CycleRegion,
        KeyCode::Char('V') => Action::CycleVerdict,
        KeyCode::Char('o') => Action::CycleSort,
        KeyCode::Char('O') => Action::ReverseSort,
        KeyCode::Char('J') => Action::ToggleRaw,
        KeyCode::Char('C') => Action::ToggleClosed,
        KeyCode::Char('b') => Action::CycleGroup,
        KeyCode::Char('z') => Action::ToggleFold,
        KeyCode::Char('Z') => Action::ToggleAllFolds,
        KeyCode::Char('1') => Action::ShowFindings,
        KeyCode::Char('2') => Action::ShowSources,
        KeyCode::Char('3') => Action::ShowJobs,
        KeyCode::Char('4') => Action::ShowAudit,
        KeyCode::Char('5') => Action::ShowExceptions,
        KeyCode::Char('6') => Action::ShowOutput,
        KeyCode::Char('7') => Action::ShowApprovals,
        KeyCode::Char('0') => Action::ShowOverview,
        KeyCode::Char('p') => Action::RequestApproval,
        KeyCode::Char('y') => Action::ApproveRequest,
        KeyCode::Char('n') => Action::RejectRequest,
        KeyCode::Char('x') => Action::AddException,
        KeyCode::Char('X') => Action::RemoveException,
        KeyCode::Char('c') => Action::ActionMenu,
        KeyCode::Char(' ') => Action::ToggleMark,
        KeyCode::Char('a') => Action::Apply,
        KeyCode::Char('u') => Action::Rollback,
        KeyCode::Char('I') => Action::ToggleIncident,
        KeyCode::Char('r') => Action::RefreshNow,
        KeyCode::Char('?') => Action::ToggleHelp,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bound_action_is_reachable_from_a_key() {
        let keys = "qjkgG/:SARVoOJCbzZ12345670r? auIxXcpyn".chars().map(KeyCode::Char).chain([
            KeyCode::PageDown,
            KeyCode::PageUp,
            KeyCode::Tab,
            KeyCode::Esc,
        ]);
        let reachable: Vec<Action> = keys.filter_map(|c| action_for(KeyEvent::new(c, KeyModifiers::NONE))).collect();
        for binding in BINDINGS {
            assert!(reachable.contains(&binding.action), "{:?} has no key", binding.action);
        }
    }
}
