//! The remediation flow: approve → apply → verify in the background → resolve → notify, every step audited; and
//! rollback to the recorded before-state. One job per resource at a time; calls go to the finding's own account
//! and region.

mod apply;
mod approval_notice;
mod coordinate;
mod exception;
mod exception_list;
mod exception_read;
mod job;
mod lease;
pub use lease::is_busy_refusal;
mod outcome;
mod rollback;
mod rollback_check;
pub use rollback_check::RollbackCheck;
mod suppress;
mod watch;
mod window;

use super::audit::{AuditLog, AuditRecord};
use super::jobs::{ApplyRequest, JobId, JobState, PreviewItem};
use super::live_plan::assess_live;
use super::Msg;
use crate::cloud::{Automation, Backend, FindingUpdates, Notifier, ReadOnly, Resources};
use crate::config::{NotifyConfig, RemediationConfig};
use crate::model::Finding;
use crate::triage::Triage;
use futures::StreamExt;
use job::{resource_region, Job};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::Semaphore;

/// How a session remediates.
#[derive(Debug, Clone, Default)]
pub struct RemediatorSettings {
    pub read_only: bool,
    pub exceptions: crate::config::ExceptionsConfig,
    pub notify: NotifyConfig,
    pub remediation: RemediationConfig,
}

/// Runs remediation jobs. Shared as `Arc<Remediator>` by the UI loop and the headless `apply` command.
pub struct Remediator {
    resources: Arc<dyn Resources>,
    updates: Option<Arc<dyn FindingUpdates>>,
    notifier: Option<Arc<dyn Notifier>>,
    automation: Option<Arc<dyn Automation>>,
    triage: Arc<Triage>,
    audit: AuditLog,
    records: Mutex<Vec<AuditRecord>>,
    operator: String,
    settings: RemediatorSettings,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    slots: Semaphore,
    next_id: AtomicU64,
    session: String,
    /// Set when hubtriage is stopping: jobs that have not started their calls refuse.
    cancelled: std::sync::atomic::AtomicBool,
    /// Jobs past their queue (holding their resource), for a clean stop.
    running: std::sync::atomic::AtomicUsize,
    /// Jobs waiting for their resource while another job of this process changes it (they need no slot till then).
    behind: std::sync::atomic::AtomicUsize,
    /// Where the workflow status set on findings is kept between runs (with the finding's history), when a store
    /// is open.
    store: std::sync::OnceLock<Arc<crate::store::Store>>,
    /// Where leases on resources are taken before a change, and for how long.
    coordination: crate::cloud::coordination::Coordination,
    /// The kind of process that changes (`tui`, `apply`, `watch`), as lease owners show it.
    process_kind: std::sync::OnceLock<String>,
    /// Why this run's person may change resources outside the change windows (`--outside-window`).
    outside_window: std::sync::OnceLock<String>,
}

/// What a running job holds: a slot, its resource (one job per resource at a time in this process, and its lease
/// among every process), its place in the count.
struct JobGuard<'a> {
    _slot: tokio::sync::SemaphorePermit<'a>,
    _resource: tokio::sync::OwnedMutexGuard<()>,
    _running: RunningJob<'a>,
    lease: lease::JobLease,
    /// What the job found when it took over the lease of an owner that died mid-change, for its audit record.
    takeover: Option<String>,
}

/// Counts a job (as running, or as waiting behind another job of its resource) while it lives.
pub(super) struct RunningJob<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for RunningJob<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Remediator {
    /// A remediator for a backend that can read live state; `records` is the audit log as read at start.
    /// In read-only mode every mutating port is wrapped so no mutating call can leave the process.
    pub fn new(
        backend: &Backend,
        triage: Arc<Triage>,
        audit: AuditLog,
        records: Vec<AuditRecord>,
        settings: RemediatorSettings,
    ) -> Result<Arc<Self>, String> {
        let resources = backend.resources.clone().ok_or("fixes need live access to the accounts (not offline)")?;
        let mut resources: Arc<dyn Resources> = resources;
        let mut updates = backend.updates.clone();
        let mut notifier = backend.notifier.clone();
        let mut automation = backend.automation.clone();
        if settings.read_only {
            automation = automation.map(|a| Arc::new(ReadOnly(a)) as Arc<dyn Automation>);
            resources = Arc::new(ReadOnly(resources));
            updates = updates.map(|u| Arc::new(ReadOnly(u)) as Arc<dyn FindingUpdates>);
            notifier = notifier.map(|n| Arc::new(ReadOnly(n)) as Arc<dyn Notifier>);
        }
        Ok(Arc::new(Self {
            resources,
            updates,
            notifier,
            automation,
            triage,
            audit,
            records: Mutex::new(records),
            operator: backend.operator.clone(),
            slots: Semaphore::new(settings.remediation.max_parallel_jobs.max(1)),
            settings,
            locks: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            cancelled: std::sync::atomic::AtomicBool::new(false),
            running: std::sync::atomic::AtomicUsize::new(0),
            behind: std::sync::atomic::AtomicUsize::new(0),
            store: std::sync::OnceLock::new(),
            session: coordinate::session_id(),
            coordination: backend
                .coordination
                .clone()
                .unwrap_or_else(crate::cloud::coordination::Coordination::in_process),
            process_kind: std::sync::OnceLock::new(),
            outside_window: std::sync::OnceLock::new(),
        }))
    }

