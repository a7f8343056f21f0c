use super::*;
use crate::model::testing::control_finding;
use crate::model::Severity;
use crate::policy::Decision;
use crate::policy::Verdict;
use crate::triage::{Assessment, PlanStatus};
use std::sync::Arc;

fn row(n: usize) -> Row {
    let severity = Severity::ALL[n % 5];
    let mut f = control_finding(
        ["S3.8", "EC2.13", "IAM.4"][n % 3],
        severity,
        &format!("1111111111{:02}", n % 7),
        "AwsS3Bucket",
    );
    f.id = format!("arn:aws:securityhub:eu-west-1:111111111111:finding/{n:05}").into();
    f.title = format!("title {}", n % 11).into();
    f.region = ["eu-west-1", "us-east-1"][n % 2].into();
    f.updated_at = chrono::DateTime::from_timestamp(1_700_000_000 + (n as i64 % 13) * 60, 0);
    let verdict = Verdict::ALL[n % Verdict::ALL.len()];
    let decision = Decision { verdict, reason: "".into(), exception: None, exception_note: None };
    Row::new(Arc::new(f), Assessment { decision, plan: PlanStatus::NoPlaybook })
}

fn shown(listing: &Listing) -> Vec<String> {
    listing.window(0, usize::MAX).map(|r| r.finding.id.to_string()).collect()
}

/// A listing that received every row at once, for comparison.
fn fresh(rows: &[Row], sort: SortKey, descending: bool, filters: &Filters) -> Vec<String> {
    let mut l = Listing { sort, descending, filters: filters.clone(), ..Listing::default() };
    l.put(rows.to_vec());
    l.refresh();
    shown(&l)
}

#[test]
fn rows_streamed_in_pages_show_as_if_loaded_at_once() {
    let rows: Vec<Row> = (0..600).map(row).collect();
    for sort in SortKey::ORDER {
        for descending in [false, true] {
            let filters = Filters { text: "title 1".into(), ..Filters::default() };
            let mut l = Listing { sort, descending, filters: filters.clone(), ..Listing::default() };
            // Pages in an order unrelated to the sort, a refresh (a frame) after each.
            for chunk in rows.chunks(37).rev() {
                l.put(chunk.to_vec());
                l.refresh();
            }
            assert_eq!(shown(&l), fresh(&rows, sort, descending, &filters), "{sort:?} descending={descending}");
        }
    }
}

#[test]
fn replaced_rows_move_to_their_new_place_and_typing_narrows() {
    let mut rows: Vec<Row> = (0..300).map(row).collect();
    let mut l = Listing::default();
    l.put(rows.clone());
    l.refresh();
    // Newer copies of some findings with another severity and status.
    for n in (0..300).step_by(9) {
        let mut f = (*rows[n].finding).clone();
        f.severity = Severity::Critical;
        f.updated_at = f.updated_at.map(|t| t + chrono::Duration::hours(1));
        if n % 2 == 0 {
            f.workflow_status = crate::model::WorkflowStatus::Resolved;
        }
        rows[n] = Row::new(Arc::new(f), rows[n].assessment());
        l.put(vec![rows[n].clone()]);
    }
    l.refresh();
    assert_eq!(shown(&l), fresh(&rows, l.sort, l.descending, &Filters::default()));
    for text in ["t", "ti", "title", "title 1", "title 10"] {
        l.filters.text = text.into();
        l.invalidate();
        l.refresh();
        let filters = Filters { text: text.into(), ..Filters::default() };
        assert_eq!(shown(&l), fresh(&rows, l.sort, l.descending, &filters), "{text}");
    }
    l.filters.text = "title 2".into();
    l.filters.account = Some("111111111103".into());
    l.invalidate();
    l.refresh();
    assert_eq!(shown(&l), fresh(&rows, l.sort, l.descending, &l.filters.clone()));
    assert!(!shown(&l).is_empty());
}

