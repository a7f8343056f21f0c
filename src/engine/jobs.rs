//! Remediation jobs as the UI sees them: one per (resource, control) change or rollback, with live state.

use crate::model::FindingKey;
use chrono::{DateTime, Utc};

/// A job's id, unique within a session.
pub type JobId = u64;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Apply an approved plan (by the operator, or by the auto-fix switch).
    Apply { auto: bool },
    /// Restore the before-state recorded by an earlier fix.
    Rollback,
    /// Re-check a change whose outcome the audit log does not record (the process stopped mid-change).
    Recheck,
    /// Add or renew an exception tag on a resource.
    ExceptionAdd,
    /// Remove an exception tag from a resource.
    ExceptionRemove,
}

impl JobKind {
    pub fn word(self) -> &'static str {
        match self {
            Self::Apply { auto: false } => "apply",
            Self::Apply { auto: true } => "auto-fix",
            Self::Rollback => "rollback",
            Self::Recheck => "re-check",
            Self::ExceptionAdd => "exception",
            Self::ExceptionRemove => "exception removal",
        }
    }
}

/// Where a job is.
#[derive(Debug, Clone, PartialEq)]
pub enum JobState {
    /// Waiting for a free slot or for another job on the same resource.
    Queued,
    /// Re-reading the resource and recomputing the plan.
    Checking,
    /// Making the calls.
    Applying,
    /// Re-reading the resource until it shows the desired state.
    Verifying {
        attempt: u32,
        of: u32,
    },
    /// The desired state was read back.
    Verified,
    /// Verified, and the findings are RESOLVED in Security Hub.
    Resolved,
    /// Verified, but updating the findings failed; the fix stands.
    ResolveFailed(String),
    /// Nothing to do: the resource already is in the desired state.
    NoOp(String),
    /// Not attempted; nothing changed.
    Refused(String),
    /// A call or the verification failed.
    Failed(String),
    RollingBack,
    /// The before-state was restored and read back.
    RolledBack,
}

impl JobState {
    /// A short word for the Jobs pane and the table.
    pub fn word(&self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Checking => "checking",
            Self::Applying => "applying",
            Self::Verifying { .. } => "verifying",
            Self::Verified => "verified",
            Self::Resolved => "resolved",
            Self::ResolveFailed(_) => "verified, update failed",
            Self::NoOp(_) => "no-op",
            Self::Refused(_) => "refused",
            Self::Failed(_) => "failed",
            Self::RollingBack => "rolling back",
            Self::RolledBack => "rolled back",
        }
    }

    /// Whether the job has ended.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Verified
                | Self::Resolved
                | Self::ResolveFailed(_)
                | Self::NoOp(_)
                | Self::Refused(_)
                | Self::Failed(_)
                | Self::RolledBack
        )
    }

    /// Whether the job ended with the resource in the state it aimed for.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Verified | Self::Resolved | Self::ResolveFailed(_) | Self::NoOp(_) | Self::RolledBack)
    }

    /// The detail text of the state (errors, reasons), if any.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Self::ResolveFailed(s) | Self::NoOp(s) | Self::Refused(s) | Self::Failed(s) => Some(s),
            _ => None,
        }
    }
}

/// A job's current picture, sent to the UI on every change.
#[derive(Debug, Clone, PartialEq)]
pub struct JobUpdate {
    pub id: JobId,
    /// The job's name in the audit log (`job` field), unique across sessions.
    pub audit_job: String,
    pub kind: JobKind,
    pub findings: Vec<FindingKey>,
    pub control_id: String,
    pub playbook: String,
    pub account_id: String,
    pub region: String,
    /// The resource id or ARN.
    pub resource: String,
    /// The fingerprint of the plan being applied.
    pub fingerprint: String,
    pub state: JobState,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl JobUpdate {
    /// The workflow status this update means hubtriage set on its findings in Security Hub: RESOLVED when a fix
    /// was verified (or found nothing to do), NEW when a rollback restored the before-state.
    pub fn workflow_set(&self) -> Option<crate::model::WorkflowStatus> {
        match (&self.state, self.kind) {
            (JobState::Resolved | JobState::NoOp(_), JobKind::Apply { .. }) => {
                Some(crate::model::WorkflowStatus::Resolved)
            }
            (JobState::RolledBack, _) => Some(crate::model::WorkflowStatus::New),
            _ => None,
        }
    }
}

/// A fix to run: findings on one resource for one control, with the plan the operator approved.
#[derive(Debug, Clone)]
pub struct ApplyRequest {
    /// At least one; all on the same resource, account and region, with the same control.
    pub findings: Vec<std::sync::Arc<crate::model::Finding>>,
    pub control_id: String,
    /// The live plan the operator saw and approved; the job refuses when the re-read state gives another
    /// fingerprint. `None` only for the auto-fix switch, where policy approves whatever the live plan is.
    pub approved: Option<crate::playbook::Plan>,
    /// Where the approval came from when not from the operator's own review in this run (a plan file, an approval
    /// request), for the audit record.
    pub origin: Option<String>,
}

/// One finding of an apply preview: its live assessment, or why it could not be read.
#[derive(Debug, Clone)]
pub struct PreviewItem {
    pub finding: std::sync::Arc<crate::model::Finding>,
    pub result: Result<crate::triage::Assessment, String>,
    /// The lease someone else holds on the finding's resource right now (who, since when): it is not applied.
    pub holder: Option<crate::cloud::coordination::Lease>,
}

/// Groups approved (finding, live plan) pairs into requests: findings on the same resource for the same control with
/// the same plan fingerprint become one job, so one resource gets one change.
pub fn group_requests(items: Vec<(std::sync::Arc<crate::model::Finding>, crate::playbook::Plan)>) -> Vec<ApplyRequest> {
    let mut requests: Vec<ApplyRequest> = Vec::new();
    for (finding, plan) in items {
        let control = finding.control_id.as_deref().unwrap_or_default().to_string();
        let resource = finding.primary_resource().map(|r| r.id.clone()).unwrap_or_default();
        let same = |r: &ApplyRequest| {
            let first = &r.findings[0];
            first.account_id == finding.account_id
                && first.region == finding.region
                && first.primary_resource().map(|r| r.id.as_str()) == Some(resource.as_str())
                && r.control_id == control
                && r.approved.as_ref().map(|p| &p.fingerprint) == Some(&plan.fingerprint)
        };
        match requests.iter_mut().find(|r| same(r)) {
            Some(request) => request.findings.push(finding),
            None => requests.push(ApplyRequest {
                findings: vec![finding],
                control_id: control,
                approved: Some(plan),
                origin: None,
            }),
        }
    }
    requests
}
