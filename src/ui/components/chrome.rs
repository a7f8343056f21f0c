//! Header and status line.

use crate::engine::SourceStatus;
use crate::model::sanitize;
use crate::ui::context::Context;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Top line: what we look at, auto-fix state, filters.
pub fn header(frame: &mut Frame, area: Rect, ctx: &Context) {
    let t = &ctx.theme;
    let banner = Style::default().fg(t.background).bg(t.error).add_modifier(Modifier::BOLD);
    let mut spans =
        vec![Span::styled(" hubtriage ", Style::default().fg(t.background).bg(t.title).add_modifier(Modifier::BOLD))];
    if ctx.read_only {
        spans
            .push(Span::styled(" READ-ONLY ", Style::default().fg(t.background).bg(t.ok).add_modifier(Modifier::BOLD)));
    }
    if ctx.incident {
        spans.push(Span::styled(" INCIDENT MODE — change windows lifted ", banner));
    }
    // The label can name a `--findings` path: whatever it holds is shown inert.
    let label = sanitize::single_line(&ctx.backend_label);
    spans.push(Span::styled(format!(" {label} "), Style::default().fg(t.foreground)));
    spans.push(Span::styled("│", Style::default().fg(t.border)));
    if ctx.auto_fix {
        spans.push(Span::styled(" AUTO-FIX ON ", Style::default().fg(t.error).add_modifier(Modifier::BOLD)));
    } else {
        spans.push(Span::styled(format!(" would auto-fix {} ", ctx.would_fix()), Style::default().fg(t.muted)));
    }
    if let Some(totals) = open_totals(ctx) {
        spans.push(Span::styled("│", Style::default().fg(t.border)));
        spans.push(Span::styled(format!(" {totals} "), Style::default().fg(t.foreground)));
    }
    let running = ctx.running_jobs();
    if running > 0 {
        spans.push(Span::styled("│", Style::default().fg(t.border)));
        spans.push(Span::styled(
            format!(" {running} job(s) running "),
            Style::default().fg(t.accent).add_modifier(Modifier::BOLD),
        ));
    }
    let filters = ctx.listing.filters.describe();
    if !filters.is_empty() {
        spans.push(Span::styled("│", Style::default().fg(t.border)));
        spans.push(Span::styled(format!(" filter {filters} "), Style::default().fg(t.accent)));
    }
    spans.push(Span::styled("│", Style::default().fg(t.border)));
    let sort_dir = if ctx.listing.descending { "↓" } else { "↑" };
    spans.push(Span::styled(format!(" sort {}{sort_dir}", ctx.listing.sort.name()), Style::default().fg(t.muted)));
    frame.render_widget(Paragraph::new(Line::from(spans)).style(Style::default().bg(t.status_bg)), area);
}

/// What Security Hub counts in the sources that can tell (the new Security Hub), summed: "Security Hub: 1,234 open
/// (12 critical, 340 high, 880 medium, 2 low), 400 with a playbook"; `None` when no source told.
pub fn open_totals(ctx: &Context) -> Option<String> {
    let mut sum = crate::engine::OpenTotals::default();
    for totals in ctx.source_totals.values() {
        sum.add(totals);
    }
    if ctx.source_totals.is_empty() {
        return None;
    }
    let levels: Vec<String> = crate::model::Severity::ALL
        .iter()
        .filter_map(|s| sum.by_severity.get(s).filter(|n| **n > 0).map(|n| format!("{n} {}", s.label().to_lowercase())))
        .collect();
    let levels = if levels.is_empty() { String::new() } else { format!(" ({})", levels.join(", ")) };
    Some(format!("Security Hub: {} open{levels}, {} with a playbook", sum.total(), sum.with_playbook))
}

/// Counts of sources per state: "8 sources: 7 ok, 1 denied".
pub fn sources_summary(ctx: &Context) -> String {
    if ctx.sources.is_empty() {
        return match &ctx.connecting {
            Some(what) => format!("connecting to {what}… (q quits)"),
            None => "no sources yet".into(),
        };
    }
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    let mut loaded = 0usize;
    for status in ctx.sources.values() {
        if let SourceStatus::Loading { findings, .. } = status {
            loaded += findings;
        }
        match counts.iter_mut().find(|(w, _)| *w == status.word()) {
            Some((_, n)) => *n += 1,
            None => counts.push((status.word(), 1)),
        }
    }
    let parts: Vec<String> = counts.iter().map(|(w, n)| format!("{n} {w}")).collect();
    let loading = if loaded > 0 { format!(" ({loaded} loaded so far)") } else { String::new() };
    format!("{} sources: {}{loading}", ctx.sources.len(), parts.join(", "))
}

/// Draws the line being typed into the area it is given.
pub type DrawLine<'a> = &'a dyn Fn(&mut Frame, Rect);

/// Bottom line: sources, counts, key hints; or the line being typed (`typed`, drawn by its component).
pub fn status(frame: &mut Frame, area: Rect, ctx: &Context, typed: Option<DrawLine>) {
    let t = &ctx.theme;
    let style = Style::default().fg(t.status_fg).bg(t.status_bg);
    if let Some(typed) = typed {
        typed(frame, area);
        return;
    }
    let left_line = {
        let failing = ctx.sources.values().any(SourceStatus::is_failure);
        let mut spans = vec![
            Span::styled(format!(" {} ", sources_summary(ctx)), if failing { style.fg(t.error) } else { style }),
            Span::raw(format!("│ {} findings, {} shown ", ctx.listing.all().len(), ctx.listing.visible_len())),
        ];
        if !ctx.problems.is_empty() {
            spans
                .push(Span::styled(format!("│ {} input problems (2 sources) ", ctx.problems.len()), style.fg(t.error)));
        }
        if !ctx.marks.is_empty() {
            spans.push(Span::styled(format!("│ {} marked ", ctx.marks.len()), style.fg(t.accent)));
        }
        if let Some(message) = &ctx.status_message {
            // The status line answers with names from outside (actions, resources, errors): sanitized here, once.
            let message = sanitize::single_line(message);
            spans.insert(0, Span::styled(format!(" {message} │"), style.fg(t.accent).add_modifier(Modifier::BOLD)));
        }
        Line::from(spans)
    };
    // The text answers the last key and must be read whole: the hints take only the room it leaves.
    let room = usize::from(area.width).saturating_sub(left_line.width() + 1);
    let hints = super::hints::fit(room);
    let hints_width = u16::try_from(hints.chars().count()).unwrap_or(0);
    let [left, right] = Layout::horizontal([Constraint::Min(0), Constraint::Length(hints_width)]).areas(area);
    frame.render_widget(Paragraph::new(left_line).style(style), left);
    frame.render_widget(Paragraph::new(hints).style(style.fg(t.muted)), right);
}
