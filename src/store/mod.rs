//! The Store stage: findings kept on disk by identity (ProductArn + Id), the newest copy winning, with the workflow
//! status hubtriage set, each source's high-water mark (the start of its last complete sync) and a lifecycle history
//! per finding (first seen, workflow changes, closed, reopened). SQLite through rusqlite, one database per
//! organisation (or account) and endpoint, in the data dir: file 0600 in a 0700 directory, WAL, a schema version with
//! migrations. A database that cannot be read is moved aside (never deleted) and a new one started.

mod approvals;
mod lifetimes;
mod schema;
mod upsert;

pub use lifetimes::Lifetime;
pub use upsert::{Changes, StoredChunk, StoredFinding};

use crate::cloud::SourceId;
use crate::model::FindingKey;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Why the store cannot be used; the session goes on from the sources.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("store {path}: {source}")]
    Sql { path: PathBuf, source: rusqlite::Error },
}

/// What a source's stored findings look like, for `store info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    pub source: SourceId,
    pub findings: usize,
    pub open: usize,
    /// The start of the last complete sync, when there was one.
    pub synced_from: Option<DateTime<Utc>>,
}

/// An open store.
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
    /// The file's device and inode when it was opened (none in memory), to notice it deleted or replaced.
    file: Option<(u64, u64)>,
    /// What happened while opening (a damaged file moved aside), for the user to see.
    pub notices: Vec<String>,
}

/// A time as the store writes it: RFC 3339 in UTC with milliseconds, so text order is time order.
pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn parse_stamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

