//! Live reads shared between findings: findings about the same resource (same account, region and resource) share
//! its reads, started by the first of them and awaited by the others; each finding is then assessed from that state
//! on its own (its own verdict, plan and error). A bucket is read by parts (`BucketParts`, one call each), only those
//! its findings' playbooks look at, each part once. Meant for one pass over many findings (a headless command): the
//! states read stay for the life of the value, so a later pass makes a new one.

use super::read_batches::ReadBatches;
use crate::cloud::Resources;
use crate::model::{Finding, ResourceRef};
use crate::playbook::{BucketParts, ResourceState};
use crate::triage::{Assessment, Triage};
use chrono::Utc;
use futures::future::{BoxFuture, FutureExt, Shared};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One resource as `read_state` sees it: the finding's account and region, and the resource's type, id and own
/// region (which wins over the finding's for global resources).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ResourceKey {
    account_id: String,
    region: String,
    kind: String,
    id: String,
    resource_region: Option<String>,
}

impl ResourceKey {
    fn new(account_id: &str, region: &str, resource: &ResourceRef) -> Self {
        Self {
            account_id: account_id.to_string(),
            region: region.to_string(),
            kind: resource.kind.to_string(),
            id: resource.id.clone(),
            resource_region: resource.region.as_deref().map(str::to_string),
        }
    }
}

/// A read in flight or done, awaited by every finding about its resource; the error already names what failed.
type SharedRead = Shared<BoxFuture<'static, Result<Arc<ResourceState>, String>>>;

/// Reads each resource (each part of a bucket) at most once, however many findings are about it.
pub struct SharedReads {
    resources: Arc<dyn Resources>,
    /// Per resource, its reads by the parts they read (`BucketParts::ALL` for a whole read).
    reads: Mutex<HashMap<ResourceKey, HashMap<BucketParts, SharedRead>>>,
    /// Reads of the kinds the adapter reads many at a time, gathered.
    batches: Arc<ReadBatches>,
    started: AtomicUsize,
}

impl SharedReads {
    /// Reads through `resources` (whose adapter keeps each service's limits).
    pub fn new(resources: Arc<dyn Resources>) -> Self {
        let batches = ReadBatches::new(resources.clone());
        Self { resources, reads: Mutex::new(HashMap::new()), batches, started: AtomicUsize::new(0) }
    }

    /// How many resources were read (or are being read): one per distinct resource asked for.
    pub fn reads_started(&self) -> usize {
        self.started.load(Ordering::SeqCst)
    }

    /// The reads of the resource's state, started on the first ask (later asks join them); awaiting them is left to
    /// the caller. Of a bucket, only `parts` are read (each part once, whichever finding asked for it first); the
    /// others stay unread.
    fn request(&self, account_id: &str, region: &str, resource: &ResourceRef, parts: BucketParts) -> Vec<SharedRead> {
        let key = ResourceKey::new(account_id, region, resource);
        // The tags always: every verdict reads them (exceptions).
        let each: Vec<BucketParts> = match &*resource.kind {
            "AwsS3Bucket" => parts.and(BucketParts::TAGS).each().collect(),
            _ => vec![BucketParts::ALL],
        };
        // Never held across an await; a poisoned map still holds whole entries.
        let mut reads = self.reads.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let of_resource = reads.entry(key).or_insert_with(|| {
            self.started.fetch_add(1, Ordering::SeqCst);
            HashMap::new()
        });
        each.iter()
            .map(|part| {
                of_resource.entry(*part).or_insert_with(|| self.start(account_id, region, resource, *part)).clone()
            })
            .collect()
    }

    /// Starts a read as a task of its own, so it goes on whichever finding awaits it (or stops awaiting); a
    /// resource the adapter reads many at a time joins a batch.
    fn start(&self, account_id: &str, region: &str, resource: &ResourceRef, parts: BucketParts) -> SharedRead {
        if self.resources.reads_together(&resource.kind) {
            return self.batches.read(account_id, region, resource).shared();
        }
        let resources = self.resources.clone();
        let (account_id, region, resource) = (account_id.to_string(), region.to_string(), resource.clone());
        let task = tokio::spawn(async move {
            resources
                .read_state_parts(&account_id, &region, &resource, parts)
                .await
                .map(Arc::new)
                .map_err(|e| format!("reading {} in {account_id}/{region}: {e}", resource.short_id()))
        });
        task.map(|joined| joined.unwrap_or_else(|e| Err(format!("the read stopped: {e}")))).boxed().shared()
    }

    /// No more findings will come: reads gathered into batches go out without waiting for the next page's.
    pub fn last_page_in(&self) {
        self.batches.last_page_in();
    }

    /// Verdict and plan of the finding from its resource's live state; the error says what could not be read. The
    /// reads are asked for at once (so a batch the last page sends includes them); the answer comes when awaited.
    pub fn assess(
        &self,
        triage: Arc<Triage>,
        finding: Arc<Finding>,
    ) -> impl Future<Output = Result<Assessment, String>> + Send + 'static {
        let reads = finding.primary_resource().map(|resource| {
            let parts = triage.bucket_parts(&finding);
            self.request(&finding.account_id, &finding.region, resource, parts)
        });
        async move {
            let state = awaited(reads.ok_or("the finding names no resource")?).await?;
            Ok(triage.assess(&finding, Some(&state), Utc::now()))
        }
    }
}

/// The state the reads of one resource give together.
async fn awaited(reads: Vec<SharedRead>) -> Result<Arc<ResourceState>, String> {
    let mut states = Vec::with_capacity(reads.len());
    for read in reads {
        states.push(read.await?);
    }
    merged(states)
}

/// One state from the reads of one resource: the first, with the parts of a bucket the others read taken over.
fn merged(states: Vec<Arc<ResourceState>>) -> Result<Arc<ResourceState>, String> {
    let mut states = states.into_iter();
    let first = states.next().ok_or("nothing was read")?;
    let rest: Vec<Arc<ResourceState>> = states.collect();
    if rest.is_empty() {
        return Ok(first);
    }
    let mut state = (*first).clone();
    if let ResourceState::S3Bucket(bucket) = &mut state {
        for other in &rest {
            if let ResourceState::S3Bucket(part) = &**other {
                bucket.take_parts_from(part);
            }
        }
    }
    Ok(Arc::new(state))
}
