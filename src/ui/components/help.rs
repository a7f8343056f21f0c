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
pub const KEYS: &[Binding] = &[
    b(&[k(KeyCode::Esc), c('?'), c('q')], A::CloseHelp, "close this help"),
    b(&[c('j'), k(KeyCode::Down)], A::Down, "scroll"),
    b(&[c('k'), k(KeyCode::Up)], A::Up, "back"),
];

/// The help overlay: the entries of the key tables of the view it was opened in, scrolled when the screen is too
/// short for them (its last line, the help's own keys, always shows).
#[derive(Debug, Clone, Default)]
pub struct Help {
    pub entries: Vec<&'static Binding>,
    /// The first entry shown.
    pub scroll: usize,
    /// The last first entry the screen had room for when last drawn: `j` goes no further.
    pub last_top: std::cell::Cell<usize>,
}

impl Component for Help {
    type Outcome = Step;

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        self.last_top.set(draw(frame, area, ctx, &self.entries, self.scroll));
    }

    fn handle_key(&mut self, key: KeyEvent, _ctx: &mut Context) -> Step {
        match self.action_of(key) {
            Some(Action::CloseHelp) => return Step::Close,
            Some(Action::Down) => self.scroll = (self.scroll + 1).min(self.last_top.get()),
            Some(Action::Up) => self.scroll = self.scroll.saturating_sub(1),
            _ => {}
        }
        Step::Stay
    }
}

/// Draws the help overlay in the middle of `area`: the entries from `scroll` on (kept so the last ones fill the box),
/// then the help's own keys. Returns the last first entry there is room for.
fn draw(frame: &mut Frame, area: Rect, ctx: &Context, entries: &[&'static Binding], scroll: usize) -> usize {
    let t = &ctx.theme;
    let height = (entries.len() as u16 + 4).min(area.height);
    let [popup] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(84.min(area.width))]).flex(Flex::Center).areas(popup);
    // Inside the borders: the entries, a blank line when there is room, and the help's own keys.
    let room = usize::from(height.saturating_sub(3)).min(entries.len());
    let top = scroll.min(entries.len() - room);
    let below = entries.len() - top - room;
    let mut lines: Vec<Line> = entries[top..top + room]
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
    let title = match (top, below) {
        (0, 0) => " Keys ".to_string(),
        (above, below) => format!(" Keys: {above} above, {below} below (j / k) "),
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).style(t.base()).block(
            Block::default().borders(Borders::ALL).border_style(Style::default().fg(t.border_focused)).title(title),
        ),
        popup,
    );
    entries.len() - room
}
