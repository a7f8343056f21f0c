//! The audit log: append-only JSON Lines, one record per event (an intent before every mutating call, an outcome
//! after), each chained to the line before by its hash (see `audit_chain`), flushed and synced per record, and
//! copied to a write-once bucket when one is configured. Reading tolerates a torn last line (a crash mid-write) and
//! reports it.

use super::audit_chain;
use crate::cloud::audit_copy::AuditCopy;
use crate::model::{Finding, FindingFormat, FindingKey};
use crate::playbook::{Change, ResourceState};
use crate::private_file;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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
    /// Before a custom action runs: which, on which findings.
    ActionIntent,
    /// A custom action ran: what, on which findings, its output (bounded) and result.
    Action,
    /// A finding's plan was put up for approval (the request carries the plan).
    ApprovalRequested,
    /// An approval request was approved.
    ApprovalApproved,
    /// An approval request was rejected.
    ApprovalRejected,
    /// An approval request expired without a decision: the finding was handed back as manual work.
    ApprovalExpired,
}

impl AuditEvent {
    /// Whether the record announces a change before it is made (its outcome follows).
    pub fn is_intent(self) -> bool {
        matches!(self, Self::ApplyIntent | Self::RollbackIntent | Self::ExceptionIntent | Self::ActionIntent)
    }
}

/// One finding a record is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFinding {
    pub id: String,
    pub product_arn: String,
    /// When Security Hub first saw the problem: the start of "time to safe state".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_observed_at: Option<DateTime<Utc>>,
    /// The finding's format, which says how Security Hub updates it (BatchUpdateFindings or BatchUpdateFindingsV2);
    /// left out for ASFF, as records written before OCSF findings were read have it.
    #[serde(default, skip_serializing_if = "FindingFormat::is_asff")]
    pub format: FindingFormat,
}

impl AuditFinding {
    pub fn of(finding: &Finding) -> Self {
        Self {
            id: finding.id.to_string(),
            product_arn: finding.product_arn.to_string(),
            first_observed_at: finding.first_observed_at.or(finding.created_at),
            format: finding.format,
        }
    }

    /// The key Security Hub identifies the finding by.
    pub fn key(&self) -> FindingKey {
        FindingKey { product_arn: Arc::from(self.product_arn.as_str()), id: Arc::from(self.id.as_str()) }
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
    /// The process that wrote an intent (host, pid and its start), so that a re-check after a crash claims only
    /// the changes of processes that are gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<crate::cloud::process::ProcessRef>,
    /// What happened, in words (errors included).
    pub message: String,
}

impl AuditRecord {
    /// For an intent: the failed outcome that closes it when the change never started (`why`); `None` for other
    /// records.
    pub fn not_started(&self, why: &str) -> Option<AuditRecord> {
        let event = match (self.event, self.result) {
            (AuditEvent::ApplyIntent, AuditResult::Pending) => AuditEvent::ApplyOutcome,
            (AuditEvent::RollbackIntent, AuditResult::Pending) => AuditEvent::RollbackOutcome,
            (AuditEvent::ExceptionIntent, AuditResult::Pending) => AuditEvent::ExceptionOutcome,
            (AuditEvent::ActionIntent, AuditResult::Pending) => AuditEvent::Action,
            _ => return None,
        };
        Some(AuditRecord {
            time: Utc::now(),
            event,
            result: AuditResult::Failed,
            before: None,
            after: None,
            changes: Vec::new(),
            rollback: Vec::new(),
            message: format!("not started: {why}"),
            ..self.clone()
        })
    }
}

/// Why the audit log could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("audit log {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("audit log {path}: {source}")]
    Encode { path: PathBuf, source: serde_json::Error },
    /// The record is in the local log, but its remote copy could not be written.
    #[error("audit log {path}: record {seq} is in the local log, but its copy to {location} failed: {message}")]
    Copy { path: PathBuf, seq: u64, location: String, message: String },
}

impl AuditError {
    /// Whether the record reached the local log (only its remote copy failed).
    pub fn written_locally(&self) -> bool {
        matches!(self, Self::Copy { .. })
    }
}

