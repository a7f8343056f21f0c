//! Grouping the Findings view (demo organisation): `b` groups by control with counts, the worst severity and the
//! verdict mix; Enter opens a group; space on a header marks the whole group; the query and the sort order apply
//! inside groups; `:group resource|account|none`.

use super::demo::demo_app;
use super::fixtures::press;
use super::{render, text, type_text};
use crossterm::event::KeyCode;
use hubtriage::ui::listing::Shown;
use hubtriage::ui::App;

/// The header lines of the table as drawn.
fn header_lines(screen: &str) -> Vec<String> {
    screen.lines().filter(|l| l.contains(" · ") && (l.contains('▸') || l.contains('▾'))).map(String::from).collect()
}

/// Each group's count as the listing holds it.
fn group_sizes(app: &App) -> Vec<usize> {
    app.listing
        .shown(0, usize::MAX)
        .iter()
        .filter_map(|s| match s {
            Shown::Header(h) => Some(h.group.len()),
            Shown::Row(_) => None,
        })
        .collect()
}

fn command(app: &mut App, text: &str) {
    press(app, KeyCode::Char(':'));
    type_text(app, text);
    press(app, KeyCode::Enter);
}

#[test]
fn b_groups_by_control_with_counts_and_enter_opens_a_group() {
    let mut app = demo_app();
    let visible = app.listing.visible_len();
    press(&mut app, KeyCode::Char('b'));
    let screen = text(&render(&app, 200, 50));
    let groups = app.listing.group_count();
    assert!(groups > 1 && groups < visible, "{groups} groups of {visible}");
    assert!(screen.contains(&format!("Findings by control: {groups} groups, {visible} findings")), "{screen}");
    assert_eq!(group_sizes(&app).iter().sum::<usize>(), visible, "every shown finding in one group");
    let headers = header_lines(&screen);
    let table_rows = screen.lines().skip(3).take_while(|l| !l.starts_with('└')).count();
    assert_eq!(headers.len(), groups.min(table_rows), "folded: one line per group\n{screen}");
    // The first header: its control, its count and its verdict mix.
    let first = match &app.listing.shown(0, 1)[0] {
        Shown::Header(h) => (h.first.finding.control_or_type().to_string(), h.group.len()),
        Shown::Row(_) => panic!("a header first"),
    };
    let findings = if first.1 == 1 { "finding" } else { "findings" };
    assert!(headers[0].contains(&format!("▸ {} · {} {findings} · ", first.0, first.1)), "{}", headers[0]);
    assert!(headers[0].contains("no-playbook") || headers[0].contains("approve") || headers[0].contains("auto-fix"));
    // Enter opens it: its findings follow, all of its control; the detail pane follows the cursor into it.
    press(&mut app, KeyCode::Enter);
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains(&format!("▾ {} · ", first.0)), "{screen}");
    let rows: Vec<String> = app
        .listing
        .shown(1, first.1)
        .iter()
        .filter_map(|s| if let Shown::Row(r) = s { Some(r.finding.control_or_type().to_string()) } else { None })
        .collect();
    assert_eq!(rows.len(), first.1);
    assert!(rows.iter().all(|c| *c == first.0), "{rows:?}");
    press(&mut app, KeyCode::Char('j'));
    assert!(app.listing.selected_row().is_some(), "a finding of the group is selected");
    // z folds it from inside; the cursor goes back to the header.
    press(&mut app, KeyCode::Char('z'));
    assert!(app.listing.on_header());
    assert!(text(&render(&app, 200, 50)).contains(&format!("▸ {} · ", first.0)));
}

#[test]
fn space_on_a_header_marks_the_whole_group_and_again_unmarks_it() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('b'));
    let size = group_sizes(&app)[0];
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(app.marks.len(), size);
    let status = app.status_message.clone().unwrap_or_default();
    assert!(status.starts_with(&format!("{size} finding(s) of the group marked")), "{status}");
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains(&format!("· {size} marked")), "{screen}");
    assert!(screen.contains(&format!("Marked     {size} of {size}")), "the detail pane sums the group up\n{screen}");
    assert!(header_lines(&screen)[0].contains('●'), "the header shows its group marked\n{screen}");
    press(&mut app, KeyCode::Char(' '));
    assert!(app.marks.is_empty());
}

#[test]
fn the_query_and_the_sort_order_apply_inside_groups() {
    let mut app = demo_app();
    command(&mut app, "group control");
    press(&mut app, KeyCode::Char('Z'));
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "sev>=high");
    press(&mut app, KeyCode::Enter);
    let shown = app.listing.shown(0, usize::MAX);
    let rows: Vec<_> = shown.iter().filter_map(|s| if let Shown::Row(r) = s { Some(r) } else { None }).collect();
    assert_eq!(rows.len(), app.listing.visible_len());
    assert!(rows.iter().all(|r| r.finding.severity >= hubtriage::model::Severity::High));
    assert_eq!(group_sizes(&app).iter().sum::<usize>(), rows.len());
    // Sorted by title inside each group: within a group, titles ascend; reversed (O), they descend.
    command(&mut app, "sort title asc");
    let within = |app: &App| -> Vec<Vec<String>> {
        let mut groups: Vec<Vec<String>> = Vec::new();
        for line in app.listing.shown(0, usize::MAX) {
            match line {
                Shown::Header(_) => groups.push(Vec::new()),
                Shown::Row(r) => groups.last_mut().expect("a header first").push(r.finding.title.to_string()),
            }
        }
        groups
    };
    assert!(within(&app).iter().all(|g| g.windows(2).all(|w| w[0] <= w[1])), "{:?}", within(&app));
    press(&mut app, KeyCode::Char('O'));
    assert!(within(&app).iter().all(|g| g.windows(2).all(|w| w[0] >= w[1])), "{:?}", within(&app));
    assert!(within(&app).iter().any(|g| g.first() != g.last()), "some group has titles to order");
}

#[test]
fn group_command_names_resource_account_and_none() {
    let mut app = demo_app();
    command(&mut app, "group account");
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains("Findings by account:"), "{screen}");
    let named =
        app.account_names.iter().find(|(id, _)| app.listing.all().iter().any(|r| *r.finding.account_id == ***id));
    let (id, name) = named.expect("a named account of the demo");
    assert!(screen.contains(&format!("▸ {id} ({name}) · ")), "{screen}");
    command(&mut app, "group resource");
    assert!(text(&render(&app, 200, 50)).contains("Findings by resource:"));
    command(&mut app, "group tag");
    assert!(app.status_message.clone().unwrap_or_default().contains("no grouping `tag`"));
    command(&mut app, "group none");
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains(&format!("Findings 1/{}", app.listing.visible_len())), "{screen}");
    assert!(header_lines(&screen).is_empty());
}
