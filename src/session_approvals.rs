//! Where a session's approval requests live: the coordination table when one is configured (shared by the team
//! and every `watch`), else the local store; the demo keeps them in memory.

use crate::cli::args::GlobalArgs;
use crate::cloud::approvals::{ApprovalBook, MemoryApprovals};
use crate::cloud::Backend;
use crate::config::Config;
use crate::engine::approvals::ApprovalDesk;
use crate::engine::remediate::Remediator;
use crate::triage::Triage;
use std::sync::Arc;

/// The book of this run's approval requests, or why there is none.
pub async fn approval_book(
    args: &GlobalArgs,
    config: &Config,
    backend: &Backend,
) -> Result<Arc<dyn ApprovalBook>, String> {
    if args.demo {
        return Ok(Arc::new(MemoryApprovals::default()));
    }
    if args.findings.is_some() {
        return Err("approval requests need the accounts' live state (not --findings)".into());
    }
    if let Some(table) = &config.coordination.table {
        let settings = crate::session::aws_settings(args, config);
        let book = crate::cloud::aws::DynamoApprovals::connect(&settings, table, config.coordination.region.as_deref());
        return Ok(Arc::new(book.await));
    }
    let (store, notices) = crate::session_store::open_store(args, config, backend);
    for notice in notices {
        crate::inert_eprintln!("hubtriage: {notice}");
    }
    match store {
        Some(store) => Ok(store),
        None => Err("approval requests are kept in the local store or in the coordination table: configure \
                     [coordination] table (or --lock-table), or run without --no-store"
            .into()),
    }
}

/// The approval desk of this run.
pub async fn approval_desk(
    args: &GlobalArgs,
    config: &Config,
    backend: &Backend,
    remediator: &Arc<Remediator>,
    triage: &Arc<Triage>,
) -> Result<ApprovalDesk, String> {
    let book = approval_book(args, config, backend).await?;
    let digest = crate::review::policy_digest::policy_digest(config);
    Ok(ApprovalDesk::new(book, remediator.clone(), triage.clone(), config.review.clone(), digest))
}
