//! Exceptions managed by hand: add, renew and remove the exception tags on a resource. One job per resource at a
//! time; the tags are read first, the intent is audited, exactly our three tags are written (or the ones present
//! removed) — never any other tag —, the tags are re-read until they show the change, and the outcome is audited and
//! notified.

use super::exception_read::{describe, Expect, Tags};
use super::{Job, JobGuard, Remediator};
use crate::cloud::Notification;
use crate::engine::audit::{AuditEvent, AuditRecord, AuditResult};
use crate::engine::exceptions::{can_carry_tags, canonical_id, short_id, validate, ExceptionOp, ValidException};
use crate::engine::jobs::{JobId, JobKind, JobState};
use crate::engine::Msg;
use crate::model::sanitize::single_line;
use crate::model::ResourceRef;
use crate::playbook::Change;
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// The change a job makes, decided from the tags read before it.
struct TagPlan {
    change: Change,
    /// What the tags must show afterwards.
    expect: Expect,
    /// The notification event on success: `exception-added`, `exception-renewed`, `exception-removed`.
    event: &'static str,
    /// The intent, in words, with the tags before.
    intent: String,
    /// The outcome, in words.
    done: String,
}

impl Remediator {
    /// Starts an exception change; progress arrives as `Msg::Job`, records as `Msg::Audit`.
    pub fn exception(self: &Arc<Self>, op: ExceptionOp, tx: UnboundedSender<Msg>) -> JobId {
        let id = self.next_job_id();
        let this = self.clone();
        tokio::spawn(async move { this.run_exception(id, op, Some(tx)).await });
        id
    }

    /// Runs one exception change to its end and returns its final state: `Verified` when the tags read back as
    /// asked, `NoOp` when there was nothing to remove, `Refused` (nothing changed) or `Failed`.
    pub async fn run_exception(&self, id: JobId, op: ExceptionOp, tx: Option<UnboundedSender<Msg>>) -> JobState {
        let given = op.resource();
        let kind = if given.kind.trim().is_empty() {
            crate::engine::exceptions::resource_type_of(&given.id).unwrap_or_default().to_string()
        } else {
            given.kind.to_string()
        };
        let resource_id = canonical_id(&kind, &given.id, op.account_id(), op.region());
        let job = Job {
            id,
            audit_job: self.audit_job(id),
            kind: if matches!(op, ExceptionOp::Add(_)) { JobKind::ExceptionAdd } else { JobKind::ExceptionRemove },
            findings: Vec::new(),
            control_id: String::new(),
            playbook: String::new(),
            account_id: op.account_id().to_string(),
            region: op.region().to_string(),
            resource: ResourceRef {
                id: resource_id,
                kind: kind.into(),
                region: Some(op.region().into()),
                tags: Default::default(),
                details: None,
            },
            fingerprint: String::new(),
            started_at: Utc::now(),
            tx,
        };
        job.update(&JobState::Queued);
        let state = self.exception_job(&job, &op).await;
        job.update(&state);
        state
    }

    async fn exception_job(&self, job: &Job, op: &ExceptionOp) -> JobState {
        let held = match self.begin(job).await {
            Ok(held) => held,
            Err(why) => return self.refuse_exception(job, why).await,
        };
        let state = self.exception_leased(job, &held, op).await;
        self.end(held, &state).await;
        state
    }

