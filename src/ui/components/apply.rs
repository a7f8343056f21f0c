//! `a`: "reading live state…" while the live plans of the findings to apply are read, then the confirmation that
//! shows them — the requests that will run (findings on the same resource and control grouped) and the findings
//! left out with why. What it shows is computed once, when it opens, so what is confirmed is exactly what runs.

use super::component::{Component, Step};
use super::confirm::CONFIRM_PLAN;
use super::confirm::{decide, Decision};
use super::popup::popup;
use super::{format, plan};
use crate::engine::jobs::{group_requests, ApplyRequest, PreviewItem};
use crate::model::{sanitize, Finding};
use crate::playbook::{Basis, Plan};
use crate::policy::Verdict;
use crate::triage::{Assessment, PlanStatus};
use crate::ui::context::{Context, PROD_CLASS};
use crate::ui::effect::Effect;
use crate::ui::keys::Binding;
use crate::ui::keys::{b, c, k, Action as A};
use crate::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;
use std::collections::BTreeMap;
use std::sync::Arc;

/// "reading live state…" while an apply waits for the live plans.
pub const READING_KEYS: &[Binding] = &[b(&[c('n'), k(KeyCode::Esc), c('q')], A::Cancel, "cancel: nothing is applied")];

/// Waiting for the live state of the findings to apply; the answer must carry `req`.
#[derive(Debug, Clone)]
pub struct Reading {
    pub req: u64,
    pub count: usize,
}

impl Component for Reading {
    type Outcome = Step;

    fn keys(&self) -> &'static [Binding] {
        READING_KEYS
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        let lines = vec![Line::raw(format!("reading live state… ({} finding(s))", self.count))];
        popup(frame, area, &ctx.theme, " Apply ", lines, 0, (60, 3), " Esc cancels ");
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Step {
        match decide(READING_KEYS, key, None, (false, false), ctx) {
            Decision::Cancelled => Step::Close,
            _ => Step::Stay,
        }
    }
}

/// One finding of an apply preview, and whether it will be changed.
#[derive(Debug, Clone)]
pub struct PreviewEntry {
    pub finding: Arc<Finding>,
    /// The live assessment, when the read worked.
    pub assessment: Option<Assessment>,
    /// Why it will not be changed; `None` when it is part of a request.
    pub skipped: Option<String>,
}

/// The apply confirmation: the requests that will run and the findings left out.
#[derive(Debug, Clone)]
pub struct ApplyDialog {
    /// Every previewed finding, in the order asked.
    pub entries: Vec<PreviewEntry>,
    /// Findings on the same resource and control grouped into one job each.
    pub requests: Vec<ApplyRequest>,
    /// Accounts of class `prod` a request changes: confirming needs a capital `Y`.
    pub prod_accounts: Vec<String>,
    /// Nothing will be applied; the plans are shown for review.
    pub read_only: bool,
    pub scroll: u16,
}

/// Why a previewed finding cannot be applied, or its live plan.
pub fn applicable(item: &PreviewItem) -> Result<&Plan, String> {
    if let Some(holder) = &item.holder {
        let line = crate::model::sanitize::single_line;
        return Err(format!(
            "being changed by {} ({}, job {}) since {}: not applied",
            line(&holder.owner.operator),
            line(&holder.owner.process),
            line(&holder.owner.job),
            holder.taken_at.format("%Y-%m-%d %H:%M:%S UTC")
        ));
    }
    let assessment = item.result.as_ref().map_err(|e| format!("live read failed: {e}"))?;
    let decision = &assessment.decision;
    match decision.verdict {
        Verdict::AutoFix | Verdict::NeedsApproval => {}
        Verdict::NoPlaybook => return Err("no playbook: nothing hubtriage can change".into()),
        Verdict::Manual => return Err(format!("verdict manual: {}", decision.reason)),
        Verdict::Excepted => return Err(format!("verdict excepted: {}", decision.reason)),
    }
    match &assessment.plan {
        PlanStatus::Planned(plan) if plan.basis == Basis::Live => Ok(plan),
        PlanStatus::Planned(plan) => {
            Err(format!("plan basis is {}, not live state: nothing is changed on a guess", plan.basis.name()))
        }
        PlanStatus::AlreadyCompliant(why) => Err(format!("already compliant: {why}")),
        PlanStatus::Unavailable(why) => Err(format!("no plan: {why}")),
        PlanStatus::NoPlaybook => Err("no playbook: nothing hubtriage can change".into()),
    }
}

