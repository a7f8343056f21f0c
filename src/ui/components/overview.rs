//! Overview: what an incident responder opens first — open findings by severity × verdict, what auto-fix would fix,
//! the accounts and controls with the most open findings, open findings per day, time to a verified safe state per
//! control, and recurrence. The figures are computed off the draw path (see `ui::overview`); drawing only lays
//! them out. Names from findings are made inert.

use super::component::Component;
use super::dialog::Outcome;
use crate::model::sanitize::single_line;
use crate::policy::Verdict;
use crate::report::duration_words;
use crate::report::figures::{Count, Figures};
use crate::report::{figures, Inputs};
use crate::store::Lifetime;
use crate::ui::context::Context;
use crate::ui::effect::Effect;
use crate::ui::keys::{b, c, Action as A};
use crate::ui::keys::{Action, Binding};
use chrono::{Duration, Utc};
use crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Sparkline, Table};
use ratatui::Frame;

/// The Overview.
pub const KEYS: &[Binding] =
    &[b(&[c('r')], A::RefreshNow, "compute the figures again and read the store's history again")];

/// The matrix's width: the severity column, six counts with their gaps, and the borders.
const MATRIX_WIDTH: u16 = 13 + 6 * 9 + 2;
/// Below this width the matrix is drawn alone.
const WIDE: u16 = MATRIX_WIDTH + 30;

/// Days of history the Overview covers.
pub const OVERVIEW_DAYS: i64 = 30;

/// What the Overview shows.
#[derive(Debug, Default)]
pub struct Overview {
    pub figures: Option<Figures>,
    /// The store's lifetimes, once they arrived (`None`: not yet, or no store).
    pub lifetimes: Option<Vec<Lifetime>>,
    pub reopened: Option<usize>,
    /// The history was asked for and has not arrived.
    pub loading: bool,
}

impl Overview {
    /// `0` and `r`: the figures computed now, and the store's history asked for.
    pub fn refresh(&mut self, ctx: &mut Context) {
        self.compute(ctx);
        self.loading = true;
        ctx.request(Effect::LoadHistory { since: Utc::now() - Duration::days(OVERVIEW_DAYS) });
    }

    /// The store's history arrived; the figures are computed again when the Overview is `shown`.
    pub fn on_history(
        &mut self,
        lifetimes: Option<Vec<Lifetime>>,
        reopened: Option<usize>,
        ctx: &Context,
        shown: bool,
    ) {
        self.lifetimes = lifetimes;
        self.reopened = reopened;
        self.loading = false;
        if shown {
            self.compute(ctx);
        }
    }

    fn compute(&mut self, ctx: &Context) {
        let now = Utc::now();
        let open: Vec<&crate::engine::Row> = ctx.listing.all().iter().filter(|r| r.finding.is_open()).collect();
        self.figures = Some(figures(&Inputs {
            rows: &open,
            records: &ctx.audit,
            lifetimes: self.lifetimes.as_deref(),
            reopened: self.reopened,
            account_names: &ctx.account_names,
            since: now - Duration::days(OVERVIEW_DAYS),
            now,
        }));
    }
}

impl Component for Overview {
    type Outcome = Outcome;

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        draw(frame, area, ctx, self);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Outcome {
        match self.action_of(key) {
            Some(Action::RefreshNow) => {
                self.refresh(ctx);
                Outcome::Handled
            }
            _ => Outcome::NotHandled,
        }
    }
}

/// Draws the Overview.
fn draw(frame: &mut Frame, area: Rect, ctx: &Context, overview: &Overview) {
    let t = &ctx.theme;
    let Some(f) = &overview.figures else {
        frame.render_widget(Paragraph::new("Overview: computing…").style(t.base()), area);
        return;
    };
    let block = |title: String| {
        Block::default()
            .borders(Borders::ALL)
            .border_style(Style::default().fg(t.border))
            .title(Span::styled(title, Style::default().fg(t.title)))
    };
    let [top, middle, bottom] =
        Layout::vertical([Constraint::Length(8), Constraint::Min(4), Constraint::Length((area.height / 3).max(7))])
            .areas(area);
    let auto = &f.would_auto_fix;
    if top.width < WIDE {
        // Narrow: the matrix takes the width (no label is cut); what auto-fix would fix goes in its title.
        let title = format!(" {} open findings: severity × verdict · Would auto-fix: {} ", f.findings, auto.total);
        matrix(frame, top, ctx, f, block(title));
    } else {
        let [matrix_area, auto_area] =
            Layout::horizontal([Constraint::Length(MATRIX_WIDTH), Constraint::Min(20)]).areas(top);
        matrix(frame, matrix_area, ctx, f, block(format!(" {} open findings: severity × verdict ", f.findings)));
        let auto_lines = bars(&auto.by_control, auto_area.width, ctx);
        let title = format!(" Would auto-fix: {} (by control) ", auto.total);
        frame.render_widget(Paragraph::new(auto_lines).style(t.base()).block(block(title)), auto_area);
    }
    let [accounts_area, controls_area] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(middle);
    let accounts = Paragraph::new(bars(&f.top_accounts, accounts_area.width, ctx)).style(t.base());
    frame.render_widget(accounts.block(block(" Top accounts ".into())), accounts_area);
    let controls = Paragraph::new(bars(&f.top_controls, controls_area.width, ctx)).style(t.base());
    frame.render_widget(controls.block(block(" Top controls ".into())), controls_area);
    let [trend_area, safe_area] =
        Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(bottom);
    trend(frame, trend_area, ctx, overview, f, block(" Open findings, last 30 days ".into()));
    safe_state(frame, safe_area, ctx, f, block(" Time to a verified safe state ".into()));
}

