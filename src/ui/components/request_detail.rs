//! An approval request in full, as the Approvals view and the approval confirmation show it: who asked and why,
//! whether two people are needed, the decision, the outcome, and its plan (steps before → after, AWS CLI,
//! rollback, fingerprint). Everything a request carries comes from the shared book: shown inert.

use super::format;
use crate::model::sanitize::single_line;
use crate::review::{ApprovalRequest, ApprovalStatus};
use crate::ui::context::Context;
use crate::ui::theme::Theme;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// The colour of a request's status.
pub fn status_style(t: &Theme, status: ApprovalStatus) -> Style {
    match status {
        ApprovalStatus::Pending | ApprovalStatus::Applying => Style::default().fg(t.accent),
        ApprovalStatus::Approved | ApprovalStatus::Applied => Style::default().fg(t.ok),
        ApprovalStatus::Rejected | ApprovalStatus::Expired | ApprovalStatus::Failed => Style::default().fg(t.error),
    }
}

/// A label and its value, on one line.
fn field(t: &Theme, label: &str, value: String) -> Line<'static> {
    Line::from(vec![Span::styled(format!("{label:<13}"), Style::default().fg(t.muted)), Span::raw(single_line(&value))])
}

/// The request in full.
pub fn detail(r: &ApprovalRequest, ctx: &Context) -> Vec<Line<'static>> {
    let t = &ctx.theme;
    let f = &r.finding;
    let mut out = vec![
        Line::from(vec![
            Span::styled(single_line(&r.id), Style::default().add_modifier(Modifier::BOLD)),
            Span::raw(" "),
            Span::styled(r.status.name(), status_style(t, r.status).add_modifier(Modifier::BOLD)),
            Span::raw(single_line(&format!("  {} {}", f.control_id.as_deref().unwrap_or("-"), f.title))),
        ]),
        field(
            t,
            "resource",
            format!(
                "{} {} in {} / {} ({} account)",
                f.resource_type.as_deref().unwrap_or("-"),
                f.resource_id.as_deref().unwrap_or("-"),
                format::account(ctx, &f.account_id),
                f.region,
                r.account_class
            ),
        ),
        field(t, "verdict", format!("{} — {}", f.verdict, f.reason)),
        field(t, "requested", format!("{} by {}", format::time(r.requested_at), r.requested_by)),
    ];
    if let Some(note) = &r.note {
        out.push(field(t, "note", note.clone()));
    }
    let two = if r.two_person {
        " · two people: the approver must be another identity than the requester"
    } else {
        " · one person may request and approve"
    };
    out.push(field(t, "expires", format!("{}{two}", format::time(r.expires_at))));
    if let Some(by) = &r.decided_by {
        let at = r.decided_at.map(format::time).unwrap_or_default();
        let note = r.decision_note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
        out.push(field(t, "decided", format!("{} {at} by {by}{note}", r.status)));
    }
    if let Some(outcome) = &r.outcome {
        out.push(field(t, "carried out", format!("by {}: {outcome}", r.carried_out_by.as_deref().unwrap_or("?"))));
    }
    plan_lines(r, t, &mut out);
    out
}

/// The request's plan: summary, steps before → after, AWS CLI, rollback, fingerprint, warnings.
pub fn plan_lines(r: &ApprovalRequest, t: &Theme, out: &mut Vec<Line<'static>>) {
    let heading = Style::default().fg(t.header).add_modifier(Modifier::BOLD);
    let Some(p) = &r.finding.plan else {
        out.push(Line::styled(
            format!("No plan ({})", single_line(&r.finding.plan_status)),
            Style::default().fg(t.error),
        ));
        return;
    };
    out.push(Line::from(vec![
        Span::styled("Plan ", heading),
        Span::raw(format!("{}  ", single_line(&p.summary))),
        Span::styled(
            single_line(&format!("[{} · basis {} · fingerprint {}]", p.playbook, p.basis.name(), p.fingerprint)),
            Style::default().fg(t.muted),
        ),
    ]));
    for (i, step) in p.steps.iter().enumerate() {
        out.push(Line::raw(format!("  {}. {}", i + 1, single_line(&step.action))));
        out.push(Line::from(vec![
            Span::styled("     before ", Style::default().fg(t.error)),
            Span::raw(single_line(&step.before)),
        ]));
        out.push(Line::from(vec![
            Span::styled("     after  ", Style::default().fg(t.ok)),
            Span::raw(single_line(&step.after)),
        ]));
    }
    out.push(Line::styled("  AWS CLI", heading));
    out.extend(p.cli.iter().map(|c| Line::raw(format!("    {}", single_line(c)))));
    out.push(Line::styled("  Rollback", heading));
    out.extend(p.rollback_cli.iter().map(|c| Line::raw(format!("    {}", single_line(c)))));
    for w in &p.warnings {
        out.push(Line::styled(format!("  ⚠ {}", single_line(w)), Style::default().fg(t.accent)));
    }
}
