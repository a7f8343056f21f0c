//! After the calls: verification with backoff, the finding update (BatchUpdateFindings for ASFF findings,
//! BatchUpdateFindingsV2 for OCSF ones, at most 100 per call), the notification, and their audit records.

use super::{Job, Remediator};
use crate::cloud::updates::{bounded_note, bounded_subject, update_groups};
use crate::cloud::{FindingUpdate, Notification};
use crate::engine::audit::{AuditEvent, AuditFinding, AuditResult};
use crate::engine::jobs::JobState;
use crate::model::{FindingKey, WorkflowStatus};
use crate::playbook::ResourceState;
use std::collections::BTreeMap;
use std::time::Duration;

/// How verification ended: the state read back, or why it did not show the desired state.
pub(super) type Verified = Result<ResourceState, String>;

impl Remediator {
    /// Re-reads the resource with growing waits (eventual consistency) until `done` holds or attempts run out.
    pub(super) async fn verify_until(&self, job: &Job, done: impl Fn(&ResourceState) -> bool) -> Verified {
        let settings = &self.settings.remediation;
        let attempts = settings.verify_attempts.max(1);
        let mut delay = Duration::from_millis(settings.verify_first_delay_ms);
        let mut last = String::from("not read");
        for attempt in 1..=attempts {
            tokio::time::sleep(delay).await;
            job.update(&JobState::Verifying { attempt, of: attempts });
            match self.resources.read_state(&job.account_id, &job.region, &job.resource).await {
                Ok(state) if done(&state) => return Ok(state),
                Ok(state) => last = format!("read back {state_json}", state_json = describe(&state)),
                Err(e) => last = format!("reading it failed: {e}"),
            }
            delay = (delay * 2).min(Duration::from_millis(settings.verify_max_delay_ms));
        }
        Err(format!("not verified after {attempts} re-read(s): {last}"))
    }

    /// Audits and reports the verification of a fix, then resolves the findings (or marks them NOTIFIED).
    pub(super) async fn conclude_fix(&self, job: &Job, verified: Verified, summary: &str) -> JobState {
        match verified {
            Ok(after) => {
                let mut record =
                    job.record(&self.operator, AuditEvent::Verification, AuditResult::Verified, summary.into());
                record.after = Some(after);
                self.write_logged(record, job).await;
                self.notify(job, "verified", summary).await;
                job.update(&JobState::Verified);
                let note = format!(
                    "hubtriage fixed this with playbook {} (plan {}), verified by re-reading the resource; operator {}",
                    job.playbook, job.fingerprint, self.operator
                );
                match self.set_workflow(job, WorkflowStatus::Resolved, &note).await {
                    Ok(()) => JobState::Resolved,
                    Err(e) => JobState::ResolveFailed(format!(
                        "the fix is applied and verified, but setting the findings RESOLVED failed: {e}"
                    )),
                }
            }
            Err(why) => {
                self.audit(job, AuditEvent::Verification, AuditResult::Unverified, why.clone()).await;
                self.notify(job, "verification-failed", &why).await;
                let note = format!("hubtriage applied playbook {} (plan {}) but {why}", job.playbook, job.fingerprint);
                let _ = self.set_workflow(job, WorkflowStatus::Notified, &note).await;
                JobState::Failed(why)
            }
        }
    }

    /// Sets the workflow status of the job's findings with a note, at most 100 findings per call; audited.
    pub(super) async fn set_workflow(&self, job: &Job, status: WorkflowStatus, note: &str) -> Result<(), String> {
        let result = self.update_findings(job, status, note).await;
        if let (Ok(()), Some(store)) = (&result, self.store.get()) {
            let keys: Vec<FindingKey> = job.findings.iter().map(AuditFinding::key).collect();
            if let Err(e) = store.set_workflow(&keys, status, note, chrono::Utc::now()) {
                tracing::warn!(error = %e, "the store did not take the workflow status set");
            }
        }
        let (outcome, message) = match &result {
            Ok(()) => (AuditResult::Ok, format!("{} finding(s) set {}: {note}", job.findings.len(), status.label())),
            Err(e) => (AuditResult::Failed, format!("setting {} failed: {e}", status.label())),
        };
        self.audit(job, AuditEvent::FindingUpdate, outcome, message).await;
        result
    }

    async fn update_findings(&self, job: &Job, status: WorkflowStatus, note: &str) -> Result<(), String> {
        let updates = self.updates.as_ref().ok_or("no Security Hub connection to update findings")?;
        let mut problems = Vec::new();
        for (format, chunk) in update_groups(&job.findings, |f| f.format) {
            let update = FindingUpdate {
                findings: chunk.iter().map(|f| f.key()).collect(),
                format,
                status,
                note: bounded_note(note),
                updated_by: self.operator.clone(),
            };
            match updates.update_findings(&job.account_id, &job.region, &update).await {
                Ok(report) => problems.extend(report.unprocessed.into_iter().map(|(id, why)| format!("{id}: {why}"))),
                Err(e) => problems.push(e.to_string()),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    /// Publishes an event about the job to the topic of the account's class; a failure is logged and audited,
    /// never fatal to the job.
    pub(super) async fn notify(&self, job: &Job, event: &str, message: &str) {
        let class = self.triage.policy.class_of(&job.account_id).to_string();
        let Some(topic) = self.settings.notify.topic_for(&class).map(String::from) else {
            return;
        };
        let Some(notifier) = &self.notifier else {
            return;
        };
        let notification = Notification {
            subject: bounded_subject(&format!(
                "hubtriage {event}: {} {} in {}/{}",
                job.control_id,
                job.resource.short_id(),
                job.account_id,
                job.region
            )),
            body: serde_json::json!({
                "event": event,
                "job": job.audit_job,
                "kind": job.kind.word(),
                "operator": self.operator,
                "time": chrono::Utc::now().to_rfc3339(),
                "account_id": job.account_id,
                "account_class": class,
                "region": job.region,
                "resource_type": &*job.resource.kind,
                "resource": job.resource.id,
                "control_id": job.control_id,
                "playbook": job.playbook,
                "fingerprint": job.fingerprint,
                "findings": job.findings.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
                "message": message,
            }),
            attributes: BTreeMap::from([
                ("event".to_string(), event.to_string()),
                ("account_class".to_string(), class.clone()),
                ("control_id".to_string(), job.control_id.clone()),
            ]),
        };
        if let Err(e) = notifier.publish(&topic, &notification).await {
            tracing::warn!(topic, "notification failed: {e}");
            self.audit(
                job,
                AuditEvent::Notification,
                AuditResult::Failed,
                format!("publishing {event} to {topic}: {e}"),
            )
            .await;
            job.notification_failed(event, &topic, &e);
        }
    }

    /// Appends a plain record about the job; a write failure is logged.
    pub(super) async fn audit(&self, job: &Job, event: AuditEvent, result: AuditResult, message: String) {
        self.write_logged(job.record(&self.operator, event, result, message), job).await;
    }

    pub(super) async fn write_logged(&self, record: crate::engine::audit::AuditRecord, job: &Job) {
        if let Err(e) = self.write(record, job.tx.as_ref()).await {
            tracing::error!("{e}");
        }
    }
}

/// A state in words for messages: its JSON form, bounded.
fn describe(state: &ResourceState) -> String {
    let json = serde_json::to_string(state).unwrap_or_default();
    json.chars().take(400).collect()
}
