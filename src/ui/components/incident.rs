//! `I`: the confirmation that switches incident mode (change windows lifted) on or off.

use super::component::{Component, Step};
use super::confirm::CONFIRM;
use super::confirm::{decide, Decision};
use super::popup::popup;
use crate::ui::context::Context;
use crate::ui::effect::Effect;
use crate::ui::keys::Binding;
use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::Frame;

/// Switch incident mode to `on`?
#[derive(Debug, Clone)]
pub struct IncidentDialog {
    pub on: bool,
}

impl IncidentDialog {
    /// The switch to the other state; offline the status line says incident mode only matters for fixes.
    pub fn open(ctx: &mut Context) -> Option<Self> {
        if !ctx.can_fix {
            ctx.say(format!("incident mode only matters for fixes; {}", crate::ui::context::NEEDS_LIVE_ACCESS));
            return None;
        }
        Some(Self { on: !ctx.incident })
    }
}

impl Component for IncidentDialog {
    type Outcome = Step;

    fn keys(&self) -> &'static [Binding] {
        CONFIRM
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        let lines = if self.on {
            vec![
                Line::styled("Switch incident mode ON?", Style::default().add_modifier(Modifier::BOLD)),
                Line::raw("Change windows are lifted: fixes that wait for a window can run now."),
                Line::raw("Verdicts and approvals still apply. The switch is written to the audit log."),
            ]
        } else {
            vec![
                Line::styled("Switch incident mode off?", Style::default().add_modifier(Modifier::BOLD)),
                Line::raw("Change windows apply again. The switch is written to the audit log."),
            ]
        };
        let keys = " y / Enter confirm · n / Esc cancel ";
        popup(frame, area, &ctx.theme, " Incident mode ", lines, 0, (84, 5), keys);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Step {
        match decide(CONFIRM, key, None, (false, false), ctx) {
            Decision::Stay => Step::Stay,
            Decision::Cancelled => Step::Close,
            Decision::Confirmed => {
                ctx.incident = self.on;
                ctx.say(if self.on { "incident mode ON: change windows lifted" } else { "incident mode off" });
                ctx.request(Effect::SetIncident(self.on));
                Step::Close
            }
        }
    }
}
