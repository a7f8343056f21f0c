//! Writing findings: upsert by identity, the newest copy winning; what hubtriage set; the lifecycle history.

use super::{stamp, Store, StoreError};
use crate::model::{Finding, FindingKey, WorkflowStatus};
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

/// What an upsert changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    /// Findings seen for the first time.
    pub added: usize,
    /// Findings replaced by a newer copy.
    pub changed: usize,
    /// Copies older than the one kept (out-of-order or repeated delivery): nothing changed.
    pub stale: usize,
}

/// A stored finding as read back: where it is kept, and the workflow status hubtriage set on it since (which holds
/// until Security Hub sends a newer copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFinding {
    /// Where the finding is kept: its JSON as Security Hub gave it is read back by it ([`Store::raw`]).
    pub row: i64,
    pub key: FindingKey,
    pub set_workflow: Option<WorkflowStatus>,
}

/// Stored findings read back together: their JSON as one document (`{"Findings":[…]}`, in the order of
/// `findings`), ready for the reader without a copy per finding.
#[derive(Debug, Default)]
pub struct StoredChunk {
    pub document: String,
    pub findings: Vec<StoredFinding>,
}

impl Store {
    /// Keeps `findings` (their raw JSON must be readable), each replacing the stored copy unless that one is newer;
    /// history records first sight, workflow changes, closing and reopening. One transaction.
    pub fn upsert(&self, findings: &[Finding], now: DateTime<Utc>) -> Result<Changes, StoreError> {
        let mut changes = Changes::default();
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(|e| self.sql(e))?;
        {
            let mut get = tx
                .prepare_cached("SELECT updated_at, workflow, open FROM findings WHERE product_arn = ?1 AND id = ?2")
                .map_err(|e| self.sql(e))?;
            let mut put = tx
                .prepare_cached(
                    "INSERT INTO findings (product_arn, id, account_id, region, updated_at, workflow, open,
                                           first_seen, closed_at, set_workflow, set_at, raw, format)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, NULL, ?10, ?11)
                     ON CONFLICT (product_arn, id) DO UPDATE SET
                         account_id = excluded.account_id, region = excluded.region, format = excluded.format,
                         updated_at = excluded.updated_at, workflow = excluded.workflow, open = excluded.open,
                         closed_at = CASE WHEN excluded.open = 1 THEN NULL
                                          ELSE COALESCE(findings.closed_at, excluded.closed_at) END,
                         set_workflow = CASE WHEN excluded.updated_at > findings.updated_at THEN NULL
                                             ELSE findings.set_workflow END,
                         set_at = CASE WHEN excluded.updated_at > findings.updated_at THEN NULL
                                       ELSE findings.set_at END,
                         raw = excluded.raw",
                )
                .map_err(|e| self.sql(e))?;
            let mut log = tx
                .prepare_cached("INSERT INTO history (product_arn, id, at, event, detail) VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(|e| self.sql(e))?;
            let at = stamp(now);
            for f in findings {
                let Ok(raw) = f.raw.text() else {
                    tracing::warn!(finding = %f.id, "the finding's JSON cannot be read back; not stored");
                    continue;
                };
                let updated = f.updated_at.map(stamp).unwrap_or_default();
                let stored: Option<(String, String, bool)> = get
                    .query_row((&*f.product_arn, &*f.id), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()
                    .map_err(|e| self.sql(e))?;
                let mut events: Vec<(&str, String)> = Vec::new();
                match &stored {
                    Some((then, ..)) if *then > updated => {
                        changes.stale += 1;
                        continue;
                    }
                    Some((then, ..)) if *then == updated => {}
                    Some((_, workflow, was_open)) => {
                        changes.changed += 1;
                        if workflow != f.workflow_status.label() {
                            events.push(("workflow", format!("{workflow} → {}", f.workflow_status.label())));
                        }
                        match (*was_open, f.is_open()) {
                            (true, false) => events.push(("closed", closed_why(f))),
                            (false, true) => events.push(("reopened", f.workflow_status.label().to_string())),
                            _ => {}
                        }
                    }
                    None => {
                        changes.added += 1;
                        events.push(("first-seen", f.workflow_status.label().to_string()));
                    }
                }
                let closed_at = (!f.is_open()).then(|| at.clone());
                put.execute((
                    &*f.product_arn,
                    &*f.id,
                    &f.account_id,
                    &f.region,
                    &updated,
                    f.workflow_status.label(),
                    f.is_open(),
                    &at,
                    closed_at,
                    raw.as_ref(),
                    f.format.label(),
                ))
                .map_err(|e| self.sql(e))?;
                for (event, detail) in events {
                    log.execute((&*f.product_arn, &*f.id, &at, event, detail)).map_err(|e| self.sql(e))?;
                }
            }
        }
        tx.commit().map_err(|e| self.sql(e))?;
        Ok(changes)
    }

