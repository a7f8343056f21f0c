//! Custom actions from config (like k9s plugins): run a command, publish to SNS, set the workflow status, or start
//! an SSM Automation runbook, on the selected or marked findings.
//!
//! Safety rules: a command is started directly with its argument vector, never through a shell, and placeholders
//! are substituted inside single arguments as plain, inert text; dangerous actions are hidden and refused in
//! read-only mode, and the cloud kinds go through the session's read-only wrappers anyway; output is bounded and
//! sanitized; every run is audited.

pub mod automation;
pub mod command;
pub mod config;
mod config_raw;
pub mod notify;
pub mod output;
pub mod prepare;
pub mod process_group;
pub mod run;
pub mod template;
pub mod workflow;

pub use automation::Polling;
pub use config::{ActionConfig, ActionKind, ActionScope, SnsFormat};
pub use prepare::validate;
pub use run::ActionRunner;
pub use template::{Placeholder, Template};
