//! `audit verify`: walks a log's hash chain and names, by line number, every record that was changed, removed,
//! reordered or torn since it was written. Records at the start of a log that predate the chain are counted, not
//! covered. The last record has no successor to vouch for it: only the remote copy (`[audit] s3_bucket`) anchors it.

use super::audit::AuditError;
use super::audit_chain::{classify, is_blank, line_hash, LineKind, Link, GENESIS};
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// What kind of break a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakKind {
    /// The record's bytes are not what was written.
    Changed,
    /// Records are missing before this one.
    Missing,
    /// The record is not where it was written.
    Reordered,
    /// The record was cut short (the writing process stopped mid-line).
    Torn,
    /// A record without chain fields after the chain began.
    Unchained,
}

impl BreakKind {
    /// The word a report uses.
    pub fn word(self) -> &'static str {
        match self {
            Self::Changed => "changed",
            Self::Missing => "missing",
            Self::Reordered => "reordered",
            Self::Torn => "torn",
            Self::Unchained => "unchained",
        }
    }
}

/// One break in the chain, at a line of the file (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub line: usize,
    pub kind: BreakKind,
    pub detail: String,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.kind.word(), self.detail)
    }
}

/// The result of walking a log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainReport {
    /// Records before the first chained one, which predate the chain.
    pub legacy: usize,
    /// Chained records.
    pub chained: usize,
    /// Line and sequence number of the last chained record.
    pub last: Option<(usize, u64)>,
    /// Every break, in file order; empty when the chain holds.
    pub breaks: Vec<ChainBreak>,
}

impl ChainReport {
    /// Whether the chain holds from its first record to its last.
    pub fn holds(&self) -> bool {
        self.breaks.is_empty()
    }
}

/// Reads the log at `path` and walks its chain; a missing file is an error (there is nothing to vouch for).
pub fn verify_file(path: &Path) -> Result<ChainReport, AuditError> {
    let bytes = std::fs::read(path).map_err(|source| AuditError::Io { path: path.to_path_buf(), source })?;
    Ok(verify(&bytes))
}

/// One non-blank line of a log.
struct Entry {
    /// 1-based line number in the file.
    number: usize,
    hash: String,
    kind: LineKind,
}

/// Walks the chain of a log's bytes.
pub fn verify(bytes: &[u8]) -> ChainReport {
    let unterminated = !bytes.is_empty() && !bytes.ends_with(b"\n");
    let lines: Vec<(usize, &[u8])> =
        bytes.split(|b| *b == b'\n').enumerate().map(|(i, l)| (i + 1, l)).filter(|(_, l)| !is_blank(l)).collect();
    let count = lines.len();
    let entries: Vec<Entry> = lines
        .into_iter()
        .enumerate()
        .map(|(i, (number, bytes))| Entry {
            number,
            hash: line_hash(bytes),
            kind: classify(bytes, i + 1 == count && unterminated),
        })
        .collect();
    // Where each line's hash and each sequence number occur first: a record whose `prev` names another line than
    // the one before it was moved; one whose predecessor is in the file but hashes differently names a changed line.
    let mut hashes: HashMap<&str, usize> = HashMap::new();
    let mut sequence: HashMap<u64, usize> = HashMap::new();
    for entry in &entries {
        hashes.entry(entry.hash.as_str()).or_insert(entry.number);
        if let LineKind::Chained(link) = &entry.kind {
            sequence.entry(link.seq).or_insert(entry.number);
        }
    }
    let mut walk = Walk { report: ChainReport::default(), expected: None, hashes, sequence };
    for (i, entry) in entries.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|j| entries.get(j));
        match &entry.kind {
            LineKind::Torn => walk.add(
                entry.number,
                BreakKind::Torn,
                "the record is cut short: the process writing it stopped mid-line (a crash), or the line was \
                 truncated later"
                    .into(),
            ),
            LineKind::Unreadable(why) => {
                walk.add(entry.number, BreakKind::Changed, format!("not a readable audit record ({why})"))
            }
            LineKind::Legacy if walk.expected.is_none() => walk.report.legacy += 1,
            LineKind::Legacy => walk.add(
                entry.number,
                BreakKind::Unchained,
                "a record without `seq` and `prev` after the chain began: it was added or altered after it was \
                 written"
                    .into(),
            ),
            LineKind::Chained(link) => walk.chained(entry, link, before, entries.get(i + 1)),
        }
    }
    walk.report.breaks.sort_by_key(|b| b.line);
    walk.report
}

