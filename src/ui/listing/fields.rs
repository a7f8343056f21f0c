//! What the table filters and sorts on, per row, in one contiguous array: small numbers instead of strings, so a
//! sort or a filter over 100,000 rows touches a few megabytes rather than every finding.

use super::SortKey;
use crate::engine::Row;
use crate::policy::Verdict;
use std::collections::HashMap;

/// Distinct strings of one column, numbered in order of arrival, with their rank in text order on demand.
#[derive(Default)]
pub(super) struct Symbols {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    /// `rank[id]`: the position of `names[id]` in text order; valid while `ranked == names.len()`.
    rank: Vec<u32>,
    ranked: usize,
}

impl Symbols {
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        id
    }

    pub fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// Every name, by id.
    pub fn names(&self) -> &[Box<str>] {
        &self.names
    }

    /// Ranks in text order, recomputed when names were added since the last call.
    fn ranks(&mut self) -> &[u32] {
        if self.ranked != self.names.len() {
            let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
            order.sort_unstable_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
            self.rank = vec![0; order.len()];
            for (position, id) in order.into_iter().enumerate() {
                self.rank[id as usize] = position as u32;
            }
            self.ranked = self.names.len();
        }
        &self.rank
    }
}

/// The string columns, interned.
#[derive(Default)]
pub(super) struct Columns {
    pub control: Symbols,
    pub account: Symbols,
    pub region: Symbols,
    pub title: Symbols,
}

/// One row's sort and filter values.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    pub severity: u8,
    pub verdict: u8,
    pub open: bool,
    /// Verdict auto-fix with a plan: counted by "would auto-fix N".
    pub would_fix: bool,
    /// `UpdatedAt` in milliseconds, `i64::MIN` when unknown (sorts first, as `None` did).
    pub updated: i64,
    /// When the finding was first seen (`FirstObservedAt`, else `CreatedAt`), in milliseconds; `i64::MIN` when
    /// unknown.
    pub first_seen: i64,
    /// Orders rows that are equal on the sorted column: a hash of the finding's key, the same whatever order
    /// findings arrive in.
    pub tie: u64,
    pub control: u32,
    pub account: u32,
    pub region: u32,
    pub title: u32,
    /// A hash of the primary resource's id: what grouping by resource groups on (no text kept per resource).
    pub resource: u64,
}

pub(super) use crate::model::hash::finding_key_hash as key_hash;

impl Fields {
    pub fn of(row: &Row, columns: &mut Columns) -> Self {
        let f = &row.finding;
        let verdict = row.decision.verdict;
        Self {
            severity: f.severity as u8,
            verdict: verdict as u8,
            open: f.is_open(),
            would_fix: verdict == Verdict::AutoFix && row.plan().plan().is_some(),
            updated: f.updated_at.map_or(i64::MIN, |t| t.timestamp_millis()),
            first_seen: f.first_observed_at.or(f.created_at).map_or(i64::MIN, |t| t.timestamp_millis()),
            tie: key_hash(&f.id, &f.product_arn),
            control: columns.control.intern(f.control_or_type()),
            account: columns.account.intern(&f.account_id),
            region: columns.region.intern(&f.region),
            title: columns.title.intern(&f.title),
            resource: crate::model::hash::fnv1a(
                crate::model::hash::FNV_OFFSET,
                &[f.primary_resource().map_or("", |r| r.id.as_str())],
            ),
        }
    }
}

/// Computes the sort key of rows for one order: the column's value (by rank for text), reversed when descending,
/// then the tie-breaker (always ascending).
pub(super) struct SortKeys<'a> {
    key: SortKey,
    descending: bool,
    ranks: &'a [u32],
}

impl<'a> SortKeys<'a> {
    pub fn new(key: SortKey, descending: bool, columns: &'a mut Columns) -> Self {
        let ranks: &'a [u32] = match key {
            SortKey::Control => columns.control.ranks(),
            SortKey::Account => columns.account.ranks(),
            SortKey::Region => columns.region.ranks(),
            SortKey::Title => columns.title.ranks(),
            SortKey::Severity | SortKey::Verdict | SortKey::Updated | SortKey::Age => &[],
        };
        Self { key, descending, ranks }
    }

    pub fn of(&self, f: &Fields) -> u128 {
        let rank = |id: u32| u64::from(self.ranks.get(id as usize).copied().unwrap_or(u32::MAX));
        let primary = match self.key {
            SortKey::Severity => u64::from(f.severity),
            SortKey::Verdict => u64::from(f.verdict),
            // Order-preserving map of i64 onto u64.
            SortKey::Updated => (f.updated as u64) ^ (1 << 63),
            // Older first seen, greater age.
            SortKey::Age => !((f.first_seen as u64) ^ (1 << 63)),
            SortKey::Control => rank(f.control),
            SortKey::Account => rank(f.account),
            SortKey::Region => rank(f.region),
            SortKey::Title => rank(f.title),
        };
        let primary = if self.descending { !primary } else { primary };
        (u128::from(primary) << 64) | u128::from(f.tie)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_follow_text_order_as_names_arrive() {
        let mut s = Symbols::default();
        let (b, a) = (s.intern("beta"), s.intern("alpha"));
        assert_eq!(s.intern("beta"), b);
        assert!(s.ranks()[a as usize] < s.ranks()[b as usize]);
        let c = s.intern("aardvark");
        assert_eq!(s.ranks()[c as usize], 0);
        assert!(s.ranks()[a as usize] < s.ranks()[b as usize]);
    }
}
