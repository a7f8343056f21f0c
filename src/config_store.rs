//! `[store]`: the findings kept on disk between runs.

use serde::Deserialize;

/// `[store]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// Keep findings on disk and start from them (`--no-store` turns it off for one run).
    pub enabled: bool,
    /// Closed findings (resolved, suppressed, archived, passed) are pruned this many days after they closed.
    pub retention_days: u32,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self { enabled: true, retention_days: 90 }
    }
}
