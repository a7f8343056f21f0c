//! The Store stage's task: every page of findings (from the sources and from the store) and every job update goes
//! through it. It keeps the engine's [`FindingState`], turns pages into batches of changes (the change feed), lays
//! the workflow status a job set over the findings it set it on, prunes the store as findings age out, and hands
//! each batch to its subscribers — auto-fix queueing and the exception sweeper — before the table gets it as
//! `Msg::Findings`. Nothing it receives is decided again downstream, and nothing needs a TUI.

use super::finding_state::{FindingChanges, FindingState};
use super::remediate::Remediator;
use super::Msg;
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

mod auto_fix;
mod sweeper;

pub use auto_fix::AutoFix;
pub use sweeper::Sweeper;

/// How often closed findings past `store.retention_days` are pruned while hubtriage runs.
pub const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// What the stage feeds besides the table.
#[derive(Default)]
pub struct Subscribers {
    /// Queues open `auto-fix` findings with a plan to the remediator, each once (`auto_fix = true`).
    pub auto_fix: Option<AutoFix>,
    /// Suppresses the open findings of excepted resources (`exceptions.suppress_findings`).
    pub sweeper: Option<Sweeper>,
}

impl Subscribers {
    /// The subscribers `config` asks for, working through `remediator` (none without one: offline, no fixes).
    pub fn for_remediator(remediator: Option<&Arc<Remediator>>, auto_fix: bool) -> Self {
        let Some(r) = remediator else { return Self::default() };
        Self { auto_fix: AutoFix::new(r, auto_fix), sweeper: Sweeper::new(r) }
    }

    fn on_changes(&mut self, changes: &FindingChanges, input: &UnboundedSender<Msg>) {
        if let Some(a) = &mut self.auto_fix {
            a.on_changes(changes, input);
        }
        if let Some(s) = &self.sweeper {
            s.on_changes(changes, input);
        }
    }
}

/// How often the stage checks that the store's file is still the one it writes.
pub const CHECK_FILE_EVERY: Duration = Duration::from_secs(15);

/// Where the stage prunes, how old a closed finding may get, and how often the store's file is checked.
pub struct Pruning {
    pub store: Arc<Store>,
    pub retention_days: u32,
    pub every: Duration,
    pub check_file_every: Duration,
}

impl Pruning {
    /// Pruning `store` at the usual times.
    pub fn of(store: Arc<Store>, retention_days: u32) -> Self {
        Self { store, retention_days, every: PRUNE_EVERY, check_file_every: CHECK_FILE_EVERY }
    }
}

/// Starts the stage. Producers (paging tasks, the store's loader, the remediator, actions) send to the returned
/// sender; the stage forwards what it does not own to `out` unchanged. It ends when every producer is gone.
pub fn spawn(out: UnboundedSender<Msg>, subscribers: Subscribers, pruning: Option<Pruning>) -> UnboundedSender<Msg> {
    let (input, rx) = unbounded_channel();
    let mut stage = Stage::new(subscribers);
    stage.input = Some(input.downgrade());
    tokio::spawn(run(stage, rx, out, pruning));
    input
}

async fn run(mut stage: Stage, mut rx: UnboundedReceiver<Msg>, out: UnboundedSender<Msg>, pruning: Option<Pruning>) {
    let every = pruning.as_ref().map_or(PRUNE_EVERY, |p| p.every);
    let mut prune = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    let check_every = pruning.as_ref().map_or(CHECK_FILE_EVERY, |p| p.check_file_every);
    let mut check = tokio::time::interval_at(tokio::time::Instant::now() + check_every, check_every);
    let mut file_reported = false;
    loop {
        let to_table = tokio::select! {
            msg = rx.recv() => match msg {
                Some(msg) => stage.take(msg),
                None => return,
            },
            _ = prune.tick(), if pruning.is_some() => match &pruning {
                Some(p) => match pruned(p).await {
                    Some(keys) => stage.remove(keys),
                    None => Vec::new(),
                },
                None => Vec::new(),
            },
            _ = check.tick(), if pruning.is_some() && !file_reported => {
                match pruning.as_ref().and_then(|p| p.store.file_problem()) {
                    Some(problem) => {
                        tracing::error!("{problem}");
                        file_reported = true;
                        stage.report(problem)
                    }
                    None => Vec::new(),
                }
            }
        };
        for msg in to_table {
            let _ = out.send(msg);
        }
    }
}

