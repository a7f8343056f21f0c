//! The detail pane: fields, verdict and why, the dry-run plan (before → after, CLI, rollback), raw JSON on demand.

use super::state::{FindingsView, Focus};
use crate::engine::Row;
use crate::model::{guidance, sanitize, FindingFormat};
use crate::policy::Verdict;
use crate::ui::context::Context;
use crate::ui::theme::Theme;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

/// Longest raw JSON shown, in characters.
const MAX_RAW_CHARS: usize = 200_000;
/// Resources listed one per line; the others are counted (the raw JSON view has them all). A finding can name
/// thousands, and the pane is rebuilt on every frame.
const MAX_RESOURCES_SHOWN: usize = 20;

/// Draws the pane for the selected finding.
pub fn draw(frame: &mut Frame, area: Rect, ctx: &Context, view: &FindingsView) {
    let t = &ctx.theme;
    let border = if view.focus == Focus::Detail { t.border_focused } else { t.border };
    let title = if view.show_raw { " Raw JSON (J to hide) " } else { " Detail (J raw JSON) " };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(border))
        .title(Span::styled(title, Style::default().fg(t.title)));
    let lines = match ctx.listing.selected_row() {
        None => match super::group_line::summary(ctx) {
            Some(summary) => summary,
            None => vec![Line::from(Span::styled("No finding selected.", Style::default().fg(t.muted)))],
        },
        Some(row) if view.show_raw => raw_lines(row),
        Some(row) => lines(row, ctx),
    };
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).scroll((view.detail_scroll, 0)).style(t.base()),
        area,
    );
}

/// The finding's JSON, pretty-printed, inert and bounded.
pub fn raw_lines(row: &Row) -> Vec<Line<'static>> {
    let pretty = match row.finding.raw.text() {
        Ok(raw) => serde_json::from_str::<serde_json::Value>(&raw)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_else(|_| raw.into_owned()),
        Err(e) => format!("(the raw JSON cannot be shown: {e})"),
    };
    // Hidden chars are shown as their JSON escapes (an unterminated 8-bit OSC would otherwise take the rest along).
    let pretty = sanitize::json_escape_hidden(&pretty);
    sanitize::multi_line(&pretty, MAX_RAW_CHARS).lines().map(|l| Line::raw(l.to_string())).collect()
}

/// Where no playbook fixes the finding: what the finding itself advises, and its links (read from its JSON, inert).
fn guidance_lines(row: &Row, t: &Theme, out: &mut Vec<Line<'static>>) {
    let Some(advice) = row.finding.raw.text().ok().and_then(|raw| guidance::guidance(&raw)) else { return };
    out.push(Line::raw(""));
    out.push(Line::styled("Guidance (from the finding)", Style::default().fg(t.header).add_modifier(Modifier::BOLD)));
    if let Some(text) = &advice.text {
        out.extend(text.lines().map(|l| Line::raw(format!("  {l}"))));
    }
    for link in &advice.links {
        out.push(Line::from(vec![label(t, "  Link"), Span::styled(link.clone(), Style::default().fg(t.muted))]));
    }
}

fn label(t: &Theme, text: &str) -> Span<'static> {
    Span::styled(format!("{text:<11}"), Style::default().fg(t.muted))
}

/// The lines of the detail pane.
pub fn lines(row: &Row, ctx: &Context) -> Vec<Line<'static>> {
    let t = &ctx.theme;
    let f = &row.finding;
    let decision = &row.decision;
    let mut out = vec![Line::from(Span::styled(f.title.to_string(), Style::default().add_modifier(Modifier::BOLD)))];
    out.push(Line::from(vec![
        label(t, "Severity"),
        Span::styled(f.severity.label(), t.severity(f.severity)),
        Span::raw(format!(
            "   control {}   product {}   workflow {}   compliance {}",
            f.control_id.as_deref().unwrap_or("-"),
            f.product_name,
            f.workflow_status.label(),
            f.compliance_status.map(|c| format!("{c:?}").to_uppercase()).unwrap_or_else(|| "-".into())
        )),
    ]));
    let account = match ctx.account_names.get(&*f.account_id) {
        Some(name) => format!("{} ({name})", f.account_id),
        None => f.account_id.to_string(),
    };
    out.push(Line::from(vec![label(t, "Account"), Span::raw(format!("{account}   region {}", f.region))]));
    for r in f.resources.iter().take(MAX_RESOURCES_SHOWN) {
        out.push(Line::from(vec![label(t, "Resource"), Span::raw(format!("{} {}", r.kind, r.id))]));
    }
    if let Some(more) = f.resources.len().checked_sub(MAX_RESOURCES_SHOWN).filter(|n| *n > 0) {
        out.push(Line::from(vec![
            label(t, ""),
            Span::styled(format!("… {more} more resources (J shows the raw JSON)"), Style::default().fg(t.muted)),
        ]));
    }
    out.push(Line::from(vec![
        label(t, "Verdict"),
        Span::styled(decision.verdict.name(), t.verdict(decision.verdict).add_modifier(Modifier::BOLD)),
        Span::raw(format!(" — {}", decision.reason)),
    ]));
    if let Some(live) = ctx.live.as_ref().filter(|l| l.key == f.key()) {
        match &live.result {
            None => out.push(Line::from(Span::styled("           reading live state…", Style::default().fg(t.muted)))),
            Some(Err(e)) => out.push(Line::from(Span::styled(
                format!("           live read failed: {}", sanitize::single_line(e)),
                Style::default().fg(t.error),
            ))),
            Some(Ok(_)) => {}
        }
    }
    super::history::lines(f, ctx, &mut out);
    out.push(Line::raw(""));
    crate::ui::components::plan::status_lines(row.plan(), t, &mut out);
    if matches!(decision.verdict, Verdict::NoPlaybook | Verdict::Manual) {
        guidance_lines(row, t, &mut out);
    }
    if !f.description.is_empty() {
        out.push(Line::raw(""));
        out.extend(f.description.lines().map(|l| Line::styled(l.to_string(), Style::default().fg(t.muted))));
    }
    for w in &f.warnings {
        out.push(Line::styled(format!("reader: {w}"), Style::default().fg(t.error)));
    }
    let format = if f.format == FindingFormat::Ocsf { "   (OCSF)" } else { "" };
    out.push(Line::styled(format!("id {}{format}", f.public_id()), Style::default().fg(t.muted)));
    out
}
