//! Claims on copies of findings, shared by every `watch` replica through the lease store: before a fix is queued,
//! its copy of the finding (identity and `UpdatedAt`) is claimed with one conditional write. A replica handed a copy
//! another replica claims starts nothing (no job, no job slot): it waits for that claim's outcome — fixed and
//! verified: its message is deleted; given up or expired (the claim holder failed, stopped or died): it claims the
//! copy itself and fixes it under the resource's lease as always. Claims are renewed while their fix runs and
//! expire like leases; the lease, not the claim, keeps a resource from being changed twice.

use super::log::Decision;
use super::{finding_line_of, Watch};
use crate::cloud::coordination::Claim;
use crate::engine::jobs::JobId;
use crate::model::Finding;
use std::time::Duration;

/// How long the record that a copy of a finding was fixed is kept for other replicas.
const FIXED_RECORD: Duration = Duration::from_secs(24 * 3600);

/// Wait before asking again about a copy another replica claims: this long for the first [`ASKS_PER_STEP`] asks
/// (most fixes end within a second or two of their claim: the message is deleted, and the replica drained, soon
/// after), then longer by as much per as many asks, up to [`MAX_CLAIM_WAIT`] (each ask is one call to the lease
/// store).
const CLAIM_WAIT_STEP: Duration = Duration::from_millis(250);
const ASKS_PER_STEP: u32 = 8;
const MAX_CLAIM_WAIT: Duration = Duration::from_secs(1);

/// Fixes waiting for a job slot, per slot, beyond which no more messages are received (they stay in the queue for
/// any replica with room: a replica does not hoard work another could start at once).
const BACKLOG_PER_SLOT: usize = 2;

/// How much a message weighs in the share of messages that start a fix (the rest: the share before it).
const FIX_SHARE_WEIGHT: f64 = 0.1;

/// The smallest share of messages counted on to start a fix: at most five times as many messages as fixes the
/// backlog has room for are received.
const MIN_FIX_SHARE: f64 = 0.2;

/// What the lease store answered about a claim, for the fix waiting under a job id.
pub(super) type ClaimAnswer = (JobId, Result<Claim, String>);

