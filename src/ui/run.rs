//! The event loop: draw, then wait for the next key, background message or tick. Restores the terminal on exit
//! and on panic.

use super::app::{App, Effect};
use super::views;
use crate::actions::ActionRunner;
use crate::cloud::Backend;
use crate::engine::jobs::ApplyRequest;
use crate::engine::refresh::{self, RefreshHandle, RefreshSettings};
use crate::engine::remediate::Remediator;
use crate::engine::{live_plan, Msg};
use crate::store::Store;
use crate::triage::Triage;
use crossterm::event::EventStream;
use futures::StreamExt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// Longest wait for running jobs when the TUI stops.
const STOP_GRACE: Duration = Duration::from_secs(60);

/// How long running command actions have between SIGTERM and SIGKILL when the TUI stops.
const ACTION_STOP_GRACE: Duration = crate::actions::process_group::TERM_GRACE;

/// Time between two passes of the exception sweeper (`exceptions.suppress_findings`).
const SWEEP_EVERY: Duration = Duration::from_secs(300);

/// Longest time spent applying queued background messages before the next frame.
const MAX_BATCH: Duration = Duration::from_millis(12);

/// What `perform` works with.
struct Workers<'a> {
    backend: &'a Backend,
    triage: &'a Arc<Triage>,
    tx: &'a UnboundedSender<Msg>,
    refresh: &'a RefreshHandle,
    remediator: Option<&'a Arc<Remediator>>,
    actions: &'a Arc<ActionRunner>,
}

/// Runs the TUI until the user quits. `remediator` is `None` offline: the app then says fixes need live access.
/// The app's `actions` are run by an `ActionRunner` built here; `operator` defaults to the backend's identity.
pub async fn run(
    mut app: App,
    backend: Backend,
    triage: Arc<Triage>,
    remediator: Option<Arc<Remediator>>,
    store: Option<Arc<Store>>,
) -> anyhow::Result<()> {
    app.incident = triage.policy.incident.is_on();
    if app.operator.is_empty() {
        app.operator = backend.operator.clone();
    }
    if let Some(r) = &remediator {
        app.can_fix = true;
        app.read_only |= r.read_only();
        app.audit = r.audit_records();
    }
    let actions = Arc::new(ActionRunner::new(app.actions.clone(), remediator.clone()).with_read_only(app.read_only));
    let mut terminal = ratatui::try_init()?;
    let (tx, mut rx) = unbounded_channel();
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
    let workers = Workers {
        backend: &backend,
        triage: &triage,
        tx: &tx,
        refresh: &refresh,
        remediator: remediator.as_ref(),
        actions: &actions,
    };
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let result = loop {
        for effect in app.before_draw() {
            perform(effect, &workers);
        }
        if let Err(e) = terminal.draw(|frame| {
            app.table_height = (frame.area().height as usize * 55 / 100).saturating_sub(3);
            views::draw(frame, &app);
        }) {
            break Err(e.into());
        }
        tokio::select! {
            Some(msg) = rx.recv() => {
                apply_messages(&mut app, msg, &mut rx, |msg| observe(msg, remediator.as_ref(), &tx));
            }
            event = events.next() => match event {
                Some(Ok(event)) => {
                    for effect in app.on_event(&event) {
                        perform(effect, &workers);
                    }
                }
                Some(Err(e)) => break Err(e.into()),
                None => break Ok(()),
            },
            _ = tick.tick() => {}
            () = crate::cli::apply::stop_signal() => break Ok(()),
        }
        if app.quit {
            break Ok(());
        }
    };
    ratatui::restore();
    // Nothing a custom action started outlives hubtriage.
    let stopped = actions.stop_all(ACTION_STOP_GRACE).await;
    if stopped > 0 {
        crate::inert_eprintln!("hubtriage: stopped {stopped} running action(s) with every process they started");
    }
    if let Some(r) = &remediator {
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
    result
}

/// Applies `first`, then queued messages for at most `MAX_BATCH`, so a flood of pages never starves drawing or
/// input. `observe` sees each message before the app does.
pub fn apply_messages(app: &mut App, first: Msg, rx: &mut UnboundedReceiver<Msg>, mut observe: impl FnMut(&Msg)) {
    let started = Instant::now();
    observe(&first);
    app.on_msg(first);
    while started.elapsed() < MAX_BATCH {
        match rx.try_recv() {
            Ok(msg) => {
                observe(&msg);
                app.on_msg(msg);
            }
            Err(_) => break,
        }
    }
}

/// With `exceptions.suppress_findings`, hands the open findings of excepted resources to the remediator, which
/// suppresses each once (with a note) and sets them back to NEW when the exception ends.
fn observe(msg: &Msg, remediator: Option<&Arc<Remediator>>, tx: &UnboundedSender<Msg>) {
    let (Msg::FindingsPage { rows, .. }, Some(r)) = (msg, remediator) else { return };
    if !r.settings().exceptions.suppress_findings {
        return;
    }
    let excepted: Vec<Arc<crate::model::Finding>> = rows
        .iter()
        .filter(|row| row.decision.verdict == crate::policy::Verdict::Excepted && row.finding.is_open())
        .map(|row| row.finding.clone())
        .collect();
    if !excepted.is_empty() {
        r.suppress_excepted(excepted, tx.clone());
    }
}

fn perform(effect: Effect, w: &Workers) {
    match effect {
        Effect::LivePlan { req, finding } => {
            if let Some(resources) = &w.backend.resources {
                live_plan::request(req, resources.clone(), w.triage.clone(), finding, w.tx.clone());
            }
        }
        Effect::RefreshNow => w.refresh.now(),
        // The app opens these dialogs only when a remediator exists (`can_fix`).
        Effect::PreviewApply { req, findings } => {
            if let Some(r) = w.remediator {
                r.preview(req, findings, w.tx.clone());
            }
        }
        Effect::Apply(requests) => {
            if let Some(r) = w.remediator {
                for request in requests {
                    r.submit(request, w.tx.clone());
                }
            }
        }
        Effect::Rollback { audit_job } => {
            if let Some(r) = w.remediator {
                r.rollback(audit_job, w.tx.clone());
            }
        }
        Effect::AutoFix(findings) => {
            if let Some(r) = w.remediator {
                for finding in findings {
                    let control_id = finding.control_id.clone().unwrap_or_default();
                    r.submit(ApplyRequest { findings: vec![finding], control_id, approved: None }, w.tx.clone());
                }
            }
        }
        Effect::SetIncident(on) => {
            if let Some(r) = w.remediator {
                r.switch_incident(on, w.tx.clone());
            }
        }
        Effect::Exception(op) => {
            if let Some(r) = w.remediator {
                r.exception(*op, w.tx.clone());
            }
        }
        Effect::RefreshExceptions => {
            if let Some(r) = w.remediator {
                r.refresh_exceptions(w.backend.findings.sources(), w.tx.clone());
            }
        }
        Effect::RunAction { run, action, findings } => w.actions.start(run, &action, findings, w.tx.clone()),
    }
}
