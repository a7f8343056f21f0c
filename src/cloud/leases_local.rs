//! Leases for the processes of one machine, without a table: one lock file per resource under `<data dir>/leases/`,
//! held with an advisory lock (`flock`) that the kernel drops when its process ends, however it ends. The file holds
//! the owner as JSON, so another process can say who holds it and since when, and the next taker can tell a lease
//! released with its outcome from one whose owner died mid-change.
//!
//! flock belongs to an open file description: each acquire opens the file anew, so two jobs of one process exclude
//! each other too; the leases this process holds are also kept in a map, which answers them without the file.

use super::coordination::{Lease, LeaseError, LeaseOwner, Leases};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a lock file holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct LeaseFile {
    resource: String,
    operator: String,
    process: String,
    job: String,
    taken_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    outcome: Option<String>,
}

impl LeaseFile {
    fn of(lease: &Lease) -> Self {
        Self {
            resource: lease.key.clone(),
            operator: lease.owner.operator.clone(),
            process: lease.owner.process.clone(),
            job: lease.owner.job.clone(),
            taken_at: lease.taken_at,
            expires_at: lease.expires_at,
            outcome: None,
        }
    }

    fn lease(&self) -> Lease {
        Lease {
            key: self.resource.clone(),
            owner: LeaseOwner { operator: self.operator.clone(), process: self.process.clone(), job: self.job.clone() },
            taken_at: self.taken_at,
            expires_at: self.expires_at,
            took_over: None,
        }
    }
}

/// A lease this process holds: its open, locked file.
struct Held {
    file: File,
    record: LeaseFile,
}

/// Lock files under a directory (`<data dir>/leases/`).
pub struct LocalLeases {
    dir: PathBuf,
    held: std::sync::Mutex<HashMap<String, Held>>,
}

impl LocalLeases {
    /// Leases under `dir` (created 0700 on first use).
    pub fn new(dir: &Path) -> Self {
        Self { dir: dir.to_path_buf(), held: std::sync::Mutex::new(HashMap::new()) }
    }

    /// The lock file of a resource: a hash of its key (keys hold `/` and ARNs).
    fn path_of(&self, key: &str) -> PathBuf {
        let hash = Sha256::digest(key.as_bytes());
        let name: String = hash.iter().take(16).map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{name}.lock"))
    }

    fn open(&self, key: &str) -> Result<File, LeaseError> {
        let unavailable =
            |what: &str, e: std::io::Error| LeaseError::Unavailable(format!("{what} {}: {e}", self.dir.display()));
        crate::private_file::create_dir_all(&self.dir).map_err(|e| unavailable("creating lease directory", e))?;
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let path = self.path_of(key);
        options.open(&path).map_err(|e| LeaseError::Unavailable(format!("opening lease file {}: {e}", path.display())))
    }

    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<String, Held>> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Takes the file's exclusive lock without waiting; `Ok(false)` when another open file holds it.
fn try_lock(file: &File, exclusive: bool) -> std::io::Result<bool> {
    #[cfg(unix)]
    {
        use rustix::fs::{flock, FlockOperation};
        let op =
            if exclusive { FlockOperation::NonBlockingLockExclusive } else { FlockOperation::NonBlockingLockShared };
        match flock(file, op) {
            Ok(()) => Ok(true),
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(unix))]
    {
        let locked = if exclusive { file.try_lock() } else { file.try_lock_shared() };
        match locked {
            Ok(()) => Ok(true),
            Err(std::fs::TryLockError::WouldBlock) => Ok(false),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }
}

/// The owner a lock file names; `None` when it is empty or unreadable (its holder is still writing it).
fn read_record(mut file: &File) -> Option<LeaseFile> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

fn write_record(mut file: &File, record: &LeaseFile) -> std::io::Result<()> {
    let text = serde_json::to_vec(record).map_err(std::io::Error::other)?;
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&text)?;
    file.flush()
}

/// Who holds a lock file another process has locked: what it says, or an owner that says it cannot tell yet.
fn holder_of(key: &str, file: &File) -> Lease {
    read_record(file).map(|r| r.lease()).unwrap_or_else(|| Lease {
        key: key.to_string(),
        owner: LeaseOwner {
            operator: "another hubtriage process".into(),
            process: "unknown".into(),
            job: "unknown".into(),
        },
        taken_at: Utc::now(),
        expires_at: Utc::now(),
        took_over: None,
    })
}

#[async_trait]
impl Leases for LocalLeases {
    fn describe(&self) -> String {
        format!("lock files in {}", self.dir.display())
    }

