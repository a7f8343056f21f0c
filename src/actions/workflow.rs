//! `workflow` actions: set `Workflow.Status` with a templated note, through BatchUpdateFindings (ASFF) or
//! BatchUpdateFindingsV2 (OCSF: the status as its `status_id`, the note as its comment) in each finding's own account
//! and region, at most 100 findings per call.

use super::output::Output;
use super::template::Template;
use crate::cloud::updates::{bounded_note, update_groups};
use crate::cloud::{FindingUpdate, FindingUpdates};
use crate::model::{Finding, WorkflowStatus};
use std::collections::BTreeMap;

/// The statuses an action may set (`Workflow.Status`), parsed strictly (no deprecated `WorkflowState` values).
pub fn parse_status(text: &str) -> Option<WorkflowStatus> {
    match text.trim().to_ascii_uppercase().as_str() {
        "NEW" => Some(WorkflowStatus::New),
        "NOTIFIED" => Some(WorkflowStatus::Notified),
        "RESOLVED" => Some(WorkflowStatus::Resolved),
        "SUPPRESSED" => Some(WorkflowStatus::Suppressed),
        _ => None,
    }
}

/// The calls to make: findings grouped by (account, region, rendered note) and format, in chunks of at most 100.
pub fn batches(
    status: WorkflowStatus,
    note: &Template,
    operator: &str,
    findings: &[&Finding],
) -> Vec<(String, String, FindingUpdate)> {
    let mut groups: BTreeMap<(String, String, String), Vec<&Finding>> = BTreeMap::new();
    for finding in findings {
        let note = bounded_note(note.render(finding).trim());
        groups.entry((finding.account_id.to_string(), finding.region.to_string(), note)).or_default().push(finding);
    }
    let mut calls = Vec::new();
    for ((account, region, note), group) in groups {
        for (format, chunk) in update_groups(&group, |f| f.format) {
            let update = FindingUpdate {
                findings: chunk.iter().map(|f| f.key()).collect(),
                format,
                status,
                note: note.clone(),
                updated_by: operator.to_string(),
            };
            calls.push((account.clone(), region.clone(), update));
        }
    }
    calls
}

/// Sets the status on every finding; `Ok` when every finding was processed.
pub async fn set_all(
    updates: &dyn FindingUpdates,
    status: WorkflowStatus,
    note: &Template,
    operator: &str,
    findings: &[&Finding],
    out: &mut Output<'_>,
) -> Result<String, String> {
    let mut processed = 0usize;
    let mut problems = Vec::new();
    for (account, region, update) in batches(status, note, operator, findings) {
        let count = update.findings.len();
        match updates.update_findings(&account, &region, &update).await {
            Ok(report) => {
                processed += report.processed.len();
                out.line(&format!(
                    "{account}/{region}: {} of {count} finding(s) set {}",
                    report.processed.len(),
                    status.label()
                ));
                for (id, reason) in report.unprocessed {
                    out.line(&format!("not processed: {id}: {reason}"));
                    problems.push(format!("{id}: {reason}"));
                }
            }
            Err(e) => {
                out.line(&format!("{account}/{region}: {e}"));
                problems.push(format!("{count} finding(s) in {account}/{region}: {e}"));
            }
        }
    }
    let total = findings.len();
    if problems.is_empty() {
        Ok(format!("{processed} of {total} finding(s) set {}", status.label()))
    } else {
        Err(format!("{processed} of {total} finding(s) set {}; not processed: {}", status.label(), problems.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::template::tests::finding;

    #[test]
    fn findings_are_grouped_by_place_and_note_and_chunked_by_100() {
        let base = finding("t");
        let mut all: Vec<Finding> = (0..250).map(|i| Finding { id: format!("f-{i}").into(), ..base.clone() }).collect();
        all.push(Finding { id: "other-region".into(), region: "us-east-1".into(), ..base.clone() });
        let refs: Vec<&Finding> = all.iter().collect();
        let note = Template::parse("seen in {region}").expect("template");
        let calls = batches(WorkflowStatus::Suppressed, &note, "me", &refs);
        let shape: Vec<(&str, usize, &str)> =
            calls.iter().map(|(_, region, u)| (region.as_str(), u.findings.len(), u.note.as_str())).collect();
        assert_eq!(
            shape,
            [
                ("eu-west-1", 100, "seen in eu-west-1"),
                ("eu-west-1", 100, "seen in eu-west-1"),
                ("eu-west-1", 50, "seen in eu-west-1"),
                ("us-east-1", 1, "seen in us-east-1"),
            ]
        );
        assert!(calls.iter().all(|(_, _, u)| u.status == WorkflowStatus::Suppressed && u.updated_by == "me"));
    }

    #[test]
    fn ocsf_findings_get_calls_of_their_own() {
        let asff = finding("t");
        let ocsf = Finding { id: "meta-1".into(), format: crate::model::FindingFormat::Ocsf, ..asff.clone() };
        let note = Template::parse("seen").expect("template");
        let calls = batches(WorkflowStatus::Resolved, &note, "me", &[&asff, &ocsf]);
        let shape: Vec<(&str, Vec<&str>)> =
            calls.iter().map(|(_, _, u)| (u.operation(), u.findings.iter().map(|k| &*k.id).collect())).collect();
        assert_eq!(shape, [("BatchUpdateFindings", vec![&*asff.id]), ("BatchUpdateFindingsV2", vec!["meta-1"])]);
    }

    #[test]
    fn notes_are_bounded_to_512_characters_and_statuses_parsed_strictly() {
        let f = finding(&"long title ".repeat(100));
        let note = Template::parse("{title}").expect("template");
        let calls = batches(WorkflowStatus::Notified, &note, "me", &[&f]);
        assert_eq!(calls[0].2.note.chars().count(), crate::cloud::updates::MAX_NOTE_CHARS);
        assert_eq!(parse_status("suppressed"), Some(WorkflowStatus::Suppressed));
        assert_eq!(parse_status("DEFERRED"), None);
    }
}
