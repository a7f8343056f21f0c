//! The embedded simulated organisation (`hubtriage --demo`, and the test bed of the engine and UI).
//!
//! Four accounts in two regions hold S3 buckets, security groups, instances and account settings, generated
//! deterministically from a seed. Findings are *derived from that state* on every call, as ASFF JSON read through
//! the same reader real findings take, so a remediated resource's finding turns PASSED under the same id.
//! It implements the same ports as the AWS adapter: `FindingSource`, `Resources` (changes mutate the state as AWS
//! would), `FindingUpdates` and `Notifier`; every mutating call is recorded for tests.

mod apply;
mod apply_ec2;
#[cfg(test)]
mod apply_ec2_tests;
mod apply_s3;
mod apply_services;
mod apply_tags;
mod apply_tags_services;
#[cfg(test)]
mod apply_tags_tests;
#[cfg(test)]
mod apply_tests;
mod automation;
mod clock;
mod controls;
mod cves;
mod ec2;
mod ec2_stories;
mod envelope;
mod faults;
mod feed;
mod findings;
mod inspector;
mod inventory;
mod org;
mod overlay;
#[cfg(test)]
mod playbook_tests;
mod read;
mod rng;
mod s3;
mod services;
mod shapes;
mod tags;
#[cfg(test)]
mod tests;
mod threats;
mod updates;
#[cfg(test)]
mod updates_tests;
#[cfg(test)]
mod verdict_tests;

pub use automation::SimExecution;
pub use faults::SimFault;
pub use feed::FindingFeed;

use super::quota::Quota;
use super::{CloudError, FindingSource, FindingsPage, Resources, SourceId};
use crate::model::asff::read_value;
use crate::model::{Finding, ResourceRef};
use crate::playbook::{Change, ResourceState};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use org::{OrgState, RegionState};
use serde_json::Value;
use std::sync::{Arc, Mutex, MutexGuard};

/// Findings per GetFindings page (Security Hub's maximum `MaxResults`).
const PAGE: usize = 100;

/// An account of the simulated organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimAccount {
    pub id: String,
    pub name: String,
    /// `prod`, `staging`, `sandbox` or `unclassified`.
    pub class: String,
}

/// The simulated organisation. Cheap to clone: clones share one state.
#[derive(Clone)]
pub struct SimOrg {
    inner: Arc<Mutex<OrgState>>,
}

impl SimOrg {
    /// Deterministic organisation for a seed; `now` anchors every timestamp (tests pass a fixed time).
    pub fn new(seed: u64, now: DateTime<Utc>) -> Self {
        Self { inner: Arc::new(Mutex::new(OrgState::build(seed, now))) }
    }

    fn lock(&self) -> MutexGuard<'_, OrgState> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Accounts: id, name, class.
    pub fn accounts(&self) -> Vec<SimAccount> {
        self.lock().accounts.clone()
    }

    /// The regions every account uses.
    pub fn regions(&self) -> Vec<String> {
        org::REGIONS.iter().map(|r| r.to_string()).collect()
    }

    /// Switches a fault on (or off with `None`) for one source (account, region).
    pub fn set_fault(&self, source: &SourceId, fault: Option<SimFault>) {
        let mut state = self.lock();
        match fault {
            Some(fault) => {
                state.faults.insert(source.clone(), faults::FaultState { fault, calls: 0 });
            }
            None => {
                state.faults.remove(source);
            }
        }
    }

    /// Serves `feed` from `source` after the findings derived from its resources (the source is added when the
    /// organisation has no such account and region).
    pub fn import(&self, source: SourceId, feed: Arc<dyn FindingFeed>) {
        self.lock().imported.insert(source, feed);
    }

    /// Enforces GetFindings' quota per source from now on, as Security Hub does: beyond it, calls fail with
    /// `TooManyRequestsException`. Readers of the organisation are told the quota (`FindingSource::quota`).
    pub fn enforce_quota(&self, quota: Quota) {
        self.lock().quota = Some(feed::QuotaEnforcer::new(quota));
    }

