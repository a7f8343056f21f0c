//! Audit view: every record of the audit log, newest first, with "time to safe state" in the title and a warning
//! about changes whose outcome was never recorded (the process stopped mid-change).

use super::component::{nav_delta, step, Component};
use super::dialog::Outcome;
use super::format;
use crate::engine::audit::{AuditRecord, AuditResult};
use crate::engine::audit_summary;
use crate::model::sanitize;
use crate::ui::context::Context;
use crate::ui::keys::Binding;
use crate::ui::keys::{b, c, k, Action as A};
use crate::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

/// The Audit view.
pub const KEYS: &[Binding] = &[
    b(&[c('j'), k(KeyCode::Down)], A::Down, "next (older) record"),
    b(&[c('k'), k(KeyCode::Up)], A::Up, "previous (newer) record"),
    b(&[k(KeyCode::PageDown)], A::PageDown, "one page down"),
    b(&[k(KeyCode::PageUp)], A::PageUp, "one page up"),
    b(&[c('g'), k(KeyCode::Home)], A::Top, "newest record"),
    b(&[c('G'), k(KeyCode::End)], A::Bottom, "oldest record"),
];

/// "time to safe state: median 2d 02h over 3 fixes" or "no verified fix yet".
pub fn time_to_safe_summary(ctx: &Context) -> String {
    match audit_summary::time_to_safe(&ctx.audit) {
        (fixes, Some(median)) => {
            format!("time to safe state: median {} over {} fix(es)", format::duration(median), fixes.len())
        }
        (_, None) => "time to safe state: no verified fix yet".into(),
    }
}

fn result_style(result: AuditResult, t: &Theme) -> Style {
    match result {
        AuditResult::Ok | AuditResult::Verified => Style::default().fg(t.ok),
        AuditResult::Pending => Style::default().fg(t.muted),
        AuditResult::Failed | AuditResult::Unverified | AuditResult::Refused => {
            Style::default().fg(t.error).add_modifier(Modifier::BOLD)
        }
    }
}

fn word<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

/// The operator's short name: the session name of an assumed role, the user name, else the whole text.
fn operator(text: &str) -> String {
    sanitize::single_line(text.rsplit('/').next().unwrap_or(text))
}

const COLUMNS: [&str; 10] = [
    "Time",
    "Event",
    "Result",
    "Operator",
    "Account / Region",
    "Resource",
    "Control",
    "Playbook",
    "Fingerprint",
    "Message",
];

const WIDTHS: [Constraint; 10] = [
    Constraint::Length(20),
    Constraint::Length(16),
    Constraint::Length(10),
    Constraint::Length(12),
    Constraint::Length(26),
    Constraint::Fill(2),
    Constraint::Length(8),
    Constraint::Fill(1),
    Constraint::Length(16),
    Constraint::Fill(3),
];

/// Below this width the fixed columns do not fit: the layout solver would pick which to shrink, differently from
/// one run to the next. A narrow table shows time, event, result, resource and message (the record pane below
/// has the rest).
const NARROW_BELOW: u16 = 137;
const NARROW_COLUMNS: [usize; 5] = [0, 1, 2, 5, 9];

/// The cells of the columns shown.
fn shown(cells: Vec<Cell>, narrow: bool) -> Vec<Cell> {
    if !narrow {
        return cells;
    }
    cells.into_iter().enumerate().filter(|(i, _)| NARROW_COLUMNS.contains(i)).map(|(_, c)| c).collect()
}