/// The state of a walk along the chain.
struct Walk<'e> {
    report: ChainReport,
    /// The sequence number the next chained record must carry; `None` until the chain begins.
    expected: Option<u64>,
    /// Line of each line hash (its first occurrence).
    hashes: HashMap<&'e str, usize>,
    /// Line of each sequence number (its first occurrence).
    sequence: HashMap<u64, usize>,
}

impl Walk<'_> {
    /// Records a break, one per line (a changed line is named once even when its successor also shows it).
    fn add(&mut self, line: usize, kind: BreakKind, detail: String) {
        if !self.report.breaks.iter().any(|b| b.line == line) {
            self.report.breaks.push(ChainBreak { line, kind, detail });
        }
    }

    /// Checks a chained record: its `prev` against the hash of the line before, its `seq` against the count.
    fn chained(&mut self, entry: &Entry, link: &Link, before: Option<&Entry>, after: Option<&Entry>) {
        let (number, seq) = (entry.number, link.seq);
        self.report.chained += 1;
        let want = self.expected.unwrap_or(1);
        let before_line = before.map(|b| b.number);
        let follows = self.hashes.get(link.prev.as_str()).copied().filter(|j| Some(*j) != before_line && *j != number);
        let predecessor = seq.checked_sub(1).and_then(|p| self.sequence.get(&p).copied());
        if link.prev == before.map_or(GENESIS, |b| b.hash.as_str()) {
            if seq != want {
                let why = format!(
                    "its sequence number is {seq} where {want} was due, yet it links to the line before: its `seq` \
                     was altered"
                );
                self.add(number, BreakKind::Changed, why);
            }
        } else if let Some(j) = follows {
            let why = format!("record {seq} was written right after the record now on line {j}: records were moved");
            self.add(number, BreakKind::Reordered, why);
        } else {
            match predecessor {
                // Record seq-1 is in the log, elsewhere, and no longer hashes to what this record holds.
                Some(j) if Some(j) != before_line => {
                    let why = format!(
                        "record {seq} (line {number}) holds a different hash of this line: it was altered after it \
                         was written"
                    );
                    self.add(j, BreakKind::Changed, why);
                    self.out_of_place(number, seq, want);
                }
                None if seq != want => self.out_of_place(number, seq, want),
                _ => self.unlinked(entry, before, after),
            }
        }
        self.expected = Some(seq + 1);
        self.report.last = Some((number, seq));
    }

    /// A record whose sequence number is not the one due: records before it are missing, or it was moved back.
    fn out_of_place(&mut self, number: usize, seq: u64, want: u64) {
        if seq > want {
            let gone =
                if seq - want == 1 { format!("record {want} is") } else { format!("records {want}-{} are", seq - 1) };
            self.add(number, BreakKind::Missing, format!("{gone} missing before this line (removed)"));
        } else if seq < want {
            let why = format!("the sequence goes back from {} to {seq}: records were moved", want.saturating_sub(1));
            self.add(number, BreakKind::Reordered, why);
        }
    }

    /// A record in its place in the sequence that does not link to the line before: either that line was altered,
    /// or this record's own `prev` was. When the next record does not link to this one either, this one was altered.
    fn unlinked(&mut self, entry: &Entry, before: Option<&Entry>, after: Option<&Entry>) {
        let next_links_here = match after.map(|a| &a.kind) {
            Some(LineKind::Chained(next)) => Some(next.prev == entry.hash),
            _ => None,
        };
        match (before, next_links_here) {
            (None, _) => self.add(
                entry.number,
                BreakKind::Missing,
                "the first record links to a line that is not in the log: the start of the log was removed".into(),
            ),
            (Some(_), Some(false)) => self.add(
                entry.number,
                BreakKind::Changed,
                "it does not link to the line before and the next record does not link to it: it was altered \
                 after it was written"
                    .into(),
            ),
            (Some(previous), _) => self.add(
                previous.number,
                BreakKind::Changed,
                format!(
                    "the record on line {} holds a different hash of this line: this line was altered after it was \
                     written{}",
                    entry.number,
                    if next_links_here.is_none() { " (or that record's `prev` was)" } else { "" }
                ),
            ),
        }
    }
}

#[cfg(test)]
#[path = "audit_verify_tests.rs"]
mod tests;
