//! The work the UI asks the runtime to do. The app never awaits: every request leaves as an `Effect`, and
//! `session::Session::perform` hands it to the engine.

use crate::engine::approval_work::ApprovalOp;
use crate::engine::exceptions::ExceptionOp;
use crate::engine::jobs::ApplyRequest;
use crate::model::Finding;
use std::sync::Arc;

/// Work the UI asks the runtime to do.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Re-read the finding's resource and recompute its plan; answer tagged with `req`.
    LivePlan { req: u64, finding: Arc<Finding> },
    /// Fetch what changed since the last sync, now.
    RefreshNow,
    /// Read the live state of these findings and plan them (`Remediator::preview`); answer tagged with `req`.
    PreviewApply { req: u64, findings: Vec<Arc<Finding>> },
    /// Run the approved requests (`Remediator::submit`, one job each).
    Apply(Vec<ApplyRequest>),
    /// Roll back the apply job with this audit log name (`Remediator::rollback`).
    Rollback { audit_job: String },
    /// Switch incident mode (change windows lifted) on or off (`Remediator::set_incident`).
    SetIncident(bool),
    /// Add, renew or remove an exception, validated and confirmed (`Remediator::exception`, one job).
    Exception(Box<ExceptionOp>),
    /// List the exceptions of every account and region (`Remediator::refresh_exceptions`), answered by
    /// `Msg::Exceptions`.
    RefreshExceptions,
    /// Read the store's history and Security Hub's trend since `since` for the Overview, answered by `Msg::History`.
    LoadHistory { since: chrono::DateTime<chrono::Utc> },
    /// Run a custom action on these findings (`ActionRunner::start`); output arrives as `Msg::ActionOutput` and
    /// `Msg::ActionDone` tagged with `run`.
    RunAction { run: u64, action: String, findings: Vec<Arc<Finding>> },
    /// An operation on the approval desk (`engine::approval_work`), answered by `Msg::Approval` tagged with `req`.
    Approval { req: u64, op: ApprovalOp },
}
