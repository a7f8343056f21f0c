//! Rollback: restore the before-state an apply job recorded — only while the resource still shows exactly the state
//! the fix was verified in (tags aside), so a rollback never overwrites someone else's later change, even one that
//! kept the resource compliant. Verified and audited like a fix.

use super::coordinate::noted;
use super::rollback_check::{compare, RollbackCheck};
use super::{Job, JobGuard, Remediator};
use crate::engine::audit::{AuditEvent, AuditRecord, AuditResult};
use crate::engine::jobs::{JobId, JobKind, JobState};
use crate::engine::Msg;
use crate::model::WorkflowStatus;
use crate::playbook::state_diff::settings;
use crate::playbook::ResourceState;
use tokio::sync::mpsc::UnboundedSender;

impl Remediator {
    /// Runs the rollback of the apply job named `audit_job` and returns its final state.
    pub async fn run_rollback(&self, id: JobId, audit_job: &str, tx: Option<UnboundedSender<Msg>>) -> JobState {
        let intent = {
            let records = self.records.lock().unwrap_or_else(|p| p.into_inner());
            records.iter().find(|r| r.event == AuditEvent::ApplyIntent && r.job.as_deref() == Some(audit_job)).cloned()
        };
        let Some(intent) = intent else {
            return JobState::Refused(format!("no apply job {audit_job} in the audit log"));
        };
        let mut job = self.job_for(&intent, JobKind::Rollback, tx);
        job.id = id;
        job.audit_job = self.audit_job(id);
        job.update(&JobState::Queued);
        let state = self.rollback_job(&job, &intent, audit_job).await;
        job.update(&state);
        state
    }

    async fn rollback_job(&self, job: &Job, intent: &AuditRecord, applied_by: &str) -> JobState {
        let held = match self.begin(job).await {
            Ok(held) => held,
            Err(why) => return self.refuse(job, why).await,
        };
        let state = self.rollback_leased(job, &held, intent, applied_by).await;
        self.end(held, &state).await;
        state
    }

    /// The rollback under its resource's lease.
    async fn rollback_leased(
        &self,
        job: &Job,
        held: &JobGuard<'_>,
        intent: &AuditRecord,
        applied_by: &str,
    ) -> JobState {
        let (Some(recorded), false) = (intent.before.clone(), intent.rollback.is_empty()) else {
            return self.refuse(job, format!("job {applied_by} recorded no before-state to restore")).await;
        };
        let current = match self.resources.read_state(&job.account_id, &job.region, &job.resource).await {
            Ok(state) => state,
            Err(e) => {
                return self.refuse(job, format!("reading {} failed, nothing was changed: {e}", job.resource.id)).await
            }
        };
        match compare(&job.resource.id, applied_by, &recorded, self.state_left_by(applied_by).as_ref(), &current) {
            RollbackCheck::Ready => {}
            RollbackCheck::AlreadyRestored(message) => {
                self.audit(job, AuditEvent::NoOp, AuditResult::Verified, message.clone()).await;
                return JobState::NoOp(message);
            }
            RollbackCheck::Refused(why) => return self.refuse(job, why).await,
        }
        if let Err(why) = held.lease.check() {
            return self.refuse(job, why).await;
        }
        let mut record = job.record(
            &self.operator,
            AuditEvent::RollbackIntent,
            AuditResult::Pending,
            noted(format!("restore the state recorded by job {applied_by}"), held.takeover.as_ref()),
        );
        record.before = Some(current);
        record.after = Some(recorded.clone());
        record.changes = intent.rollback.clone();
        if let Err(e) = self.write(record, job.tx.as_ref()).await {
            return JobState::Failed(format!("the audit log cannot be written, so nothing was changed: {e}"));
        }
        job.update(&JobState::RollingBack);
        if let Err(failure) = self.make_calls(job, &intent.rollback, &held.lease).await {
            self.audit(job, AuditEvent::RollbackOutcome, AuditResult::Failed, failure.clone()).await;
            self.notify(job, "rollback-failed", &failure).await;
            return JobState::Failed(failure);
        }
        self.audit(job, AuditEvent::RollbackOutcome, AuditResult::Ok, format!("rolled back job {applied_by}")).await;
        // Tags are not what the rollback restores: someone may tag the resource meanwhile.
        let target = settings(&recorded);
        let verified = self.verify_until(job, |s: &ResourceState| settings(s) == target).await;
        self.conclude_rollback(job, verified, applied_by).await
    }

    /// The state the fix of apply job `applied_by` was verified in.
    pub(super) fn state_left_by(&self, applied_by: &str) -> Option<ResourceState> {
        let records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        records
            .iter()
            .rev()
            .filter(|r| r.job.as_deref() == Some(applied_by))
            .find(|r| r.event == AuditEvent::Verification && r.result == AuditResult::Verified)
            .and_then(|r| r.after.clone())
    }

    async fn conclude_rollback(&self, job: &Job, verified: super::outcome::Verified, applied_by: &str) -> JobState {
        match verified {
            Ok(after) => {
                let message = format!("restored the state recorded by job {applied_by}");
                let mut record =
                    job.record(&self.operator, AuditEvent::Verification, AuditResult::Verified, message.clone());
                record.after = Some(after);
                self.write_logged(record, job).await;
                self.notify(job, "rolled-back", &message).await;
                let note = format!("hubtriage rolled back job {applied_by} ({}): {message}", job.playbook);
                match self.set_workflow(job, WorkflowStatus::New, &note).await {
                    Ok(()) => JobState::RolledBack,
                    Err(e) => {
                        tracing::warn!("rollback verified, finding update failed: {e}");
                        JobState::RolledBack
                    }
                }
            }
            Err(why) => {
                self.audit(job, AuditEvent::Verification, AuditResult::Unverified, why.clone()).await;
                self.notify(job, "rollback-unverified", &why).await;
                JobState::Failed(format!("rollback not verified: {why}"))
            }
        }
    }
}
