//! The lower-case text each row is searched in (`query::haystack`), kept in parts: the title and control, and the
//! account, region, verdict, product and severity, are the same for many rows and kept once each, numbered; the
//! resource and the id's last part, each row's own, are kept in one buffer (no allocation per row; a scan reads
//! memory in order). A replaced row's old text is left behind and reclaimed once it outweighs the live text.

use crate::engine::Row;
use crate::query::{haystack_parts, HaystackParts};
use std::collections::HashMap;
use std::sync::Arc;

/// Bytes per chunk of the buffer: chunks are filled and never moved, so growing costs no copy and wastes at most
/// one chunk (a single growing string would double, copying and leaving up to half of itself unused).
const CHUNK: usize = 1 << 20;

/// Where a row's text is: its shared parts by number, its own part in the buffer.
#[derive(Clone, Copy)]
struct Entry {
    head: u32,
    tail: u32,
    chunk: u32,
    start: u32,
    len: u32,
    /// Bytes of the resource at the start of the row's own text (a space and the id follow).
    resource: u32,
}

/// Searchable text per row.
#[derive(Default)]
pub(super) struct TextIndex {
    /// Shared parts, numbered in order of arrival.
    shared: Vec<Arc<str>>,
    numbers: HashMap<Arc<str>, u32>,
    chunks: Vec<String>,
    entries: Vec<Entry>,
    live: usize,
    garbage: usize,
}

/// One row's text, as [`crate::query::haystack`] gives it: `head own tail`, where `own` is `resource id`.
#[derive(Clone, Copy)]
pub(super) struct RowText<'a> {
    head: &'a str,
    own: &'a str,
    resource: usize,
    tail: &'a str,
}

impl RowText<'_> {
    /// Whether the row's text holds `needle`.
    pub fn contains(&self, needle: &str) -> bool {
        // The parts are joined by single spaces: text without one is found within a part, or nowhere.
        if !needle.contains(' ') {
            return self.head.contains(needle) || self.own.contains(needle) || self.tail.contains(needle);
        }
        let own = (self.own.get(..self.resource).unwrap_or(""), self.own.get(self.resource + 1..).unwrap_or(""));
        // A phrase: the text put together (rare, so a copy per row is fine).
        PHRASE.with_borrow_mut(|text| {
            text.clear();
            for (i, part) in [self.head, own.0, self.tail, own.1].into_iter().enumerate() {
                if i > 0 {
                    text.push(' ');
                }
                text.push_str(part);
            }
            text.contains(needle)
        })
    }
}

thread_local! {
    /// The buffer a row's text is put together in to look for a phrase.
    static PHRASE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

impl TextIndex {
    /// Sets the text of row `i` (the next row, or a replacement of an existing one) from the row.
    pub fn set(&mut self, i: usize, row: &Row) {
        let HaystackParts { head, resource, tail, id } = haystack_parts(&row.finding, row.decision.verdict);
        self.set_parts(i, &head, (&resource, &id), &tail);
    }

    fn set_parts(&mut self, i: usize, head: &str, (resource, id): (&str, &str), tail: &str) {
        let (head, tail) = (self.number(head), self.number(tail));
        let own = format!("{resource} {id}");
        let (chunk, start, len) = self.append(&own);
        let resource = u32::try_from(resource.len()).unwrap_or(u32::MAX);
        let entry = Entry { head, tail, chunk, start, len, resource };
        self.live += own.len();
        if i < self.entries.len() {
            self.garbage += self.entries[i].len as usize;
            self.live -= self.entries[i].len as usize;
            self.entries[i] = entry;
        } else {
            self.entries.push(entry);
        }
        if self.garbage > CHUNK && self.garbage > self.live {
            self.compact();
        }
    }

    /// The number of a shared part, given one when new.
    fn number(&mut self, text: &str) -> u32 {
        if let Some(&n) = self.numbers.get(text) {
            return n;
        }
        let n = u32::try_from(self.shared.len()).unwrap_or(u32::MAX);
        let text: Arc<str> = Arc::from(text);
        self.shared.push(text.clone());
        self.numbers.insert(text, n);
        n
    }

    fn append(&mut self, text: &str) -> (u32, u32, u32) {
        let fits = self.chunks.last().is_some_and(|c| c.len() + text.len() <= c.capacity());
        if !fits {
            self.chunks.push(String::with_capacity(CHUNK.max(text.len())));
        }
        let chunk = self.chunks.len() - 1;
        let buffer = &mut self.chunks[chunk];
        let start = buffer.len();
        buffer.push_str(text);
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (narrow(chunk), narrow(start), narrow(text.len()))
    }

    fn own(&self, entry: Entry) -> &str {
        let start = entry.start as usize;
        &self.chunks[entry.chunk as usize][start..start + entry.len as usize]
    }

    /// The text of row `i`.
    pub fn get(&self, i: usize) -> RowText<'_> {
        let entry = self.entries[i];
        let shared = |n: u32| self.shared.get(n as usize).map_or("", |t| &**t);
        RowText {
            head: shared(entry.head),
            own: self.own(entry),
            resource: entry.resource as usize,
            tail: shared(entry.tail),
        }
    }

    fn compact(&mut self) {
        let old_entries = std::mem::take(&mut self.entries);
        let old_chunks = std::mem::take(&mut self.chunks);
        for entry in old_entries {
            let start = entry.start as usize;
            let own = &old_chunks[entry.chunk as usize][start..start + entry.len as usize];
            let (chunk, start, len) = self.append(own);
            self.entries.push(Entry { chunk, start, len, ..entry });
        }
        self.garbage = 0;
    }
}

#[cfg(test)]
#[path = "text_index_tests.rs"]
mod tests;
