//! A token bucket per source: GetFindings is limited per account and region (3 requests/s, burst 6 by default).
//! Uses tokio's clock, so a paused test clock drives it.

use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

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
    fn try_take(&self, state: &mut State, now: Instant) -> Result<(), Duration> {
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

    /// Waits for a token.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut state = self.state.lock().await;
                match self.try_take(&mut state, Instant::now()) {
                    Ok(()) => return,
                    Err(wait) => wait,
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes a token at an explicit time (tests without a paused clock).
    pub async fn acquire_at(&self, now: Instant) -> Result<(), Duration> {
        let mut state = self.state.lock().await;
        self.try_take(&mut state, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn burst_then_rate() {
        let bucket = TokenBucket::new(3.0, 6);
        let t0 = Instant::now();
        for _ in 0..6 {
            assert_eq!(bucket.acquire_at(t0).await, Ok(()));
        }
        let wait = bucket.acquire_at(t0).await.expect_err("empty");
        assert!((wait.as_secs_f64() - 1.0 / 3.0).abs() < 1e-6, "{wait:?}");
        // One token a third of a second later, not two.
        let t1 = t0 + Duration::from_millis(340);
        assert_eq!(bucket.acquire_at(t1).await, Ok(()));
        assert!(bucket.acquire_at(t1).await.is_err());
        // Never more than the burst, however long it was idle.
        let t2 = t1 + Duration::from_secs(60);
        let granted = futures::future::join_all((0..10).map(|_| bucket.acquire_at(t2))).await;
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
