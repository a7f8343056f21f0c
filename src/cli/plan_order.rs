//! The order `plan` prints rows in: most severe first, then by id, rows with equal keys in the order collected.
//!
//! Finding ids share long stretches (`arn:aws:securityhub:us-east-1:123456789012:subscription/aws-foundational-
//! security-best-practices/v/1.0.0/`), so a sort comparing whole ids spends its time reading the same hundred bytes
//! twice per comparison. Instead, rows are sorted by eight bytes of their id as a number; each group that is still
//! equal then skips the bytes all its ids share and is sorted again by the eight bytes after them, until every group
//! is one row (or ids equal to the end, ordered by length, then as collected). Each id is read a few times in all,
//! not once per comparison.

use super::plan_warm::id_ahead;
use crate::model::Severity;
use std::cmp::Reverse;

/// One row being ordered: the key its group is sorted by, and its position as collected.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    severity: Reverse<Severity>,
    chunk: u64,
    index: u32,
}

/// A group of entries equal in severity and in their ids' bytes before `from` (bytes past an id's end read as zero).
struct Group {
    start: usize,
    end: usize,
    from: usize,
}

/// Positions of `rows` (severity and id of each) in printing order: most severe first, then by id (as `str`
/// compares), then as given.
pub fn by_severity_then_id(rows: &[(Severity, &str)]) -> Vec<usize> {
    let Ok(count) = u32::try_from(rows.len()) else {
        // Four billion rows do not fit in memory as findings: a plain sort for the sake of completeness.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| rows[b].0.cmp(&rows[a].0).then_with(|| rows[a].1.cmp(rows[b].1)));
        return order;
    };
    // The bytes every id shares (`arn:aws:securityhub:`) order nothing: the first sort starts after them.
    // Each id is somewhere else in memory: the one a few rows ahead is fetched while this one is read.
    let shared = rows.split_first().map_or(0, |((_, first), rest)| {
        let first = first.as_bytes();
        rest.iter().enumerate().fold(first.len(), |shared, (i, (_, id))| {
            id_ahead(rest, i, 0);
            shared.min(common_prefix(&first[..shared], id.as_bytes()))
        })
    });
    let entries: Vec<Entry> = rows
        .iter()
        .zip(0..count)
        .map(|((severity, id), index)| {
            id_ahead(rows, index as usize, shared);
            Entry { severity: Reverse(*severity), chunk: chunk(id.as_bytes(), shared), index }
        })
        .collect();
    let mut entries = sorted_on_two_threads(entries);
    order_groups_on_two_threads(&mut entries, shared + 8, rows);
    entries.iter().map(|e| e.index as usize).collect()
}

/// Orders the groups of entries equal before `from` apart from each other, each on one of two threads, the largest
/// first.
fn order_groups_on_two_threads(entries: &mut [Entry], from: usize, rows: &[(Severity, &str)]) {
    let mut groups: Vec<(&mut [Entry], usize)> = Vec::new();
    let mut rest = entries;
    let mut at = 0;
    for group in groups_of(rest, 0, from) {
        let (_, tail) = std::mem::take(&mut rest).split_at_mut(group.start - at);
        let (this, tail) = tail.split_at_mut(group.end - group.start);
        groups.push((this, group.from));
        (rest, at) = (tail, group.end);
    }
    groups.sort_unstable_by_key(|(slice, _)| slice.len());
    let groups = std::sync::Mutex::new(groups);
    let take = || groups.lock().unwrap_or_else(|p| p.into_inner()).pop();
    let work = || {
        while let Some((slice, from)) = take() {
            order_group(slice, from, rows);
        }
    };
    std::thread::scope(|scope| {
        scope.spawn(work);
        work();
    });
}

/// `entries` sorted, each half on a thread of its own, then merged.
fn sorted_on_two_threads(mut entries: Vec<Entry>) -> Vec<Entry> {
    let count = entries.len();
    let (left, right) = entries.split_at_mut(count / 2);
    std::thread::scope(|scope| {
        scope.spawn(|| left.sort_unstable());
        right.sort_unstable();
    });
    let mut merged = Vec::with_capacity(count);
    let (mut l, mut r) = (left.iter().peekable(), right.iter().peekable());
    while let (Some(a), Some(b)) = (l.peek(), r.peek()) {
        merged.extend(if a <= b { l.next() } else { r.next() });
    }
    merged.extend(l.chain(r));
    merged
}

/// Orders one group of entries equal before `from`, and the groups it splits into.
fn order_group(entries: &mut [Entry], from: usize, rows: &[(Severity, &str)]) {
    let id = |e: &Entry| rows[e.index as usize].1.as_bytes();
    let mut pending = vec![Group { start: 0, end: entries.len(), from }];
    while let Some(group) = pending.pop() {
        let slice = &mut entries[group.start..group.end];
        let longest = slice.iter().map(|e| id(e).len()).max().unwrap_or(0);
        if longest <= group.from {
            // Ids equal to their ends, but for zeros past the end of the shorter: the shorter is a prefix.
            slice.sort_unstable_by_key(|e| (id(e).len(), e.index));
            continue;
        }
        // Bytes all ids of the group share past `from` are skipped: the next chunk is the first that tells them apart.
        let first = id(&slice[0]).get(group.from..).unwrap_or_default();
        let shared = slice.iter().skip(1).fold(first.len(), |shared, e| {
            shared.min(common_prefix(&first[..shared], id(e).get(group.from..).unwrap_or_default()))
        });
        let from = group.from + shared;
        for e in slice.iter_mut() {
            e.chunk = chunk(id(e), from);
        }
        slice.sort_unstable();
        pending.extend(groups_of(slice, group.start, from + 8));
    }
}

/// The runs of two or more entries with equal severity and chunk, as groups equal before `from`.
fn groups_of(entries: &[Entry], base: usize, from: usize) -> Vec<Group> {
    let mut groups = Vec::new();
    let mut start = 0;
    for end in 1..=entries.len() {
        let same = end < entries.len()
            && (entries[end].severity, entries[end].chunk) == (entries[start].severity, entries[start].chunk);
        if !same {
            if end - start > 1 {
                groups.push(Group { start: base + start, end: base + end, from });
            }
            start = end;
        }
    }
    groups
}

/// Bytes `from..from + 8` of `id` as a big-endian number, zeros past its end: of two ids equal before `from`, the one
/// with the smaller number sorts first (equal numbers say nothing).
fn chunk(id: &[u8], from: usize) -> u64 {
    let mut bytes = [0u8; 8];
    let tail = id.get(from..).unwrap_or_default();
    let n = tail.len().min(8);
    bytes[..n].copy_from_slice(&tail[..n]);
    u64::from_be_bytes(bytes)
}

/// How many bytes `a` and `b` share at their start, compared eight at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let word = |w: &[u8]| w.try_into().map_or(0, u64::from_ne_bytes);
    let words = a.chunks_exact(8).zip(b.chunks_exact(8)).take_while(|(x, y)| word(x) == word(y)).count();
    let at = words * 8;
    at + a[at..].iter().zip(&b[at..]).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
#[path = "plan_order_tests.rs"]
mod tests;
