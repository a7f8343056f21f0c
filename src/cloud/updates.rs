//! Ports for the mutating side of a remediation besides the change itself: updating findings in Security Hub
//! (BatchUpdateFindings for ASFF findings, BatchUpdateFindingsV2 for OCSF ones) and notifying people (SNS).

use super::CloudError;
use crate::model::{FindingFormat, FindingKey, WorkflowStatus};
use async_trait::async_trait;
use std::collections::BTreeMap;

/// BatchUpdateFindings and BatchUpdateFindingsV2 accept at most this many findings per call.
pub const MAX_FINDINGS_PER_UPDATE: usize = 100;
/// `Note.Text` (V2: `Comment`) is at most this many characters.
pub const MAX_NOTE_CHARS: usize = 512;

/// One update call: the same workflow status and note for up to 100 findings of one format — BatchUpdateFindings
/// (ASFF: `Workflow.Status`, `Note`) or BatchUpdateFindingsV2 (OCSF: `StatusId`, `Comment`, the findings named by
/// their `metadata.uid`, the key's id).
#[derive(Debug, Clone, PartialEq)]
pub struct FindingUpdate {
    pub findings: Vec<FindingKey>,
    /// The findings' format, which says the call.
    pub format: FindingFormat,
    pub status: WorkflowStatus,
    /// At most [`MAX_NOTE_CHARS`] characters (see [`bounded_note`]).
    pub note: String,
    /// `Note.UpdatedBy`: the operator identity (V2 has no such field).
    pub updated_by: String,
}

impl FindingUpdate {
    /// The operation the update is made with.
    pub fn operation(&self) -> &'static str {
        match self.format {
            FindingFormat::Asff => "BatchUpdateFindings",
            FindingFormat::Ocsf => "BatchUpdateFindingsV2",
        }
    }
}

/// `items` split into the calls that update them: one format per call (ASFF and OCSF findings are updated by
/// different operations), at most [`MAX_FINDINGS_PER_UPDATE`] per call, in their order within a format.
pub fn update_groups<T>(items: &[T], format_of: impl Fn(&T) -> FindingFormat) -> Vec<(FindingFormat, Vec<&T>)> {
    let mut by_format: BTreeMap<FindingFormat, Vec<&T>> = BTreeMap::new();
    for item in items {
        by_format.entry(format_of(item)).or_default().push(item);
    }
    by_format
        .into_iter()
        .flat_map(|(format, all)| {
            all.chunks(MAX_FINDINGS_PER_UPDATE).map(|chunk| (format, chunk.to_vec())).collect::<Vec<_>>()
        })
        .collect()
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
    fn updates_are_grouped_by_format_and_chunked_by_100() {
        let items: Vec<(usize, FindingFormat)> =
            (0..230).map(|i| (i, if i % 3 == 0 { FindingFormat::Ocsf } else { FindingFormat::Asff })).collect();
        let groups = update_groups(&items, |(_, f)| *f);
        let shape: Vec<(FindingFormat, usize)> = groups.iter().map(|(f, g)| (*f, g.len())).collect();
        assert_eq!(shape, [(FindingFormat::Asff, 100), (FindingFormat::Asff, 53), (FindingFormat::Ocsf, 77)]);
        assert!(groups.iter().all(|(f, g)| g.iter().all(|(_, own)| own == f)));
        assert_eq!(groups[2].1.first().map(|(i, _)| *i), Some(0), "order kept within a format");
    }

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
