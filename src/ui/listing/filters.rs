//! The filters: as the user sets them, and in the form rows are tested with.

use super::fields::{Columns, Fields, Symbols};
use super::text_index::RowText;
use crate::engine::Row;
use crate::model::Severity;
use crate::policy::Verdict;
use crate::query::{account_matches, glob_matches, Context, Field, Query, Term};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Active filters; `None` means "all".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// The query typed in `/` (see `crate::query`); plain words must all appear in the row, in any case.
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
    show_closed: bool,
    min_severity: Option<u8>,
    /// `Some(None)`: a value no row has.
    account: Option<Option<u32>>,
    region: Option<Option<u32>>,
    verdict: Option<u8>,
    /// The query typed in `/`; text that does not read as a query is searched word by word, as it always was.
    query: Query,
    /// Per term of the query, its fast form.
    leaves: Vec<Leaf>,
    now: DateTime<Utc>,
}

/// A query term in the form a row's fields and text are tested with.
enum Leaf {
    Text(String),
    Severity(u8),
    Verdict(u8),
    /// The interned values of a column that match, by symbol id.
    Symbols(Column, Vec<bool>),
    /// Tested against the finding itself.
    Finding,
}

#[derive(Clone, Copy)]
enum Column {
    Control,
    Account,
    Region,
}

impl Compiled {
    pub fn new(f: &Filters, columns: &Columns, names: &BTreeMap<String, String>) -> Self {
        let query = Query::parse(&f.text).unwrap_or_else(|_| Query::words(&f.text));
        let ctx = Context { now: Utc::now(), account_names: names };
        let leaves = query.terms().iter().map(|t| Leaf::of(t, columns, &ctx)).collect();
        Self {
            show_closed: f.show_closed || query.names_status(),
            min_severity: f.min_severity.map(|s| s as u8),
            account: f.account.as_deref().map(|a| columns.account.get(a)),
            region: f.region.as_deref().map(|r| columns.region.get(r)),
            verdict: f.verdict.map(|v| v as u8),
            query,
            leaves,
            now: ctx.now,
        }
    }

    fn admits_fields(&self, x: &Fields) -> bool {
        (self.show_closed || x.open)
            && self.min_severity.is_none_or(|s| x.severity >= s)
            && self.account.is_none_or(|a| a == Some(x.account))
            && self.region.is_none_or(|r| r == Some(x.region))
            && self.verdict.is_none_or(|v| x.verdict == v)
    }

    /// Whether a row passes: its fields, then the query (most terms on the fields and the text, a few on the
    /// finding).
    pub fn admits(&self, x: &Fields, text: RowText<'_>, row: &Row, names: &BTreeMap<String, String>) -> bool {
        if !self.admits_fields(x) {
            return false;
        }
        let ctx = Context { now: self.now, account_names: names };
        let mut haystack = None;
        self.query.eval(|i, term| match &self.leaves[i] {
            Leaf::Text(word) => text.contains(word.as_str()),
            Leaf::Severity(mask) => mask >> x.severity & 1 == 1,
            Leaf::Verdict(mask) => mask >> x.verdict & 1 == 1,
            Leaf::Symbols(column, set) => {
                let id = match column {
                    Column::Control => x.control,
                    Column::Account => x.account,
                    Column::Region => x.region,
                };
                set.get(id as usize).copied().unwrap_or(false)
            }
            Leaf::Finding => term.holds(&row.finding, row.decision.verdict, &ctx, &mut haystack),
        })
    }
}

impl Leaf {
    fn of(term: &Term, columns: &Columns, ctx: &Context) -> Self {
        let symbols = |column: Column, names: &Symbols, test: &dyn Fn(&str) -> bool| {
            Leaf::Symbols(column, names.names().iter().map(|n| test(n)).collect())
        };
        match term {
            Term::Text { text, .. } => Leaf::Text(text.clone()),
            Term::Severity(mask) => Leaf::Severity(*mask),
            Term::Verdict(mask) => Leaf::Verdict(*mask),
            Term::Pattern { field: Field::Control, patterns } => {
                symbols(Column::Control, &columns.control, &|n| patterns.iter().any(|p| glob_matches(p, n)))
            }
            Term::Pattern { field: Field::Region, patterns } => {
                symbols(Column::Region, &columns.region, &|n| patterns.iter().any(|p| glob_matches(p, n)))
            }
            Term::Pattern { field: Field::Account, patterns } => symbols(Column::Account, &columns.account, &|n| {
                patterns.iter().any(|p| account_matches(p, n, ctx.account_names))
            }),
            _ => Leaf::Finding,
        }
    }
}

/// Whether `now` shows a subset of what `before` showed: only the text grew (typing on), and both are plain words.
/// An ARN is looked for by its last part, which is not a longer form of what was typed before the `/`: text holding
/// one is filtered afresh.
pub(super) fn narrows(before: &Filters, now: &Filters) -> bool {
    let plain = |text: &str| Query::parse(text).is_ok_and(|q| q.plain_words().is_some());
    now.text.starts_with(&before.text)
        && !now.text.to_lowercase().contains("arn:")
        && plain(&before.text)
        && plain(&now.text)
        && Filters { text: before.text.clone(), ..now.clone() } == *before
}
