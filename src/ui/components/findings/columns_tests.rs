use super::*;

/// Widths as a page of the demo holds them: `EC2.19`, bucket ARNs' names, 12-digit ids, `eu-central-1`.
fn typical() -> Widths {
    Widths {
        title_min: 0,
        severity: 8,
        title: 84,
        control: 6,
        resource: 40,
        account: 12,
        region: 12,
        verdict: 11,
        workflow: 8,
        job: 9,
    }
}

fn shown(layout: &[(Column, Constraint)]) -> Vec<Column> {
    layout.iter().map(|(c, _)| *c).collect()
}

fn width(layout: &[(Column, Constraint)], column: Column) -> Option<u16> {
    layout.iter().find(|(c, _)| *c == column).map(|(_, w)| match w {
        Constraint::Length(n) => *n,
        other => panic!("{other:?}"),
    })
}

#[test]
fn at_80_columns_job_workflow_region_and_account_go_and_the_rest_fits() {
    // 80 wide: 2 borders and the selection symbol's 2 cells leave 76.
    let layout = layout(76, &typical(), true);
    assert_eq!(
        shown(&layout),
        [Column::Mark, Column::Severity, Column::Control, Column::Title, Column::Resource, Column::Verdict]
    );
    assert_eq!(width(&layout, Column::Control), Some(7), "`EC2.19` whole (the label `Control` is 7)");
    assert!(width(&layout, Column::Title) >= Some(TITLE_MIN), "{layout:?}");
    assert!(width(&layout, Column::Resource) >= Some(RESOURCE_MIN), "{layout:?}");
    let used: u16 = layout.iter().filter_map(|(c, _)| width(&layout, *c)).sum::<u16>() + layout.len() as u16 - 1;
    assert_eq!(used, 76, "the columns fill the width exactly, nothing overlaps: {layout:?}");
}

#[test]
fn a_wide_terminal_shows_every_column_and_the_job_column_only_when_jobs_ran() {
    let with_jobs = layout(196, &typical(), true);
    assert_eq!(shown(&with_jobs), Column::ALL);
    let without = layout(196, &typical(), false);
    assert!(!shown(&without).contains(&Column::Job));
    assert_eq!(shown(&without).len(), 9);
}

#[test]
fn the_control_column_is_as_wide_as_the_widest_id_on_screen() {
    let widths = Widths { control: 16, ..typical() };
    let layout = layout(76, &widths, false);
    assert_eq!(width(&layout, Column::Control), Some(16), "`ServiceCatalog.1` whole");
    assert!(width(&layout, Column::Title) >= Some(TITLE_MIN), "{layout:?}");
}

#[test]
fn a_grouped_table_keeps_more_room_for_the_title_and_drops_the_account_for_it() {
    let widths = Widths { title_min: 32, account: 12, resource: 10, verdict: 7, control: 11, ..typical() };
    let plain = layout(76, &Widths { title_min: 0, ..widths }, false);
    assert!(shown(&plain).contains(&Column::Account), "{plain:?}");
    let grouped = layout(76, &widths, false);
    assert!(!shown(&grouped).contains(&Column::Account), "{grouped:?}");
    assert!(width(&grouped, Column::Title) >= Some(32), "{grouped:?}");
}

#[test]
fn middle_widths_drop_the_lowest_value_columns_first() {
    let columns = shown(&layout(100, &typical(), true));
    assert!(!columns.contains(&Column::Job), "the job goes first: {columns:?}");
    assert!(columns.contains(&Column::Workflow), "{columns:?}");
    let columns = shown(&layout(90, &typical(), true));
    assert!(!columns.contains(&Column::Workflow), "then the workflow: {columns:?}");
    assert!(columns.contains(&Column::Region) && columns.contains(&Column::Account), "{columns:?}");
    // A short resource id leaves the room to the title.
    let short = Widths { resource: 8, ..typical() };
    let layout = layout(76, &short, false);
    assert_eq!(width(&layout, Column::Resource), Some(8));
}
