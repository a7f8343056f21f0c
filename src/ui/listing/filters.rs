//! The filters: as the user sets them, and in the form rows are tested with.

use super::fields::{Columns, Fields};
use crate::model::Severity;
use crate::policy::Verdict;

/// Active filters; `None` means "all".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// Case-insensitive words that must all appear in the row.
    pub text: String,
    pub min_severity: Option<Severity>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub verdict: Option<Verdict>,
    /// Also show resolved, suppressed, archived and passed findings (hidden by default).
    pub show_closed: bool,
}

impl Filters {
    /// Whether any filter is set.
    pub fn is_active(&self) -> bool {
        *self != Self::default()
    }

    /// "sev≥HIGH account=… text=\"…\"" for the header.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.min_severity {
            parts.push(format!("sev≥{s}"));
        }
        if let Some(a) = &self.account {
            parts.push(format!("account={a}"));
        }
        if let Some(r) = &self.region {
            parts.push(format!("region={r}"));
        }
        if let Some(v) = self.verdict {
            parts.push(format!("verdict={v}"));
        }
        if !self.text.is_empty() {
            parts.push(format!("\"{}\"", self.text));
        }
        if self.show_closed {
            parts.push("+closed".into());
        }
        parts.join(" ")
    }
}

/// The filters in the form rows are tested with.
pub(super) struct Compiled {
    pub words: Vec<String>,
    show_closed: bool,
    min_severity: Option<u8>,
    /// `Some(None)`: a value no row has.
    account: Option<Option<u32>>,
    region: Option<Option<u32>>,
    verdict: Option<u8>,
}

impl Compiled {
    pub fn new(f: &Filters, columns: &Columns) -> Self {
        Self {
            // An ARN pasted whole is looked for by its last part, the part the search text keeps of a finding id.
            words: f
                .text
                .to_lowercase()
                .split_whitespace()
                .map(|w| if w.starts_with("arn:") { w.rsplit('/').next().unwrap_or(w) } else { w })
                .filter(|w| !w.is_empty())
                .map(String::from)
                .collect(),
            show_closed: f.show_closed,
            min_severity: f.min_severity.map(|s| s as u8),
            account: f.account.as_deref().map(|a| columns.account.get(a)),
            region: f.region.as_deref().map(|r| columns.region.get(r)),
            verdict: f.verdict.map(|v| v as u8),
        }
    }

    pub fn admits(&self, x: &Fields) -> bool {
        (self.show_closed || x.open)
            && self.min_severity.is_none_or(|s| x.severity >= s)
            && self.account.is_none_or(|a| a == Some(x.account))
            && self.region.is_none_or(|r| r == Some(x.region))
            && self.verdict.is_none_or(|v| x.verdict == v)
    }
}

/// Whether `now` shows a subset of what `before` showed: only the text grew (typing on).
/// An ARN is looked for by its last part, which is not a longer form of what was typed before the `/`: text holding
/// one is filtered afresh.
pub(super) fn narrows(before: &Filters, now: &Filters) -> bool {
    now.text.starts_with(&before.text)
        && !now.text.to_lowercase().contains("arn:")
        && Filters { text: before.text.clone(), ..now.clone() } == *before
}
