//! GetFindingsTrendsV2: the new Security Hub's own counts of active findings by severity per day, week or month.

use super::errors::map_sdk_error;
use crate::cloud::trends::TrendPoint;
use crate::cloud::CloudError;
use aws_smithy_types::DateTime as SmithyTime;
use chrono::{DateTime, Utc};

/// At most this many points per page (the API maximum).
const PAGE_POINTS: i32 = 100;
/// Pages read at most: 100 points a page covers years of daily points; a service that keeps sending tokens is
/// stopped here.
const MAX_PAGES: usize = 20;

/// Every point between `since` and `until`, oldest first.
pub async fn findings_trend(
    client: &aws_sdk_securityhub::Client,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    context: &str,
) -> Result<Vec<TrendPoint>, CloudError> {
    let mut points = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let out = client
            .get_findings_trends_v2()
            .start_time(SmithyTime::from_millis(since.timestamp_millis()))
            .end_time(SmithyTime::from_millis(until.timestamp_millis()))
            .max_results(PAGE_POINTS)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| map_sdk_error(context, e))?;
        for metric in out.trends_metrics() {
            let Some(at) = metric.timestamp().and_then(|t| DateTime::from_timestamp_millis(t.to_millis().ok()?)) else {
                continue;
            };
            let Some(counts) = metric.trends_values().and_then(|v| v.severity_trends()) else { continue };
            let n = |value: Option<i64>| u64::try_from(value.unwrap_or(0)).unwrap_or(0);
            points.push(TrendPoint {
                at,
                critical: n(counts.critical()) + n(counts.fatal()),
                high: n(counts.high()),
                medium: n(counts.medium()),
                low: n(counts.low()),
                informational: n(counts.informational()) + n(counts.unknown()) + n(counts.other()),
            });
        }
        match out.next_token() {
            Some(next) if !next.is_empty() && token.as_deref() != Some(next) => token = Some(next.to_string()),
            _ => break,
        }
    }
    points.sort_by_key(|p| p.at);
    Ok(points)
}
