//! Findings a source serves besides those derived from its resources, and the GetFindings quota the organisation
//! enforces: what lets the simulated organisation stand in for Security Hub at scale (benchmarks, load tests).

use crate::cloud::quota::{Quota, TokenBucket};
use crate::cloud::{CloudError, SourceId};
use serde_json::Value;
use std::collections::HashMap;
use std::ops::Range;

/// A fixed set of ASFF findings served after a source's derived ones, produced a page at a time so that a large
/// set costs no memory until it is read. Imported findings do not change: an incremental refresh skips them.
pub trait FindingFeed: Send + Sync {
    /// How many findings the feed holds.
    fn len(&self) -> usize;

    /// Whether the feed holds no finding.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The findings at `range` (within `0..len()`), as ASFF JSON.
    fn findings(&self, range: Range<usize>) -> Vec<Value>;
}

/// GetFindings' quota as Security Hub enforces it: one bucket per source, a throttling error when it is empty.
#[derive(Debug)]
pub(super) struct QuotaEnforcer {
    quota: Quota,
    buckets: HashMap<SourceId, TokenBucket>,
}

impl QuotaEnforcer {
    pub fn new(quota: Quota) -> Self {
        Self { quota, buckets: HashMap::new() }
    }

    /// The quota enforced.
    pub fn quota(&self) -> Quota {
        self.quota
    }

    /// Takes one request of `source` from its bucket, or answers as Security Hub does when the rate is exceeded.
    pub fn admit(&mut self, source: &SourceId) -> Result<(), CloudError> {
        let quota = self.quota;
        let bucket = self.buckets.entry(source.clone()).or_insert_with(|| quota.bucket());
        bucket.try_take().map_err(|_| {
            CloudError::Throttled(format!("TooManyRequestsException: Rate exceeded for GetFindings in {source}"))
        })
    }
}

/// The part of the page `start..end` (indices over derived findings then the feed) that comes from the feed.
pub(super) fn feed_range(derived: usize, start: usize, end: usize) -> Range<usize> {
    start.max(derived) - derived..end.max(derived) - derived
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_range_follows_the_derived_findings() {
        assert_eq!(feed_range(30, 0, 100), 0..70);
        assert_eq!(feed_range(30, 100, 200), 70..170);
        assert_eq!(feed_range(300, 0, 100), 0..0);
        assert_eq!(feed_range(0, 200, 250), 200..250);
    }

    #[tokio::test(start_paused = true)]
    async fn the_quota_throttles_beyond_the_burst_and_refills() {
        let mut enforcer = QuotaEnforcer::new(Quota::GET_FINDINGS);
        let source = SourceId { account_id: "111111111111".into(), region: "eu-west-1".into() };
        for _ in 0..6 {
            enforcer.admit(&source).expect("within the burst");
        }
        assert!(matches!(enforcer.admit(&source), Err(CloudError::Throttled(m)) if m.contains("Rate exceeded")));
        let other = SourceId { region: "us-east-1".into(), ..source.clone() };
        enforcer.admit(&other).expect("each source has its own quota");
        tokio::time::advance(std::time::Duration::from_millis(334)).await;
        enforcer.admit(&source).expect("one more after a third of a second");
        assert!(enforcer.admit(&source).is_err());
    }
}
