//! Approval requests: a finding whose verdict is `approve`, put up for a decision with its full plan. A request is
//! pending until approved, rejected or expired (`review.approval_ttl`); an approved one is then carried out once
//! (claimed, applied, and closed with its outcome). In account classes of `review.two_person_classes` the approver
//! must be another identity than the requester (the STS caller ARN, role session included).

use super::plan_file::PlannedFinding;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
    /// Not decided within the time to live: rejected, and the finding handed back as manual work.
    Expired,
    /// Approved and claimed by a process that is carrying it out.
    Applying,
    /// Carried out: the fix was verified (or there was nothing left to do).
    Applied,
    /// Carried out, but refused or failed: the outcome says why.
    Failed,
}

impl ApprovalStatus {
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
            Self::Applying => "applying",
            Self::Applied => "applied",
            Self::Failed => "failed",
        }
    }
}

impl std::fmt::Display for ApprovalStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One approval request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRequest {
    /// `apr-` and 12 hex digits.
    pub id: String,
    pub status: ApprovalStatus,
    /// The finding, its verdict and reason, and the full plan (steps, calls, CLI, rollback, fingerprint).
    pub finding: PlannedFinding,
    /// The class of the finding's account when the request was made.
    pub account_class: String,
    /// Whether the approver must be another identity than the requester.
    pub two_person: bool,
    pub policy_digest: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Why the requester asks (optional).
    pub note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was rejected, or how it expired.
    pub decision_note: Option<String>,
    /// Who carried it out, and how it ended.
    pub carried_out_by: Option<String>,
    pub outcome: Option<String>,
}

impl ApprovalRequest {
    /// A pending request made by `requester` at `now` for `finding` (which holds a plan), expiring after `ttl`.
    pub fn new(
        finding: PlannedFinding,
        account_class: &str,
        two_person: bool,
        policy_digest: String,
        requester: &str,
        now: DateTime<Utc>,
        ttl: std::time::Duration,
    ) -> Self {
        let id = request_id(&finding, requester, now);
        let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(24));
        Self {
            id,
            status: ApprovalStatus::Pending,
            finding,
            account_class: account_class.to_string(),
            two_person,
            policy_digest,
            requested_by: requester.to_string(),
            requested_at: now,
            expires_at: now + ttl,
            note: None,
            decided_by: None,
            decided_at: None,
            decision_note: None,
            carried_out_by: None,
            outcome: None,
        }
    }

    /// Whether it is still pending past its expiry.
    pub fn is_due_to_expire(&self, now: DateTime<Utc>) -> bool {
        self.status == ApprovalStatus::Pending && now >= self.expires_at
    }

    /// Whether `approver` may approve it now; the refusal says why.
    pub fn check_approver(&self, approver: &str, now: DateTime<Utc>) -> Result<(), String> {
        if self.status != ApprovalStatus::Pending {
            return Err(self.already_decided());
        }
        if now >= self.expires_at {
            return Err(format!(
                "request {} expired at {} without a decision; request it again",
                self.id,
                self.expires_at.to_rfc3339()
            ));
        }
        if self.two_person && same_identity(approver, &self.requested_by) {
            return Err(format!(
                "request {} is for a {} account: it must be approved by another identity than the requester's \
                 ({}); nothing was approved",
                self.id, self.account_class, self.requested_by
            ));
        }
        Ok(())
    }

    /// "already approved by … at …", for a request that is not pending.
    pub fn already_decided(&self) -> String {
        let by = self.decided_by.as_deref().map(|b| format!(" by {b}")).unwrap_or_default();
        let at = self.decided_at.map(|t| format!(" at {}", t.to_rfc3339())).unwrap_or_default();
        format!("request {} is already {}{by}{at}", self.id, self.status)
    }

    /// This request decided: `status` by `who` at `now`, with an optional note.
    pub fn decided(&self, status: ApprovalStatus, who: &str, now: DateTime<Utc>, note: Option<String>) -> Self {
        Self { status, decided_by: Some(who.to_string()), decided_at: Some(now), decision_note: note, ..self.clone() }
    }

    /// The note a finding gets when its request expired: handed back as manual work.
    pub fn handed_back_note(&self) -> String {
        format!(
            "approval request {} (by {}) expired unanswered at {}: handed back as manual work",
            self.id,
            self.requested_by,
            self.expires_at.format("%Y-%m-%d %H:%M UTC")
        )
    }
}

/// Two caller ARNs are one identity when they are equal (an STS assumed-role ARN names the role session, so two
/// sessions of one role are two identities).
pub fn same_identity(a: &str, b: &str) -> bool {
    a.trim() == b.trim()
}

/// `apr-` and 12 hex digits of a hash of the finding, the requester and the time.
fn request_id(finding: &PlannedFinding, requester: &str, now: DateTime<Utc>) -> String {
    let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    let digest = crate::playbook::fingerprint(&[&finding.product_arn, &finding.id, requester, &stamp]);
    format!("apr-{}", &digest[..12])
}

#[cfg(test)]
#[path = "approval_tests.rs"]
mod tests;
