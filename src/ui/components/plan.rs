//! A plan in lines: summary, each step before → after, the AWS CLI, the rollback CLI, fingerprint and warnings.
//! Shared by the detail pane and the apply dialog, so both show the same thing.

use crate::model::sanitize;
use crate::playbook::Plan;
use crate::triage::PlanStatus;
use crate::ui::theme::Theme;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// A plan's text is built from live state (tag values, names, policies) that anyone with access to the resource
/// writes: made inert on one line, like a finding's fields.
fn inert(text: &str) -> String {
    sanitize::single_line(text)
}

/// The lines of a plan status: the plan, or why there is none.
pub fn status_lines(plan: &PlanStatus, t: &Theme, out: &mut Vec<Line<'static>>) {
    match plan {
        PlanStatus::NoPlaybook => {
            out.push(Line::styled("No playbook: nothing hubtriage can change.", Style::default().fg(t.muted)))
        }
        PlanStatus::AlreadyCompliant(why) => {
            out.push(Line::styled(format!("Nothing to do: {}", inert(why)), Style::default().fg(t.ok)))
        }
        PlanStatus::Unavailable(why) => {
            out.push(Line::styled(format!("No plan: {}", inert(why)), Style::default().fg(t.error)))
        }
        PlanStatus::Planned(p) => plan_lines(p, t, "", out),
    }
}

/// The lines of a plan, each prefixed with `indent`.
pub fn plan_lines(p: &Plan, t: &Theme, indent: &str, out: &mut Vec<Line<'static>>) {
    let heading = Style::default().fg(t.header).add_modifier(Modifier::BOLD);
    out.push(Line::from(vec![
        Span::raw(indent.to_string()),
        Span::styled("Plan ", heading),
        Span::raw(format!("{}  ", inert(&p.summary))),
        Span::styled(
            format!("[{} · basis {} · fingerprint {}]", p.playbook, p.basis.name(), p.fingerprint),
            Style::default().fg(t.muted),
        ),
    ]));
    for (i, step) in p.steps.iter().enumerate() {
        out.push(Line::raw(format!("{indent}  {}. {}", i + 1, inert(&step.action))));
        out.push(Line::from(vec![
            Span::styled(format!("{indent}     before "), Style::default().fg(t.error)),
            Span::raw(inert(&step.before)),
        ]));
        out.push(Line::from(vec![
            Span::styled(format!("{indent}     after  "), Style::default().fg(t.ok)),
            Span::raw(inert(&step.after)),
        ]));
    }
    out.push(Line::styled(format!("{indent}  AWS CLI"), heading));
    out.extend(p.cli.iter().map(|c| Line::raw(format!("{indent}    {}", inert(c)))));
    out.push(Line::styled(format!("{indent}  Rollback"), heading));
    out.extend(p.rollback_cli.iter().map(|c| Line::raw(format!("{indent}    {}", inert(c)))));
    for w in &p.warnings {
        out.push(Line::styled(format!("{indent}  ⚠ {}", inert(w)), Style::default().fg(t.accent)));
    }
}
