//! The table of a list view (Approvals, Exceptions): a bold header, a focused border with its title, and the
//! selected entry highlighted with `▶`.

use crate::ui::theme::Theme;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Row, Table, TableState};
use ratatui::Frame;

/// `table` with `header` (bold) and a focused border titled `title`; the selection shows on the theme's selection
/// background with no foreground of its own, so a row keeps its colours.
pub fn styled<'a>(table: Table<'a>, header: Row<'a>, title: impl Into<Line<'a>>, t: &Theme) -> Table<'a> {
    table
        .header(header.style(Style::default().fg(t.header).add_modifier(Modifier::BOLD)))
        .block(Block::default().borders(Borders::ALL).border_style(Style::default().fg(t.border_focused)).title(title))
        .row_highlight_style(Style::default().bg(t.selection_bg).add_modifier(Modifier::BOLD))
        .highlight_symbol("▶ ")
        .style(t.base())
}

/// Draws `table` into `area` with entry `selected` of `len` selected (the last one when past the end; none when empty).
pub fn render(frame: &mut Frame, table: Table, area: Rect, selected: usize, len: usize) {
    let mut state = TableState::default();
    if len > 0 {
        state.select(Some(selected.min(len - 1)));
    }
    frame.render_stateful_widget(table, area, &mut state);
}
