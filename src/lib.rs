//! hubtriage: triage AWS Security Hub findings and remediate them safely, from the terminal.

// Messages reach stderr through `cli::stderr` (the sanitizer), never through `eprintln!` directly.
#![cfg_attr(not(test), deny(clippy::print_stderr))]

pub mod actions;
pub mod cli;
pub mod cloud;
pub mod config;
pub mod config_audit;
pub mod config_aws;
pub mod config_coordination;
mod config_locate;
pub mod config_review;
pub mod config_store;
pub mod config_watch;
pub mod engine;
pub mod model;
pub mod playbook;
pub mod policy;
pub mod private_file;
pub mod query;
pub mod report;
pub mod review;
pub mod session;
pub mod session_approvals;
pub mod session_leases;
pub mod session_store;
pub mod store;
pub mod triage;
pub mod ui;

/// The runtime every command runs on (and the benchmarks, so their figures are the product's). SDK futures are
/// large: worker threads get 8 MB stacks (debug builds overflow the default). Timers and I/O (frame ticks, key
/// presses, sockets) are checked every 16 tasks a worker runs rather than tokio's 61: while paging keeps both
/// workers busy a page at a time, 61 pages held a frame tick back by 50 ms.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().thread_stack_size(8 << 20).event_interval(16).build()
}
