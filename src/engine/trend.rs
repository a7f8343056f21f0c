//! Security Hub's own trend of the findings of every source that keeps one (the new Security Hub), read
//! concurrently and added up, for the Overview and `report`.

use crate::cloud::trends::{merge, TrendPoint};
use crate::cloud::FindingSource;
use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};

/// Sources asked at once.
const CONCURRENT_SOURCES: usize = 4;

/// What the sources said.
#[derive(Debug, Default, PartialEq)]
pub struct TrendRead {
    /// The added-up trend, oldest first; `None` when no source keeps one.
    pub points: Option<Vec<TrendPoint>>,
    /// Sources that keep a trend and could not be read: `source: error`.
    pub problems: Vec<String>,
}

/// The trend between `since` and `until` over every source of `findings`.
pub async fn read_trend(findings: &dyn FindingSource, since: DateTime<Utc>, until: DateTime<Utc>) -> TrendRead {
    let answers: Vec<_> = stream::iter(findings.sources())
        .map(|source| async move {
            let answer = findings.findings_trend(&source, since, until).await;
            (source, answer)
        })
        .buffer_unordered(CONCURRENT_SOURCES)
        .collect()
        .await;
    let mut read = TrendRead::default();
    let mut trends = Vec::new();
    for (source, answer) in answers {
        match answer {
            Ok(Some(points)) => trends.push(points),
            Ok(None) => {}
            Err(e) => read.problems.push(format!("{source}: {e}")),
        }
    }
    if !trends.is_empty() {
        read.points = Some(merge(trends));
    }
    read
}
