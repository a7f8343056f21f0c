//! `c`: the custom actions offered for the selected finding, or for every marked finding (those offered for all
//! of them); dangerous ones are hidden in read-only mode. A chosen action leaves as `Effect::RunAction`, after the
//! "run <name> on N finding(s)?" confirmation when its config asks for one or the findings are not to be trusted.

use super::component::{Component, Step};
use super::confirm::CONFIRM;
use super::confirm::{decide, Decision};
use super::popup::popup;
use crate::actions::{ActionConfig, ActionKind};
use crate::model::{sanitize, Finding};
use crate::policy::Provenance;
use crate::ui::context::Context;
use crate::ui::effect::Effect;
use crate::ui::keys::{b, c, k, Action as A};
use crate::ui::keys::{lookup, Action, Binding, Key};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;
use std::sync::Arc;

/// The custom actions menu; an action's own key (from the config) runs it and wins over these.
pub const KEYS: &[Binding] = &[
    b(&[c('j'), k(KeyCode::Down)], A::Down, "next action"),
    b(&[c('k'), k(KeyCode::Up)], A::Up, "previous action"),
    b(&[k(KeyCode::Enter)], A::Submit, "run the selected action"),
    b(&[k(KeyCode::Esc), c('q')], A::Cancel, "close: nothing runs"),
];

/// The action menu.
#[derive(Debug, Clone)]
pub struct ActionMenu {
    /// The actions offered for every one of `findings`, in config order.
    pub actions: Vec<ActionConfig>,
    pub findings: Vec<Arc<Finding>>,
    /// Position in `actions`.
    pub selected: usize,
    /// The action chosen, waiting for "run <name> on N finding(s)?" to be confirmed.
    pub confirming: Option<PendingRun>,
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
    /// `c`: the menu, or the status line says why there is nothing in it.
    pub fn open(ctx: &mut Context) -> Option<Self> {
        let findings = ctx.marked_or_selected();
        if findings.is_empty() {
            ctx.say("no finding selected");
            return None;
        }
        if ctx.actions.is_empty() {
            ctx.say("no custom actions configured: [[actions]] in the config");
            return None;
        }
        let actions: Vec<ActionConfig> = ctx
            .actions
            .iter()
            .filter(|a| findings.iter().all(|f| a.offered(f, ctx.read_only)))
            // Offline only commands run: the other kinds call AWS.
            .filter(|a| ctx.can_fix || matches!(a.kind, ActionKind::Command { .. }))
            .cloned()
            .collect();
        if actions.is_empty() {
            let hidden = if ctx.read_only { " (dangerous actions are hidden in read-only mode)" } else { "" };
            let scope = match findings.len() {
                1 => "this finding".to_string(),
                n => format!("all {n} marked findings"),
            };
            ctx.say(format!("no custom action applies to {scope}{hidden}"));
            return None;
        }
        Some(ActionMenu { actions, findings, selected: 0, confirming: None })
    }

    /// The index of the action bound to `c`, if any.
    fn bound_to(&self, c: char) -> Option<usize> {
        self.actions.iter().position(|a| a.key == Some(c))
    }

    /// The action at `index` was chosen: it runs, or waits for its confirmation.
    fn choose(&mut self, index: usize, ctx: &mut Context) -> Step {
        let Some(action) = self.actions.get(index).cloned() else { return Step::Stay };
        let findings = std::mem::take(&mut self.findings);
        let untrusted = untrusted(&findings, ctx);
        let pending = PendingRun { action, findings, untrusted };
        // Acting on imported findings deserves a second look even when the action does not ask for one.
        if pending.action.confirm || (pending.action.dangerous && pending.untrusted.is_some()) {
            self.confirming = Some(pending);
            return Step::Stay;
        }
        run(pending, ctx);
        Step::Close
    }
}

/// How many of `findings` may not be trusted, and the first one's reason.
fn untrusted(findings: &[Arc<Finding>], ctx: &Context) -> Option<(usize, String)> {
    let mut reasons = findings.iter().filter_map(|f| match ctx.trusted_products.provenance(f) {
        Provenance::Untrusted(why) => Some(why),
        _ => None,
    });
    let first = reasons.next()?;
    Some((1 + reasons.count(), first))
}

/// Starts the run: recorded for the Output view, then handed to the runner.
fn run(pending: PendingRun, ctx: &mut Context) {
    let PendingRun { action, findings, .. } = pending;
    let run = ctx.action_runs.start(&action.name, findings.len());
    ctx.say(format!("running {} on {} finding(s) (run #{run}): 6 shows the output", action.name, findings.len()));
    ctx.request(Effect::RunAction { run, action: action.name, findings });
}

impl Component for ActionMenu {
    type Outcome = Step;

