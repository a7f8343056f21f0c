//! A headless command's view of its jobs: each job's steps, one line on stderr each, as `apply` prints them, and a
//! notification that could not be sent.

use crate::engine::jobs::JobState;
use crate::engine::Msg;
use crate::model::sanitize::single_line;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;

/// Prints job updates until every sender is gone.
pub fn follow(mut rx: UnboundedReceiver<Msg>) -> JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(msg) = rx.recv().await {
            match msg {
                Msg::NotificationFailed(failure) => crate::inert_eprintln!("hubtriage: {failure}"),
                Msg::Job(job) => {
                    let detail = job.state.detail().map(|d| format!(": {}", single_line(d))).unwrap_or_default();
                    let step = match &job.state {
                        JobState::Verifying { attempt, of } => format!("verifying {attempt}/{of}"),
                        other => other.word().to_string(),
                    };
                    crate::inert_eprintln!(
                        "job {} {} {} {}/{}: {step}{detail}",
                        job.audit_job,
                        job.control_id,
                        job.resource,
                        job.account_id,
                        job.region
                    );
                }
                _ => {}
            }
        }
    })
}
