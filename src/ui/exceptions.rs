//! The Exceptions view's state: the last listing across accounts and regions, sorted by expiry, and what the app
//! does when it is entered, refreshed, or an exception job ends.

use super::app::{App, Effect, View};
use super::exception_dialog::EXCEPTIONS_NEED_LIVE_ACCESS;
use crate::engine::exceptions::{ExceptionEntry, ExceptionStatus};
use crate::engine::jobs::{JobKind, JobUpdate};
use crate::model::sanitize;
use chrono::{DateTime, Utc};

/// The exceptions found across every account and region.
#[derive(Debug, Clone, Default)]
pub struct ExceptionList {
    /// Soonest expiry first; entries without a readable expiry last.
    pub entries: Vec<ExceptionEntry>,
    /// Sources that could not be listed.
    pub problems: Vec<String>,
    /// Position in the view.
    pub selected: usize,
    /// A listing was asked for and has not arrived yet.
    pub loading: bool,
    /// When the last listing arrived.
    pub listed_at: Option<DateTime<Utc>>,
}

impl ExceptionList {
    /// A listing arrived: sorted by expiry, the selection kept in range.
    pub fn set(&mut self, mut entries: Vec<ExceptionEntry>, problems: Vec<String>) {
        entries.sort_by(|a, b| {
            (a.expires.is_none(), a.expires, &a.account_id, &a.resource_id).cmp(&(
                b.expires.is_none(),
                b.expires,
                &b.account_id,
                &b.resource_id,
            ))
        });
        self.selected = self.selected.min(entries.len().saturating_sub(1));
        self.entries = entries;
        self.problems = problems.iter().map(|p| sanitize::single_line(p)).collect();
        self.loading = false;
        self.listed_at = Some(Utc::now());
    }

    /// The entry under the cursor.
    pub fn selected_entry(&self) -> Option<&ExceptionEntry> {
        self.entries.get(self.selected)
    }

    /// Entries that are expired and that expire soon.
    pub fn flagged(&self) -> (usize, usize) {
        let count = |s: ExceptionStatus| self.entries.iter().filter(|e| e.status == s).count();
        (count(ExceptionStatus::Expired), count(ExceptionStatus::ExpiringSoon))
    }
}

/// "valid", "expiring soon", "expired", "invalid: …".
pub fn status_word(entry: &ExceptionEntry) -> String {
    let word = match &entry.status {
        ExceptionStatus::Valid => "valid".into(),
        ExceptionStatus::ExpiringSoon => "expiring soon".into(),
        ExceptionStatus::Expired => "expired".into(),
        ExceptionStatus::Invalid(why) => format!("invalid: {}", sanitize::single_line(why)),
        ExceptionStatus::NotHonoured(why) => return format!("not honoured: {}", sanitize::single_line(why)),
    };
    match &entry.flag {
        Some(why) => format!("{word} ⚑ {}", sanitize::single_line(why)),
        None => word,
    }
}

/// "12 days", "last day", "expired 3 days ago", "-".
pub fn days_left_words(days_left: Option<i64>) -> String {
    match days_left {
        None => "-".into(),
        Some(0) => "last day".into(),
        Some(1) => "1 day".into(),
        Some(d) if d > 0 => format!("{d} days"),
        Some(-1) => "expired 1 day ago".into(),
        Some(d) => format!("expired {} days ago", -d),
    }
}

impl App {
    /// `5`: shows the Exceptions view and lists the exceptions again.
    pub(super) fn show_exceptions(&mut self) -> Vec<Effect> {
        if self.view == View::Exceptions {
            return Vec::new();
        }
        self.view = View::Exceptions;
        self.refresh_exceptions()
    }

    /// `r` in the Exceptions view: lists the exceptions across every account and region.
    pub(super) fn refresh_exceptions(&mut self) -> Vec<Effect> {
        if !self.can_fix {
            self.status_message = Some(EXCEPTIONS_NEED_LIVE_ACCESS.into());
            return Vec::new();
        }
        self.exception_list.loading = true;
        vec![Effect::RefreshExceptions]
    }

    /// An exception job ended: the listing (once asked for) and the verdicts of the resource's findings are read
    /// again; the status line says how it went.
    pub(super) fn after_exception_job(&mut self, update: &JobUpdate) {
        let what = if update.kind == JobKind::ExceptionRemove { "exception removal" } else { "exception" };
        let detail = update.state.detail().map(|d| format!(": {}", sanitize::single_line(d))).unwrap_or_default();
        self.status_message = Some(format!(
            "job #{} {what} on {}: {}{detail}",
            update.id,
            sanitize::single_line(&update.resource),
            update.state.word()
        ));
        if self.can_fix && (self.exception_list.listed_at.is_some() || self.exception_list.loading) {
            self.exception_list.loading = true;
            self.queued_effects.push(Effect::RefreshExceptions);
        }
        self.reassess_after_exception(update);
    }
}
