//! The findings table's data: rows keyed by finding, filters, sort order and the visible selection.

use crate::engine::Row;
use crate::model::FindingKey;
use fields::{key_hash, Columns, Fields, SortKeys};
pub use filters::Filters;
use filters::{narrows, Compiled};
use std::collections::HashMap;
use text_index::TextIndex;

mod fields;
mod filters;
mod grouped;
pub mod groups;
mod sort_key;
mod text_index;

pub use grouped::{Header, Shown};
pub use groups::GroupBy;
use groups::Grouping;
use sort_key::merge;
pub use sort_key::SortKey;

/// All rows, the filtered and sorted view of them, and the selection. Rows arriving while the view is shown are
/// merged into it (sorted among themselves, then merged in one pass), so streaming pages cost in proportion to the
/// page, not to the table; a change of sort order re-sorts compact keys, and typing more of a filter only narrows
/// the rows already shown.
#[derive(Default)]
pub struct Listing {
    rows: Vec<Row>,
    fields: Vec<Fields>,
    columns: Columns,
    text: TextIndex,
    /// Row of each finding by the hash of its key: growing this map never re-reads the keys' text (a table of
    /// 60,000 keys took 70 ms to grow while findings streamed in). Keys whose hash is taken go to `collided`.
    index: HashMap<u64, usize>,
    collided: HashMap<FindingKey, usize>,
    /// Every row, in the order of `sorted_by`.
    sorted: Vec<u32>,
    sorted_by: Option<(SortKey, bool)>,
    /// Rows added or changed since `sorted` and `visible` were brought up to date.
    changed: Vec<u32>,
    /// Rows of `sorted` that passed the filters `shown_with`, in the same order.
    visible: Vec<u32>,
    shown_with: Option<Filters>,
    pub filters: Filters,
    pub sort: SortKey,
    pub descending: bool,
    /// Position in `visible`.
    pub selected: usize,
    dirty: bool,
    /// Set once the user moves: until then the top row stays selected while findings stream in.
    moved: bool,
    /// Findings whose verdict is auto-fix and that have a plan, kept as rows change.
    would_fix: usize,
    /// Account id → configured name, for `account:NAME` in the query.
    pub account_names: std::collections::BTreeMap<String, String>,
    /// The groups of the visible rows, when the table is grouped.
    grouping: Grouping,
}

impl Listing {
    /// Applies a batch of the Store stage's change feed as it is: the stage already decided which copy of each
    /// finding is current and which workflow status holds. The view updates on the next `refresh`.
    pub fn apply(&mut self, changes: crate::engine::finding_state::FindingChanges) {
        let crate::engine::finding_state::FindingChanges { added, changed, workflow, removed, .. } = changes;
        self.put(added);
        self.put(changed);
        for (key, status) in workflow {
            self.show_workflow(&key, status);
        }
        if !removed.is_empty() {
            self.remove(&removed);
        }
    }

    /// Adds rows, or replaces the row of the same finding (ProductArn + Id).
    pub fn put(&mut self, rows: Vec<Row>) {
        for row in rows {
            let key = row.finding.key();
            match self.find(&key) {
                Some(i) => {
                    self.rows[i] = row;
                    self.row_changed(i);
                }
                None => {
                    let i = self.rows.len();
                    if i == self.rows.capacity() {
                        // Grow by a quarter rather than double: a table of 100,000 rows leaves less unused.
                        let more = (i / 4).max(1024);
                        self.rows.reserve_exact(more);
                        self.fields.reserve_exact(more);
                    }
                    match self.index.entry(key_hash(&key.id, &key.product_arn)) {
                        std::collections::hash_map::Entry::Vacant(slot) => {
                            slot.insert(i);
                        }
                        std::collections::hash_map::Entry::Occupied(_) => {
                            self.collided.insert(key, i);
                        }
                    }
                    self.rows.push(row);
                    self.row_changed(i);
                }
            }
        }
    }

