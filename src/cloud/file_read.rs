//! How one input file is read, on the reading thread: in blocks, never more than a bounded part of it in memory.
//!
//! A file whose document is a list of findings — a GetFindings response (`{"Findings": [...]}`, what the AWS CLI
//! exports) or an array — is cut into its items as it is read, whatever its size. Every other shape (a single
//! finding, EventBridge events, wrapper objects, JSON Lines) is read whole, up to a limit ([`Limits`]).

use super::file_outbox::Outbox;
use super::file_runs::{layout_of, read_runs, Runs};
use super::file_stream::{Note, Work};
use super::file_walk::special_file_reason;
use crate::model::asff_items::FindingList;
use crate::model::json_split::{ArraySplit, Split};
use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;
use std::sync::Arc;

/// The start of a file read first, to tell its shape.
const PROBE: usize = 64 << 10;

/// How much of a file is held at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes read at a time (and about the size of the work handed to a worker).
    pub block: usize,
    /// The largest item of a list of findings that is read (Security Hub's own limit on a finding is 240 KB); a
    /// larger one is named as a problem and skipped.
    pub item: u64,
    /// The largest document of a shape other than a list of findings that is read (it is read whole, as a JSON
    /// tree several times its size); a larger one is named as a problem.
    pub whole_document: u64,
    /// Whether each finding keeps its JSON (false for commands that never show or send it: the findings' JSON is
    /// then neither compacted nor spilled, which is most of the reading's work on a pretty-printed export).
    pub keep_json: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self { block: 4 << 20, item: 32 << 20, whole_document: 64 << 20, keep_json: true }
    }
}

/// A UTF-8 byte-order mark.
const BYTE_ORDER_MARK: &[u8] = b"\xef\xbb\xbf";

/// The file, and the part of it in memory: `block` holds its bytes from offset `base` on.
pub(super) struct Blocks {
    file: File,
    pub block: Arc<Vec<u8>>,
    pub base: u64,
    pub at_end: bool,
}

impl Blocks {
    /// Reads up to `want` more bytes (fewer at the end of the file).
    pub fn fill(&mut self, want: usize) -> std::io::Result<()> {
        let bytes = Arc::make_mut(&mut self.block);
        let read = Read::take(&mut self.file, want as u64).read_to_end(bytes)?;
        self.at_end = read < want;
        Ok(())
    }

    /// Forgets the bytes before `offset` (copying the rest when the block is shared with work sent out), with room
    /// for `more` bytes after them: the next [`Self::fill`] then reads in place, never moving the block as it grows.
    pub fn keep_from(&mut self, offset: u64, more: usize, outbox: &Outbox) {
        let skip = usize::try_from(offset.saturating_sub(self.base)).unwrap_or(usize::MAX).min(self.block.len());
        self.block = match Arc::try_unwrap(std::mem::take(&mut self.block)) {
            Ok(mut bytes) => {
                bytes.drain(..skip);
                bytes.reserve(more);
                Arc::new(bytes)
            }
            Err(shared) => {
                let rest = &shared[skip..];
                let mut bytes = outbox.buffer(rest.len() + more);
                bytes.extend_from_slice(rest);
                Arc::new(bytes)
            }
        };
        self.base += skip as u64;
    }

    /// Forgets the bytes in memory and reads `want` bytes from `offset` on.
    fn read_at(&mut self, offset: u64, want: usize, outbox: &Outbox) -> std::io::Result<()> {
        self.file.seek(std::io::SeekFrom::Start(offset))?;
        self.block = Arc::new(outbox.buffer(want));
        (self.base, self.at_end) = (offset, false);
        self.fill(want)
    }

    /// Offset just past the bytes in memory.
    pub fn end(&self) -> u64 {
        self.base + self.block.len() as u64
    }

    /// The bytes in memory from `offset` on.
    pub fn from(&self, offset: u64) -> &[u8] {
        let skip = usize::try_from(offset.saturating_sub(self.base)).unwrap_or(usize::MAX);
        self.block.get(skip..).unwrap_or_default()
    }
}

/// A size in words: `64 MB`, `12 KB`.
fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{} MB", b.div_ceil(1 << 20)),
        b => format!("{} KB", b.div_ceil(1 << 10)),
    }
}

