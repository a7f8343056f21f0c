//! `[coordination]`: where the leases on resources live. With a DynamoDB table, every TUI, `apply` and `watch` on
//! any machine takes its lease there before changing a resource; without one, the processes of one machine
//! coordinate through lock files in the data dir.

use serde::Deserialize;

/// `[coordination]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CoordinationConfig {
    /// The DynamoDB lease table (partition key `resource`, TTL attribute `expires_at`); `--lock-table` overrides it.
    pub table: Option<String>,
    /// The table's region (default: the base configuration's).
    pub region: Option<String>,
    /// How long a lease lasts without renewal; it is renewed every third of it while a change runs, and a lease
    /// whose owner died is taken over after it.
    pub lease_seconds: u64,
}

impl Default for CoordinationConfig {
    fn default() -> Self {
        Self { table: None, region: None, lease_seconds: 60 }
    }
}

/// Shortest and longest lease: renewed every third of it, it must outlast a slow call, and a dead owner's lease
/// must not hold a resource for long.
const LEASE_SECONDS: std::ops::RangeInclusive<u64> = 6..=3600;

impl CoordinationConfig {
    /// Checks the table name (DynamoDB's rules) and the lease time.
    pub fn validate(&self) -> Result<(), String> {
        if !LEASE_SECONDS.contains(&self.lease_seconds) {
            return Err(format!(
                "coordination.lease_seconds: {} is not between {} and {} seconds",
                self.lease_seconds,
                LEASE_SECONDS.start(),
                LEASE_SECONDS.end()
            ));
        }
        if let Some(table) = &self.table {
            table_name(table).map_err(|e| format!("coordination.table: {e}"))?;
        }
        if let Some(region) = &self.region {
            if region.is_empty() || !region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
                return Err(format!("coordination.region: {region:?} is not a region name (eu-west-1)"));
            }
        }
        Ok(())
    }
}

/// Checks a DynamoDB table name: 3 to 255 of `A-Z a-z 0-9 _ - .`.
pub fn table_name(name: &str) -> Result<(), String> {
    let ok = (3..=255).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!("{name:?} is not a DynamoDB table name (3 to 255 letters, digits, '_', '-' or '.')"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lease_time_and_table_name_are_checked_with_the_key_named() {
        assert_eq!(CoordinationConfig::default().validate(), Ok(()));
        let short = CoordinationConfig { lease_seconds: 2, ..Default::default() };
        assert_eq!(
            short.validate(),
            Err("coordination.lease_seconds: 2 is not between 6 and 3600 seconds".to_string())
        );
        let bad = CoordinationConfig { table: Some("my table".into()), ..Default::default() };
        assert!(bad.validate().is_err_and(|e| e.starts_with("coordination.table: \"my table\"")));
        let good = CoordinationConfig { table: Some("hubtriage-leases".into()), ..Default::default() };
        assert_eq!(good.validate(), Ok(()));
    }
}
