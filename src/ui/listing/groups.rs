//! Grouping of the findings table by control, resource or account, as plain data: the groups of the visible rows
//! (built once when the rows, filters or order change, never per frame), which are folded, and the entries the
//! table shows (group headers, and the rows of the groups that are open).

use std::collections::{HashMap, HashSet};

/// What the findings table groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupBy {
    #[default]
    None,
    Control,
    Resource,
    Account,
}

impl GroupBy {
    /// Every grouping, in the order `b` cycles through them.
    pub const ALL: [GroupBy; 4] = [GroupBy::None, GroupBy::Control, GroupBy::Resource, GroupBy::Account];

    /// The grouping after this one.
    pub fn next(self) -> Self {
        let i = Self::ALL.iter().position(|g| *g == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    /// Its name, as `:group` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Control => "control",
            Self::Resource => "resource",
            Self::Account => "account",
        }
    }

    /// The grouping named (any case).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.name().eq_ignore_ascii_case(name))
    }
}

/// One group: its key, where its rows are in `Grouping::members`, its worst severity and its verdict counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub key: u64,
    start: u32,
    len: u32,
    /// The highest severity among its rows (as `Severity as u8`).
    pub worst: u8,
    /// Rows per verdict (indexed by `Verdict as u8`).
    pub verdicts: [u32; 5],
}

impl Group {
    /// How many rows it holds.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether it holds none (never, once built).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A line of the grouped table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// The header of group `n`.
    Header(u32),
    /// A row (index into the listing's rows).
    Row(u32),
}

/// What grouping needs to know of one row.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub key: u64,
    pub severity: u8,
    pub verdict: u8,
}

/// The groups of the visible rows, which are open, and the cursor among the entries.
#[derive(Debug, Default)]
pub struct Grouping {
    pub by: GroupBy,
    groups: Vec<Group>,
    members: Vec<u32>,
    /// The group of each row (`u32::MAX`: not visible), by row index.
    group_of_row: Vec<u32>,
    entries: Vec<Entry>,
    /// Whether groups start open; `toggled` holds the keys of groups folded the other way.
    open_by_default: bool,
    toggled: HashSet<u64>,
    /// Position in `entries`.
    pub cursor: usize,
}

impl Grouping {
    /// Groups `visible` (row indices in display order) by the key `member` gives each row. Groups come in the order
    /// of their first row, so the table's sort order decides which group comes first, and rows keep that order
    /// within their group. The cursor stays on the header or row it was on (a row whose group folded: its header).
    pub fn rebuild(&mut self, visible: &[u32], member: impl Fn(u32) -> Member) {
        let at = self.current().and_then(|e| self.anchor(e));
        self.groups.clear();
        let mut index: HashMap<u64, u32> = HashMap::new();
        let mut group_of: Vec<u32> = Vec::with_capacity(visible.len());
        for &row in visible {
            let m = member(row);
            let next = self.groups.len() as u32;
            let g = *index.entry(m.key).or_insert(next);
            if g == next {
                self.groups.push(Group { key: m.key, start: 0, len: 0, worst: 0, verdicts: [0; 5] });
            }
            let group = &mut self.groups[g as usize];
            group.len += 1;
            group.worst = group.worst.max(m.severity);
            if let Some(n) = group.verdicts.get_mut(m.verdict as usize) {
                *n += 1;
            }
            group_of.push(g);
        }
        let mut start = 0;
        for group in &mut self.groups {
            group.start = start;
            start += group.len;
        }
        let rows = visible.iter().max().map_or(0, |&r| r as usize + 1);
        self.group_of_row = vec![u32::MAX; rows];
        for (&row, &g) in visible.iter().zip(&group_of) {
            self.group_of_row[row as usize] = g;
        }
        let mut filled: Vec<u32> = self.groups.iter().map(|g| g.start).collect();
        self.members = vec![0; visible.len()];
        for (&row, &g) in visible.iter().zip(&group_of) {
            self.members[filled[g as usize] as usize] = row;
            filled[g as usize] += 1;
        }
        self.flatten(at);
    }

    /// Rebuilds the entries from the groups and their folds, keeping the cursor on `at`.
    fn flatten(&mut self, at: Option<Anchor>) {
        self.entries.clear();
        for (g, group) in self.groups.iter().enumerate() {
            self.entries.push(Entry::Header(g as u32));
            if self.is_open(group.key) {
                self.entries.extend(self.members[group.range()].iter().map(|&r| Entry::Row(r)));
            }
        }
        self.cursor = at.and_then(|a| self.position(a)).unwrap_or(0).min(self.entries.len().saturating_sub(1));
    }