fn is_space(b: &u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// The list of findings a document starts with, and the offset just past its `[`; `None` for any other shape.
fn list_start(bytes: &[u8]) -> Option<(FindingList, u64)> {
    let mut i = if bytes.starts_with(BYTE_ORDER_MARK) { BYTE_ORDER_MARK.len() } else { 0 };
    let skip_space = |i: &mut usize| {
        while bytes.get(*i).is_some_and(is_space) {
            *i += 1;
        }
    };
    skip_space(&mut i);
    match bytes.get(i)? {
        b'[' => Some((FindingList::top_level(), i as u64 + 1)),
        b'{' => {
            i += 1;
            skip_space(&mut i);
            i += bytes.get(i..)?.strip_prefix(b"\"Findings\"".as_slice()).map(|_| 10)?;
            skip_space(&mut i);
            (bytes.get(i) == Some(&b':')).then_some(())?;
            i += 1;
            skip_space(&mut i);
            (bytes.get(i) == Some(&b'[')).then(|| (FindingList::findings_member(), i as u64 + 1))
        }
        _ => None,
    }
}

/// Reads one file into `outbox`.
pub(super) fn read_file(path: &Path, outbox: &mut Outbox) {
    let problem = |outbox: &mut Outbox, at: Option<u64>, reason: String| {
        outbox.note(Note::Problem { at, location: None, reason });
    };
    // The walk took only regular files; the check is made again on the open file, which is what is read.
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) => return problem(outbox, None, format!("cannot read: {e}")),
    };
    let size = match file.metadata() {
        Ok(meta) if !meta.is_file() => return problem(outbox, None, special_file_reason(&meta)),
        Ok(meta) => meta.len(),
        Err(e) => return problem(outbox, None, format!("cannot read: {e}")),
    };
    let mut blocks = Blocks { file, block: Arc::new(Vec::new()), base: 0, at_end: false };
    if let Err(e) = blocks.fill(PROBE) {
        return problem(outbox, None, format!("cannot read: {e}"));
    }
    let limits = outbox.limits;
    let outcome = match list_start(&blocks.block) {
        Some((list, after_bracket)) => read_list(&mut blocks, list, after_bracket, size, &limits, outbox),
        None => read_whole(&mut blocks, size, &limits, outbox),
    };
    if let Err(e) = outcome {
        problem(outbox, Some(blocks.end()), format!("cannot read: {e}"));
    }
}

/// A document of another shape than a list, read whole when it is not too large.
fn read_whole(blocks: &mut Blocks, size: u64, limits: &Limits, outbox: &mut Outbox) -> std::io::Result<()> {
    let too_large = |size: u64| {
        format!(
            "{}: larger than the {} a document of this shape is read whole in (only a Findings list or an array \
             of findings is read in pieces, at any size); not read",
            size_text(size),
            size_text(limits.whole_document)
        )
    };
    let mut reason = None;
    if size > limits.whole_document {
        let text = blocks.block.strip_prefix(BYTE_ORDER_MARK).unwrap_or(&blocks.block);
        reason = Some(match text.iter().find(|b| !is_space(b)) {
            Some(b'{' | b'[') | None => too_large(size),
            Some(_) => match serde_json::from_slice::<serde::de::IgnoredAny>(text) {
                Err(e) => format!("not valid JSON: {e}"),
                Ok(_) => too_large(size),
            },
        });
    }
    while reason.is_none() && !blocks.at_end {
        blocks.fill(limits.block)?;
        if blocks.end() > limits.whole_document {
            reason = Some(too_large(blocks.end()));
        }
    }
    if let Some(reason) = reason {
        outbox.note(Note::Problem { at: None, location: None, reason });
        return Ok(());
    }
    let bytes = Arc::try_unwrap(std::mem::take(&mut blocks.block)).unwrap_or_else(|shared| shared.to_vec());
    outbox.work(Work::Whole { bytes });
    Ok(())
}

/// Lists in files smaller than this many blocks are cut item by item: runs save little there, and a file read in
/// runs is left only once they are checked.
const RUNS_FROM_BLOCKS: u64 = 4;

