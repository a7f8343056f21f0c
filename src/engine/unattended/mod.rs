//! `watch`: the engine without a TUI, fed by finding events from a queue (EventBridge → SQS) and by the delta sync
//! as the safety net for missed events. It drives the Store stage itself, so it knows the current copy of every
//! finding an event names (a late or repeated event changes nothing), decides by policy, applies `auto-fix` verdicts
//! when auto-fix is on (and on a console custom action), and deletes a message only once the outcome of everything
//! it asked for is in the audit log. A message that cannot be read, or whose fix failed, is left to the queue: it
//! comes back after its visibility timeout and, after the queue's `maxReceiveCount`, goes to its dead-letter queue.

pub mod approved;
mod claims;
mod decide;
mod fixes;
pub mod log;
pub mod message;
mod pending;
pub mod push;
mod queue_ops;
mod receiver;
mod settings;
pub use settings::{WatchSettings, WatchSummary};

use crate::cloud::events::{EventQueue, QueueMessage};
use crate::cloud::SourceId;
use crate::engine::ingest::assess_page;
use crate::engine::jobs::JobId;
use crate::engine::remediate::Remediator;
use crate::engine::stage::{pruned, Pruning, Stage, Subscribers, Sweeper};
use crate::engine::{Msg, Row, SourceStatus};
use crate::model::{Finding, FindingKey};
use crate::store::Store;
use crate::triage::Triage;
use chrono::{DateTime, Utc};
use decide::{decide, Action, Context};
use log::{Decision, DecisionLog};
use message::{read_event, EventKind};
use pending::{Pending, RunningFix};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// How soon a message whose fix started gets its visibility extended (the queue's own timeout may be short).
const EXTEND_TICK: Duration = Duration::from_secs(5);

/// The running engine.
pub struct Watch {
    stage: Stage,
    remediator: Arc<Remediator>,
    triage: Arc<Triage>,
    queue: Arc<dyn EventQueue>,
    store: Option<Arc<Store>>,
    settings: WatchSettings,
    log: DecisionLog,
    /// Every finding's current row, as the stage decided it.
    current: HashMap<FindingKey, Row>,
    /// Jobs this watch started that have not ended.
    jobs: HashMap<JobId, RunningFix>,
    /// Finding → the job running on it.
    fixing: HashMap<FindingKey, JobId>,
    /// Finding → `UpdatedAt` of the copy a job fixed and verified.
    fixed: HashMap<FindingKey, Option<DateTime<Utc>>>,
    /// Messages being handled, by message id.
    pending: BTreeMap<String, Pending>,
    /// Whether the rows reaching the stage right now come from an event (decided per message, not as synced rows).
    in_event: bool,
    input: UnboundedSender<Msg>,
    rx: UnboundedReceiver<Msg>,
    /// Answers about claims on copies of findings, by the id of the fix waiting on them (one not yet started, or
    /// one refused for someone else's lease and about to be tried again).
    checks: UnboundedSender<claims::ClaimAnswer>,
    check_rx: UnboundedReceiver<claims::ClaimAnswer>,
    /// Deletions and visibility changes under way (they do not hold up the loop), with what they were for.
    queue_calls: tokio::task::JoinSet<queue_ops::QueueCall>,
    /// Who claims copies of findings for this process, as other replicas see it (`host:pid watch session`).
    owner: String,
    /// Set once stopping: nothing new starts.
    stopping: bool,
    /// The share of recent messages that started a fix (the others were duplicates, or needed nothing).
    fix_share: f64,
    summary: WatchSummary,
}

impl Watch {
    /// A watch on `queue` through `remediator`; `log` gets the decisions.
    pub fn new(
        remediator: Arc<Remediator>,
        queue: Arc<dyn EventQueue>,
        store: Option<Arc<Store>>,
        settings: WatchSettings,
        log: DecisionLog,
    ) -> Self {
        let (input, rx) = unbounded_channel();
        let (checks, check_rx) = unbounded_channel();
        let subscribers = Subscribers { auto_fix: None, sweeper: Sweeper::new(&remediator) };
        let owner = format!("{} watch {}", crate::cloud::process::ProcessRef::this().label(), remediator.session());
        Self {
            stage: Stage::driven(subscribers, &input),
            triage: remediator.triage().clone(),
            remediator,
            queue,
            store,
            settings,
            log,
            current: HashMap::new(),
            jobs: HashMap::new(),
            fixing: HashMap::new(),
            fixed: HashMap::new(),
            pending: BTreeMap::new(),
            in_event: false,
            input,
            rx,
            checks,
            check_rx,
            owner,
            queue_calls: tokio::task::JoinSet::new(),
            stopping: false,
            fix_share: 1.0,
            summary: WatchSummary::default(),
        }
    }

    /// Where producers send (paging tasks, the store's loader, the remediator's background work): the stage.
    pub fn input(&self) -> UnboundedSender<Msg> {
        self.input.clone()
    }

