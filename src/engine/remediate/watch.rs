//! Watching what was fixed: the drift watch re-reads every resource hubtriage fixed (from the audit log) and flags
//! regressions; after a crash, changes whose outcome the log does not record are re-checked ("needs verification").

use super::{Job, Remediator};
use crate::cloud::process::{Liveness, ProcessRef};
use crate::engine::audit::{AuditEvent, AuditRecord, AuditResult};
use crate::engine::audit_summary::{unfinished, watched_fixes, Fix};
use crate::engine::jobs::{JobKind, JobState};
use crate::engine::{Drift, Msg};
use crate::model::ResourceRef;
use chrono::Utc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

impl Remediator {
    /// Starts the background work of a TUI session: re-checking changes a crash interrupted, then the drift watch
    /// (every `remediation.drift_check_seconds`; 0 turns it off).
    pub fn start_background(self: &Arc<Self>, tx: UnboundedSender<Msg>) {
        let this = self.clone();
        let every = self.settings.remediation.drift_check_seconds;
        tokio::spawn(async move {
            this.recheck_unfinished(Some(&tx)).await;
            if every > 0 {
                this.spawn_drift_watch(Duration::from_secs(every), tx);
            }
        });
    }

    /// Re-checks fixed resources every `every` until the receiver of `tx` is gone.
    pub fn spawn_drift_watch(self: &Arc<Self>, every: Duration, tx: UnboundedSender<Msg>) {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                if tx.is_closed() {
                    return;
                }
                this.check_drift(Some(&tx)).await;
            }
        });
    }

    /// Re-reads every resource hubtriage fixed and that was not rolled back; returns (and audits, notifies and
    /// reports) those that are non-compliant again. Each regression is reported once per fix.
    pub async fn check_drift(&self, tx: Option<&UnboundedSender<Msg>>) -> Vec<Drift> {
        let records = self.audit_records();
        let reported: Vec<&str> =
            records.iter().filter(|r| r.event == AuditEvent::Drift).filter_map(|r| r.job.as_deref()).collect();
        let mut found = Vec::new();
        for fix in watched_fixes(&records).into_iter().filter(|f| !reported.contains(&f.job.as_str())) {
            let Some(intent) = intent_of(&records, &fix.job) else { continue };
            let job = self.job_for(&intent, JobKind::Recheck, tx.cloned());
            let Some(playbook) = self.triage.playbooks.for_control(&fix.control_id) else { continue };
            let state = match self.resources.read_state(&job.account_id, &job.region, &job.resource).await {
                Ok(state) => state,
                Err(e) => {
                    tracing::warn!(resource = %fix.resource, "drift check could not read the resource: {e}");
                    continue;
                }
            };
            if playbook.verify(&fix.control_id, &state) {
                continue;
            }
            found.push(self.report_drift(&job, &fix, tx).await);
        }
        found
    }

    async fn report_drift(&self, job: &Job, fix: &Fix, tx: Option<&UnboundedSender<Msg>>) -> Drift {
        let message = format!(
            "{} is non-compliant with {} again: fixed by job {} at {}, re-opened since (someone or some pipeline \
             changed it back)",
            fix.resource,
            fix.control_id,
            fix.job,
            fix.verified_at.format("%Y-%m-%d %H:%M UTC")
        );
        let mut record = job.record(&self.operator, AuditEvent::Drift, AuditResult::Failed, message.clone());
        record.job = Some(fix.job.clone());
        self.write_logged(record, job).await;
        self.notify(job, "drift", &message).await;
        let drift = Drift {
            account_id: fix.account_id.clone(),
            region: fix.region.clone(),
            resource: fix.resource.clone(),
            control_id: fix.control_id.clone(),
            fixed_by: Some(fix.job.clone()),
            fixed_at: fix.verified_at,
            detected_at: Utc::now(),
            message,
        };
        if let Some(tx) = tx {
            let _ = tx.send(Msg::Drift(Box::new(drift.clone())));
        }
        drift
    }

    /// Re-checks changes the audit log (as it is on disk now) shows started but not finished: each is verified
    /// against the state it aimed for, and the result is written to the change's own job. Only changes nobody is
    /// making are claimed: not this process's own, and only under the resource's lease (another process's live job
    /// holds it), so a live job of another process is never written into. Read-only mode takes no lease: it claims
    /// only the changes of processes known to be gone.
    pub async fn recheck_unfinished(&self, tx: Option<&UnboundedSender<Msg>>) -> Vec<JobState> {
        let mut states = Vec::new();
        for intent in unfinished(&self.fresh_records()) {
            if let Some(state) = self.claim_and_recheck(&intent, tx).await {
                states.push(state);
            }
        }
        states
    }

    async fn claim_and_recheck(&self, intent: &AuditRecord, tx: Option<&UnboundedSender<Msg>>) -> Option<JobState> {
        let process = intent.process.as_ref();
        if process.is_some_and(ProcessRef::is_this) {
            return None;
        }
        if self.read_only() {
            let gone = process.is_none_or(|p| p.liveness() == Liveness::Gone);
            return if gone { Some(self.recheck_intent(intent, tx).await) } else { None };
        }
        let job = self.job_for(intent, JobKind::Recheck, tx.cloned());
        let lease = match self.take_lease(&job).await {
            Ok(lease) => lease,
            Err(why) => {
                tracing::info!(job = ?intent.job, "interrupted change not re-checked now: {why}");
                return None;
            }
        };
        // It may have finished between the first read of the log and the lease.
        let open = unfinished(&self.fresh_records()).iter().any(|r| r.job == intent.job && r.event == intent.event);
        let state = if open { Some(self.recheck_intent(intent, tx).await) } else { None };
        lease.release(state.as_ref().unwrap_or(&JobState::NoOp("finished by its own process".into()))).await;
        state
    }

    /// Re-reads the resource of an interrupted change, verifies it against the state the change aimed for, and
    /// writes the result into the change's own job.
    pub(super) async fn recheck_intent(&self, intent: &AuditRecord, tx: Option<&UnboundedSender<Msg>>) -> JobState {
        let job = self.job_for(intent, JobKind::Recheck, tx.cloned());
        job.update(&JobState::Checking);
        let applying = intent.event == AuditEvent::ApplyIntent;
        let reached = |state: &crate::playbook::ResourceState| {
            if applying {
                self.triage.playbooks.for_control(&job.control_id).is_some_and(|p| p.verify(&job.control_id, state))
            } else {
                intent.after.as_ref().is_some_and(|target| target.effective() == state.effective())
            }
        };
        let (state, result, message) =
            match self.resources.read_state(&job.account_id, &job.region, &job.resource).await {
                Ok(state) if reached(&state) => (
                    JobState::Verified,
                    AuditResult::Verified,
                    "re-checked after an interrupted change: the resource shows the intended state".to_string(),
                ),
                Ok(_) => (
                    JobState::Failed("interrupted change: the resource does not show the intended state".into()),
                    AuditResult::Unverified,
                    "re-checked after an interrupted change: the resource does not show the intended state; review it \
                 and apply again"
                        .to_string(),
                ),
                Err(e) => (
                    JobState::Failed(format!("interrupted change, re-check failed: {e}")),
                    AuditResult::Unverified,
                    format!("re-check after an interrupted change failed: {e}"),
                ),
            };
        let mut record = job.record(&self.operator, AuditEvent::Verification, result, message);
        record.job = intent.job.clone();
        self.write_logged(record, &job).await;
        job.update(&state);
        state
    }

    /// A job (for updates and records) about the resource of an earlier record.
    pub(super) fn job_for(&self, intent: &AuditRecord, kind: JobKind, tx: Option<UnboundedSender<Msg>>) -> Job {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        Job {
            id,
            audit_job: intent.job.clone().unwrap_or_else(|| self.audit_job(id)),
            kind,
            findings: intent.findings.clone(),
            control_id: intent.control_id.clone().unwrap_or_default(),
            playbook: intent.playbook.clone().unwrap_or_default(),
            account_id: intent.account_id.clone(),
            region: intent.region.clone(),
            resource: ResourceRef {
                kind: intent.resource_type.as_str().into(),
                id: intent.resource.clone(),
                region: Some(intent.region.as_str().into()),
                tags: Default::default(),
                details: None,
            },
            fingerprint: intent.fingerprint.clone().unwrap_or_default(),
            started_at: Utc::now(),
            tx,
        }
    }
}

/// The apply intent record of a job.
fn intent_of(records: &[AuditRecord], job: &str) -> Option<AuditRecord> {
    records.iter().find(|r| r.event == AuditEvent::ApplyIntent && r.job.as_deref() == Some(job)).cloned()
}