impl ApplyDialog {
    /// Classifies the preview and groups the applicable findings into requests.
    pub fn new(items: Vec<PreviewItem>, account_classes: &BTreeMap<String, String>, read_only: bool) -> Self {
        let mut approved = Vec::new();
        let entries: Vec<PreviewEntry> = items
            .into_iter()
            .map(|item| {
                let skipped = match applicable(&item) {
                    Ok(plan) => {
                        approved.push((item.finding.clone(), plan.clone()));
                        None
                    }
                    Err(why) => Some(why),
                };
                PreviewEntry { finding: item.finding, assessment: item.result.ok(), skipped }
            })
            .collect();
        let requests = group_requests(approved);
        let mut prod_accounts: Vec<String> = requests
            .iter()
            .filter_map(|r| r.findings.first())
            .filter(|f| account_classes.get(&f.account_id).is_some_and(|c| c == PROD_CLASS))
            .map(|f| f.account_id.clone())
            .collect();
        prod_accounts.sort();
        prod_accounts.dedup();
        Self { entries, requests, prod_accounts, read_only, scroll: 0 }
    }

    /// Findings that will be changed.
    pub fn applicable_count(&self) -> usize {
        self.requests.iter().map(|r| r.findings.len()).sum()
    }
}

impl Component for ApplyDialog {
    type Outcome = Step;

    fn keys(&self) -> &'static [Binding] {
        CONFIRM_PLAN
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Context) {
        let keys = if self.read_only {
            " read-only: n / Esc close · j k PgUp PgDn scroll "
        } else if !self.prod_accounts.is_empty() {
            " Y (capital) apply · n / Esc cancel · j k PgUp PgDn scroll "
        } else {
            " y / Enter apply · n / Esc cancel · j k PgUp PgDn scroll "
        };
        let lines = apply_lines(self, ctx);
        popup(frame, area, &ctx.theme, " Apply these changes? ", lines, self.scroll, (150, u16::MAX), keys);
    }

    fn handle_key(&mut self, key: KeyEvent, ctx: &mut Context) -> Step {
        let guard = (!self.prod_accounts.is_empty(), self.read_only);
        match decide(CONFIRM_PLAN, key, Some(&mut self.scroll), guard, ctx) {
            Decision::Stay => Step::Stay,
            Decision::Cancelled => Step::Close,
            Decision::Confirmed if self.requests.is_empty() => {
                ctx.say("nothing to apply");
                Step::Close
            }
            Decision::Confirmed => {
                let requests = std::mem::take(&mut self.requests);
                for request in &requests {
                    for f in &request.findings {
                        ctx.marks.remove(&f.key());
                    }
                }
                ctx.say(format!("{} change(s) submitted: 3 shows the jobs", requests.len()));
                ctx.request(Effect::Apply(requests));
                Step::Close
            }
        }
    }
}

/// "2 findings → 1 change".
fn arrow(findings: usize, changes: usize) -> String {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    format!("{findings} finding{} → {changes} change{}", s(findings), s(changes))
}

/// "S3.8 acme-logs in 111111111111 (prod-payments) / eu-west-1".
fn target(f: &Finding, ctx: &Context) -> String {
    let resource = f.primary_resource().map(|r| r.id.as_str()).unwrap_or("-");
    format!("{} {resource} in {} / {}", f.control_or_type(), format::account(ctx, &f.account_id), f.region)
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
pub fn apply_lines(d: &ApplyDialog, ctx: &Context) -> Vec<Line<'static>> {
    let t = &ctx.theme;
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
            format!(" PRODUCTION: account {} is class prod — press capital Y to apply ", format::account(ctx, account)),
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
        out.push(Line::styled(format!("  {}", target(first, ctx)), bold));
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
            out.push(Line::raw(format!("  • {}", target(&e.finding, ctx))));
            out.push(Line::styled(
                format!("    {}", sanitize::single_line(e.skipped.as_deref().unwrap_or_default())),
                Style::default().fg(t.error),
            ));
            out.push(Line::styled(format!("    {}", e.finding.title), Style::default().fg(t.muted)));
        }
    }
    out
}
