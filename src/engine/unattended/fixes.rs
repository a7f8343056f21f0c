//! The fixes `watch` starts and what their outcome means for the messages waiting on them. A fix refused because
//! another owner holds the resource's lease (another replica, an operator) is tried again shortly — the other change
//! is usually the same fix, and the retry then finds the resource fixed — instead of failing its messages. Every fix
//! first claims its copy of the finding (see `claims`), so a copy is fixed by one replica.

use super::log::Decision;
use super::pending::RunningFix;
use super::{finding_line_of, Watch};
use crate::engine::jobs::{ApplyRequest, JobId, JobState, JobUpdate};
use crate::engine::remediate::is_busy_refusal;
use crate::engine::Row;
use std::time::Duration;

/// Tries of a fix refused for someone else's lease before its messages count it as failed (about half a minute:
/// the other change usually ends within seconds, and a dead owner's lease expires after `lease_seconds`).
const BUSY_TRIES: u32 = 40;

/// Wait before a fix refused for someone else's lease is tried again: it grows by this much per try, up to
/// [`MAX_BUSY_WAIT`] (a change usually takes a second or two: a short poll keeps the message's latency low).
const BUSY_WAIT_STEP: Duration = Duration::from_millis(200);
const MAX_BUSY_WAIT: Duration = Duration::from_secs(1);

impl Watch {
    /// Submits a fix (a first try or another); its updates come back through the stage.
    fn submit(&mut self, fix: RunningFix) -> JobId {
        let control_id = fix.finding.control_id.as_deref().unwrap_or_default().to_string();
        let request = ApplyRequest { findings: vec![fix.finding.clone()], control_id, approved: None, origin: None };
        let job = self.remediator.submit(request, self.input.clone());
        self.fixing.insert(fix.finding.key(), job);
        self.jobs.insert(job, fix);
        job
    }

    /// Starts the fix of a finding (for an event's message, or found by the sync) once its copy is claimed for this
    /// process among every process sharing the lease store (`watch` replicas): the answer comes back through
    /// `checks` without holding up other messages. Returns the id the message waits on meanwhile (events for the
    /// finding join it).
    pub(super) fn claim_then_fix(&mut self, row: &Row, message: Option<&str>) -> JobId {
        let placeholder = self.remediator.next_job_id();
        let fix = RunningFix {
            finding: row.finding.clone(),
            audit_job: None,
            messages: message.into_iter().map(String::from).collect(),
            tries: 0,
            recorded: false,
            claimed_at: None,
            waits: 0,
            resting: false,
        };
        self.fixing.insert(fix.finding.key(), placeholder);
        self.jobs.insert(placeholder, fix);
        self.ask_claim(placeholder, &row.finding, Duration::ZERO);
        placeholder
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
        let job = self.submit(RunningFix { tries: fix.tries + 1, audit_job: None, resting: false, ..fix });
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
            JobState::Checking => {
                // It holds a job slot and its resource from now on.
                self.log.write(&line("checking"));
                false
            }
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
                // waiting on this copy's claim deletes its message at once.
                self.end_claim(&finding, Some(&update.audit_job));
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
            if let Some(fix) = self.jobs.get_mut(&update.id) {
                fix.resting = true;
            }
            // Kept under its old id (events for the finding join it) until it is tried again.
            let wait = (BUSY_WAIT_STEP * tries).min(MAX_BUSY_WAIT);
            self.log.write(&Decision {
                reason: Some(format!("{}; tried again in {} ms", state.detail().unwrap_or_default(), wait.as_millis())),
                ..line("busy")
            });
            // Asked through the claim, which renews it: a claim that expired meanwhile and was taken by another
            // replica makes this fix wait for that replica's outcome instead.
            self.ask_claim(update.id, &finding, wait);
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
                self.end_claim(&fix.finding, Some(fix.audit_job.as_deref().unwrap_or_default()));
            }
        } else {
            self.summary.failed += 1;
            // Another replica waiting on this copy takes it over at once; the message here comes back to the queue.
            self.end_claim(&fix.finding, None);
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
