//! What the detail pane says about a finding's remediation: its latest job, a regression, and how often the same
//! problem was fixed before (a problem fixed again and again is re-created upstream).

use super::format;
use crate::engine::audit_summary;
use crate::model::{sanitize, Finding};
use crate::ui::app::App;
use crate::ui::remediation::resource_region;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

fn label(app: &App, text: &str) -> Span<'static> {
    Span::styled(format!("{text:<11}"), Style::default().fg(app.theme.muted))
}

/// Job, regression and recurrence lines for `f`; nothing when there is nothing to say.
pub fn lines(f: &Finding, app: &App, out: &mut Vec<Line<'static>>) {
    let t = &app.theme;
    if app.marks.contains(&f.key()) {
        out.push(Line::from(vec![label(app, "Marked"), Span::raw("a applies every marked finding")]));
    }
    if let Some(job) = app.latest_job(&f.key()) {
        let mut spans = vec![
            label(app, "Job"),
            Span::raw(format!("#{} {} ", job.id, job.kind.word())),
            Span::styled(format::job_state(&job.state), t.job_state(&job.state).add_modifier(Modifier::BOLD)),
            Span::styled(format!("  {} · plan {}", job.audit_job, job.fingerprint), Style::default().fg(t.muted)),
        ];
        if let Some(detail) = job.state.detail() {
            spans.push(Span::raw(format!(" — {}", sanitize::single_line(detail))));
        }
        out.push(Line::from(spans));
    }
    if let Some(drift) = app.drift_for(f) {
        let by = drift.fixed_by.as_deref().map(|j| format!(" by job {j}")).unwrap_or_default();
        out.push(Line::from(vec![
            Span::styled(format!("{:<11}", "REGRESSED"), t.regressed()),
            Span::styled(
                format!(
                    "fixed at {}{by}, non-compliant again (seen {}): {} — press a to fix again",
                    format::time(drift.fixed_at),
                    format::time(drift.detected_at),
                    sanitize::single_line(&drift.message)
                ),
                t.regressed(),
            ),
        ]));
    }
    let (Some(resource), Some(control)) = (f.primary_resource(), f.control_id.as_deref()) else {
        return;
    };
    let r = audit_summary::recurrence(&app.audit, &f.account_id, resource_region(f), &resource.id, control);
    if r.control_fixes == 0 {
        return;
    }
    let last = r.last_on_resource.map(|d| format!(" (last: {})", format::date(d))).unwrap_or_default();
    out.push(Line::from(vec![
        label(app, "History"),
        Span::raw(format!(
            "fixed {} time(s) before on this resource{last}; control {control} fixed {} time(s) across {} resource(s)",
            r.on_resource, r.control_fixes, r.control_resources
        )),
    ]));
    if r.points_upstream() {
        out.push(Line::styled(
            "           fixed again and again: something upstream (a template, a pipeline, a habit) re-creates it — \
             fix the process, not just the resource"
                .to_string(),
            Style::default().fg(t.error),
        ));
    }
}
