//! The TUI's connected half: once the backend is known, the Store stage, the paging tasks, the remediator's
//! background work and the action runner start; effects the app asks for are carried out here; on quit, running
//! actions and jobs are stopped or waited for.

use super::app::{App, Effect};
use super::context::DeskState;
use crate::actions::ActionRunner;
use crate::cloud::Backend;
use crate::engine::approval_work;
use crate::engine::approvals::ApprovalDesk;
use crate::engine::refresh::{self, RefreshHandle, RefreshSettings};
use crate::engine::remediate::Remediator;
use crate::engine::stage::{self, Pruning, Subscribers};
use crate::engine::{live_plan, Msg};
use crate::store::Store;
use crate::triage::Triage;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// Longest wait for running jobs when the TUI stops.
const STOP_GRACE: Duration = Duration::from_secs(60);

/// How long running command actions have between SIGTERM and SIGKILL when the TUI stops.
const ACTION_STOP_GRACE: Duration = crate::actions::process_group::TERM_GRACE;

/// Time between two passes of the exception sweeper (`exceptions.suppress_findings`).
const SWEEP_EVERY: Duration = Duration::from_secs(300);

/// What the TUI works with once connected: the backend, the remediator (`None` offline: the app then says fixes
/// need live access), the store and what the user should know about it.
pub struct Connected {
    pub backend: Backend,
    pub remediator: Option<Arc<Remediator>>,
    pub store: Option<Arc<Store>>,
    /// Shown with the input problems (a damaged store moved aside, a store that cannot be used).
    pub notices: Vec<String>,
    pub retention_days: u32,
    /// Finding events pushed into the session (`--events-queue`).
    pub events: Option<Arc<dyn crate::cloud::events::EventQueue>>,
    /// The approval desk, or why approval requests are unavailable in this session.
    pub approvals: Result<Arc<crate::engine::approvals::ApprovalDesk>, String>,
}

/// What carries out the app's effects.
pub struct Session {
    backend: Backend,
    triage: Arc<Triage>,
    /// The Store stage's input: every producer sends here.
    tx: UnboundedSender<Msg>,
    refresh: RefreshHandle,
    remediator: Option<Arc<Remediator>>,
    actions: Arc<ActionRunner>,
    approvals: Option<Arc<ApprovalDesk>>,
    /// The store, for the Overview's history (`None` without one).
    history: Option<Arc<crate::store::Store>>,
}

impl Session {
    /// Starts the background work of a connected session; what it reports reaches the app through `ui_tx`.
    pub fn start(app: &mut App, connected: Connected, triage: &Arc<Triage>, ui_tx: UnboundedSender<Msg>) -> Self {
        let Connected { backend, remediator, store, notices, retention_days, events, approvals } = connected;
        app.desk = match &approvals {
            Ok(_) => DeskState::Ready,
            Err(why) => DeskState::Unavailable(why.clone()),
        };
        app.connecting = None;
        app.backend_label = backend.label.clone();
        app.live_reads = backend.resources.is_some();
        app.incident = triage.policy.incident.is_on();
        if app.operator.is_empty() {
            app.operator = backend.operator.clone();
        }
        if let Some(r) = &remediator {
            app.can_fix = true;
            app.read_only |= r.read_only();
            app.audit = r.audit_records();
        }
        app.note_problems(None, notices);
        let actions =
            Arc::new(ActionRunner::new(app.actions.clone(), remediator.clone()).with_read_only(app.read_only));
        // Every producer sends to the Store stage, which owns finding state and feeds the table, auto-fix and the
        // exception sweeper.
        let subscribers = Subscribers::for_remediator(remediator.as_ref(), app.auto_fix);
        let pruning = store.as_ref().map(|s| Pruning::of(s.clone(), retention_days));
        let tx = stage::spawn(ui_tx, subscribers, pruning);
        if let Some(store) = &store {
            // The stored findings reach the table while the sources sync, off the UI thread.
            let (store, triage, tx, sources) = (store.clone(), triage.clone(), tx.clone(), backend.findings.sources());
            tokio::task::spawn_blocking(move || {
                if let Err(e) = crate::engine::cached::send_stored(&store, &sources, &triage, &tx) {
                    tracing::error!(error = %e, "stored findings unreadable");
                    if let Some(source) = sources.first().cloned() {
                        let problems = vec![format!("{e}; the sources load in full")];
                        let _ = tx.send(Msg::FindingsPage { source, rows: Vec::new(), problems });
                    }
                }
            });
        }
        if let Some(queue) = events {
            crate::engine::unattended::push::spawn(queue, triage.clone(), store.clone(), tx.clone());
        }
        let history = store.clone();
        let refresh = refresh::spawn_with_store(
            backend.findings.clone(),
            triage.clone(),
            tx.clone(),
            RefreshSettings::every(backend.refresh_every),
            store,
        );
        if let Some(r) = &remediator {
            r.start_background(tx.clone());
            if r.settings().exceptions.suppress_findings {
                r.start_exception_sweeper(backend.findings.sources(), SWEEP_EVERY, tx.clone());
            }
        }
        Self { backend, triage: triage.clone(), tx, refresh, remediator, actions, approvals: approvals.ok(), history }
    }

