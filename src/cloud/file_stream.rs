//! Reads the input files on every core, in bounded memory, and hands out what they hold in the order of the input.
//!
//! One thread reads the files in blocks and cuts them into work: the items of a list of findings (a few megabytes at
//! a time), or a whole document. A large list laid out one item per indentation, as the AWS CLI prints it, is cut
//! only where its layout says an item ends — a search back from the end of each block, not a look at every byte —
//! and the worker reading such a run checks that it holds exactly whole items; when one does not, the list is read
//! again from that run on, item by item (`file_outbox`). Worker threads read the work (the fast scanner per finding,
//! a JSON tree where needed) and move each finding's JSON to the spill file. The calling thread puts the results
//! back in input order and hands them on. At most [`WINDOW`] pieces of work are out at once, so memory does not grow
//! with the input.

use super::file::FileProblem;
use super::file_locate::Locator;
use super::file_outbox::{Outbox, Rewind, Shared};
use super::file_read::{read_file, Limits};
use super::file_work::{run, At, Done, Located, RunRead};
use crate::model::asff_items::FindingList;
use crate::model::Finding;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};

/// Pieces of work out at once (read but not yet handed on).
pub(super) const WINDOW: u64 = 8;

/// Findings and problems, in the order of the input.
#[derive(Debug, Default)]
pub struct Batch {
    pub findings: Vec<Finding>,
    pub problems: Vec<FileProblem>,
}

/// Work for a worker thread.
pub(super) enum Work {
    /// Items of a list: (index in the list, absolute offsets) in `block`, which starts at offset `base`.
    Items { list: FindingList, block: Arc<Vec<u8>>, base: u64, items: Vec<(usize, Range<u64>)>, keep_json: bool },
    /// A run of items of a list, at absolute offsets `range` in `block` (which starts at offset `base`), cut where the
    /// file's layout says items end: the worker checks it is exactly whole items, none larger than `max_item`.
    Run { list: FindingList, block: Arc<Vec<u8>>, base: u64, range: Range<u64>, max_item: u64, keep_json: bool },
    /// A whole document.
    Whole { bytes: Vec<u8> },
    /// The members that follow a `Findings` list, from offset `at`.
    Members { rest: Vec<u8>, at: u64 },
}

/// What the reading thread found that needs no work: applied in input order.
pub(super) enum Note {
    /// A problem, at an offset of the file when it has one.
    Problem { at: Option<u64>, location: Option<String>, reason: String },
    /// A list of findings ended after `total` items.
    ListEnd { list: FindingList, total: usize },
}

/// A piece of work for a worker: number `seq` of `epoch` in the order of the input, of file number `file`.
pub(super) struct Job {
    pub seq: u64,
    pub epoch: u64,
    pub file: usize,
    pub work: Work,
}

pub(super) enum Event {
    Done(Done),
    Note(Note),
}

/// An event of file number `file`, number `seq` of `epoch` in the order of the input.
pub(super) struct Unit {
    pub seq: u64,
    pub epoch: u64,
    pub file: usize,
    pub event: Event,
}

/// What applying a unit in order gives.
enum Applied {
    Batch(Batch),
    /// A run that is not whole items: the list is read again from `at`, item `index`.
    Rewind {
        at: u64,
        index: usize,
    },
}

/// Reads `files` in order on `workers` threads (and one reading thread), handing batches to `sink` in the order of
/// the input; `sink` returns false to stop the reading.
pub fn read_files(files: &[PathBuf], workers: usize, limits: Limits, mut sink: impl FnMut(Batch) -> bool) {
    let shared = Shared::new();
    let (jobs_tx, jobs_rx) = mpsc::sync_channel::<Job>(WINDOW as usize);
    let jobs_rx = Mutex::new(jobs_rx);
    let (results_tx, results_rx) = mpsc::channel::<Unit>();
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            let (jobs_rx, results_tx, shared) = (&jobs_rx, results_tx.clone(), &shared);
            scope.spawn(move || loop {
                let job = jobs_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok(Job { seq, epoch, file, work }) = job else { return };
                if epoch != shared.epoch() {
                    // Work of a reading given up (rewound): its result would be dropped.
                    continue;
                }
                // A piece that cannot be read must still be answered, or the input order waits for it forever.
                let run = || run(work, &shared.spare_blocks);
                let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
                    let reason = "internal error while reading this part of the file; it is not read".into();
                    Done { broken: Some(Located { path: None, at: At::Unplaced, reason }), ..Done::default() }
                });
                if results_tx.send(Unit { seq, epoch, file, event: Event::Done(done) }).is_err() {
                    return;
                }
            });
        }
        let shared = &shared;
        scope.spawn(move || {
            let mut outbox = Outbox::new(limits, shared, jobs_tx, results_tx);
            for (i, path) in files.iter().enumerate() {
                if shared.is_cancelled() {
                    break;
                }
                outbox.file = i;
                read_file(path, &mut outbox);
            }
        });
        let mut order = InOrder::new(files);
        for unit in results_rx {
            if unit.epoch != order.epoch {
                continue;
            }
            order.pending.insert(unit.seq, unit);
            while let Some(unit) = order.pending.remove(&order.next) {
                let seq = unit.seq;
                order.next += 1;
                if shared.is_cancelled() {
                    shared.handed_on(order.next, 0);
                    continue;
                }
                match order.apply(unit, &shared.stopped_file) {
                    Applied::Batch(batch) => {
                        shared.handed_on(order.next, order.items_read());
                        if (!batch.findings.is_empty() || !batch.problems.is_empty()) && !sink(batch) {
                            shared.cancel();
                        }
                    }
                    Applied::Rewind { at, index } => {
                        order.epoch += 1;
                        order.pending.clear();
                        order.next = seq;
                        shared.rewind(Rewind { at, index, seq, epoch: order.epoch });
                        break;
                    }
                }
            }
        }
    });
}

