//! The exception form (`x`) with each validation error under its field.

use super::form::{ExceptionDialog, ExceptionField, ExceptionTarget};
use crate::model::sanitize;
use crate::ui::components::format;
use crate::ui::components::popup::popup;
use crate::ui::context::Context;
use crate::ui::theme::Theme;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

/// Column where field values start.
const LABEL_WIDTH: usize = 9;

/// "AwsEc2SecurityGroup arn:…" and "in 111111111111 (prod-payments) / us-east-1".
pub fn target_lines(target: &ExceptionTarget, ctx: &Context) -> [Line<'static>; 2] {
    [
        Line::styled(
            sanitize::single_line(&format!("  {} {}", target.resource.kind, target.resource.id)),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Line::raw(format!("  in {} / {}", format::account(ctx, &target.account_id), target.region)),
    ]
}

fn error_line(t: &Theme, error: &str) -> Line<'static> {
    Line::styled(
        format!("{:LABEL_WIDTH$}✗ {}", "", sanitize::single_line(error)),
        Style::default().fg(t.error).add_modifier(Modifier::BOLD),
    )
}

/// A field: label, value, a cursor when focused; its hint and its error below.
fn field_lines(
    d: &ExceptionDialog,
    field: ExceptionField,
    hint: Option<String>,
    t: &Theme,
    out: &mut Vec<Line<'static>>,
) {
    let (label, value) = match field {
        ExceptionField::Reason => ("Reason", &d.reason),
        ExceptionField::Expires => ("Expires", &d.expires),
        ExceptionField::Owner => ("Owner", &d.owner),
        ExceptionField::Controls => ("Controls", &d.controls),
    };
    let focused = d.focus == field && !d.confirming;
    let label_style =
        if focused { Style::default().fg(t.accent).add_modifier(Modifier::BOLD) } else { Style::default().fg(t.muted) };
    let mut spans = vec![
        Span::styled(format!("{label:<LABEL_WIDTH$}"), label_style),
        Span::styled(sanitize::single_line(value), Style::default().fg(t.foreground)),
    ];
    if focused {
        spans.push(Span::styled("█", Style::default().fg(t.accent)));
    }
    out.push(Line::from(spans));
    if let Some(hint) = hint {
        out.push(Line::styled(format!("{:LABEL_WIDTH$}{hint}", ""), Style::default().fg(t.muted)));
    }
    if let Some(error) = d.error_for(field.prefix()) {
        out.push(error_line(t, error));
    }
}

/// Draws the exception form.
pub fn form(frame: &mut Frame, area: Rect, ctx: &Context, d: &ExceptionDialog) {
    let t = &ctx.theme;
    let banner = Style::default().fg(t.background).bg(t.error).add_modifier(Modifier::BOLD);
    let renew = d.current.is_some();
    let mut lines = Vec::new();
    if d.read_only {
        lines.push(Line::styled(" read-only mode: nothing will be changed — the form is shown for review ", banner));
    }
    let heading = if renew { "Renew the exception on" } else { "Add an exception on" };
    lines.push(Line::styled(heading, Style::default().fg(t.header).add_modifier(Modifier::BOLD)));
    lines.extend(target_lines(&d.target, ctx));
    if let Some(current) = &d.current {
        let owner = current.owner.as_deref().map(|o| format!(", owner {o}")).unwrap_or_default();
        lines.push(Line::styled(
            sanitize::single_line(&format!(
                "  now: '{}' until {} ({} day(s) left{owner})",
                current.reason,
                format::date(current.expires),
                current.days_left(chrono::Utc::now())
            )),
            Style::default().fg(t.muted),
        ));
    }
    if let Some(error) = d.error_for("resource:") {
        lines.push(error_line(t, error));
    }
    lines.push(Line::raw(""));
    let hint = format!("YYYY-MM-DD, RFC 3339 or Nd, at most {} days", ctx.exceptions.max_days);
    field_lines(d, ExceptionField::Reason, None, t, &mut lines);
    field_lines(d, ExceptionField::Expires, Some(hint), t, &mut lines);
    field_lines(d, ExceptionField::Owner, Some("empty: you (the operator identity)".into()), t, &mut lines);
    let hint = "comma-separated control ids (EC2.19,EC2.13); empty: every control of the resource";
    field_lines(d, ExceptionField::Controls, Some(hint.into()), t, &mut lines);
    if d.prod {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                " PRODUCTION: account {} is class prod — press capital Y to confirm ",
                format::account(ctx, &d.target.account_id)
            ),
            banner,
        ));
    }
    if d.confirming {
        let verb = if renew { "renew" } else { "add" };
        lines.push(Line::styled(
            format!("Valid. Press capital Y to {verb} the exception; Esc goes back to the form."),
            Style::default().add_modifier(Modifier::BOLD),
        ));
    }
    let keys = if d.read_only {
        " read-only: Esc close · Tab / Shift-Tab field "
    } else if d.confirming {
        " Y (capital) confirm · Esc back to the form "
    } else if renew {
        " Tab / Shift-Tab field · Enter renew · Ctrl-U clear · Esc cancel "
    } else {
        " Tab / Shift-Tab field · Enter add · Ctrl-U clear · Esc cancel "
    };
    let title = if renew { " Renew exception " } else { " Add exception " };
    popup(frame, area, t, title, lines, 0, (100, u16::MAX), keys);
}
