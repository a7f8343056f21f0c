//! `hubtriage watch`: the engine unattended. Finding events from an SQS queue (an EventBridge rule delivers "Security
//! Hub Findings - Imported", "Findings Imported V2" and "Security Hub Findings - Custom Action" to it) are decided
//! by policy and, as it says, fixed; the delta sync runs on a timer as the safety net; drift watch and the exception
//! sweeper run as in the TUI. One JSON line per decision on stderr. SIGTERM or Ctrl-C: running fixes finish,
//! unfinished messages come back to the queue. `--once` drains the queue and exits.

use super::args::GlobalArgs;
use super::{EXIT_OK, EXIT_PARTIAL};
use crate::cloud::Backend;
use crate::config::Config;
use crate::engine::refresh::{self, RefreshSettings};
use crate::engine::remediate::Remediator;
use crate::engine::unattended::log::{Decision, DecisionLog};
use crate::engine::unattended::{approved, Watch, WatchSettings};
use anyhow::{anyhow, Context as _};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

/// Time between two passes of the exception sweeper (`exceptions.suppress_findings`).
const SWEEP_EVERY: Duration = Duration::from_secs(300);

/// What the command line says about `watch`.
pub struct WatchArgs {
    pub queue_url: Option<String>,
    pub once: bool,
}

/// Runs until stopped (or, with `--once`, until the queue is drained); the exit status says whether every message
/// was handled.
pub async fn run(
    args: &GlobalArgs,
    config: &Config,
    backend: &Backend,
    remediator: Option<Arc<Remediator>>,
    watch: WatchArgs,
) -> anyhow::Result<i32> {
    let url = watch.queue_url.or_else(|| config.watch.queue_url.clone()).ok_or_else(|| {
        anyhow!("watch needs a queue: --queue-url URL or [watch] queue_url (`hubtriage setup --template` creates one)")
    })?;
    let remediator = remediator.context("watch needs live access to the accounts (not --findings)")?;
    let queue = crate::session::event_queue(args, config, &url).await;
    let (store, notices) = crate::session_store::open_store(args, config, backend);
    let log = DecisionLog::stderr();
    for notice in notices {
        log.write(&Decision::new("problem").reason(notice));
    }
    if let Some(store) = &store {
        remediator.keep_in(store.clone());
    }
    let desk =
        match crate::session_approvals::approval_desk(args, config, backend, &remediator, remediator.triage()).await {
            Ok(desk) => Some(Arc::new(desk)),
            Err(why) => {
                log.write(&Decision::new("problem").reason(format!("approved requests are not carried out: {why}")));
                None
            }
        };
    let settings = settings(config, watch.once);
    log.write(&Decision::new("started").reason(format!(
        "queue {url}; auto-fix {}; {}; sources {}",
        if settings.auto_fix { "on" } else { "off" },
        if remediator.read_only() { "read-only: nothing is changed" } else { "changes allowed" },
        backend.findings.sources().len()
    )));
    let approvals_log = log.clone();
    let engine = Watch::new(remediator.clone(), queue, store.clone(), settings, log);
    let input = engine.input();
    if let Some(store) = &store {
        let (store, triage, tx, sources) =
            (store.clone(), remediator.triage().clone(), input.clone(), backend.findings.sources());
        tokio::task::spawn_blocking(move || crate::engine::cached::send_stored(&store, &sources, &triage, &tx));
    }
    if !watch.once {
        let every = crate::cloud::refresh_interval(config.watch.sync_seconds);
        if every.is_some() {
            let (source, triage) = (backend.findings.clone(), remediator.triage().clone());
            refresh::spawn_with_store(source, triage, input.clone(), RefreshSettings::every(every), store);
        }
        if remediator.settings().exceptions.suppress_findings {
            remediator.start_exception_sweeper(backend.findings.sources(), SWEEP_EVERY, input.clone());
        }
    }
    remediator.start_background(input);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        stopped().await;
        let _ = stop_tx.send(true);
    });
    // Approved requests: one pass with --once, else a pass every few seconds until stopped.
    let approvals = match (&desk, watch.once) {
        (Some(desk), true) => Some(tokio::spawn({
            let (desk, log) = (desk.clone(), approvals_log);
            async move { approved::carry_out_approved(&desk, &log).await }
        })),
        (Some(desk), false) => Some(approved::spawn(desk.clone(), approvals_log, stop_rx.clone())),
        (None, _) => None,
    };
    let summary = engine.run(stop_rx).await;
    let carried = match approvals {
        Some(task) => task.await.unwrap_or_default(),
        None => approved::Carried::default(),
    };
    let clean = summary.left == 0 && summary.failed == 0 && carried.failed == 0;
    Ok(if clean { EXIT_OK } else { EXIT_PARTIAL })
}

/// `[watch]` and the switches as the engine takes them.
fn settings(config: &Config, once: bool) -> WatchSettings {
    let accounts: BTreeSet<String> = config.aws.accounts.iter().cloned().collect();
    WatchSettings {
        auto_fix: config.auto_fix && !config.read_only,
        max_receives: config.watch.max_receives,
        visibility: Duration::from_secs(config.watch.visibility_seconds),
        max_in_flight: config.watch.max_in_flight,
        once,
        accounts: (!accounts.is_empty()).then_some(accounts),
        retention_days: config.store.retention_days,
        ..WatchSettings::default()
    }
}

/// Resolves on SIGTERM or Ctrl-C.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
