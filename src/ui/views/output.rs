//! Output view: what each custom action run printed, newest run first, with how it ended (ok or failed in the
//! theme's colours). The runner sanitizes its text; each line is made single-line again here anyway.

use crate::model::sanitize;
use crate::ui::action_runs::ActionRun;
use crate::ui::app::App;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// The lines of one run: heading with the outcome, the output, a blank line.
fn run_lines(r: &ActionRun, app: &App, out: &mut Vec<Line<'static>>) {
    let t = &app.theme;
    let heading = format!(
        "run #{} {} on {} finding(s) · started {} · ",
        r.run,
        sanitize::single_line(&r.action),
        r.findings,
        super::format::time(r.started_at)
    );
    let outcome = match &r.outcome {
        None => Span::styled("running…", Style::default().fg(t.accent)),
        Some(Ok(summary)) => Span::styled(
            format!("ok: {}", sanitize::single_line(summary)),
            Style::default().fg(t.ok).add_modifier(Modifier::BOLD),
        ),
        Some(Err(why)) => Span::styled(
            format!("failed: {}", sanitize::single_line(why)),
            Style::default().fg(t.error).add_modifier(Modifier::BOLD),
        ),
    };
    out.push(Line::from(vec![
        Span::styled(heading, Style::default().fg(t.header).add_modifier(Modifier::BOLD)),
        outcome,
    ]));
    out.extend(r.lines.iter().map(|l| Line::raw(format!("  {}", sanitize::single_line(l)))));
    if r.dropped > 0 {
        out.push(Line::styled(format!("  … {} more line(s) not kept", r.dropped), Style::default().fg(t.muted)));
    }
    out.push(Line::raw(""));
}

/// Draws every run, newest first, scrolled by `action_runs.scroll`.
pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let runs = &app.action_runs;
    let mut lines = Vec::new();
    for r in runs.runs.iter().rev() {
        run_lines(r, app, &mut lines);
    }
    if lines.is_empty() {
        lines.push(Line::styled(
            "No action has run yet: c on a finding lists the custom actions.",
            Style::default().fg(t.muted),
        ));
    }
    let title = format!(" Output: {} run(s) · {} running · j k scroll ", runs.runs.len(), runs.running());
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::default().borders(Borders::ALL).border_style(Style::default().fg(t.border_focused)).title(title),
            )
            .scroll((runs.scroll, 0))
            .style(t.base()),
        area,
    );
}
