//! Approvals view: every approval request, newest first, and the selected one in full — its plan (steps before →
//! after, AWS CLI, rollback, fingerprint), who asked and why, whether two people are needed, the decision and the
//! outcome. Everything a request carries comes from the shared book: shown inert.

use super::format;
use crate::model::sanitize::single_line;
use crate::review::{ApprovalRequest, ApprovalStatus};
use crate::ui::app::App;
use crate::ui::approvals::short_identity;
use crate::ui::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

/// The title: counts, and whether a listing is on its way.
pub fn title(app: &App) -> String {
    let list = &app.approvals;
    let mut title = format!(" Approval requests: {} · {} pending ", list.requests.len(), list.pending());
    if list.loading {
        title.push_str("· listing… ");
    }
    title
}

fn status_style(t: &Theme, status: ApprovalStatus) -> Style {
    match status {
        ApprovalStatus::Pending | ApprovalStatus::Applying => Style::default().fg(t.accent),
        ApprovalStatus::Approved | ApprovalStatus::Applied => Style::default().fg(t.ok),
        ApprovalStatus::Rejected | ApprovalStatus::Expired | ApprovalStatus::Failed => Style::default().fg(t.error),
    }
}

/// "until 2026-11-22 12:00:00Z" for a pending request, else when it was decided.
fn when(r: &ApprovalRequest) -> String {
    match (r.status, r.decided_at) {
        (ApprovalStatus::Pending, _) => format!("until {}", format::time(r.expires_at)),
        (_, Some(at)) => format::time(at),
        (_, None) => "-".into(),
    }
}

fn row<'a>(r: &'a ApprovalRequest, app: &'a App) -> Row<'a> {
    let f = &r.finding;
    Row::new(vec![
        Cell::from(single_line(&r.id)),
        Cell::from(Span::styled(r.status.name(), status_style(&app.theme, r.status))),
        Cell::from(single_line(f.control_id.as_deref().unwrap_or("-"))),
        Cell::from(f.resource_id.as_deref().map(format::short_resource).unwrap_or_else(|| "-".into())),
        Cell::from(single_line(format::account_short(app, &f.account_id))),
        Cell::from(short_identity(&r.requested_by)),
        Cell::from(when(r)),
    ])
}

/// Draws the table and the selected request in full.
pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let list = &app.approvals;
    let rows = (list.requests.len() as u16).saturating_add(3).clamp(5, (area.height / 3).max(5));
    let [table_area, detail_area] = Layout::vertical([Constraint::Length(rows), Constraint::Min(3)]).areas(area);
    let header = Row::new(["Id", "Status", "Control", "Resource", "Account", "Requested by", "Expires / decided"])
        .style(Style::default().fg(t.header).add_modifier(Modifier::BOLD));
    let table = Table::new(
        list.requests.iter().map(|r| row(r, app)),
        [
            Constraint::Length(17),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Fill(2),
            Constraint::Length(17),
            Constraint::Fill(1),
            Constraint::Length(27),
        ],
    )
    .header(header)
    .block(Block::default().borders(Borders::ALL).border_style(Style::default().fg(t.border_focused)).title(title(app)))
    .row_highlight_style(Style::default().bg(t.selection_bg).add_modifier(Modifier::BOLD))
    .highlight_symbol("▶ ")
    .style(t.base());
    let mut state = TableState::default();
    if !list.requests.is_empty() {
        state.select(Some(list.selected.min(list.requests.len() - 1)));
    }
    frame.render_stateful_widget(table, table_area, &mut state);
    let muted = Style::default().fg(t.muted);
    let lines = match list.selected_request() {
        Some(r) => detail(r, app),
        None => match (list.unavailable(), &list.error) {
            (Some(why), _) => vec![Line::styled(why, Style::default().fg(t.error))],
            (None, Some(error)) => vec![Line::styled(format!("could not list: {error}"), Style::default().fg(t.error))],
            (None, None) if list.loading => vec![Line::styled("listing approval requests…", muted)],
            (None, None) => vec![Line::styled(
                "No approval request. p on a finding whose verdict is approve puts its plan up; r lists again.",
                muted,
            )],
        },
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(Style::default().fg(t.border))
                    .title(" Request · y approve · n reject · r refresh "),
            )
            .style(t.base()),
        detail_area,
    );
}

