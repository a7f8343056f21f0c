//! Reads the input files on every core, in bounded memory, and hands out what they hold in the order of the input.
//!
//! One thread reads the files in blocks and cuts them into work: the items of a list of findings (a few megabytes at
//! a time), or a whole document. Worker threads read the work (the fast scanner per finding, a JSON tree where
//! needed) and move each finding's JSON to the spill file. The calling thread puts the results back in input order
//! and hands them on. At most [`WINDOW`] pieces of work are out at once, so memory does not grow with the input.

use super::file::FileProblem;
use super::file_locate::{locate_in, Locator};
use super::file_read::{read_file, Limits};
use crate::model::asff::{read_owned_document, ReadOutcome, ReadProblem};
use crate::model::asff_items::{read_members_after_findings, FindingList};
use crate::model::Finding;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};

/// Pieces of work out at once (read but not yet handed on).
const WINDOW: u64 = 8;

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

/// Where a problem found by a worker is.
enum At {
    /// Somewhere in the file.
    Unplaced,
    Offset(u64),
    /// At a line and column of the text that starts at offset `start` (as `serde_json` counts them).
    Within {
        start: u64,
        line: u64,
        column: u64,
    },
}

/// A problem a worker locates by offset; the calling thread turns it into a line and column.
struct Located {
    path: Option<String>,
    at: At,
    reason: String,
}

/// A piece of work done.
#[derive(Default)]
struct Done {
    outcome: ReadOutcome,
    /// Items that are objects but not findings: (index, reason).
    foreign: Vec<(usize, String)>,
    located: Vec<Located>,
    /// An item that is not JSON: the file is read no further.
    broken: Option<Located>,
}

enum Event {
    Done(Done),
    Note(Note),
}

/// An event of file number `file`, number `seq` in the order of the input.
struct Unit {
    seq: u64,
    file: usize,
    event: Event,
}

/// What the threads share.
struct Shared {
    /// Units handed on so far; the reading thread waits while it is [`WINDOW`] behind.
    handed_on: Mutex<u64>,
    moved: Condvar,
    cancelled: AtomicBool,
    /// One more than the number of a file not to read further (0: none).
    stopped_file: AtomicUsize,
    /// Blocks the workers are done with, to be read into again: a fresh block of megabytes costs the allocator and
    /// the kernel (zeroed pages) more than reading into it does.
    spare_blocks: Mutex<Vec<Vec<u8>>>,
}

/// The reading thread's way out: numbers every unit, keeps to the window, and sends work to the workers.
pub(super) struct Outbox<'s> {
    pub limits: Limits,
    shared: &'s Shared,
    jobs: mpsc::SyncSender<(u64, usize, Work)>,
    results: mpsc::Sender<Unit>,
    next_seq: u64,
    file: usize,
}

impl Outbox<'_> {
    /// Waits for room in the window; false when reading is cancelled or this file is stopped.
    fn reserve(&mut self) -> Option<u64> {
        let mut handed_on = self.shared.handed_on.lock().unwrap_or_else(|p| p.into_inner());
        while self.next_seq >= *handed_on + WINDOW && !self.shared.cancelled.load(Ordering::Relaxed) {
            handed_on = self.shared.moved.wait(handed_on).unwrap_or_else(|p| p.into_inner());
        }
        if !self.go_on() {
            return None;
        }
        self.next_seq += 1;
        Some(self.next_seq - 1)
    }

    /// Whether to go on reading this file.
    pub fn go_on(&self) -> bool {
        !self.shared.cancelled.load(Ordering::Relaxed)
            && self.shared.stopped_file.load(Ordering::Relaxed) != self.file + 1
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
        self.jobs.send((seq, self.file, work)).is_ok()
    }

    /// Sends a note; false when there is no point reading on.
    pub fn note(&mut self, note: Note) -> bool {
        let Some(seq) = self.reserve() else { return false };
        self.results.send(Unit { seq, file: self.file, event: Event::Note(note) }).is_ok()
    }
}

/// Reads `files` in order on `workers` threads (and one reading thread), handing batches to `sink` in the order of
/// the input; `sink` returns false to stop the reading.
pub fn read_files(files: &[PathBuf], workers: usize, limits: Limits, mut sink: impl FnMut(Batch) -> bool) {
    let shared = Shared {
        handed_on: Mutex::new(0),
        moved: Condvar::new(),
        cancelled: AtomicBool::new(false),
        stopped_file: AtomicUsize::new(0),
        spare_blocks: Mutex::new(Vec::new()),
    };
    let (jobs_tx, jobs_rx) = mpsc::sync_channel::<(u64, usize, Work)>(WINDOW as usize);
    let jobs_rx = Mutex::new(jobs_rx);
    let (results_tx, results_rx) = mpsc::channel::<Unit>();
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            let (jobs_rx, results_tx, shared) = (&jobs_rx, results_tx.clone(), &shared);
            scope.spawn(move || loop {
                let job = jobs_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok((seq, file, work)) = job else { return };
                // A piece that cannot be read must still be answered, or the input order waits for it forever.
                let run = || run(work, &shared.spare_blocks);
                let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
                    let reason = "internal error while reading this part of the file; it is not read".into();
                    Done { broken: Some(Located { path: None, at: At::Unplaced, reason }), ..Done::default() }
                });
                if results_tx.send(Unit { seq, file, event: Event::Done(done) }).is_err() {
                    return;
                }
            });
        }
        let shared = &shared;
        scope.spawn(move || {
            let mut outbox = Outbox { limits, shared, jobs: jobs_tx, results: results_tx, next_seq: 0, file: 0 };
            for (i, path) in files.iter().enumerate() {
                if shared.cancelled.load(Ordering::Relaxed) {
                    break;
                }
                outbox.file = i;
                read_file(path, &mut outbox);
            }
        });
        let mut order = InOrder::new(files);
        for unit in results_rx {
            order.pending.insert(unit.seq, unit);
            while let Some(unit) = order.pending.remove(&order.next) {
                order.next += 1;
                *shared.handed_on.lock().unwrap_or_else(|p| p.into_inner()) = order.next;
                shared.moved.notify_all();
                if shared.cancelled.load(Ordering::Relaxed) {
                    continue;
                }
                let batch = order.apply(unit, &shared.stopped_file);
                if (!batch.findings.is_empty() || !batch.problems.is_empty()) && !sink(batch) {
                    shared.cancelled.store(true, Ordering::Relaxed);
                    shared.moved.notify_all();
                }
            }
        }
    });
}

