//! How the app handles remediation: marks, the apply and rollback dialogs, incident mode, job updates and drift.
//! Nothing here changes anything in AWS: confirmed intents leave as `Effect`s.

use super::app::{App, Effect};
use super::dialog::{scroll, ApplyDialog, Dialog, DialogKey, RollbackDialog, PROD_CLASS};
use crate::engine::audit_summary;
use crate::engine::jobs::{JobKind, JobUpdate, PreviewItem};
use crate::engine::Drift;
use crate::model::FindingKey;
use crate::model::{sanitize, Finding};
use crossterm::event::KeyEvent;

/// What `a` and `u` say when there is no live access.
pub const NEEDS_LIVE_ACCESS: &str = "fixes need live access to the accounts: not available offline (--findings)";

/// The region a finding's resource lives in (global S3 findings carry it on the resource), as jobs record it.
pub fn resource_region(finding: &Finding) -> &str {
    finding.primary_resource().and_then(|r| r.region.as_deref()).filter(|r| !r.is_empty()).unwrap_or(&finding.region)
}

impl App {
    /// `space`: marks or unmarks the selected finding.
    pub(super) fn toggle_mark(&mut self) {
        if let Some(group) = self.listing.header_group() {
            return self.toggle_group_mark(group);
        }
        if let Some(key) = self.selected_key() {
            if !self.marks.remove(&key) {
                self.marks.insert(key);
            }
        }
    }

    /// `a`: asks for the live plans of the marked findings (or the selected one) and shows "reading live state…".
    pub(super) fn start_apply(&mut self) -> Vec<Effect> {
        if !self.can_fix {
            self.status_message = Some(NEEDS_LIVE_ACCESS.into());
            return Vec::new();
        }
        let findings = self.marked_or_selected();
        if findings.is_empty() {
            self.status_message = Some("no finding selected".into());
            return Vec::new();
        }
        let req = self.next_req();
        self.dialog = Some(Dialog::Reading { req, count: findings.len() });
        vec![Effect::PreviewApply { req, findings }]
    }

    /// The live plans arrived: the confirm dialog, unless the operator cancelled or asked again since.
    pub(super) fn on_preview(&mut self, req: u64, items: Vec<PreviewItem>) {
        if !matches!(self.dialog, Some(Dialog::Reading { req: r, .. }) if r == req) {
            return;
        }
        for item in &items {
            if let Ok(assessment) = &item.result {
                self.listing.set_assessment(&item.finding.key(), assessment.clone());
            }
        }
        self.dialog = Some(Dialog::Apply(Box::new(ApplyDialog::new(items, &self.account_classes, self.read_only))));
    }

    /// `u`: the rollback dialog for the latest verified fix of the selected finding.
    pub(super) fn start_rollback(&mut self) {
        if !self.can_fix {
            self.status_message = Some(NEEDS_LIVE_ACCESS.into());
            return;
        }
        let Some(key) = self.selected_key() else {
            self.status_message = Some("no finding selected".into());
            return;
        };
        match audit_summary::rollback_candidate(&self.audit, &key) {
            None => self.status_message = Some("nothing to roll back for this finding".into()),
            Some(candidate) => {
                let prod = self.account_classes.get(&candidate.account_id).is_some_and(|c| c == PROD_CLASS);
                self.dialog = Some(Dialog::Rollback(Box::new(RollbackDialog {
                    candidate,
                    prod,
                    read_only: self.read_only,
                    scroll: 0,
                })));
            }
        }
    }

    /// `I`: asks to switch incident mode.
    pub(super) fn ask_incident(&mut self) {
        if !self.can_fix {
            self.status_message = Some(format!("incident mode only matters for fixes; {NEEDS_LIVE_ACCESS}"));
            return;
        }
        self.dialog = Some(Dialog::Incident { on: !self.incident });
    }

