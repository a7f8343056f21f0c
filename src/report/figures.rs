//! The figures an incident responder reads first, computed from what hubtriage knows: the open findings with their
//! verdicts, the audit log (fixes, their time to a verified safe state, resources fixed again and again) and the
//! store's lifetimes or Security Hub's own trend (open findings over time, findings that came back). Pure: the same
//! inputs give the same figures.

use crate::cloud::trends::TrendPoint;
use crate::engine::audit::AuditRecord;
use crate::engine::audit_summary::fixes;
use crate::engine::Row;
use crate::model::Severity;
use crate::policy::Verdict;
use crate::store::Lifetime;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// How many bars a top list has.
pub const TOP: usize = 10;

/// Everything a report shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub generated_at: DateTime<Utc>,
    pub since: DateTime<Utc>,
    /// Open findings read now.
    pub findings: usize,
    /// Severity (most severe first) → verdict name → count; every verdict present, zeros included.
    pub severity_by_verdict: Vec<SeverityRow>,
    pub top_accounts: Vec<Count>,
    pub top_controls: Vec<Count>,
    /// Open findings at the end of each day since `since`: from Security Hub's own trend where a source keeps one
    /// (the new Security Hub), else from the store (empty without either).
    pub open_over_time: Vec<DayCount>,
    /// Where `open_over_time` comes from: `security-hub` (GetFindingsTrendsV2), `store`, or `none`.
    pub open_over_time_from: &'static str,
    /// Time from first observation to a verified fix, per control, for fixes verified since `since`.
    pub time_to_safe: Vec<ControlTime>,
    /// The same over every control.
    pub time_to_safe_overall: Option<ControlTime>,
    /// Resources fixed more than once for the same control (from the whole audit log), most often first.
    pub fixed_again: Vec<Refix>,
    /// Findings that came back open after closing, since `since` (from the store).
    pub reopened: Option<usize>,
    /// What auto-fix would fix if it were switched on.
    pub would_auto_fix: AutoFixFigures,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeverityRow {
    pub severity: &'static str,
    pub counts: BTreeMap<&'static str, usize>,
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub name: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCount {
    pub day: NaiveDate,
    pub open: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlTime {
    pub control: String,
    pub fixes: usize,
    pub median_seconds: u64,
    pub p90_seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refix {
    pub account_id: String,
    pub region: String,
    pub resource: String,
    pub control: String,
    pub times: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct AutoFixFigures {
    pub total: usize,
    pub by_control: Vec<Count>,
    pub by_account: Vec<Count>,
}

/// What the figures are computed from.
pub struct Inputs<'a> {
    pub rows: &'a [&'a Row],
    pub records: &'a [AuditRecord],
    /// `None` without a store.
    pub lifetimes: Option<&'a [Lifetime]>,
    /// Security Hub's own trend, oldest first (`None`: no source keeps one); preferred to the store's lifetimes.
    pub trend: Option<&'a [TrendPoint]>,
    pub reopened: Option<usize>,
    /// Account id → the name `[accounts]` gives it.
    pub account_names: &'a BTreeMap<String, String>,
    pub since: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// The figures of `inputs`.
pub fn figures(inputs: &Inputs<'_>) -> Figures {
    let rows = inputs.rows;
    let account = |id: &str| match inputs.account_names.get(id) {
        Some(name) => format!("{name} ({id})"),
        None => id.to_string(),
    };
    let mut severity_by_verdict = Vec::new();
    for severity in Severity::ALL.iter() {
        let mut counts: BTreeMap<&'static str, usize> = Verdict::ALL.iter().map(|v| (v.name(), 0)).collect();
        for row in rows.iter().filter(|r| r.finding.severity == *severity) {
            *counts.entry(row.decision.verdict.name()).or_default() += 1;
        }
        let total = counts.values().sum();
        severity_by_verdict.push(SeverityRow { severity: severity.label(), counts, total });
    }
    let top_accounts = top(rows.iter().map(|r| account(&r.finding.account_id)));
    let top_controls = top(rows.iter().map(|r| r.finding.control_or_type().to_string()));
    let auto: Vec<&Row> = rows.iter().copied().filter(|r| r.decision.verdict == Verdict::AutoFix).collect();
    let would_auto_fix = AutoFixFigures {
        total: auto.len(),
        by_control: top(auto.iter().map(|r| r.finding.control_or_type().to_string())),
        by_account: top(auto.iter().map(|r| account(&r.finding.account_id))),
    };
    let (time_to_safe, time_to_safe_overall) = times_to_safe(inputs.records, inputs.since);
    let (open_over_time, open_over_time_from) = match (inputs.trend.filter(|t| !t.is_empty()), inputs.lifetimes) {
        (Some(trend), _) => (trend_by_day(trend, inputs.since, inputs.now), "security-hub"),
        (None, Some(lifetimes)) => (open_by_day(lifetimes, inputs.since, inputs.now), "store"),
        (None, None) => (Vec::new(), "none"),
    };
    Figures {
        generated_at: inputs.now,
        since: inputs.since,
        findings: rows.len(),
        severity_by_verdict,
        top_accounts,
        top_controls,
        open_over_time,
        open_over_time_from,
        time_to_safe,
        time_to_safe_overall,
        fixed_again: fixed_again(inputs.records),
        reopened: inputs.reopened,
        would_auto_fix,
    }
}

/// The [`TOP`] most frequent names, most frequent first (ties by name).
fn top(names: impl Iterator<Item = String>) -> Vec<Count> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for name in names {
        *counts.entry(name).or_default() += 1;
    }
    let mut list: Vec<Count> = counts.into_iter().map(|(name, count)| Count { name, count }).collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    list.truncate(TOP);
    list
}

/// Open findings at the end of each day from `since`'s day to `now`'s.
fn open_by_day(lifetimes: &[Lifetime], since: DateTime<Utc>, now: DateTime<Utc>) -> Vec<DayCount> {
    let mut days = Vec::new();
    let mut day = since.date_naive();
    while day <= now.date_naive() {
        let end = day.and_hms_opt(23, 59, 59).map(|t| t.and_utc()).unwrap_or(now).min(now);
        let open = lifetimes.iter().filter(|l| l.first_seen <= end && l.closed_at.is_none_or(|c| c > end)).count();
        days.push(DayCount { day, open });
        day = match day.succ_opt() {
            Some(next) => next,
            None => break,
        };
    }
    days
}

/// Security Hub's trend as open findings per day from `since`'s day to `now`'s: each day the latest point of that
/// day or before it (weekly and monthly points carry over); days before the first point are left out.
fn trend_by_day(trend: &[TrendPoint], since: DateTime<Utc>, now: DateTime<Utc>) -> Vec<DayCount> {
    let mut days = Vec::new();
    let mut day = since.date_naive();
    while day <= now.date_naive() {
        if let Some(point) = trend.iter().rev().find(|p| p.at.date_naive() <= day) {
            days.push(DayCount { day, open: usize::try_from(point.total()).unwrap_or(usize::MAX) });
        }
        day = match day.succ_opt() {
            Some(next) => next,
            None => break,
        };
    }
    days
}

/// Per control and overall: median and 90th percentile of first observation → verified fix, for fixes verified
/// since `since` that know their first observation.
fn times_to_safe(records: &[AuditRecord], since: DateTime<Utc>) -> (Vec<ControlTime>, Option<ControlTime>) {
    let mut by_control: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    for fix in fixes(records).into_iter().filter(|f| f.verified_at >= since) {
        if let Some(first) = fix.first_observed_at {
            by_control.entry(fix.control_id.clone()).or_default().push(fix.verified_at - first);
        }
    }
    let all: Vec<Duration> = by_control.values().flatten().copied().collect();
    let controls = by_control.into_iter().map(|(control, times)| summarize(control, times)).collect();
    let overall = (!all.is_empty()).then(|| summarize("all controls".into(), all));
    (controls, overall)
}

fn summarize(control: String, mut times: Vec<Duration>) -> ControlTime {
    times.sort();
    let seconds = |d: Duration| u64::try_from(d.num_seconds()).unwrap_or_default();
    let n = times.len();
    let median = if n % 2 == 1 { times[n / 2] } else { (times[n / 2 - 1] + times[n / 2]) / 2 };
    // Nearest rank: the smallest time at or above which 90 % of the fixes lie.
    let p90 = times[(n * 9).div_ceil(10).saturating_sub(1)];
    ControlTime { control, fixes: n, median_seconds: seconds(median), p90_seconds: seconds(p90) }
}

/// Resources fixed more than once for one control, most often first.
fn fixed_again(records: &[AuditRecord]) -> Vec<Refix> {
    let mut counts: BTreeMap<(String, String, String, String), usize> = BTreeMap::new();
    for fix in fixes(records) {
        *counts.entry((fix.account_id, fix.region, fix.resource, fix.control_id)).or_default() += 1;
    }
    let mut list: Vec<Refix> = counts
        .into_iter()
        .filter(|(_, times)| *times > 1)
        .map(|((account_id, region, resource, control), times)| Refix { account_id, region, resource, control, times })
        .collect();
    list.sort_by(|a, b| b.times.cmp(&a.times).then_with(|| a.resource.cmp(&b.resource)));
    list.truncate(TOP);
    list
}

#[cfg(test)]
#[path = "figures_tests.rs"]
mod tests;
