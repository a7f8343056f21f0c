//! `?`: the keys of the current view and the global ones, from the same tables that dispatch them.

use crate::ui::app::App;
use crate::ui::keys::HELP;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

/// Draws the help overlay in the middle of `area`.
pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let entries = app.help_entries();
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
    let close = HELP.iter().map(|b| format!(" {}: {}", b.label(), b.help)).collect::<String>();
    lines.push(Line::from(Span::styled(close, Style::default().fg(t.muted))));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).style(t.base()).block(
            Block::default().borders(Borders::ALL).border_style(Style::default().fg(t.border_focused)).title(" Keys "),
        ),
        popup,
    );
}
