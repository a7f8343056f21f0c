//! Where background messages go: to the shared context, and to the components they concern.

use super::app::{App, View};
use super::components::apply::ApplyDialog;
use super::components::dialog::Dialog;
use crate::engine::jobs::{JobKind, PreviewItem};
use crate::engine::Msg;

impl App {
    /// Applies a background message.
    pub fn on_msg(&mut self, msg: Msg) {
        let ctx = &mut self.ctx;
        match msg {
            Msg::Findings(mut changes) => {
                let problems = std::mem::take(&mut changes.problems);
                ctx.note_problems(changes.source.as_ref(), problems);
                ctx.listing.apply(*changes);
            }
            // Pages go to the Store stage, which sends what they change as `Findings`; one reaching the table
            // directly would bypass its decisions, so it is not shown.
            Msg::FindingsPage { source, .. } | Msg::StoredPage { source, .. } => {
                tracing::error!(%source, "a page of findings reached the table without the store stage; dropped");
            }
            Msg::SourceState { source, status } => {
                ctx.sources.insert(source, status);
            }
            Msg::SourceApi { source, api } => {
                ctx.source_apis.insert(source, api);
            }
            Msg::SourceTotals { source, totals } => {
                ctx.source_totals.insert(source, totals);
            }
            Msg::LivePlan { req, key, result } => ctx.on_live_plan(req, key, *result),
            Msg::ApplyPreview { req, items } => self.on_preview(req, items),
            Msg::Job(update) => {
                ctx.on_job(&update);
                if matches!(update.kind, JobKind::ExceptionAdd | JobKind::ExceptionRemove) && update.state.is_final() {
                    self.views.exceptions.after_job(&update, ctx);
                }
            }
            Msg::Audit(record) => ctx.audit.push(*record),
            Msg::Drift(drift) => ctx.on_drift(*drift),
            Msg::Exceptions { entries, problems } => self.views.exceptions.set(entries, problems),
            Msg::ActionOutput { run, text } => ctx.action_runs.output(run, &text),
            Msg::ActionDone { run, outcome } => {
                let r = ctx.action_runs.finish(run, outcome);
                let how = match &r.outcome {
                    Some(Ok(summary)) => format!("ok: {summary}"),
                    Some(Err(why)) => format!("failed: {why}"),
                    None => String::new(),
                };
                let message = format!("action {} (run #{}) {how} · 6 shows the output", r.action, r.run);
                ctx.say(message);
            }
            Msg::NotificationFailed(failure) => ctx.say(failure.to_string()),
            Msg::Approval { req, reply } => self.views.approvals.on_reply(req, *reply, ctx),
            Msg::History { lifetimes, reopened } => {
                let shown = self.view == View::Overview;
                self.views.overview.on_history(lifetimes, reopened, ctx, shown);
            }
        }
    }

    /// The live plans arrived: the confirmation, unless the operator cancelled or asked again since.
    fn on_preview(&mut self, req: u64, items: Vec<PreviewItem>) {
        if !matches!(&self.dialog, Some(Dialog::Reading(r)) if r.req == req) {
            return;
        }
        for item in &items {
            if let Ok(assessment) = &item.result {
                self.ctx.listing.set_assessment(&item.finding.key(), assessment.clone());
            }
        }
        let dialog = ApplyDialog::new(items, &self.ctx.account_classes, self.ctx.read_only);
        self.dialog = Some(Dialog::Apply(Box::new(dialog)));
    }
}
