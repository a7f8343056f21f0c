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

#[cfg(test)]
mod import_tests {
    use super::*;
    use crate::cloud::sim::tests::fetch_all;
    use crate::cloud::sim::SimOrg;
    use crate::cloud::FindingSource;
    use serde_json::json;
    use std::collections::HashSet;
    use std::sync::Arc;

    /// `n` S3.8 findings numbered from 0.
    struct Generated(usize);

    impl FindingFeed for Generated {
        fn len(&self) -> usize {
            self.0
        }

        fn findings(&self, range: Range<usize>) -> Vec<Value> {
            range
                .map(|i| {
                    json!({"SchemaVersion": "2018-10-08", "Id": format!("imported-{i}"),
                       "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
                       "GeneratorId": "security-control/S3.8", "AwsAccountId": "222222222222", "Region": "eu-west-1",
                       "Title": "t", "Severity": {"Label": "HIGH"}, "Compliance": {"Status": "FAILED"},
                       "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE",
                       "Resources": [{"Type": "AwsS3Bucket", "Id": format!("arn:aws:s3:::b{i}")}]})
                })
                .collect()
        }
    }

    #[test]
    fn imported_findings_page_after_the_derived_ones_each_once() {
        let org = SimOrg::new(7, chrono::Utc::now());
        let existing = org.sources()[0].clone();
        let derived = fetch_all(&org, &existing).expect("derived").len();
        let new_source = SourceId { account_id: "222222222222".into(), region: "eu-west-1".into() };
        org.import(existing.clone(), Arc::new(Generated(250)));
        org.import(new_source.clone(), Arc::new(Generated(230)));
        assert!(org.sources().contains(&new_source));

        let all = fetch_all(&org, &existing).expect("existing source");
        assert_eq!(all.len(), derived + 250);
        let ids: HashSet<&str> = all.iter().map(|f| &*f.id).collect();
        assert_eq!(ids.len(), all.len(), "no finding twice");
        let only_imported = fetch_all(&org, &new_source).expect("imported source");
        assert_eq!(only_imported.len(), 230);
        assert_eq!(&*only_imported[229].id, "imported-229");
    }

    #[tokio::test(start_paused = true)]
    async fn an_enforced_quota_throttles_and_is_told_to_readers() {
        let org = SimOrg::new(7, chrono::Utc::now());
        assert_eq!(org.quota(), None);
        org.enforce_quota(Quota::GET_FINDINGS);
        assert_eq!(org.quota(), Some(Quota::GET_FINDINGS));
        let source = org.sources()[0].clone();
        for _ in 0..6 {
            org.fetch_page(&source, None).await.expect("within the burst");
        }
        assert!(matches!(org.fetch_page(&source, None).await, Err(CloudError::Throttled(_))));
    }

    #[tokio::test(start_paused = true)]
    async fn the_paging_engine_keeps_to_the_quota_and_shows_no_throttling() {
        use crate::engine::{ingest, Msg, SourceStatus};
        let org = SimOrg::new(7, chrono::Utc::now());
        org.enforce_quota(Quota::GET_FINDINGS);
        let source = SourceId { account_id: "222222222222".into(), region: "eu-west-1".into() };
        org.import(source.clone(), Arc::new(Generated(1500)));
        let config = crate::config::Config::default();
        let triage = crate::triage::Triage {
            policy: config.policy().expect("policy"),
            playbooks: crate::playbook::Playbooks::new(&config.playbooks),
        };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let started = tokio::time::Instant::now();
        tokio::spawn(ingest::page_source(Arc::new(org), source.clone(), Arc::new(triage), tx));
        let (mut rows, mut retries) = (0, 0);
        while let Some(msg) = rx.recv().await {
            match msg {
                Msg::FindingsPage { rows: page, .. } => rows += page.len(),
                Msg::SourceState { status: SourceStatus::Retrying { .. }, .. } => retries += 1,
                Msg::SourceState { status: SourceStatus::Ok { .. }, .. } => break,
                _ => {}
            }
        }
        let elapsed = started.elapsed().as_secs_f64();
        let bound = Quota::GET_FINDINGS.bound_seconds(15); // 15 pages of 100
        assert_eq!((rows, retries), (1500, 0), "every finding, no throttling shown");
        assert!(elapsed >= bound - 0.01 && elapsed <= bound * 1.1, "{elapsed} s for a bound of {bound} s");
    }
}
