//! What a worker thread does with a piece of work the reading thread cut (`file_stream`): the items of a list, a run
//! of them cut where the file's layout says items end (checked here: the run must read as exactly whole items), a
//! whole document, or the members after a list.

use super::file_locate::locate_in;
use super::file_stream::Work;
use crate::model::asff::{read_owned_document, ReadOutcome, ReadProblem};
use crate::model::asff_items::read_members_after_findings;
use std::sync::{Arc, Mutex};

/// Where a problem found by a worker is.
pub(super) enum At {
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
pub(super) struct Located {
    pub path: Option<String>,
    pub at: At,
    pub reason: String,
}

/// How a run of items cut by the file's layout read.
pub(super) enum RunRead {
    /// Exactly whole items, this many: item numbers in its problems and `foreign` count from the run's first item.
    Items(usize),
    /// Not exactly whole items (the layout misled the cut), or an item in it is not JSON, not UTF-8 or too large:
    /// nothing of it is used, and the list is read again item by item from `at`, the run's start (which names
    /// such an item as it always does).
    Failed { at: u64 },
}

/// A piece of work done.
#[derive(Default)]
pub(super) struct Done {
    pub outcome: ReadOutcome,
    /// Items that are objects but not findings: (index, reason).
    pub foreign: Vec<(usize, String)>,
    pub located: Vec<Located>,
    /// An item that is not JSON: the file is read no further.
    pub broken: Option<Located>,
    /// For a run of items: how it read.
    pub run: Option<RunRead>,
}

/// Blocks kept for reading into again: the pieces of work out at once, and one being read.
const SPARE_BLOCKS: usize = super::file_stream::WINDOW as usize + 2;

/// A block grown larger than this (around a finding of many megabytes) is freed, not kept.
const SPARE_BLOCK_BYTES: usize = 16 << 20;

/// Hands a block no other work holds to `spare_blocks`.
fn give_back(block: Arc<Vec<u8>>, spare_blocks: &Mutex<Vec<Vec<u8>>>) {
    if let Ok(bytes) = Arc::try_unwrap(block) {
        let mut spare = spare_blocks.lock().unwrap_or_else(|p| p.into_inner());
        if spare.len() < SPARE_BLOCKS && bytes.capacity() <= SPARE_BLOCK_BYTES {
            spare.push(bytes);
        }
    }
}

/// The bytes at absolute offsets `range` of `block`, which starts at offset `base`.
fn piece<'b>(block: &'b [u8], base: u64, range: &std::ops::Range<u64>) -> &'b [u8] {
    block.get((range.start - base) as usize..(range.end - base) as usize).unwrap_or_default()
}

/// Does one piece of work; a block no other work holds is handed to `spare_blocks`.
pub(super) fn run(work: Work, spare_blocks: &Mutex<Vec<Vec<u8>>>) -> Done {
    let mut done = Done::default();
    match work {
        Work::Items { list, block, base, items, keep_json } => {
            done.outcome.findings.reserve(items.len());
            for (index, range) in items {
                let bytes = piece(&block, base, &range);
                let path = || Some(format!("{}[{index}]", list.path()));
                let text = match simdutf8::compat::from_utf8(bytes) {
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
            give_back(block, spare_blocks);
        }
        Work::Run { list, block, base, range, max_item, keep_json } => {
            let bytes = piece(&block, base, &range);
            let read = simdutf8::compat::from_utf8(bytes)
                .ok()
                .and_then(|text| list.read_run_into(text, max_item, keep_json, &mut done.outcome, &mut done.foreign));
            done.run = Some(match read {
                Some(items) => RunRead::Items(items),
                None => {
                    (done.outcome, done.foreign) = Default::default();
                    RunRead::Failed { at: range.start }
                }
            });
            give_back(block, spare_blocks);
        }
        Work::Whole { bytes } => match String::from_utf8(bytes) {
            Ok(text) => done.outcome = read_owned_document(text),
            Err(e) => {
                let place = locate_in(e.as_bytes(), e.utf8_error().valid_up_to());
                done.outcome.problems.push(ReadProblem { location: place.to_string(), reason: not_utf8() });
            }
        },
        Work::Members { rest, at } => match simdutf8::compat::from_utf8(&rest).map(read_members_after_findings) {
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
