//! The Approvals view's state: the requests as last listed, newest first, and where the view is.

use crate::model::sanitize::single_line;
use crate::review::{ApprovalRequest, ApprovalStatus};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// A finding as requests name it: product ARN and the id users see.
pub type FindingRef = (String, String);

/// The requests as last listed, and where the view is.
#[derive(Debug, Clone, Default)]
pub struct ApprovalList {
    /// Newest first.
    pub requests: Vec<ApprovalRequest>,
    pub selected: usize,
    /// A listing was asked for and has not arrived yet.
    pub loading: bool,
    pub listed_at: Option<DateTime<Utc>>,
    /// Why the last listing failed.
    pub error: Option<String>,
    /// The listing asked for last: older answers are dropped.
    pub(super) list_req: Option<u64>,
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

    /// A listing arrived: kept newest first, the selection on the same request where it still is; returns the
    /// findings whose latest request changed status.
    pub(super) fn set(&mut self, mut requests: Vec<ApprovalRequest>) -> HashSet<FindingRef> {
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
    pub(super) fn update(&mut self, request: &ApprovalRequest) {
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
