//! The simulator's clock: the organisation's `now` plus the real time since it was built (and whatever a test
//! advanced it by), to the millisecond as ASFF timestamps carry it. Changes made through the simulator happen at this
//! time, so an incremental refresh asking for `UpdatedAt` at or after the start of its last sync finds them.

use chrono::{DateTime, Duration, DurationRound, Utc};
use std::time::Instant;

/// A clock anchored at the organisation's `now`.
#[derive(Debug)]
pub(super) struct Clock {
    anchor: DateTime<Utc>,
    started: Instant,
    offset: Duration,
}

impl Clock {
    /// A clock that reads `anchor` now and moves with real time.
    pub fn new(anchor: DateTime<Utc>) -> Self {
        Self { anchor, started: Instant::now(), offset: Duration::zero() }
    }

    /// The current simulated time, truncated to the millisecond.
    pub fn now(&self) -> DateTime<Utc> {
        let elapsed = Duration::from_std(self.started.elapsed()).unwrap_or_else(|_| Duration::zero());
        let t = self.anchor + elapsed + self.offset;
        t.duration_trunc(Duration::milliseconds(1)).unwrap_or(t)
    }

    /// Moves the clock forward (or back, with a negative duration).
    pub fn advance(&mut self, by: Duration) {
        self.offset += by;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_starts_at_the_anchor_and_moves_forward() {
        let anchor = DateTime::parse_from_rfc3339("2026-11-21T12:00:00.123456Z").expect("time").with_timezone(&Utc);
        let mut clock = Clock::new(anchor);
        let first = clock.now();
        assert!(first >= anchor - Duration::milliseconds(1) && first < anchor + Duration::seconds(5), "{first}");
        assert_eq!(first.timestamp_subsec_nanos() % 1_000_000, 0, "whole milliseconds");
        clock.advance(Duration::minutes(10));
        assert!(clock.now() >= first + Duration::minutes(10));
    }
}
