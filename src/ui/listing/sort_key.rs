//! The orders the table sorts in, and the merge of newly sorted rows into a sorted list.

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
    /// Time since the finding was first seen (`:sort age`; not in the `o` cycle).
    Age,
}

impl SortKey {
    pub(super) const ORDER: [SortKey; 7] = [
        SortKey::Severity,
        SortKey::Control,
        SortKey::Account,
        SortKey::Region,
        SortKey::Verdict,
        SortKey::Updated,
        SortKey::Title,
    ];

    /// Every order by name, `age` included (`:sort KEY`).
    pub const NAMED: [SortKey; 8] = [
        SortKey::Severity,
        SortKey::Control,
        SortKey::Account,
        SortKey::Region,
        SortKey::Verdict,
        SortKey::Updated,
        SortKey::Title,
        SortKey::Age,
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
            Self::Age => "age",
            Self::Title => "title",
        }
    }
}

/// `existing` (row indices in key order) and `added` (keyed, sorted) merged into one list in key order.
pub(super) fn merge(existing: &[u32], added: &[(u128, u32)], key: impl Fn(u32) -> u128) -> Vec<u32> {
    let mut out = Vec::with_capacity(existing.len() + added.len());
    let mut rest = existing;
    for &(k, i) in added {
        let at = rest.partition_point(|&e| key(e) < k);
        out.extend_from_slice(&rest[..at]);
        out.push(i);
        rest = &rest[at..];
    }
    out.extend_from_slice(rest);
    out
}
