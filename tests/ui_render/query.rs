//! The query in `/`: the table follows every query that reads; one that does not is shown with where and why, and
//! the table keeps the last one that read.

use super::{app, key, render, text, type_text};
use crossterm::event::KeyCode;
use hubtriage::model::Severity;
use hubtriage::ui::app::Mode;

fn controls(app: &hubtriage::ui::App) -> Vec<String> {
    app.listing.window(0, usize::MAX).map(|r| r.finding.control_or_type().to_string()).collect()
}

#[test]
fn a_query_filters_the_table_and_a_half_typed_one_says_where_it_goes_wrong() {
    let mut app = app("dark");
    let all = app.listing.visible_len();
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "control:EC2.*");
    let ec2 = controls(&app);
    assert!(!ec2.is_empty() && ec2.len() < all, "{ec2:?}");
    assert!(ec2.iter().all(|c| c.starts_with("EC2.")), "{ec2:?}");

    type_text(&mut app, " sev>=");
    let screen = text(&render(&app, 120, 30));
    let status = screen.lines().last().unwrap_or_default();
    assert!(status.contains("/ control:EC2.* sev>=█  at character 20: expected a value after `sev>=`"), "{status}");
    assert_eq!(controls(&app), ec2, "the table keeps the last query that read");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode, Mode::Filter, "Enter does not keep a query that does not read");

    type_text(&mut app, "high");
    let severe: Vec<Severity> = app.listing.window(0, usize::MAX).map(|r| r.finding.severity).collect();
    assert!(!severe.is_empty() && severe.len() < ec2.len(), "{severe:?}");
    assert!(severe.iter().all(|s| *s >= Severity::High), "{severe:?}");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.mode, Mode::Normal);
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains("control:EC2.* sev>=high"), "the header shows the query: {screen}");

    // Negation: everything else.
    key(&mut app, KeyCode::Char('/'));
    for _ in 0.."control:EC2.* sev>=high".len() {
        key(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "-control:EC2.*");
    assert_eq!(app.listing.visible_len(), all - ec2.len());
}

#[test]
fn accounts_are_found_by_their_configured_name() {
    let mut app = app("dark");
    let account = app.listing.selected_row().map(|r| r.finding.account_id.to_string()).expect("a row");
    app.account_names.insert(account.clone(), "payments-prod".into());
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "account:payments-*");
    let shown: Vec<String> = app.listing.window(0, usize::MAX).map(|r| r.finding.account_id.to_string()).collect();
    assert!(!shown.is_empty() && shown.iter().all(|a| *a == account), "{shown:?}");
}

#[test]
fn command_mode_lists_what_the_word_can_become() {
    let mut app = app("dark");
    key(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "theme ");
    let screen = text(&render(&app, 120, 30));
    let status = screen.lines().last().unwrap_or_default();
    assert!(status.contains(" : theme █   dark  light  high-contrast"), "{status}");
    key(&mut app, KeyCode::Char('l'));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.theme.name, "light");
    assert_eq!(app.mode, Mode::Normal);
}