    /// Turns every public access block setting of a bucket on, as a remediation would, at `at` (which becomes the
    /// `UpdatedAt` of the bucket's findings). Returns whether the bucket exists. For tests outside this module.
    #[cfg(test)]
    pub(crate) fn block_public_access(&self, source: &SourceId, bucket: &str, at: DateTime<Utc>) -> bool {
        use crate::playbook::{BucketPublicAccessBlock, PublicAccessBlock};
        let mut state = self.lock();
        let Some(b) = state.sources.get_mut(source).and_then(|r| r.buckets.iter_mut().find(|b| b.state.name == bucket))
        else {
            return false;
        };
        b.state.public_access_block = BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON);
        b.changed_at = Some(at);
        true
    }

    /// The simulator's clock: the organisation's `now` plus the real time since it was built (and any
    /// [`advance_clock`](Self::advance_clock)), to the millisecond. Changes and finding updates happen at this time.
    pub fn now(&self) -> DateTime<Utc> {
        self.lock().clock.now()
    }

    /// Moves the simulator's clock forward by `by`, for tests of refreshes and expiries.
    pub fn advance_clock(&self, by: chrono::Duration) {
        self.lock().clock.advance(by);
    }

    /// Number of calls made per operation name, for tests: `GetFindings`, `ReadState`, `BatchUpdateFindings`,
    /// `Publish`, `Apply` (every change) and each change's API name (`PutPublicAccessBlock`,
    /// `RevokeSecurityGroupIngress`, `ModifyInstanceMetadataOptions`…).
    pub fn call_count(&self, operation: &str) -> usize {
        self.lock().calls.get(operation).copied().unwrap_or(0)
    }

    /// Every finding of a source as derived from the current state (and the workflow set through
    /// BatchUpdateFindings), without faults or call counting; with `include_resolved`, also the passed, resolved and
    /// suppressed findings GetFindings' default filters leave out.
    pub fn findings(&self, source: &SourceId, include_resolved: bool) -> Vec<Finding> {
        let state = self.lock();
        let Some(region) = state.sources.get(source) else {
            return Vec::new();
        };
        let mut values = derive(region);
        state.overlay.apply(&mut values);
        values.retain(|v| include_resolved || is_open(v));
        read_value(&Value::Array(values)).findings
    }

    /// One GetFindings page: the open findings, or with `since` every finding updated at or after it (resolved
    /// ones included), as an incremental refresh asks.
    fn page(
        &self,
        source: &SourceId,
        since: Option<DateTime<Utc>>,
        token: Option<String>,
    ) -> Result<FindingsPage, CloudError> {
        let mut guard = self.lock();
        let state = &mut *guard;
        state.count("GetFindings");
        if let Some(quota) = state.quota.as_mut() {
            quota.admit(source)?;
        }
        let start: usize = match &token {
            Some(t) => t
                .parse()
                .map_err(|_| CloudError::Other(format!("InvalidInputException: the NextToken {t:?} is not valid")))?,
            None => 0,
        };
        faults::check_get_findings(state.faults.get_mut(source), source, start / PAGE)?;
        // Imported findings never change, so a refresh (`since`) finds nothing new among them.
        let feed = state.imported.get(source).filter(|_| since.is_none()).cloned();
        let mut open = match (state.sources.get(source), &feed) {
            (None, Some(_)) => Vec::new(),
            _ => derive(region_of(state, source)?),
        };
        state.overlay.apply(&mut open);
        open.retain(|v| match since {
            Some(since) => updated_since(v, since),
            None => is_open(v),
        });
        drop(guard);
        let total = open.len() + feed.as_ref().map_or(0, |f| f.len());
        let end = (start + PAGE).min(total);
        let mut slice = open.get(start.min(open.len())..end.min(open.len())).unwrap_or_default().to_vec();
        if let Some(feed) = &feed {
            slice.extend(feed.findings(feed::feed_range(open.len(), start, end)));
        }
        let outcome = read_value(&Value::Array(slice));
        Ok(FindingsPage {
            findings: outcome.findings,
            problems: outcome.problems.into_iter().map(|p| format!("{}: {}", p.location, p.reason)).collect(),
            next_token: (end < total).then(|| end.to_string()),
        })
    }
}

