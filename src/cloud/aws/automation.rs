//! SSM Automation (custom actions of kind `ssm-automation`): StartAutomationExecution and GetAutomationExecution in
//! the finding's own account (assumed role) and region.
//!
//! moto 5.2.5 does not implement StartAutomationExecution (it answers HTTP 500 "not implemented"), so the calls are
//! tested with `aws-smithy-mocks` (tests/actions.rs).

use super::errors::map_sdk_error;
use super::session::Accounts;
use crate::cloud::{Automation, AutomationStatus, CloudError};
use crate::model::sanitize;
use async_trait::async_trait;
use aws_config::{Region, SdkConfig};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Longest failure message or output summary kept from SSM (characters).
const MAX_DETAIL_CHARS: usize = 1000;

/// Starts and follows Automation executions.
pub struct AwsAutomation {
    accounts: Arc<Accounts>,
}

impl AwsAutomation {
    pub fn new(accounts: Arc<Accounts>) -> Self {
        Self { accounts }
    }
}

/// An SSM client for `region` with `config`'s credentials and endpoint.
pub fn ssm_client(config: &SdkConfig, region: &str) -> aws_sdk_ssm::Client {
    let conf = aws_sdk_ssm::config::Builder::from(config).region(Region::new(region.to_string())).build();
    aws_sdk_ssm::Client::from_conf(conf)
}

/// Whether an execution status is final (SSM's `AutomationExecutionStatus`).
pub fn is_final(status: &str) -> bool {
    matches!(
        status,
        "Success"
            | "Failed"
            | "TimedOut"
            | "Cancelled"
            | "CompletedWithSuccess"
            | "CompletedWithFailure"
            | "Rejected"
            | "ChangeCalendarOverrideRejected"
            | "Exited"
    )
}

/// One StartAutomationExecution with `client`; returns the execution id. `context` names where it runs.
pub async fn start_automation_with(
    client: &aws_sdk_ssm::Client,
    document: &str,
    parameters: &BTreeMap<String, Vec<String>>,
    context: &str,
) -> Result<String, CloudError> {
    let parameters: HashMap<String, Vec<String>> = parameters.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let out = client
        .start_automation_execution()
        .document_name(document)
        .set_parameters((!parameters.is_empty()).then_some(parameters))
        .send()
        .await
        .map_err(|e| map_sdk_error(context, e))?;
    out.automation_execution_id()
        .filter(|id| !id.is_empty())
        .map(sanitize::single_line)
        .ok_or_else(|| CloudError::Other(format!("{context}: SSM returned no execution id")))
}

/// One GetAutomationExecution with `client`: the status, whether it is final, and the failure message (or, on
/// success, the outputs).
pub async fn automation_status_with(
    client: &aws_sdk_ssm::Client,
    execution_id: &str,
    context: &str,
) -> Result<AutomationStatus, CloudError> {
    let out = client
        .get_automation_execution()
        .automation_execution_id(execution_id)
        .send()
        .await
        .map_err(|e| map_sdk_error(context, e))?;
    let execution =
        out.automation_execution().ok_or_else(|| CloudError::Other(format!("{context}: SSM returned no execution")))?;
    let status = execution.automation_execution_status().map(|s| s.as_str()).unwrap_or("Unknown").to_string();
    let failure = execution.failure_message().map(str::trim).filter(|m| !m.is_empty()).map(str::to_string);
    let outputs = execution.outputs().filter(|o| !o.is_empty()).map(|o| {
        let sorted: BTreeMap<_, _> = o.iter().collect();
        let parts: Vec<String> = sorted.into_iter().map(|(k, v)| format!("{k}={}", v.join(","))).collect();
        format!("outputs: {}", parts.join("; "))
    });
    let detail = failure.or(outputs).map(|d| {
        let d = sanitize::single_line(&d);
        match d.char_indices().nth(MAX_DETAIL_CHARS) {
            Some((cut, _)) => format!("{}…", &d[..cut]),
            None => d,
        }
    });
    Ok(AutomationStatus { done: is_final(&status), status: sanitize::single_line(&status), detail })
}

#[async_trait]
impl Automation for AwsAutomation {
    async fn start_automation(
        &self,
        account_id: &str,
        region: &str,
        document: &str,
        parameters: &BTreeMap<String, Vec<String>>,
    ) -> Result<String, CloudError> {
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        let client = ssm_client(&config, region);
        let context = format!("ssm:StartAutomationExecution of {document} in {account_id}/{region}");
        Box::pin(start_automation_with(&client, document, parameters, &context)).await
    }

    async fn automation_status(
        &self,
        account_id: &str,
        region: &str,
        execution_id: &str,
    ) -> Result<AutomationStatus, CloudError> {
        let config = Box::pin(self.accounts.config_for(account_id)).await?;
        let client = ssm_client(&config, region);
        let context = format!("ssm:GetAutomationExecution {execution_id} in {account_id}/{region}");
        Box::pin(automation_status_with(&client, execution_id, &context)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_statuses() {
        for s in ["Success", "Failed", "TimedOut", "Cancelled", "CompletedWithFailure"] {
            assert!(is_final(s), "{s}");
        }
        for s in ["Pending", "InProgress", "Waiting", "Cancelling", "PendingApproval", "RunbookInProgress"] {
            assert!(!is_final(s), "{s}");
        }
    }
}
