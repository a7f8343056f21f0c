//! The approval desk: puts a finding's plan up for approval, lists, approves, rejects and expires requests, and
//! carries out an approved one exactly once. Every step is a conditional transition in the book (so two people
//! deciding at once record exactly one decision), then audited and notified. Expired requests hand their findings
//! back as manual work (see `policy::handed_back`).

use crate::cloud::approvals::ApprovalBook;
use crate::config_review::ReviewConfig;
use crate::engine::audit::AuditEvent;
use crate::engine::jobs::{ApplyRequest, JobState};
use crate::engine::remediate::Remediator;
use crate::engine::Row;
use crate::model::sanitize::single_line;
use crate::review::{ApprovalRequest, ApprovalStatus, PlannedFinding};
use crate::triage::Triage;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Approval requests for one run.
pub struct ApprovalDesk {
    book: Arc<dyn ApprovalBook>,
    remediator: Arc<Remediator>,
    triage: Arc<Triage>,
    review: ReviewConfig,
    policy_digest: String,
}

impl ApprovalDesk {
    pub fn new(
        book: Arc<dyn ApprovalBook>,
        remediator: Arc<Remediator>,
        triage: Arc<Triage>,
        review: ReviewConfig,
        policy_digest: String,
    ) -> Self {
        Self { book, remediator, triage, review, policy_digest }
    }

    /// Where the requests live, for messages.
    pub fn describe(&self) -> String {
        self.book.describe()
    }

    fn operator(&self) -> &str {
        self.remediator.operator()
    }

    fn writable(&self) -> Result<(), String> {
        if self.remediator.read_only() {
            return Err("read-only mode: approval requests are neither made nor decided".into());
        }
        Ok(())
    }