/// The state of a source, or the error AWS gives for an account or region outside the organisation.
fn region_of<'a>(state: &'a OrgState, source: &SourceId) -> Result<&'a RegionState, CloudError> {
    if let Some(region) = state.sources.get(source) {
        return Ok(region);
    }
    if state.accounts.iter().any(|a| a.id == source.account_id) {
        Err(CloudError::NotEnabled(format!(
            "InvalidAccessException: Account {} is not subscribed to AWS Security Hub in {}",
            source.account_id, source.region
        )))
    } else {
        Err(CloudError::AccessDenied(format!(
            "not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{}:role/HubtriageRemediation",
            source.account_id
        )))
    }
}

/// Every finding of a source, derived from its current state: control checks first, then the other products.
fn derive(region: &RegionState) -> Vec<Value> {
    let mut all = findings::control_findings(region);
    all.extend(threats::guardduty(region));
    all.extend(inspector::findings(region));
    all.extend(threats::macie(region));
    all.extend(threats::config_rules(region));
    all
}

/// An `UpdatedAt` filter starting at `since`; a finding whose `UpdatedAt` cannot be read is kept (the reader will
/// say what is wrong with it).
fn updated_since(finding: &Value, since: DateTime<Utc>) -> bool {
    finding
        .get("UpdatedAt")
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .is_none_or(|t| t.with_timezone(&Utc) >= since)
}

/// GetFindings' default filters: active, workflow NEW or NOTIFIED, not PASSED.
fn is_open(finding: &Value) -> bool {
    let text = |pointer: &str| finding.pointer(pointer).and_then(Value::as_str).unwrap_or("");
    text("/RecordState") == "ACTIVE"
        && matches!(text("/Workflow/Status"), "NEW" | "NOTIFIED")
        && text("/Compliance/Status") != "PASSED"
}

#[async_trait]
impl FindingSource for SimOrg {
    fn sources(&self) -> Vec<SourceId> {
        let state = self.lock();
        let mut sources: Vec<SourceId> = state.sources.keys().chain(state.imported.keys()).cloned().collect();
        sources.sort();
        sources.dedup();
        sources
    }

    fn quota(&self) -> Option<Quota> {
        self.lock().quota.as_ref().map(feed::QuotaEnforcer::quota)
    }

    async fn fetch_page(&self, source: &SourceId, token: Option<String>) -> Result<FindingsPage, CloudError> {
        self.page(source, None, token)
    }

    async fn fetch_changed_page(
        &self,
        source: &SourceId,
        since: DateTime<Utc>,
        token: Option<String>,
    ) -> Result<FindingsPage, CloudError> {
        self.page(source, Some(since), token)
    }
}

#[async_trait]
impl Resources for SimOrg {
    async fn read_state(
        &self,
        account_id: &str,
        region: &str,
        resource: &ResourceRef,
    ) -> Result<ResourceState, CloudError> {
        read::read(&mut self.lock(), account_id, region, resource)
    }

    /// Of a bucket, only `parts` (one `ReadState` call, as each part is one S3 call); anything else whole.
    async fn read_state_parts(
        &self,
        account_id: &str,
        region: &str,
        resource: &ResourceRef,
        parts: crate::playbook::BucketParts,
    ) -> Result<ResourceState, CloudError> {
        Ok(match read::read(&mut self.lock(), account_id, region, resource)? {
            ResourceState::S3Bucket(bucket) => ResourceState::S3Bucket(bucket.only(parts)),
            whole => whole,
        })
    }

    async fn apply(&self, account_id: &str, region: &str, change: &Change) -> Result<(), CloudError> {
        apply::apply(&mut self.lock(), account_id, region, change)
    }

    async fn list_tagged(
        &self,
        account_id: &str,
        region: &str,
        tag_key: &str,
    ) -> Result<Vec<super::TaggedResource>, CloudError> {
        let source = SourceId { account_id: account_id.into(), region: region.into() };
        apply_tags::list_tagged(&mut self.lock(), &source, tag_key)
    }
}
