//! The fixes `watch` starts and what their outcome means for the messages waiting on them. A fix refused because
//! another owner holds the resource's lease (another replica, an operator) is tried again shortly — the other change
//! is usually the same fix, and the retry then finds the resource fixed — instead of failing its messages.

use super::log::Decision;
use super::pending::RunningFix;
use super::{finding_line_of, Watch};
use crate::engine::jobs::{ApplyRequest, JobId, JobState, JobUpdate};
use crate::engine::remediate::is_busy_refusal;
use crate::engine::Row;
use std::time::Duration;

/// How long the record that a copy of a finding was fixed is kept for other replicas.
const FIXED_RECORD: Duration = Duration::from_secs(24 * 3600);

/// Tries of a fix refused for someone else's lease before its messages count it as failed (about half a minute:
/// the other change usually ends within seconds, and a dead owner's lease expires after `lease_seconds`).
const BUSY_TRIES: u32 = 40;

/// Wait before a fix refused for someone else's lease is tried again: it grows by this much per try, up to
/// [`MAX_BUSY_WAIT`] (a change usually takes a second or two: a short poll keeps the message's latency low).
const BUSY_WAIT_STEP: Duration = Duration::from_millis(200);
const MAX_BUSY_WAIT: Duration = Duration::from_secs(1);

impl Watch {
    /// Submits the fix of `row`'s finding; its updates come back through the stage.
    pub(super) fn start_fix(&mut self, row: &Row, message: Option<&String>) -> JobId {
        let messages = message.into_iter().cloned().collect();
        self.submit(RunningFix { finding: row.finding.clone(), audit_job: None, messages, tries: 1, recorded: false })
    }

    /// Submits a fix (a first try or another); its updates come back through the stage.
    fn submit(&mut self, fix: RunningFix) -> JobId {
        let control_id = fix.finding.control_id.as_deref().unwrap_or_default().to_string();
        let request = ApplyRequest { findings: vec![fix.finding.clone()], control_id, approved: None, origin: None };
        let job = self.remediator.submit(request, self.input.clone());
        self.fixing.insert(fix.finding.key(), job);
        self.jobs.insert(job, fix);
        job
    }

    /// Starts the fix of an event's finding once the lease store says no other process (a `watch` replica sharing
    /// the table) fixed and verified this copy already; the answer comes back through `checks` without holding up
    /// other messages. Returns the id the message waits on meanwhile (events for the finding join it).
    pub(super) fn check_then_fix(&mut self, row: &Row, message: &str) -> JobId {
        let placeholder = self.remediator.next_job_id();
        let fix = RunningFix {
            finding: row.finding.clone(),
            audit_job: None,
            messages: vec![message.into()],
            tries: 0,
            recorded: false,
        };
        self.fixing.insert(fix.finding.key(), placeholder);
        self.jobs.insert(placeholder, fix);
        self.ask_who_fixed(placeholder, &row.finding, Duration::ZERO);
        placeholder
    }

    /// Records for other replicas that this copy of `finding` was fixed and verified by `job`.
    fn record_fixed(&self, finding: &crate::model::Finding, job: &str) {
        let (finding, copy) = fixed_record(finding);
        let (leases, job, log) = (self.remediator.leases().clone(), job.to_string(), self.log.clone());
        tokio::spawn(async move {
            if let Err(e) = leases.mark_fixed(&finding, &copy, &job, FIXED_RECORD).await {
                log.write(&Decision::new("problem").reason(format!("recording the fix for other replicas: {e}")));
            }
        });
    }