    /// Whether mutating calls are refused.
    pub fn read_only(&self) -> bool {
        self.settings.read_only
    }

    /// Who acts, as the audit log and notes name them.
    pub fn operator(&self) -> &str {
        &self.operator
    }

    /// The audit log as read at start plus every record appended since.
    pub fn audit_records(&self) -> Vec<AuditRecord> {
        self.records.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The settings this remediator runs with.
    pub fn settings(&self) -> &RemediatorSettings {
        &self.settings
    }

    /// The triage (policy and playbooks) jobs decide with.
    pub fn triage(&self) -> &Arc<Triage> {
        &self.triage
    }

    /// Live state and changes (wrapped read-only in read-only mode).
    pub fn resources(&self) -> &Arc<dyn Resources> {
        &self.resources
    }

    /// Finding updates, when connected (wrapped read-only in read-only mode).
    pub fn updates(&self) -> Option<&Arc<dyn FindingUpdates>> {
        self.updates.as_ref()
    }

    /// Notifications, when connected (wrapped read-only in read-only mode).
    pub fn notifier(&self) -> Option<&Arc<dyn Notifier>> {
        self.notifier.as_ref()
    }

    /// SSM Automation, when connected (wrapped read-only in read-only mode).
    pub fn automation(&self) -> Option<&Arc<dyn Automation>> {
        self.automation.as_ref()
    }

    /// Appends a record to the audit log (flushed, synced, copied), keeps it, and tells the UI; `Err`: do not make
    /// the change it announces.
    pub async fn audit_record(&self, record: AuditRecord, tx: Option<&UnboundedSender<Msg>>) -> Result<(), String> {
        self.write(record, tx).await
    }

    /// Stops taking work: queued jobs refuse (nothing changed); running ones finish their calls and verification.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    /// How many jobs are past their queue right now.
    pub fn running_jobs(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// How many jobs wait for their resource while another job of this process changes it.
    pub fn jobs_behind_their_resource(&self) -> usize {
        self.behind.load(Ordering::SeqCst)
    }

    /// Waits until no job is running, or `timeout` passes; returns how many still run.
    pub async fn wait_idle(&self, timeout: std::time::Duration) -> usize {
        let deadline = tokio::time::Instant::now() + timeout;
        while self.running_jobs() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.running_jobs()
    }

    /// Waits for the job's resource, then for a free slot (a job waiting on another job of its resource holds no
    /// slot), marks the job running and takes the resource's lease; or says why it must not start (hubtriage is
    /// stopping, read-only mode, another process holds the lease). The guard holds them until the job ends
    /// ([`Remediator::end`]).
    async fn begin(&self, job: &Job) -> Result<JobGuard<'_>, String> {
        let lock = self.lock_for(&job.resource_key());
        let resource = match lock.clone().try_lock_owned() {
            Ok(resource) => resource,
            Err(_) => {
                self.behind.fetch_add(1, Ordering::SeqCst);
                let _behind = RunningJob(&self.behind);
                lock.lock_owned().await
            }
        };
        let slot = self.slots.acquire().await.map_err(|e| format!("no job slot: {e}"))?;
        let running = self.start_running()?;
        job.update(&JobState::Checking);
        if self.read_only() {
            return Err("read-only mode: no change was made".into());
        }
        let lease = self.take_lease(job).await?;
        let takeover = match lease.took_over() {
            Some(old) => Some(self.take_over(job, old).await),
            None => None,
        };
        Ok(JobGuard { _slot: slot, _resource: resource, _running: running, lease, takeover })
    }

    /// Ends a job: its lease is given back with its outcome, then its resource and slot.
    async fn end(&self, guard: JobGuard<'_>, state: &JobState) {
        guard.lease.release(state).await;
    }

    /// Marks a job as running, or says why it must not start (hubtriage is stopping).
    pub(super) fn start_running(&self) -> Result<RunningJob<'_>, String> {
        if self.cancelled.load(Ordering::SeqCst) {
            return Err("cancelled: hubtriage is stopping; nothing was changed".into());
        }
        self.running.fetch_add(1, Ordering::SeqCst);
        Ok(RunningJob(&self.running))
    }