    /// Drops the rows of `keys` (findings pruned from the store: rare, so the table is rebuilt from what is left,
    /// keeping its filters, order and selected finding).
    fn remove(&mut self, keys: &[FindingKey]) {
        let gone: std::collections::HashSet<&FindingKey> = keys.iter().collect();
        let selected = self.selected_row().map(|r| r.finding.key());
        let kept: Vec<Row> =
            std::mem::take(&mut self.rows).into_iter().filter(|r| !gone.contains(&r.finding.key())).collect();
        let rebuilt = Listing {
            filters: std::mem::take(&mut self.filters),
            sort: self.sort,
            descending: self.descending,
            moved: self.moved,
            account_names: std::mem::take(&mut self.account_names),
            grouping: std::mem::take(&mut self.grouping),
            ..Listing::default()
        };
        *self = rebuilt;
        self.put(kept);
        self.refresh();
        if let Some(key) = selected {
            if let Some(i) = self.find(&key) {
                self.selected = self.visible.iter().position(|&v| v as usize == i).unwrap_or(0);
            }
        }
    }

    /// The row of a finding.
    fn find(&self, key: &FindingKey) -> Option<usize> {
        match self.index.get(&key_hash(&key.id, &key.product_arn)) {
            Some(&i) if self.rows[i].finding.id == key.id && self.rows[i].finding.product_arn == key.product_arn => {
                Some(i)
            }
            _ => self.collided.get(key).copied(),
        }
    }

    /// Recomputes what the table knows of row `i` (new or changed) and queues it for the view.
    fn row_changed(&mut self, i: usize) {
        let fields = Fields::of(&self.rows[i], &mut self.columns);
        self.text.set(i, &self.rows[i]);
        if i < self.fields.len() {
            self.would_fix -= usize::from(self.fields[i].would_fix);
            self.fields[i] = fields;
        } else {
            self.fields.push(fields);
        }
        self.would_fix += usize::from(fields.would_fix);
        self.changed.push(i as u32);
        self.dirty = true;
    }

    /// Replaces one row's assessment (a live plan arrived).
    pub fn set_assessment(&mut self, key: &FindingKey, assessment: crate::triage::Assessment) {
        if let Some(i) = self.find(key) {
            self.rows[i].set_assessment(assessment);
            self.row_changed(i);
        }
    }

    /// Shows the workflow status the Store stage says hubtriage set on a finding.
    fn show_workflow(&mut self, key: &FindingKey, status: crate::model::WorkflowStatus) {
        if let Some(i) = self.find(key) {
            if self.rows[i].finding.workflow_status != status {
                let mut finding = (*self.rows[i].finding).clone();
                finding.workflow_status = status;
                self.rows[i].finding = std::sync::Arc::new(finding);
                self.row_changed(i);
            }
        }
    }

    /// Marks the view as needing a recompute (filters or sort changed).
    pub fn invalidate(&mut self) {
        self.dirty = true;
    }

    /// Brings the visible rows up to date with the rows, filters and sort order, keeping the selected finding
    /// selected.
    pub fn refresh(&mut self) {
        if !self.dirty {
            return;
        }
        self.dirty = false;
        let selected_row = self.visible.get(self.selected).copied().filter(|_| self.moved);
        let order = (self.sort, self.descending);
        let compiled = Compiled::new(&self.filters, &self.columns, &self.account_names);
        if self.sorted_by != Some(order) {
            self.sort_all();
            self.filter_all(&compiled);
        } else if !self.changed.is_empty() {
            self.merge_changed(&compiled);
        } else if self.shown_with.as_ref() != Some(&self.filters) {
            match &self.shown_with {
                Some(before) if narrows(before, &self.filters) => {
                    let mut keep = vec![false; self.rows.len()];
                    for &i in &self.visible {
                        keep[i as usize] = true;
                    }
                    self.recheck(&compiled, &mut keep);
                    self.visible.retain(|&i| keep[i as usize]);
                }
                _ => self.filter_all(&compiled),
            }
        }
        self.shown_with = Some(self.filters.clone());
        self.selected = selected_row
            .and_then(|i| self.visible.iter().position(|&v| v == i))
            .unwrap_or(0)
            .min(self.visible.len().saturating_sub(1));
        self.regroup();
    }

