//! The findings of a headless command, deduplicated as their pages arrive (newest UpdatedAt wins), each assessed
//! live as soon as it is known — so resource reads run while later pages are still being fetched, and a resource is
//! read once for all the findings about it (`SharedReads`).

use super::live_reads::SharedReads;
use super::Row;
use crate::cloud::Resources;
use crate::model::hash::{keyed_hasher, BuildWordHasher, KeyedHasher};
use crate::model::{Finding, FindingKey};
use crate::triage::{Assessment, PlanStatus, Triage};
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;
use tokio::task::JoinHandle;

/// What a finding whose live state could not be read gets instead: its snapshot plan, and this note.
const SNAPSHOT_INSTEAD: &str = "live state unavailable, plan from the finding's snapshot";

/// One finding: its newest copy, whether the command wants it, and its live assessment under way.
struct Slot {
    row: Row,
    kept: bool,
    live: Option<JoinHandle<Result<Assessment, String>>>,
}

/// Findings by identity, in the order first seen, with their live assessments.
pub struct LiveAssessments {
    reads: Option<Arc<SharedReads>>,
    triage: Arc<Triage>,
    /// Slots by a randomly seeded hash of their key (faster than std's SipHash, which cost a tenth of the command's
    /// thread in a 100,000-finding `plan`), computed once per finding: a table of texts hashes every key again each
    /// time it grows, reading a hundred thousand ids scattered in memory.
    index: HashMap<u64, usize, BuildWordHasher>,
    /// Slots of keys whose hash an earlier, other key has (never in practice, but a finding must not replace another).
    collided: HashMap<FindingKey, usize, KeyedHasher>,
    hasher: KeyedHasher,
    /// How a key is hashed for `index` (the tests make every key collide).
    hash_of: fn(&KeyedHasher, &Finding) -> u64,
    slots: Vec<Slot>,
}

fn key_hash(hasher: &KeyedHasher, finding: &Finding) -> u64 {
    hasher.hash_one((&*finding.product_arn, &*finding.id))
}

impl LiveAssessments {
    /// Assesses live through `resources`; without them (offline, or plans from snapshots) rows stay as assessed.
    pub fn new(resources: Option<Arc<dyn Resources>>, triage: Arc<Triage>) -> Self {
        let reads = resources.map(|r| Arc::new(SharedReads::new(r)));
        Self {
            reads,
            triage,
            index: HashMap::default(),
            collided: HashMap::with_hasher(keyed_hasher()),
            hasher: keyed_hasher(),
            hash_of: key_hash,
            slots: Vec::new(),
        }
    }

    /// The shared reads (for counting them), when reading live.
    pub fn reads(&self) -> Option<&Arc<SharedReads>> {
        self.reads.as_ref()
    }

    /// Findings held so far (one per identity).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no finding arrived yet.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Adds a finding's row. An older copy than the one held is dropped; a copy at least as new replaces it, and its
    /// live assessment replaces the old one's. `keep`: whether the command wants this finding (only those are read).
    pub fn add(&mut self, row: Row, keep: bool) {
        let held = self.slot_of(&row.finding);
        if held.is_some_and(|i| row.finding.updated_at < self.slots[i].row.finding.updated_at) {
            return;
        }
        let live = self.start(&row, keep);
        let slot = Slot { row, kept: keep, live };
        match held {
            Some(i) => {
                let older = std::mem::replace(&mut self.slots[i], slot);
                if let Some(task) = older.live {
                    task.abort();
                }
            }
            None => self.slots.push(slot),
        }
    }

    /// The slot held for `finding`'s key; `None` for a new key, whose slot is reserved at once (the next one pushed).
    fn slot_of(&mut self, finding: &Finding) -> Option<usize> {
        let next = self.slots.len();
        let hash = (self.hash_of)(&self.hasher, finding);
        match self.index.entry(hash) {
            Entry::Occupied(held) if !self.slots[*held.get()].row.finding.same_key(finding) => {
                reserve(self.collided.entry(finding.key()), next)
            }
            entry => reserve(entry, next),
        }
    }

    /// Starts the live assessment of a wanted finding that has a playbook.
    fn start(&self, row: &Row, keep: bool) -> Option<JoinHandle<Result<Assessment, String>>> {
        let reads = self.reads.clone().filter(|_| keep && *row.plan() != PlanStatus::NoPlaybook)?;
        // The reads are asked for here, as the finding arrives, not when the task first runs.
        Some(tokio::spawn(reads.assess(self.triage.clone(), row.finding.clone())))
    }

    /// Waits for every live assessment; returns the wanted rows in the order first seen, each with the problem of
    /// its live read (its row then keeps the snapshot assessment), and how many were assessed live (or tried).
    pub async fn finish(mut self) -> (Vec<Row>, Vec<Option<String>>, usize) {
        if let Some(reads) = &self.reads {
            reads.last_page_in();
        }
        let slots = std::mem::take(&mut self.slots);
        let mut rows = Vec::with_capacity(slots.len());
        let mut errors = Vec::with_capacity(slots.len());
        let mut assessed = 0;
        for Slot { mut row, kept, live } in slots {
            if !kept {
                continue;
            }
            let error = match live {
                None => None,
                Some(task) => {
                    assessed += 1;
                    match task.await {
                        Ok(Ok(assessment)) => {
                            row.set_assessment(assessment);
                            None
                        }
                        Ok(Err(e)) => Some(format!("{SNAPSHOT_INSTEAD}: {e}")),
                        Err(e) => Some(format!("{SNAPSHOT_INSTEAD}: the assessment stopped: {e}")),
                    }
                }
            };
            rows.push(row);
            errors.push(error);
        }
        (rows, errors, assessed)
    }
}

/// The slot an index entry holds, or `None` after reserving `next` for a new key.
fn reserve<K>(entry: Entry<'_, K, usize>, next: usize) -> Option<usize> {
    match entry {
        Entry::Occupied(held) => Some(*held.get()),
        Entry::Vacant(new) => {
            new.insert(next);
            None
        }
    }
}

impl Drop for LiveAssessments {
    /// Given up before `finish` (the command is stopping): no read goes on for nothing.
    fn drop(&mut self) {
        for slot in &self.slots {
            if let Some(task) = &slot.live {
                task.abort();
            }
        }
    }
}

#[cfg(test)]
#[path = "live_assessments_tests.rs"]
mod tests;
