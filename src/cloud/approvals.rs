//! Where approval requests live: the coordination table when one is configured (shared by the team and by every
//! `watch`), else the local store. Every change of status is conditional on the status read before it, so two
//! people deciding at the same moment record exactly one decision.

use crate::review::{ApprovalRequest, ApprovalStatus};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Why the requests could not be read or written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ApprovalError(pub String);

/// The book of approval requests.
#[async_trait]
pub trait ApprovalBook: Send + Sync {
    /// Where the requests are, for messages.
    fn describe(&self) -> String;
    /// Adds a new request (its id must be new).
    async fn add(&self, request: &ApprovalRequest) -> Result<(), ApprovalError>;
    async fn get(&self, id: &str) -> Result<Option<ApprovalRequest>, ApprovalError>;
    /// Every request, in no particular order.
    async fn list(&self) -> Result<Vec<ApprovalRequest>, ApprovalError>;
    /// Writes `next` in place of the request with its id only while that request's status still is `from`;
    /// `false` when someone else changed it first.
    async fn transition(&self, next: &ApprovalRequest, from: ApprovalStatus) -> Result<bool, ApprovalError>;
}

/// Requests in this process only (the demo, tests).
#[derive(Default)]
pub struct MemoryApprovals(Mutex<BTreeMap<String, ApprovalRequest>>);

impl MemoryApprovals {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, ApprovalRequest>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl ApprovalBook for MemoryApprovals {
    fn describe(&self) -> String {
        "this process's memory".into()
    }

    async fn add(&self, request: &ApprovalRequest) -> Result<(), ApprovalError> {
        let mut map = self.lock();
        if map.contains_key(&request.id) {
            return Err(ApprovalError(format!("request {} exists already", request.id)));
        }
        map.insert(request.id.clone(), request.clone());
        Ok(())
    }

    async fn get(&self, id: &str) -> Result<Option<ApprovalRequest>, ApprovalError> {
        Ok(self.lock().get(id).cloned())
    }

    async fn list(&self) -> Result<Vec<ApprovalRequest>, ApprovalError> {
        Ok(self.lock().values().cloned().collect())
    }

    async fn transition(&self, next: &ApprovalRequest, from: ApprovalStatus) -> Result<bool, ApprovalError> {
        let mut map = self.lock();
        match map.get_mut(&next.id) {
            Some(current) if current.status == from => {
                *current = next.clone();
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
