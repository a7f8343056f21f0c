//! Dialogs over the current view: "reading live state…", the apply confirmation, incident mode. The rollback
//! dialog, the exception dialogs and the action menu have their own files.

use super::{action_menu, approval_dialog, exception_dialog, format, plan, rollback_dialog};
use crate::model::{sanitize, Finding};
use crate::ui::app::App;
use crate::ui::dialog::{ApplyDialog, Dialog};
use crate::ui::theme::Theme;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// Draws the open dialog, if any.
pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    match &app.dialog {
        None => {}
        Some(Dialog::Reading { count, .. }) => {
            let lines = vec![Line::raw(format!("reading live state… ({count} finding(s))"))];
            popup(frame, area, t, " Apply ", lines, 0, (60, 3), " Esc cancels ");
        }
        Some(Dialog::Apply(d)) => {
            let keys = if d.read_only {
                " read-only: n / Esc close · j k PgUp PgDn scroll "
            } else if !d.prod_accounts.is_empty() {
                " Y (capital) apply · n / Esc cancel · j k PgUp PgDn scroll "
            } else {
                " y / Enter apply · n / Esc cancel · j k PgUp PgDn scroll "
            };
            popup(frame, area, t, " Apply these changes? ", apply_lines(d, app), d.scroll, (150, u16::MAX), keys);
        }
        Some(Dialog::Rollback(d)) => rollback_dialog::draw(frame, area, app, d),
        Some(Dialog::Exception(d)) => exception_dialog::draw_form(frame, area, app, d),
        Some(Dialog::RemoveException(d)) => exception_dialog::draw_remove(frame, area, app, d),
        Some(Dialog::Actions(menu)) => action_menu::draw_menu(frame, area, app, menu),
        Some(Dialog::RunAction(pending)) => action_menu::draw_confirm(frame, area, app, pending),
        Some(Dialog::ApprovalText(form)) => approval_dialog::draw_text(frame, area, app, form),
        Some(Dialog::Approve(d)) => approval_dialog::draw_approve(frame, area, app, d),
        Some(Dialog::Incident { on }) => {
            let lines = if *on {
                vec![
                    Line::styled("Switch incident mode ON?", Style::default().add_modifier(Modifier::BOLD)),
                    Line::raw("Change windows are lifted: fixes that wait for a window can run now."),
                    Line::raw("Verdicts and approvals still apply. The switch is written to the audit log."),
                ]
            } else {
                vec![
                    Line::styled("Switch incident mode off?", Style::default().add_modifier(Modifier::BOLD)),
                    Line::raw("Change windows apply again. The switch is written to the audit log."),
                ]
            };
            popup(frame, area, t, " Incident mode ", lines, 0, (84, 5), " y / Enter confirm · n / Esc cancel ");
        }
    }
}

/// A bordered box centred in `area`, at most `max` (width, inner height) in size, with `keys` on its bottom edge.
#[allow(clippy::too_many_arguments)]
pub fn popup(
    frame: &mut Frame,
    area: Rect,
    t: &Theme,
    title: &str,
    lines: Vec<Line<'static>>,
    scroll: u16,
    max: (u16, u16),
    keys: &'static str,
) {
    let width = max.0.min(area.width.saturating_sub(4)).max(area.width.min(20));
    let height = wrapped_rows(&lines, width.saturating_sub(2))
        .saturating_add(2)
        .min(max.1.saturating_add(2))
        .min(area.height * 9 / 10)
        .max(3);
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center).areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width)]).flex(Flex::Center).areas(row);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(t.border_focused))
        .title(Span::styled(title.to_string(), Style::default().fg(t.title).add_modifier(Modifier::BOLD)))
        .title_bottom(Span::styled(keys, Style::default().fg(t.accent)));
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).scroll((scroll, 0)).style(t.base()),
        rect,
    );
}

