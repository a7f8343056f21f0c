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

/// Why a run without a store and without a coordination table has no approval requests.
const NO_BOOK: &str = "approval requests are kept in the local store or in the coordination table: configure \
                       [coordination] table (or --lock-table), or run without --no-store";

/// The book of this run's approval requests, or why there is none.
pub async fn approval_book(
    args: &GlobalArgs,
    config: &Config,
    backend: &Backend,
) -> Result<Arc<dyn ApprovalBook>, String> {
    approval_book_in(args, config, backend, None).await
}

/// [`approval_book`], the local store being `store` when the run opened it already (the TUI): one handle on the
/// file.
pub async fn approval_book_in(
    args: &GlobalArgs,
    config: &Config,
    backend: &Backend,
    store: Option<Arc<crate::store::Store>>,
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
    let store = match store {
        Some(store) => Some(store),
        None => {
            let (store, notices) = crate::session_store::open_store(args, config, backend);
            for notice in notices {
                crate::inert_eprintln!("hubtriage: {notice}");
            }
            store
        }
    };
    match store {
        Some(store) => Ok(store),
        None => Err(NO_BOOK.into()),
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
    desk_with(args, config, backend, remediator, triage, None).await
}

/// The approval desk of a TUI session, which opened its store already (`None`: it keeps none).
pub async fn session_desk(
    args: &GlobalArgs,
    config: &Config,
    backend: &Backend,
    remediator: &Arc<Remediator>,
    triage: &Arc<Triage>,
    store: Option<Arc<crate::store::Store>>,
) -> Result<ApprovalDesk, String> {
    if store.is_none() && config.coordination.table.is_none() && !args.demo && args.findings.is_none() {
        return Err(NO_BOOK.into());
    }
    desk_with(args, config, backend, remediator, triage, store).await
}

async fn desk_with(
    args: &GlobalArgs,
    config: &Config,
    backend: &Backend,
    remediator: &Arc<Remediator>,
    triage: &Arc<Triage>,
    store: Option<Arc<crate::store::Store>>,
) -> Result<ApprovalDesk, String> {
    let book = approval_book_in(args, config, backend, store).await?;
    let digest = crate::review::policy_digest::policy_digest(config);
    Ok(ApprovalDesk::new(book, remediator.clone(), triage.clone(), config.review.clone(), digest))
}
