//! Security Hub's own history of findings (the new Security Hub's GetFindingsTrendsV2): per interval, the findings
//! that were active, by severity. Points of several sources are added up by their time.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// One point of a findings trend: the findings active in the interval starting at `at`, by severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrendPoint {
    pub at: DateTime<Utc>,
    /// Critical, and fatal.
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    /// Informational, and the levels outside the five (unknown, fatal, other).
    pub informational: u64,
}

impl TrendPoint {
    /// Every finding of the point, whatever its severity.
    pub fn total(&self) -> u64 {
        self.critical + self.high + self.medium + self.low + self.informational
    }

    fn add(&mut self, other: &TrendPoint) {
        self.critical += other.critical;
        self.high += other.high;
        self.medium += other.medium;
        self.low += other.low;
        self.informational += other.informational;
    }
}

/// The points of several sources as one trend: points of the same time added up, oldest first.
pub fn merge(trends: impl IntoIterator<Item = Vec<TrendPoint>>) -> Vec<TrendPoint> {
    let mut by_time: BTreeMap<DateTime<Utc>, TrendPoint> = BTreeMap::new();
    for point in trends.into_iter().flatten() {
        by_time.entry(point.at).or_insert(TrendPoint { at: point.at, ..TrendPoint::default() }).add(&point);
    }
    by_time.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(day: u32, critical: u64, low: u64) -> TrendPoint {
        let at =
            chrono::NaiveDate::from_ymd_opt(2026, 11, day).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc());
        TrendPoint { at: at.unwrap_or_default(), critical, low, ..TrendPoint::default() }
    }

    #[test]
    fn points_of_the_same_day_add_up_and_come_out_oldest_first() {
        let merged = merge([vec![point(2, 1, 0), point(1, 2, 1)], vec![point(2, 0, 5), point(3, 1, 1)]]);
        let seen: Vec<(u64, u64)> = merged.iter().map(|p| (p.critical, p.low)).collect();
        assert_eq!(seen, [(2, 1), (1, 5), (1, 1)]);
        assert_eq!(merged.iter().map(TrendPoint::total).collect::<Vec<_>>(), [3, 6, 2]);
        assert!(merge(Vec::<Vec<TrendPoint>>::new()).is_empty());
    }
}
