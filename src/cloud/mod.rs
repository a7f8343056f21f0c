//! Ports the engine uses to reach the cloud, and their adapters: `aws` (the SDK), `sim` (the embedded simulated
//! organisation) and `file` (findings exported as JSON).

pub mod api;
pub mod approvals;
pub mod audit_copy;
pub mod aws;
pub mod coordination;
pub mod events;
pub mod file;
mod file_locate;
mod file_outbox;
pub mod file_read;
mod file_runs;
pub mod file_stream;
pub mod file_walk;
mod file_work;
pub mod leases_local;
pub mod process;
pub mod quota;
pub mod sim;
pub mod trends;
pub mod updates;

pub use api::{ApiChoice, SourceApi};
pub use updates::{FindingUpdate, FindingUpdates, Notification, Notifier, UpdateReport};

use crate::model::{Finding, ResourceRef};
use crate::playbook::{BucketParts, Change, ResourceState};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::fmt;
use std::time::Duration;

/// One place findings are read from: an (account, region) pair, or a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId {
    pub account_id: String,
    pub region: String,
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.account_id, self.region)
    }
}

/// One page of findings.
#[derive(Debug, Default)]
pub struct FindingsPage {
    pub findings: Vec<Finding>,
    /// Items of the page that could not be read, with the reason.
    pub problems: Vec<String>,
    /// Token for the next page; `None` on the last page.
    pub next_token: Option<String>,
}

/// Counts of a source's open findings as Security Hub computes them (GetFindingStatisticsV2), known before its
/// pages are read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingCounts {
    pub by_severity: std::collections::BTreeMap<crate::model::Severity, u64>,
    /// By control id (`S3.8`); findings of no control are not counted here.
    pub by_control: std::collections::BTreeMap<String, u64>,
}

/// Why a cloud call failed, in the categories the UI shows per source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloudError {
    #[error("access denied: {0}")]
    AccessDenied(String),
    #[error("Security Hub is not enabled: {0}")]
    NotEnabled(String),
    #[error("throttled: {0}")]
    Throttled(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("network error: {0}")]
    Network(String),
    #[error("not supported: {0}")]
    Unsupported(String),
    /// A mutating call in read-only mode; nothing was sent.
    #[error("read-only mode: {0} was not sent")]
    ReadOnly(String),
    #[error("{0}")]
    Other(String),
}

impl CloudError {
    /// Whether retrying later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Throttled(_) | Self::Network(_) | Self::Other(_))
    }
}

/// Where findings come from.
#[async_trait]
pub trait FindingSource: Send + Sync {
    /// The sources to read, one paging task each.
    fn sources(&self) -> Vec<SourceId>;

    /// The request quota of each source's GetFindings, which the paging engine keeps to; `None`: unlimited.
    fn quota(&self) -> Option<quota::Quota> {
        None
    }

    /// The quota of one source's reads, which may change once the source's API is decided (CSPM's GetFindings and
    /// the new Security Hub's GetFindingsV2 have quotas of their own); the paging engine asks before every page.
    fn source_quota(&self, source: &SourceId) -> Option<quota::Quota> {
        let _ = source;
        self.quota()
    }

    /// The Security Hub API a source reads, once it is known; `None` for sources that are no Security Hub API.
    fn api_of(&self, source: &SourceId) -> Option<SourceApi> {
        let _ = source;
        None
    }
    /// The counts of a source's open findings, where the source can tell them without reading every page; `None`
    /// where it cannot (Security Hub CSPM, files).
    async fn open_counts(&self, source: &SourceId) -> Result<Option<FindingCounts>, CloudError> {
        let _ = source;
        Ok(None)
    }

