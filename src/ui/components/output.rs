//! Output view: what each custom action run printed, newest run first, with how it ended (ok or failed in the
//! theme's colours). The runner sanitizes its text; each line is made single-line again here anyway.

use super::component::{nav_delta, Component};
use super::dialog::Outcome;
use crate::model::sanitize;
use crate::ui::action_runs::{ActionRun, ActionRuns};
use crate::ui::context::Context;
use crate::ui::keys::Binding;
use crate::ui::keys::{b, c, k, Action as A};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// The Output view.
pub const KEYS: &[Binding] = &[
    b(&[c('j'), k(KeyCode::Down)], A::Down, "scroll down"),
    b(&[c('k'), k(KeyCode::Up)], A::Up, "scroll up"),
    b(&[k(KeyCode::PageDown)], A::PageDown, "one page down"),
    b(&[k(KeyCode::PageUp)], A::PageUp, "one page up"),
    b(&[c('g'), k(KeyCode::Home)], A::Top, "the top (newest run)"),
    b(&[c('G'), k(KeyCode::End)], A::Bottom, "the bottom"),
];

/// The lines of one run: heading with the outcome, the output, a blank line.
fn run_lines(r: &ActionRun, ctx: &Context, out: &mut Vec<Line<'static>>) {
    let t = &ctx.theme;
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

/// Draws every run, newest first, scrolled by `scroll` lines.
fn draw(frame: &mut Frame, area: Rect, ctx: &Context, scroll: u16) {
    let t = &ctx.theme;
    let runs = &ctx.action_runs;
    let mut lines = Vec::new();
    for r in runs.runs.iter().rev() {
        run_lines(r, ctx, &mut lines);
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
            .scroll((scroll, 0))
            .style(t.base()),
        area,
    );
}

/// The Output view (`6`): how far it is scrolled (the runs are shared: actions start them).
#[derive(Debug, Clone, Default)]
pub struct OutputView {
    pub scroll: u16,
}

impl OutputView {
    /// Scrolls; `isize::MIN` / `MAX` go to the top / bottom.
    fn scroll_by(&mut self, delta: isize, runs: &ActionRuns) {
        let last = runs.line_count().saturating_sub(1);
        let at = match delta {
            isize::MIN => 0,
            isize::MAX => last,
            d => usize::from(self.scroll).saturating_add_signed(d).min(last),
        };
        self.scroll = u16::try_from(at).unwrap_or(u16::MAX);
    }
}

impl Component for OutputView {
    type Outcome = Outcome;

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        draw(frame, area, ctx, self.scroll);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Outcome {
        let Some(action) = self.action_of(key) else { return Outcome::NotHandled };
        self.scroll_by(nav_delta(action, ctx.table_height), &ctx.action_runs);
        Outcome::Handled
    }
}
