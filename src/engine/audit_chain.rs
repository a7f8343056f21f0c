//! The hash chain of the audit log. Every line carries a sequence number (`seq`, from 1) and the SHA-256 of the exact
//! bytes of the line before it (`prev`; [`GENESIS`] for the first line of a log), so a record changed, removed or
//! moved after it was written breaks the chain where that happened. The link of a new record comes from the file's
//! own last line, read from the end while the writer holds an exclusive lock on the file: several processes
//! appending to one log (a TUI and a headless `apply`) extend one chain and never fork it.

use super::audit::AuditRecord;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

/// `prev` of the first record of a log.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Bytes read at a time when reading a log from its end.
const CHUNK: u64 = 16 * 1024;

/// Where a record sits in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Link {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// SHA-256 (hex) of the line before, or [`GENESIS`].
    pub prev: String,
}

/// A line as written: the chain fields first, then the record.
#[derive(Serialize)]
struct ChainedLine<'a> {
    seq: u64,
    prev: &'a str,
    #[serde(flatten)]
    record: &'a AuditRecord,
}

/// The chain fields of a line, whatever else it holds (a record from before the chain has neither).
#[derive(Deserialize)]
struct LinkFields {
    seq: Option<u64>,
    prev: Option<String>,
}

/// What one line of a log is, as far as the chain is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// A record with its link.
    Chained(Link),
    /// A record without chain fields: written before records were chained.
    Legacy,
    /// A record cut short: the writing process stopped mid-line.
    Torn,
    /// Not a record at all, or a record with half of its chain fields: why.
    Unreadable(String),
}

/// SHA-256 of a line's bytes (without its newline), in lowercase hex.
pub fn line_hash(line: &[u8]) -> String {
    let digest = Sha256::digest(line);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 0x0f)]));
    }
    hex
}

/// The line of a record at `link` (without its newline).
pub fn encode(link: &Link, record: &AuditRecord) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec(&ChainedLine { seq: link.seq, prev: &link.prev, record })
}

/// Whether a line holds nothing (such lines carry no record and are not part of the chain).
pub fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Classifies a line; `unterminated` when it is the last line of the file and has no newline.
pub fn classify(line: &[u8], unterminated: bool) -> LineKind {
    match serde_json::from_slice::<AuditRecord>(line) {
        Ok(_) => match serde_json::from_slice::<LinkFields>(line) {
            Ok(LinkFields { seq: Some(seq), prev: Some(prev) }) => LineKind::Chained(Link { seq, prev }),
            Ok(LinkFields { seq: None, prev: None }) => LineKind::Legacy,
            Ok(_) => LineKind::Unreadable("it has one of the chain fields `seq` and `prev` but not the other".into()),
            Err(e) => LineKind::Unreadable(e.to_string()),
        },
        Err(e) if e.is_eof() || unterminated => LineKind::Torn,
        Err(e) => LineKind::Unreadable(e.to_string()),
    }
}

/// The link of the next record of an open log: `prev` is the hash of its last non-blank line, whatever that line
/// holds (a torn line included: the chain goes on from the bytes that are there); `seq` follows the last line that
/// carries one, or starts at 1 after a record from before the chain (or in an empty log). Reads from the end only as
/// far as it must. The caller holds the log's lock.
pub fn next_link(file: &File) -> io::Result<Link> {
    let mut prev = None;
    let mut lines = LinesFromEnd::new(file)?;
    while let Some(line) = lines.next_line()? {
        if is_blank(&line) {
            continue;
        }
        if prev.is_none() {
            prev = Some(line_hash(&line));
        }
        // Only the chain fields are read: a record this version cannot read still carries its place in the chain.
        match serde_json::from_slice::<LinkFields>(&line) {
            Ok(LinkFields { seq: Some(seq), .. }) => {
                return Ok(Link { seq: seq + 1, prev: prev.unwrap_or_else(|| GENESIS.into()) })
            }
            Ok(_) => break,
            // A torn or unreadable line holds no sequence number: look further back.
            Err(_) => continue,
        }
    }
    Ok(Link { seq: 1, prev: prev.unwrap_or_else(|| GENESIS.into()) })
}

/// Whether an open file's last byte is a newline (an empty file counts as ending with one).
pub fn ends_with_newline(file: &File) -> io::Result<bool> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(true);
    }
    let mut reader = file;
    reader.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    reader.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// The lines of a file from the last to the first, read a chunk at a time from the end.
struct LinesFromEnd<'f> {
    file: &'f File,
    /// Offset of the first byte of `pending` in the file.
    start: u64,
    /// Bytes read but not yet handed out as lines.
    pending: Vec<u8>,
    done: bool,
}

impl<'f> LinesFromEnd<'f> {
    fn new(file: &'f File) -> io::Result<Self> {
        let mut len = file.metadata()?.len();
        // The newline that ends the last line does not start another one.
        if len > 0 && ends_with_newline(file)? {
            len -= 1;
        }
        Ok(Self { file, start: len, pending: Vec::new(), done: len == 0 })
    }

    fn next_line(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            if self.done {
                return Ok(None);
            }
            if let Some(newline) = self.pending.iter().rposition(|b| *b == b'\n') {
                let line = self.pending.split_off(newline + 1);
                self.pending.truncate(newline);
                return Ok(Some(line));
            }
            if self.start == 0 {
                self.done = true;
                return Ok(Some(std::mem::take(&mut self.pending)));
            }
            let from = self.start.saturating_sub(CHUNK);
            let mut chunk = vec![0u8; usize::try_from(self.start - from).unwrap_or(0)];
            let mut reader = self.file;
            reader.seek(SeekFrom::Start(from))?;
            reader.read_exact(&mut chunk)?;
            chunk.extend_from_slice(&self.pending);
            self.pending = chunk;
            self.start = from;
        }
    }
}

#[cfg(test)]
#[path = "audit_chain_tests.rs"]
mod tests;
