//! The findings table's data: rows keyed by finding, filters, sort order and the visible selection.

use crate::engine::Row;
use crate::model::{FindingKey, Severity};
use crate::policy::Verdict;
use std::cmp::Ordering;
use std::collections::HashMap;

/// Column the table is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Severity,
    Control,
    Account,
    Region,
    Verdict,
    Updated,
    Title,
}

impl SortKey {
    const ORDER: [SortKey; 7] = [
        SortKey::Severity,
        SortKey::Control,
        SortKey::Account,
        SortKey::Region,
        SortKey::Verdict,
        SortKey::Updated,
        SortKey::Title,
    ];

    /// The next column in the cycle.
    pub fn next(self) -> Self {
        let i = Self::ORDER.iter().position(|k| *k == self).unwrap_or(0);
        Self::ORDER[(i + 1) % Self::ORDER.len()]
    }

    /// Column name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Severity => "severity",
            Self::Control => "control",
            Self::Account => "account",
            Self::Region => "region",
            Self::Verdict => "verdict",
            Self::Updated => "updated",
            Self::Title => "title",
        }
    }
}

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

/// All rows, the filtered and sorted view of them, and the selection.
#[derive(Default)]
pub struct Listing {
    rows: Vec<Row>,
    /// Lower-case text each row is searched in, parallel to `rows`.
    haystacks: Vec<String>,
    index: HashMap<FindingKey, usize>,
    /// Indices into `rows`, filtered and sorted.
    visible: Vec<usize>,
    pub filters: Filters,
    pub sort: SortKey,
    pub descending: bool,
    /// Position in `visible`.
    pub selected: usize,
    dirty: bool,
    /// Set once the user moves: until then the top row stays selected while findings stream in.
    moved: bool,
    /// Findings whose verdict is auto-fix and that have a plan, counted when the rows change (not every frame).
    would_fix: usize,
    /// Workflow statuses hubtriage set itself, with the finding's `UpdatedAt` at that moment. BatchUpdateFindings
    /// does not move `UpdatedAt`, so a page fetched before the update (a refresh racing a fix) would otherwise
    /// bring the old status back; a copy Security Hub updated since wins.
    workflow_set: HashMap<FindingKey, (crate::model::WorkflowStatus, Option<chrono::DateTime<chrono::Utc>>)>,
}

fn haystack(row: &Row) -> String {
    let f = &row.finding;
    let resource = f.primary_resource().map(|r| r.id.as_str()).unwrap_or("");
    format!(
        "{} {} {} {} {} {} {} {} {}",
        f.title,
        f.control_or_type(),
        resource,
        f.account_id,
        f.region,
        row.assessment.decision.verdict,
        f.product_name,
        f.severity,
        f.id
    )
    .to_lowercase()
}

impl Listing {
    /// Adds or replaces rows (same ProductArn + Id: the newer copy wins); the view updates on the next `refresh`.
    pub fn upsert(&mut self, rows: Vec<Row>) {
        for mut row in rows {
            let key = row.finding.key();
            if let Some(&(status, set_at)) = self.workflow_set.get(&key) {
                if row.finding.updated_at <= set_at {
                    if row.finding.workflow_status != status {
                        let mut finding = (*row.finding).clone();
                        finding.workflow_status = status;
                        row.finding = std::sync::Arc::new(finding);
                    }
                } else {
                    self.workflow_set.remove(&key);
                }
            }
            let text = haystack(&row);
            match self.index.get(&key) {
                Some(&i) => {
                    if row.finding.updated_at >= self.rows[i].finding.updated_at {
                        self.rows[i] = row;
                        self.haystacks[i] = text;
                    }
                }
                None => {
                    self.index.insert(key, self.rows.len());
                    self.rows.push(row);
                    self.haystacks.push(text);
                }
            }
        }
        self.dirty = true;
    }

    /// Replaces one row's assessment (a live plan arrived).
    pub fn set_assessment(&mut self, key: &FindingKey, assessment: crate::triage::Assessment) {
        if let Some(&i) = self.index.get(key) {
            self.rows[i].assessment = assessment;
            self.haystacks[i] = haystack(&self.rows[i]);
            self.dirty = true;
        }
    }