    /// Security Hub's own trend of a source's active findings between `since` and `until` (the new Security Hub's
    /// GetFindingsTrendsV2); `None` where the source keeps none (Security Hub CSPM, files, a source whose API is not
    /// decided yet).
    async fn findings_trend(
        &self,
        source: &SourceId,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<Vec<trends::TrendPoint>>, CloudError> {
        let _ = (source, since, until);
        Ok(None)
    }

    /// One page of open findings of a source.
    async fn fetch_page(&self, source: &SourceId, token: Option<String>) -> Result<FindingsPage, CloudError>;

    /// One page of the findings of a source updated at or after `since` (`UpdatedAt`), whatever their workflow,
    /// compliance or record state, so findings that were resolved, suppressed or archived come back too.
    /// Sources that cannot change (files) keep the default: `Unsupported`.
    async fn fetch_changed_page(
        &self,
        source: &SourceId,
        since: DateTime<Utc>,
        token: Option<String>,
    ) -> Result<FindingsPage, CloudError> {
        let _ = (since, token);
        Err(CloudError::Unsupported(format!("{source} cannot be refreshed")))
    }
}

/// Live state of resources in their own account and region, and the changes playbooks make to them.
#[async_trait]
pub trait Resources: Send + Sync {
    /// Reads the state of a finding's resource, in the finding's account and region.
    async fn read_state(
        &self,
        account_id: &str,
        region: &str,
        resource: &ResourceRef,
    ) -> Result<ResourceState, CloudError>;

    /// Reads only the named parts of a bucket, one call each, leaving the others marked unread (a bulk plan reads
    /// what its findings' playbooks look at); any other resource is read whole. Whole by default.
    async fn read_state_parts(
        &self,
        account_id: &str,
        region: &str,
        resource: &ResourceRef,
        parts: BucketParts,
    ) -> Result<ResourceState, CloudError> {
        let _ = parts;
        self.read_state(account_id, region, resource).await
    }

    /// Whether resources of this kind are read many at a time by `read_states` (so a bulk plan gathers them).
    fn reads_together(&self, kind: &str) -> bool {
        let _ = kind;
        false
    }

    /// Reads resources of one account and region, each whole, together where the service reads many in one call
    /// (`reads_together`); one result each, in their order. One after another by default.
    async fn read_states(
        &self,
        account_id: &str,
        region: &str,
        resources: &[ResourceRef],
    ) -> Vec<Result<ResourceState, CloudError>> {
        let mut states = Vec::with_capacity(resources.len());
        for resource in resources {
            states.push(self.read_state(account_id, region, resource).await);
        }
        states
    }

    /// Makes one change in the given account (assumed role) and region.
    async fn apply(&self, account_id: &str, region: &str, change: &Change) -> Result<(), CloudError>;

    /// Every resource of an account and region that carries the tag `tag_key` (exception tags), with all its tags.
    async fn list_tagged(
        &self,
        account_id: &str,
        region: &str,
        tag_key: &str,
    ) -> Result<Vec<TaggedResource>, CloudError> {
        let _ = tag_key;
        Err(CloudError::Unsupported(format!("listing tagged resources in {account_id}/{region}")))
    }
}

/// A resource found by its tags.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedResource {
    /// ASFF resource type: `AwsS3Bucket`, `AwsEc2SecurityGroup`, `AwsEc2Instance`, …
    pub resource_type: String,
    /// The resource's ARN.
    pub resource_id: String,
    pub tags: std::collections::BTreeMap<String, String>,
}

/// The state of an SSM Automation execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutomationStatus {
    /// `Pending`, `InProgress`, `Waiting`, `Success`, `TimedOut`, `Cancelling`, `Cancelled`, `Failed`, …
    pub status: String,
    /// Whether the status is final.
    pub done: bool,
    /// Failure message or outputs, when SSM gives them.
    pub detail: Option<String>,
}

/// SSM Automation in a finding's own account and region (custom actions of kind `ssm-automation`).
#[async_trait]
pub trait Automation: Send + Sync {
    /// Starts a document with parameters (each a list of strings, as SSM takes them); returns the execution id.
    async fn start_automation(
        &self,
        account_id: &str,
        region: &str,
        document: &str,
        parameters: &std::collections::BTreeMap<String, Vec<String>>,
    ) -> Result<String, CloudError>;

    /// The current state of an execution.
    async fn automation_status(
        &self,
        account_id: &str,
        region: &str,
        execution_id: &str,
    ) -> Result<AutomationStatus, CloudError>;
}

/// Wraps the adapters so no mutating call can leave the process (`--read-only`).
pub struct ReadOnly<T: ?Sized>(pub std::sync::Arc<T>);

