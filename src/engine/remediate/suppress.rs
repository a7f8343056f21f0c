//! `exceptions.suppress_findings`: while a resource is excepted its open findings are set SUPPRESSED with a note,
//! each finding once; when the exception expires or is removed, the findings hubtriage suppressed (known from the
//! audit log) are set back to NEW by a background sweeper. Every update is audited as a `suppression` record.

use super::Remediator;
use crate::cloud::updates::{bounded_note, update_groups};
use crate::cloud::{FindingUpdate, SourceId};
use crate::engine::audit::{AuditEvent, AuditFinding, AuditRecord, AuditResult};
use crate::engine::exceptions::{short_id, ExceptionEntry, ExceptionStatus};
use crate::engine::Msg;
use crate::model::{Finding, RecordState, WorkflowStatus};
use crate::policy::exception::{read_exception, ExceptionStatus as Read};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// How suppression records start, so the audit log tells which findings hubtriage holds suppressed.
const SUPPRESSED: &str = "suppressed while excepted";
const RELEASED: &str = "set back to NEW";

/// Findings to update together: one resource in one account and region, one note.
struct Batch {
    resource_type: String,
    resource: String,
    note: String,
    findings: Vec<AuditFinding>,
}

/// (account, region, resource) → the batch of its findings.
type Batches = BTreeMap<(String, String, String), Batch>;

impl Remediator {
    /// Suppresses, in the background, the open findings whose resource carries a valid exception (when
    /// `exceptions.suppress_findings` is on and not read-only).
    pub fn suppress_excepted(self: &Arc<Self>, findings: Vec<Arc<Finding>>, tx: UnboundedSender<Msg>) {
        if !self.settings.exceptions.suppress_findings || self.read_only() {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move { this.suppress_now(&findings, Utc::now(), Some(&tx)).await });
    }

    /// Sets the NEW and NOTIFIED findings of excepted resources SUPPRESSED with a note naming the exception, at
    /// most 100 per call, each finding once (a finding hubtriage holds suppressed is left alone); returns how many
    /// were suppressed.
    pub async fn suppress_now(
        &self,
        findings: &[Arc<Finding>],
        now: DateTime<Utc>,
        tx: Option<&UnboundedSender<Msg>>,
    ) -> usize {
        if !self.settings.exceptions.suppress_findings || self.read_only() {
            return 0;
        }
        let lock = self.lock_for("exception-suppression");
        let _one_sweep_at_a_time = lock.lock().await;
        let held = self.held_suppressed();
        let names = &self.settings.exceptions.tags;
        let mut batches = Batches::new();
        let mut taken = HashSet::new();
        for f in findings {
            let open = matches!(f.workflow_status, WorkflowStatus::New | WorkflowStatus::Notified);
            let key = (f.product_arn.to_string(), f.id.to_string());
            if !open || f.record_state != RecordState::Active || held.contains_key(&key) || !taken.insert(key) {
                continue;
            }
            let Some(resource) = f.primary_resource() else { continue };
            let Read::Valid(tag) = read_exception(&resource.tags, names, now) else { continue };
            // An exception limited to some controls suppresses only their findings.
            if !tag.covers(f.control_id.as_deref()) {
                continue;
            }
            let note = format!(
                "hubtriage: excepted by tag {} \"{}\" until {}, owner {}",
                names.reason_tag,
                tag.reason,
                tag.expires.format("%Y-%m-%d"),
                tag.owner.as_deref().unwrap_or("unknown")
            );
            let place = (f.account_id.to_string(), f.region.to_string(), resource.id.clone());
            let batch = batches.entry(place).or_insert_with(|| Batch {
                resource_type: resource.kind.to_string(),
                resource: resource.id.clone(),
                note,
                findings: Vec::new(),
            });
            batch.findings.push(AuditFinding::of(f));
        }
        self.update_batches(batches, WorkflowStatus::Suppressed, SUPPRESSED, tx).await
    }

    /// Sets back to NEW the findings hubtriage suppressed whose resource no longer has a valid exception (expired,
    /// unreadable or removed), with a note saying so; sources that cannot be listed are left for the next sweep.
    /// Returns how many findings were set back.
    pub async fn release_ended(
        &self,
        sources: &[SourceId],
        now: DateTime<Utc>,
        tx: Option<&UnboundedSender<Msg>>,
    ) -> usize {
        if self.read_only() {
            return 0;
        }
        let lock = self.lock_for("exception-suppression");
        let _one_sweep_at_a_time = lock.lock().await;
        let held = self.held_suppressed();
        if held.is_empty() {
            return 0;
        }
        let mut listed: HashSet<&SourceId> = HashSet::new();
        let mut entries: HashMap<(String, String), ExceptionEntry> = HashMap::new();
        let by_source = self.exceptions_by_source(sources, now).await;
        for (source, result) in &by_source {
            match result {
                Ok(found) => {
                    listed.insert(source);
                    for e in found {
                        entries.insert((e.account_id.clone(), e.short_id()), e.clone());
                    }
                }
                Err(e) => tracing::warn!(%source, "exception sweep skipped this source: {e}"),
            }
        }
        let mut batches = Batches::new();
        for record in held.into_values() {
            let source = SourceId { account_id: record.account_id.clone(), region: record.region.clone() };
            if !listed.contains(&source) {
                continue;
            }
            let entry = entries.get(&(record.account_id.clone(), short_id(&record.resource)));
            let note = match entry {
                Some(e) if e.status.applies() => continue,
                Some(e) if e.status == ExceptionStatus::Expired => format!(
                    "hubtriage: exception expired on {} (\"{}\"); finding set back to NEW",
                    e.expires.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default(),
                    e.reason
                ),
                Some(e) => {
                    format!("hubtriage: exception no longer applies ({}); finding set back to NEW", e.status_text())
                }
                None => {
                    format!("hubtriage: exception removed from {}; finding set back to NEW", short_id(&record.resource))
                }
            };
            let place = (record.account_id.clone(), record.region.clone(), record.resource.clone());
            let batch = batches.entry(place).or_insert_with(|| Batch {
                resource_type: record.resource_type.clone(),
                resource: record.resource.clone(),
                note,
                findings: Vec::new(),
            });
            batch.findings.extend(record.findings);
        }
        self.update_batches(batches, WorkflowStatus::New, RELEASED, tx).await
    }

