//! Approval requests in the coordination table, beside the leases: one item per request (partition key `resource`
//! = `approval#<id>`) with `status` (S), `request` (S, the whole request as JSON) and `expires_at` (N, the table's
//! TTL attribute: 30 days after the request's own expiry, so decided requests are cleaned up eventually). Status
//! changes are UpdateItems conditioned on the status read before; the list is a Scan for `approval#` keys.

use super::errors::map_sdk_error;
use super::session::Accounts;
use crate::cloud::approvals::{ApprovalBook, ApprovalError};
use crate::model::sanitize::single_line;
use crate::review::{ApprovalRequest, ApprovalStatus};
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// The key prefix of approval items, apart from every resource key (`account/region/id`) and `claim#…`.
const PREFIX: &str = "approval#";
/// How long after its expiry a request stays in the table.
const KEPT_DAYS: i64 = 30;

/// Approval requests in a DynamoDB table.
pub struct DynamoApprovals {
    client: aws_sdk_dynamodb::Client,
    table: String,
    region: String,
}

type Item = HashMap<String, AttributeValue>;

impl DynamoApprovals {
    /// Requests in `table` in `region`, with `config`'s credentials and endpoint.
    pub fn new(config: &SdkConfig, region: &str, table: &str) -> Self {
        Self { client: Accounts::dynamodb(config, region), table: table.to_string(), region: region.to_string() }
    }

    /// Requests in `table` with the base credentials (profile, endpoint) of `settings`; the table's region is
    /// `region`, else the base configuration's.
    pub async fn connect(settings: &super::AwsSettings, table: &str, region: Option<&str>) -> Self {
        let base = super::load_base(settings).await;
        let region = region.map(String::from).or_else(|| base.region().map(ToString::to_string));
        Self::new(&base, region.as_deref().unwrap_or("us-east-1"), table)
    }

    fn failed<E>(
        &self,
        operation: &str,
        err: aws_smithy_runtime_api::client::result::SdkError<
            E,
            aws_smithy_runtime_api::client::orchestrator::HttpResponse,
        >,
    ) -> ApprovalError
    where
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let context = format!("{operation} on DynamoDB table {} in {}", self.table, self.region);
        ApprovalError(map_sdk_error(&context, err).to_string())
    }
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_string())
}

fn json(request: &ApprovalRequest) -> Result<String, ApprovalError> {
    serde_json::to_string(request).map_err(|e| ApprovalError(format!("request {}: {e}", request.id)))
}

fn kept_until(request: &ApprovalRequest) -> AttributeValue {
    AttributeValue::N((request.expires_at.timestamp() + KEPT_DAYS * 86_400).to_string())
}

/// The request an item holds; an item that holds none is named.
fn request_of(item: &Item) -> Result<ApprovalRequest, ApprovalError> {
    let key = item.get("resource").and_then(|v| v.as_s().ok()).map(|k| single_line(k)).unwrap_or_default();
    let text = item
        .get("request")
        .and_then(|v| v.as_s().ok())
        .ok_or_else(|| ApprovalError(format!("table item {key} holds no request")))?;
    serde_json::from_str(text).map_err(|e| ApprovalError(format!("table item {key} cannot be read: {e}")))
}

#[async_trait]
impl ApprovalBook for DynamoApprovals {
    fn describe(&self) -> String {
        format!("DynamoDB table {} in {}", self.table, self.region)
    }

    async fn add(&self, request: &ApprovalRequest) -> Result<(), ApprovalError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .item("resource", s(&format!("{PREFIX}{}", request.id)))
            .item("status", s(request.status.name()))
            .item("request", s(&json(request)?))
            .item("expires_at", kept_until(request))
            .condition_expression("attribute_not_exists(#resource)")
            .expression_attribute_names("#resource", "resource")
            .send()
            .await
            .map_err(|e| self.failed("PutItem", e))?;
        Ok(())
    }

    async fn get(&self, id: &str) -> Result<Option<ApprovalRequest>, ApprovalError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("resource", s(&format!("{PREFIX}{id}")))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.failed("GetItem", e))?;
        out.item().map(request_of).transpose()
    }

    async fn list(&self) -> Result<Vec<ApprovalRequest>, ApprovalError> {
        let mut requests = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("begins_with(#resource, :prefix)")
                .expression_attribute_names("#resource", "resource")
                .expression_attribute_values(":prefix", s(PREFIX))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| self.failed("Scan", e))?;
            for item in out.items() {
                requests.push(request_of(item)?);
            }
            match out.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => return Ok(requests),
            }
        }
    }

    async fn transition(&self, next: &ApprovalRequest, from: ApprovalStatus) -> Result<bool, ApprovalError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("resource", s(&format!("{PREFIX}{}", next.id)))
            .update_expression("SET #status = :next, #request = :request")
            .condition_expression("#status = :from")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#request", "request")
            .expression_attribute_values(":next", s(next.status.name()))
            .expression_attribute_values(":request", s(&json(next)?))
            .expression_attribute_values(":from", s(from.name()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => Ok(false),
            Err(e) => Err(self.failed("UpdateItem", e)),
        }
    }
}
