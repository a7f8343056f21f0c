//! The approval desk's operations as tasks, for the TUI: each runs off the draw loop and answers with one
//! `Msg::Approval` tagged with the request id it was asked with; an approval also carries the request out, its job
//! reporting to the Jobs view like any other.

use super::approvals::ApprovalDesk;
use super::jobs::JobState;
use super::Msg;
use crate::model::Finding;
use crate::review::ApprovalRequest;
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// What the operator asked of the desk.
#[derive(Debug, Clone)]
pub enum ApprovalOp {
    /// Put this finding's plan up for approval (read live), with an optional note.
    Request { finding: Arc<Finding>, note: Option<String> },
    /// Every request, newest first (pending ones past their time expired first).
    List,
    /// Approve this request, then carry it out.
    Approve { id: String },
    /// Reject this request with a reason.
    Reject { id: String, reason: String },
}

/// The desk's answer.
#[derive(Debug)]
pub enum ApprovalReply {
    Requested(Result<ApprovalRequest, String>),
    Listed(Result<Vec<ApprovalRequest>, String>),
    Approved {
        id: String,
        result: Result<ApprovalRequest, String>,
    },
    Rejected {
        id: String,
        result: Result<ApprovalRequest, String>,
    },
    /// An approved request was carried out (or refused when claimed): how its job ended.
    CarriedOut {
        id: String,
        state: JobState,
    },
}

/// Runs `op` on the desk in a task; the answer arrives as `Msg::Approval { req, .. }`.
pub fn spawn(desk: Arc<ApprovalDesk>, req: u64, op: ApprovalOp, tx: UnboundedSender<Msg>) {
    tokio::spawn(async move { perform(&desk, req, op, &tx).await });
}

/// Runs `op` on the desk and sends the answers (an approval sends two: the decision, then the outcome).
pub async fn perform(desk: &ApprovalDesk, req: u64, op: ApprovalOp, tx: &UnboundedSender<Msg>) {
    let send = |reply: ApprovalReply| {
        let _ = tx.send(Msg::Approval { req, reply: Box::new(reply) });
    };
    let now = Utc::now();
    match op {
        ApprovalOp::Request { finding, note } => send(ApprovalReply::Requested(desk.request(finding, note, now).await)),
        ApprovalOp::List => send(ApprovalReply::Listed(desk.list(now).await)),
        ApprovalOp::Reject { id, reason } => {
            let result = desk.reject(&id, &reason, now).await;
            send(ApprovalReply::Rejected { id, result });
        }
        ApprovalOp::Approve { id } => {
            let result = desk.approve(&id, now).await;
            let approved = result.as_ref().ok().cloned();
            send(ApprovalReply::Approved { id: id.clone(), result });
            if let Some(approved) = approved {
                let state = desk.carry_out_reporting(&approved, Some(tx.clone())).await;
                send(ApprovalReply::CarriedOut { id, state });
            }
        }
    }
}