/// The records of a log, and the lines that could not be read.
#[derive(Debug, Default)]
pub struct AuditRead {
    pub records: Vec<AuditRecord>,
    /// `line N: reason` for each unreadable line; a torn last line says so.
    pub problems: Vec<String>,
}

/// A record as it went into the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// Its place in the chain.
    pub seq: u64,
    /// SHA-256 of its line: the `prev` of the next record.
    pub hash: String,
    /// The line, without its newline.
    pub line: Vec<u8>,
}

/// An open audit log.
pub struct AuditLog {
    path: PathBuf,
    /// The process's writers take turns here; other processes are kept out by the file lock.
    file: Mutex<std::fs::File>,
    copy: Option<Arc<dyn AuditCopy>>,
}

impl AuditLog {
    /// Opens (creating it 0600, and its directory 0700) the log for appending; a log others may read is narrowed to
    /// 0600, and a log line says so.
    pub fn open(path: &Path) -> Result<Self, AuditError> {
        let opened =
            private_file::open_append(path).map_err(|source| AuditError::Io { path: path.to_path_buf(), source })?;
        if let Some(mode) = opened.narrowed_from {
            tracing::warn!(path = %path.display(), "the audit log was mode {mode:o}: narrowed to 600");
        }
        if let Some(why) = &opened.narrow_failed {
            tracing::warn!(path = %path.display(), "the audit log may be readable by others: {why}");
        }
        Ok(Self { path: path.to_path_buf(), file: Mutex::new(opened.file), copy: None })
    }

    /// Copies every record to `copy` too, before `append` returns.
    pub fn with_copy(mut self, copy: Arc<dyn AuditCopy>) -> Self {
        self.copy = Some(copy);
        self
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record as one line, chained to the line before, flushed and synced; then, when a remote copy is
    /// configured, stores it there. Returns only once both are done: a caller about to make a change makes it only
    /// on `Ok`. On [`AuditError::Copy`] the record is in the local log but not in the copy.
    pub async fn append(&self, record: &AuditRecord) -> Result<Appended, AuditError> {
        let appended = self.append_local(record)?;
        if let Some(copy) = &self.copy {
            if let Err(e) = copy.put_record(appended.seq, &appended.hash, &appended.line).await {
                return Err(AuditError::Copy {
                    path: self.path.clone(),
                    seq: appended.seq,
                    location: copy.location(),
                    message: e.to_string(),
                });
            }
        }
        Ok(appended)
    }

    /// Appends to the local file only: under the file's exclusive lock, a torn last line (another process stopped
    /// mid-write) is closed off, the link is read from the last line, and the record is written and synced.
    fn append_local(&self, record: &AuditRecord) -> Result<Appended, AuditError> {
        let io = |source| AuditError::Io { path: self.path.clone(), source };
        let file = self.file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let _locked = FileLock::exclusive(&file).map_err(io)?;
        let mut writer: &std::fs::File = &file;
        if !audit_chain::ends_with_newline(&file).map_err(io)? {
            writer.write_all(b"\n").map_err(io)?;
        }
        let link = audit_chain::next_link(&file).map_err(io)?;
        let mut line = audit_chain::encode(&link, record)
            .map_err(|source| AuditError::Encode { path: self.path.clone(), source })?;
        let hash = audit_chain::line_hash(&line);
        line.push(b'\n');
        writer.write_all(&line).map_err(io)?;
        writer.flush().map_err(io)?;
        file.sync_data().map_err(io)?;
        line.pop();
        Ok(Appended { seq: link.seq, hash, line })
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

/// An exclusive lock on a file, released when dropped (closing the file would release it too).
struct FileLock<'f>(&'f std::fs::File);

impl<'f> FileLock<'f> {
    /// Waits until no other process holds the file's lock, then takes it.
    fn exclusive(file: &'f std::fs::File) -> std::io::Result<Self> {
        file.lock()?;
        Ok(Self(file))
    }
}

impl Drop for FileLock<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.0.unlock() {
            tracing::warn!("releasing the audit log's lock: {e}");
        }
    }
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
pub(crate) mod tests;
