//! What the store knows of findings over time, for reports: when each finding was first seen and when it closed,
//! and how many findings came back after closing.

use super::{parse_stamp, stamp, Store, StoreError};
use chrono::{DateTime, Utc};

/// When one stored finding was first seen and, if it is closed, when it closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub first_seen: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Every stored finding's lifetime (rows whose times cannot be read are skipped).
    pub fn lifetimes(&self) -> Result<Vec<Lifetime>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare("SELECT first_seen, closed_at FROM findings").map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))
            .map_err(|e| self.sql(e))?;
        let mut lifetimes = Vec::new();
        for row in rows {
            let (first, closed) = row.map_err(|e| self.sql(e))?;
            if let Some(first_seen) = parse_stamp(&first) {
                lifetimes.push(Lifetime { first_seen, closed_at: closed.as_deref().and_then(parse_stamp) });
            }
        }
        Ok(lifetimes)
    }

    /// Findings that came back open after they had closed, since `since` (each counted once).
    pub fn reopened_since(&self, since: DateTime<Utc>) -> Result<usize, StoreError> {
        self.lock()
            .query_row(
                "SELECT COUNT(DISTINCT product_arn || char(0) || id) FROM history WHERE event = 'reopened' AND at >= ?1",
                [stamp(since)],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| usize::try_from(n).unwrap_or_default())
            .map_err(|e| self.sql(e))
    }
}