#[test]
fn removed_findings_leave_the_table_which_keeps_its_filters_order_and_selection() {
    use crate::engine::finding_state::FindingChanges;
    let rows: Vec<Row> = (0..200).map(row).collect();
    let mut l = Listing { sort: SortKey::Title, descending: true, ..Listing::default() };
    l.filters.text = "title 1".into();
    l.put(rows.clone());
    l.refresh();
    l.move_by(3);
    let picked = l.selected_row().map(|r| r.finding.key()).expect("selected");
    let gone: Vec<_> = rows.iter().step_by(4).map(|r| r.finding.key()).filter(|k| *k != picked).collect();
    l.apply(FindingChanges { removed: gone.clone(), ..FindingChanges::default() });
    l.refresh();
    let kept: Vec<Row> = rows.iter().filter(|r| !gone.contains(&r.finding.key())).cloned().collect();
    assert_eq!(l.all().len(), kept.len());
    assert_eq!(shown(&l), fresh(&kept, SortKey::Title, true, &l.filters.clone()));
    assert_eq!(l.selected_row().map(|r| r.finding.key()), Some(picked));
    // A removed finding that comes back is a row again.
    l.put(vec![rows[0].clone()]);
    assert_eq!(l.all().len(), kept.len() + 1);
}

#[test]
fn the_selected_finding_stays_selected_while_rows_arrive() {
    let rows: Vec<Row> = (0..200).map(row).collect();
    let mut l = Listing::default();
    l.put(rows[..100].to_vec());
    l.refresh();
    l.move_by(5);
    let picked = l.selected_row().map(|r| r.finding.id.clone());
    l.put(rows[100..].to_vec());
    l.refresh();
    assert_eq!(l.selected_row().map(|r| r.finding.id.clone()), picked);
}

#[test]
fn findings_whose_key_hashes_collide_stay_apart() {
    let mut l = Listing::default();
    let rows: Vec<Row> = (0..3).map(row).collect();
    l.put(rows.clone());
    // A second finding filed under the first one's hash, as a collision would.
    let first = rows[0].finding.key();
    let (hash, i) = (super::fields::key_hash(&first.id, &first.product_arn), 2);
    l.index.insert(hash, 1);
    l.collided.insert(first.clone(), 0);
    assert_eq!(l.find(&first), Some(0));
    assert_eq!(l.find(&rows[i].finding.key()), Some(i));
    l.refresh();
    assert_eq!(l.visible_len(), 3);
}

#[test]
fn a_finding_id_pasted_whole_finds_the_finding() {
    let rows: Vec<Row> = (0..50).map(row).collect();
    let mut l = Listing::default();
    l.put(rows.clone());
    l.filters.text = rows[17].finding.id.to_string();
    l.invalidate();
    l.refresh();
    assert_eq!(shown(&l), vec![rows[17].finding.id.to_string()]);
}

#[test]
fn a_finding_id_typed_character_by_character_finds_the_finding() {
    let rows: Vec<Row> = (0..50).map(row).collect();
    let mut l = Listing::default();
    l.put(rows.clone());
    l.refresh();
    let id = rows[23].finding.id.to_string();
    for end in 1..=id.len() {
        l.filters.text = id[..end].to_string();
        l.invalidate();
        l.refresh();
    }
    assert_eq!(shown(&l), vec![id]);
}

