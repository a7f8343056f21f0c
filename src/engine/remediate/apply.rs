//! One apply job: re-read, re-plan, refuse on any difference from what was approved, audit the intent, make the
//! calls, audit the outcome, then verify, resolve and notify.

use super::coordinate::noted;
use super::lease::JobLease;
use super::{resource_region, Job, JobGuard, Remediator};
use crate::engine::audit::{AuditEvent, AuditFinding, AuditResult};
use crate::engine::jobs::{ApplyRequest, JobId, JobKind, JobState};
use crate::engine::Msg;
use crate::model::WorkflowStatus;
use crate::playbook::{Change, Plan};
use crate::policy::Verdict;
use crate::triage::PlanStatus;
use chrono::Utc;
use tokio::sync::mpsc::UnboundedSender;

impl Remediator {
    /// Runs one apply job to its end and returns its final state.
    pub async fn run_apply(&self, id: JobId, request: ApplyRequest, tx: Option<UnboundedSender<Msg>>) -> JobState {
        let Some(first) = request.findings.first().cloned() else {
            return JobState::Refused("no finding to fix".into());
        };
        let auto = request.approved.is_none();
        let Some(resource) = first.primary_resource().cloned() else {
            return JobState::Refused(format!("finding {} names no resource", first.id));
        };
        let playbook = self.triage.playbooks.for_control(&request.control_id).map(|p| p.name()).unwrap_or("none");
        let job = Job {
            id,
            audit_job: self.audit_job(id),
            kind: JobKind::Apply { auto },
            findings: request.findings.iter().map(|f| AuditFinding::of(f)).collect(),
            control_id: request.control_id.clone(),
            playbook: playbook.to_string(),
            account_id: first.account_id.to_string(),
            region: resource_region(&first, &resource),
            resource,
            fingerprint: request.approved.as_ref().map(|p| p.fingerprint.clone()).unwrap_or_default(),
            started_at: Utc::now(),
            tx,
        };
        job.update(&JobState::Queued);
        let state = self.apply_job(&job, &first, &request).await;
        job.update(&state);
        state
    }

    async fn apply_job(&self, job: &Job, first: &crate::model::Finding, request: &ApplyRequest) -> JobState {
        let mut notes: Vec<String> = request.origin.iter().cloned().collect();
        if request.approved.is_some() {
            match self.person_may_change(&job.account_id, Utc::now()) {
                Ok(note) => notes.extend(note),
                Err(why) => return self.refuse(job, why).await,
            }
        }
        let held = match self.begin(job).await {
            Ok(held) => held,
            Err(why) => return self.refuse(job, why).await,
        };
        let state = self.apply_leased(job, &held, first, request.approved.as_ref(), &notes).await;
        self.end(held, &state).await;
        state
    }

    /// The apply job under its resource's lease.
    async fn apply_leased(
        &self,
        job: &Job,
        held: &JobGuard<'_>,
        first: &crate::model::Finding,
        approved: Option<&Plan>,
        notes: &[String],
    ) -> JobState {
        let before = match self.resources.read_state(&job.account_id, &job.region, &job.resource).await {
            Ok(state) => state,
            Err(e) => {
                return self.refuse(job, format!("reading {} failed, nothing was changed: {e}", job.resource.id)).await
            }
        };
        let assessment = self.triage.assess(first, Some(&before), Utc::now());
        let verdict = assessment.decision.verdict;
        let allowed = match verdict {
            Verdict::AutoFix => true,
            Verdict::NeedsApproval => approved.is_some(),
            _ => false,
        };
        if !allowed {
            return self
                .refuse(
                    job,
                    format!(
                        "verdict on the live state is {verdict} ({}); nothing was changed",
                        assessment.decision.reason
                    ),
                )
                .await;
        }
        let plan = match assessment.plan {
            PlanStatus::Planned(plan) => plan,
            PlanStatus::AlreadyCompliant(why) => {
                return self.already_compliant(job, before, noted(why, held.takeover.as_ref())).await
            }
            PlanStatus::Unavailable(why) => return self.refuse(job, format!("no plan: {why}")).await,
            PlanStatus::NoPlaybook => return self.refuse(job, "no playbook handles this finding".into()).await,
        };
        if let Some(approved) = approved {
            if approved.fingerprint != plan.fingerprint || approved.changes != plan.changes {
                return self
                    .refuse(
                        job,
                        format!(
                            "the resource changed since the plan was approved (approved {}, live state now gives {}); \
                         nothing was changed: review the new plan",
                            approved.fingerprint, plan.fingerprint
                        ),
                    )
                    .await;
            }
        }
        if let Some(problem) = unusable(&plan) {
            return self.refuse(job, problem).await;
        }
        if let Err(why) = held.lease.check() {
            return self.refuse(job, why).await;
        }
        let job = Job { fingerprint: plan.fingerprint.clone(), ..job.clone() };
        let mut message = noted(plan.summary.clone(), held.takeover.as_ref());
        for note in notes {
            message.push_str(&format!(" ({note})"));
        }
        let mut intent = job.record(&self.operator, AuditEvent::ApplyIntent, AuditResult::Pending, message);
        intent.before = Some(before.clone());
        intent.changes = plan.changes.clone();
        intent.rollback = plan.rollback.clone();
        if let Err(e) = self.write(intent, job.tx.as_ref()).await {
            return JobState::Failed(format!("the audit log cannot be written, so nothing was changed: {e}"));
        }
        job.update(&JobState::Applying);
        if let Err(failure) = self.make_calls(&job, &plan.changes, &held.lease).await {
            self.audit(&job, AuditEvent::ApplyOutcome, AuditResult::Failed, failure.clone()).await;
            self.notify(&job, "apply-failed", &failure).await;
            let _ = self
                .set_workflow(&job, WorkflowStatus::Notified, &format!("hubtriage could not fix this: {failure}"))
                .await;
            return JobState::Failed(failure);
        }
        self.audit(&job, AuditEvent::ApplyOutcome, AuditResult::Ok, format!("{} call(s) made", plan.changes.len()))
            .await;
        self.notify(&job, "applied", &plan.summary).await;
        let playbook = self.triage.playbooks.for_control(&job.control_id);
        let verified =
            self.verify_until(&job, |state| playbook.is_some_and(|p| p.verify(&job.control_id, state))).await;
        self.conclude_fix(&job, verified, &plan.summary).await
    }

