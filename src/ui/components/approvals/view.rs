//! Approvals view: every approval request, newest first, and the selected one in full — its plan (steps before →
//! after, AWS CLI, rollback, fingerprint), who asked and why, whether two people are needed, the decision and the
//! outcome. Everything a request carries comes from the shared book: shown inert.

use super::list::{short_identity, ApprovalList};
use crate::model::sanitize::single_line;
use crate::review::{ApprovalRequest, ApprovalStatus};
use crate::ui::components::request_detail::{detail, status_style};
use crate::ui::components::{format, list_table};
use crate::ui::context::Context;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

/// The title: counts, and whether a listing is on its way.
pub fn title(list: &ApprovalList) -> String {
    let mut title = format!(" Approval requests: {} · {} pending ", list.requests.len(), list.pending());
    if list.loading {
        title.push_str("· listing… ");
    }
    title
}

/// "until 2026-11-22 12:00:00Z" for a pending request, else when it was decided.
fn when(r: &ApprovalRequest) -> String {
    match (r.status, r.decided_at) {
        (ApprovalStatus::Pending, _) => format!("until {}", format::time(r.expires_at)),
        (_, Some(at)) => format::time(at),
        (_, None) => "-".into(),
    }
}

fn row<'a>(r: &'a ApprovalRequest, ctx: &'a Context) -> Row<'a> {
    let f = &r.finding;
    Row::new(vec![
        Cell::from(single_line(&r.id)),
        Cell::from(Span::styled(r.status.name(), status_style(&ctx.theme, r.status))),
        Cell::from(single_line(f.control_id.as_deref().unwrap_or("-"))),
        Cell::from(f.resource_id.as_deref().map(format::short_resource).unwrap_or_else(|| "-".into())),
        Cell::from(single_line(format::account_short(ctx, &f.account_id))),
        Cell::from(short_identity(&r.requested_by)),
        Cell::from(when(r)),
    ])
}

/// Draws the table and the selected request in full.
pub fn draw(frame: &mut Frame, area: Rect, ctx: &Context, list: &ApprovalList) {
    let t = &ctx.theme;
    let rows = (list.requests.len() as u16).saturating_add(3).clamp(5, (area.height / 3).max(5));
    let [table_area, detail_area] = Layout::vertical([Constraint::Length(rows), Constraint::Min(3)]).areas(area);
    let header = Row::new(["Id", "Status", "Control", "Resource", "Account", "Requested by", "Expires / decided"]);
    let table = Table::new(
        list.requests.iter().map(|r| row(r, ctx)),
        [
            Constraint::Length(17),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Fill(2),
            Constraint::Length(17),
            Constraint::Fill(1),
            Constraint::Length(27),
        ],
    );
    let table = list_table::styled(table, header, title(list), t);
    list_table::render(frame, table, table_area, list.selected, list.requests.len());
    let muted = Style::default().fg(t.muted);
    let lines = match list.selected_request() {
        Some(r) => detail(r, ctx),
        None => match (ctx.approvals_unavailable(), &list.error) {
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
