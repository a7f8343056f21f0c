//! The approval dialogs: the note form (`p`), the reason form (`n`) and the approval confirmation (`y`), which
//! shows the request's plan exactly as it will be applied.

use super::dialog::popup;
use super::{approvals, format};
use crate::model::sanitize::single_line;
use crate::ui::app::App;
use crate::ui::approval_dialog::{ApprovalTextForm, ApproveDialog, TextPurpose};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

/// Draws the note or reason form.
pub fn draw_text(frame: &mut Frame, area: Rect, app: &App, form: &ApprovalTextForm) {
    let t = &app.theme;
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let (title, label, mut lines) = match &form.purpose {
        TextPurpose::Request { finding } => {
            let resource = finding.primary_resource().map(|r| r.id.as_str()).unwrap_or("-");
            let lines = vec![
                Line::styled(single_line(&format!("{} {resource}", finding.control_or_type())), bold),
                Line::raw(format!(
                    "in {} / {}",
                    format::account(app, &finding.account_id),
                    single_line(&finding.region)
                )),
                Line::styled(
                    "The resource is read live now: only a finding whose verdict is approve, with a plan, is put up.",
                    Style::default().fg(t.muted),
                ),
            ];
            (" Put the plan up for approval ", "Note (optional)", lines)
        }
        TextPurpose::Reject { request } => {
            let f = &request.finding;
            let lines = vec![
                Line::styled(
                    single_line(&format!(
                        "{} {} {}",
                        request.id,
                        f.control_id.as_deref().unwrap_or("-"),
                        f.resource_id.as_deref().unwrap_or("-")
                    )),
                    bold,
                ),
                Line::raw(single_line(&format!("requested by {}", request.requested_by))),
            ];
            (" Reject the request ", "Reason", lines)
        }
    };
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(format!("{label}: "), Style::default().fg(t.accent).add_modifier(Modifier::BOLD)),
        Span::styled(single_line(&form.text), Style::default().fg(t.foreground)),
        Span::styled("█", Style::default().fg(t.accent)),
    ]));
    if let Some(error) = &form.error {
        lines.push(Line::styled(
            format!("✗ {}", single_line(error)),
            Style::default().fg(t.error).add_modifier(Modifier::BOLD),
        ));
    }
    popup(frame, area, t, title, lines, 0, (100, 10), " Enter submit · Esc cancel · Ctrl-U clear ");
}

/// Draws the approval confirmation.
pub fn draw_approve(frame: &mut Frame, area: Rect, app: &App, d: &ApproveDialog) {
    let t = &app.theme;
    let banner = Style::default().fg(t.background).bg(t.error).add_modifier(Modifier::BOLD);
    let r = &d.request;
    let mut lines = vec![Line::styled(
        "Approving carries the request out now: exactly this plan, re-read live and refused if anything differs.",
        Style::default().add_modifier(Modifier::BOLD),
    )];
    if d.prod {
        lines.push(Line::styled(
            format!(
                " PRODUCTION: account {} is class prod — press capital Y to approve ",
                format::account(app, &r.finding.account_id)
            ),
            banner,
        ));
    }
    lines.push(Line::raw(""));
    lines.extend(approvals::detail(r, app));
    let keys = if d.prod {
        " Y (capital) approve · n / Esc cancel · j k PgUp PgDn scroll "
    } else {
        " y / Enter approve · n / Esc cancel · j k PgUp PgDn scroll "
    };
    popup(frame, area, t, " Approve this request? ", lines, d.scroll, (150, u16::MAX), keys);
}
