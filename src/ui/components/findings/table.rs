//! The findings table. Only the visible window of rows is built, so drawing cost does not grow with N.

use super::state::Focus;
use crate::engine::Row;
use crate::ui::components::format;
use crate::ui::context::Context as App;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Cell, Row as TableRow, Table, TableState};

/// The finding's remediation state: a running job first, then a regression, then how its last job ended.
fn job_cell(row: &Row, app: &App) -> Cell<'static> {
    let job = app.latest_job(&row.finding.key());
    if let Some(job) = job.filter(|j| !j.state.is_final()) {
        return Cell::from(Span::styled(format::job_state(&job.state), app.theme.job_state(&job.state)));
    }
    if app.drift_for(&row.finding).is_some() {
        return Cell::from(Span::styled("REGRESSED", app.theme.regressed()));
    }
    match job {
        Some(job) => Cell::from(Span::styled(format::job_state(&job.state), app.theme.job_state(&job.state))),
        None => Cell::from(""),
    }
}
use ratatui::Frame;

/// Draws the table with the selection kept in view.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, focus: Focus) {
    let t = &app.theme;
    let inner_height = area.height.saturating_sub(3) as usize; // borders + header
    let total = app.listing.visible_len();
    let selected = app.listing.selected;
    let offset = selected.saturating_sub(inner_height.saturating_sub(1)).min(total.saturating_sub(inner_height.max(1)));
    let offset = if selected < offset { selected } else { offset };
    let rows = app.listing.window(offset, inner_height).map(|row| {
        let f = &row.finding;
        let verdict = row.decision.verdict;
        let resource = f.primary_resource().map(|r| r.short_id()).unwrap_or("-");
        let account = app.account_names.get(&*f.account_id).map(String::as_str).unwrap_or(&f.account_id);
        let mark = if app.marks.contains(&f.key()) { "●" } else { " " };
        TableRow::new(vec![
            Cell::from(Span::styled(mark, Style::default().fg(t.accent).add_modifier(Modifier::BOLD))),
            Cell::from(Span::styled(f.severity.label(), t.severity(f.severity))),
            Cell::from(f.control_or_type().to_string()),
            Cell::from(f.title.to_string()),
            Cell::from(resource.to_string()),
            Cell::from(account.to_string()),
            Cell::from(f.region.to_string()),
            Cell::from(Span::styled(verdict.name(), t.verdict(verdict))),
            Cell::from(f.workflow_status.label()),
            job_cell(row, app),
        ])
    });
    let header = TableRow::new([
        "", "Severity", "Control", "Title", "Resource", "Account", "Region", "Verdict", "Workflow", "Job",
    ])
    .style(Style::default().fg(t.header).add_modifier(Modifier::BOLD));
    let border = if focus == Focus::Table { t.border_focused } else { t.border };
    let marked = if app.marks.is_empty() { String::new() } else { format!("· {} marked ", app.marks.len()) };
    let title = format!(" Findings {}/{} {marked}", if total == 0 { 0 } else { selected + 1 }, total);
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Length(13),
            Constraint::Length(14),
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Length(17),
            Constraint::Length(12),
            Constraint::Length(11),
            Constraint::Length(10),
            Constraint::Length(14),
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
