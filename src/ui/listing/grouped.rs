//! The listing seen through its grouping: what the table shows (group headers and rows), the cursor, folds, and
//! the rows of a group. Without a grouping every entry is a row and the cursor is the selection.

use super::groups::{Entry, Group, GroupBy, Member};
use super::Listing;
use crate::engine::Row;

/// One line of the table.
pub enum Shown<'a> {
    Row(&'a Row),
    Header(Header<'a>),
}

/// A group's header line: the group, its first row (which names it), whether it is open.
pub struct Header<'a> {
    pub group: &'a Group,
    pub first: &'a Row,
    pub expanded: bool,
    /// The group's number, for `group_rows`.
    pub index: u32,
}

impl Listing {
    /// What the table is grouped by.
    pub fn group_by(&self) -> GroupBy {
        self.grouping.by
    }

    /// Whether the table shows groups.
    pub fn is_grouped(&self) -> bool {
        self.grouping.by != GroupBy::None
    }

    /// Groups the table by `by` (folds start closed); the cursor goes to the group of the selected finding.
    pub fn set_group_by(&mut self, by: GroupBy) {
        let before = self.selected_row_index();
        self.grouping.clear();
        self.grouping.by = by;
        self.regroup();
        match before {
            Some(r) if by != GroupBy::None => self.grouping.select_row(r),
            Some(r) => self.selected = self.visible.iter().position(|&v| v == r).unwrap_or(0),
            None => {}
        }
        self.moved = true;
    }

    /// Rebuilds the groups from the visible rows (after they changed).
    pub(super) fn regroup(&mut self) {
        let by = self.grouping.by;
        if by == GroupBy::None {
            return;
        }
        let fields = &self.fields;
        self.grouping.rebuild(&self.visible, |r| {
            let f = &fields[r as usize];
            let key = match by {
                GroupBy::Control => u64::from(f.control),
                GroupBy::Account => u64::from(f.account),
                GroupBy::Resource | GroupBy::None => f.resource,
            };
            Member { key, severity: f.severity, verdict: f.verdict }
        });
    }

    /// The row under the cursor: the selected finding, or none on a group header.
    pub(super) fn selected_row_index(&self) -> Option<u32> {
        if self.is_grouped() {
            return match self.grouping.current()? {
                Entry::Row(r) => Some(r),
                Entry::Header(_) => None,
            };
        }
        self.visible.get(self.selected).copied()
    }

    /// How many lines the table has: rows, or group headers and the rows of open groups.
    pub fn display_len(&self) -> usize {
        if self.is_grouped() {
            self.grouping.entries().len()
        } else {
            self.visible.len()
        }
    }

    /// The line under the cursor.
    pub fn cursor(&self) -> usize {
        if self.is_grouped() {
            self.grouping.cursor
        } else {
            self.selected
        }
    }

    /// Lines from `start`, at most `count`.
    pub fn shown(&self, start: usize, count: usize) -> Vec<Shown<'_>> {
        if !self.is_grouped() {
            return self.window(start, count).map(Shown::Row).collect();
        }
        let entries = self.grouping.entries();
        let start = start.min(entries.len());
        let end = start.saturating_add(count).min(entries.len());
        entries[start..end]
            .iter()
            .filter_map(|&e| match e {
                Entry::Row(r) => Some(Shown::Row(&self.rows[r as usize])),
                Entry::Header(g) => {
                    let group = self.grouping.group(g)?;
                    let first = *self.grouping.members(g).first()?;
                    Some(Shown::Header(Header {
                        group,
                        first: &self.rows[first as usize],
                        expanded: self.grouping.is_expanded(g),
                        index: g,
                    }))
                }
            })
            .collect()
    }

    /// Whether the cursor is on a group header.
    pub fn on_header(&self) -> bool {
        self.is_grouped() && matches!(self.grouping.current(), Some(Entry::Header(_)))
    }

    /// Opens or folds the group under the cursor.
    pub fn toggle_fold(&mut self) {
        self.moved = true;
        self.grouping.toggle_current();
    }

    /// Opens every group, or folds them all when all are open; whether they are now open.
    pub fn toggle_all_folds(&mut self) -> bool {
        self.moved = true;
        self.grouping.toggle_all();
        self.grouping.all_open()
    }

    /// How many groups the table shows.
    pub fn group_count(&self) -> usize {
        if self.is_grouped() {
            self.grouping.group_count()
        } else {
            0
        }
    }

    /// The rows of group `g` (every one that passes the filters, open or folded).
    pub fn group_rows(&self, g: u32) -> impl Iterator<Item = &Row> {
        self.grouping.members(g).iter().map(|&r| &self.rows[r as usize])
    }

    /// The group under the cursor, when the cursor is on its header.
    pub fn header_group(&self) -> Option<u32> {
        match self.grouping.current()? {
            Entry::Header(g) if self.is_grouped() => Some(g),
            _ => None,
        }
    }

    /// How many of `marks` each group holds (by group number): one look-up per mark, whatever the groups' sizes.
    pub fn marked_per_group<'a>(
        &self,
        marks: impl IntoIterator<Item = &'a crate::model::FindingKey>,
    ) -> std::collections::HashMap<u32, usize> {
        let mut counts = std::collections::HashMap::new();
        if self.is_grouped() {
            for key in marks {
                if let Some(g) = self.find(key).and_then(|r| self.grouping.group_of_row(r as u32)) {
                    *counts.entry(g).or_insert(0) += 1;
                }
            }
        }
        counts
    }
}
