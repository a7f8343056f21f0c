//! Where a session's leases live: the DynamoDB table of `[coordination] table` (or `--lock-table`), else lock files
//! in the data dir shared by the processes of this machine.

use crate::cloud::aws::{AwsSettings, DynamoLeases};
use crate::cloud::coordination::Coordination;
use crate::cloud::leases_local::LocalLeases;
use crate::config::Config;
use std::sync::Arc;
use std::time::Duration;

/// The coordination of a live AWS session.
pub async fn coordination(settings: &AwsSettings, config: &Config) -> Coordination {
    let c = &config.coordination;
    let ttl = Duration::from_secs(c.lease_seconds);
    let coordination = match &c.table {
        Some(table) => {
            Coordination { leases: Arc::new(DynamoLeases::connect(settings, table, c.region.as_deref()).await), ttl }
        }
        None => Coordination { leases: Arc::new(LocalLeases::new(&crate::session::data_dir().join("leases"))), ttl },
    };
    tracing::info!(leases = %coordination.leases.describe(), "leases on resources");
    coordination
}