    fn keys(&self) -> &'static [Binding] {
        if self.confirming.is_some() {
            CONFIRM
        } else {
            KEYS
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        match &self.confirming {
            Some(pending) => draw_confirm(frame, area, ctx, pending),
            None => draw_menu(frame, area, ctx, self),
        }
    }

    /// An action's own key runs it (it wins over j / k / q), arrows and j / k move, Enter runs the selected one,
    /// Esc closes; once chosen, the confirmation's keys.
    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Step {
        if let Some(pending) = self.confirming.take() {
            return match decide(CONFIRM, key, None, (false, false), ctx) {
                Decision::Stay => {
                    self.confirming = Some(pending);
                    Step::Stay
                }
                Decision::Cancelled => Step::Close,
                Decision::Confirmed => {
                    run(pending, ctx);
                    Step::Close
                }
            };
        }
        let own = match key.code {
            KeyCode::Char(c) => self.bound_to(c),
            _ => None,
        };
        let last = self.actions.len().saturating_sub(1);
        match (own, lookup(KEYS, Key::of(key))) {
            (Some(index), _) => self.choose(index, ctx),
            (None, Some(Action::Cancel)) => {
                ctx.say("cancelled: nothing run");
                Step::Close
            }
            (None, Some(Action::Down)) => {
                self.selected = (self.selected + 1).min(last);
                Step::Stay
            }
            (None, Some(Action::Up)) => {
                self.selected = self.selected.saturating_sub(1);
                Step::Stay
            }
            (None, Some(Action::Submit)) => self.choose(self.selected, ctx),
            _ => Step::Stay,
        }
    }
}

/// "on the selected finding (S3.8 acme-logs)" or "on 3 marked findings".
fn scope(findings: &[std::sync::Arc<crate::model::Finding>]) -> String {
    match findings {
        [f] => {
            let resource = f.primary_resource().map(|r| r.short_id()).unwrap_or("-");
            sanitize::single_line(&format!("on the selected finding ({} {resource})", f.control_or_type()))
        }
        many => format!("on {} marked findings (actions offered for all of them)", many.len()),
    }
}

fn key_label(action: &ActionConfig) -> String {
    action.key.map(|k| format!("[{k}]")).unwrap_or_else(|| "   ".into())
}

/// Draws the menu.
fn draw_menu(frame: &mut Frame, area: Rect, ctx: &Context, menu: &ActionMenu) {
    let t = &ctx.theme;
    let mut lines = vec![Line::styled(scope(&menu.findings), Style::default().fg(t.muted)), Line::raw("")];
    for (i, action) in menu.actions.iter().enumerate() {
        let selected = i == menu.selected;
        let base = if selected {
            Style::default().bg(t.selection_bg).fg(t.selection_fg).add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        let mut spans = vec![
            Span::styled(if selected { "▶ " } else { "  " }, base),
            Span::styled(format!("{} ", key_label(action)), base.fg(t.accent).add_modifier(Modifier::BOLD)),
            Span::styled(format!("{:<18}", action.name), base),
            Span::styled(format!(" {}", action.description), base.fg(t.muted)),
        ];
        if action.confirm {
            spans.push(Span::styled(" (asks first)", base.fg(t.muted)));
        }
        if action.dangerous {
            spans.push(Span::styled(" (changes something)", base.fg(t.error)));
        }
        lines.push(Line::from(spans));
    }
    let keys = " key or j k + Enter run · Esc close ";
    popup(frame, area, t, " Custom actions ", lines, 0, (100, u16::MAX), keys);
}

/// Draws the confirmation.
fn draw_confirm(frame: &mut Frame, area: Rect, ctx: &Context, pending: &PendingRun) {
    let t = &ctx.theme;
    let n = pending.findings.len();
    let mut lines = vec![
        Line::styled(
            format!("run {} on {n} finding(s)?", pending.action.name),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Line::styled(pending.action.description.clone(), Style::default().fg(t.muted)),
        Line::styled(scope(&pending.findings), Style::default().fg(t.muted)),
    ];
    if pending.action.dangerous {
        lines.push(Line::styled("This action changes something.", Style::default().fg(t.error)));
    }
    if let Some((count, why)) = &pending.untrusted {
        lines.push(Line::styled(
            format!("⚠ {count} of {n} finding(s) not to be trusted — their every field is what the importer wrote:"),
            Style::default().fg(t.error).add_modifier(Modifier::BOLD),
        ));
        lines.push(Line::styled(format!("  {}", sanitize::single_line(why)), Style::default().fg(t.error)));
    }
    popup(frame, area, t, " Run action? ", lines, 0, (90, u16::MAX), " y / Enter run · n / Esc cancel ");
}
