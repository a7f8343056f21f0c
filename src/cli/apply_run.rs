//! Runs approved plans as jobs for the headless commands (`apply`, `apply --plan`): progress on stderr, an
//! interrupted change of an earlier run re-checked first, Ctrl-C / SIGTERM letting running jobs finish.

use crate::engine::jobs::{group_requests, JobState};
use crate::engine::remediate::Remediator;
use crate::model::Finding;
use crate::playbook::Plan;
use std::sync::Arc;

/// Exit status after Ctrl-C or SIGTERM (128 + SIGINT).
pub const EXIT_INTERRUPTED: i32 = 130;

/// How the jobs ended.
pub struct RunOutcome {
    pub states: Vec<JobState>,
    /// Ctrl-C or SIGTERM arrived: running jobs finished, queued ones were cancelled.
    pub interrupted: bool,
}

impl RunOutcome {
    /// Whether every job ended verified (or had nothing to do).
    pub fn all_verified(&self) -> bool {
        self.states.iter().all(JobState::is_success)
    }
}

/// Groups the approved plans into jobs (one per resource and control) and runs them to their end; `origin` says
/// where they were approved (a plan file) for the audit records.
pub async fn run_jobs(
    remediator: &Arc<Remediator>,
    approved: Vec<(Arc<Finding>, Plan)>,
    origin: Option<String>,
) -> RunOutcome {
    for state in remediator.recheck_unfinished(None).await {
        crate::inert_eprintln!("hubtriage: an interrupted change from an earlier run was re-checked: {}", state.word());
    }
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let progress = super::progress::follow(rx);
    let mut requests = group_requests(approved);
    for request in &mut requests {
        request.origin.clone_from(&origin);
    }
    let jobs = requests.into_iter().enumerate().map(|(i, request)| {
        let remediator = remediator.clone();
        let tx = tx.clone();
        async move { remediator.run_apply(i as u64 + 1, request, Some(tx)).await }
    });
    let all = futures::future::join_all(jobs);
    tokio::pin!(all);
    let mut interrupted = false;
    let states = tokio::select! {
        states = &mut all => states,
        () = stop_signal() => {
            interrupted = true;
            remediator.cancel();
            crate::inert_eprintln!(
                "hubtriage: stopping: {} running job(s) finish their calls and verification; queued jobs are cancelled",
                remediator.running_jobs()
            );
            all.await
        }
    };
    drop(tx);
    let _ = progress.await;
    let verified = states.iter().filter(|s| s.is_success()).count();
    crate::inert_eprintln!("hubtriage: {verified} of {} job(s) verified", states.len());
    RunOutcome { states, interrupted }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
