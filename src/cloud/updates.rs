//! Ports for the mutating side of a remediation besides the change itself: updating findings in Security Hub
//! (BatchUpdateFindings) and notifying people (SNS).

use super::CloudError;
use crate::model::{FindingKey, WorkflowStatus};
use async_trait::async_trait;
use std::collections::BTreeMap;

/// BatchUpdateFindings accepts at most this many findings per call.
pub const MAX_FINDINGS_PER_UPDATE: usize = 100;
/// `Note.Text` is at most this many characters.
pub const MAX_NOTE_CHARS: usize = 512;

/// One BatchUpdateFindings call: the same workflow status and note for up to 100 findings.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingUpdate {
    pub findings: Vec<FindingKey>,
    pub status: WorkflowStatus,
    /// At most [`MAX_NOTE_CHARS`] characters (see [`bounded_note`]).
    pub note: String,
    /// `Note.UpdatedBy`: the operator identity.
    pub updated_by: String,
}

/// What Security Hub did with an update.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateReport {
    /// Ids of the findings updated.
    pub processed: Vec<String>,
    /// Ids of the findings not updated, with Security Hub's error code and message.
    pub unprocessed: Vec<(String, String)>,
}

/// Updates findings in the account and region they live in.
#[async_trait]
pub trait FindingUpdates: Send + Sync {
    async fn update_findings(
        &self,
        account_id: &str,
        region: &str,
        update: &FindingUpdate,
    ) -> Result<UpdateReport, CloudError>;
}

/// One message for people: a subject line and a structured body.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// SNS subjects are at most 100 printable ASCII characters; adapters bound it.
    pub subject: String,
    /// JSON document with the essentials (event, finding, account, region, resource, playbook, result).
    pub body: serde_json::Value,
    /// SNS message attributes for subscription filter policies (`event`, `account_class`, `severity`).
    pub attributes: BTreeMap<String, String>,
}

/// Publishes notifications to a topic.
#[async_trait]
pub trait Notifier: Send + Sync {
    async fn publish(&self, topic_arn: &str, notification: &Notification) -> Result<(), CloudError>;
}

/// A note bounded to [`MAX_NOTE_CHARS`] characters, cut on a character boundary with an ellipsis.
pub fn bounded_note(text: &str) -> String {
    if text.chars().count() <= MAX_NOTE_CHARS {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(MAX_NOTE_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// An SNS subject: printable ASCII only, at most 100 characters.
pub fn bounded_subject(text: &str) -> String {
    let ascii: String = text.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' }).collect();
    ascii.chars().take(100).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_and_subjects_stay_within_the_api_limits() {
        let long = "é".repeat(600);
        let note = bounded_note(&long);
        assert_eq!(note.chars().count(), MAX_NOTE_CHARS);
        assert!(note.ends_with('…'));
        assert_eq!(bounded_note("short"), "short");
        let subject = bounded_subject(&format!("fixed\n{}", "x".repeat(200)));
        assert_eq!(subject.len(), 100);
        assert!(subject.starts_with("fixed?x"));
    }
}