    /// Carries out one effect the app asked for.
    pub fn perform(&self, effect: Effect) {
        let tx = || self.tx.clone();
        match effect {
            Effect::LivePlan { req, finding } => {
                if let Some(resources) = &self.backend.resources {
                    live_plan::request(req, resources.clone(), self.triage.clone(), finding, tx());
                }
            }
            Effect::RefreshNow => self.refresh.now(),
            Effect::LoadHistory { since } => {
                let (store, tx) = (self.history.clone(), tx());
                tokio::task::spawn_blocking(move || {
                    let lifetimes = store.as_ref().and_then(|s| s.lifetimes().ok());
                    let reopened = store.as_ref().and_then(|s| s.reopened_since(since).ok());
                    let _ = tx.send(Msg::History { lifetimes, reopened });
                });
            }
            Effect::RunAction { run, action, findings } => self.actions.start(run, &action, findings, tx()),
            Effect::Approval { req, op } => {
                if let Some(desk) = &self.approvals {
                    approval_work::spawn(desk.clone(), req, op, tx());
                }
            }
            // The app opens the dialogs behind the others only when a remediator exists (`can_fix`).
            other => {
                if let Some(r) = &self.remediator {
                    remediate(r, other, &self.backend, tx());
                }
            }
        }
    }

    /// Stops what must not outlive hubtriage (custom actions with every process they started) and gives running
    /// jobs time to finish their calls and verification.
    pub async fn stop(self) {
        let stopped = self.actions.stop_all(ACTION_STOP_GRACE).await;
        if stopped > 0 {
            crate::inert_eprintln!("hubtriage: stopped {stopped} running action(s) with every process they started");
        }
        let Some(r) = &self.remediator else { return };
        r.cancel();
        if r.running_jobs() > 0 {
            crate::inert_eprintln!(
                "hubtriage: waiting for {} running job(s) to finish their calls and verification…",
                r.running_jobs()
            );
            let left = r.wait_idle(STOP_GRACE).await;
            if left > 0 {
                crate::inert_eprintln!(
                    "hubtriage: {left} job(s) still running were stopped; they are re-checked on the next start"
                );
            }
        }
    }
}

/// The effects carried out by the remediator.
fn remediate(r: &Arc<Remediator>, effect: Effect, backend: &Backend, tx: UnboundedSender<Msg>) {
    match effect {
        Effect::PreviewApply { req, findings } => {
            r.preview(req, findings, tx);
        }
        Effect::Apply(requests) => {
            for request in requests {
                r.submit(request, tx.clone());
            }
        }
        Effect::Rollback { audit_job } => {
            r.rollback(audit_job, tx);
        }
        Effect::SetIncident(on) => {
            r.switch_incident(on, tx);
        }
        Effect::Exception(op) => {
            r.exception(*op, tx);
        }
        Effect::RefreshExceptions => {
            r.refresh_exceptions(backend.findings.sources(), tx);
        }
        Effect::LivePlan { .. }
        | Effect::RefreshNow
        | Effect::RunAction { .. }
        | Effect::Approval { .. }
        | Effect::LoadHistory { .. } => {}
    }
}