/// Rows the lines take when wrapped at `width`, a little generous (word wrap breaks before the last column).
fn wrapped_rows(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let rows: usize = lines
        .iter()
        .map(|l| match l.width() {
            0 => 1,
            w if w <= width => 1,
            w => w.div_ceil(width) + 1,
        })
        .sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}

/// "2 findings → 1 change".
fn arrow(findings: usize, changes: usize) -> String {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    format!("{findings} finding{} → {changes} change{}", s(findings), s(changes))
}

/// "S3.8 acme-logs in 111111111111 (prod-payments) / eu-west-1".
fn target(f: &Finding, app: &App) -> String {
    let resource = f.primary_resource().map(|r| r.id.as_str()).unwrap_or("-");
    format!("{} {resource} in {} / {}", f.control_or_type(), format::account(app, &f.account_id), f.region)
}

/// The finding's title, then its verdict and why.
fn finding_lines(f: &Finding, d: &ApplyDialog, t: &Theme, out: &mut Vec<Line<'static>>) {
    out.push(Line::raw(format!("  • {}", f.title)));
    let assessment = d.entries.iter().find(|e| e.finding.key() == f.key()).and_then(|e| e.assessment.as_ref());
    if let Some(a) = assessment {
        out.push(Line::from(vec![
            Span::raw("    "),
            Span::styled(a.decision.verdict.name(), t.verdict(a.decision.verdict)),
            Span::styled(format!(" — {}", a.decision.reason), Style::default().fg(t.muted)),
        ]));
    }
}

/// The confirmation's lines: banners, each change with its findings and plan, then the skipped findings.
pub fn apply_lines(d: &ApplyDialog, app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let banner = Style::default().fg(t.background).bg(t.error).add_modifier(Modifier::BOLD);
    let skipped: Vec<_> = d.entries.iter().filter(|e| e.skipped.is_some()).collect();
    let mut out = Vec::new();
    if d.read_only {
        out.push(Line::styled(" read-only mode: nothing will be applied — the plans are shown for review ", banner));
    }
    out.push(Line::styled(
        format!(
            "{}; {} skipped. Findings on the same resource and control are grouped into one job.",
            arrow(d.applicable_count(), d.requests.len()),
            skipped.len()
        ),
        bold,
    ));
    for account in &d.prod_accounts {
        out.push(Line::styled(
            format!(" PRODUCTION: account {} is class prod — press capital Y to apply ", format::account(app, account)),
            banner,
        ));
    }
    for (i, request) in d.requests.iter().enumerate() {
        let Some(first) = request.findings.first() else { continue };
        out.push(Line::raw(""));
        out.push(Line::styled(
            format!("Change {} of {} — {}", i + 1, d.requests.len(), arrow(request.findings.len(), 1)),
            Style::default().fg(t.header).add_modifier(Modifier::BOLD),
        ));
        out.push(Line::styled(format!("  {}", target(first, app)), bold));
        for f in &request.findings {
            finding_lines(f, d, t, &mut out);
        }
        if let Some(p) = &request.approved {
            plan::plan_lines(p, t, "  ", &mut out);
        }
    }
    if d.requests.is_empty() {
        out.push(Line::raw(""));
        out.push(Line::styled("Nothing to apply.", Style::default().fg(t.muted)));
    }
    if !skipped.is_empty() {
        out.push(Line::raw(""));
        out.push(Line::styled(
            format!("Skipped ({})", skipped.len()),
            Style::default().fg(t.header).add_modifier(Modifier::BOLD),
        ));
        for e in skipped {
            out.push(Line::raw(format!("  • {}", target(&e.finding, app))));
            out.push(Line::styled(
                format!("    {}", sanitize::single_line(e.skipped.as_deref().unwrap_or_default())),
                Style::default().fg(t.error),
            ));
            out.push(Line::styled(format!("    {}", e.finding.title), Style::default().fg(t.muted)));
        }
    }
    out
}