/// Blocks kept for reading into again: the pieces of work out at once, and one being read.
const SPARE_BLOCKS: usize = WINDOW as usize + 2;

/// A block grown larger than this (around a finding of many megabytes) is freed, not kept.
const SPARE_BLOCK_BYTES: usize = 16 << 20;

/// Does one piece of work; a block no other work holds is handed to `spare_blocks`.
fn run(work: Work, spare_blocks: &Mutex<Vec<Vec<u8>>>) -> Done {
    let mut done = Done::default();
    match work {
        Work::Items { list, block, base, items, keep_json } => {
            done.outcome.findings.reserve(items.len());
            for (index, range) in items {
                let bytes = block.get((range.start - base) as usize..(range.end - base) as usize).unwrap_or_default();
                let path = || Some(format!("{}[{index}]", list.path()));
                let text = match std::str::from_utf8(bytes) {
                    Ok(text) => text,
                    Err(e) => {
                        let at = At::Offset(range.start + e.valid_up_to() as u64);
                        done.located.push(Located { path: path(), at, reason: not_utf8() });
                        continue;
                    }
                };
                match list.read_item_into(index, text, keep_json, &mut done.outcome) {
                    Ok(foreign) => done.foreign.extend(foreign.map(|reason| (index, reason))),
                    Err(e) => {
                        let at = At::Within { start: range.start, line: e.line() as u64, column: e.column() as u64 };
                        done.broken = Some(Located { path: path(), at, reason: not_json(&e) });
                        break;
                    }
                }
            }
            if let Ok(bytes) = Arc::try_unwrap(block) {
                let mut spare = spare_blocks.lock().unwrap_or_else(|p| p.into_inner());
                if spare.len() < SPARE_BLOCKS && bytes.capacity() <= SPARE_BLOCK_BYTES {
                    spare.push(bytes);
                }
            }
        }
        Work::Whole { bytes } => match String::from_utf8(bytes) {
            Ok(text) => done.outcome = read_owned_document(text),
            Err(e) => {
                let place = locate_in(e.as_bytes(), e.utf8_error().valid_up_to());
                done.outcome.problems.push(ReadProblem { location: place.to_string(), reason: not_utf8() });
            }
        },
        Work::Members { rest, at } => match std::str::from_utf8(&rest).map(read_members_after_findings) {
            Ok(Ok(outcome)) => done.outcome = outcome,
            Ok(Err(e)) => {
                let reason = format!("after the Findings list, {}", not_json(&e));
                done.broken = Some(Located { path: None, at: At::Offset(at), reason });
            }
            Err(e) => {
                let at = At::Offset(at + e.valid_up_to() as u64);
                done.located.push(Located { path: None, at, reason: not_utf8() });
            }
        },
    }
    for finding in &mut done.outcome.findings {
        finding.raw.spill();
    }
    done
}

fn not_utf8() -> String {
    "not valid UTF-8 (JSON text is UTF-8): not read".into()
}

/// `serde_json`'s message without its position (the caller gives the position in the file).
fn not_json(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m);
    format!("not valid JSON: {message}; the rest of the file is not read")
}

/// Puts units back in input order and turns them into batches.
struct InOrder<'f> {
    files: &'f [PathBuf],
    pending: BTreeMap<u64, Unit>,
    next: u64,
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
}

impl<'f> InOrder<'f> {
    fn new(files: &'f [PathBuf]) -> Self {
        Self { files, pending: BTreeMap::new(), next: 0, file: None }
    }

    fn apply(&mut self, unit: Unit, stopped_file: &AtomicUsize) -> Batch {
        let path = self.files.get(unit.file).cloned().unwrap_or_default();
        if self.file.as_ref().is_none_or(|f| f.index != unit.file) {
            let locator = Locator::new(&path);
            self.file =
                Some(FileState { index: unit.file, locator, foreign: Vec::new(), first_reason: None, stopped: false });
        }
        let mut batch = Batch::default();
        let Some(state) = self.file.as_mut().filter(|s| !s.stopped) else { return batch };
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
            Event::Done(done) => {
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
        batch
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

/// `$.Findings[3], line 7, column 1`: a JSON path and a place in the file, either or both.
fn join(path: Option<String>, place: Option<String>) -> Option<String> {
    match (path, place) {
        (Some(path), Some(place)) => Some(format!("{path}, {place}")),
        (path, place) => path.or(place),
    }
}