    /// Runs until the queue is drained (`once`) or `stop` turns true; then finishes running fixes (up to the
    /// grace) and leaves the messages still waiting to the queue.
    pub async fn run(mut self, mut stop: tokio::sync::watch::Receiver<bool>) -> WatchSummary {
        let mut batches = receiver::spawn(self.queue.clone(), &self.settings);
        let mut extend = tokio::time::interval((self.settings.visibility / 3).min(EXTEND_TICK));
        let pruning = self.store.clone().map(|s| Pruning::of(s, self.settings.retention_days));
        let mut prune = tokio::time::interval(crate::engine::stage::PRUNE_EVERY);
        let mut drained = false;
        let mut stopping_since: Option<tokio::time::Instant> = None;
        loop {
            if drained && self.pending.is_empty() && self.jobs.is_empty() && self.queue_calls.is_empty() {
                break;
            }
            if let Some(since) = stopping_since {
                if self.jobs.is_empty() || since.elapsed() >= self.settings.stop_grace {
                    break;
                }
            }
            let room = self.room();
            tokio::select! {
                changed = stop.changed(), if stopping_since.is_none() => {
                    if changed.is_err() || *stop.borrow() {
                        stopping_since = Some(tokio::time::Instant::now());
                        self.stopping = true;
                        batches.stop();
                        self.remediator.cancel();
                        self.log.write(&Decision::new("stopping").reason(format!(
                            "{} fix(es) running are finished; unhandled messages come back to the queue",
                            self.jobs.len()
                        )));
                    }
                }
                Some(msg) = self.rx.recv() => self.take(msg),
                Some((id, answer)) = self.check_rx.recv() => self.claimed(id, answer),
                Some(call) = self.queue_calls.join_next(), if !self.queue_calls.is_empty() => self.queue_call_ended(call),
                batch = batches.next(room), if stopping_since.is_none() && !drained => match batch {
                    Some(Ok(messages)) if messages.is_empty() && self.settings.once => drained = true,
                    Some(Ok(messages)) => {
                        for message in messages {
                            self.on_message(message);
                        }
                    }
                    Some(Err(e)) => self.log.write(&Decision::new("queue-error").reason(e.to_string())),
                    None => drained = true,
                },
                _ = extend.tick() => {
                    self.renew_claims();
                    self.extend_visibility();
                }
                _ = prune.tick(), if pruning.is_some() && !self.settings.once => {
                    if let Some(keys) = match &pruning { Some(p) => pruned(p).await, None => None } {
                        for msg in self.stage.remove(keys) {
                            self.observe(msg);
                        }
                    }
                }
            }
            self.finish_ready();
        }
        while let Some(call) = self.queue_calls.join_next().await {
            self.queue_call_ended(call);
        }
        for (_, pending) in std::mem::take(&mut self.pending) {
            self.summary.left += 1;
            self.log.write(&Decision::new("left").message(&pending.message.message_id).reason(
                "stopped before its outcome was known; the queue delivers it again after its visibility timeout",
            ));
        }
        self.log.write(&Decision::new("stopped").reason(format!(
            "{} received, {} deleted, {} left to the queue, {} fixed, {} failed",
            self.summary.received, self.summary.deleted, self.summary.left, self.summary.fixed, self.summary.failed
        )));
        self.summary
    }

    /// A message from a producer: through the stage, then observed.
    fn take(&mut self, msg: Msg) {
        for out in self.stage.take(msg) {
            self.observe(out);
        }
    }