    /// Puts `finding`'s plan up for approval, read live now: its verdict must be `approve` (a finding handed back
    /// by an expired request may be requested again), it must have a plan, and no request for it may be pending.
    pub async fn request(
        &self,
        finding: Arc<crate::model::Finding>,
        note: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<ApprovalRequest, String> {
        self.writable()?;
        let mut requests = self.list(now).await?;
        let (product_arn, id) = (finding.product_arn.to_string(), finding.public_id().to_string());
        let same = |r: &&ApprovalRequest| r.finding.id == id && r.finding.product_arn == product_arn;
        if let Some(open) = requests.iter().filter(same).find(|r| r.status == ApprovalStatus::Pending) {
            return Err(format!("request {} by {} is pending already for this finding", open.id, open.requested_by));
        }
        // Asking again is what a finding handed back waits for: its verdict is the policy's own for this request.
        self.triage.policy.handed_back.forget(&product_arn, &id);
        let finding_json = finding.raw.text().ok().map(|t| t.into_owned());
        let entry = match self.live_entry(finding).await {
            Ok(entry) => entry,
            Err(why) => {
                self.hand_back(&requests);
                return Err(why);
            }
        };
        let class = self.triage.policy.class_of(&entry.account_id).to_string();
        let two_person = self.review.needs_two_people(&class);
        let ttl = self.review.approval_ttl();
        let digest = self.policy_digest.clone();
        let mut request = ApprovalRequest::new(entry, &class, two_person, digest, self.operator(), now, ttl);
        request.note = note.map(|n| single_line(&n));
        request.finding_json = finding_json;
        if let Err(e) = self.book.add(&request).await {
            self.hand_back(&requests);
            return Err(e.to_string());
        }
        requests.push(request.clone());
        self.hand_back(&requests);
        let who = if two_person { "another identity" } else { "anyone allowed" };
        let message = format!("requested; {who} may approve it until {}", request.expires_at.to_rfc3339());
        self.remediator.announce_approval(&request, AuditEvent::ApprovalRequested, message).await?;
        Ok(request)
    }

    /// The finding assessed from its resource's live state, as a request carries it; refused unless its verdict is
    /// `approve` with a live plan.
    async fn live_entry(&self, finding: Arc<crate::model::Finding>) -> Result<PlannedFinding, String> {
        let item = self.remediator.assess_all(vec![finding]).await.into_iter().next();
        let Some(item) = item else { return Err("nothing was assessed".into()) };
        let assessment = item.result.map_err(|e| format!("its resource could not be read: {}", single_line(&e)))?;
        let entry = PlannedFinding::of(&Row::new(item.finding, assessment), None);
        let label = entry.label();
        if entry.verdict != crate::policy::Verdict::NeedsApproval {
            return Err(format!(
                "{label}: its verdict is {} ({}), not approve: only findings policy sends to a person are put up \
                 for approval",
                entry.verdict,
                single_line(&entry.reason)
            ));
        }
        if entry.plan.is_none() {
            return Err(format!("{label}: no plan ({})", entry.plan_status));
        }
        Ok(entry)
    }

    /// Every request, pending ones past their time expired first (unless read-only), newest first.
    pub async fn list(&self, now: DateTime<Utc>) -> Result<Vec<ApprovalRequest>, String> {
        let mut requests = self.book.list().await.map_err(|e| e.to_string())?;
        if !self.remediator.read_only() {
            for request in requests.iter_mut().filter(|r| r.is_due_to_expire(now)) {
                if let Some(expired) = self.expire(request, now).await? {
                    *request = expired;
                }
            }
        }
        requests.sort_by(|a, b| b.requested_at.cmp(&a.requested_at).then_with(|| a.id.cmp(&b.id)));
        self.hand_back(&requests);
        Ok(requests)
    }

    /// One request (expired first when due).
    pub async fn get(&self, id: &str, now: DateTime<Utc>) -> Result<ApprovalRequest, String> {
        let request = self.book.get(id).await.map_err(|e| e.to_string())?;
        let Some(request) = request else {
            return Err(format!("no approval request {} in {}", single_line(id), self.book.describe()));
        };
        if request.is_due_to_expire(now) && !self.remediator.read_only() {
            return Ok(self.expire(&request, now).await?.unwrap_or(request));
        }
        Ok(request)
    }

    /// Expires a pending request past its time: rejected, audited, notified; `None` when someone decided it first.
    async fn expire(&self, request: &ApprovalRequest, now: DateTime<Utc>) -> Result<Option<ApprovalRequest>, String> {
        let note = request.handed_back_note();
        let expired = request.decided(ApprovalStatus::Expired, "hubtriage (approval_ttl)", now, Some(note.clone()));
        if !self.book.transition(&expired, ApprovalStatus::Pending).await.map_err(|e| e.to_string())? {
            return self.book.get(&request.id).await.map_err(|e| e.to_string());
        }
        self.remediator.announce_approval(&expired, AuditEvent::ApprovalExpired, note).await?;
        Ok(Some(expired))
    }

    /// Approves a pending request as this run's identity; the refusal says why (expired, decided already, the
    /// requester approving a two-person request, someone else deciding at the same moment).
    pub async fn approve(&self, id: &str, now: DateTime<Utc>) -> Result<ApprovalRequest, String> {
        self.decide(id, ApprovalStatus::Approved, None, now).await
    }

    /// Rejects a pending request (the requester may withdraw their own).
    pub async fn reject(&self, id: &str, reason: &str, now: DateTime<Utc>) -> Result<ApprovalRequest, String> {
        self.decide(id, ApprovalStatus::Rejected, Some(single_line(reason)), now).await
    }

    async fn decide(
        &self,
        id: &str,
        status: ApprovalStatus,
        note: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<ApprovalRequest, String> {
        self.writable()?;
        let request = self.get(id, now).await?;
        match status {
            ApprovalStatus::Approved => request.check_approver(self.operator(), now)?,
            _ if request.status != ApprovalStatus::Pending => return Err(request.already_decided()),
            _ => {}
        }
        let decided = request.decided(status, self.operator(), now, note.clone());
        if !self.book.transition(&decided, ApprovalStatus::Pending).await.map_err(|e| e.to_string())? {
            let now_there = self.book.get(id).await.map_err(|e| e.to_string())?.unwrap_or(request);
            return Err(format!("decided meanwhile: {}; nothing was recorded by you", now_there.already_decided()));
        }
        let (event, words) = match status {
            ApprovalStatus::Approved => (AuditEvent::ApprovalApproved, "approved".to_string()),
            _ => (AuditEvent::ApprovalRejected, format!("rejected: {}", note.unwrap_or_default())),
        };
        self.remediator.announce_approval(&decided, event, format!("{words} by {}", self.operator())).await?;
        Ok(decided)
    }

    /// Carries out an approved request once: claims it (approved → applying), applies exactly its plan (the job
    /// re-reads the resource and refuses if anything differs), and closes it with the outcome.
    pub async fn carry_out(&self, request: &ApprovalRequest) -> JobState {
        self.carry_out_reporting(request, None).await
    }

    /// [`Self::carry_out`], the job's progress sent to `tx` (the TUI's Jobs view) as it goes.
    pub async fn carry_out_reporting(
        &self,
        request: &ApprovalRequest,
        tx: Option<tokio::sync::mpsc::UnboundedSender<crate::engine::Msg>>,
    ) -> JobState {
        let Some(plan) = request.finding.plan.as_ref().and_then(|p| p.to_plan(&self.triage.playbooks)) else {
            return JobState::Refused(format!("request {} holds no plan this hubtriage can apply", request.id));
        };
        let findings = match finding_of(request) {
            Ok(finding) => vec![Arc::new(finding)],
            Err(why) => return JobState::Refused(why),
        };
        let mut claimed = request.clone();
        claimed.status = ApprovalStatus::Applying;
        claimed.carried_out_by = Some(self.operator().to_string());
        match self.book.transition(&claimed, ApprovalStatus::Approved).await {
            Ok(true) => {}
            Ok(false) => {
                let status = self.book.get(&request.id).await.ok().flatten().map(|r| r.status.name()).unwrap_or("gone");
                return JobState::Refused(format!(
                    "request {} is {status}, not waiting to be carried out: it is being or was carried out already",
                    request.id
                ));
            }
            Err(e) => return JobState::Refused(format!("request {} could not be claimed: {e}", request.id)),
        }
        let origin = format!(
            "approval request {} by {}, approved by {}",
            request.id,
            request.requested_by,
            request.decided_by.as_deref().unwrap_or("?")
        );
        let control_id = request.finding.control_id.clone().unwrap_or_default();
        let apply = ApplyRequest { findings, control_id, approved: Some(plan), origin: Some(single_line(&origin)) };
        let id = self.remediator.next_job_id();
        let state = self.remediator.run_apply(id, apply, tx).await;
        let mut closed = claimed.clone();
        closed.status = if state.is_success() { ApprovalStatus::Applied } else { ApprovalStatus::Failed };
        closed.outcome = Some(match state.detail() {
            Some(detail) => format!("{}: {}", state.word(), single_line(detail)),
            None => state.word().to_string(),
        });
        if let Err(e) = self.book.transition(&closed, ApprovalStatus::Applying).await {
            tracing::error!(request = %request.id, "closing the request failed: {e}");
        }
        state
    }

    /// Hands back the findings of expired requests without writing anything (pending ones past their time count as
    /// expired): for `plan` and read-only runs.
    pub async fn peek(&self, now: DateTime<Utc>) -> Result<(), String> {
        let mut requests = self.book.list().await.map_err(|e| e.to_string())?;
        for request in requests.iter_mut().filter(|r| r.is_due_to_expire(now)) {
            request.status = ApprovalStatus::Expired;
        }
        self.hand_back(&requests);
        Ok(())
    }

    /// Hands the findings of expired requests back as manual work (the latest request per finding decides).
    fn hand_back(&self, requests: &[ApprovalRequest]) {
        let mut latest: std::collections::HashMap<(String, String), &ApprovalRequest> = Default::default();
        for request in requests {
            let key = (request.finding.product_arn.clone(), request.finding.id.clone());
            let newer = latest.get(&key).is_none_or(|seen| seen.requested_at < request.requested_at);
            if newer {
                latest.insert(key, request);
            }
        }
        self.triage.policy.handed_back.replace(
            latest
                .into_iter()
                .filter(|(_, r)| r.status == ApprovalStatus::Expired)
                .map(|(key, r)| (key, r.handed_back_note())),
        );
    }

    /// Loads the requests once so that findings handed back show `manual` from the start.
    pub async fn load(&self, now: DateTime<Utc>) -> Result<usize, String> {
        Ok(self.list(now).await?.len())
    }
}

/// The finding a request was made for, read back from the JSON it keeps.
fn finding_of(request: &ApprovalRequest) -> Result<crate::model::Finding, String> {
    let text = request.finding_json.as_deref().ok_or_else(|| format!("request {} keeps no finding", request.id))?;
    let mut outcome = crate::model::read_any(text);
    match outcome.findings.pop() {
        Some(finding) if outcome.findings.is_empty() => Ok(finding),
        _ => Err(format!("request {}: its finding cannot be read back", request.id)),
    }
}

#[cfg(test)]
#[path = "approvals_tests.rs"]
mod tests;