fn matrix(frame: &mut Frame, area: Rect, ctx: &Context, f: &Figures, block: Block) {
    let t = &ctx.theme;
    let mut header = vec![Cell::from("")];
    header.extend(Verdict::ALL.iter().map(|v| Cell::from(Span::styled(short(*v), t.verdict(*v)))));
    header.push(Cell::from("total"));
    let rows = f.severity_by_verdict.iter().map(|r| {
        let mut cells = vec![Cell::from(r.severity)];
        cells.extend(Verdict::ALL.iter().map(|v| Cell::from(r.counts.get(v.name()).copied().unwrap_or(0).to_string())));
        cells.push(Cell::from(r.total.to_string()));
        Row::new(cells)
    });
    let widths = [Constraint::Length(13)].into_iter().chain(std::iter::repeat_n(Constraint::Length(8), 6));
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(Style::default().fg(t.header).add_modifier(Modifier::BOLD)))
        .style(t.base())
        .block(block);
    frame.render_widget(table, area);
}

/// A verdict's name short enough for a column of 8.
fn short(v: Verdict) -> &'static str {
    match v {
        Verdict::AutoFix => "auto-fix",
        Verdict::NeedsApproval => "approve",
        Verdict::Manual => "manual",
        Verdict::Excepted => "except.",
        Verdict::NoPlaybook => "none",
    }
}

/// One line per count: the name, a bar, the count.
fn bars<'a>(counts: &'a [Count], width: u16, ctx: &Context) -> Vec<Line<'a>> {
    if counts.is_empty() {
        return vec![Line::styled("none", Style::default().fg(ctx.theme.muted))];
    }
    let inner = usize::from(width.saturating_sub(2));
    let name_width = (inner / 2).clamp(6, 40);
    let bar_width = inner.saturating_sub(name_width + 8).max(1);
    let max = counts.iter().map(|c| c.count).max().unwrap_or(1).max(1);
    counts
        .iter()
        .map(|c| {
            let name = clip(&single_line(&c.name), name_width);
            let bar = "█".repeat((c.count * bar_width).div_ceil(max));
            Line::from(vec![
                Span::raw(format!("{name:<name_width$} ")),
                Span::styled(bar, Style::default().fg(ctx.theme.accent)),
                Span::raw(format!(" {}", c.count)),
            ])
        })
        .collect()
}

fn trend(frame: &mut Frame, area: Rect, ctx: &Context, overview: &Overview, f: &Figures, block: Block) {
    let t = &ctx.theme;
    if f.open_over_time.is_empty() {
        let why = if overview.loading { "reading the store's history…" } else { "no store: no history" };
        frame.render_widget(Paragraph::new(why).style(t.base()).block(block), area);
        return;
    }
    let data: Vec<u64> = f.open_over_time.iter().map(|d| d.open as u64).collect();
    let last = data.last().copied().unwrap_or(0);
    let reopened = f.reopened.map(|n| format!(" · {n} reopened")).unwrap_or_default();
    let block = block.title_bottom(format!(" now {last}{reopened} "));
    let sparkline = Sparkline::default().data(&data).style(Style::default().fg(t.accent)).block(block);
    frame.render_widget(sparkline, area);
}

fn safe_state(frame: &mut Frame, area: Rect, ctx: &Context, f: &Figures, block: Block) {
    let t = &ctx.theme;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(all) = &f.time_to_safe_overall {
        lines.push(Line::styled(
            format!(
                "all: median {} · p90 {} over {} fixes",
                duration_words(all.median_seconds),
                duration_words(all.p90_seconds),
                all.fixes
            ),
            Style::default().add_modifier(Modifier::BOLD),
        ));
    } else {
        lines.push(Line::styled("no fix verified in the last 30 days", Style::default().fg(t.muted)));
    }
    let mut slowest: Vec<_> = f.time_to_safe.iter().collect();
    slowest.sort_by_key(|c| std::cmp::Reverse(c.median_seconds));
    for c in slowest.iter().take(3) {
        lines.push(Line::raw(format!(
            "{}: median {} · p90 {} ({})",
            single_line(&c.control),
            duration_words(c.median_seconds),
            duration_words(c.p90_seconds),
            c.fixes
        )));
    }
    let again = f
        .fixed_again
        .first()
        .map(|r| format!(" · most: {} {} ×{}", single_line(&r.control), single_line(&r.resource), r.times));
    lines.push(Line::styled(
        format!("fixed more than once: {} resource(s){}", f.fixed_again.len(), again.unwrap_or_default()),
        Style::default().fg(if f.fixed_again.is_empty() { t.muted } else { t.error }),
    ));
    frame.render_widget(Paragraph::new(lines).style(t.base()).block(block), area);
}

fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
