//! Actions checked and made ready to run: templates parsed, the workflow status parsed, names and ARNs checked.
//! Config loading runs the same checks ([`validate`]), so a bad action is a config error naming `actions[i]`.

use super::config::{ActionConfig, ActionKind, SnsFormat};
use super::template::Template;
use super::workflow::parse_status;
use crate::model::WorkflowStatus;
use std::collections::HashSet;
use std::time::Duration;

/// Longest timeout of a `command` action (seconds).
pub const MAX_TIMEOUT_SECONDS: u64 = 24 * 3600;

/// An action ready to run.
#[derive(Debug, Clone)]
pub enum Prepared {
    Command { argv: Vec<Template>, timeout: Duration },
    Sns { topic_arn: String, format: SnsFormat },
    Workflow { status: WorkflowStatus, note: Template },
    SsmAutomation { document: String, parameters: Vec<(String, Vec<Template>)> },
}

fn template(field: &str, text: &str) -> Result<Template, String> {
    Template::parse(text).map_err(|e| format!("{field}: {e}"))
}

/// Checks one action; the error names the field (`argv[1]: unknown placeholder {foo} …`).
pub fn prepare(action: &ActionConfig) -> Result<Prepared, String> {
    match &action.kind {
        ActionKind::Command { argv, timeout_seconds } => {
            let Some(program) = argv.first() else {
                return Err("argv: give at least the program to run (argv[0])".into());
            };
            let program_template = template("argv[0]", program)?;
            if program_template.has_placeholders() || program.trim().is_empty() {
                return Err(format!(
                    "argv[0]: {program:?} is the program to run: it must be a fixed, non-empty path or name, without \
                     placeholders (put them in the arguments)"
                ));
            }
            let argv = argv
                .iter()
                .enumerate()
                .map(|(i, arg)| template(&format!("argv[{i}]"), arg))
                .collect::<Result<Vec<_>, _>>()?;
            if *timeout_seconds == 0 || *timeout_seconds > MAX_TIMEOUT_SECONDS {
                return Err(format!("timeout_seconds: {timeout_seconds} must be between 1 and {MAX_TIMEOUT_SECONDS}"));
            }
            Ok(Prepared::Command { argv, timeout: Duration::from_secs(*timeout_seconds) })
        }
        ActionKind::Sns { topic_arn, format } => {
            let parts: Vec<&str> = topic_arn.split(':').collect();
            if parts.len() != 6 || parts[0] != "arn" || parts[2] != "sns" || parts[3].is_empty() || parts[5].is_empty()
            {
                return Err(format!(
                    "topic_arn: {topic_arn:?} is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)"
                ));
            }
            Ok(Prepared::Sns { topic_arn: topic_arn.clone(), format: *format })
        }
        ActionKind::Workflow { status, note } => {
            let parsed = parse_status(status).ok_or_else(|| {
                format!("status: {status:?} is not a workflow status (NEW, NOTIFIED, RESOLVED or SUPPRESSED)")
            })?;
            Ok(Prepared::Workflow { status: parsed, note: template("note", note)? })
        }
        ActionKind::SsmAutomation { document, parameters } => {
            let valid = |c: char| c.is_ascii_alphanumeric() || "_-.:/".contains(c);
            if document.len() < 3 || document.len() > 256 || !document.chars().all(valid) {
                return Err(format!(
                    "document: {document:?} is not an SSM document name (3-128 letters, digits, _ - . or an ARN)"
                ));
            }
            let mut prepared = Vec::with_capacity(parameters.len());
            for (name, values) in parameters {
                if name.trim().is_empty() {
                    return Err("parameters: a parameter name is empty".into());
                }
                let values = values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| template(&format!("parameters.{name}[{i}]"), v))
                    .collect::<Result<Vec<_>, _>>()?;
                prepared.push((name.clone(), values));
            }
            Ok(Prepared::SsmAutomation { document: document.clone(), parameters: prepared })
        }
    }
}

/// Checks every action of a config: each one's fields, and that names and keys are unique.
pub fn validate(actions: &[ActionConfig]) -> Result<(), String> {
    let mut names = HashSet::new();
    let mut keys = HashSet::new();
    for (i, action) in actions.iter().enumerate() {
        let at = format!("actions[{i}] ('{}')", action.name);
        if action.name.trim().is_empty() {
            return Err(format!("actions[{i}].name: an action needs a name"));
        }
        if !names.insert(action.name.as_str()) {
            return Err(format!("{at}.name: another action has the same name"));
        }
        if let Some(key) = action.key {
            if key.is_control() || key.is_whitespace() {
                return Err(format!("{at}.key: {key:?} cannot be typed as a menu key"));
            }
            if !keys.insert(key) {
                return Err(format!("{at}.key: '{key}' is already the key of another action"));
            }
        }
        prepare(action).map_err(|e| format!("{at}.{e}"))?;
    }
    Ok(())
}
