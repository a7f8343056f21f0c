//! The engine's one account of finding state: which findings exist, which copy of each is current (the most
//! recently updated), and the workflow status hubtriage set on them, which holds until Security Hub sends a newer
//! copy. Pages from the sources and from the store go in; batches of what changed come out, for the table and
//! for every other subscriber (auto-fix, the exception sweeper) to apply as they are — none of them decides again.

use super::Row;
use crate::cloud::SourceId;
use crate::model::hash::BuildWordHasher;
use crate::model::{FindingKey, WorkflowStatus};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;

/// One batch of the change feed.
#[derive(Debug, Default)]
pub struct FindingChanges {
    /// The source the batch came from (`None` for changes hubtriage made itself).
    pub source: Option<SourceId>,
    /// Findings seen for the first time.
    pub added: Vec<Row>,
    /// Findings whose current copy was replaced by a newer one.
    pub changed: Vec<Row>,
    /// Workflow statuses hubtriage set: the finding is otherwise unchanged.
    pub workflow: Vec<(FindingKey, WorkflowStatus)>,
    /// Findings no longer kept (pruned from the store).
    pub removed: Vec<FindingKey>,
    /// What could not be read in the batch's input.
    pub problems: Vec<String>,
}

impl FindingChanges {
    /// The rows of the batch, new and changed.
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.added.iter().chain(&self.changed)
    }

    /// Whether the batch changes nothing and reports nothing.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.changed.is_empty()
            && self.workflow.is_empty()
            && self.removed.is_empty()
            && self.problems.is_empty()
    }
}

/// A finding's identity as the engine files it: the first 128 bits of SHA-256 over its key. A million findings
/// are known at once after a restart from the store, and a digest takes 16 bytes where the key's two shared strings
/// take 32 and keep the finding's text alive; two keys share a digest only by a collision of SHA-256.
type Identity = [u8; 16];

fn identity(key: &FindingKey) -> Identity {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(key.id.as_bytes())
        .chain_update([0xFF])
        .chain_update(key.product_arn.as_bytes())
        .finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    id
}

/// A workflow status hubtriage set, with the finding's `UpdatedAt` at that moment. BatchUpdateFindings does not move
/// `UpdatedAt`, so a copy fetched before the update (a sync racing a fix) would bring the old status back; a copy
/// Security Hub updated since wins.
type Held = (WorkflowStatus, Option<DateTime<Utc>>);

/// Every finding the engine knows, by identity (ProductArn + Id): the `UpdatedAt` of its current copy, and the
/// statuses hubtriage set (few: kept apart, so that every finding does not carry room for one).
#[derive(Debug, Default)]
pub struct FindingState {
    known: HashMap<Identity, Option<DateTime<Utc>>, BuildWordHasher>,
    held: HashMap<Identity, Held, BuildWordHasher>,
}

impl FindingState {
    /// How many findings are known.
    pub fn len(&self) -> usize {
        self.known.len()
    }

    /// Whether no finding is known.
    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }

    /// Takes a page: each copy newer than (or as new as) the known one becomes current, an older one is dropped; a
    /// status hubtriage set is laid over a copy that is not newer than the moment it was set.
    pub fn apply(&mut self, source: Option<SourceId>, rows: Vec<Row>, problems: Vec<String>) -> FindingChanges {
        let mut changes = FindingChanges { source, problems, ..FindingChanges::default() };
        for row in rows {
            let id = identity(&row.finding.key());
            let updated_at = row.finding.updated_at;
            match self.known.get_mut(&id) {
                None => {
                    self.known.insert(id, updated_at);
                    changes.added.push(row);
                }
                Some(known) => {
                    if updated_at < *known {
                        continue;
                    }
                    *known = updated_at;
                    let row = match self.held.get(&id) {
                        Some(&held) => lay_held_status(row, held, || {
                            self.held.remove(&id);
                        }),
                        None => row,
                    };
                    changes.changed.push(row);
                }
            }
        }
        changes
    }

    /// Takes findings read back from the store, each with the status hubtriage had set on it (already laid over
    /// the row), which holds as if set in this run.
    pub fn apply_stored(
        &mut self,
        source: SourceId,
        rows: Vec<Row>,
        held: &[FindingKey],
        problems: Vec<String>,
    ) -> FindingChanges {
        let held: std::collections::HashSet<&FindingKey> = held.iter().collect();
        let holds: Vec<(FindingKey, WorkflowStatus)> = rows
            .iter()
            .map(|r| (r.finding.key(), r.finding.workflow_status))
            .filter(|(key, _)| held.contains(key))
            .collect();
        let changes = self.apply(Some(source), rows, problems);
        for (key, status) in holds {
            self.hold(&key, status);
        }
        changes
    }

    /// Records a workflow status hubtriage set in Security Hub; known findings come back as a workflow change.
    pub fn set_workflow(&mut self, keys: &[FindingKey], status: WorkflowStatus) -> FindingChanges {
        let mut changes = FindingChanges::default();
        for key in keys {
            if self.hold(key, status) {
                changes.workflow.push((key.clone(), status));
            }
        }
        changes
    }

    /// Forgets findings (pruned from the store); those that were known come back as removed.
    pub fn remove(&mut self, keys: Vec<FindingKey>) -> FindingChanges {
        let removed = keys
            .into_iter()
            .filter(|k| {
                let id = identity(k);
                self.held.remove(&id);
                self.known.remove(&id).is_some()
            })
            .collect();
        FindingChanges { removed, ..FindingChanges::default() }
    }

    /// Holds `status` on a known finding from its current copy on; false when the finding is not known.
    fn hold(&mut self, key: &FindingKey, status: WorkflowStatus) -> bool {
        let id = identity(key);
        let Some(&updated_at) = self.known.get(&id) else { return false };
        self.held.insert(id, (status, updated_at));
        true
    }
}

/// `row` with the status hubtriage set, when it holds; a newer copy ends the hold.
fn lay_held_status(mut row: Row, (status, set_at): Held, end_hold: impl FnOnce()) -> Row {
    if row.finding.updated_at > set_at {
        end_hold();
    } else if row.finding.workflow_status != status {
        let mut finding = (*row.finding).clone();
        finding.workflow_status = status;
        row.finding = Arc::new(finding);
    }
    row
}

#[cfg(test)]
#[path = "finding_state_tests.rs"]
mod tests;