    /// Sorts every row for the current order.
    fn sort_all(&mut self) {
        let keys = SortKeys::new(self.sort, self.descending, &mut self.columns);
        let mut keyed: Vec<(u128, u32)> = self.fields.iter().enumerate().map(|(i, f)| (keys.of(f), i as u32)).collect();
        keyed.sort_unstable();
        self.sorted = keyed.into_iter().map(|(_, i)| i).collect();
        self.sorted_by = Some((self.sort, self.descending));
        self.changed.clear();
    }

    /// Shows the rows of `sorted` that pass the filters.
    fn filter_all(&mut self, compiled: &Compiled) {
        let mut keep = vec![true; self.rows.len()];
        self.recheck(compiled, &mut keep);
        self.visible = self.sorted.iter().copied().filter(|&i| keep[i as usize]).collect();
    }

    /// Clears `keep[i]` of the rows that fail the filters, testing only rows still kept. Rows are visited in the
    /// order their fields and text are stored, so the scan reads memory in sequence.
    fn recheck(&self, compiled: &Compiled, keep: &mut [bool]) {
        for (i, kept) in keep.iter_mut().enumerate() {
            *kept = *kept && self.admits(compiled, i);
        }
    }

    /// Whether row `i` passes the filters.
    fn admits(&self, compiled: &Compiled, i: usize) -> bool {
        compiled.admits(&self.fields[i], self.text.get(i), &self.rows[i], &self.account_names)
    }

    /// Merges the changed rows into `sorted` and `visible` (a changed row first leaves its old place).
    fn merge_changed(&mut self, compiled: &Compiled) {
        let mut changed = std::mem::take(&mut self.changed);
        changed.sort_unstable();
        changed.dedup();
        let known = self.sorted.len();
        if changed.first().is_some_and(|&i| (i as usize) < known) {
            let mut stale = vec![false; self.rows.len()];
            for &i in &changed {
                stale[i as usize] = true;
            }
            self.sorted.retain(|&i| !stale[i as usize]);
            self.visible.retain(|&i| !stale[i as usize]);
        }
        let admitted: std::collections::HashSet<u32> =
            changed.iter().copied().filter(|&i| self.admits(compiled, i as usize)).collect();
        let keys = SortKeys::new(self.sort, self.descending, &mut self.columns);
        let fields = &self.fields;
        let key = |i: u32| keys.of(&fields[i as usize]);
        let mut keyed: Vec<(u128, u32)> = changed.iter().map(|&i| (key(i), i)).collect();
        keyed.sort_unstable();
        let shown: Vec<(u128, u32)> = keyed.iter().copied().filter(|(_, i)| admitted.contains(i)).collect();
        self.sorted = merge(&self.sorted, &keyed, key);
        // `visible` was filtered with `shown_with`; when the filters changed too, filter again from `sorted`.
        if self.shown_with.as_ref() == Some(&self.filters) {
            self.visible = merge(&self.visible, &shown, key);
        } else {
            self.filter_all(compiled);
        }
    }

    /// How many findings `auto-fix` would fix if the switch were on.
    pub fn would_fix(&self) -> usize {
        self.would_fix
    }

    /// The selected row.
    pub fn selected_row(&self) -> Option<&Row> {
        self.selected_row_index().map(|i| &self.rows[i as usize])
    }

    /// Visible rows from `start`, at most `count`.
    pub fn window(&self, start: usize, count: usize) -> impl Iterator<Item = &Row> {
        let start = start.min(self.visible.len());
        let end = start.saturating_add(count).min(self.visible.len());
        self.visible[start..end].iter().map(|&i| &self.rows[i as usize])
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
        if self.is_grouped() {
            return self.grouping.move_by(delta);
        }
        let last = self.visible.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Selects the first or last visible row.
    pub fn select_edge(&mut self, last: bool) {
        if self.is_grouped() {
            return self.move_by(if last { isize::MAX } else { isize::MIN });
        }
        self.moved = true;
        self.selected = if last { self.visible.len().saturating_sub(1) } else { 0 };
    }
}

#[cfg(test)]
mod tests;
