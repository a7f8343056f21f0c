//! What a queue message says: an EventBridge event of Security Hub ("Security Hub Findings - Imported", "Findings
//! Imported V2", "Security Hub Findings - Custom Action") with the findings it carries. Anything else is not ours
//! to handle: it is left to the queue's redrive policy with the reason.

use crate::model::sanitize::single_line;
use crate::model::{read_any_value, Finding};
use serde_json::Value;

/// The event's detail type, as EventBridge names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// "Security Hub Findings - Imported" (Security Hub CSPM, ASFF).
    Imported,
    /// "Findings Imported V2" (the new Security Hub, OCSF).
    ImportedV2,
    /// "Security Hub Findings - Custom Action": someone pressed a custom action's button in the console.
    CustomAction { action: String },
}

impl EventKind {
    /// The word the decision log uses.
    pub fn word(&self) -> &'static str {
        match self {
            Self::Imported => "imported",
            Self::ImportedV2 => "imported-v2",
            Self::CustomAction { .. } => "custom-action",
        }
    }
}

/// A finding event read from a message body.
#[derive(Debug)]
pub struct FindingEvent {
    pub kind: EventKind,
    /// The EventBridge event id.
    pub event_id: String,
    pub findings: Vec<Finding>,
    /// Findings of the event that could not be read, with where and why.
    pub problems: Vec<String>,
}

/// Reads a message body; `Err` says why it is not a Security Hub finding event hubtriage can handle.
pub fn read_event(body: &str) -> Result<FindingEvent, String> {
    let value: Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(single_line);
    let source = text("source").unwrap_or_default();
    let detail_type = text("detail-type").unwrap_or_default();
    if source != "aws.securityhub" {
        return Err(format!("not a Security Hub event: source {source:?}, detail-type {detail_type:?}"));
    }
    let detail = value.get("detail").ok_or("a Security Hub event without a detail")?;
    let kind = match detail_type.as_str() {
        "Security Hub Findings - Imported" => EventKind::Imported,
        "Findings Imported V2" => EventKind::ImportedV2,
        "Security Hub Findings - Custom Action" => EventKind::CustomAction {
            action: detail.get("actionName").and_then(Value::as_str).map(single_line).unwrap_or_default(),
        },
        other => return Err(format!("a Security Hub event of detail-type {other:?}, not a finding event")),
    };
    if !detail.get("findings").is_some_and(Value::is_array) {
        return Err(format!("a {detail_type:?} event without detail.findings"));
    }
    let outcome = read_any_value(&value);
    let problems: Vec<String> = outcome.problems.iter().map(|p| format!("{}: {}", p.location, p.reason)).collect();
    if outcome.findings.is_empty() && problems.is_empty() {
        return Err(format!("a {detail_type:?} event with no finding"));
    }
    Ok(FindingEvent { kind, event_id: text("id").unwrap_or_default(), findings: outcome.findings, problems })
}

#[cfg(test)]
#[path = "message_tests.rs"]
mod tests;