    /// Makes the calls in order, each only while the job's lease is still its own; the error says which call failed
    /// (or was not made) and how many were made before it.
    pub(super) async fn make_calls(&self, job: &Job, changes: &[Change], lease: &JobLease) -> Result<(), String> {
        for (i, change) in changes.iter().enumerate() {
            if let Err(why) = lease.check() {
                return Err(format!("call {} of {} ({}) not made: {why}", i + 1, changes.len(), change.operation()));
            }
            if let Err(e) = self.resources.apply(&job.account_id, &job.region, change).await {
                return Err(format!(
                    "call {} of {} ({}) failed after {i} successful call(s): {e}",
                    i + 1,
                    changes.len(),
                    change.operation()
                ));
            }
        }
        Ok(())
    }

    /// The resource already is in the desired state (another process, or someone, fixed it first): nothing to
    /// change, recorded as a success; the findings are resolved.
    async fn already_compliant(&self, job: &Job, before: crate::playbook::ResourceState, why: String) -> JobState {
        let fixed_by = self.fixed_by(job);
        let message = match fixed_by {
            Some(other) => format!("already in the desired state (already fixed by job {other}): {why}"),
            None => format!("already in the desired state: {why}"),
        };
        let mut record = job.record(&self.operator, AuditEvent::NoOp, AuditResult::Verified, message.clone());
        record.before = Some(before);
        if let Err(e) = self.write(record, job.tx.as_ref()).await {
            tracing::error!("{e}");
        }
        self.notify(job, "no-op", &message).await;
        let note = format!("hubtriage: {message}; verified by re-reading the resource");
        match self.set_workflow(job, WorkflowStatus::Resolved, &note).await {
            Ok(()) => JobState::NoOp(message),
            Err(e) => JobState::NoOp(format!("{message}; updating the finding failed: {e}")),
        }
    }

    /// The latest verified job on the same resource and control in this log (as it is on disk: another process may
    /// have fixed it), if any.
    fn fixed_by(&self, job: &Job) -> Option<String> {
        let records = self.fresh_records();
        records
            .iter()
            .rev()
            .find(|r| {
                r.event == AuditEvent::Verification
                    && r.result == AuditResult::Verified
                    && r.resource == job.resource.id
                    && r.account_id == job.account_id
                    && r.job != Some(job.audit_job.clone())
            })
            .and_then(|r| r.job.clone())
    }

    pub(super) async fn refuse(&self, job: &Job, reason: String) -> JobState {
        self.audit(job, AuditEvent::Refused, AuditResult::Refused, reason.clone()).await;
        JobState::Refused(reason)
    }
}

/// Why a plan cannot be applied as it stands (e.g. rules known only by their properties), if so.
fn unusable(plan: &Plan) -> Option<String> {
    if plan.changes.is_empty() {
        return Some("the plan has no calls to make".into());
    }
    let missing_ids = plan.changes.iter().any(|c| {
        matches!(c, Change::RevokeIngress { rule_ids, .. } | Change::RevokeEgress { rule_ids, .. } if rule_ids.is_empty())
    });
    missing_ids.then(|| "the plan names no security group rule ids (not read live); nothing was changed".into())
}