    /// After `wait`, asks the lease store whether another process fixed and verified this copy of `finding`; the
    /// answer comes back through `checks` for the fix waiting under `id`.
    fn ask_who_fixed(&self, id: JobId, finding: &crate::model::Finding, wait: Duration) {
        let (finding, copy) = fixed_record(finding);
        let (leases, checks, log) = (self.remediator.leases().clone(), self.checks.clone(), self.log.clone());
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            let fixed_by = match leases.fixed_by(&finding, &copy).await {
                Ok(job) => job,
                Err(e) => {
                    // Unknown: the fix runs, and takes its lease as always.
                    log.write(&Decision::new("problem").reason(format!("who fixed this copy is unknown: {e}")));
                    None
                }
            };
            let _ = checks.send((id, fixed_by));
        });
    }

    /// The answer for a fix waiting on it: skipped when another process fixed this copy, else started.
    pub(super) fn checked(&mut self, placeholder: JobId, fixed_by: Option<String>) {
        let Some(job) = fixed_by else { return self.try_again(placeholder) };
        let Some(fix) = self.jobs.remove(&placeholder) else { return };
        let key = fix.finding.key();
        if self.fixing.get(&key) == Some(&placeholder) {
            self.fixing.remove(&key);
        }
        self.fixed.insert(key, fix.finding.updated_at);
        let why = format!("this copy of the finding was already fixed and verified by job {job}");
        for id in &fix.messages {
            self.log.write(
                &Decision { reason: Some(why.clone()), ..finding_line_of("skipped", &fix.finding, None) }.message(id),
            );
            if let Some(pending) = self.pending.get_mut(id) {
                pending.waiting.remove(&placeholder);
            }
        }
    }

    /// Tries a fix again once the wait after a refusal for someone else's lease is over: the messages waiting on
    /// the old job now wait on the new one.
    pub(super) fn try_again(&mut self, old: JobId) {
        let Some(fix) = self.jobs.remove(&old) else { return };
        if self.stopping {
            let reason = match fix.tries {
                0 => "not started: watch is stopping; nothing was changed".to_string(),
                _ => "refused: another owner held the resource's lease, and watch is stopping".to_string(),
            };
            self.conclude(old, fix, false, reason);
            return;
        }
        let messages = fix.messages.clone();
        let job = self.submit(RunningFix { tries: fix.tries + 1, audit_job: None, ..fix });
        for id in messages {
            if let Some(pending) = self.pending.get_mut(&id) {
                pending.waiting.remove(&old);
                pending.waiting.insert(job);
            }
        }
    }

    /// A job's progress: logged; at its end the messages waiting for it learn the outcome.
    pub(super) fn on_job(&mut self, update: &JobUpdate) {
        let Some(fix) = self.jobs.get_mut(&update.id) else { return };
        fix.audit_job = Some(update.audit_job.clone());
        let (finding, tries) = (fix.finding.clone(), fix.tries);
        let line = |event: &'static str| Decision {
            job: Some(update.audit_job.clone()),
            ..finding_line_of(event, &finding, None)
        };
        let ended = match &update.state {
            JobState::Applying => {
                self.log.write(&line("applying"));
                false
            }
            JobState::Verifying { attempt: 1, .. } => {
                self.log.write(&line("applied"));
                false
            }
            JobState::Verified => {
                self.log.write(&line("verified"));
                // Recorded now, while the job still holds the lease (it goes on to resolve the finding): a replica
                // waiting on that lease finds the record when it gets its turn.
                self.record_fixed(&finding, &update.audit_job);
                if let Some(fix) = self.jobs.get_mut(&update.id) {
                    fix.recorded = true;
                }
                false
            }
            state if state.is_final() => true,
            _ => false,
        };
        if !ended {
            return;
        }
        let state = &update.state;
        let busy = matches!(state, JobState::Refused(why) if is_busy_refusal(why));
        if busy && tries < BUSY_TRIES && !self.stopping {
            // Kept under its old id (events for the finding join it) until it is tried again.
            let wait = (BUSY_WAIT_STEP * tries).min(MAX_BUSY_WAIT);
            self.log.write(&Decision {
                reason: Some(format!("{}; tried again in {} ms", state.detail().unwrap_or_default(), wait.as_millis())),
                ..line("busy")
            });
            // When the other change was this very fix (a replica handling a repeated event), its record says so
            // and the finding is skipped instead of re-read.
            self.ask_who_fixed(update.id, &finding, wait);
            return;
        }
        let Some(fix) = self.jobs.remove(&update.id) else { return };
        let reason = format!("{}{}", state.word(), state.detail().map(|d| format!(": {d}")).unwrap_or_default());
        self.conclude(
            update.id,
            RunningFix { audit_job: Some(update.audit_job.clone()), ..fix },
            state.is_success(),
            reason,
        );
    }

    /// A fix has ended: logged, counted, and its messages told.
    fn conclude(&mut self, job: JobId, fix: RunningFix, success: bool, reason: String) {
        let key = fix.finding.key();
        if self.fixing.get(&key) == Some(&job) {
            self.fixing.remove(&key);
        }
        let outcome = Decision {
            job: fix.audit_job.clone(),
            reason: Some(reason.clone()),
            ..finding_line_of(if success { "done" } else { "failed" }, &fix.finding, None)
        };
        self.log.write(&outcome);
        if success {
            self.summary.fixed += 1;
            self.fixed.insert(key, fix.finding.updated_at);
            if !fix.recorded {
                self.record_fixed(&fix.finding, fix.audit_job.as_deref().unwrap_or_default());
            }
        } else {
            self.summary.failed += 1;
        }
        for id in &fix.messages {
            if let Some(pending) = self.pending.get_mut(id) {
                pending.waiting.remove(&job);
                if !success {
                    pending.failures.push(reason.clone());
                }
            }
        }
    }
}

/// A finding's identity and the copy (its `UpdatedAt`) as the record of a fix names them.
fn fixed_record(finding: &crate::model::Finding) -> (String, String) {
    let key = finding.key();
    let copy = finding.updated_at.map_or_else(|| "none".to_string(), |t| t.to_rfc3339());
    (format!("{}|{}", key.product_arn, key.id), copy)
}
