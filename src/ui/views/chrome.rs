//! Header and status line.

use crate::engine::SourceStatus;
use crate::model::sanitize;
use crate::ui::app::{App, Mode};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Top line: what we look at, auto-fix state, filters.
pub fn header(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let banner = Style::default().fg(t.background).bg(t.error).add_modifier(Modifier::BOLD);
    let mut spans =
        vec![Span::styled(" hubtriage ", Style::default().fg(t.background).bg(t.title).add_modifier(Modifier::BOLD))];
    if app.read_only {
        spans
            .push(Span::styled(" READ-ONLY ", Style::default().fg(t.background).bg(t.ok).add_modifier(Modifier::BOLD)));
    }
    if app.incident {
        spans.push(Span::styled(" INCIDENT MODE — change windows lifted ", banner));
    }
    // The label can name a `--findings` path: whatever it holds is shown inert.
    let label = sanitize::single_line(&app.backend_label);
    spans.push(Span::styled(format!(" {label} "), Style::default().fg(t.foreground)));
    spans.push(Span::styled("│", Style::default().fg(t.border)));
    if app.auto_fix {
        spans.push(Span::styled(" AUTO-FIX ON ", Style::default().fg(t.error).add_modifier(Modifier::BOLD)));
    } else {
        spans.push(Span::styled(format!(" would auto-fix {} ", app.would_fix()), Style::default().fg(t.muted)));
    }
    if let Some(totals) = open_totals(app) {
        spans.push(Span::styled("│", Style::default().fg(t.border)));
        spans.push(Span::styled(format!(" {totals} "), Style::default().fg(t.foreground)));
    }
    let running = app.running_jobs();
    if running > 0 {
        spans.push(Span::styled("│", Style::default().fg(t.border)));
        spans.push(Span::styled(
            format!(" {running} job(s) running "),
            Style::default().fg(t.accent).add_modifier(Modifier::BOLD),
        ));
    }
    let filters = app.listing.filters.describe();
    if !filters.is_empty() {
        spans.push(Span::styled("│", Style::default().fg(t.border)));
        spans.push(Span::styled(format!(" filter {filters} "), Style::default().fg(t.accent)));
    }
    spans.push(Span::styled("│", Style::default().fg(t.border)));
    let sort_dir = if app.listing.descending { "↓" } else { "↑" };
    spans.push(Span::styled(format!(" sort {}{sort_dir}", app.listing.sort.name()), Style::default().fg(t.muted)));
    frame.render_widget(Paragraph::new(Line::from(spans)).style(Style::default().bg(t.status_bg)), area);
}

/// What Security Hub counts in the sources that can tell (the new Security Hub), summed: "Security Hub: 1,234 open
/// (12 critical, 340 high, 880 medium, 2 low), 400 with a playbook"; `None` when no source told.
pub fn open_totals(app: &App) -> Option<String> {
    let mut sum = crate::engine::OpenTotals::default();
    for totals in app.source_totals.values() {
        sum.add(totals);
    }
    if app.source_totals.is_empty() {
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
pub fn sources_summary(app: &App) -> String {
    if app.sources.is_empty() {
        return match &app.connecting {
            Some(what) => format!("connecting to {what}… (q quits)"),
            None => "no sources yet".into(),
        };
    }
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    let mut loaded = 0usize;
    for status in app.sources.values() {
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
    format!("{} sources: {}{loading}", app.sources.len(), parts.join(", "))
}

/// Bottom line: sources, counts, the filter being typed, key hints.
pub fn status(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let style = Style::default().fg(t.status_fg).bg(t.status_bg);
    let left_line = if app.mode == Mode::Filter {
        query_line(app)
    } else if app.mode == Mode::Command {
        command_line(app)
    } else {
        let failing = app.sources.values().any(SourceStatus::is_failure);
        let mut spans = vec![
            Span::styled(format!(" {} ", sources_summary(app)), if failing { style.fg(t.error) } else { style }),
            Span::raw(format!("│ {} findings, {} shown ", app.listing.all().len(), app.listing.visible_len())),
        ];
        if !app.problems.is_empty() {
            spans
                .push(Span::styled(format!("│ {} input problems (2 sources) ", app.problems.len()), style.fg(t.error)));
        }
        if !app.marks.is_empty() {
            spans.push(Span::styled(format!("│ {} marked ", app.marks.len()), style.fg(t.accent)));
        }
        if let Some(message) = &app.status_message {
            // The status line answers with names from outside (actions, resources, errors): sanitized here, once.
            let message = sanitize::single_line(message);
            spans.insert(0, Span::styled(format!(" {message} │"), style.fg(t.accent).add_modifier(Modifier::BOLD)));
        }
        Line::from(spans)
    };
    // The text answers the last key and must be read whole: the hints take only the room it leaves (none while a
    // query or command is typed).
    let typing = matches!(app.mode, Mode::Filter | Mode::Command);
    let room = usize::from(area.width).saturating_sub(left_line.width() + 1);
    let hints = if typing { String::new() } else { super::hints::fit(room) };
    let hints_width = u16::try_from(hints.chars().count()).unwrap_or(0);
    let [left, right] = Layout::horizontal([Constraint::Min(0), Constraint::Length(hints_width)]).areas(area);
    frame.render_widget(Paragraph::new(left_line).style(style), left);
    frame.render_widget(Paragraph::new(hints).style(style.fg(t.muted)), right);
}

/// The query being typed; when it does not read, the text from the problem on in the error colour and, after the
/// cursor, where and what was expected.
fn query_line(app: &App) -> Line<'static> {
    let t = &app.theme;
    let input = &app.filter_input;
    let error = crate::ui::filtering::query_error(input);
    // Cut where the problem is before sanitizing: the sanitizer may change the text's length.
    let cut = error.as_ref().and_then(|e| input.char_indices().nth(e.position - 1)).map_or(input.len(), |(i, _)| i);
    let mut spans = vec![
        Span::styled(" / ", Style::default().fg(t.accent).add_modifier(Modifier::BOLD)),
        Span::raw(sanitize::single_line(&input[..cut])),
        Span::styled(
            sanitize::single_line(&input[cut..]),
            Style::default().fg(t.error).add_modifier(Modifier::UNDERLINED),
        ),
        Span::styled("█", Style::default().fg(t.accent)),
    ];
    if let Some(e) = error {
        spans.push(Span::styled(format!("  {}", sanitize::single_line(&e.to_string())), Style::default().fg(t.error)));
    }
    Line::from(spans)
}

/// The command being typed, then what the word being typed can become (Tab completes it).
fn command_line(app: &App) -> Line<'static> {
    let t = &app.theme;
    let candidates = app.command_candidates();
    let mut hint = candidates.iter().take(8).map(|c| sanitize::single_line(c)).collect::<Vec<_>>().join("  ");
    if candidates.len() > 8 {
        hint.push_str(&format!("  … {} more", candidates.len() - 8));
    }
    Line::from(vec![
        Span::styled(" : ", Style::default().fg(t.accent).add_modifier(Modifier::BOLD)),
        Span::raw(sanitize::single_line(&app.command_input)),
        Span::styled("█", Style::default().fg(t.accent)),
        Span::styled(format!("   {hint}"), Style::default().fg(t.muted)),
    ])
}
