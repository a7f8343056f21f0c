//! Which store a run uses: none offline (`--findings` never writes it) or with `--no-store` / `[store] enabled =
//! false`; an in-memory one for the demo; else the identity's and endpoint's own file in the data dir.

use crate::cli::args::GlobalArgs;
use crate::cloud::Backend;
use crate::config::Config;
use crate::model::arn::Arn;
use crate::store::{path_for, Store};
use std::path::PathBuf;
use std::sync::Arc;

/// The file of the store for `backend`'s identity and the endpoint; `None` when the run keeps no store on disk.
pub fn store_path(args: &GlobalArgs, config: &Config, backend: &Backend) -> Option<PathBuf> {
    if args.demo || args.findings.is_some() || args.no_store || !config.store.enabled {
        return None;
    }
    let account = Arn::parse(&backend.operator).map(|a| a.account).filter(|a| !a.is_empty()).unwrap_or("unknown");
    Some(path_for(&crate::session::data_dir(), account, args.endpoint_url.as_deref()))
}

/// The store for this run and what the user should know about it (a damaged file moved aside, a store that
/// cannot be used — the run then goes on from the sources alone). Closed findings past the retention are pruned.
pub fn open_store(args: &GlobalArgs, config: &Config, backend: &Backend) -> (Option<Arc<Store>>, Vec<String>) {
    if args.demo && !args.no_store {
        return match Store::in_memory() {
            Ok(store) => (Some(Arc::new(store)), Vec::new()),
            Err(e) => (None, vec![e.to_string()]),
        };
    }
    let Some(path) = store_path(args, config, backend) else { return (None, Vec::new()) };
    match Store::open(&path) {
        Ok(store) => {
            let mut notices = store.notices.clone();
            match store.prune(config.store.retention_days, chrono::Utc::now()) {
                Ok(0) => {}
                Ok(n) => tracing::info!(pruned = n, "closed findings past store.retention_days removed"),
                Err(e) => notices.push(e.to_string()),
            }
            (Some(Arc::new(store)), notices)
        }
        Err(e) => (None, vec![format!("{e}; this run reads every source in full and keeps nothing")]),
    }
}
