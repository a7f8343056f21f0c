//! The findings table. Only the visible window of rows is built, so drawing cost does not grow with N.

use crate::ui::app::{App, Focus};
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Row as TableRow, Table, TableState};
use ratatui::Frame;

/// Draws the table with the selection kept in view.
pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let inner_height = area.height.saturating_sub(3) as usize; // borders + header
    let total = app.listing.visible_len();
    let selected = app.listing.selected;
    let offset = selected.saturating_sub(inner_height.saturating_sub(1)).min(total.saturating_sub(inner_height.max(1)));
    let offset = if selected < offset { selected } else { offset };
    let rows = app.listing.window(offset, inner_height).map(|row| {
        let f = &row.finding;
        let verdict = row.assessment.decision.verdict;
        let resource = f.primary_resource().map(|r| r.short_id()).unwrap_or("-");
        let account = app.account_names.get(&f.account_id).map(String::as_str).unwrap_or(&f.account_id);
        TableRow::new(vec![
            Cell::from(Span::styled(f.severity.label(), t.severity(f.severity))),
            Cell::from(f.control_or_type().to_string()),
            Cell::from(f.title.clone()),
            Cell::from(resource.to_string()),
            Cell::from(account.to_string()),
            Cell::from(f.region.clone()),
            Cell::from(Span::styled(verdict.name(), t.verdict(verdict))),
            Cell::from(f.workflow_status.label()),
        ])
    });
    let header =
        TableRow::new(["Severity", "Control", "Title", "Resource", "Account", "Region", "Verdict", "Workflow"])
            .style(Style::default().fg(t.header).add_modifier(Modifier::BOLD));
    let border = if app.focus == Focus::Table { t.border_focused } else { t.border };
    let title = format!(" Findings {}/{} ", if total == 0 { 0 } else { selected + 1 }, total);
    let table = Table::new(
        rows,
        [
            Constraint::Length(13),
            Constraint::Length(14),
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Length(17),
            Constraint::Length(12),
            Constraint::Length(11),
            Constraint::Length(10),
        ],
    )
    .header(header)
    .block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(Style::default().fg(border))
            .title(Span::styled(title, Style::default().fg(t.title))),
    )
    .row_highlight_style(Style::default().bg(t.selection_bg).fg(t.selection_fg).add_modifier(Modifier::BOLD))
    .highlight_symbol("▶ ");
    let mut state = TableState::default();
    if total > 0 {
        state.select(Some(selected - offset));
    }
    frame.render_stateful_widget(table, area, &mut state);
}
