//! Coordination between every process that may change a resource: TUIs, `apply` and `watch` replicas on one machine
//! or many. A lease per resource (owner, expiry, heartbeat) is taken before any change and released with the outcome.
//! Adapters: in-process and data-dir locks on one machine; a DynamoDB table (conditional writes) across machines.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Who holds, or wants, a lease: shown to the others ("changed by … since …").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseOwner {
    /// The caller identity (STS ARN, role session included) or the demo operator.
    pub operator: String,
    /// Host and process id (`host:pid`), and the kind of process (`tui`, `apply`, `watch`).
    pub process: String,
    /// The audit log's job id of the change the lease is taken for.
    pub job: String,
}

/// A lease as it stands in the lease store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The resource it covers: `account/region/resource id`.
    pub key: String,
    pub owner: LeaseOwner,
    pub taken_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The lease this one took over because its owner stopped renewing it: the next taker must re-read the resource
    /// and look for that job's intent before doing anything.
    pub took_over: Option<Box<Lease>>,
}

/// Why a lease was not granted, renewed or released.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeaseError {
    /// Someone else holds it, until its expiry unless renewed.
    #[error("{key} is being changed by {} ({}, job {}) since {}; lease until {}", .holder.owner.operator, .holder.owner.process, .holder.owner.job, seconds(&.holder.taken_at), seconds(&.holder.expires_at))]
    Held { key: String, holder: Box<Lease> },
    /// The lease was lost (expired and taken by another owner) while it was held.
    #[error("lease on {0} was lost: another owner took it after it expired")]
    Lost(String),
    /// The lease store could not be reached or refused the call: no change may be made.
    #[error("lease store unavailable: {0}")]
    Unavailable(String),
}

/// A time as lease messages show it: RFC 3339 to the second, in UTC.
fn seconds(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Leases on resources. Every implementation is safe for concurrent use from many processes.
#[async_trait]
pub trait Leases: Send + Sync {
    /// Where leases live, for the UI and logs ("in-process", "data dir …", "DynamoDB table …").
    fn describe(&self) -> String;

    /// Takes the lease on `key` for `ttl`, or says who holds it.
    async fn acquire(&self, key: &str, owner: &LeaseOwner, ttl: Duration) -> Result<Lease, LeaseError>;

    /// Extends a held lease by `ttl` from now (the heartbeat); `Lost` when another owner has it now.
    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<Lease, LeaseError>;

    /// Gives a held lease back, recording the outcome (`fixed`, `failed: …`); a lease already lost is not an error.
    async fn release(&self, lease: &Lease, outcome: &str) -> Result<(), LeaseError>;

    /// The live (unexpired) lease on `key`, if any.
    async fn holder(&self, key: &str) -> Result<Option<Lease>, LeaseError>;

    /// Claims `copy` (its `UpdatedAt`) of `finding` for the process `owner` until `ttl` from now, so that one
    /// `watch` replica fixes it and the others handed the same copy (a repeated event) wait for its outcome instead:
    /// granted when nobody claims this copy, its claim expired (its owner stopped renewing it) or was given up, or
    /// `owner` holds it already (a renewal). Stores no other process reads (in-process, lock files) grant it at once.
    async fn claim(&self, _finding: &str, _copy: &str, _owner: &str, _ttl: Duration) -> Result<Claim, LeaseError> {
        Ok(Claim::Ours)
    }

    /// Ends a claim: `fixed` names the job that fixed and verified the copy, recorded for `keep` so that a process
    /// handed it later skips it; `None` gives the claim up (the fix failed or never started) for another to take.
    async fn end_claim(
        &self,
        _finding: &str,
        _copy: &str,
        _owner: &str,
        _fixed: Option<&str>,
        _keep: Duration,
    ) -> Result<(), LeaseError> {
        Ok(())
    }
}

/// What a claim on a copy of a finding found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Granted: this process fixes the copy.
    Ours,
    /// This copy was fixed and verified already, by this job.
    Fixed(String),
    /// Another process claims this copy until `until` unless it renews the claim.
    Held { by: String, until: DateTime<Utc> },
}

/// A claim as the in-process store keeps it.
#[derive(Debug, Clone)]
struct ClaimItem {
    copy: String,
    owner: String,
    fixed_by: Option<String>,
    given_up: bool,
    until: DateTime<Utc>,
}

impl Lease {
    /// Whether the lease still holds at `now` (not yet expired).
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expires_at > now
    }

    /// A new lease on `key` for `owner`, from `now` for `ttl`.
    pub fn new(key: &str, owner: &LeaseOwner, now: DateTime<Utc>, ttl: Duration) -> Self {
        Self {
            key: key.to_string(),
            owner: owner.clone(),
            taken_at: now,
            expires_at: chrono::Duration::from_std(ttl)
                .ok()
                .and_then(|ttl| now.checked_add_signed(ttl))
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
            took_over: None,
        }
    }
}