    /// A key while a dialog is open.
    pub(super) fn on_dialog_key(&mut self, event: KeyEvent) -> Vec<Effect> {
        let Some(dialog) = self.dialog.as_mut() else {
            return Vec::new();
        };
        let Some(key) = DialogKey::of(dialog.keys(), event) else {
            return Vec::new();
        };
        if key == DialogKey::No {
            self.dialog = None;
            self.status_message = Some("cancelled: nothing changed".into());
            return Vec::new();
        }
        let (prod, read_only) = match dialog {
            Dialog::Reading { .. } => return Vec::new(),
            Dialog::Apply(d) => (!d.prod_accounts.is_empty(), d.read_only),
            Dialog::Rollback(d) => (d.prod, d.read_only),
            Dialog::RemoveException(d) => (d.prod, d.read_only),
            Dialog::Incident { .. } | Dialog::RunAction(_) => (false, false),
            // They take their own keys (`on_exception_key`, `on_menu_key`).
            Dialog::Exception(_) | Dialog::Actions(_) | Dialog::ApprovalText(_) | Dialog::Approve(_) => {
                return Vec::new()
            }
        };
        if let DialogKey::Scroll(step) = key {
            match dialog {
                Dialog::Apply(d) => scroll(&mut d.scroll, step),
                Dialog::Rollback(d) => scroll(&mut d.scroll, step),
                _ => {}
            }
            return Vec::new();
        }
        if read_only {
            self.status_message = Some("read-only mode: nothing will be changed".into());
            return Vec::new();
        }
        if prod && key != DialogKey::CapitalYes {
            self.status_message = Some("a production account is changed: press capital Y to confirm".into());
            return Vec::new();
        }
        match self.dialog.take() {
            Some(Dialog::Apply(d)) if d.requests.is_empty() => {
                self.status_message = Some("nothing to apply".into());
                Vec::new()
            }
            Some(Dialog::Apply(d)) => {
                for request in &d.requests {
                    for f in &request.findings {
                        self.marks.remove(&f.key());
                    }
                }
                self.status_message = Some(format!("{} change(s) submitted: 3 shows the jobs", d.requests.len()));
                vec![Effect::Apply(d.requests)]
            }
            Some(Dialog::Rollback(d)) => {
                self.status_message = Some(format!("rollback of job {} submitted", d.candidate.job));
                vec![Effect::Rollback { audit_job: d.candidate.job }]
            }
            Some(Dialog::RemoveException(d)) => self.remove_confirmed(*d),
            Some(Dialog::RunAction(pending)) => self.run_confirmed(*pending),
            Some(Dialog::Incident { on }) => {
                self.incident = on;
                self.status_message =
                    Some(if on { "incident mode ON: change windows lifted" } else { "incident mode off" }.into());
                vec![Effect::SetIncident(on)]
            }
            other => {
                self.dialog = other;
                Vec::new()
            }
        }
    }

    /// A job changed state.
    pub(super) fn on_job(&mut self, update: JobUpdate) {
        self.note_job(&update);
        if update.state.is_final() {
            let detail = update.state.detail().map(|d| format!(": {}", sanitize::single_line(d))).unwrap_or_default();
            self.status_message = Some(format!(
                "job #{} {} {} {}: {}{detail}",
                update.id,
                update.kind.word(),
                update.control_id,
                update.resource,
                update.state.word()
            ));
        }
        if matches!(update.kind, JobKind::Apply { .. }) && update.state.is_success() {
            self.drifts.retain(|d| {
                !(d.account_id == update.account_id
                    && d.region == update.region
                    && d.resource == update.resource
                    && d.control_id == update.control_id)
            });
        }
        if matches!(update.kind, JobKind::ExceptionAdd | JobKind::ExceptionRemove) && update.state.is_final() {
            self.after_exception_job(&update);
        }
        self.jobs.insert(update.id, update);
    }

    /// The drift watch found a fixed resource non-compliant again.
    pub(super) fn on_drift(&mut self, drift: Drift) {
        self.status_message = Some(format!(
            "regressed: {} {} in {}/{} is non-compliant again; select it and press a to fix again",
            drift.control_id,
            sanitize::single_line(&drift.resource),
            drift.account_id,
            drift.region
        ));
        self.drifts.retain(|d| {
            !(d.account_id == drift.account_id
                && d.region == drift.region
                && d.resource == drift.resource
                && d.control_id == drift.control_id)
        });
        self.drifts.push(drift);
    }

    /// The regression flagged on a finding's resource and control, if any.
    pub fn drift_for(&self, finding: &Finding) -> Option<&Drift> {
        let resource = finding.primary_resource()?;
        let control = finding.control_id.as_deref()?;
        self.drifts.iter().find(|d| {
            d.account_id == finding.account_id
                && d.resource == resource.id
                && d.control_id == control
                && (d.region == finding.region || d.region == resource_region(finding))
        })
    }

    /// The latest job of a finding.
    pub fn latest_job(&self, key: &FindingKey) -> Option<&JobUpdate> {
        self.latest_job.get(key).and_then(|id| self.jobs.get(id))
    }

    /// Records that `id` is the newest job of each of its findings.
    pub(super) fn note_job(&mut self, update: &JobUpdate) {
        for key in &update.findings {
            let latest = self.latest_job.entry(key.clone()).or_insert(update.id);
            *latest = (*latest).max(update.id);
        }
    }

    /// Jobs not yet ended.
    pub fn running_jobs(&self) -> usize {
        self.jobs.values().filter(|j| !j.state.is_final()).count()
    }
}
