//! Approval requests in the TUI: the Approvals view's state (`7`, `r`), putting the selected finding's plan up for
//! approval (`p`), and what the desk's answers change. Nothing here awaits: operations leave as `Effect::Approval`
//! and the answers arrive as `Msg::Approval`; the decision keys (`y`, `n`) and their dialogs are in
//! `approval_dialog.rs`.

use super::app::{App, Effect, View};
use crate::engine::approval_work::{ApprovalOp, ApprovalReply};
use crate::engine::jobs::JobState;
use crate::model::sanitize::single_line;
use crate::review::{ApprovalRequest, ApprovalStatus};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// What `p`, `7`, `y` and `n` say while the session connects.
pub const APPROVALS_CONNECTING: &str = "approval requests: still connecting, try again in a moment";

/// Whether this session has an approval desk.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum DeskState {
    /// The session is still connecting.
    #[default]
    Connecting,
    Ready,
    /// No desk, and why (offline, or no store and no coordination table).
    Unavailable(String),
}

/// A finding as requests name it: product ARN and the id users see.
type FindingRef = (String, String);

/// The requests as last listed, and where the view is.
#[derive(Debug, Clone, Default)]
pub struct ApprovalList {
    pub desk: DeskState,
    /// Newest first.
    pub requests: Vec<ApprovalRequest>,
    pub selected: usize,
    /// A listing was asked for and has not arrived yet.
    pub loading: bool,
    pub listed_at: Option<DateTime<Utc>>,
    /// Why the last listing failed.
    pub error: Option<String>,
    /// The listing asked for last: older answers are dropped.
    list_req: Option<u64>,
    /// The status of each finding's latest request as last listed: a change re-reads the finding's verdict
    /// (an expired request hands it back as manual work; a new request takes it back).
    latest: HashMap<FindingRef, ApprovalStatus>,
}

impl ApprovalList {
    /// The request under the cursor.
    pub fn selected_request(&self) -> Option<&ApprovalRequest> {
        self.requests.get(self.selected)
    }

    /// Pending requests.
    pub fn pending(&self) -> usize {
        self.requests.iter().filter(|r| r.status == ApprovalStatus::Pending).count()
    }

    /// Why approval requests cannot be used now, if they cannot.
    pub fn unavailable(&self) -> Option<String> {
        match &self.desk {
            DeskState::Ready => None,
            DeskState::Connecting => Some(APPROVALS_CONNECTING.into()),
            DeskState::Unavailable(why) if why.starts_with("approval requests") => Some(single_line(why)),
            DeskState::Unavailable(why) => Some(format!("approval requests are unavailable: {}", single_line(why))),
        }
    }

    /// A listing arrived: kept newest first, the selection on the same request where it still is; returns the
    /// findings whose latest request changed status.
    fn set(&mut self, mut requests: Vec<ApprovalRequest>) -> HashSet<FindingRef> {
        requests.sort_by(|a, b| b.requested_at.cmp(&a.requested_at).then_with(|| a.id.cmp(&b.id)));
        let selected_id = self.selected_request().map(|r| r.id.clone());
        self.selected = selected_id
            .and_then(|id| requests.iter().position(|r| r.id == id))
            .unwrap_or(self.selected)
            .min(requests.len().saturating_sub(1));
        let mut latest: HashMap<FindingRef, ApprovalStatus> = HashMap::new();
        // Newest first: the first seen of a finding is its latest request.
        for r in &requests {
            latest.entry((r.finding.product_arn.clone(), r.finding.id.clone())).or_insert(r.status);
        }
        let changed = latest
            .iter()
            .filter(|(key, status)| self.latest.get(*key) != Some(status))
            .map(|(key, _)| key.clone())
            .chain(self.latest.keys().filter(|key| !latest.contains_key(*key)).cloned())
            .collect();
        self.latest = latest;
        self.requests = requests;
        self.loading = false;
        self.error = None;
        self.listed_at = Some(Utc::now());
        changed
    }

    /// A decision arrived before the next listing: the request shows it at once.
    fn update(&mut self, request: &ApprovalRequest) {
        if let Some(entry) = self.requests.iter_mut().find(|r| r.id == request.id) {
            *entry = request.clone();
        }
    }
}

/// Who asked, short: "Triage/alice" of `arn:aws:sts::1:assumed-role/Triage/alice` (role and session).
pub fn short_identity(arn: &str) -> String {
    let short = arn
        .split_once(":assumed-role/")
        .or_else(|| arn.split_once(":user/"))
        .or_else(|| arn.split_once(":role/"))
        .map(|(_, rest)| rest)
        .unwrap_or(arn);
    single_line(short)
}