    /// What the stage passed on: the current copies of findings, and job updates.
    fn observe(&mut self, msg: Msg) {
        match msg {
            Msg::Findings(changes) => {
                for key in &changes.removed {
                    self.current.remove(key);
                }
                for row in changes.rows() {
                    self.current.insert(row.finding.key(), row.clone());
                }
                if !self.in_event && self.settings.auto_fix && !self.settings.once {
                    let rows: Vec<Row> = changes.rows().cloned().collect();
                    for row in rows {
                        self.consider_synced(&row);
                    }
                }
                for problem in &changes.problems {
                    self.log.write(&Decision::new("problem").reason(problem.clone()));
                }
            }
            Msg::Job(update) => self.on_job(&update),
            Msg::SourceState { source, status } => match &status {
                SourceStatus::Retrying { error, .. }
                | SourceStatus::Denied(error)
                | SourceStatus::NotEnabled(error)
                | SourceStatus::Failed(error) => {
                    let word = status.word();
                    self.log.write(&Decision::new("source").reason(format!("{source}: {word}: {error}")));
                }
                SourceStatus::Ok { findings, .. } => {
                    self.log.write(&Decision::new("sync").reason(format!("{source}: {findings} finding(s) synced")));
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// A finding the delta sync or the store brought: fixed when auto-fix takes it and nothing runs on it.
    fn consider_synced(&mut self, row: &Row) {
        let key = row.finding.key();
        let cx = self.context(&key, row);
        if decide(row, &EventKind::Imported, &cx) == Action::Fix {
            self.log.write(&verdict_line(row, None, "sync"));
            self.claim_then_fix(row, None);
        }
    }

    /// One message from the queue.
    fn on_message(&mut self, message: QueueMessage) {
        self.summary.received += 1;
        let mut received = Decision::new("received").message(&message.message_id);
        received.receive_count = Some(message.receive_count);
        self.log.write(&received);
        if message.receive_count > self.settings.max_receives {
            self.summary.left += 1;
            self.log.write(&Decision::new("left").message(&message.message_id).reason(format!(
                "received {} times (watch.max_receives {}): left to the queue's redrive policy (dead-letter queue)",
                message.receive_count, self.settings.max_receives
            )));
            return;
        }
        let event = match read_event(&message.body) {
            Ok(event) => event,
            Err(why) => {
                self.summary.left += 1;
                self.log.write(
                    &Decision::new("unreadable")
                        .message(&message.message_id)
                        .reason(format!("{why}; left to the queue's redrive policy (dead-letter queue)")),
                );
                return;
            }
        };
        let mut pending = Pending::new(message, &event.kind);
        for problem in &event.problems {
            pending.problems.push(problem.clone());
            self.log.write(&Decision::new("unreadable").message(&pending.message.message_id).reason(problem.clone()));
        }
        let keys = self.ingest(event.findings);
        let mut fixes = false;
        for (key, own) in keys {
            let row = self.current.get(&key).cloned().unwrap_or(own);
            let cx = self.context(&key, &row);
            let action = decide(&row, &pending.kind, &cx);
            self.log.write(&verdict_line(&row, Some(&pending), pending.kind.word()));
            match action {
                Action::Fix => {
                    let job = self.claim_then_fix(&row, Some(&pending.message.message_id));
                    pending.waiting.insert(job);
                    fixes = true;
                }
                Action::Join(job) => {
                    if let Some(fix) = self.jobs.get_mut(&job) {
                        fix.messages.push(pending.message.message_id.clone());
                        pending.waiting.insert(job);
                    }
                }
                Action::Skip(why) => {
                    self.log.write(&Decision { reason: Some(why), ..finding_line("skipped", &row, Some(&pending)) });
                }
            }
        }
        self.pending.insert(pending.message.message_id.clone(), pending);
        self.count_fix_share(fixes);
    }

    /// Keeps an event's findings (the store, then the stage, which decides which copy is current); returns each
    /// finding's key with its own row.
    fn ingest(&mut self, findings: Vec<Finding>) -> Vec<(FindingKey, Row)> {
        if let Some(store) = &self.store {
            if let Err(e) = store.upsert(&findings, Utc::now()) {
                self.log.write(&Decision::new("problem").reason(format!("the store did not take the event: {e}")));
            }
        }
        let rows = assess_page(findings, &self.triage, Utc::now());
        let keys: Vec<(FindingKey, Row)> = rows.iter().map(|r| (r.finding.key(), r.clone())).collect();
        let mut by_source: BTreeMap<SourceId, Vec<Row>> = BTreeMap::new();
        for row in rows {
            let source =
                SourceId { account_id: row.finding.account_id.to_string(), region: row.finding.region.to_string() };
            by_source.entry(source).or_default().push(row);
        }
        self.in_event = true;
        for (source, rows) in by_source {
            self.take(Msg::FindingsPage { source, rows, problems: Vec::new() });
        }
        self.in_event = false;
        keys
    }

    fn context<'a>(&'a self, key: &FindingKey, row: &Row) -> Context<'a> {
        Context {
            auto_fix: self.settings.auto_fix,
            accounts: self.settings.accounts.as_ref(),
            running: self.fixing.get(key).copied(),
            fixed: self.fixed.get(key).is_some_and(|at| *at == row.finding.updated_at),
        }
    }
}

/// The verdict line of a finding.
fn verdict_line(row: &Row, pending: Option<&Pending>, kind: &'static str) -> Decision {
    Decision {
        verdict: Some(row.decision.verdict.to_string()),
        reason: Some(row.decision.reason.to_string()),
        kind: Some(kind),
        ..finding_line("verdict", row, pending)
    }
}

fn finding_line(event: &'static str, row: &Row, pending: Option<&Pending>) -> Decision {
    finding_line_of(event, &row.finding, pending)
}

fn finding_line_of(event: &'static str, finding: &Finding, pending: Option<&Pending>) -> Decision {
    let decision = Decision::new(event).finding(finding);
    match pending {
        Some(p) => decision.message(&p.message.message_id),
        None => decision,
    }
}

#[cfg(test)]
mod test_queue;
#[cfg(test)]
mod tests;
