//! Leases in a DynamoDB table shared by every machine: one item per resource (partition key `resource`, S) with
//! `operator`, `process`, `job` (S), `taken_at` and `expires_at` (N, unix seconds; `expires_at` is the table's TTL
//! attribute) and `outcome` (S, set on release). A lease is taken with a conditional PutItem — the item is absent,
//! expired or released — and renewed and released with UpdateItems conditioned on the same owner and job. Any other
//! failure (throttling, network, access denied, no such table) is `Unavailable`: no change is made without a lease.

use super::errors::map_sdk_error;
use super::session::Accounts;
use super::AwsSettings;
use crate::cloud::coordination::{Claim, Lease, LeaseError, LeaseOwner, Leases};
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::Duration;

/// The region of the table when neither `[coordination] region` nor the base configuration names one.
const FALLBACK_REGION: &str = "us-east-1";

/// Attribute names as the table (and the CloudFormation template) has them.
const NAMES: [(&str, &str); 7] = [
    ("#resource", "resource"),
    ("#operator", "operator"),
    ("#process", "process"),
    ("#job", "job"),
    ("#taken_at", "taken_at"),
    ("#expires_at", "expires_at"),
    ("#outcome", "outcome"),
];

/// Free to take: no item, an expired one, or one released with its outcome.
const FREE: &str = "attribute_not_exists(#resource) OR #expires_at < :now OR attribute_exists(#outcome)";
/// Still ours: the same owner and job, not released.
const OURS: &str = "#operator = :operator AND #process = :process AND #job = :job AND attribute_not_exists(#outcome)";

/// Leases in a DynamoDB table.
pub struct DynamoLeases {
    pub(super) client: aws_sdk_dynamodb::Client,
    pub(super) table: String,
    region: String,
}

type Item = HashMap<String, AttributeValue>;

impl DynamoLeases {
    /// Leases in `table` in `region`, with `config`'s credentials and endpoint.
    pub fn new(config: &SdkConfig, region: &str, table: &str) -> Self {
        Self { client: Accounts::dynamodb(config, region), table: table.to_string(), region: region.to_string() }
    }

    /// Leases in `table` with the base credentials (profile, endpoint) of `settings`; the table's region is
    /// `region`, else the base configuration's.
    pub async fn connect(settings: &AwsSettings, table: &str, region: Option<&str>) -> Self {
        let base = super::load_base(settings).await;
        let region = region
            .map(String::from)
            .or_else(|| base.region().map(ToString::to_string))
            .unwrap_or_else(|| FALLBACK_REGION.to_string());
        Self::new(&base, &region, table)
    }

    pub(super) fn unavailable<E>(
        &self,
        operation: &str,
        err: aws_smithy_runtime_api::client::result::SdkError<
            E,
            aws_smithy_runtime_api::client::orchestrator::HttpResponse,
        >,
    ) -> LeaseError
    where
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let context = format!("{operation} on DynamoDB table {} in {}", self.table, self.region);
        LeaseError::Unavailable(map_sdk_error(&context, err).to_string())
    }

    /// The item of a lease, read consistently: the lease and its outcome.
    async fn read(&self, key: &str) -> Result<Option<(Lease, Option<String>)>, LeaseError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("resource", s(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.unavailable("GetItem", e))?;
        Ok(out.item().map(|item| lease_of(key, item)))
    }

    fn update(&self, lease: &Lease) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("resource", s(&lease.key))
            .condition_expression(OURS)
            .expression_attribute_values(":operator", s(&lease.owner.operator))
            .expression_attribute_values(":process", s(&lease.owner.process))
            .expression_attribute_values(":job", s(&lease.owner.job));
        for (alias, name) in
            NAMES.iter().filter(|(a, _)| matches!(*a, "#operator" | "#process" | "#job" | "#outcome" | "#expires_at"))
        {
            update = update.expression_attribute_names(*alias, *name);
        }
        update
    }
}

pub(super) fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_string())
}

pub(super) fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(super) fn seconds(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_secs().max(1)).unwrap_or(i64::MAX / 2)
}

pub(super) fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// A lease as an item holds it, with its outcome; missing attributes read as `unknown` (an item written by hand).
fn lease_of(key: &str, item: &Item) -> (Lease, Option<String>) {
    let text = |name: &str| match item.get(name) {
        Some(AttributeValue::S(v)) => crate::model::sanitize::single_line(v),
        _ => "unknown".to_string(),
    };
    let number = |name: &str| match item.get(name) {
        Some(AttributeValue::N(v)) => v.parse::<i64>().unwrap_or(0),
        _ => 0,
    };
    let outcome = match item.get("outcome") {
        Some(AttributeValue::S(v)) => Some(v.clone()),
        _ => None,
    };
    let lease = Lease {
        key: key.to_string(),
        owner: LeaseOwner { operator: text("operator"), process: text("process"), job: text("job") },
        taken_at: at(number("taken_at")),
        expires_at: at(number("expires_at")),
        took_over: None,
    };
    (lease, outcome)
}

