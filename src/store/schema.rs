//! The store's tables and their migrations. `PRAGMA user_version` holds the schema version; each migration moves
//! one version up inside a transaction, so a database is always at a version this build knows, or refused.

use rusqlite::Connection;

/// The schema version this build writes.
pub const VERSION: i64 = 3;

/// Migration `n` takes a database from version `n` to `n + 1`.
const MIGRATIONS: [&str; VERSION as usize] = [FIRST, SECOND, THIRD];

/// 0 → 1: findings by identity with their raw JSON, each source's high-water mark, and a lifecycle history.
pub(super) const FIRST: &str = "CREATE TABLE findings (
         product_arn   TEXT NOT NULL,
         id            TEXT NOT NULL,
         account_id    TEXT NOT NULL,
         region        TEXT NOT NULL,
         updated_at    TEXT NOT NULL,
         workflow      TEXT NOT NULL,
         open          INTEGER NOT NULL,
         first_seen    TEXT NOT NULL,
         closed_at     TEXT,
         set_workflow  TEXT,
         set_at        TEXT,
         raw           TEXT NOT NULL,
         PRIMARY KEY (product_arn, id)
     ) WITHOUT ROWID;
     CREATE INDEX findings_by_source ON findings (account_id, region);
     CREATE TABLE sources (
         account_id    TEXT NOT NULL,
         region        TEXT NOT NULL,
         synced_from   TEXT NOT NULL,
         PRIMARY KEY (account_id, region)
     ) WITHOUT ROWID;
     CREATE TABLE history (
         product_arn   TEXT NOT NULL,
         id            TEXT NOT NULL,
         at            TEXT NOT NULL,
         event         TEXT NOT NULL,
         detail        TEXT NOT NULL
     );
     CREATE INDEX history_by_finding ON history (product_arn, id);";

/// 1 → 2: findings in a rowid table (a finding's JSON is kilobytes: SQLite keeps large rows well only there), in
/// the order they arrived, so a restart reads them front to back; identity through a unique index; each finding's
/// format (ASFF or OCSF), for queries by format (reading its JSON back needs none: the reader tells the formats apart
/// by their fields).
const SECOND: &str = "CREATE TABLE findings_by_row (
         row           INTEGER PRIMARY KEY,
         product_arn   TEXT NOT NULL,
         id            TEXT NOT NULL,
         format        TEXT NOT NULL DEFAULT 'asff',
         account_id    TEXT NOT NULL,
         region        TEXT NOT NULL,
         updated_at    TEXT NOT NULL,
         workflow      TEXT NOT NULL,
         open          INTEGER NOT NULL,
         first_seen    TEXT NOT NULL,
         closed_at     TEXT,
         set_workflow  TEXT,
         set_at        TEXT,
         raw           TEXT NOT NULL
     );
     INSERT INTO findings_by_row (product_arn, id, account_id, region, updated_at, workflow, open, first_seen,
                                  closed_at, set_workflow, set_at, raw)
         SELECT product_arn, id, account_id, region, updated_at, workflow, open, first_seen,
                closed_at, set_workflow, set_at, raw
         FROM findings ORDER BY account_id, region, product_arn, id;
     DROP TABLE findings;
     ALTER TABLE findings_by_row RENAME TO findings;
     CREATE UNIQUE INDEX findings_by_identity ON findings (product_arn, id);
     CREATE INDEX findings_by_source ON findings (account_id, region, open);";

/// 2 → 3: approval requests kept locally when no coordination table is configured (the whole request as JSON, its
/// status beside it for the conditional transitions).
const THIRD: &str = "CREATE TABLE approvals (
         id            TEXT PRIMARY KEY,
         status        TEXT NOT NULL,
         requested_at  TEXT NOT NULL,
         request       TEXT NOT NULL
     );";

/// Why a database cannot be used as it is.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("it was written by a newer hubtriage (schema version {found}, this one knows {VERSION})")]
    Newer { found: i64 },
    #[error("{0}")]
    Sql(#[from] rusqlite::Error),
}

/// Brings `conn` to [`VERSION`], one migration at a time. Each step reads the version inside its own write
/// transaction, so two processes opening a new store at once apply each migration once.
pub fn migrate(conn: &mut Connection) -> Result<(), SchemaError> {
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > VERSION {
            return Err(SchemaError::Newer { found });
        }
        let Some(sql) = usize::try_from(found).ok().and_then(|n| MIGRATIONS.get(n)) else { return Ok(()) };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
    }
}