    /// An entry as something that outlives a rebuild: a header by its group's key (group numbers change), a row
    /// as itself.
    fn anchor(&self, entry: Entry) -> Option<Anchor> {
        match entry {
            Entry::Header(g) => self.groups.get(g as usize).map(|g| Anchor::Group(g.key)),
            Entry::Row(r) => Some(Anchor::Row(r)),
        }
    }

    /// Where `at` is now: the header of the same key, the row, or the header of the row's folded group.
    fn position(&self, at: Anchor) -> Option<usize> {
        let header_of = |key: u64| {
            let g = self.groups.iter().position(|g| g.key == key)?;
            self.entries.iter().position(|&e| e == Entry::Header(g as u32))
        };
        match at {
            Anchor::Group(key) => header_of(key),
            Anchor::Row(r) => self.entries.iter().position(|&e| e == Entry::Row(r)).or_else(|| {
                let i = self.members.iter().position(|&m| m == r)?;
                header_of(self.groups.get(self.group_at(i))?.key)
            }),
        }
    }

    /// The group whose rows include position `i` of `members`.
    fn group_at(&self, i: usize) -> usize {
        self.groups.partition_point(|g| (g.start + g.len) as usize <= i)
    }

    fn is_open(&self, key: u64) -> bool {
        self.open_by_default != self.toggled.contains(&key)
    }

    /// The entries, headers and open rows, in display order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Group `g`.
    pub fn group(&self, g: u32) -> Option<&Group> {
        self.groups.get(g as usize)
    }

    /// How many groups there are.
    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// The rows of group `g`, in display order.
    pub fn members(&self, g: u32) -> &[u32] {
        self.groups.get(g as usize).map_or(&[], |group| &self.members[group.range()])
    }

    /// The group row `r` is in, when it is visible.
    pub fn group_of_row(&self, r: u32) -> Option<u32> {
        self.group_of_row.get(r as usize).copied().filter(|&g| g != u32::MAX)
    }

    /// Whether group `g` shows its rows.
    pub fn is_expanded(&self, g: u32) -> bool {
        self.groups.get(g as usize).is_some_and(|group| self.is_open(group.key))
    }

    /// The entry under the cursor.
    pub fn current(&self) -> Option<Entry> {
        self.entries.get(self.cursor).copied()
    }

    /// The group of the entry under the cursor (a row's own group).
    pub fn current_group(&self) -> Option<u32> {
        match self.current()? {
            Entry::Header(g) => Some(g),
            Entry::Row(_) => self.entries[..self.cursor].iter().rev().find_map(|e| match e {
                Entry::Header(g) => Some(*g),
                Entry::Row(_) => None,
            }),
        }
    }

    /// Opens or folds the group under the cursor; the cursor goes to its header.
    pub fn toggle_current(&mut self) {
        let Some(group) = self.current_group().and_then(|g| self.groups.get(g as usize)) else {
            return;
        };
        let key = group.key;
        if !self.toggled.remove(&key) {
            self.toggled.insert(key);
        }
        self.flatten(Some(Anchor::Group(key)));
    }

    /// Opens every group, or folds every group when all are open; the cursor stays on its group.
    pub fn toggle_all(&mut self) {
        let all_open = self.groups.iter().all(|g| self.is_open(g.key));
        self.open_by_default = !all_open;
        self.toggled.clear();
        let at = self.current_group().and_then(|g| self.groups.get(g as usize)).map(|g| Anchor::Group(g.key));
        self.flatten(at);
    }

    /// Whether every group is open.
    pub fn all_open(&self) -> bool {
        self.groups.iter().all(|g| self.is_open(g.key))
    }

    /// Moves the cursor by `delta` entries, clamped.
    pub fn move_by(&mut self, delta: isize) {
        self.cursor = self.cursor.saturating_add_signed(delta).min(self.entries.len().saturating_sub(1));
    }

    /// Puts the cursor on row `r`, or on the header of its group when the group is folded.
    pub fn select_row(&mut self, r: u32) {
        if let Some(at) = self.position(Anchor::Row(r)) {
            self.cursor = at;
        }
    }

    /// Drops the groups (grouping off); folds are forgotten.
    pub fn clear(&mut self) {
        *self = Grouping::default();
    }
}

/// What the cursor was on, by something a rebuild does not renumber.
#[derive(Debug, Clone, Copy)]
enum Anchor {
    Group(u64),
    Row(u32),
}

impl Group {
    fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

#[cfg(test)]
#[path = "groups_tests.rs"]
mod tests;
