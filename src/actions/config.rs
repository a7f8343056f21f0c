//! `[[actions]]` in config: what an action is, when it applies, and how it runs.

use crate::model::resource_type::same_type;
use crate::model::{Finding, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;

/// One custom action. Read through `config_raw::RawAction`: serde cannot combine a flattened, tagged `kind` with
/// `deny_unknown_fields`, and unknown keys must stay errors.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(try_from = "super::config_raw::RawAction")]
pub struct ActionConfig {
    pub name: String,
    /// The key that runs it from the action menu (one character).
    pub key: Option<char>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub scope: ActionScope,
    /// Ask before running.
    #[serde(default)]
    pub confirm: bool,
    /// Changes something: hidden (and refused) in read-only mode.
    #[serde(default)]
    pub dangerous: bool,
    pub kind: ActionKind,
}

/// Which findings an action is offered for; empty lists match anything.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ActionScope {
    /// Control ids, `S3.*` prefixes allowed.
    pub controls: Vec<String>,
    pub resource_types: Vec<String>,
    /// Product names (`GuardDuty`, `Security Hub`, `Inspector`…).
    pub products: Vec<String>,
    pub severities: Vec<Severity>,
}

/// How an action runs.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ActionKind {
    /// A program with arguments — never through a shell. `{placeholder}`s are substituted inside single arguments;
    /// the finding's JSON goes to stdin; `HUBTRIAGE_*` variables describe the finding.
    Command {
        argv: Vec<String>,
        #[serde(default = "default_timeout")]
        timeout_seconds: u64,
    },
    /// Publish the finding to a topic.
    Sns {
        topic_arn: String,
        /// `summary` (default) or `json`.
        #[serde(default)]
        format: SnsFormat,
    },
    /// Set the workflow status with a note.
    Workflow { status: String, note: String },
    /// Start an SSM Automation document in the finding's account and region and follow it.
    SsmAutomation {
        document: String,
        #[serde(default)]
        parameters: BTreeMap<String, Vec<String>>,
    },
}

/// What an `sns` action publishes.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SnsFormat {
    #[default]
    Summary,
    Json,
}

fn default_timeout() -> u64 {
    super::config_raw::DEFAULT_TIMEOUT_SECONDS
}

impl ActionScope {
    /// Whether the action is offered for this finding.
    pub fn matches(&self, finding: &Finding) -> bool {
        let control = finding.control_id.as_deref().unwrap_or("");
        let control_ok = self.controls.is_empty()
            || self.controls.iter().any(|c| match c.strip_suffix('*') {
                Some(prefix) => control.starts_with(prefix),
                None => c == control,
            });
        let kind = finding.primary_resource().map(|r| &*r.kind).unwrap_or("");
        control_ok
            && (self.resource_types.is_empty() || self.resource_types.iter().any(|t| same_type(t, kind)))
            && (self.products.is_empty() || self.products.iter().any(|p| p.eq_ignore_ascii_case(&finding.product_name)))
            && (self.severities.is_empty() || self.severities.contains(&finding.severity))
    }
}

impl ActionKind {
    /// The kind as written in config: `command`, `sns`, `workflow`, `ssm-automation`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Command { .. } => "command",
            Self::Sns { .. } => "sns",
            Self::Workflow { .. } => "workflow",
            Self::SsmAutomation { .. } => "ssm-automation",
        }
    }
}

impl ActionConfig {
    /// Whether the action is offered for a finding in this mode (dangerous actions are hidden when read-only).
    pub fn offered(&self, finding: &Finding, read_only: bool) -> bool {
        !(read_only && self.dangerous) && self.scope.matches(finding)
    }
}
