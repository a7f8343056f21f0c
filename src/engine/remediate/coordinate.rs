//! Coordination with the other processes that may change the same resources: job ids unique across processes,
//! the lease a job takes (owner: operator, `host:pid kind`, job id), and what a job does when it takes over the
//! lease of an owner that died mid-change — re-check that owner's interrupted change before its own re-read.

use super::lease::{refusal, JobLease};
use super::{Job, Remediator};
use crate::cloud::coordination::{Lease, LeaseOwner, Leases};
use crate::cloud::process::ProcessRef;
use crate::engine::audit::{AuditEvent, AuditLog, AuditRecord};
use crate::engine::audit_summary::unfinished;
use chrono::Utc;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

/// This run's part of every job id: the start time to the second, the pid and a random suffix, so two processes
/// started in the same second on one or many machines never share a job id in one audit log.
pub(super) fn session_id() -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Utc::now().timestamp_nanos_opt().unwrap_or_default() as u128);
    let suffix = hasher.finish() & 0xffff_ffff;
    format!("{}-p{}-{suffix:08x}", Utc::now().format("%Y%m%dT%H%M%SZ"), std::process::id())
}

impl Remediator {
    /// Names the kind of process that changes (`tui`, `apply`, `watch`), as other processes see the lease owner
    /// (set once; later calls are ignored).
    pub fn set_process_kind(&self, kind: &str) {
        let _ = self.process_kind.set(kind.to_string());
    }

    /// How long a lease lasts without renewal (`[coordination] lease_seconds`); claims on findings last as long.
    pub fn lease_ttl(&self) -> std::time::Duration {
        self.coordination.ttl
    }

    /// This run's part of every job id: unique among every process sharing the audit log and lease store.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// Where leases live, for the UI ("lock files in …", "DynamoDB table …").
    pub fn leases(&self) -> &Arc<dyn Leases> {
        &self.coordination.leases
    }

    /// The owner a job's lease names.
    fn lease_owner(&self, job: &Job) -> LeaseOwner {
        let kind = self.process_kind.get().map(String::as_str).unwrap_or("hubtriage");
        LeaseOwner {
            operator: self.operator.clone(),
            process: format!("{} {kind}", ProcessRef::this().label()),
            job: job.audit_job.clone(),
        }
    }

    /// Takes the job's lease, or says why the job must not start (held by another, or the store unreachable).
    pub(super) async fn take_lease(&self, job: &Job) -> Result<JobLease, String> {
        let owner = self.lease_owner(job);
        let key = job.resource_key();
        JobLease::take(self.coordination.leases.clone(), &key, &owner, self.coordination.ttl)
            .await
            .map_err(|e| refusal(&e))
    }

    /// Who holds the lease on a finding's resource now, if anyone; a lease store that cannot be asked is logged and
    /// answers nobody (the job itself refuses without a lease).
    pub(super) async fn holder_of(&self, finding: &crate::model::Finding) -> Option<Lease> {
        let resource = finding.primary_resource()?;
        let key = format!("{}/{}/{}", finding.account_id, super::resource_region(finding, resource), resource.id);
        match self.coordination.leases.holder(&key).await {
            Ok(holder) => holder,
            Err(e) => {
                tracing::warn!(resource = %key, "who holds the lease is unknown: {e}");
                None
            }
        }
    }

    /// After taking over the lease of an owner that stopped renewing it: finds that owner's job in the audit log and,
    /// when its change is unfinished there, re-checks it (recorded in that job). Returns what the taking job's audit
    /// record says about it.
    pub(super) async fn take_over(&self, job: &Job, old: &Lease) -> String {
        let who = format!(
            "took over the lease of job {} ({}, {}, since {}) whose owner stopped renewing it",
            old.owner.job,
            old.owner.operator,
            old.owner.process,
            old.taken_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        let records = self.fresh_records();
        let intent =
            records.iter().find(|r| r.event.is_intent() && r.job.as_deref() == Some(old.owner.job.as_str())).cloned();
        let open = unfinished(&records);
        let message = match intent {
            None => format!("{who}: it recorded no intent in this audit log; the resource was re-read"),
            Some(intent) if !open.iter().any(|u| u.job == intent.job) => {
                format!("{who}: its change is recorded as finished; the resource was re-read")
            }
            Some(intent) if matches!(intent.event, AuditEvent::ApplyIntent | AuditEvent::RollbackIntent) => {
                let state = self.recheck_intent(&intent, job.tx.as_ref()).await;
                format!("{who}: its interrupted change was re-checked ({}); the resource was re-read", state.word())
            }
            Some(intent) => format!(
                "{who}: its intent \"{}\" has no outcome; the resource was re-read",
                crate::model::sanitize::single_line(&intent.message)
            ),
        };
        tracing::warn!(resource = %job.resource_key(), "{message}");
        message
    }

    /// The audit log as it is on disk now (other processes append to it too); what this process knows when it
    /// cannot be read.
    pub(super) fn fresh_records(&self) -> Vec<AuditRecord> {
        match AuditLog::read(self.audit.path()) {
            Ok(read) => read.records,
            Err(e) => {
                tracing::warn!("re-reading the audit log: {e}");
                self.audit_records()
            }
        }
    }
}

/// `message`, with what the job found when it took over a lease.
pub(super) fn noted(message: String, takeover: Option<&String>) -> String {
    match takeover {
        Some(note) => format!("{message} ({note})"),
        None => message,
    }
}