    /// The exception change under its resource's lease.
    async fn exception_leased(&self, job: &Job, held: &JobGuard<'_>, op: &ExceptionOp) -> JobState {
        if job.resource.kind.trim().is_empty() {
            let why = format!(
                "resource: the type of {} cannot be told from its id; give its type (AwsS3Bucket, \
                 AwsEc2SecurityGroup, AwsEc2Instance, …)",
                single_line(&job.resource.id)
            );
            return self.refuse_exception(job, why).await;
        }
        let valid = match op {
            ExceptionOp::Add(input) => {
                let input =
                    crate::engine::exceptions::ExceptionInput { resource: job.resource.clone(), ..input.clone() };
                match validate(&input, &self.settings.exceptions, &self.operator, Utc::now()) {
                    Ok(valid) => Some(valid),
                    Err(why) => return self.refuse_exception(job, why).await,
                }
            }
            ExceptionOp::Remove { .. } if !can_carry_tags(&job.resource.kind) => {
                let why = format!("resource: {} resources cannot carry tags", single_line(&job.resource.kind));
                return self.refuse_exception(job, why).await;
            }
            ExceptionOp::Remove { .. } => None,
        };
        let (before, before_state) = match self.read_tags(job).await {
            Ok(read) => read,
            Err(e) => {
                return self
                    .refuse_exception(job, format!("reading {} failed, nothing was changed: {e}", job.resource.id))
                    .await
            }
        };
        let plan = match &valid {
            Some(valid) => self.add_plan(job, valid, &before),
            None => match self.remove_plan(job, &before) {
                Some(plan) => plan,
                None => {
                    let message = format!("{} carries no exception tags; nothing to remove", job.resource.id);
                    self.write_logged(
                        self.exception_record(job, AuditEvent::NoOp, AuditResult::Verified, message.clone()),
                        job,
                    )
                    .await;
                    return JobState::NoOp(message);
                }
            },
        };
        if let Err(why) = held.lease.check() {
            return self.refuse_exception(job, why).await;
        }
        let message = super::coordinate::noted(plan.intent.clone(), held.takeover.as_ref());
        let mut intent = self.exception_record(job, AuditEvent::ExceptionIntent, AuditResult::Pending, message);
        intent.before = before_state;
        intent.changes = vec![plan.change.clone()];
        if let Err(e) = self.write(intent, job.tx.as_ref()).await {
            return JobState::Failed(format!("the audit log cannot be written, so nothing was changed: {e}"));
        }
        job.update(&JobState::Applying);
        if let Err(e) = self.resources.apply(&job.account_id, &job.region, &plan.change).await {
            let failure = format!("{} on {} failed: {e}", plan.change.operation(), job.resource.id);
            return self.exception_failed(job, failure).await;
        }
        match self.verify_tags(job, &plan.expect).await {
            Ok(after) => {
                let mut record =
                    self.exception_record(job, AuditEvent::ExceptionOutcome, AuditResult::Ok, plan.done.clone());
                record.after = after;
                self.write_logged(record, job).await;
                self.notify_exception(job, plan.event, &plan.done).await;
                JobState::Verified
            }
            Err(why) => self.exception_failed(job, format!("{} was sent but {why}", plan.change.operation())).await,
        }
    }

    /// Writes (or overwrites) our three tags; every other tag stays.
    fn add_plan(&self, job: &Job, valid: &ValidException, before: &Tags) -> TagPlan {
        let names = &self.settings.exceptions.tags;
        let mut tags: Tags = [
            (names.reason_tag.clone(), valid.reason.clone()),
            (names.expiry_tag.clone(), valid.expires_tag.clone()),
            (names.owner_tag.clone(), valid.owner.clone()),
        ]
        .into();
        // Limited to some controls, or (renewing one that was limited) to every control again: `*`.
        match &valid.controls {
            Some(list) => _ = tags.insert(names.controls_tag.clone(), list.join(",")),
            None if before.contains_key(&names.controls_tag) => _ = tags.insert(names.controls_tag.clone(), "*".into()),
            None => {}
        }
        let days = (valid.expires - Utc::now()).num_days();
        let only = valid.controls.as_ref().map(|c| format!(", for {}", c.join(", "))).unwrap_or_default();
        let what =
            format!("\"{}\" until {} ({days} days), owner {}{only}", valid.reason, valid.expires_tag, valid.owner);
        let (event, verb, was) = match before.get(&names.reason_tag) {
            Some(old) => {
                let until = before.get(&names.expiry_tag).map(String::as_str).unwrap_or("no expiry");
                (
                    "exception-renewed",
                    "renewed",
                    format!(" (was \"{}\" until {})", single_line(old), single_line(until)),
                )
            }
            None => ("exception-added", "added", String::new()),
        };
        TagPlan {
            change: Change::TagResource {
                resource_type: job.resource.kind.to_string(),
                resource_id: job.resource.id.clone(),
                tags: tags.clone(),
            },
            expect: Expect::Present(tags),
            event,
            intent: format!(
                "{} exception on {}: {what}; tags before: {}",
                if verb == "added" { "add" } else { "renew" },
                job.resource.id,
                describe(before)
            ),
            done: format!("exception {verb} on {}: {what}{was}", job.resource.id),
        }
    }

