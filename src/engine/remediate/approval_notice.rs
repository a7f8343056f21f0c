//! Approval requests audited and notified like every change: each request, approval, rejection and expiry is one
//! audit record (with the plan's calls and rollback) and one SNS message carrying the plan — resource, steps, AWS
//! CLI and rollback — so a chat channel subscribed to the topic shows enough to decide.

use super::Remediator;
use crate::cloud::updates::{bounded_subject, Notification};
use crate::engine::audit::{AuditEvent, AuditFinding, AuditRecord, AuditResult};
use crate::model::FindingFormat;
use crate::review::ApprovalRequest;
use chrono::Utc;
use std::collections::BTreeMap;

impl Remediator {
    /// Audits `event` about `request` (the audit record must be written: the error says why it was not) and
    /// publishes it to the topic of the account's class (a failure is audited, never fatal).
    pub async fn announce_approval(
        &self,
        request: &ApprovalRequest,
        event: AuditEvent,
        message: String,
    ) -> Result<(), String> {
        let f = &request.finding;
        let plan = f.plan.as_ref();
        let record = AuditRecord {
            time: Utc::now(),
            event,
            result: AuditResult::Ok,
            job: None,
            operator: self.operator.clone(),
            findings: vec![AuditFinding {
                id: f.id.clone(),
                product_arn: f.product_arn.clone(),
                first_observed_at: None,
                format: FindingFormat::Asff,
            }],
            control_id: f.control_id.clone(),
            account_id: f.account_id.clone(),
            region: f.region.clone(),
            resource_type: f.resource_type.clone().unwrap_or_default(),
            resource: f.resource_id.clone().unwrap_or_default(),
            playbook: plan.map(|p| p.playbook.clone()),
            fingerprint: plan.map(|p| p.fingerprint.clone()),
            before: None,
            after: None,
            changes: plan.map(|p| p.changes.clone()).unwrap_or_default(),
            rollback: plan.map(|p| p.rollback.clone()).unwrap_or_default(),
            process: None,
            message: format!("approval request {}: {message}", request.id),
        };
        self.write(record, None).await?;
        self.publish_approval(request, event, &message).await;
        Ok(())
    }

    async fn publish_approval(&self, request: &ApprovalRequest, event: AuditEvent, message: &str) {
        let f = &request.finding;
        let Some(topic) = self.settings.notify.topic_for(&request.account_class).map(String::from) else { return };
        let Some(notifier) = &self.notifier else { return };
        let name = serde_json::to_value(event).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        let control = f.control_id.as_deref().unwrap_or("-");
        let resource = f.resource_id.as_deref().unwrap_or("-");
        let plan = f.plan.as_ref().map(|p| {
            serde_json::json!({
                "summary": p.summary,
                "playbook": p.playbook,
                "fingerprint": p.fingerprint,
                "steps": p.steps,
                "cli": p.cli,
                "rollback_cli": p.rollback_cli,
                "warnings": p.warnings,
            })
        });
        let notification = Notification {
            subject: bounded_subject(&format!(
                "hubtriage {name}: {control} {resource} in {}/{}",
                f.account_id, f.region
            )),
            body: serde_json::json!({
                "event": name,
                "request": request.id,
                "status": request.status.name(),
                "operator": self.operator,
                "time": Utc::now().to_rfc3339(),
                "account_id": f.account_id,
                "account_class": request.account_class,
                "two_person": request.two_person,
                "region": f.region,
                "resource_type": f.resource_type,
                "resource": f.resource_id,
                "control_id": f.control_id,
                "finding": f.id,
                "title": f.title,
                "verdict": f.verdict.name(),
                "reason": f.reason,
                "requested_by": request.requested_by,
                "requested_at": request.requested_at.to_rfc3339(),
                "expires_at": request.expires_at.to_rfc3339(),
                "note": request.note,
                "decided_by": request.decided_by,
                "decision_note": request.decision_note,
                "plan": plan,
                "approve_with": format!("hubtriage approvals approve {}", request.id),
                "message": message,
            }),
            attributes: BTreeMap::from([
                ("event".to_string(), name.clone()),
                ("account_class".to_string(), request.account_class.clone()),
                ("control_id".to_string(), control.to_string()),
            ]),
        };
        if let Err(e) = notifier.publish(&topic, &notification).await {
            tracing::warn!(topic, "notification failed: {e}");
            let mut failed =
                notification_failure(&self.operator, request, format!("publishing {name} to {topic}: {e}"));
            failed.result = AuditResult::Failed;
            if let Err(e) = self.write(failed, None).await {
                tracing::error!("{e}");
            }
        }
    }
}

/// The record of a notification about `request` that could not be published.
fn notification_failure(operator: &str, request: &ApprovalRequest, message: String) -> AuditRecord {
    let f = &request.finding;
    AuditRecord {
        time: Utc::now(),
        event: AuditEvent::Notification,
        result: AuditResult::Failed,
        job: None,
        operator: operator.to_string(),
        findings: Vec::new(),
        control_id: f.control_id.clone(),
        account_id: f.account_id.clone(),
        region: f.region.clone(),
        resource_type: f.resource_type.clone().unwrap_or_default(),
        resource: f.resource_id.clone().unwrap_or_default(),
        playbook: None,
        fingerprint: None,
        before: None,
        after: None,
        changes: Vec::new(),
        rollback: Vec::new(),
        process: None,
        message: format!("approval request {}: {message}", request.id),
    }
}
