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

/// A finding's live assessment under way.
type LiveTask = JoinHandle<Result<Assessment, String>>;

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
    /// Each finding's newest copy, in the order first seen: handed back by `finish` as they are when every one is
    /// wanted and none is read live (a file's findings), not moved one by one into a list of their own.
    rows: Vec<Row>,
    /// Whether the command wants the finding of the same place in `rows`.
    kept: Vec<bool>,
    /// The live assessments under way, by place in `rows`.
    live: HashMap<usize, LiveTask, BuildWordHasher>,
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
            rows: Vec::new(),
            kept: Vec::new(),
            live: HashMap::default(),
        }
    }

    /// The shared reads (for counting them), when reading live.
    pub fn reads(&self) -> Option<&Arc<SharedReads>> {
        self.reads.as_ref()
    }

    /// Findings held so far (one per identity).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no finding arrived yet.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Adds a finding's row. An older copy than the one held is dropped; a copy at least as new replaces it, and its
    /// live assessment replaces the old one's. `keep`: whether the command wants this finding (only those are read).
    pub fn add(&mut self, row: Row, keep: bool) {
        let held = self.slot_of(&row.finding);
        if held.is_some_and(|i| row.finding.updated_at < self.rows[i].finding.updated_at) {
            return;
        }
        let live = self.start(&row, keep);
        let at = match held {
            Some(i) => {
                (self.rows[i], self.kept[i]) = (row, keep);
                if let Some(older) = self.live.remove(&i) {
                    older.abort();
                }
                i
            }
            None => {
                self.rows.push(row);
                self.kept.push(keep);
                self.rows.len() - 1
            }
        };
        if let Some(task) = live {
            self.live.insert(at, task);
        }
    }

    /// The slot held for `finding`'s key; `None` for a new key, whose slot is reserved at once (the next one pushed).
    fn slot_of(&mut self, finding: &Finding) -> Option<usize> {
        let next = self.rows.len();
        let hash = (self.hash_of)(&self.hasher, finding);
        match self.index.entry(hash) {
            Entry::Occupied(held) if !self.rows[*held.get()].finding.same_key(finding) => {
                reserve(self.collided.entry(finding.key()), next)
            }
            entry => reserve(entry, next),
        }
    }

    /// Starts the live assessment of a wanted finding that has a playbook.
    fn start(&self, row: &Row, keep: bool) -> Option<LiveTask> {
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
        let (mut rows, kept, mut live) =
            (std::mem::take(&mut self.rows), std::mem::take(&mut self.kept), std::mem::take(&mut self.live));
        let mut errors = vec![None; rows.len()];
        let assessed = live.len();
        let mut tasks: Vec<_> = live.drain().collect();
        tasks.sort_unstable_by_key(|(at, _)| *at);
        for (at, task) in tasks {
            errors[at] = match task.await {
                Ok(Ok(assessment)) => {
                    rows[at].set_assessment(assessment);
                    None
                }
                Ok(Err(e)) => Some(format!("{SNAPSHOT_INSTEAD}: {e}")),
                Err(e) => Some(format!("{SNAPSHOT_INSTEAD}: the assessment stopped: {e}")),
            };
        }
        if kept.contains(&false) {
            // Only the wanted rows, in place.
            let mut wanted = kept.iter();
            rows.retain(|_| wanted.next() == Some(&true));
            let mut wanted = kept.iter();
            errors.retain(|_| wanted.next() == Some(&true));
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
        for task in self.live.values() {
            task.abort();
        }
    }
}

#[cfg(test)]
#[path = "live_assessments_tests.rs"]
mod tests;
