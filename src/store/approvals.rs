//! Approval requests in the local store (no coordination table configured): one row per request, its status in a
//! column of its own so each transition is one conditional UPDATE.

use super::Store;
use crate::cloud::approvals::{ApprovalBook, ApprovalError};
use crate::model::sanitize::single_line;
use crate::review::{ApprovalRequest, ApprovalStatus};
use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

impl Store {
    fn approval_error(&self, what: &str, e: impl std::fmt::Display) -> ApprovalError {
        ApprovalError(format!("{what} in the store {}: {e}", self.path.display()))
    }
}

/// A request read back from its JSON; a row that is not one is named.
fn parse(id: &str, text: &str) -> Result<ApprovalRequest, ApprovalError> {
    serde_json::from_str(text)
        .map_err(|e| ApprovalError(format!("approval request {} in the store cannot be read: {e}", single_line(id))))
}

#[async_trait]
impl ApprovalBook for Store {
    fn describe(&self) -> String {
        format!("the local store {}", self.path.display())
    }

    async fn add(&self, request: &ApprovalRequest) -> Result<(), ApprovalError> {
        let text = serde_json::to_string(request).map_err(|e| self.approval_error("writing a request", e))?;
        self.lock()
            .execute(
                "INSERT INTO approvals (id, status, requested_at, request) VALUES (?1, ?2, ?3, ?4)",
                params![request.id, request.status.name(), request.requested_at.to_rfc3339(), text],
            )
            .map_err(|e| self.approval_error("writing a request", e))?;
        Ok(())
    }

    async fn get(&self, id: &str) -> Result<Option<ApprovalRequest>, ApprovalError> {
        let text: Option<String> = self
            .lock()
            .query_row("SELECT request FROM approvals WHERE id = ?1", params![id], |r| r.get(0))
            .optional()
            .map_err(|e| self.approval_error("reading a request", e))?;
        text.map(|t| parse(id, &t)).transpose()
    }

    async fn list(&self) -> Result<Vec<ApprovalRequest>, ApprovalError> {
        let conn = self.lock();
        let mut statement = conn
            .prepare("SELECT id, request FROM approvals ORDER BY requested_at")
            .map_err(|e| self.approval_error("reading the requests", e))?;
        let rows = statement
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.approval_error("reading the requests", e))?;
        let mut requests = Vec::new();
        for row in rows {
            let (id, text) = row.map_err(|e| self.approval_error("reading the requests", e))?;
            requests.push(parse(&id, &text)?);
        }
        Ok(requests)
    }

    async fn transition(&self, next: &ApprovalRequest, from: ApprovalStatus) -> Result<bool, ApprovalError> {
        let text = serde_json::to_string(next).map_err(|e| self.approval_error("writing a request", e))?;
        let changed = self
            .lock()
            .execute(
                "UPDATE approvals SET status = ?1, request = ?2 WHERE id = ?3 AND status = ?4",
                params![next.status.name(), text, next.id, from.name()],
            )
            .map_err(|e| self.approval_error("writing a request", e))?;
        Ok(changed == 1)
    }
}
