//! `hubtriage store info | prune | reset`: the findings kept on disk for this identity and endpoint.

use super::args::{GlobalArgs, StoreCommand};
use super::{EXIT_ERROR, EXIT_OK};
use crate::cloud::Backend;
use crate::config::Config;
use crate::session_store::store_path;
use crate::store::Store;
use chrono::Utc;

/// Runs a `store` command; returns the exit status.
pub fn run(args: &GlobalArgs, config: &Config, backend: &Backend, command: StoreCommand) -> anyhow::Result<i32> {
    let Some(path) = store_path(args, config, backend) else {
        crate::inert_eprintln!(
            "hubtriage: no store for this run (offline files, the demo, --no-store or [store] enabled = false)"
        );
        return Ok(EXIT_ERROR);
    };
    if let StoreCommand::Reset = command {
        let mut removed = 0;
        for suffix in ["", "-wal", "-shm"] {
            let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
            match std::fs::remove_file(&file) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => anyhow::bail!("cannot remove {}: {e}", file.display()),
            }
        }
        let what = if removed > 0 { "removed" } else { "there was none" };
        println!("store {}: {what}; the next start loads every source in full", path.display());
        return Ok(EXIT_OK);
    }
    let store = Store::open(&path)?;
    for notice in &store.notices {
        crate::inert_eprintln!("hubtriage: {notice}");
    }
    match command {
        StoreCommand::Info => {
            let size: u64 = ["", "-wal"]
                .iter()
                .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
                .map(|m| m.len())
                .sum();
            println!("store: {}", path.display());
            println!("size:  {:.1} MB", size as f64 / 1_000_000.0);
            let damage = store.damage()?;
            println!("check: {}", damage.as_deref().unwrap_or("every page reads back whole"));
            println!("{:<28} {:>9} {:>9}  last complete sync", "source", "findings", "open");
            for s in store.info()? {
                let synced = s.synced_from.map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string());
                println!(
                    "{:<28} {:>9} {:>9}  {}",
                    s.source.to_string(),
                    s.findings,
                    s.open,
                    synced.as_deref().unwrap_or("never")
                );
            }
            if damage.is_some() {
                crate::inert_eprintln!(
                    "hubtriage: the store is damaged; `hubtriage store reset` starts a new one (the sources load in full)"
                );
                return Ok(EXIT_ERROR);
            }
        }
        StoreCommand::Prune => {
            let gone = store.prune(config.store.retention_days, Utc::now())?;
            println!("pruned {gone} closed finding(s) older than {} days", config.store.retention_days);
        }
        StoreCommand::Reset => {}
    }
    Ok(EXIT_OK)
}
