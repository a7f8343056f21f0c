use super::*;

/// Rows 0..n: key `keys[r]`, severity `r % 5`, verdict `r % 3`.
fn grouped(visible: &[u32], keys: &[u64]) -> Grouping {
    let mut g = Grouping { by: GroupBy::Control, ..Grouping::default() };
    g.rebuild(visible, |r| Member { key: keys[r as usize], severity: (r % 5) as u8, verdict: (r % 3) as u8 });
    g
}

#[test]
fn groups_follow_the_order_of_their_first_row_and_count_their_rows() {
    // Visible order 4, 1, 3, 0, 2 with keys 7, 9, 7, 9, 8.
    let keys = [9, 9, 8, 7, 7];
    let g = grouped(&[4, 1, 3, 0, 2], &keys);
    assert_eq!(g.group_count(), 3);
    let order: Vec<u64> = (0..3).map(|i| g.group(i).expect("group").key).collect();
    assert_eq!(order, [7, 9, 8], "the group of the first visible row comes first");
    assert_eq!(g.members(0), [4, 3], "rows keep the table's order inside a group");
    assert_eq!(g.members(1), [1, 0]);
    assert_eq!(g.members(2), [2]);
    let first = g.group(0).expect("group");
    assert_eq!((first.len(), first.worst), (2, 4), "rows 4 and 3: severities 4 and 3");
    assert_eq!(first.verdicts[..3], [1, 1, 0], "row 3 is of verdict 0, row 4 of verdict 1");
    // Folded by default: headers only.
    assert_eq!(g.entries(), [Entry::Header(0), Entry::Header(1), Entry::Header(2)]);
}

#[test]
fn a_group_opens_and_folds_under_the_cursor_and_all_open_at_once() {
    let keys = [1, 1, 2, 2, 3];
    let mut g = grouped(&[0, 1, 2, 3, 4], &keys);
    g.move_by(1);
    g.toggle_current();
    assert_eq!(g.entries(), [Entry::Header(0), Entry::Header(1), Entry::Row(2), Entry::Row(3), Entry::Header(2)]);
    assert_eq!(g.cursor, 1, "the cursor stays on the header it opened");
    g.move_by(2);
    assert_eq!(g.current(), Some(Entry::Row(3)));
    assert_eq!(g.current_group(), Some(1));
    g.toggle_current();
    assert_eq!(g.entries().len(), 3, "folding from a row folds its group");
    assert_eq!(g.current(), Some(Entry::Header(1)), "and the cursor goes to the header");
    g.toggle_all();
    assert_eq!(g.entries().len(), 8);
    assert!(g.all_open());
    g.toggle_all();
    assert_eq!(g.entries().len(), 3);
}

#[test]
fn a_rebuild_keeps_folds_and_the_cursor_by_key_not_by_number() {
    let keys = [1, 2, 3, 3];
    let mut g = grouped(&[0, 1, 2, 3], &keys);
    g.move_by(2); // the header of key 3
    g.toggle_current();
    g.move_by(2); // row 3
    assert_eq!(g.current(), Some(Entry::Row(3)));
    // A filter drops row 0: key 3 is now the second group; it is still open and row 3 still selected.
    g.rebuild(&[1, 2, 3], |r| Member { key: keys[r as usize], severity: 0, verdict: 0 });
    assert_eq!(g.entries(), [Entry::Header(0), Entry::Header(1), Entry::Row(2), Entry::Row(3)]);
    assert_eq!(g.current(), Some(Entry::Row(3)));
    // Row 3 filtered out too: the cursor falls back to the top, nothing is out of range.
    g.rebuild(&[1], |r| Member { key: keys[r as usize], severity: 0, verdict: 0 });
    assert_eq!(g.current(), Some(Entry::Header(0)));
    g.rebuild(&[], |r| Member { key: keys[r as usize], severity: 0, verdict: 0 });
    assert_eq!(g.current(), None);
    assert_eq!(g.current_group(), None);
}

#[test]
fn grouping_names_cycle_and_parse() {
    assert_eq!(GroupBy::None.next(), GroupBy::Control);
    assert_eq!(GroupBy::Account.next(), GroupBy::None);
    assert_eq!(GroupBy::parse("Resource"), Some(GroupBy::Resource));
    assert_eq!(GroupBy::parse("tag"), None);
}