    /// Sets one finding's workflow status as hubtriage just set it in Security Hub (BatchUpdateFindings does not move
    /// `UpdatedAt`, so no refresh would bring the change back).
    pub fn set_workflow(&mut self, key: &FindingKey, status: crate::model::WorkflowStatus) {
        if let Some(&i) = self.index.get(key) {
            self.workflow_set.insert(key.clone(), (status, self.rows[i].finding.updated_at));
            if self.rows[i].finding.workflow_status != status {
                let mut finding = (*self.rows[i].finding).clone();
                finding.workflow_status = status;
                self.rows[i].finding = std::sync::Arc::new(finding);
                self.haystacks[i] = haystack(&self.rows[i]);
                self.dirty = true;
            }
        }
    }

    /// Marks the view as needing a recompute (filters or sort changed).
    pub fn invalidate(&mut self) {
        self.dirty = true;
    }

    /// Recomputes the visible rows if anything changed, keeping the selected finding selected.
    pub fn refresh(&mut self) {
        if !self.dirty {
            return;
        }
        self.dirty = false;
        self.would_fix = self
            .rows
            .iter()
            .filter(|r| {
                r.assessment.decision.verdict == crate::policy::Verdict::AutoFix && r.assessment.plan.plan().is_some()
            })
            .count();
        let selected_key = self.selected_row().filter(|_| self.moved).map(|r| r.finding.key());
        let words: Vec<String> = self.filters.text.to_lowercase().split_whitespace().map(String::from).collect();
        let f = &self.filters;
        let mut visible: Vec<usize> = (0..self.rows.len())
            .filter(|&i| {
                let row = &self.rows[i];
                let finding = &row.finding;
                (f.show_closed || finding.is_open())
                    && f.min_severity.is_none_or(|s| finding.severity >= s)
                    && f.account.as_deref().is_none_or(|a| finding.account_id == a)
                    && f.region.as_deref().is_none_or(|r| finding.region == r)
                    && f.verdict.is_none_or(|v| row.assessment.decision.verdict == v)
                    && words.iter().all(|w| self.haystacks[i].contains(w.as_str()))
            })
            .collect();
        let rows = &self.rows;
        let sort = self.sort;
        visible.sort_by(|&a, &b| {
            let order = compare(&rows[a], &rows[b], sort);
            let order = if self.descending { order.reverse() } else { order };
            order.then_with(|| rows[a].finding.id.cmp(&rows[b].finding.id))
        });
        self.visible = visible;
        self.selected = selected_key
            .and_then(|k| self.visible.iter().position(|&i| self.rows[i].finding.key() == k))
            .unwrap_or(0)
            .min(self.visible.len().saturating_sub(1));
    }

    /// How many findings `auto-fix` would fix if the switch were on (as of the last `refresh`).
    pub fn would_fix(&self) -> usize {
        self.would_fix
    }

    /// The selected row.
    pub fn selected_row(&self) -> Option<&Row> {
        self.visible.get(self.selected).map(|&i| &self.rows[i])
    }

    /// Visible rows from `start`, at most `count`.
    pub fn window(&self, start: usize, count: usize) -> impl Iterator<Item = &Row> {
        self.visible.iter().skip(start).take(count).map(|&i| &self.rows[i])
    }

    /// Number of visible rows.
    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// Every row, unfiltered.
    pub fn all(&self) -> &[Row] {
        &self.rows
    }

    /// Moves the selection by `delta`, clamped.
    pub fn move_by(&mut self, delta: isize) {
        self.moved = true;
        let last = self.visible.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Selects the first or last visible row.
    pub fn select_edge(&mut self, last: bool) {
        self.moved = true;
        self.selected = if last { self.visible.len().saturating_sub(1) } else { 0 };
    }
}

/// Natural order of a column; severity and time are "most important first" when descending.
fn compare(a: &Row, b: &Row, key: SortKey) -> Ordering {
    let (fa, fb) = (&a.finding, &b.finding);
    match key {
        SortKey::Severity => fa.severity.cmp(&fb.severity),
        SortKey::Control => fa.control_or_type().cmp(fb.control_or_type()),
        SortKey::Account => fa.account_id.cmp(&fb.account_id),
        SortKey::Region => fa.region.cmp(&fb.region),
        SortKey::Verdict => a.assessment.decision.verdict.cmp(&b.assessment.decision.verdict),
        SortKey::Updated => fa.updated_at.cmp(&fb.updated_at),
        SortKey::Title => fa.title.cmp(&fb.title),
    }
}