impl Store {
    /// Opens (creating it, its directory 0700 and the file 0600) the store at `path`. A file that is not a
    /// database, or fails its integrity check, is renamed `<name>.damaged-<time>` and a new store started; a store
    /// of a newer schema is refused (the session goes on without it).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let fail = |message: String| StoreError::Open { path: path.to_path_buf(), message };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
        }
        let mut notices = Vec::new();
        let conn = match Self::connect(path) {
            Ok(conn) => conn,
            Err(OpenFailure::Damaged(why)) => {
                let aside = path.with_extension(format!("damaged-{}", Utc::now().format("%Y%m%dT%H%M%SZ")));
                std::fs::rename(path, &aside)
                    .map_err(|e| fail(format!("{why}; moving it aside to {} failed: {e}", aside.display())))?;
                for suffix in ["-wal", "-shm"] {
                    let side = PathBuf::from(format!("{}{suffix}", path.display()));
                    let _ = std::fs::rename(&side, PathBuf::from(format!("{}{suffix}", aside.display())));
                }
                notices.push(format!(
                    "store {}: {why}; it was moved aside to {} and a new store started",
                    path.display(),
                    aside.display()
                ));
                Self::connect(path).map_err(|e| fail(e.to_string()))?
            }
            Err(e) => return Err(fail(e.to_string())),
        };
        let file = file_id(path);
        Ok(Self { path: path.to_path_buf(), conn: Mutex::new(conn), file, notices })
    }

    /// A store that lives only as long as the process (the demo's).
    pub fn in_memory() -> Result<Self, StoreError> {
        let path = PathBuf::from(":memory:");
        let sql = |source| StoreError::Sql { path: path.clone(), source };
        let mut conn = Connection::open_in_memory().map_err(sql)?;
        schema::migrate(&mut conn).map_err(|e| StoreError::Open { path: path.clone(), message: e.to_string() })?;
        Ok(Self { path, conn: Mutex::new(conn), file: None, notices: Vec::new() })
    }

    fn connect(path: &Path) -> Result<Connection, OpenFailure> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let existed = path.exists();
        let mut conn = Connection::open_with_flags(path, flags).map_err(OpenFailure::from_sql)?;
        if !existed {
            restrict_file(path).map_err(|e| OpenFailure::Other(format!("cannot make it private (0600): {e}")))?;
        }
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(OpenFailure::from_sql)?;
        let mode = wal_mode(&conn).map_err(OpenFailure::from_sql)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), mode, "the store runs without WAL");
        }
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(OpenFailure::from_sql)?;
        // The log is folded back into the file every 32 MB rather than every 4 MB: a page of findings is about
        // 400 KB, and each fold writes and syncs the file (a quarter of the time writing took).
        conn.pragma_update(None, "wal_autocheckpoint", 8000).map_err(OpenFailure::from_sql)?;
        check_whole(&conn, path)?;
        schema::migrate(&mut conn).map_err(|e| match e {
            schema::SchemaError::Sql(e) => OpenFailure::from_sql(e),
            newer => OpenFailure::Other(newer.to_string()),
        })?;
        Ok(conn)
    }

    /// Why what is written no longer reaches the store's file: it was deleted or replaced while hubtriage ran
    /// (SQLite goes on writing the file it opened, which nobody will read again).
    pub fn file_problem(&self) -> Option<String> {
        let opened = self.file?;
        let what = match file_id(&self.path) {
            None => "was deleted",
            Some(now) if now != opened => "was replaced by another file",
            Some(_) => return None,
        };
        Some(format!(
            "store {} {what} while hubtriage ran: findings are no longer kept for the next start (restart to keep them \
             in a new store)",
            self.path.display()
        ))
    }

    /// A full check of the database, every page read: `None` when it holds, else what is wrong.
    pub fn damage(&self) -> Result<Option<String>, StoreError> {
        let check: String = self.lock().query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(|e| self.sql(e))?;
        Ok((check != "ok").then_some(check))
    }

    /// Where the store is (`:memory:` for the demo's).
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn sql(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sql { path: self.path.clone(), source }
    }

    /// Records that every page of `source` was read in a pass that started at `from`.
    pub fn mark_synced(&self, source: &SourceId, from: DateTime<Utc>) -> Result<(), StoreError> {
        self.lock()
            .execute(
                "INSERT INTO sources (account_id, region, synced_from) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account_id, region) DO UPDATE SET synced_from = excluded.synced_from",
                (&source.account_id, &source.region, stamp(from)),
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    /// Every source's high-water mark.
    pub fn marks(&self) -> Result<BTreeMap<SourceId, DateTime<Utc>>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare("SELECT account_id, region, synced_from FROM sources").map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
            .map_err(|e| self.sql(e))?;
        let mut marks = BTreeMap::new();
        for row in rows {
            let (account_id, region, from) = row.map_err(|e| self.sql(e))?;
            if let Some(from) = parse_stamp(&from) {
                marks.insert(SourceId { account_id, region }, from);
            }
        }
        Ok(marks)
    }

    /// Per source: findings kept, open ones, and the mark.
    pub fn info(&self) -> Result<Vec<SourceInfo>, StoreError> {
        let marks = self.marks()?;
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT account_id, region, COUNT(*), SUM(open) FROM findings GROUP BY account_id, region")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
            })
            .map_err(|e| self.sql(e))?;
        let mut out: BTreeMap<SourceId, SourceInfo> = BTreeMap::new();
        for row in rows {
            let (account_id, region, findings, open) = row.map_err(|e| self.sql(e))?;
            let source = SourceId { account_id, region };
            let synced_from = marks.get(&source).copied();
            let (findings, open) = (usize::try_from(findings).unwrap_or(0), usize::try_from(open).unwrap_or(0));
            out.insert(source.clone(), SourceInfo { source, findings, open, synced_from });
        }
        for (source, from) in marks {
            out.entry(source.clone()).or_insert(SourceInfo { source, findings: 0, open: 0, synced_from: Some(from) });
        }
        Ok(out.into_values().collect())
    }

    /// Removes closed findings (and their history) closed before `now − retention_days`; how many went.
    pub fn prune(&self, retention_days: u32, now: DateTime<Utc>) -> Result<usize, StoreError> {
        self.prune_keys(retention_days, now).map(|keys| keys.len())
    }

    /// As [`Store::prune`], returning the findings removed (for the change feed).
    pub fn prune_keys(&self, retention_days: u32, now: DateTime<Utc>) -> Result<Vec<FindingKey>, StoreError> {
        let before = stamp(now - chrono::Duration::days(i64::from(retention_days)));
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(|e| self.sql(e))?;
        tx.execute(
            "DELETE FROM history WHERE (product_arn, id) IN
                 (SELECT product_arn, id FROM findings WHERE open = 0 AND closed_at IS NOT NULL AND closed_at < ?1)",
            [&before],
        )
        .map_err(|e| self.sql(e))?;
        let gone = {
            let mut stmt = tx
                .prepare(
                    "DELETE FROM findings WHERE open = 0 AND closed_at IS NOT NULL AND closed_at < ?1
                     RETURNING product_arn, id",
                )
                .map_err(|e| self.sql(e))?;
            let rows = stmt
                .query_map([&before], |row| {
                    let (product_arn, id): (String, String) = (row.get(0)?, row.get(1)?);
                    Ok(FindingKey { product_arn: product_arn.into(), id: id.into() })
                })
                .map_err(|e| self.sql(e))?;
            rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))?
        };
        tx.commit().map_err(|e| self.sql(e))?;
        Ok(gone)
    }
}