impl App {
    /// `7`: shows the Approvals view and lists the requests again.
    pub(super) fn show_approvals(&mut self) -> Vec<Effect> {
        if self.view == View::Approvals {
            return Vec::new();
        }
        self.view = View::Approvals;
        self.refresh_approvals()
    }

    /// `r` in the Approvals view: lists the requests (pending ones past their time are expired by the desk).
    pub(super) fn refresh_approvals(&mut self) -> Vec<Effect> {
        if let Some(why) = self.approvals.unavailable() {
            self.status_message = Some(why);
            return Vec::new();
        }
        let req = self.next_req();
        self.approvals.loading = true;
        self.approvals.list_req = Some(req);
        vec![Effect::Approval { req, op: ApprovalOp::List }]
    }

    /// Whether approval requests can be made or decided now; else the status line says why.
    pub(super) fn approvals_usable(&mut self) -> bool {
        if let Some(why) = self.approvals.unavailable() {
            self.status_message = Some(why);
            return false;
        }
        if self.read_only {
            self.status_message = Some("read-only mode: approval requests are neither made nor decided".into());
            return false;
        }
        true
    }

    /// `p` in the Findings view: the note form for putting the selected finding's plan up for approval.
    pub(super) fn start_request_approval(&mut self) {
        if self.view != View::Findings {
            self.status_message =
                Some("p puts the selected finding's plan up for approval: in the Findings view (1)".into());
            return;
        }
        if !self.approvals_usable() {
            return;
        }
        let Some(row) = self.listing.selected_row() else {
            self.status_message = Some("no finding selected".into());
            return;
        };
        let finding = row.finding.clone();
        self.open_request_form(finding);
    }

    /// The desk answered.
    pub(super) fn on_approval(&mut self, req: u64, reply: ApprovalReply) {
        let message = match reply {
            ApprovalReply::Listed(result) => {
                if self.approvals.list_req == Some(req) {
                    self.on_listing(result);
                }
                return;
            }
            ApprovalReply::Requested(Ok(r)) => {
                let who = if r.two_person { "another identity than yours" } else { "anyone allowed" };
                format!(
                    "approval requested: {} pending until {}; {who} may approve it (7 shows the requests)",
                    r.id,
                    r.expires_at.format("%Y-%m-%d %H:%M UTC")
                )
            }
            ApprovalReply::Requested(Err(why)) => format!("approval not requested: {why}"),
            ApprovalReply::Approved { id, result: Ok(r) } => {
                self.approvals.update(&r);
                format!("request {id} approved: carrying it out… (3 shows the job)")
            }
            ApprovalReply::Approved { id, result: Err(why) } => format!("request {id} not approved: {why}"),
            ApprovalReply::Rejected { id, result: Ok(r) } => {
                self.approvals.update(&r);
                format!("request {id} rejected: {}", r.decision_note.as_deref().unwrap_or_default())
            }
            ApprovalReply::Rejected { id, result: Err(why) } => format!("request {id} not rejected: {why}"),
            ApprovalReply::CarriedOut { id, state } => carried_out(&id, &state),
        };
        self.status_message = Some(single_line(&message));
        // Whatever happened, the list shows it now (a refusal may mean someone decided meanwhile), and the table
        // learns which findings changed hands.
        let effects = self.refresh_approvals();
        self.queued_effects.extend(effects);
    }

    fn on_listing(&mut self, result: Result<Vec<ApprovalRequest>, String>) {
        match result {
            Ok(requests) => {
                let changed = self.approvals.set(requests);
                self.reassess_handed_back(&changed);
            }
            Err(why) => {
                self.approvals.loading = false;
                self.approvals.error = Some(single_line(&why));
                self.status_message = Some(single_line(&format!("approval requests could not be listed: {why}")));
            }
        }
    }

    /// The verdicts of these findings are read again (live), so one handed back shows `manual` with its note and
    /// one requested again shows its policy verdict.
    fn reassess_handed_back(&mut self, findings: &HashSet<FindingRef>) {
        if findings.is_empty() || !self.live_reads {
            return;
        }
        let affected: Vec<_> = self
            .listing
            .all()
            .iter()
            .filter(|r| findings.contains(&(r.finding.product_arn.to_string(), r.finding.public_id().to_string())))
            .map(|r| r.finding.clone())
            .collect();
        self.reread_live(affected);
    }
}

/// "request apr-… carried out: verified" / "…: refused: …".
fn carried_out(id: &str, state: &JobState) -> String {
    let detail = state.detail().map(|d| format!(": {}", single_line(d))).unwrap_or_default();
    format!("request {id} carried out: {}{detail}", state.word())
}

#[cfg(test)]
#[path = "approvals_tests.rs"]
mod tests;
