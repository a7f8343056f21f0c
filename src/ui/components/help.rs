//! `?`: the keys of the current view and the global ones, from the same tables that dispatch them.

use super::component::{Component, Step};
use crate::ui::context::Context;
use crate::ui::keys::{b, c, k, Action as A};
use crate::ui::keys::{Action, Binding};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

/// The help overlay.
pub const KEYS: &[Binding] = &[b(&[k(KeyCode::Esc), c('?'), c('q')], A::CloseHelp, "close this help")];

/// The help overlay: the entries of the key tables of the view it was opened in.
#[derive(Debug, Clone, Default)]
pub struct Help {
    pub entries: Vec<&'static Binding>,
}

impl Component for Help {
    type Outcome = Step;

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        draw(frame, area, ctx, &self.entries);
    }

    fn handle_key(&mut self, key: KeyEvent, _ctx: &mut Context) -> Step {
        match self.action_of(key) {
            Some(Action::CloseHelp) => Step::Close,
            _ => Step::Stay,
        }
    }
}

/// Draws the help overlay in the middle of `area`.
fn draw(frame: &mut Frame, area: Rect, ctx: &Context, entries: &[&'static Binding]) {
    let t = &ctx.theme;
    let height = (entries.len() as u16 + 4).min(area.height);
    let [popup] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(84.min(area.width))]).flex(Flex::Center).areas(popup);
    let mut lines: Vec<Line> = entries
        .iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!(" {:<14}", b.label()), Style::default().fg(t.accent).add_modifier(Modifier::BOLD)),
                Span::styled(b.help, Style::default().fg(t.foreground)),
            ])
        })
        .collect();
    let close = KEYS.iter().map(|b| format!(" {}: {}", b.label(), b.help)).collect::<String>();
    lines.push(Line::from(Span::styled(close, Style::default().fg(t.muted))));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).style(t.base()).block(
            Block::default().borders(Borders::ALL).border_style(Style::default().fg(t.border_focused)).title(" Keys "),
        ),
        popup,
    );
}
