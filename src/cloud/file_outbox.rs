//! What the reading thread and the calling thread of `file_stream` share: how far the results are handed on (the
//! reading thread keeps at most [`WINDOW`] pieces of work ahead of it), and the way back when a run of items cut by
//! the file's layout turns out not to be whole items: the reading is rewound to the run's start, and every unit
//! numbered after it — from an earlier reading, an *epoch* — is dropped wherever it is.

use super::file_read::Limits;
use super::file_stream::{Event, Job, Note, Unit, Work, WINDOW};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex, MutexGuard};

/// Where to read again from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rewind {
    /// The offset of the first item to read again, and its number in its list.
    pub at: u64,
    pub index: usize,
    /// The number the first unit read again takes, and the epoch units take from then on.
    pub seq: u64,
    pub epoch: u64,
}

/// What the calling thread tells the reading thread.
#[derive(Default)]
struct Handover {
    /// Units handed on so far.
    handed_on: u64,
    /// Items of the current file's list read from runs, in the units handed on.
    items_read: usize,
    rewind: Option<Rewind>,
}

/// What the threads share.
pub(super) struct Shared {
    handover: Mutex<Handover>,
    moved: Condvar,
    cancelled: AtomicBool,
    /// One more than the number of a file not to read further (0: none).
    pub stopped_file: AtomicUsize,
    /// Blocks the workers are done with, to be read into again: a fresh block of megabytes costs the allocator and
    /// the kernel (zeroed pages) more than reading into it does.
    pub spare_blocks: Mutex<Vec<Vec<u8>>>,
    /// The reading's epoch: work of an earlier one is not done.
    epoch: AtomicU64,
}

impl Shared {
    pub fn new() -> Self {
        Self {
            handover: Mutex::new(Handover::default()),
            moved: Condvar::new(),
            cancelled: AtomicBool::new(false),
            stopped_file: AtomicUsize::new(0),
            spare_blocks: Mutex::new(Vec::new()),
            epoch: AtomicU64::new(0),
        }
    }

    fn handover(&self) -> MutexGuard<'_, Handover> {
        self.handover.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Relaxed)
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// Stops the reading: nothing more is wanted.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
        self.moved.notify_all();
    }

    /// The calling thread handed on the units before `next`, holding `items_read` items of runs of the current list.
    pub fn handed_on(&self, next: u64, items_read: usize) {
        let mut handover = self.handover();
        (handover.handed_on, handover.items_read) = (next, items_read);
        self.moved.notify_all();
    }

    /// The unit `rewind.seq` is a run that is not whole items: it and every unit after it are read again.
    pub fn rewind(&self, rewind: Rewind) {
        let mut handover = self.handover();
        self.epoch.store(rewind.epoch, Ordering::Relaxed);
        handover.handed_on = rewind.seq;
        handover.rewind = Some(rewind);
        self.moved.notify_all();
    }
}

/// The reading thread's way out: numbers every unit, keeps to the window, and sends work to the workers.
pub(super) struct Outbox<'s> {
    pub limits: Limits,
    shared: &'s Shared,
    jobs: mpsc::SyncSender<Job>,
    results: mpsc::Sender<Unit>,
    next_seq: u64,
    epoch: u64,
    pub file: usize,
}

impl<'s> Outbox<'s> {
    pub fn new(limits: Limits, shared: &'s Shared, jobs: mpsc::SyncSender<Job>, results: mpsc::Sender<Unit>) -> Self {
        Self { limits, shared, jobs, results, next_seq: 0, epoch: 0, file: 0 }
    }

    /// Waits for room in the window; `None` when reading is cancelled, this file is stopped, or a rewind waits.
    fn reserve(&mut self) -> Option<u64> {
        let mut handover = self.shared.handover();
        while self.next_seq >= handover.handed_on + WINDOW && !self.shared.is_cancelled() && handover.rewind.is_none() {
            handover = self.shared.moved.wait(handover).unwrap_or_else(|p| p.into_inner());
        }
        if handover.rewind.is_some() {
            return None;
        }
        drop(handover);
        if !self.go_on() {
            return None;
        }
        self.next_seq += 1;
        Some(self.next_seq - 1)
    }

    /// Whether to go on reading this file (and from where it is: no rewind waits).
    pub fn go_on(&self) -> bool {
        !self.shared.is_cancelled()
            && self.shared.stopped_file.load(Ordering::Relaxed) != self.file + 1
            && self.shared.handover().rewind.is_none()
    }

    /// Waits until every unit sent is handed on: the number of items the runs of this file's list held, or `None`
    /// when the reading is cancelled or a rewind waits instead.
    pub fn settle(&self) -> Option<usize> {
        let mut handover = self.shared.handover();
        while handover.handed_on < self.next_seq && !self.shared.is_cancelled() && handover.rewind.is_none() {
            handover = self.shared.moved.wait(handover).unwrap_or_else(|p| p.into_inner());
        }
        (handover.rewind.is_none() && !self.shared.is_cancelled()).then_some(handover.items_read)
    }

    /// The rewind that waits, if one does: units are numbered from it on, in its epoch.
    pub fn take_rewind(&mut self) -> Option<Rewind> {
        let rewind = self.shared.handover().rewind.take()?;
        (self.next_seq, self.epoch) = (rewind.seq, rewind.epoch);
        Some(rewind)
    }

    /// An empty buffer for a block of `capacity` bytes: a spare one when there is one.
    pub fn buffer(&self, capacity: usize) -> Vec<u8> {
        let spare = self.shared.spare_blocks.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut bytes = spare.unwrap_or_default();
        bytes.clear();
        bytes.reserve(capacity);
        bytes
    }

    /// Sends work; false when there is no point reading on.
    pub fn work(&mut self, work: Work) -> bool {
        let Some(seq) = self.reserve() else { return false };
        self.jobs.send(Job { seq, epoch: self.epoch, file: self.file, work }).is_ok()
    }

    /// Sends a note; false when there is no point reading on.
    pub fn note(&mut self, note: Note) -> bool {
        let Some(seq) = self.reserve() else { return false };
        self.results.send(Unit { seq, epoch: self.epoch, file: self.file, event: Event::Note(note) }).is_ok()
    }
}