/// A list of findings, cut into its items block by block (in runs first, where its layout allows); then what follows
/// it.
fn read_list(
    blocks: &mut Blocks,
    list: FindingList,
    after_bracket: u64,
    size: u64,
    limits: &Limits,
    outbox: &mut Outbox,
) -> std::io::Result<()> {
    let (mut split, mut index) = (ArraySplit::new(after_bracket), 0usize);
    let layout = layout_of(blocks.from(after_bracket)).filter(|_| size >= RUNS_FROM_BLOCKS * limits.block as u64);
    if let Some((layout, first)) = layout {
        let first = after_bracket + first as u64;
        let runs = read_runs(blocks, &list, first, layout, limits, outbox);
        if runs.is_err() {
            // The file is left: what was sent of it is checked first, and a rewind that comes is given up.
            outbox.settle();
            outbox.take_rewind();
        }
        if let Runs::Ended { at } = runs? {
            if let Some(items) = outbox.settle() {
                (split, index) = (ArraySplit::item_at(at), items);
            }
        }
        if let Some(rewind) = outbox.take_rewind() {
            blocks.read_at(rewind.at, limits.block, outbox)?;
            (split, index) = (ArraySplit::item_at(rewind.at), rewind.index);
        } else if !outbox.go_on() {
            return Ok(());
        }
    }
    let mut items = Vec::new();
    let send = |outbox: &mut Outbox, blocks: &Blocks, items: &mut Vec<_>| {
        if items.is_empty() {
            return true;
        }
        let work = Work::Items {
            list: list.clone(),
            block: blocks.block.clone(),
            base: blocks.base,
            items: std::mem::take(items),
            keep_json: limits.keep_json,
        };
        outbox.work(work)
    };
    let end = loop {
        match split.next(&blocks.block, blocks.base, blocks.at_end) {
            Split::Item(range) if range.start < blocks.base || range.end - range.start > limits.item => {
                // Larger than the limit (its start may have been let go of already).
                let location = Some(format!("{}[{index}]", list.path()));
                let reason = format!("larger than {}: not read", size_text(limits.item));
                if !send(outbox, blocks, &mut items)
                    || !outbox.note(Note::Problem { at: Some(range.start), location, reason })
                {
                    return Ok(());
                }
                index += 1;
            }
            Split::Item(range) => {
                items.push((index, range));
                index += 1;
            }
            Split::More { keep_from } => {
                if !send(outbox, blocks, &mut items) || !outbox.go_on() {
                    return Ok(());
                }
                let unfinished = blocks.end() - keep_from;
                blocks.keep_from(
                    if unfinished > limits.item { split.resume_at() } else { keep_from },
                    limits.block,
                    outbox,
                );
                blocks.fill(limits.block)?;
            }
            Split::End(offset) => break Ok(offset),
            Split::Invalid(offset) => break Err(offset),
        }
    };
    if !send(outbox, blocks, &mut items) || !outbox.note(Note::ListEnd { list: list.clone(), total: index }) {
        return Ok(());
    }
    let end = match end {
        Ok(end) if list == FindingList::findings_member() => members_after(blocks, end, limits, outbox)?,
        Ok(end) => Some(end),
        Err(offset) => {
            let reason = if blocks.at_end && offset >= blocks.end() {
                "the file ends inside the list (cut short?): the items before were read".to_owned()
            } else {
                "not valid JSON: expected an item, `,` or `]` here; the rest of the file is not read".to_owned()
            };
            let location = Some(list.path().to_owned());
            outbox.note(Note::Problem { at: Some(offset), location, reason });
            None
        }
    };
    match end {
        Some(end) => trailing(blocks, end, limits, outbox),
        None => Ok(()),
    }
}

/// The members of a GetFindings response after its `Findings` list (`NextToken`, …), from `offset` to the end of
/// the document's object; the offset just past it.
fn members_after(
    blocks: &mut Blocks,
    offset: u64,
    limits: &Limits,
    outbox: &mut Outbox,
) -> std::io::Result<Option<u64>> {
    let mut split = ArraySplit::rest_of_container(offset);
    loop {
        match split.next(&blocks.block, blocks.base, blocks.at_end) {
            Split::Item(range) => {
                let rest = blocks.from(range.start).get(..(range.end - range.start) as usize).unwrap_or_default();
                outbox.work(Work::Members { rest: rest.to_vec(), at: range.start });
                return Ok(Some(range.end));
            }
            Split::More { keep_from } if blocks.end() - keep_from <= limits.whole_document && outbox.go_on() => {
                blocks.keep_from(keep_from, limits.block, outbox);
                blocks.fill(limits.block)?;
            }
            Split::More { .. } => {
                let reason = format!(
                    "the members after the Findings list are larger than {}: not read",
                    size_text(limits.whole_document)
                );
                outbox.note(Note::Problem { at: Some(offset), location: None, reason });
                return Ok(None);
            }
            Split::End(_) | Split::Invalid(_) => {
                let reason = "the file ends inside the document (cut short?): the findings before were read".into();
                outbox.note(Note::Problem { at: Some(blocks.end()), location: None, reason });
                return Ok(None);
            }
        }
    }
}

/// Only whitespace may follow the document.
fn trailing(blocks: &mut Blocks, mut offset: u64, limits: &Limits, outbox: &mut Outbox) -> std::io::Result<()> {
    loop {
        if let Some(i) = blocks.from(offset).iter().position(|b| !is_space(b)) {
            let reason = "not valid JSON: text after the end of the document; not read".into();
            outbox.note(Note::Problem { at: Some(offset + i as u64), location: None, reason });
            return Ok(());
        }
        if blocks.at_end || !outbox.go_on() {
            return Ok(());
        }
        offset = blocks.end();
        blocks.keep_from(offset, limits.block, outbox);
        blocks.fill(limits.block)?;
    }
}

#[cfg(test)]
#[test]
fn lists_are_told_from_other_shapes_by_their_start() {
    let member = |after| Some((FindingList::findings_member(), after));
    assert_eq!(list_start(b"{\n    \"Findings\": [\n"), member(19));
    assert_eq!(list_start(b"\xef\xbb\xbf{\"Findings\"  :[]}"), member(18));
    assert_eq!(list_start(b"  [{}]"), Some((FindingList::top_level(), 3)));
    for other in [
        &b"{\"SchemaVersion\": 1}"[..],
        b"{\"Findings\": {}}",
        b"{\"Findings\"",
        b"",
        b"\x00",
        b"{\"F\\u0069ndings\": []}",
    ] {
        assert_eq!(list_start(other), None, "{}", String::from_utf8_lossy(other));
    }
}
