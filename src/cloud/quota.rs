//! Request quotas: Security Hub limits GetFindings per account and region (3 requests/s, burst 6 by default). The
//! paging engine keeps one token bucket per source so it never asks faster than the quota, and the simulated
//! organisation enforces the same quota on its side. Uses tokio's clock, so a paused clock drives it.

use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// A request rate with a burst, as AWS documents its API quotas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    /// Requests per second, sustained.
    pub rate: f64,
    /// Requests that may go at once after a quiet period.
    pub burst: u32,
}

impl Quota {
    /// Security Hub's GetFindings quota per account and region.
    pub const GET_FINDINGS: Quota = Quota { rate: 3.0, burst: 6 };

    /// Seconds `requests` calls take at best under this quota, starting with a full bucket.
    pub fn bound_seconds(self, requests: usize) -> f64 {
        requests.saturating_sub(self.burst as usize) as f64 / self.rate
    }

    /// A full bucket for this quota.
    pub fn bucket(self) -> TokenBucket {
        TokenBucket::new(self.rate, self.burst)
    }
}

#[derive(Debug)]
struct State {
    tokens: f64,
    last: Instant,
}

/// Hands out one token per request; waits when the bucket is empty.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    state: Mutex<State>,
}

impl TokenBucket {
    /// A full bucket: `burst` requests go at once, then `rate` per second.
    pub fn new(rate: f64, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        let rate = if rate > 0.0 { rate } else { 1.0 };
        Self { rate, burst, state: Mutex::new(State { tokens: burst, last: Instant::now() }) }
    }

    /// Takes a token at `now`, or says how long until one is available.
    pub fn take_at(&self, now: Instant) -> Result<(), Duration> {
        // The lock is never held across an await; a poisoned one still holds plain numbers.
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let elapsed = now.saturating_duration_since(state.last).as_secs_f64();
        state.tokens = (state.tokens + elapsed * self.rate).min(self.burst);
        state.last = now;
        if state.tokens >= 1.0 {
            state.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - state.tokens) / self.rate))
        }
    }

    /// Takes a token now if there is one, without waiting (a server enforcing its quota).
    pub fn try_take(&self) -> Result<(), Duration> {
        self.take_at(Instant::now())
    }

    /// Waits for a token.
    pub async fn acquire(&self) {
        while let Err(wait) = self.try_take() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_rate() {
        let bucket = TokenBucket::new(3.0, 6);
        let t0 = Instant::now();
        for _ in 0..6 {
            assert_eq!(bucket.take_at(t0), Ok(()));
        }
        let wait = bucket.take_at(t0).expect_err("empty");
        assert!((wait.as_secs_f64() - 1.0 / 3.0).abs() < 1e-6, "{wait:?}");
        // One token a third of a second later, not two.
        let t1 = t0 + Duration::from_millis(340);
        assert_eq!(bucket.take_at(t1), Ok(()));
        assert!(bucket.take_at(t1).is_err());
        // Never more than the burst, however long it was idle.
        let t2 = t1 + Duration::from_secs(60);
        let granted: Vec<_> = (0..10).map(|_| bucket.take_at(t2)).collect();
        assert_eq!(granted.iter().filter(|r| r.is_ok()).count(), 6);
    }

    #[tokio::test]
    async fn acquire_waits_for_a_token() {
        let bucket = TokenBucket::new(50.0, 1);
        let start = std::time::Instant::now();
        for _ in 0..6 {
            bucket.acquire().await;
        }
        // 5 waits of 20 ms at 50/s.
        assert!(start.elapsed() >= Duration::from_millis(90), "{:?}", start.elapsed());
    }
}