/// Draws the warning, the records and the selected record in full.
fn draw(frame: &mut Frame, area: Rect, ctx: &Context, selected: usize) {
    let t = &ctx.theme;
    let unfinished = audit_summary::unfinished(&ctx.audit);
    let warning_height = if unfinished.is_empty() { 0 } else { (unfinished.len() as u16 + 1).min(5) };
    let [warning_area, table_area, detail_area] =
        Layout::vertical([Constraint::Length(warning_height), Constraint::Min(3), Constraint::Length(7)]).areas(area);
    if !unfinished.is_empty() {
        let mut lines = vec![Line::styled(
            format!(
                "⚠ {} change(s) with no recorded outcome (the process stopped mid-change): re-check them",
                unfinished.len()
            ),
            Style::default().fg(t.error).add_modifier(Modifier::BOLD),
        )];
        lines.extend(unfinished.iter().map(|r| {
            Line::raw(format!(
                "  {} {} {} {} on {} in {}/{}",
                format::time(r.time),
                word(&r.event),
                r.job.as_deref().unwrap_or("-"),
                r.control_id.as_deref().unwrap_or("-"),
                format::short_resource(&r.resource),
                r.account_id,
                r.region
            ))
        }));
        frame.render_widget(Paragraph::new(lines).style(t.base()), warning_area);
    }
    let narrow = table_area.width < NARROW_BELOW;
    let rows = ctx.audit.iter().rev().map(|r| {
        let cells = vec![
            Cell::from(format::time(r.time)),
            Cell::from(word(&r.event)),
            Cell::from(Span::styled(word(&r.result), result_style(r.result, t))),
            Cell::from(operator(&r.operator)),
            Cell::from(format!("{} / {}", format::account_short(ctx, &r.account_id), r.region)),
            Cell::from(format::short_resource(&r.resource)),
            Cell::from(r.control_id.clone().unwrap_or_default()),
            Cell::from(r.playbook.clone().unwrap_or_default()),
            Cell::from(r.fingerprint.clone().unwrap_or_default()),
            Cell::from(sanitize::single_line(&r.message)),
        ];
        Row::new(shown(cells, narrow))
    });
    let header = Row::new(shown(COLUMNS.map(Cell::from).to_vec(), narrow))
        .style(Style::default().fg(t.header).add_modifier(Modifier::BOLD));
    let title = format!(" Audit log: {} record(s) · {} ", ctx.audit.len(), time_to_safe_summary(ctx));
    let widths = if narrow {
        NARROW_COLUMNS.iter().map(|&i| if i < 3 { WIDTHS[i] } else { Constraint::Fill(1) }).collect::<Vec<_>>()
    } else {
        WIDTHS.to_vec()
    };
    let table = Table::new(rows, widths)
        .header(header)
        .block(Block::default().borders(Borders::ALL).border_style(Style::default().fg(t.border_focused)).title(title))
        .row_highlight_style(Style::default().bg(t.selection_bg).fg(t.selection_fg).add_modifier(Modifier::BOLD))
        .style(t.base());
    let selected = selected.min(ctx.audit.len().saturating_sub(1));
    let mut state = TableState::default();
    if !ctx.audit.is_empty() {
        state.select(Some(selected));
    }
    frame.render_stateful_widget(table, table_area, &mut state);
    let record = ctx.audit.len().checked_sub(selected + 1).and_then(|i| ctx.audit.get(i));
    let lines = match record {
        None => vec![Line::styled("The audit log is empty.", Style::default().fg(t.muted))],
        Some(r) => record_lines(r, ctx),
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).border_style(Style::default().fg(t.border)).title(" Record "))
            .style(t.base()),
        detail_area,
    );
}

fn record_lines(r: &AuditRecord, ctx: &Context) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::raw(format!(
            "{} {} {} · job {} · {}",
            format::time(r.time),
            word(&r.event),
            word(&r.result),
            r.job.as_deref().unwrap_or("-"),
            sanitize::single_line(&r.message)
        )),
        Line::raw(sanitize::single_line(&format!(
            "{} {} in {} / {} · control {} · playbook {} · plan {} · by {}",
            r.resource_type,
            r.resource,
            format::account(ctx, &r.account_id),
            r.region,
            r.control_id.as_deref().unwrap_or("-"),
            r.playbook.as_deref().unwrap_or("-"),
            r.fingerprint.as_deref().unwrap_or("-"),
            r.operator
        ))),
    ];
    let ids: Vec<&str> = r.findings.iter().map(|f| f.id.as_str()).collect();
    if !ids.is_empty() {
        lines.push(Line::raw(sanitize::single_line(&format!("findings: {}", ids.join(", ")))));
    }
    for (name, changes) in [("changes", &r.changes), ("rollback", &r.rollback)] {
        if !changes.is_empty() {
            let calls: Vec<String> = changes.iter().map(|c| c.describe()).collect();
            lines.push(Line::raw(sanitize::single_line(&format!("{name}: {}", calls.join("; ")))));
        }
    }
    lines
}

/// The Audit view (`4`): its selection (newest first).
#[derive(Debug, Clone, Default)]
pub struct AuditView {
    pub selected: usize,
}

impl Component for AuditView {
    type Outcome = Outcome;

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        draw(frame, area, ctx, self.selected);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Outcome {
        let Some(action) = self.action_of(key) else { return Outcome::NotHandled };
        let len = ctx.audit.len();
        self.selected = step(self.selected, len, nav_delta(action, ctx.table_height));
        Outcome::Handled
    }
}