    /// Removes those of our three tags the resource carries; `None` when it carries none.
    fn remove_plan(&self, job: &Job, before: &Tags) -> Option<TagPlan> {
        let names = &self.settings.exceptions.tags;
        let keys: Vec<String> = names.all().into_iter().filter(|k| before.contains_key(*k)).map(String::from).collect();
        if keys.is_empty() {
            return None;
        }
        let reason = before.get(&names.reason_tag).map(|r| single_line(r)).unwrap_or_default();
        let until = before.get(&names.expiry_tag).map(|e| single_line(e)).unwrap_or_else(|| "no expiry".into());
        Some(TagPlan {
            change: Change::UntagResource {
                resource_type: job.resource.kind.to_string(),
                resource_id: job.resource.id.clone(),
                keys: keys.clone(),
            },
            event: "exception-removed",
            intent: format!(
                "remove exception tags {} from {}; tags before: {}",
                keys.join(", "),
                job.resource.id,
                describe(before)
            ),
            done: format!(
                "exception removed from {}: {} (was \"{reason}\" until {until})",
                job.resource.id,
                keys.join(", ")
            ),
            expect: Expect::Absent(keys),
        })
    }

    async fn exception_failed(&self, job: &Job, failure: String) -> JobState {
        self.write_logged(
            self.exception_record(job, AuditEvent::ExceptionOutcome, AuditResult::Failed, failure.clone()),
            job,
        )
        .await;
        self.notify_exception(job, "exception-failed", &failure).await;
        JobState::Failed(failure)
    }

    async fn refuse_exception(&self, job: &Job, reason: String) -> JobState {
        self.write_logged(self.exception_record(job, AuditEvent::Refused, AuditResult::Refused, reason.clone()), job)
            .await;
        JobState::Refused(reason)
    }

    /// A record about an exception job: no control, playbook or findings.
    fn exception_record(&self, job: &Job, event: AuditEvent, result: AuditResult, message: String) -> AuditRecord {
        let mut record = job.record(&self.operator, event, result, message);
        record.control_id = None;
        record.playbook = None;
        record
    }

    /// Publishes an exception event to the topic of the account's class; a failure is logged and audited.
    async fn notify_exception(&self, job: &Job, event: &str, message: &str) {
        use crate::cloud::updates::bounded_subject;
        let class = self.triage.policy.class_of(&job.account_id).to_string();
        let (Some(topic), Some(notifier)) = (self.settings.notify.topic_for(&class).map(String::from), &self.notifier)
        else {
            return;
        };
        let short = short_id(&job.resource.id);
        let notification = Notification {
            subject: bounded_subject(&format!("hubtriage {event}: {short} in {}/{}", job.account_id, job.region)),
            body: serde_json::json!({
                "event": event,
                "job": job.audit_job,
                "kind": job.kind.word(),
                "operator": self.operator,
                "time": Utc::now().to_rfc3339(),
                "account_id": job.account_id,
                "account_class": class,
                "region": job.region,
                "resource_type": &*job.resource.kind,
                "resource": job.resource.id,
                "message": message,
            }),
            attributes: [("event", event), ("account_class", class.as_str())]
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        if let Err(e) = notifier.publish(&topic, &notification).await {
            tracing::warn!(topic, "notification failed: {e}");
            let message = format!("publishing {event} to {topic}: {e}");
            self.write_logged(self.exception_record(job, AuditEvent::Notification, AuditResult::Failed, message), job)
                .await;
            job.notification_failed(event, &topic, &e);
        }
    }
}