impl Watch {
    /// After `wait`, claims this copy of `finding` (or renews our claim); the answer comes back through `checks`
    /// for the fix waiting under `id`.
    pub(super) fn ask_claim(&self, id: JobId, finding: &Finding, wait: Duration) {
        let (finding, copy) = claim_of(finding);
        let (leases, checks, owner) = (self.remediator.leases().clone(), self.checks.clone(), self.owner.clone());
        let ttl = self.remediator.lease_ttl();
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            let answer = leases.claim(&finding, &copy, &owner, ttl).await.map_err(|e| e.to_string());
            let _ = checks.send((id, answer));
        });
    }

    /// The answer for a fix waiting on its claim: started (or tried again) when the copy is ours, skipped when
    /// another process fixed it, kept waiting while another process claims it.
    pub(super) fn claimed(&mut self, id: JobId, answer: Result<Claim, String>) {
        let claim = answer.unwrap_or_else(|e| {
            // Unknown: the fix runs, and takes its lease as always.
            let why =
                format!("whether another replica claims this copy is unknown ({e}); the fix runs under its lease");
            self.log.write(&Decision::new("problem").reason(why));
            Claim::Ours
        });
        match claim {
            Claim::Ours => {
                if let Some(fix) = self.jobs.get_mut(&id) {
                    fix.claimed_at = Some(tokio::time::Instant::now());
                }
                self.try_again(id);
            }
            Claim::Fixed(job) => self.fixed_elsewhere(id, &job),
            Claim::Held { by, until } => {
                let Some(fix) = self.jobs.get_mut(&id) else { return };
                fix.waits += 1;
                fix.resting = true;
                let (waits, finding) = (fix.waits, fix.finding.clone());
                if self.stopping {
                    return self.try_again(id);
                }
                if waits == 1 {
                    let until = until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                    let why = format!(
                        "{by} fixes this copy of the finding (its claim holds until {until} unless renewed): its outcome \
                         is awaited, nothing runs here"
                    );
                    for message in &fix.messages {
                        let line = finding_line_of("claimed-elsewhere", &finding, None).message(message);
                        self.log.write(&Decision { reason: Some(why.clone()), ..line });
                    }
                }
                self.ask_claim(id, &finding, claim_wait(waits));
            }
        }
    }

    /// Another process fixed and verified this copy: the fix waiting under `id` is dropped, its messages done.
    fn fixed_elsewhere(&mut self, id: JobId, job: &str) {
        let Some(fix) = self.jobs.remove(&id) else { return };
        let key = fix.finding.key();
        if self.fixing.get(&key) == Some(&id) {
            self.fixing.remove(&key);
        }
        self.fixed.insert(key, fix.finding.updated_at);
        let why = format!("this copy of the finding was already fixed and verified by job {job}");
        for message in &fix.messages {
            self.log.write(
                &Decision { reason: Some(why.clone()), ..finding_line_of("skipped", &fix.finding, None) }
                    .message(message),
            );
            if let Some(pending) = self.pending.get_mut(message) {
                pending.waiting.remove(&id);
            }
        }
    }

    /// Ends our claim on this copy of `finding`: recorded as fixed by `job` for other replicas, or given up.
    pub(super) fn end_claim(&self, finding: &Finding, fixed_by: Option<&str>) {
        let (finding, copy) = claim_of(finding);
        let (leases, owner, log) = (self.remediator.leases().clone(), self.owner.clone(), self.log.clone());
        let fixed_by = fixed_by.map(str::to_string);
        tokio::spawn(async move {
            if let Err(e) = leases.end_claim(&finding, &copy, &owner, fixed_by.as_deref(), FIXED_RECORD).await {
                log.write(&Decision::new("problem").reason(format!("ending the claim for other replicas: {e}")));
            }
        });
    }

    /// How many more messages to receive now: up to `max_in_flight` handled at once, and no more than would bring,
    /// going by the share of recent messages that started a fix, the fixes that keep twice the slots busy — counting
    /// the fixes waiting here for a job slot (not those awaiting another replica's outcome or someone else's lease,
    /// nor those waiting behind another fix of their resource here: they need no slot before it ends).
    pub(super) fn room(&self) -> usize {
        let slots = self.remediator.settings().remediation.max_parallel_jobs.max(1);
        let waiting = self.remediator.running_jobs() + self.remediator.jobs_behind_their_resource();
        let queued = self.jobs.values().filter(|f| !f.resting).count().saturating_sub(waiting);
        let backlog = (BACKLOG_PER_SLOT * slots).saturating_sub(queued);
        // Messages that start no fix (a duplicate, a finding fixed or being fixed) need no slot: as many messages are
        // received as, going by the recent ones, bring the fixes there is room for.
        let messages = (backlog as f64 / self.fix_share.max(MIN_FIX_SHARE)).ceil() as usize;
        self.settings.max_in_flight.saturating_sub(self.pending.len()).min(messages)
    }

    /// Counts a handled message in the share of messages that start a fix.
    pub(super) fn count_fix_share(&mut self, started_a_fix: bool) {
        let this = if started_a_fix { 1.0 } else { 0.0 };
        self.fix_share = self.fix_share * (1.0 - FIX_SHARE_WEIGHT) + this * FIX_SHARE_WEIGHT;
    }

    /// Renews the claims of the fixes running here before they expire (a third of the lease time after the last).
    pub(super) fn renew_claims(&mut self) {
        let due = self.remediator.lease_ttl() / 3;
        let (leases, owner, ttl) = (self.remediator.leases().clone(), self.owner.clone(), self.remediator.lease_ttl());
        for fix in self.jobs.values_mut().filter(|f| !f.recorded) {
            if fix.claimed_at.is_none_or(|at| at.elapsed() < due) {
                continue;
            }
            fix.claimed_at = Some(tokio::time::Instant::now());
            let (finding, copy) = claim_of(&fix.finding);
            let (leases, owner, log) = (leases.clone(), owner.clone(), self.log.clone());
            tokio::spawn(async move {
                match leases.claim(&finding, &copy, &owner, ttl).await {
                    Ok(Claim::Ours) => {}
                    Ok(_) => log.write(&Decision::new("problem").reason(format!(
                        "the claim on finding {finding} was taken by another replica after it expired; the fix \
                         running here goes on under its resource's lease"
                    ))),
                    Err(e) => log.write(&Decision::new("problem").reason(format!("renewing a claim: {e}"))),
                }
            });
        }
    }
}

/// How long to wait before asking again about a copy found claimed by another process `waits` times.
fn claim_wait(waits: u32) -> Duration {
    (CLAIM_WAIT_STEP * (1 + waits.saturating_sub(1) / ASKS_PER_STEP)).min(MAX_CLAIM_WAIT)
}

/// A finding's identity and the copy (its `UpdatedAt`) as a claim names them.
fn claim_of(finding: &Finding) -> (String, String) {
    let key = finding.key();
    let copy = finding.updated_at.map_or_else(|| "none".to_string(), |t| t.to_rfc3339());
    (format!("{}|{}", key.product_arn, key.id), copy)
}

#[cfg(test)]
#[path = "claims_tests.rs"]
mod tests;
