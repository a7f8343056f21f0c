//! Headless commands and the command-line contract (see DESIGN.md).

pub mod apply;
pub mod apply_plan;
pub mod apply_run;
pub mod approvals;
pub mod args;
pub mod audit;
pub mod audit_list;
mod audit_list_format;
pub mod collect;
pub mod exceptions;
pub mod iam_policy;
mod json_pretty;
pub mod manual;
pub mod plan;
pub mod plan_json;
mod plan_order;
pub mod plan_out;
mod plan_warm;
pub mod playbooks;
pub mod progress;
pub mod report;
pub mod rollback;
pub mod setup;
pub mod stderr;
pub mod store;
pub mod tui;
pub mod watch;

/// Exit status: everything read and done.
pub const EXIT_OK: i32 = 0;
/// Exit status: a fatal error (bad config, unreadable input path); nothing was produced.
pub const EXIT_ERROR: i32 = 1;
/// Exit status: output was produced, but some input could not be read or some source failed (named on stderr).
pub const EXIT_PARTIAL: i32 = 2;
/// Exit status: the command line could not be read (unknown flag, bad value, bad `--query`); nothing was run.
/// `EX_USAGE` of sysexits.h, apart from 2 (partial), which scripts act on.
pub const EXIT_USAGE: i32 = 64;
