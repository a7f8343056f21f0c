//! Security Hub BatchUpdateFindings in the findings' own account (assumed role) and region.

use super::errors::map_sdk_error;
use super::session::Accounts;
use crate::cloud::updates::{bounded_note, FindingUpdate, FindingUpdates, UpdateReport, MAX_FINDINGS_PER_UPDATE};
use crate::cloud::CloudError;
use async_trait::async_trait;
use aws_sdk_securityhub::types::{AwsSecurityFindingIdentifier, NoteUpdate, WorkflowUpdate};
use std::sync::Arc;

/// Who a note is from when the operator identity is unknown (Security Hub requires a non-empty `UpdatedBy`).
const FALLBACK_UPDATED_BY: &str = "hubtriage";

/// Updates findings through BatchUpdateFindings.
pub struct AwsFindingUpdates {
    accounts: Arc<Accounts>,
}

impl AwsFindingUpdates {
    pub fn new(accounts: Arc<Accounts>) -> Self {
        Self { accounts }
    }
}

/// One BatchUpdateFindings call with `client`: workflow status and note for at most
/// [`MAX_FINDINGS_PER_UPDATE`] findings. `context` names where it runs ("… in 111111111111/eu-west-1").
pub async fn batch_update_findings(
    client: &aws_sdk_securityhub::Client,
    update: &FindingUpdate,
    context: &str,
) -> Result<UpdateReport, CloudError> {
    if update.findings.len() > MAX_FINDINGS_PER_UPDATE {
        return Err(CloudError::Other(format!(
            "{context}: {} findings in one BatchUpdateFindings call; at most {MAX_FINDINGS_PER_UPDATE} are allowed",
            update.findings.len()
        )));
    }
    if update.findings.is_empty() {
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
    let processed = out.processed_findings().iter().filter_map(|f| f.id().map(String::from)).collect();
    let unprocessed = out
        .unprocessed_findings()
        .iter()
        .map(|u| {
            let id = u.finding_identifier().and_then(|f| f.id()).unwrap_or("?").to_string();
            let reason = match (u.error_code(), u.error_message()) {
                (Some(code), Some(message)) if !message.is_empty() => format!("{code}: {message}"),
                (Some(code), _) => code.to_string(),
                (None, Some(message)) => message.to_string(),
                (None, None) => "not processed (no reason given)".to_string(),
            };
            (id, reason)
        })
        .collect();
    Ok(UpdateReport { processed, unprocessed })
}

#[async_trait]
impl FindingUpdates for AwsFindingUpdates {
    async fn update_findings(
        &self,
        account_id: &str,
        region: &str,
        update: &FindingUpdate,
    ) -> Result<UpdateReport, CloudError> {
        let context = format!("BatchUpdateFindings of {} finding(s) in {account_id}/{region}", update.findings.len());
        if update.findings.len() > MAX_FINDINGS_PER_UPDATE {
            return Err(CloudError::Other(format!(
                "{context}: at most {MAX_FINDINGS_PER_UPDATE} findings per call; split the update"
            )));
        }
        if update.findings.is_empty() {
            return Ok(UpdateReport::default());
        }
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        let client = Accounts::securityhub(&config, region);
        Box::pin(batch_update_findings(&client, update, &context)).await
    }
}