    /// Records the workflow status hubtriage set on `keys` (it holds until Security Hub sends a newer copy).
    pub fn set_workflow(
        &self,
        keys: &[FindingKey],
        status: WorkflowStatus,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = stamp(now);
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(|e| self.sql(e))?;
        for key in keys {
            let n = tx
                .execute(
                    "UPDATE findings SET set_workflow = ?3, set_at = ?4 WHERE product_arn = ?1 AND id = ?2",
                    (&*key.product_arn, &*key.id, status.label(), &at),
                )
                .map_err(|e| self.sql(e))?;
            if n > 0 {
                tx.execute(
                    "INSERT INTO history (product_arn, id, at, event, detail) VALUES (?1, ?2, ?3, 'set-workflow', ?4)",
                    (&*key.product_arn, &*key.id, &at, format!("{}: {note}", status.label())),
                )
                .map_err(|e| self.sql(e))?;
            }
        }
        tx.commit().map_err(|e| self.sql(e))
    }

    /// Adds one event (`fixed`, `verified`, …) to a finding's history.
    pub fn record(&self, key: &FindingKey, event: &str, detail: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.lock()
            .execute(
                "INSERT INTO history (product_arn, id, at, event, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                (&*key.product_arn, &*key.id, stamp(now), event, detail),
            )
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }

    /// A finding's history, oldest first: (time, event, detail).
    pub fn history(&self, key: &FindingKey) -> Result<Vec<(String, String, String)>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT at, event, detail FROM history WHERE product_arn = ?1 AND id = ?2 ORDER BY rowid")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map((&*key.product_arn, &*key.id), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// The identities of the open findings stored for `account_id`/`region`.
    pub fn open_keys(&self, account_id: &str, region: &str) -> Result<Vec<FindingKey>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT product_arn, id FROM findings WHERE account_id = ?1 AND region = ?2 AND open = 1")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map((account_id, region), |r| {
                Ok(FindingKey { product_arn: r.get::<_, String>(0)?.into(), id: r.get::<_, String>(1)?.into() })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sql(e))
    }

    /// Every stored finding.
    pub fn load(&self) -> Result<Vec<StoredFinding>, StoreError> {
        let mut all = Vec::new();
        self.load_chunks(1000, |chunk| {
            all.extend(chunk.findings);
            true
        })?;
        Ok(all)
    }

    /// Every stored finding, `chunk` at a time in the order they were first kept, the connection free between
    /// chunks (paging tasks write meanwhile) and never the whole store in memory; `each` takes a chunk and says
    /// whether to go on. Returns how many were read.
    pub fn load_chunks(&self, chunk: usize, mut each: impl FnMut(StoredChunk) -> bool) -> Result<usize, StoreError> {
        let mut after = 0;
        let mut read = 0;
        loop {
            let rows = self.chunk_after(after, chunk)?;
            let Some(last) = rows.findings.last() else { return Ok(read) };
            after = last.row;
            read += rows.findings.len();
            let full = rows.findings.len() == chunk;
            if !each(rows) || !full {
                return Ok(read);
            }
        }
    }

    /// Up to `limit` findings kept after row `after`.
    fn chunk_after(&self, after: i64, limit: usize) -> Result<StoredChunk, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT row, product_arn, id, raw, set_workflow FROM findings WHERE row > ?1 ORDER BY row LIMIT ?2",
            )
            .map_err(|e| self.sql(e))?;
        let mut rows = stmt.query((after, i64::try_from(limit).unwrap_or(i64::MAX))).map_err(|e| self.sql(e))?;
        let mut chunk = StoredChunk { document: String::from("{\"Findings\":["), findings: Vec::with_capacity(limit) };
        while let Some(r) = rows.next().map_err(|e| self.sql(e))? {
            let text = |i: usize| r.get_ref(i).and_then(|v| v.as_str().map_err(Into::into));
            let (product_arn, id, raw) = (text(1), text(2), text(3));
            let (product_arn, id, raw) =
                (product_arn.map_err(|e| self.sql(e))?, id.map_err(|e| self.sql(e))?, raw.map_err(|e| self.sql(e))?);
            if !chunk.findings.is_empty() {
                chunk.document.push(',');
            }
            chunk.document.push_str(raw);
            let set: Option<String> = r.get(4).map_err(|e| self.sql(e))?;
            chunk.findings.push(StoredFinding {
                row: r.get(0).map_err(|e| self.sql(e))?,
                key: FindingKey { product_arn: product_arn.into(), id: id.into() },
                set_workflow: set.as_deref().and_then(WorkflowStatus::parse),
            });
        }
        chunk.document.push_str("]}");
        Ok(chunk)
    }

    /// The JSON kept at `row`.
    pub fn raw(&self, row: i64) -> Result<String, StoreError> {
        self.lock()
            .prepare_cached("SELECT raw FROM findings WHERE row = ?1")
            .and_then(|mut stmt| stmt.query_row([row], |r| r.get(0)))
            .map_err(|e| self.sql(e))
    }
}

/// Why a finding no longer counts as open, in a word or two.
fn closed_why(f: &Finding) -> String {
    use crate::model::{ComplianceStatus, RecordState};
    if f.record_state == RecordState::Archived {
        "archived".into()
    } else if f.compliance_status == Some(ComplianceStatus::Passed) {
        "passed".into()
    } else {
        f.workflow_status.label().to_lowercase()
    }
}

impl crate::model::raw_json::RawSource for Store {
    fn read_raw(&self, row: i64) -> Result<String, String> {
        self.raw(row).map_err(|e| format!("reading the finding's JSON back: {e}"))
    }
}
