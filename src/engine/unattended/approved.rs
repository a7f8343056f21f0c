//! `watch` carries out approved requests: every pass lists the requests (pending ones past their time expire on
//! the way) and carries out each approved one not yet claimed — the claim is a conditional write, so of every
//! replica and every person only one carries a request out. One decision line per request.

use super::log::{Decision, DecisionLog};
use crate::engine::approvals::ApprovalDesk;
use crate::review::ApprovalStatus;
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;

/// How often `watch` looks for approved requests.
pub const APPROVALS_EVERY: Duration = Duration::from_secs(15);

/// Requests carried out by a pass: (verified, not).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Carried {
    pub done: usize,
    pub failed: usize,
}

/// One pass: carries out every approved request, one after the other.
pub async fn carry_out_approved(desk: &ApprovalDesk, log: &DecisionLog) -> Carried {
    let mut carried = Carried::default();
    let requests = match desk.list(Utc::now()).await {
        Ok(requests) => requests,
        Err(e) => {
            log.write(&Decision::new("problem").reason(format!("approval requests cannot be read: {e}")));
            return carried;
        }
    };
    for request in requests.iter().filter(|r| r.status == ApprovalStatus::Approved) {
        let mut line = Decision::new("approval");
        line.finding = Some(request.finding.id.clone());
        line.account = Some(request.finding.account_id.clone());
        line.region = Some(request.finding.region.clone());
        line.control = request.finding.control_id.clone();
        line.resource = request.finding.resource_id.clone();
        log.write(&Decision {
            reason: Some(format!(
                "request {} approved by {}: carrying it out",
                request.id,
                request.decided_by.as_deref().unwrap_or("?")
            )),
            ..line.clone()
        });
        let state = desk.carry_out(request).await;
        let detail = state.detail().map(|d| format!(": {d}")).unwrap_or_default();
        let event = if state.is_success() { "approval-done" } else { "approval-failed" };
        log.write(&Decision {
            event,
            reason: Some(format!("request {}: {}{detail}", request.id, state.word())),
            ..line
        });
        if state.is_success() {
            carried.done += 1;
        } else {
            carried.failed += 1;
        }
    }
    carried
}

/// Passes every [`APPROVALS_EVERY`] until `stop` turns true; the total carried out.
pub fn spawn(
    desk: Arc<ApprovalDesk>,
    log: DecisionLog,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<Carried> {
    tokio::spawn(async move {
        let mut total = Carried::default();
        let mut tick = tokio::time::interval(APPROVALS_EVERY);
        loop {
            tokio::select! {
                changed = stop.changed() => if changed.is_err() || *stop.borrow() { return total },
                _ = tick.tick() => {
                    let pass = carry_out_approved(&desk, &log).await;
                    total.done += pass.done;
                    total.failed += pass.failed;
                }
            }
        }
    })
}
