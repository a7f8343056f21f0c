//! Sources view: one row per account, one column per region; each cell the API the source reads (`cspm` or `v2`),
//! its state, finding count and last sync. Failing sources are listed below with their error text.

use super::component::Component;
use super::dialog::Outcome;
use crate::cloud::SourceId;
use crate::engine::SourceStatus;
use crate::ui::context::Context;
use crate::ui::keys::Binding;
use crate::ui::theme::Theme;
use chrono::Local;
use crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;
use std::collections::BTreeSet;

/// The Sources view: the global keys only.
pub const KEYS: &[Binding] = &[];

/// "ok 120 · 14:03:07", "loading 300", "denied" …
pub fn cell_text(status: &SourceStatus) -> String {
    match status {
        SourceStatus::Loading { findings, .. } => format!("loading {findings}"),
        SourceStatus::Ok { findings, synced_at } => {
            format!("ok {findings} · {}", synced_at.with_timezone(&Local).format("%H:%M:%S"))
        }
        SourceStatus::Retrying { attempt, .. } => format!("retrying (attempt {attempt})"),
        SourceStatus::Cached { findings, synced_from: Some(at) } => {
            format!("cached {findings} · {} old", age_words(chrono::Utc::now() - *at))
        }
        SourceStatus::Cached { findings, synced_from: None } => format!("cached {findings} · never synced"),
        other => other.word().to_string(),
    }
}

/// The cell's text after the API the source reads, when it is known: "v2 ok 120 · 14:03:07", "cspm loading 300".
pub fn with_api(api: Option<crate::cloud::SourceApi>, text: String) -> String {
    match api {
        Some(api) => format!("{api} {text}"),
        None => text,
    }
}

/// "40s", "12m", "3h", "2d".
fn age_words(age: chrono::Duration) -> String {
    let s = age.num_seconds().max(0);
    match s {
        0..=119 => format!("{s}s"),
        120..=7199 => format!("{}m", s / 60),
        7200..=172_799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

fn cell_style(status: &SourceStatus, t: &Theme) -> Style {
    match status {
        SourceStatus::Ok { .. } => Style::default().fg(t.ok),
        SourceStatus::Loading { .. } => Style::default().fg(t.accent),
        SourceStatus::Cached { .. } => Style::default().fg(t.muted),
        SourceStatus::Retrying { .. } => Style::default().fg(t.header),
        _ => Style::default().fg(t.error).add_modifier(Modifier::BOLD),
    }
}

fn error_text(status: &SourceStatus) -> Option<&str> {
    match status {
        SourceStatus::Denied(e) | SourceStatus::NotEnabled(e) | SourceStatus::Failed(e) => Some(e),
        SourceStatus::Retrying { error, .. } => Some(error),
        _ => None,
    }
}

/// The input problems (findings or files that could not be read), newest last, as many as fit.
fn draw_problems(frame: &mut Frame, area: Rect, ctx: &Context) {
    let t = &ctx.theme;
    let fit = usize::from(area.height.saturating_sub(2));
    let skip = ctx.problems.len().saturating_sub(fit);
    // Problems quote what was read (file names, JSON, a service's words): made inert like findings.
    let lines: Vec<Line> =
        ctx.problems[skip..].iter().map(|p| Line::raw(crate::model::sanitize::single_line(p))).collect();
    let title = match skip {
        0 => format!(" Input problems: {} (also in the log) ", ctx.problems.len()),
        _ => format!(" Input problems: {}, the last {fit} shown (all in the log) ", ctx.problems.len()),
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::default().borders(Borders::ALL).border_style(Style::default().fg(t.error)).title(title))
            .style(t.base()),
        area,
    );
}

/// Draws the grid, the sources' errors and the input problems.
fn draw(frame: &mut Frame, area: Rect, ctx: &Context) {
    let t = &ctx.theme;
    let accounts: BTreeSet<&str> = ctx.sources.keys().map(|s| s.account_id.as_str()).collect();
    let regions: Vec<&str> =
        ctx.sources.keys().map(|s| s.region.as_str()).collect::<BTreeSet<_>>().into_iter().collect();
    let errors: Vec<(&SourceId, &str)> =
        ctx.sources.iter().filter_map(|(id, status)| error_text(status).map(|e| (id, e))).collect();
    let error_height = if errors.is_empty() { 0 } else { (errors.len() as u16 * 2 + 2).min(area.height / 2) };
    let problems_height =
        if ctx.problems.is_empty() { 0 } else { (ctx.problems.len() as u16 + 2).min(area.height / 3) };
    let [grid_area, error_area, problems_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(error_height), Constraint::Length(problems_height)])
            .areas(area);

    let header = Row::new(std::iter::once("Account".to_string()).chain(regions.iter().map(|r| r.to_string())))
        .style(Style::default().fg(t.header).add_modifier(Modifier::BOLD));
    let rows = accounts.iter().map(|account| {
        let name = ctx.account_names.get(*account).map(|n| format!("{account} {n}")).unwrap_or(account.to_string());
        let cells = regions.iter().map(|region| {
            let id = SourceId { account_id: account.to_string(), region: region.to_string() };
            let api = ctx.source_apis.get(&id).copied();
            match ctx.sources.get(&id) {
                Some(status) => Cell::from(Span::styled(with_api(api, cell_text(status)), cell_style(status, t))),
                None => Cell::from(Span::styled("—", Style::default().fg(t.muted))),
            }
        });
        Row::new(std::iter::once(Cell::from(name)).chain(cells))
    });
    let widths: Vec<Constraint> =
        std::iter::once(Constraint::Length(32)).chain(regions.iter().map(|_| Constraint::Length(26))).collect();
    let title =
        format!(" Sources: {} accounts × {} regions (1 findings, r refresh now) ", accounts.len(), regions.len());
    frame.render_widget(
        Table::new(rows, widths)
            .header(header)
            .block(
                Block::default().borders(Borders::ALL).border_style(Style::default().fg(t.border_focused)).title(title),
            )
            .style(t.base()),
        grid_area,
    );
    if !errors.is_empty() {
        let lines: Vec<Line> = errors
            .iter()
            .map(|(id, e)| {
                let at = match ctx.source_apis.get(id) {
                    Some(api) => format!("{id} ({}): ", api.operation()),
                    None => format!("{id}: "),
                };
                Line::from(vec![
                    Span::styled(at, Style::default().fg(t.error).add_modifier(Modifier::BOLD)),
                    // Error text can carry a service's (or a finding's) words: made inert like them.
                    Span::raw(crate::model::sanitize::single_line(e)),
                ])
            })
            .collect();
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(
                    Block::default().borders(Borders::ALL).border_style(Style::default().fg(t.error)).title(" Errors "),
                )
                .style(t.base()),
            error_area,
        );
    }
    if !ctx.problems.is_empty() {
        draw_problems(frame, problems_area, ctx);
    }
}

/// The Sources view (`2`): everything it shows is shared; it has no keys of its own.
#[derive(Debug, Clone, Default)]
pub struct SourcesView;

impl Component for SourcesView {
    type Outcome = Outcome;

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        draw(frame, area, ctx);
    }

    fn handle_key(&mut self, _key: KeyEvent, _ctx: &mut Context) -> Outcome {
        Outcome::NotHandled
    }
}
