//! The Exceptions view's state: the last listing across accounts and regions, sorted by expiry.

use crate::engine::exceptions::{ExceptionEntry, ExceptionStatus};
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
