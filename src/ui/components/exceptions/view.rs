//! Exceptions view: every exception across accounts and regions, soonest expiry first, expired and expiring-soon
//! ones flagged in their theme colours; sources that could not be listed are named above the table.

use super::list::{days_left_words, status_word, ExceptionList};
use crate::engine::exceptions::ExceptionEntry;
use crate::model::sanitize;
use crate::ui::components::{format, list_table};
use crate::ui::context::Context;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

/// The title: counts, flags, and what could not be listed.
pub fn title(list: &ExceptionList) -> String {
    let (expired, soon) = list.flagged();
    let mut title = format!(" Exceptions: {} · {expired} expired · {soon} expiring soon ", list.entries.len());
    if !list.problems.is_empty() {
        title.push_str(&format!("· {} source(s) could not be listed ", list.problems.len()));
    }
    if list.loading {
        title.push_str("· listing… ");
    }
    title
}

fn row<'a>(e: &'a ExceptionEntry, ctx: &'a Context) -> Row<'a> {
    let flag = ctx.theme.exception(&e.status);
    Row::new(vec![
        Cell::from(format::short_resource(&e.resource_id)),
        Cell::from(format::account_short(ctx, &e.account_id).to_string()),
        Cell::from(e.region.clone()),
        Cell::from(sanitize::single_line(&e.reason)),
        Cell::from(e.owner.as_deref().map(sanitize::single_line).unwrap_or_else(|| "-".into())),
        Cell::from(e.expires.map(format::date).unwrap_or_else(|| "-".into())),
        Cell::from(Span::styled(days_left_words(e.days_left), flag)),
        Cell::from(Span::styled(status_word(e), flag)),
    ])
}

/// Draws the problems, the table and the selected exception in full.
pub fn draw(frame: &mut Frame, area: Rect, ctx: &Context, list: &ExceptionList) {
    let t = &ctx.theme;
    let problems_height = if list.problems.is_empty() { 0 } else { (list.problems.len() as u16).min(4) };
    let [problems_area, table_area, detail_area] =
        Layout::vertical([Constraint::Length(problems_height), Constraint::Min(3), Constraint::Length(5)]).areas(area);
    if !list.problems.is_empty() {
        let lines: Vec<Line> = list
            .problems
            .iter()
            .map(|p| Line::styled(format!("⚠ could not list: {p}"), Style::default().fg(t.error)))
            .collect();
        frame.render_widget(Paragraph::new(lines).style(t.base()), problems_area);
    }
    let header = Row::new(["Resource", "Account", "Region", "Reason", "Owner", "Expires", "Days left", "Status"]);
    let table = Table::new(
        list.entries.iter().map(|e| row(e, ctx)),
        [
            Constraint::Fill(2),
            Constraint::Length(17),
            Constraint::Length(14),
            Constraint::Fill(3),
            Constraint::Fill(1),
            Constraint::Length(10),
            Constraint::Length(20),
            Constraint::Length(16),
        ],
    );
    // No foreground in the highlight: the selected exception keeps its flag colour.
    let table = list_table::styled(table, header, title(list), t);
    list_table::render(frame, table, table_area, list.selected, list.entries.len());
    let lines = match list.selected_entry() {
        Some(e) => detail(e, ctx),
        None if list.loading => vec![Line::styled("listing exceptions…", Style::default().fg(t.muted))],
        None => vec![Line::styled(
            "No exception found. x on a finding adds one; r lists again.",
            Style::default().fg(t.muted),
        )],
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(Style::default().fg(t.border))
                    .title(" Exception · x renew · X remove · r refresh "),
            )
            .style(t.base()),
        detail_area,
    );
}

fn detail(e: &ExceptionEntry, ctx: &Context) -> Vec<Line<'static>> {
    let t = &ctx.theme;
    let expires = e.expires.map(format::time).unwrap_or_else(|| "unreadable".into());
    vec![
        Line::raw(sanitize::single_line(&format!(
            "{} {} in {} / {}",
            e.resource_type,
            e.resource_id,
            format::account(ctx, &e.account_id),
            e.region
        ))),
        Line::from(vec![
            Span::styled(status_word(e), t.exception(&e.status).add_modifier(Modifier::BOLD)),
            Span::raw(sanitize::single_line(&format!(
                " · expires {expires} ({}) · owner {} · controls {} · reason: {}",
                days_left_words(e.days_left),
                e.owner.as_deref().unwrap_or("-"),
                e.controls_text(),
                e.reason
            ))),
        ]),
    ]
}
