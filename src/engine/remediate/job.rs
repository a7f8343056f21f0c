//! A running remediation job: what it is about, where its updates go, and the audit records it writes.

use crate::engine::audit::{AuditEvent, AuditFinding, AuditRecord, AuditResult};
use crate::engine::jobs::{JobId, JobKind, JobState, JobUpdate};
use crate::engine::Msg;
use crate::model::{Finding, FindingKey, ResourceRef};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// One running job: what it is about, and where its updates go.
#[derive(Clone)]
pub(super) struct Job {
    pub(super) id: JobId,
    pub(super) audit_job: String,
    pub(super) kind: JobKind,
    pub(super) findings: Vec<AuditFinding>,
    pub(super) control_id: String,
    pub(super) playbook: String,
    pub(super) account_id: String,
    pub(super) region: String,
    pub(super) resource: ResourceRef,
    pub(super) fingerprint: String,
    pub(super) started_at: DateTime<Utc>,
    pub(super) tx: Option<UnboundedSender<Msg>>,
}

impl Job {
    /// The key jobs on the same resource share.
    pub(super) fn resource_key(&self) -> String {
        format!("{}/{}/{}", self.account_id, self.region, self.resource.id)
    }

    pub(super) fn update(&self, state: &JobState) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Msg::Job(Box::new(JobUpdate {
                id: self.id,
                audit_job: self.audit_job.clone(),
                kind: self.kind,
                findings: self
                    .findings
                    .iter()
                    .map(|f| FindingKey {
                        product_arn: Arc::from(f.product_arn.as_str()),
                        id: Arc::from(f.id.as_str()),
                    })
                    .collect(),
                control_id: self.control_id.clone(),
                playbook: self.playbook.clone(),
                account_id: self.account_id.clone(),
                region: self.region.clone(),
                resource: self.resource.id.clone(),
                fingerprint: self.fingerprint.clone(),
                state: state.clone(),
                started_at: self.started_at,
                updated_at: Utc::now(),
            })));
        }
    }

    /// Tells whoever follows the job (the TUI, a headless command) that a notification about it was not sent.
    pub(super) fn notification_failed(&self, event: &str, topic: &str, cause: &crate::cloud::CloudError) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Msg::NotificationFailed(Box::new(crate::engine::NotificationFailure {
                job: self.audit_job.clone(),
                event: event.to_string(),
                topic: topic.to_string(),
                cause: cause.to_string(),
            })));
        }
    }

    /// A record about this job, without states or changes.
    pub(super) fn record(
        &self,
        operator: &str,
        event: AuditEvent,
        result: AuditResult,
        message: String,
    ) -> AuditRecord {
        AuditRecord {
            time: Utc::now(),
            event,
            result,
            job: Some(self.audit_job.clone()),
            operator: operator.to_string(),
            findings: self.findings.clone(),
            control_id: Some(self.control_id.clone()),
            account_id: self.account_id.clone(),
            region: self.region.clone(),
            resource_type: self.resource.kind.to_string(),
            resource: self.resource.id.clone(),
            playbook: Some(self.playbook.clone()),
            fingerprint: (!self.fingerprint.is_empty()).then(|| self.fingerprint.clone()),
            before: None,
            after: None,
            changes: Vec::new(),
            rollback: Vec::new(),
            process: event.is_intent().then(|| crate::cloud::process::ProcessRef::this().clone()),
            message,
        }
    }
}

/// The region a resource lives in: its own (global S3 findings carry it there), else the finding's.
pub(super) fn resource_region(finding: &Finding, resource: &ResourceRef) -> String {
    resource.region.as_deref().filter(|r| !r.is_empty()).map_or_else(|| finding.region.to_string(), str::to_string)
}
