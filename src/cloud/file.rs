//! Findings read from exported JSON: one file or a directory of them (offline review).

use super::{CloudError, FindingSource, FindingsPage, SourceId};
use crate::model::asff::read_owned_document;
use crate::model::{Finding, FindingKey};
use async_trait::async_trait;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

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

/// Findings loaded from disk, deduplicated by (ProductArn, Id) with the most recently updated copy kept.
pub struct FileSource {
    path: PathBuf,
    findings: Vec<Finding>,
    pub problems: Vec<FileProblem>,
    pub files_read: usize,
}

/// Files a directory walk reads: JSON, JSON Lines and JSON kept under another suffix (`x.json.invalid`).
fn is_candidate(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !name.starts_with('.')
        && (name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".ndjson") || name.contains(".json."))
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<FileProblem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(FileProblem {
                file: dir.into(),
                location: None,
                reason: format!("cannot list directory: {e}"),
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, files, problems);
        } else if is_candidate(&path) {
            files.push(path);
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

impl FileSource {
    /// Reads a file or a directory tree. Unreadable files are recorded in `problems`; the rest still load.
    pub fn load(path: &Path) -> Self {
        let mut problems = Vec::new();
        let mut files = Vec::new();
        if path.is_dir() {
            walk(path, &mut files, &mut problems);
        } else {
            files.push(path.to_path_buf());
        }
        let mut findings = Vec::new();
        for file in &files {
            let text = match std::fs::read(file) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) => {
                    problems.push(FileProblem {
                        file: file.clone(),
                        location: None,
                        reason: format!("cannot read: {e}"),
                    });
                    continue;
                }
            };
            let outcome = read_owned_document(text);
            findings.extend(outcome.findings);
            problems.extend(outcome.problems.into_iter().map(|p| FileProblem {
                file: file.clone(),
                location: Some(p.location),
                reason: p.reason,
            }));
        }
        Self { path: path.to_path_buf(), findings: dedupe_latest(findings), problems, files_read: files.len() }
    }

    /// Every finding loaded.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }
}

const PAGE: usize = 100;

#[async_trait]
impl FindingSource for FileSource {
    fn sources(&self) -> Vec<SourceId> {
        vec![SourceId { account_id: "file".into(), region: self.path.display().to_string() }]
    }

    async fn fetch_page(&self, _source: &SourceId, token: Option<String>) -> Result<FindingsPage, CloudError> {
        let start: usize = match token {
            Some(t) => t.parse().map_err(|_| CloudError::Other(format!("bad page token {t:?}")))?,
            None => 0,
        };
        let end = (start + PAGE).min(self.findings.len());
        let mut page = FindingsPage {
            findings: self.findings.get(start..end).unwrap_or_default().to_vec(),
            problems: Vec::new(),
            next_token: (end < self.findings.len()).then(|| end.to_string()),
        };
        if start == 0 {
            page.problems = self.problems.iter().map(ToString::to_string).collect();
        }
        Ok(page)
    }
}
