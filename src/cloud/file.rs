//! Findings read from exported JSON: one file or a directory of them (offline review).
//!
//! Reading starts when the first page is asked for, on threads of its own (`file_stream`), and pages are handed
//! over as they are read: the TUI comes up at once, the files' findings are held once (by the table, not also
//! here), and a page waits in a bounded queue until it is taken. Offline input never changes: there is no refresh.

pub use super::file_read::Limits;
use super::file_stream::{read_files, Batch};
use super::file_walk::{walk, Walk};
use super::{CloudError, FindingSource, FindingsPage, SourceId};
use crate::model::{Finding, FindingKey};
use async_trait::async_trait;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

/// A file, or a part of one, that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub file: PathBuf,
    pub location: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{}: {loc}: {}", self.file.display(), self.reason),
            None => write!(f, "{}: {}", self.file.display(), self.reason),
        }
    }
}

/// Keeps one copy per (ProductArn, Id): the one updated last (ties: the one read last).
pub fn dedupe_latest(findings: Vec<Finding>) -> Vec<Finding> {
    dedupe_latest_by(findings, |f| f)
}

/// `dedupe_latest` over anything that holds a finding (rows, pages…).
pub fn dedupe_latest_by<T>(items: Vec<T>, finding: impl Fn(&T) -> &Finding) -> Vec<T> {
    let mut index: HashMap<FindingKey, usize> = HashMap::with_capacity(items.len());
    let mut kept: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        let key = finding(&item).key();
        match index.get(&key) {
            Some(&i) => {
                if finding(&item).updated_at >= finding(&kept[i]).updated_at {
                    kept[i] = item;
                }
            }
            None => {
                index.insert(key, kept.len());
                kept.push(item);
            }
        }
    }
    kept
}

/// Findings at most in one page handed over.
const PAGE: usize = 500;

/// Pages read ahead of the one taken.
const PAGES_AHEAD: usize = 2;

/// The findings of a file or a directory tree of them, read when first asked for.
pub struct FileSource {
    path: PathBuf,
    walk: Walk,
    /// Whether the findings keep their JSON ([`Limits::keep_json`]).
    keep_json: bool,
    reading: tokio::sync::Mutex<Option<Reading>>,
}

/// A reading under way: its pages, and the number of the next one.
struct Reading {
    pages: mpsc::Receiver<FindingsPage>,
    next: u64,
}

impl FileSource {
    /// The files of `path` (a file, or a directory tree walked for its JSON files), to be read when asked for.
    pub fn open(path: &Path) -> Self {
        Self { path: path.to_path_buf(), walk: walk(path), keep_json: true, reading: tokio::sync::Mutex::new(None) }
    }

    /// The same source, its findings without JSON of their own when `keep` is false: for commands that never show
    /// or send a finding's JSON (`plan`, `report`), which then read a pretty-printed export in about half the work.
    pub fn keeping_json(self, keep: bool) -> Self {
        Self { keep_json: keep, ..self }
    }

    /// How many files there are to read.
    pub fn files(&self) -> usize {
        self.walk.files.len()
    }

    /// Starts reading every file on threads of its own.
    fn start(&self) -> Result<Reading, CloudError> {
        let (tx, rx) = mpsc::channel(PAGES_AHEAD);
        let (files, problems) = (self.walk.files.clone(), self.walk.problems.clone());
        let limits = Limits { keep_json: self.keep_json, ..Limits::default() };
        std::thread::Builder::new()
            .name("findings-files".into())
            .spawn(move || hand_over(&files, problems, limits, &tx))
            .map_err(|e| CloudError::Other(format!("cannot start reading the files: {e}")))?;
        Ok(Reading { pages: rx, next: 0 })
    }
}

/// Threads that read the items of files: every core (a shared machine still gains from them).
fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8)
}

/// Reads every file, sending pages of at most [`PAGE`] findings; each page but the last says another follows. The
/// walk's problems come with the first page.
fn hand_over(files: &[PathBuf], problems: Vec<FileProblem>, limits: Limits, tx: &mpsc::Sender<FindingsPage>) {
    let mut held = FindingsPage { problems: problems.iter().map(ToString::to_string).collect(), ..Default::default() };
    let send = |page: FindingsPage| tx.blocking_send(page).is_ok();
    read_files(files, workers(), limits, |batch: Batch| {
        held.problems.extend(batch.problems.iter().map(ToString::to_string));
        let mut findings = batch.findings.into_iter().peekable();
        while findings.peek().is_some() {
            let room = PAGE - held.findings.len();
            held.findings.extend(findings.by_ref().take(room));
            if held.findings.len() == PAGE {
                let next = std::mem::take(&mut held);
                if !send(FindingsPage { next_token: Some(String::new()), ..next }) {
                    return false;
                }
            }
        }
        true
    });
    send(held);
}

#[async_trait]
impl FindingSource for FileSource {
    fn sources(&self) -> Vec<SourceId> {
        vec![SourceId { account_id: "file".into(), region: self.path.display().to_string() }]
    }

    async fn fetch_page(&self, _source: &SourceId, token: Option<String>) -> Result<FindingsPage, CloudError> {
        let mut reading = self.reading.lock().await;
        let wanted: u64 = match &token {
            Some(t) => t.parse().map_err(|_| CloudError::Other(format!("bad page token {t:?}")))?,
            None => 0,
        };
        if token.is_none() {
            // A first page: the files are read (again) from the start.
            *reading = Some(self.start()?);
        }
        let Some(r) = reading.as_mut().filter(|r| r.next == wanted) else {
            return Err(CloudError::Other(format!("page {wanted} of the files is not the next one")));
        };
        let mut page = r.pages.recv().await.ok_or_else(|| CloudError::Other("reading the files stopped".into()))?;
        r.next += 1;
        page.next_token = page.next_token.map(|_| r.next.to_string());
        Ok(page)
    }
}

/// Every finding and problem of `path` (a file or a directory tree), read as the file source reads them, in the
/// order of the input (not deduplicated).
pub fn read_path(path: &Path) -> Batch {
    read_path_within(path, Limits::default())
}

/// [`read_path`] holding at most what `limits` allow.
pub fn read_path_within(path: &Path, limits: Limits) -> Batch {
    let walk = walk(path);
    let mut all = Batch { findings: Vec::new(), problems: walk.problems };
    read_files(&walk.files, workers(), limits, |batch| {
        all.findings.extend(batch.findings);
        all.problems.extend(batch.problems);
        true
    });
    all
}

#[cfg(test)]
#[path = "file_tests.rs"]
pub(super) mod tests;