    /// A fresh job id.
    pub fn next_job_id(&self) -> JobId {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Reads the live state of each finding's resource and assesses it; answers `Msg::ApplyPreview`.
    pub fn preview(self: &Arc<Self>, req: u64, findings: Vec<Arc<Finding>>, tx: UnboundedSender<Msg>) {
        let this = self.clone();
        tokio::spawn(async move {
            let items = this.assess_all(findings).await;
            let _ = tx.send(Msg::ApplyPreview { req, items });
        });
    }

    /// Live assessments of findings, a few at a time.
    pub async fn assess_all(&self, findings: Vec<Arc<Finding>>) -> Vec<PreviewItem> {
        futures::stream::iter(findings)
            .map(|finding| async move {
                let result = assess_live(self.resources.as_ref(), &self.triage, &finding).await;
                let holder = self.holder_of(&finding).await;
                PreviewItem { finding, result, holder }
            })
            .buffered(8)
            .collect()
            .await
    }

    /// Starts a job for an approved request; progress arrives as `Msg::Job`.
    pub fn submit(self: &Arc<Self>, request: ApplyRequest, tx: UnboundedSender<Msg>) -> JobId {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let this = self.clone();
        tokio::spawn(async move { this.run_apply(id, request, Some(tx)).await });
        id
    }

    /// Keeps the workflow status set on findings in `store` too (set once; later calls are ignored).
    pub fn keep_in(&self, store: Arc<crate::store::Store>) {
        let _ = self.store.set(store);
    }

    /// Starts the rollback of the apply job named `audit_job` in the audit log.
    pub fn rollback(self: &Arc<Self>, audit_job: String, tx: UnboundedSender<Msg>) -> JobId {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let this = self.clone();
        tokio::spawn(async move { this.run_rollback(id, &audit_job, Some(tx)).await });
        id
    }

    fn audit_job(&self, id: JobId) -> String {
        format!("{}-{id}", self.session)
    }

    /// The lock that keeps one job per resource at a time.
    fn lock_for(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.entry(key.to_string()).or_default().clone()
    }

    /// Appends a record (chained, flushed and synced, and stored in the remote copy when one is configured), keeps
    /// it, and tells the UI. `Err` means the caller must not make the change the record announces. When only the
    /// remote copy failed the record is in the local log all the same; an intent is then closed there with a failed
    /// outcome, so that the change, never made, does not show as interrupted.
    async fn write(&self, record: AuditRecord, tx: Option<&UnboundedSender<Msg>>) -> Result<(), String> {
        match self.audit.append(&record).await {
            Ok(_) => {
                self.keep(record, tx);
                Ok(())
            }
            Err(e) if e.written_locally() => {
                let why = e.to_string();
                let closing = record.not_started(&format!("{why}; nothing was changed"));
                self.keep(record, tx);
                if let Some(closing) = closing {
                    // Its own copy most likely fails too; the local log is what must show the change never started.
                    match self.audit.append(&closing).await {
                        Err(e) if !e.written_locally() => tracing::error!("{e}"),
                        _ => self.keep(closing, tx),
                    }
                }
                Err(why)
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// Keeps a written record and tells the UI.
    fn keep(&self, record: AuditRecord, tx: Option<&UnboundedSender<Msg>>) {
        self.records.lock().unwrap_or_else(|p| p.into_inner()).push(record.clone());
        if let Some(tx) = tx {
            let _ = tx.send(Msg::Audit(Box::new(record)));
        }
    }
}

#[cfg(test)]
#[path = "coordinate_tests.rs"]
mod coordinate_tests;
#[cfg(test)]
#[path = "exception_controls_tests.rs"]
mod exception_controls_tests;
#[cfg(test)]
#[path = "exception_tests.rs"]
mod exception_tests;
#[cfg(test)]
#[path = "rollback_tests.rs"]
mod rollback_tests;
#[cfg(test)]
#[path = "suppress_tests.rs"]
mod suppress_tests;
#[cfg(test)]
#[path = "tests.rs"]
pub(crate) mod tests;
