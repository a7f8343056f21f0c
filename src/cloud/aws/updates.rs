//! Security Hub BatchUpdateFindings (ASFF findings) and BatchUpdateFindingsV2 (OCSF findings, named by their
//! `metadata.uid`) in the findings' own account (assumed role) and region.

use super::errors::map_sdk_error;
use super::session::Accounts;
use crate::cloud::updates::{bounded_note, FindingUpdate, FindingUpdates, UpdateReport, MAX_FINDINGS_PER_UPDATE};
use crate::cloud::CloudError;
use crate::model::FindingFormat;
use async_trait::async_trait;
use aws_sdk_securityhub::types::{AwsSecurityFindingIdentifier, NoteUpdate, WorkflowUpdate};
use std::sync::Arc;

/// Who a note is from when the operator identity is unknown (Security Hub requires a non-empty `UpdatedBy`).
const FALLBACK_UPDATED_BY: &str = "hubtriage";

/// Updates findings through BatchUpdateFindings or BatchUpdateFindingsV2, as their format says.
pub struct AwsFindingUpdates {
    accounts: Arc<Accounts>,
}

impl AwsFindingUpdates {
    pub fn new(accounts: Arc<Accounts>) -> Self {
        Self { accounts }
    }
}

/// Whether `update` is worth a call: an error when it names more findings than one call takes, `false` when it
/// names none.
fn worth_a_call(update: &FindingUpdate, context: &str) -> Result<bool, CloudError> {
    if update.findings.len() > MAX_FINDINGS_PER_UPDATE {
        return Err(CloudError::Other(format!(
            "{context}: {} findings in one {} call; at most {MAX_FINDINGS_PER_UPDATE} are allowed",
            update.findings.len(),
            update.operation()
        )));
    }
    Ok(!update.findings.is_empty())
}

/// The report of an answer: the ids of the findings processed, and of those not processed (`?` when the answer
/// names none) with Security Hub's error code and message in words.
fn report<'a>(
    processed: impl Iterator<Item = Option<&'a str>>,
    unprocessed: impl Iterator<Item = (Option<&'a str>, Option<&'a str>, Option<&'a str>)>,
) -> UpdateReport {
    let reason = |code: Option<&str>, message: Option<&str>| match (code, message) {
        (Some(code), Some(message)) if !message.is_empty() => format!("{code}: {message}"),
        (Some(code), _) => code.to_string(),
        (None, Some(message)) => message.to_string(),
        (None, None) => "not processed (no reason given)".to_string(),
    };
    UpdateReport {
        processed: processed.flatten().map(String::from).collect(),
        unprocessed: unprocessed
            .map(|(id, code, message)| (id.unwrap_or("?").to_string(), reason(code, message)))
            .collect(),
    }
}

/// One BatchUpdateFindings call with `client`: workflow status and note for at most
/// [`MAX_FINDINGS_PER_UPDATE`] findings. `context` names where it runs ("… in 111111111111/eu-west-1").
pub async fn batch_update_findings(
    client: &aws_sdk_securityhub::Client,
    update: &FindingUpdate,
    context: &str,
) -> Result<UpdateReport, CloudError> {
    if !worth_a_call(update, context)? {
        return Ok(UpdateReport::default());
    }
    let identifiers: Vec<AwsSecurityFindingIdentifier> = update
        .findings
        .iter()
        .map(|k| AwsSecurityFindingIdentifier::builder().id(k.id.as_ref()).product_arn(k.product_arn.as_ref()).build())
        .collect();
    let status = aws_sdk_securityhub::types::WorkflowStatus::from(update.status.label());
    let note = bounded_note(update.note.trim());
    let note = (!note.is_empty()).then(|| {
        let by = update.updated_by.trim();
        NoteUpdate::builder().text(note).updated_by(if by.is_empty() { FALLBACK_UPDATED_BY } else { by }).build()
    });
    let out = client
        .batch_update_findings()
        .set_finding_identifiers(Some(identifiers))
        .workflow(WorkflowUpdate::builder().status(status).build())
        .set_note(note)
        .send()
        .await
        .map_err(|e| map_sdk_error(context, e))?;
    Ok(report(
        out.processed_findings().iter().map(|f| f.id()),
        out.unprocessed_findings()
            .iter()
            .map(|u| (u.finding_identifier().and_then(|f| f.id()), u.error_code(), u.error_message())),
    ))
}

/// One BatchUpdateFindingsV2 call with `client`: the status as its OCSF `StatusId` and the note as `Comment` (left
/// out when empty: it takes 1 to 512 characters) for at most [`MAX_FINDINGS_PER_UPDATE`] OCSF findings, named by
/// their `metadata.uid` (the key's id). Findings are reported by that id, processed or not.
pub async fn batch_update_findings_v2(
    client: &aws_sdk_securityhub::Client,
    update: &FindingUpdate,
    context: &str,
) -> Result<UpdateReport, CloudError> {
    if !worth_a_call(update, context)? {
        return Ok(UpdateReport::default());
    }
    let uids: Vec<String> = update.findings.iter().map(|k| k.id.to_string()).collect();
    let comment = bounded_note(update.note.trim());
    let out = client
        .batch_update_findings_v2()
        .set_metadata_uids(Some(uids))
        .status_id(update.status.ocsf_status_id())
        .set_comment((!comment.is_empty()).then_some(comment))
        .send()
        .await
        .map_err(|e| map_sdk_error(context, e))?;
    Ok(report(
        out.processed_findings().iter().map(|f| f.metadata_uid()),
        out.unprocessed_findings().iter().map(|u| {
            let named = u.finding_identifier().and_then(|f| f.finding_info_uid());
            (u.metadata_uid().or(named), u.error_code().map(|c| c.as_str()), u.error_message())
        }),
    ))
}

#[async_trait]
impl FindingUpdates for AwsFindingUpdates {
    async fn update_findings(
        &self,
        account_id: &str,
        region: &str,
        update: &FindingUpdate,
    ) -> Result<UpdateReport, CloudError> {
        let context =
            format!("{} of {} finding(s) in {account_id}/{region}", update.operation(), update.findings.len());
        if !worth_a_call(update, &context)? {
            return Ok(UpdateReport::default());
        }
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        let client = Accounts::securityhub(&config, region);
        match update.format {
            FindingFormat::Asff => Box::pin(batch_update_findings(&client, update, &context)).await,
            FindingFormat::Ocsf => Box::pin(batch_update_findings_v2(&client, update, &context)).await,
        }
    }
}