#[test]
fn a_query_shows_what_it_matches_whether_loaded_at_once_or_streamed() {
    let mut rows: Vec<Row> = (0..600).map(row).collect();
    for n in (0..600).step_by(10) {
        let mut f = (*rows[n].finding).clone();
        f.workflow_status = crate::model::WorkflowStatus::Resolved;
        rows[n] = Row::new(Arc::new(f), rows[n].assessment());
    }
    let names: std::collections::BTreeMap<String, String> =
        [("111111111103".to_string(), "payments-prod".to_string())].into();
    let ctx = crate::query::Context { now: chrono::Utc::now(), account_names: &names };
    for text in [
        "sev>=high control:S3.*",
        "account:payments-*",
        "-region:eu-* verdict:manual,excepted",
        "\"title 1\" or sev:critical",
        "status:resolved",
        "not (control:IAM.4 or \"title 3\") account:111111111101",
    ] {
        let query = crate::query::Query::parse(text).expect("a query");
        let expected: Vec<&Row> = rows
            .iter()
            .filter(|r| {
                (r.finding.is_open() || query.names_status()) && query.matches(&r.finding, r.decision.verdict, &ctx)
            })
            .collect();
        assert!(!expected.is_empty() && expected.len() < 500, "{text}: {}", expected.len());
        let filters = Filters { text: text.into(), ..Filters::default() };
        let mut l = Listing { filters: filters.clone(), account_names: names.clone(), ..Listing::default() };
        for chunk in rows.chunks(37) {
            l.put(chunk.to_vec());
            l.refresh();
        }
        assert_eq!(l.visible_len(), expected.len(), "{text}");
        let mut at_once = Listing { filters, account_names: names.clone(), ..Listing::default() };
        at_once.put(rows.clone());
        at_once.refresh();
        assert_eq!(shown(&l), shown(&at_once), "{text}");
    }
}

/// The control of every line of a grouped listing: `[S3.8] 4` for a header of four rows, `S3.8` for a row.
fn grouped_lines(l: &Listing) -> Vec<String> {
    l.shown(0, usize::MAX)
        .iter()
        .map(|s| match s {
            Shown::Header(h) => format!("[{}] {}", h.first.finding.control_or_type(), h.group.len()),
            Shown::Row(r) => r.finding.control_or_type().to_string(),
        })
        .collect()
}

/// The severities of the rows shown, headers left out.
fn row_severities(l: &Listing) -> Vec<crate::model::Severity> {
    l.shown(0, usize::MAX)
        .iter()
        .filter_map(|s| match s {
            Shown::Row(r) => Some(r.finding.severity),
            Shown::Header(_) => None,
        })
        .collect()
}

#[test]
fn grouped_by_control_the_query_applies_inside_groups_and_the_sort_inside_each() {
    let rows: Vec<Row> = (0..30).map(row).collect();
    let mut l = Listing { descending: true, ..Listing::default() };
    l.put(rows);
    l.refresh();
    l.set_group_by(GroupBy::Control);
    // Closed findings are hidden: the groups count what passes the filters.
    let visible = l.visible_len();
    assert_eq!(l.group_count(), 3);
    let counted: usize = l.shown(0, 10).iter().map(|s| if let Shown::Header(h) = s { h.group.len() } else { 0 }).sum();
    assert_eq!(counted, visible);
    assert!(l.selected_row().is_none(), "the cursor is on a header");
    l.toggle_all_folds();
    assert_eq!(grouped_lines(&l).len(), 3 + visible);
    // A query narrows each group; a group none of whose rows pass disappears.
    l.filters.text = "control:S3.8".into();
    l.invalidate();
    l.refresh();
    assert_eq!(l.group_count(), 1);
    let lines = grouped_lines(&l);
    assert!(lines.len() > 2 && lines.iter().all(|s| s.contains("S3.8")), "{lines:?}");
    // Inside the group the rows follow the table's order, and follow it when it turns round.
    let severities = row_severities(&l);
    assert!(severities.windows(2).all(|w| w[0] >= w[1]), "{severities:?}");
    assert!(severities.first() != severities.last(), "{severities:?}");
    l.descending = false;
    l.invalidate();
    l.refresh();
    let severities = row_severities(&l);
    assert!(severities.windows(2).all(|w| w[0] <= w[1]), "{severities:?}");
    // Ungrouped again: every visible row, the selection on a row.
    l.set_group_by(GroupBy::None);
    assert_eq!(l.display_len(), l.visible_len());
    assert!(l.selected_row().is_some());
}
