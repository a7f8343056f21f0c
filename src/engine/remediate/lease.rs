//! The lease a job holds on its resource while it may change it: taken after the in-process lock, renewed every
//! third of its time by a heartbeat while the job runs, checked before every mutating call, and released with the
//! job's outcome. A job whose lease was lost, or could not be renewed before it expired, changes nothing more.

use crate::cloud::coordination::{Lease, LeaseError, LeaseOwner, Leases};
use crate::engine::jobs::JobState;
use chrono::Utc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the heartbeat and the job share.
struct Shared {
    current: Mutex<Lease>,
    lost: AtomicBool,
}

/// A held lease and its heartbeat.
pub(super) struct JobLease {
    leases: Arc<dyn Leases>,
    shared: Arc<Shared>,
    took_over: Option<Lease>,
    heartbeat: tokio::task::JoinHandle<()>,
    released: bool,
}

impl JobLease {
    /// Takes the lease on `key` for `ttl` and starts renewing it every `ttl / 3`.
    pub(super) async fn take(
        leases: Arc<dyn Leases>,
        key: &str,
        owner: &LeaseOwner,
        ttl: Duration,
    ) -> Result<Self, LeaseError> {
        let mut lease = leases.acquire(key, owner, ttl).await?;
        let took_over = lease.took_over.take().map(|l| *l);
        let shared = Arc::new(Shared { current: Mutex::new(lease), lost: AtomicBool::new(false) });
        let heartbeat = tokio::spawn(heartbeat(leases.clone(), shared.clone(), ttl));
        Ok(Self { leases, shared, took_over, heartbeat, released: false })
    }

    /// The lease this one took over from an owner that stopped renewing it mid-change.
    pub(super) fn took_over(&self) -> Option<&Lease> {
        self.took_over.as_ref()
    }

    /// `Ok` while the lease is still ours: neither lost to another owner nor expired without renewal.
    pub(super) fn check(&self) -> Result<(), String> {
        let current = self.current();
        if self.shared.lost.load(Ordering::SeqCst) {
            return Err(format!("{}; nothing more was changed", LeaseError::Lost(current.key)));
        }
        if !current.is_live(Utc::now()) {
            return Err(format!(
                "the lease on {} expired at {} without renewal (the lease store did not answer); nothing more was \
                 changed",
                current.key,
                current.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ));
        }
        Ok(())
    }

    fn current(&self) -> Lease {
        self.shared.current.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Stops the heartbeat and gives the lease back with the job's outcome.
    pub(super) async fn release(mut self, state: &JobState) {
        self.heartbeat.abort();
        self.released = true;
        let outcome = match state.detail() {
            Some(detail) => format!("{}: {}", state.word(), crate::model::sanitize::single_line(detail)),
            None => state.word().to_string(),
        };
        let outcome: String = outcome.chars().take(400).collect();
        let lease = self.current();
        if let Err(e) = self.leases.release(&lease, &outcome).await {
            // It expires by itself; the next taker re-reads the resource first.
            tracing::warn!(resource = %lease.key, "releasing the lease: {e}");
        }
    }
}

impl Drop for JobLease {
    fn drop(&mut self) {
        self.heartbeat.abort();
        if self.released {
            return;
        }
        // The job stopped before it ended (its task was dropped): the lease is given back so the resource is not
        // held until it expires; its intent, if any, stays unfinished in the audit log and is re-checked.
        let (leases, lease) = (self.leases.clone(), self.current());
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = leases.release(&lease, "interrupted: the job stopped before it ended").await;
            });
        }
    }
}

/// Renews the lease every third of its time until it is lost; a renewal that fails for another reason is tried
/// again at the next beat (the job checks the expiry before every call).
async fn heartbeat(leases: Arc<dyn Leases>, shared: Arc<Shared>, ttl: Duration) {
    let every = (ttl / 3).max(Duration::from_millis(100));
    loop {
        tokio::time::sleep(every).await;
        let current = shared.current.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match leases.renew(&current, ttl).await {
            Ok(renewed) => *shared.current.lock().unwrap_or_else(|p| p.into_inner()) = renewed,
            Err(LeaseError::Lost(key)) => {
                tracing::warn!(resource = %key, "lease lost: another owner took it");
                shared.lost.store(true, Ordering::SeqCst);
                return;
            }
            Err(e) => tracing::warn!(resource = %current.key, "renewing the lease failed: {e}"),
        }
    }
}

/// Whether a job's refusal says that another owner holds its resource's lease (the job may be tried again once the
/// other change ends), as [`refusal`] words it.
pub fn is_busy_refusal(reason: &str) -> bool {
    reason.contains(BUSY_WORDS)
}

/// What [`LeaseError::Held`]'s message says, and only it.
const BUSY_WORDS: &str = " is being changed by ";

/// The message a job refuses with when the lease is not granted.
pub(super) fn refusal(e: &LeaseError) -> String {
    match e {
        LeaseError::Held { .. } => format!("{e}; nothing was changed"),
        LeaseError::Unavailable(_) => format!("{e}; no change is made without a lease, nothing was changed"),
        LeaseError::Lost(_) => format!("{e}; nothing was changed"),
    }
}

#[cfg(test)]
#[path = "lease_tests.rs"]
mod tests;
