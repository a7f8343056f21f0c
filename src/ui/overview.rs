//! The Overview's state: the report's figures over the findings on screen, the audit log the session read, the
//! store's history and Security Hub's own trend (both asked for when the view opens). Computed when the view opens,
//! on `r`, and when the history arrives — never per frame.

use super::app::{App, Effect, View};
use crate::cloud::trends::TrendPoint;
use crate::engine::trend::TrendRead;
use crate::model::sanitize::single_line;
use crate::report::{figures, Figures, Inputs};
use crate::store::Lifetime;
use chrono::{Duration, Utc};

/// Days of history the Overview covers.
pub const OVERVIEW_DAYS: i64 = 30;

/// What the Overview shows.
#[derive(Debug, Default)]
pub struct Overview {
    pub figures: Option<Figures>,
    /// The store's lifetimes, once they arrived (`None`: not yet, or no store).
    pub lifetimes: Option<Vec<Lifetime>>,
    pub reopened: Option<usize>,
    /// Security Hub's own trend (GetFindingsTrendsV2), preferred to the store's lifetimes; `None`: no source keeps one.
    pub trend: Option<Vec<TrendPoint>>,
    /// The history was asked for and has not arrived.
    pub loading: bool,
}

impl App {
    /// `0`: the Overview, its figures computed now and the store's history asked for.
    pub(super) fn show_overview(&mut self) -> Vec<Effect> {
        self.view = View::Overview;
        self.refresh_overview()
    }

    /// `r` in the Overview: the figures again, and the history read again.
    pub(super) fn refresh_overview(&mut self) -> Vec<Effect> {
        self.compute_overview();
        self.overview.loading = true;
        vec![Effect::LoadHistory { since: Utc::now() - Duration::days(OVERVIEW_DAYS) }]
    }

    /// The store's history arrived.
    pub(super) fn on_history(&mut self, lifetimes: Option<Vec<Lifetime>>, reopened: Option<usize>, trend: TrendRead) {
        self.overview.lifetimes = lifetimes;
        self.overview.reopened = reopened;
        self.overview.trend = trend.points;
        if let Some(first) = trend.problems.first() {
            let more = trend.problems.len() - 1;
            let more = if more > 0 { format!(" (and {more} more)") } else { String::new() };
            self.status_message = Some(format!("Security Hub trend: cannot read {}{more}", single_line(first)));
        }
        self.overview.loading = false;
        if self.view == View::Overview {
            self.compute_overview();
        }
    }

    fn compute_overview(&mut self) {
        let now = Utc::now();
        let open: Vec<&crate::engine::Row> = self.listing.all().iter().filter(|r| r.finding.is_open()).collect();
        self.overview.figures = Some(figures(&Inputs {
            rows: &open,
            records: &self.audit,
            lifetimes: self.overview.lifetimes.as_deref(),
            trend: self.overview.trend.as_deref(),
            reopened: self.overview.reopened,
            account_names: &self.account_names,
            since: now - Duration::days(OVERVIEW_DAYS),
            now,
        }));
    }
}