/// Whether a lease read from the table still holds at `now` (seconds, as the condition compares them).
fn holds(lease: &Lease, outcome: &Option<String>, now: i64) -> bool {
    outcome.is_none() && lease.expires_at.timestamp() >= now
}

#[async_trait]
impl Leases for DynamoLeases {
    fn describe(&self) -> String {
        format!("DynamoDB table {} in {}", self.table, self.region)
    }

    async fn acquire(&self, key: &str, owner: &LeaseOwner, ttl: Duration) -> Result<Lease, LeaseError> {
        // An item that was released or expired between our write and our read: try again, a few times.
        for _ in 0..3 {
            let now = Utc::now().timestamp();
            let mut lease = Lease::new(key, owner, at(now), Duration::ZERO);
            lease.expires_at = at(now + seconds(ttl));
            let mut put = self
                .client
                .put_item()
                .table_name(&self.table)
                .item("resource", s(key))
                .item("operator", s(&owner.operator))
                .item("process", s(&owner.process))
                .item("job", s(&owner.job))
                .item("taken_at", n(now))
                .item("expires_at", n(lease.expires_at.timestamp()))
                .condition_expression(FREE)
                .expression_attribute_values(":now", n(now))
                .return_values(ReturnValue::AllOld);
            for (alias, name) in NAMES.iter().filter(|(a, _)| matches!(*a, "#resource" | "#expires_at" | "#outcome")) {
                put = put.expression_attribute_names(*alias, *name);
            }
            match put.send().await {
                Ok(out) => {
                    // The item replaced had no outcome: its owner stopped renewing it mid-change.
                    lease.took_over = out
                        .attributes()
                        .map(|old| lease_of(key, old))
                        .filter(|(_, outcome)| outcome.is_none())
                        .map(|(old, _)| Box::new(old));
                    return Ok(lease);
                }
                Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                    match self.read(key).await? {
                        Some((holder, outcome)) if holds(&holder, &outcome, Utc::now().timestamp()) => {
                            return Err(LeaseError::Held { key: key.to_string(), holder: Box::new(holder) })
                        }
                        _ => continue,
                    }
                }
                Err(e) => return Err(self.unavailable("PutItem", e)),
            }
        }
        Err(LeaseError::Unavailable(format!("the lease on {key} changed hands three times while being taken")))
    }

    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<Lease, LeaseError> {
        let expires = Utc::now().timestamp() + seconds(ttl);
        let sent = self
            .update(lease)
            .update_expression("SET #expires_at = :expires")
            .expression_attribute_values(":expires", n(expires))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(Lease { expires_at: at(expires), ..lease.clone() }),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                Err(LeaseError::Lost(lease.key.clone()))
            }
            Err(e) => Err(self.unavailable("UpdateItem", e)),
        }
    }

    async fn release(&self, lease: &Lease, outcome: &str) -> Result<(), LeaseError> {
        let sent = self
            .update(lease)
            .update_expression("SET #outcome = :outcome, #expires_at = :now")
            .expression_attribute_values(":outcome", s(outcome))
            .expression_attribute_values(":now", n(Utc::now().timestamp()))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            // Lost meanwhile: the new owner's item stays as it is.
            Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(()),
            Err(e) => Err(self.unavailable("UpdateItem", e)),
        }
    }

    async fn holder(&self, key: &str) -> Result<Option<Lease>, LeaseError> {
        let now = Utc::now().timestamp();
        Ok(self.read(key).await?.filter(|(lease, outcome)| holds(lease, outcome, now)).map(|(lease, _)| lease))
    }

    async fn claim(&self, finding: &str, copy: &str, owner: &str, ttl: Duration) -> Result<Claim, LeaseError> {
        self.claim_copy(finding, copy, owner, ttl).await
    }

    async fn end_claim(
        &self,
        finding: &str,
        copy: &str,
        owner: &str,
        fixed: Option<&str>,
        keep: Duration,
    ) -> Result<(), LeaseError> {
        match fixed {
            Some(job) => self.record_fixed(finding, copy, owner, job, keep).await,
            None => self.give_up(finding, copy, owner).await,
        }
    }
}
