//! Jobs view: one row per fix, auto-fix, rollback or re-check of the session, newest first, with its state; the
//! selected job's error or reason below.

use super::component::{nav_delta, step, Component};
use super::dialog::Outcome;
use super::format;
use crate::engine::jobs::JobUpdate;
use crate::model::sanitize;
use crate::ui::context::Context;
use crate::ui::keys::Binding;
use crate::ui::keys::{b, c, k, Action as A};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

/// The Jobs view.
pub const KEYS: &[Binding] = &[
    b(&[c('j'), k(KeyCode::Down)], A::Down, "next job"),
    b(&[c('k'), k(KeyCode::Up)], A::Up, "previous job"),
    b(&[k(KeyCode::PageDown)], A::PageDown, "one page down"),
    b(&[k(KeyCode::PageUp)], A::PageUp, "one page up"),
    b(&[c('g'), k(KeyCode::Home)], A::Top, "newest job"),
    b(&[c('G'), k(KeyCode::End)], A::Bottom, "oldest job"),
];

/// The jobs in the order the view lists them: newest first.
pub fn ordered(ctx: &Context) -> Vec<&JobUpdate> {
    ctx.jobs.values().rev().collect()
}

/// Draws the jobs table and the selected job's detail.
fn draw(frame: &mut Frame, area: Rect, ctx: &Context, selected: usize) {
    let t = &ctx.theme;
    let jobs = ordered(ctx);
    let [table_area, detail_area] = Layout::vertical([Constraint::Min(3), Constraint::Length(6)]).areas(area);
    let rows = jobs.iter().map(|j| {
        Row::new(vec![
            Cell::from(format!("#{}", j.id)),
            Cell::from(j.kind.word()),
            Cell::from(Span::styled(format::job_state(&j.state), t.job_state(&j.state))),
            Cell::from(j.control_id.clone()),
            Cell::from(format::short_resource(&j.resource)),
            Cell::from(format!("{} / {}", format::account_short(ctx, &j.account_id), j.region)),
            Cell::from(j.fingerprint.clone()),
            Cell::from(format::age(j.started_at)),
        ])
    });
    let header = Row::new(["Job", "Kind", "State", "Control", "Resource", "Account / Region", "Fingerprint", "Age"])
        .style(Style::default().fg(t.header).add_modifier(Modifier::BOLD));
    let running = ctx.running_jobs();
    let title = format!(" Jobs: {} · {running} running (1 findings, 4 audit log) ", jobs.len());
    let table = Table::new(
        rows,
        [
            Constraint::Length(6),
            Constraint::Length(9),
            Constraint::Length(24),
            Constraint::Length(9),
            Constraint::Fill(2),
            Constraint::Length(30),
            Constraint::Length(17),
            Constraint::Length(10),
        ],
    )
    .header(header)
    .block(Block::default().borders(Borders::ALL).border_style(Style::default().fg(t.border_focused)).title(title))
    // No foreground in the highlight: the selected job's state keeps its colour.
    .row_highlight_style(Style::default().bg(t.selection_bg).add_modifier(Modifier::BOLD))
    .highlight_symbol("▶ ")
    .style(t.base());
    let selected = selected.min(jobs.len().saturating_sub(1));
    let mut state = TableState::default();
    if !jobs.is_empty() {
        state.select(Some(selected));
    }
    frame.render_stateful_widget(table, table_area, &mut state);
    let lines = match jobs.get(selected) {
        None => {
            vec![Line::styled("No jobs yet: a applies the selected or marked findings.", Style::default().fg(t.muted))]
        }
        Some(j) => detail(j, ctx),
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).border_style(Style::default().fg(t.border)).title(" Job "))
            .style(t.base()),
        detail_area,
    );
}

fn detail(j: &JobUpdate, ctx: &Context) -> Vec<Line<'static>> {
    let t = &ctx.theme;
    let mut first = vec![
        Span::styled(format!("#{} {} ", j.id, j.kind.word()), Style::default().add_modifier(Modifier::BOLD)),
        Span::styled(format::job_state(&j.state), t.job_state(&j.state).add_modifier(Modifier::BOLD)),
    ];
    if let Some(detail) = j.state.detail() {
        first.push(Span::raw(format!(": {}", sanitize::single_line(detail))));
    }
    vec![
        Line::from(first),
        Line::styled(
            format!(
                "{} · {} finding(s) · playbook {} · {} in {} · started {}",
                j.audit_job,
                j.findings.len(),
                j.playbook,
                sanitize::single_line(&j.resource),
                format::account(ctx, &j.account_id),
                format::time(j.started_at)
            ),
            Style::default().fg(t.muted),
        ),
    ]
}

/// The Jobs view (`3`): its selection.
#[derive(Debug, Clone, Default)]
pub struct JobsView {
    pub selected: usize,
}

impl Component for JobsView {
    type Outcome = Outcome;

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        draw(frame, area, ctx, self.selected);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Outcome {
        let Some(action) = self.action_of(key) else { return Outcome::NotHandled };
        let len = ctx.jobs.len();
        self.selected = step(self.selected, len, nav_delta(action, ctx.table_height));
        Outcome::Handled
    }
}
