//! `[[actions]]` entries as written: every key of every kind, unknown keys refused; then checked into an
//! [`ActionConfig`] whose `kind` holds only the keys of that kind.

use super::config::{ActionConfig, ActionKind, ActionScope, SnsFormat};
use serde::Deserialize;
use std::collections::BTreeMap;

/// What `command` actions get when `timeout_seconds` is not given.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 60;

/// One `[[actions]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAction {
    name: String,
    key: Option<char>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    scope: ActionScope,
    #[serde(default)]
    confirm: bool,
    #[serde(default)]
    dangerous: bool,
    kind: String,
    argv: Option<Vec<String>>,
    timeout_seconds: Option<u64>,
    topic_arn: Option<String>,
    format: Option<SnsFormat>,
    status: Option<String>,
    note: Option<String>,
    document: Option<String>,
    parameters: Option<BTreeMap<String, Vec<String>>>,
}

impl TryFrom<RawAction> for ActionConfig {
    type Error = String;

    fn try_from(raw: RawAction) -> Result<Self, String> {
        let at = format!("action '{}' ({})", raw.name, raw.kind);
        let keys: [(&str, bool); 8] = [
            ("argv", raw.argv.is_some()),
            ("timeout_seconds", raw.timeout_seconds.is_some()),
            ("topic_arn", raw.topic_arn.is_some()),
            ("format", raw.format.is_some()),
            ("status", raw.status.is_some()),
            ("note", raw.note.is_some()),
            ("document", raw.document.is_some()),
            ("parameters", raw.parameters.is_some()),
        ];
        let allowed: &[&str] = match raw.kind.as_str() {
            "command" => &["argv", "timeout_seconds"],
            "sns" => &["topic_arn", "format"],
            "workflow" => &["status", "note"],
            "ssm-automation" => &["document", "parameters"],
            other => {
                return Err(format!(
                    "action '{}': kind {other:?} is not one of command, sns, workflow, ssm-automation",
                    raw.name
                ))
            }
        };
        if let Some((key, _)) = keys.iter().find(|(key, given)| *given && !allowed.contains(key)) {
            return Err(format!(
                "{at}: `{key}` is not a key of {} actions (they take {})",
                raw.kind,
                allowed.join(", ")
            ));
        }
        let need = |value: Option<String>, key: &str| value.ok_or_else(|| format!("{at}: `{key}` is missing"));
        let kind = match raw.kind.as_str() {
            "command" => ActionKind::Command {
                argv: raw.argv.ok_or_else(|| format!("{at}: `argv` is missing (the program and its arguments)"))?,
                timeout_seconds: raw.timeout_seconds.unwrap_or(DEFAULT_TIMEOUT_SECONDS),
            },
            "sns" => {
                ActionKind::Sns { topic_arn: need(raw.topic_arn, "topic_arn")?, format: raw.format.unwrap_or_default() }
            }
            "workflow" => ActionKind::Workflow { status: need(raw.status, "status")?, note: need(raw.note, "note")? },
            _ => ActionKind::SsmAutomation {
                document: need(raw.document, "document")?,
                parameters: raw.parameters.unwrap_or_default(),
            },
        };
        Ok(ActionConfig {
            name: raw.name,
            key: raw.key,
            description: raw.description,
            scope: raw.scope,
            confirm: raw.confirm,
            dangerous: raw.dangerous,
            kind,
        })
    }
}