/// Puts units back in input order and turns them into batches.
struct InOrder<'f> {
    files: &'f [PathBuf],
    pending: BTreeMap<u64, Unit>,
    next: u64,
    /// The epoch of the units taken: one more after each rewind.
    epoch: u64,
    /// The file the last unit was of, and what is known of it.
    file: Option<FileState>,
}

struct FileState {
    index: usize,
    locator: Locator,
    /// Items of the current list that are objects but not findings, and the first one's reason.
    foreign: Vec<usize>,
    first_reason: Option<String>,
    stopped: bool,
    /// Items of the list read from runs so far (the number of the next run's first item).
    items_read: usize,
}

impl<'f> InOrder<'f> {
    fn new(files: &'f [PathBuf]) -> Self {
        Self { files, pending: BTreeMap::new(), next: 0, epoch: 0, file: None }
    }

    /// Items of the current file's list read from runs so far.
    fn items_read(&self) -> usize {
        self.file.as_ref().map_or(0, |f| f.items_read)
    }

    fn apply(&mut self, unit: Unit, stopped_file: &AtomicUsize) -> Applied {
        let path = self.files.get(unit.file).cloned().unwrap_or_default();
        if self.file.as_ref().is_none_or(|f| f.index != unit.file) {
            let locator = Locator::new(&path);
            let state = FileState {
                index: unit.file,
                locator,
                foreign: Vec::new(),
                first_reason: None,
                stopped: false,
                items_read: 0,
            };
            self.file = Some(state);
        }
        let mut batch = Batch::default();
        let Some(state) = self.file.as_mut().filter(|s| !s.stopped) else { return Applied::Batch(batch) };
        let mut problems: Vec<(Option<String>, String)> = Vec::new();
        match unit.event {
            Event::Note(Note::Problem { at, location, reason }) => {
                let place = at.and_then(|at| state.locator.locate(at)).map(|p| p.to_string());
                problems.push((join(location, place), reason));
            }
            Event::Note(Note::ListEnd { list, total }) => {
                if let Some(reason) = state.first_reason.take() {
                    let p = list.foreign_items(&std::mem::take(&mut state.foreign), total, &reason);
                    problems.push((Some(p.location), p.reason));
                }
            }
            Event::Done(mut done) => {
                match done.run {
                    Some(RunRead::Failed { at }) => return Applied::Rewind { at, index: state.items_read },
                    Some(RunRead::Items(items)) => {
                        let first = state.items_read;
                        for problem in &mut done.outcome.problems {
                            problem.location = renumbered(&problem.location, first);
                        }
                        done.foreign.iter_mut().for_each(|(index, _)| *index += first);
                        state.items_read += items;
                    }
                    None => {}
                }
                batch.findings = done.outcome.findings;
                problems.extend(done.outcome.problems.into_iter().map(|p| (Some(p.location), p.reason)));
                for (index, reason) in done.foreign {
                    state.foreign.push(index);
                    state.first_reason.get_or_insert(reason);
                }
                for located in done.located {
                    let place = state.place(&located.at);
                    problems.push((join(located.path, place), located.reason));
                }
                if let Some(broken) = done.broken {
                    let place = state.place(&broken.at);
                    problems.push((join(broken.path, place), broken.reason));
                    state.stopped = true;
                    stopped_file.store(unit.file + 1, Ordering::Relaxed);
                }
            }
        }
        batch.problems = problems
            .into_iter()
            .map(|(location, reason)| FileProblem { file: path.clone(), location, reason })
            .collect();
        Applied::Batch(batch)
    }
}

impl FileState {
    fn place(&mut self, at: &At) -> Option<String> {
        let place = match *at {
            At::Unplaced => return None,
            At::Offset(offset) => self.locator.locate(offset)?,
            At::Within { start, line, column } => {
                let mut place = self.locator.locate(start)?;
                if line > 1 {
                    (place.line, place.column) = (place.line + line - 1, column);
                } else {
                    place.column += column.saturating_sub(1);
                }
                place
            }
        };
        Some(place.to_string())
    }
}

/// A location in a run of items (`$.Findings[3].Resources`, its item numbered within the run) with the item numbered
/// within its list, `first` being the number of the run's first item.
fn renumbered(location: &str, first: usize) -> String {
    let renumber = || {
        let (path, rest) = location.split_once('[')?;
        let (number, rest) = rest.split_once(']')?;
        Some(format!("{path}[{}]{rest}", number.parse::<usize>().ok()? + first))
    };
    renumber().unwrap_or_else(|| location.to_owned())
}

/// `$.Findings[3], line 7, column 1`: a JSON path and a place in the file, either or both.
fn join(path: Option<String>, place: Option<String>) -> Option<String> {
    match (path, place) {
        (Some(path), Some(place)) => Some(format!("{path}, {place}")),
        (path, place) => path.or(place),
    }
}
