//! Asks the processor for the memory the next entries of `plan --format json` read, while it writes this one.
//!
//! The entries are written in the order of severity and id, which is not the order the findings were read (and
//! allocated) in: each entry's row, finding, id and resource are somewhere else in a few hundred megabytes, and
//! every one of them missed the caches. The rows a few places ahead are fetched in stages, each stage reading only
//! what an earlier one already fetched: the row, then the finding it points to, then the texts the finding points to.

use crate::engine::Row;

/// How far ahead each stage works: the row, the finding, the finding's texts, the resource's id.
const ROW_AHEAD: usize = 12;
const FINDING_AHEAD: usize = 8;
const TEXTS_AHEAD: usize = 4;
const RESOURCE_AHEAD: usize = 2;

/// Fetches, for the entries after the `i`-th of `order`, what writing them reads.
pub fn ahead_of(rows: &[Row], order: &[usize], i: usize) {
    let row = |ahead: usize| order.get(i + ahead).and_then(|&at| rows.get(at));
    // Taking the address of a row reads nothing: it is fetched without waiting for it.
    if let Some(row) = row(ROW_AHEAD) {
        fetch(row);
    }
    if let Some(row) = row(FINDING_AHEAD) {
        let f = &*row.finding;
        // The lines of the finding that the entry reads (the compiler lays the fields out; these cover them).
        fetch(&f.id);
        fetch(&f.resources);
        fetch(&f.warnings);
        fetch(&f.control_id);
        fetch(&f.severity);
        fetch(&f.raw);
    }
    if let Some(row) = row(TEXTS_AHEAD) {
        let f = &*row.finding;
        fetch_text(f.public_id().as_bytes());
        if let Some(resource) = f.resources.first() {
            fetch(resource);
        }
    }
    if let Some(resource) = row(RESOURCE_AHEAD).and_then(|row| row.finding.primary_resource()) {
        fetch_text(resource.id.as_bytes());
    }
}

/// Fetches the severity and id of the finding of the row a few places after the `i`-th: the sort keys are gathered
/// in the order the rows were collected, not the order their findings lie in memory.
pub fn finding_ahead(rows: &[Row], i: usize) {
    if let Some(row) = rows.get(i + FINDING_AHEAD) {
        fetch(&row.finding.severity);
        fetch(&row.finding.id);
    }
}

/// Fetches the bytes from `from` on of the id of the row a few places after the `i`-th, as the ordering reads them.
pub fn id_ahead<S>(rows: &[(S, &str)], i: usize, from: usize) {
    if let Some(byte) = rows.get(i + FINDING_AHEAD).and_then(|(_, id)| id.as_bytes().get(from)) {
        fetch(byte);
    }
}

/// The cache lines of a text of up to 256 bytes (ids are ARNs of about 100 to 200).
fn fetch_text(bytes: &[u8]) {
    for at in (0..bytes.len().min(256)).step_by(64) {
        fetch(&bytes[at]);
    }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
fn fetch<T>(at: &T) {
    safe_arch::prefetch_t0(at);
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
fn fetch<T>(_at: &T) {}