    async fn acquire(&self, key: &str, owner: &LeaseOwner, ttl: Duration) -> Result<Lease, LeaseError> {
        let mut held = self.held();
        if let Some(h) = held.get(key) {
            return Err(LeaseError::Held { key: key.to_string(), holder: Box::new(h.record.lease()) });
        }
        let file = self.open(key)?;
        let io = |e: std::io::Error| LeaseError::Unavailable(format!("locking {}: {e}", self.path_of(key).display()));
        let mut attempts = 0;
        while !try_lock(&file, true).map_err(io)? {
            // A lock on a file that names no live owner (released, or not written yet) is another process looking
            // who holds it, or a taker about to write itself in: ask again a few times before answering `Held`.
            let record = read_record(&file).filter(|r| r.outcome.is_none());
            if record.is_some() || attempts == 5 {
                return Err(LeaseError::Held { key: key.to_string(), holder: Box::new(holder_of(key, &file)) });
            }
            attempts += 1;
            std::thread::sleep(Duration::from_millis(5));
        }
        let mut lease = Lease::new(key, owner, Utc::now(), ttl);
        // A record without an outcome in a file nobody locks: its owner ended mid-change.
        lease.took_over = read_record(&file).filter(|old| old.outcome.is_none()).map(|old| Box::new(old.lease()));
        let record = LeaseFile::of(&lease);
        write_record(&file, &record).map_err(io)?;
        held.insert(key.to_string(), Held { file, record });
        Ok(lease)
    }

    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<Lease, LeaseError> {
        let mut held = self.held();
        let Some(h) = held.get_mut(&lease.key).filter(|h| h.record.job == lease.owner.job) else {
            return Err(LeaseError::Lost(lease.key.clone()));
        };
        let renewed =
            Lease { expires_at: Lease::new(&lease.key, &lease.owner, Utc::now(), ttl).expires_at, ..lease.clone() };
        h.record.expires_at = renewed.expires_at;
        if let Err(e) = write_record(&h.file, &h.record) {
            // The lock, not the file's text, is what excludes others: the lease still holds.
            tracing::warn!(resource = %lease.key, "writing the renewed lease: {e}");
        }
        Ok(renewed)
    }

    async fn release(&self, lease: &Lease, outcome: &str) -> Result<(), LeaseError> {
        let mut held = self.held();
        if held.get(&lease.key).is_some_and(|h| h.record.job == lease.owner.job) {
            if let Some(mut h) = held.remove(&lease.key) {
                h.record.outcome = Some(outcome.to_string());
                h.record.expires_at = Utc::now();
                if let Err(e) = write_record(&h.file, &h.record) {
                    tracing::warn!(resource = %lease.key, "recording the lease's outcome: {e}");
                }
                // Dropping the file closes it, which drops the lock.
            }
        }
        Ok(())
    }

    async fn holder(&self, key: &str) -> Result<Option<Lease>, LeaseError> {
        if let Some(h) = self.held().get(key) {
            return Ok(Some(h.record.lease()));
        }
        let file = match File::open(self.path_of(key)) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(LeaseError::Unavailable(format!("opening {}: {e}", self.path_of(key).display()))),
        };
        let io = |e: std::io::Error| LeaseError::Unavailable(format!("locking {}: {e}", self.path_of(key).display()));
        if try_lock(&file, false).map_err(io)? {
            // Free: the shared lock goes with the file.
            return Ok(None);
        }
        Ok(Some(holder_of(key, &file)))
    }
}

#[cfg(test)]
#[path = "leases_local_tests.rs"]
mod tests;