/// Why a database could not be opened.
#[derive(Debug)]
enum OpenFailure {
    /// The file is not a database, or a damaged one: it is moved aside.
    Damaged(String),
    Other(String),
}

impl OpenFailure {
    fn from_sql(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
                Self::Damaged(format!("the file is not a readable database ({e})"))
            }
            _ => Self::Other(e.to_string()),
        }
    }
}

impl std::fmt::Display for OpenFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Damaged(m) | Self::Other(m) => f.write_str(m),
        }
    }
}

/// Whether the file at `path` holds a whole database: its header and schema read, and (when no write-ahead log
/// holds pages of it) as many bytes as its header says it has — a truncated copy is caught here. A full integrity
/// check reads every page (seconds for a large store, on every start), so it is left to `store info`; damage
/// deeper in the file shows as an error when that part is read.
fn check_whole(conn: &Connection, path: &Path) -> Result<(), OpenFailure> {
    let pragma = |name: &str| conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0));
    let _tables: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).map_err(OpenFailure::from_sql)?;
    let (pages, page_size) =
        (pragma("page_count").map_err(OpenFailure::from_sql)?, pragma("page_size").map_err(OpenFailure::from_sql)?);
    let wal = std::fs::metadata(format!("{}-wal", path.display())).map(|m| m.len()).unwrap_or(0);
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let expected = u64::try_from(pages.saturating_mul(page_size)).unwrap_or(0);
    if wal == 0 && len < expected {
        return Err(OpenFailure::Damaged(format!("the file is truncated ({len} of {expected} bytes)")));
    }
    Ok(())
}

/// Asks for WAL and returns the journal mode in effect. Switching a new database to WAL takes an exclusive lock
/// that SQLite does not wait for (the busy timeout does not apply): a second process opening the same new store at
/// that moment is told "database is locked" at once, so the switch is tried again for as long as the busy timeout.
fn wal_mode(conn: &Connection) -> Result<String, rusqlite::Error> {
    const TRIES: u32 = 100;
    let mut tries = 0;
    loop {
        match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy && tries < TRIES =>
            {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

/// The device and inode of the file at `path`, when there is one.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Creates `dir` (and its parents) with mode 0700 where it creates them.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

fn restrict_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

/// The store's file for the identity `account` (the caller's account, or the organisation's administrator) and
/// `endpoint` (`None` for AWS itself): two organisations, or moto and AWS, never share one.
pub fn path_for(data_dir: &Path, account: &str, endpoint: Option<&str>) -> PathBuf {
    let account: String = account.chars().filter(char::is_ascii_alphanumeric).take(32).collect();
    let name = match endpoint {
        None => format!("{account}-aws.sqlite3"),
        Some(url) => format!("{account}-{}.sqlite3", crate::playbook::fingerprint(&[url])),
    };
    data_dir.join("store").join(name)
}

#[cfg(test)]
mod tests;