/// Closed findings past the retention, removed from the store.
pub(crate) async fn pruned(p: &Pruning) -> Option<Vec<crate::model::FindingKey>> {
    let (store, days) = (p.store.clone(), p.retention_days);
    match tokio::task::spawn_blocking(move || store.prune_keys(days, chrono::Utc::now())).await {
        Ok(Ok(keys)) if !keys.is_empty() => {
            tracing::info!(pruned = keys.len(), "closed findings past store.retention_days removed");
            Some(keys)
        }
        Ok(Ok(_)) => None,
        Ok(Err(e)) => {
            tracing::warn!("store prune failed: {e}");
            None
        }
        Err(e) => {
            tracing::warn!("store prune stopped: {e}");
            None
        }
    }
}

/// The stage's state and decisions, apart from its task: what one message from a producer means for the table.
pub struct Stage {
    state: FindingState,
    subscribers: Subscribers,
    /// The stage's own input, for the work its subscribers start (their job updates come back through it); weak,
    /// so the stage ends with its producers. Without it (a stage driven by hand) subscribers are not called.
    input: Option<tokio::sync::mpsc::WeakUnboundedSender<Msg>>,
}

impl Stage {
    pub fn new(subscribers: Subscribers) -> Self {
        Self { state: FindingState::default(), subscribers, input: None }
    }

    /// A stage its owner drives by hand (`watch`), whose subscribers send the work they start to `input`.
    pub fn driven(subscribers: Subscribers, input: &UnboundedSender<Msg>) -> Self {
        Self { input: Some(input.downgrade()), ..Self::new(subscribers) }
    }

    /// How many findings the stage knows.
    pub fn findings(&self) -> usize {
        self.state.len()
    }

    /// One message from a producer; returns what goes on to the table, in order.
    pub fn take(&mut self, msg: Msg) -> Vec<Msg> {
        let mut out = Vec::new();
        match msg {
            Msg::FindingsPage { source, rows, problems } => {
                let changes = self.state.apply(Some(source), rows, problems);
                self.publish(changes, &mut out);
            }
            Msg::StoredPage { source, rows, held, problems } => {
                let changes = self.state.apply_stored(source, rows, &held, problems);
                self.publish(changes, &mut out);
            }
            Msg::Job(update) => {
                let workflow = update.workflow_set();
                let keys = update.findings.clone();
                out.push(Msg::Job(update));
                if let Some(status) = workflow {
                    let changes = self.state.set_workflow(&keys, status);
                    self.publish(changes, &mut out);
                }
            }
            other => out.push(other),
        }
        out
    }

    /// Forgets findings pruned from the store; returns the batch for the table.
    pub fn remove(&mut self, keys: Vec<crate::model::FindingKey>) -> Vec<Msg> {
        let mut out = Vec::new();
        let changes = self.state.remove(keys);
        self.publish(changes, &mut out);
        out
    }

    /// A problem of the engine's own (not of any source's input), for the table's list of problems.
    pub fn report(&mut self, problem: String) -> Vec<Msg> {
        let mut out = Vec::new();
        self.publish(FindingChanges { problems: vec![problem], ..FindingChanges::default() }, &mut out);
        out
    }

    /// Hands a batch to the subscribers, then to the table.
    fn publish(&mut self, changes: FindingChanges, out: &mut Vec<Msg>) {
        if changes.is_empty() {
            return;
        }
        if let Some(input) = self.input.as_ref().and_then(|i| i.upgrade()) {
            self.subscribers.on_changes(&changes, &input);
        }
        out.push(Msg::Findings(Box::new(changes)));
    }
}

#[cfg(test)]
mod tests;
