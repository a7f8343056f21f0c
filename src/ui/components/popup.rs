//! The box every dialog is drawn in: centred over the view, sized to its text, with its keys on the bottom edge.

use crate::ui::theme::Theme;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// A bordered box centred in `area`, at most `max` (width, inner height) in size, with `keys` on its bottom edge.
#[allow(clippy::too_many_arguments)]
pub fn popup(
    frame: &mut Frame,
    area: Rect,
    t: &Theme,
    title: &str,
    lines: Vec<Line<'static>>,
    scroll: u16,
    max: (u16, u16),
    keys: &'static str,
) {
    let width = max.0.min(area.width.saturating_sub(4)).max(area.width.min(20));
    let height = wrapped_rows(&lines, width.saturating_sub(2))
        .saturating_add(2)
        .min(max.1.saturating_add(2))
        .min(area.height * 9 / 10)
        .max(3);
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center).areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width)]).flex(Flex::Center).areas(row);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(t.border_focused))
        .title(Span::styled(title.to_string(), Style::default().fg(t.title).add_modifier(Modifier::BOLD)))
        .title_bottom(Span::styled(keys, Style::default().fg(t.accent)));
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).scroll((scroll, 0)).style(t.base()),
        rect,
    );
}

/// Rows the lines take when wrapped at `width`, a little generous (word wrap breaks before the last column).
pub fn wrapped_rows(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let rows: usize = lines
        .iter()
        .map(|l| match l.width() {
            0 => 1,
            w if w <= width => 1,
            w => w.div_ceil(width) + 1,
        })
        .sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}