#[async_trait]
impl<T: Resources + ?Sized> Resources for ReadOnly<T> {
    async fn read_state(
        &self,
        account_id: &str,
        region: &str,
        resource: &ResourceRef,
    ) -> Result<ResourceState, CloudError> {
        self.0.read_state(account_id, region, resource).await
    }

    async fn read_state_parts(
        &self,
        account_id: &str,
        region: &str,
        resource: &ResourceRef,
        parts: BucketParts,
    ) -> Result<ResourceState, CloudError> {
        self.0.read_state_parts(account_id, region, resource, parts).await
    }

    fn reads_together(&self, kind: &str) -> bool {
        self.0.reads_together(kind)
    }

    async fn read_states(
        &self,
        account_id: &str,
        region: &str,
        resources: &[ResourceRef],
    ) -> Vec<Result<ResourceState, CloudError>> {
        self.0.read_states(account_id, region, resources).await
    }

    async fn apply(&self, account_id: &str, region: &str, change: &Change) -> Result<(), CloudError> {
        Err(CloudError::ReadOnly(format!("{} in {account_id}/{region}", change.operation())))
    }

    async fn list_tagged(
        &self,
        account_id: &str,
        region: &str,
        tag_key: &str,
    ) -> Result<Vec<TaggedResource>, CloudError> {
        self.0.list_tagged(account_id, region, tag_key).await
    }
}

#[async_trait]
impl<T: Automation + ?Sized> Automation for ReadOnly<T> {
    async fn start_automation(
        &self,
        account_id: &str,
        region: &str,
        document: &str,
        _parameters: &std::collections::BTreeMap<String, Vec<String>>,
    ) -> Result<String, CloudError> {
        Err(CloudError::ReadOnly(format!("ssm:StartAutomationExecution of {document} in {account_id}/{region}")))
    }

    async fn automation_status(
        &self,
        account_id: &str,
        region: &str,
        execution_id: &str,
    ) -> Result<AutomationStatus, CloudError> {
        self.0.automation_status(account_id, region, execution_id).await
    }
}

#[async_trait]
impl<T: FindingUpdates + ?Sized> FindingUpdates for ReadOnly<T> {
    async fn update_findings(
        &self,
        account_id: &str,
        region: &str,
        update: &FindingUpdate,
    ) -> Result<UpdateReport, CloudError> {
        Err(CloudError::ReadOnly(format!(
            "{} of {} finding(s) in {account_id}/{region}",
            update.operation(),
            update.findings.len()
        )))
    }
}

#[async_trait]
impl<T: Notifier + ?Sized> Notifier for ReadOnly<T> {
    async fn publish(&self, topic_arn: &str, _notification: &Notification) -> Result<(), CloudError> {
        Err(CloudError::ReadOnly(format!("sns:Publish to {topic_arn}")))
    }
}

/// The adapters a session runs with.
#[derive(Clone)]
pub struct Backend {
    /// Shown in the header: "demo organisation", "file: …", the caller identity.
    pub label: String,
    pub findings: std::sync::Arc<dyn FindingSource>,
    /// `None` offline: plans are computed from the findings' snapshots.
    pub resources: Option<std::sync::Arc<dyn Resources>>,
    /// Updates findings in Security Hub; `None` offline.
    pub updates: Option<std::sync::Arc<dyn FindingUpdates>>,
    /// Publishes notifications; `None` offline.
    pub notifier: Option<std::sync::Arc<dyn Notifier>>,
    /// Starts SSM Automation runbooks; `None` offline.
    pub automation: Option<std::sync::Arc<dyn Automation>>,
    /// Who acts: the caller identity (STS GetCallerIdentity) or the demo operator.
    pub operator: String,
    /// Time between incremental refreshes of the findings (`aws.refresh_seconds`); `None`: only when asked.
    pub refresh_every: Option<Duration>,
    /// Where leases on resources are taken before a change; `None`: in this process only.
    pub coordination: Option<coordination::Coordination>,
}

/// `aws.refresh_seconds` as a refresh interval: 0 turns periodic refresh off.
pub fn refresh_interval(seconds: u64) -> Option<Duration> {
    (seconds > 0).then(|| Duration::from_secs(seconds))
}
