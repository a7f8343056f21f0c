//! How many resource-read calls go to each service at once. AWS limits API calls per account and Region, and each
//! service differently: EC2 throttles its Describe calls with a token bucket per account and Region (100 tokens,
//! refilled at 20 per second, `RequestLimitExceeded` beyond), while S3 serves thousands of GETs per second per
//! bucket prefix. So every (account, region, service) gets its own gate — a bound on calls in flight, and for EC2 a
//! pace at its documented refill — under one bound on calls in flight overall. A call the service still throttles
//! is retried by the SDK with backoff, as any other.

use crate::cloud::quota::{Quota, TokenBucket};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The services resource reads call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum ReadService {
    /// Bucket settings (GetPublicAccessBlock, GetBucketEncryption, GetBucketPolicy, GetBucketTagging).
    S3,
    /// Account-level Block Public Access.
    S3Control,
    /// Security groups, their rules, instances, EBS encryption by default.
    Ec2,
    /// KMS keys, CloudTrail trails, RDS snapshots, IAM users: a few calls per resource.
    Other,
}

/// The bounds, from `[aws]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadLimits {
    /// Calls in flight at once, every account, region and service together.
    pub total: usize,
    /// S3 and S3 Control calls in flight at once per account and region.
    pub s3: usize,
    /// EC2 calls in flight at once per account and region.
    pub ec2: usize,
    /// EC2 calls per second per account and region, and burst.
    pub ec2_pace: Quota,
}

impl ReadLimits {
    /// EC2's documented bucket for non-mutating (Describe) actions: 100 tokens, 20 per second.
    pub const EC2_DESCRIBE: Quota = Quota { rate: 20.0, burst: 100 };
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self { total: 64, s3: 16, ec2: 8, ec2_pace: Self::EC2_DESCRIBE }
    }
}

/// One (account, region, service): calls in flight, and the pace where the service has a documented one.
struct Gate {
    in_flight: Arc<Semaphore>,
    pace: Option<TokenBucket>,
}

/// The right to make one call; dropping it frees the slots. (`None` only if a semaphore were closed, which none
/// ever is: then that bound would not hold, and nothing else changes.)
pub(super) struct CallPermit {
    _gate: Option<OwnedSemaphorePermit>,
    _total: Option<OwnedSemaphorePermit>,
}

/// The gates of every (account, region, service) seen, made on first use.
pub(super) struct ReadGates {
    limits: ReadLimits,
    total: Arc<Semaphore>,
    gates: Mutex<HashMap<(String, String, ReadService), Arc<Gate>>>,
}

impl ReadGates {
    pub(super) fn new(limits: ReadLimits) -> Self {
        Self { limits, total: Arc::new(Semaphore::new(limits.total.max(1))), gates: Mutex::new(HashMap::new()) }
    }

    fn gate(&self, account_id: &str, region: &str, service: ReadService) -> Arc<Gate> {
        // Never held across an await; a poisoned map still holds usable gates.
        let mut gates = self.gates.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        gates
            .entry((account_id.to_string(), region.to_string(), service))
            .or_insert_with(|| {
                let (in_flight, pace) = match service {
                    ReadService::S3 | ReadService::S3Control | ReadService::Other => (self.limits.s3, None),
                    ReadService::Ec2 => (self.limits.ec2, Some(self.limits.ec2_pace.bucket())),
                };
                Arc::new(Gate { in_flight: Arc::new(Semaphore::new(in_flight.max(1))), pace })
            })
            .clone()
    }

    /// Waits for a slot of the service in that account and region (and its pace), then for one overall.
    pub(super) async fn enter(&self, account_id: &str, region: &str, service: ReadService) -> CallPermit {
        let gate = self.gate(account_id, region, service);
        let own = gate.in_flight.clone().acquire_owned().await.ok();
        if let Some(pace) = &gate.pace {
            pace.acquire().await;
        }
        let total = self.total.clone().acquire_owned().await.ok();
        CallPermit { _gate: own, _total: total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// Runs `calls` calls of 20 ms through the gates, `service` in `account`, and returns the most in flight at once.
    async fn most_in_flight(gates: Arc<ReadGates>, calls: &[(&'static str, ReadService)]) -> usize {
        let now = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for &(account, service) in calls {
            let (gates, now, most) = (gates.clone(), now.clone(), most.clone());
            tasks.push(tokio::spawn(async move {
                let _permit = gates.enter(account, "eu-west-1", service).await;
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                now.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        for t in tasks {
            t.await.expect("call");
        }
        most.load(Ordering::SeqCst)
    }

    #[tokio::test(start_paused = true)]
    async fn each_service_has_its_own_bound_per_account_and_region() {
        let limits = ReadLimits { total: 100, s3: 3, ec2: 2, ec2_pace: Quota { rate: 1000.0, burst: 1000 } };
        let s3_only = vec![("111111111111", ReadService::S3); 10];
        assert_eq!(most_in_flight(Arc::new(ReadGates::new(limits)), &s3_only).await, 3);
        let ec2_only = vec![("111111111111", ReadService::Ec2); 10];
        assert_eq!(most_in_flight(Arc::new(ReadGates::new(limits)), &ec2_only).await, 2);
        // Two accounts and two services: four gates of their own.
        let mixed: Vec<_> = ["111111111111", "222222222222"]
            .into_iter()
            .flat_map(|a| [(a, ReadService::S3), (a, ReadService::Ec2)].repeat(10))
            .collect();
        assert_eq!(most_in_flight(Arc::new(ReadGates::new(limits)), &mixed).await, 3 + 2 + 3 + 2);
    }

    #[tokio::test(start_paused = true)]
    async fn the_total_bounds_every_gate_together() {
        let limits = ReadLimits { total: 4, s3: 3, ec2: 3, ec2_pace: Quota { rate: 1000.0, burst: 1000 } };
        let mixed: Vec<_> = ["111111111111", "222222222222"]
            .into_iter()
            .flat_map(|a| [(a, ReadService::S3), (a, ReadService::Ec2)].repeat(10))
            .collect();
        assert_eq!(most_in_flight(Arc::new(ReadGates::new(limits)), &mixed).await, 4);
    }

    #[tokio::test(start_paused = true)]
    async fn ec2_calls_keep_to_the_pace_after_the_burst() {
        let limits = ReadLimits { total: 100, s3: 100, ec2: 100, ec2_pace: Quota { rate: 20.0, burst: 100 } };
        let gates = ReadGates::new(limits);
        let start = tokio::time::Instant::now();
        for _ in 0..140 {
            drop(gates.enter("111111111111", "eu-west-1", ReadService::Ec2).await);
        }
        // 100 at once, then 40 at 20 per second.
        let took = start.elapsed().as_secs_f64();
        assert!((1.9..2.2).contains(&took), "{took}");
        // S3 has no pace of its own.
        let start = tokio::time::Instant::now();
        for _ in 0..500 {
            drop(gates.enter("111111111111", "eu-west-1", ReadService::S3).await);
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
