//! What the detail pane says about a finding's remediation: its latest job, a regression, and how often the same
//! problem was fixed before (a problem fixed again and again is re-created upstream).

use crate::engine::audit_summary;
use crate::model::{sanitize, Finding};
use crate::ui::components::format;
use crate::ui::context::resource_region;
use crate::ui::context::Context;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

fn label(ctx: &Context, text: &str) -> Span<'static> {
    Span::styled(format!("{text:<11}"), Style::default().fg(ctx.theme.muted))
}

/// Job, regression and recurrence lines for `f`; nothing when there is nothing to say.
pub fn lines(f: &Finding, ctx: &Context, out: &mut Vec<Line<'static>>) {
    let t = &ctx.theme;
    if ctx.marks.contains(&f.key()) {
        out.push(Line::from(vec![label(ctx, "Marked"), Span::raw("a applies every marked finding")]));
    }
    if let Some(job) = ctx.latest_job(&f.key()) {
        let mut spans = vec![
            label(ctx, "Job"),
            Span::raw(format!("#{} {} ", job.id, job.kind.word())),
            Span::styled(format::job_state(&job.state), t.job_state(&job.state).add_modifier(Modifier::BOLD)),
            Span::styled(format!("  {} · plan {}", job.audit_job, job.fingerprint), Style::default().fg(t.muted)),
        ];
        if let Some(detail) = job.state.detail() {
            spans.push(Span::raw(format!(" — {}", sanitize::single_line(detail))));
        }
        out.push(Line::from(spans));
    }
    if let Some(drift) = ctx.drift_for(f) {
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
    let r = audit_summary::recurrence(&ctx.audit, &f.account_id, resource_region(f), &resource.id, control);
    if r.control_fixes == 0 {
        return;
    }
    let last = r.last_on_resource.map(|d| format!(" (last: {})", format::date(d))).unwrap_or_default();
    out.push(Line::from(vec![
        label(ctx, "History"),
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
