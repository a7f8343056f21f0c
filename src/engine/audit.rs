//! The audit log: append-only JSON Lines, one record per event (an intent before every mutating call, an outcome
//! after), flushed and synced per record. Reading tolerates a torn last line (a crash mid-write) and reports it.

use crate::model::Finding;
use crate::playbook::{Change, ResourceState};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum AuditEvent {
    /// Before the calls of a fix: the before-state, the changes and their rollback.
    ApplyIntent,
    /// After the calls of a fix.
    ApplyOutcome,
    /// The re-read after a fix or rollback: verified or not.
    Verification,
    /// A fix was not attempted: read-only, state changed since approval, verdict no longer allows it.
    Refused,
    /// Nothing to do: the resource already is in the desired state.
    NoOp,
    /// BatchUpdateFindings after verification (or failure).
    FindingUpdate,
    RollbackIntent,
    RollbackOutcome,
    /// A fixed resource was found non-compliant again.
    Drift,
    /// Incident mode switched on or off.
    IncidentMode,
    /// A notification could not be published.
    Notification,
    /// Before an exception tag change: the resource's tags before, the change.
    ExceptionIntent,
    /// After an exception tag change.
    ExceptionOutcome,
    /// Findings suppressed while excepted, or set back to NEW when the exception ended.
    Suppression,
    /// A custom action ran: what, on which findings, its output (bounded) and result.
    Action,
}

/// One finding a record is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFinding {
    pub id: String,
    pub product_arn: String,
    /// When Security Hub first saw the problem: the start of "time to safe state".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_observed_at: Option<DateTime<Utc>>,
}

impl AuditFinding {
    pub fn of(finding: &Finding) -> Self {
        Self {
            id: finding.id.to_string(),
            product_arn: finding.product_arn.to_string(),
            first_observed_at: finding.first_observed_at.or(finding.created_at),
        }
    }
}

/// Outcome of the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditResult {
    /// An intent: the outcome follows.
    Pending,
    Ok,
    Failed,
    Verified,
    Unverified,
    Refused,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub time: DateTime<Utc>,
    pub event: AuditEvent,
    pub result: AuditResult,
    /// The job the record belongs to (unique within one log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    pub operator: String,
    pub findings: Vec<AuditFinding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_id: Option<String>,
    pub account_id: String,
    pub region: String,
    pub resource_type: String,
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<ResourceState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<ResourceState>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rollback: Vec<Change>,
    /// What happened, in words (errors included).
    pub message: String,
}

/// Why the audit log could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("audit log {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("audit log {path}: {source}")]
    Encode { path: PathBuf, source: serde_json::Error },
}

/// The records of a log, and the lines that could not be read.
#[derive(Debug, Default)]
pub struct AuditRead {
    pub records: Vec<AuditRecord>,
    /// `line N: reason` for each unreadable line; a torn last line says so.
    pub problems: Vec<String>,
}

/// An open audit log.
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

impl AuditLog {
    /// Opens (creating it and its directory) the log for appending.
    pub fn open(path: &Path) -> Result<Self, AuditError> {
        let io = |source| AuditError::Io { path: path.to_path_buf(), source };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut file = std::fs::OpenOptions::new().create(true).append(true).read(true).open(path).map_err(io)?;
        // A torn last line from a crash is closed off, so the next record starts on a line of its own.
        let len = file.metadata().map_err(io)?.len();
        if len > 0 && !ends_with_newline(path, len).map_err(io)? {
            file.write_all(b"\n").map_err(io)?;
        }
        Ok(Self { path: path.to_path_buf(), file: Mutex::new(file) })
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record as one line, flushed and synced before returning.
    pub fn append(&self, record: &AuditRecord) -> Result<(), AuditError> {
        let mut line =
            serde_json::to_vec(record).map_err(|source| AuditError::Encode { path: self.path.clone(), source })?;
        line.push(b'\n');
        let io = |source| AuditError::Io { path: self.path.clone(), source };
        let mut file = self.file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        file.write_all(&line).map_err(io)?;
        file.flush().map_err(io)?;
        file.sync_data().map_err(io)
    }

    /// Reads every record of a log; a missing file is an empty log.
    pub fn read(path: &Path) -> Result<AuditRead, AuditError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(AuditRead::default()),
            Err(source) => return Err(AuditError::Io { path: path.to_path_buf(), source }),
        };
        Ok(parse(&bytes))
    }
}

fn ends_with_newline(path: &Path, len: u64) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    f.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// Parses log bytes: every complete line that is a record; the others reported by line number.
pub fn parse(bytes: &[u8]) -> AuditRead {
    let mut read = AuditRead::default();
    let torn = !bytes.is_empty() && !bytes.ends_with(b"\n");
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let last = lines.len();
    for (i, line) in lines.into_iter().enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<AuditRecord>(line) {
            Ok(record) => read.records.push(record),
            Err(e) if e.is_eof() || (torn && i + 1 == last) => {
                read.problems.push(format!("line {}: incomplete record (the process stopped mid-write)", i + 1))
            }
            Err(e) => read.problems.push(format!("line {}: {e}", i + 1)),
        }
    }
    read
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
