//! Custom actions from config (like k9s plugins): run a command, publish to SNS, set the workflow status, or start
//! an SSM Automation runbook, on the selected or marked findings.

pub mod config;

pub use config::{ActionConfig, ActionKind, ActionScope};