/// Leases kept in this process only: for the demo and tests, where nothing real is changed and no other process
/// shares the resources. An expired lease is taken over as in the other stores.
#[derive(Default)]
pub struct MemoryLeases {
    leases: std::sync::Mutex<std::collections::HashMap<String, (Lease, Option<String>)>>,
    /// Finding → its claim (or record of the fixed copy).
    claims: std::sync::Mutex<std::collections::HashMap<String, ClaimItem>>,
}

#[async_trait]
impl Leases for MemoryLeases {
    fn describe(&self) -> String {
        "in-process".into()
    }

    async fn acquire(&self, key: &str, owner: &LeaseOwner, ttl: Duration) -> Result<Lease, LeaseError> {
        let now = Utc::now();
        let mut leases = self.leases.lock().unwrap_or_else(|p| p.into_inner());
        let mut lease = Lease::new(key, owner, now, ttl);
        if let Some((old, outcome)) = leases.get(key) {
            if outcome.is_none() && old.is_live(now) {
                return Err(LeaseError::Held { key: key.to_string(), holder: Box::new(old.clone()) });
            }
            if outcome.is_none() {
                lease.took_over = Some(Box::new(Lease { took_over: None, ..old.clone() }));
            }
        }
        leases.insert(key.to_string(), (lease.clone(), None));
        Ok(lease)
    }

    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<Lease, LeaseError> {
        let mut leases = self.leases.lock().unwrap_or_else(|p| p.into_inner());
        match leases.get_mut(&lease.key) {
            Some((held, None)) if held.owner == lease.owner => {
                held.expires_at = Lease::new(&lease.key, &lease.owner, Utc::now(), ttl).expires_at;
                Ok(Lease { expires_at: held.expires_at, ..lease.clone() })
            }
            _ => Err(LeaseError::Lost(lease.key.clone())),
        }
    }

    async fn release(&self, lease: &Lease, outcome: &str) -> Result<(), LeaseError> {
        let mut leases = self.leases.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((held, done)) = leases.get_mut(&lease.key) {
            if held.owner == lease.owner && done.is_none() {
                held.expires_at = Utc::now();
                *done = Some(outcome.to_string());
            }
        }
        Ok(())
    }

    async fn holder(&self, key: &str) -> Result<Option<Lease>, LeaseError> {
        let leases = self.leases.lock().unwrap_or_else(|p| p.into_inner());
        let now = Utc::now();
        Ok(leases.get(key).filter(|(l, outcome)| outcome.is_none() && l.is_live(now)).map(|(l, _)| l.clone()))
    }

    async fn claim(&self, finding: &str, copy: &str, owner: &str, ttl: Duration) -> Result<Claim, LeaseError> {
        let now = Utc::now();
        let mut claims = self.claims.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(item) = claims.get(finding).filter(|item| item.copy == copy) {
            if let Some(job) = &item.fixed_by {
                return Ok(Claim::Fixed(job.clone()));
            }
            if item.owner != owner && !item.given_up && item.until >= now {
                return Ok(Claim::Held { by: item.owner.clone(), until: item.until });
            }
        }
        let until = Lease::new(finding, &no_owner(), now, ttl).expires_at;
        let item = ClaimItem { copy: copy.into(), owner: owner.into(), fixed_by: None, given_up: false, until };
        claims.insert(finding.to_string(), item);
        Ok(Claim::Ours)
    }

    async fn end_claim(
        &self,
        finding: &str,
        copy: &str,
        owner: &str,
        fixed: Option<&str>,
        keep: Duration,
    ) -> Result<(), LeaseError> {
        let mut claims = self.claims.lock().unwrap_or_else(|p| p.into_inner());
        match fixed {
            Some(job) => {
                let until = Lease::new(finding, &no_owner(), Utc::now(), keep).expires_at;
                let fixed_by = Some(job.to_string());
                let item = ClaimItem { copy: copy.into(), owner: owner.into(), fixed_by, given_up: false, until };
                claims.insert(finding.to_string(), item);
            }
            None => {
                if let Some(item) = claims.get_mut(finding) {
                    if item.copy == copy && item.owner == owner && item.fixed_by.is_none() {
                        item.given_up = true;
                    }
                }
            }
        }
        Ok(())
    }
}

fn no_owner() -> LeaseOwner {
    LeaseOwner { operator: String::new(), process: String::new(), job: String::new() }
}

/// The lease store a session coordinates through, and how long a lease lasts without being renewed.
#[derive(Clone)]
pub struct Coordination {
    pub leases: std::sync::Arc<dyn Leases>,
    pub ttl: Duration,
}

impl Coordination {
    /// Leases in this process only (the demo, tests), with the default lease time.
    pub fn in_process() -> Self {
        Self { leases: std::sync::Arc::new(MemoryLeases::default()), ttl: DEFAULT_LEASE }
    }
}

/// How long a lease lasts without renewal unless `[coordination] lease_seconds` says otherwise.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);
