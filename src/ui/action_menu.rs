//! `c`: the custom actions offered for the selected finding, or for every marked finding (those offered for all
//! of them); dangerous ones are hidden in read-only mode. A chosen action leaves as `Effect::RunAction`, after a
//! confirmation when its config asks for one.

use super::app::{App, Effect};
use super::dialog::Dialog;
use super::keys::{lookup, Action, Key, ACTION_MENU};
use crate::actions::{ActionConfig, ActionKind};
use crate::model::Finding;
use crate::policy::Provenance;
use crossterm::event::{KeyCode, KeyEvent};
use std::sync::Arc;

/// The action menu.
#[derive(Debug, Clone)]
pub struct ActionMenu {
    /// The actions offered for every one of `findings`, in config order.
    pub actions: Vec<ActionConfig>,
    pub findings: Vec<Arc<Finding>>,
    /// Position in `actions`.
    pub selected: usize,
}

/// An action waiting for "run <name> on N finding(s)?" to be confirmed.
#[derive(Debug, Clone)]
pub struct PendingRun {
    pub action: ActionConfig,
    pub findings: Vec<Arc<Finding>>,
    /// Why some of the findings are not to be trusted (not Security Hub's own controls, or about a resource
    /// elsewhere): how many, and the first reason.
    pub untrusted: Option<(usize, String)>,
}

impl ActionMenu {
    /// The index of the action bound to `c`, if any.
    fn bound_to(&self, c: char) -> Option<usize> {
        self.actions.iter().position(|a| a.key == Some(c))
    }
}

impl App {
    /// The marked findings, or the selected one when none is marked.
    pub(super) fn marked_or_selected(&self) -> Vec<Arc<Finding>> {
        if self.marks.is_empty() {
            return self.listing.selected_row().map(|r| r.finding.clone()).into_iter().collect();
        }
        self.listing.all().iter().filter(|r| self.marks.contains(&r.finding.key())).map(|r| r.finding.clone()).collect()
    }

    /// `c`: opens the menu, or says why there is nothing in it.
    pub(super) fn start_action_menu(&mut self) {
        let findings = self.marked_or_selected();
        if findings.is_empty() {
            self.status_message = Some("no finding selected".into());
            return;
        }
        if self.actions.is_empty() {
            self.status_message = Some("no custom actions configured: [[actions]] in the config".into());
            return;
        }
        let actions: Vec<ActionConfig> = self
            .actions
            .iter()
            .filter(|a| findings.iter().all(|f| a.offered(f, self.read_only)))
            // Offline only commands run: the other kinds call AWS.
            .filter(|a| self.can_fix || matches!(a.kind, ActionKind::Command { .. }))
            .cloned()
            .collect();
        if actions.is_empty() {
            let hidden = if self.read_only { " (dangerous actions are hidden in read-only mode)" } else { "" };
            let scope = match findings.len() {
                1 => "this finding".to_string(),
                n => format!("all {n} marked findings"),
            };
            self.status_message = Some(format!("no custom action applies to {scope}{hidden}"));
            return;
        }
        self.dialog = Some(Dialog::Actions(Box::new(ActionMenu { actions, findings, selected: 0 })));
    }

    /// A key in the action menu: an action's own key runs it (it wins over j / k / q), arrows and j / k move,
    /// Enter runs the selected one, Esc closes.
    pub(super) fn on_menu_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(Dialog::Actions(menu)) = self.dialog.as_mut() else {
            return Vec::new();
        };
        let last = menu.actions.len().saturating_sub(1);
        let own = match key.code {
            KeyCode::Char(c) => menu.bound_to(c),
            _ => None,
        };
        let chosen = match (own, lookup(ACTION_MENU, Key::of(key))) {
            (Some(index), _) => Some(index),
            (None, Some(Action::Cancel)) => {
                self.dialog = None;
                self.status_message = Some("cancelled: nothing run".into());
                return Vec::new();
            }
            (None, Some(Action::Down)) => {
                menu.selected = (menu.selected + 1).min(last);
                None
            }
            (None, Some(Action::Up)) => {
                menu.selected = menu.selected.saturating_sub(1);
                None
            }
            (None, Some(Action::Submit)) => Some(menu.selected),
            _ => None,
        };
        let Some(index) = chosen else {
            return Vec::new();
        };
        let Some(Dialog::Actions(menu)) = self.dialog.take() else {
            return Vec::new();
        };
        let ActionMenu { mut actions, findings, .. } = *menu;
        if index >= actions.len() {
            return Vec::new();
        }
        let untrusted = self.untrusted(&findings);
        let pending = PendingRun { action: actions.swap_remove(index), findings, untrusted };
        // Acting on imported findings deserves a second look even when the action does not ask for one.
        if pending.action.confirm || (pending.action.dangerous && pending.untrusted.is_some()) {
            self.dialog = Some(Dialog::RunAction(Box::new(pending)));
            return Vec::new();
        }
        self.run_confirmed(pending)
    }

    /// How many of `findings` may not be trusted, and the first one's reason.
    fn untrusted(&self, findings: &[Arc<Finding>]) -> Option<(usize, String)> {
        let mut reasons = findings.iter().filter_map(|f| match self.trusted_products.provenance(f) {
            Provenance::Untrusted(why) => Some(why),
            _ => None,
        });
        let first = reasons.next()?;
        Some((1 + reasons.count(), first))
    }

    /// Starts the run: recorded for the Output view, then handed to the runner.
    pub(super) fn run_confirmed(&mut self, pending: PendingRun) -> Vec<Effect> {
        let PendingRun { action, findings, .. } = pending;
        let run = self.action_runs.start(&action.name, findings.len());
        self.status_message =
            Some(format!("running {} on {} finding(s) (run #{run}): 6 shows the output", action.name, findings.len()));
        vec![Effect::RunAction { run, action: action.name, findings }]
    }
}