    /// Runs [`release_ended`](Self::release_ended) now and every `every` until the receiver of `tx` is gone; only
    /// when `exceptions.suppress_findings` is on.
    pub fn start_exception_sweeper(
        self: &Arc<Self>,
        sources: Vec<SourceId>,
        every: Duration,
        tx: UnboundedSender<Msg>,
    ) {
        if !self.settings.exceptions.suppress_findings {
            return;
        }
        let this = self.clone();
        let every = every.max(Duration::from_secs(1));
        tokio::spawn(async move {
            loop {
                if tx.is_closed() {
                    return;
                }
                let released = this.release_ended(&sources, Utc::now(), Some(&tx)).await;
                if released > 0 {
                    tracing::info!(released, "findings set back to NEW: their exceptions ended");
                }
                tokio::time::sleep(every).await;
            }
        });
    }

    /// Findings hubtriage suppressed and has not set back since, by (product ARN, id), each with the record (one
    /// finding per record) that suppressed it.
    fn held_suppressed(&self) -> HashMap<(String, String), AuditRecord> {
        let mut held = HashMap::new();
        for record in self
            .audit_records()
            .into_iter()
            .filter(|r| r.event == AuditEvent::Suppression && r.result == AuditResult::Ok)
        {
            for finding in &record.findings {
                let key = (finding.product_arn.clone(), finding.id.clone());
                if record.message.starts_with(SUPPRESSED) {
                    held.insert(key, AuditRecord { findings: vec![finding.clone()], ..record.clone() });
                } else if record.message.starts_with(RELEASED) {
                    held.remove(&key);
                }
            }
        }
        held
    }

    /// Updates each batch, at most 100 findings per call, and audits what was updated and what was not.
    async fn update_batches(
        &self,
        batches: Batches,
        status: WorkflowStatus,
        prefix: &str,
        tx: Option<&UnboundedSender<Msg>>,
    ) -> usize {
        let Some(updates) = &self.updates else {
            return 0;
        };
        let mut done = 0;
        for ((account_id, region, _), batch) in batches {
            let note = bounded_note(&batch.note);
            for (format, chunk) in update_groups(&batch.findings, |f| f.format) {
                let update = FindingUpdate {
                    findings: chunk.iter().map(|f| f.key()).collect(),
                    format,
                    status,
                    note: note.clone(),
                    updated_by: self.operator.clone(),
                };
                let (processed, failed, problems) = match updates.update_findings(&account_id, &region, &update).await {
                    Ok(report) => {
                        let why: HashMap<String, String> = report.unprocessed.into_iter().collect();
                        let (failed, ok): (Vec<AuditFinding>, Vec<AuditFinding>) =
                            chunk.into_iter().cloned().partition(|f| why.contains_key(&f.id));
                        (ok, failed, why.into_iter().map(|(id, why)| format!("{id}: {why}")).collect::<Vec<_>>())
                    }
                    Err(e) => (Vec::new(), chunk.into_iter().cloned().collect(), vec![e.to_string()]),
                };
                let record = |findings: Vec<AuditFinding>, result, message: String| AuditRecord {
                    time: Utc::now(),
                    event: AuditEvent::Suppression,
                    result,
                    job: None,
                    operator: self.operator.clone(),
                    findings,
                    control_id: None,
                    account_id: account_id.clone(),
                    region: region.clone(),
                    resource_type: batch.resource_type.clone(),
                    resource: batch.resource.clone(),
                    playbook: None,
                    fingerprint: None,
                    before: None,
                    after: None,
                    changes: Vec::new(),
                    rollback: Vec::new(),
                    process: None,
                    message,
                };
                if !processed.is_empty() {
                    done += processed.len();
                    let message = format!("{prefix}: {} finding(s) set {}: {note}", processed.len(), status.label());
                    self.write_audit(record(processed, AuditResult::Ok, message), tx).await;
                }
                if !failed.is_empty() {
                    let message = format!("setting {} failed: {}", status.label(), problems.join("; "));
                    self.write_audit(record(failed, AuditResult::Failed, message), tx).await;
                }
            }
        }
        done
    }

    async fn write_audit(&self, record: AuditRecord, tx: Option<&UnboundedSender<Msg>>) {
        if let Err(e) = self.write(record, tx).await {
            tracing::error!("{e}");
        }
    }
}