/// A label and its value, on one line.
fn field(t: &Theme, label: &str, value: String) -> Line<'static> {
    Line::from(vec![Span::styled(format!("{label:<13}"), Style::default().fg(t.muted)), Span::raw(single_line(&value))])
}

/// The request in full.
pub fn detail(r: &ApprovalRequest, app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let f = &r.finding;
    let mut out = vec![
        Line::from(vec![
            Span::styled(single_line(&r.id), Style::default().add_modifier(Modifier::BOLD)),
            Span::raw(" "),
            Span::styled(r.status.name(), status_style(t, r.status).add_modifier(Modifier::BOLD)),
            Span::raw(single_line(&format!("  {} {}", f.control_id.as_deref().unwrap_or("-"), f.title))),
        ]),
        field(
            t,
            "resource",
            format!(
                "{} {} in {} / {} ({} account)",
                f.resource_type.as_deref().unwrap_or("-"),
                f.resource_id.as_deref().unwrap_or("-"),
                format::account(app, &f.account_id),
                f.region,
                r.account_class
            ),
        ),
        field(t, "verdict", format!("{} — {}", f.verdict, f.reason)),
        field(t, "requested", format!("{} by {}", format::time(r.requested_at), r.requested_by)),
    ];
    if let Some(note) = &r.note {
        out.push(field(t, "note", note.clone()));
    }
    let two = if r.two_person {
        " · two people: the approver must be another identity than the requester"
    } else {
        " · one person may request and approve"
    };
    out.push(field(t, "expires", format!("{}{two}", format::time(r.expires_at))));
    if let Some(by) = &r.decided_by {
        let at = r.decided_at.map(format::time).unwrap_or_default();
        let note = r.decision_note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
        out.push(field(t, "decided", format!("{} {at} by {by}{note}", r.status)));
    }
    if let Some(outcome) = &r.outcome {
        out.push(field(t, "carried out", format!("by {}: {outcome}", r.carried_out_by.as_deref().unwrap_or("?"))));
    }
    plan_lines(r, t, &mut out);
    out
}

/// The request's plan: summary, steps before → after, AWS CLI, rollback, fingerprint, warnings.
pub fn plan_lines(r: &ApprovalRequest, t: &Theme, out: &mut Vec<Line<'static>>) {
    let heading = Style::default().fg(t.header).add_modifier(Modifier::BOLD);
    let Some(p) = &r.finding.plan else {
        out.push(Line::styled(
            format!("No plan ({})", single_line(&r.finding.plan_status)),
            Style::default().fg(t.error),
        ));
        return;
    };
    out.push(Line::from(vec![
        Span::styled("Plan ", heading),
        Span::raw(format!("{}  ", single_line(&p.summary))),
        Span::styled(
            single_line(&format!("[{} · basis {} · fingerprint {}]", p.playbook, p.basis.name(), p.fingerprint)),
            Style::default().fg(t.muted),
        ),
    ]));
    for (i, step) in p.steps.iter().enumerate() {
        out.push(Line::raw(format!("  {}. {}", i + 1, single_line(&step.action))));
        out.push(Line::from(vec![
            Span::styled("     before ", Style::default().fg(t.error)),
            Span::raw(single_line(&step.before)),
        ]));
        out.push(Line::from(vec![
            Span::styled("     after  ", Style::default().fg(t.ok)),
            Span::raw(single_line(&step.after)),
        ]));
    }
    out.push(Line::styled("  AWS CLI", heading));
    out.extend(p.cli.iter().map(|c| Line::raw(format!("    {}", single_line(c)))));
    out.push(Line::styled("  Rollback", heading));
    out.extend(p.rollback_cli.iter().map(|c| Line::raw(format!("    {}", single_line(c)))));
    for w in &p.warnings {
        out.push(Line::styled(format!("  ⚠ {}", single_line(w)), Style::default().fg(t.accent)));
    }
}
