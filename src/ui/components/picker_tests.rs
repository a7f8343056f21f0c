use super::*;
use crate::engine::Row;
use crate::model::testing::control_finding;
use crate::model::Severity;
use crate::policy::{Decision, Verdict};
use crate::triage::{Assessment, PlanStatus};
use crate::ui::app::{App, Mode};
use crossterm::event::KeyModifiers;
use std::sync::Arc;

/// 120 accounts `100000000000`… named `team-000`… (the last ten unnamed), account `i` with `i % 5 + 1` findings,
/// spread over three regions.
fn app() -> App {
    let mut app = App::new(crate::ui::Theme::load("dark", None).expect("theme"), "test".into(), false);
    let mut rows = Vec::new();
    for i in 0..120usize {
        let id = format!("{}", 100_000_000_000u64 + i as u64);
        if i < 110 {
            app.account_names.insert(id.clone(), format!("team-{i:03}"));
        }
        for n in 0..(i % 5 + 1) {
            let mut f = control_finding("S3.8", Severity::High, &id, "AwsS3Bucket");
            f.id = format!("finding-{i}-{n}").into();
            f.region = ["eu-west-1", "eu-central-1", "us-east-1"][(i + n) % 3].into();
            let decision =
                Decision { verdict: Verdict::Manual, reason: "".into(), exception: None, exception_note: None };
            rows.push(Row::new(Arc::new(f), Assessment { decision, plan: PlanStatus::NoPlaybook }));
        }
    }
    app.add_rows(rows);
    app
}

fn press(app: &mut App, code: KeyCode) {
    app.on_event(&crossterm::event::Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn picker(app: &App) -> &Picker {
    match &app.dialog {
        Some(crate::ui::components::dialog::Dialog::Picker(p)) => p,
        other => panic!("no picker open: {other:?}"),
    }
}

#[test]
fn a_lists_every_account_with_counts_most_findings_first_and_typing_narrows() {
    let mut app = app();
    press(&mut app, KeyCode::Char('A'));
    let p = picker(&app);
    assert_eq!(p.choices.len(), 121, "every account and `every account`");
    assert_eq!(p.chosen().and_then(|c| c.value.clone()), None, "no filter yet: `every account` selected");
    assert_eq!(p.choices[0].count, app.listing.visible_len());
    assert_eq!(p.choices[1].count, 5, "most findings first");
    assert!(p.choices[1..].windows(2).all(|w| w[0].count >= w[1].count));
    type_text(&mut app, "team-07");
    let labels: Vec<String> = picker(&app).matches.iter().map(|&i| picker(&app).choices[i].label()).collect();
    assert_eq!(labels.len(), 10, "{labels:?}");
    assert!(labels.iter().all(|l| l.starts_with("team-07")), "{labels:?}");
    // A word of the id narrows too, and an unnamed account is found by its id.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('A'));
    type_text(&mut app, "100000000115");
    let p = picker(&app);
    assert_eq!(p.matches.len(), 1);
    assert_eq!(p.chosen().map(Choice::label).as_deref(), Some("100000000115"));
}

#[test]
fn enter_filters_to_the_chosen_account_and_esc_leaves_the_filter_as_it_was() {
    let mut app = app();
    press(&mut app, KeyCode::Char('A'));
    type_text(&mut app, "TEAM-042");
    press(&mut app, KeyCode::Enter);
    assert!(app.dialog.is_none());
    assert_eq!(app.listing.filters.account.as_deref(), Some("100000000042"));
    assert_eq!(app.listing.visible_len(), 42 % 5 + 1);
    let status = app.status_message.clone().unwrap_or_default();
    assert_eq!(status, "account team-042 (100000000042): 3 findings shown");
    // Opened again, the current filter is selected; Esc changes nothing.
    press(&mut app, KeyCode::Char('A'));
    assert_eq!(picker(&app).chosen().and_then(|c| c.value.clone()).as_deref(), Some("100000000042"));
    type_text(&mut app, "team-001");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.listing.filters.account.as_deref(), Some("100000000042"));
    // Nothing matching: Enter stays open and changes nothing.
    press(&mut app, KeyCode::Char('A'));
    type_text(&mut app, "zzz");
    press(&mut app, KeyCode::Enter);
    assert!(app.dialog.is_some());
    assert_eq!(app.listing.filters.account.as_deref(), Some("100000000042"));
    press(&mut app, KeyCode::Esc);
    // `every account` clears the filter.
    press(&mut app, KeyCode::Char('A'));
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.listing.filters.account, None);
    assert_eq!(app.listing.visible_len(), app.listing.all().len());
}

#[test]
fn the_selection_moves_by_rows_and_pages_within_the_list() {
    let mut app = app();
    press(&mut app, KeyCode::Char('A'));
    press(&mut app, KeyCode::PageDown);
    press(&mut app, KeyCode::PageDown);
    press(&mut app, KeyCode::Down);
    assert_eq!(picker(&app).selected, 41);
    press(&mut app, KeyCode::End);
    assert_eq!(picker(&app).selected, 120);
    press(&mut app, KeyCode::Down);
    assert_eq!(picker(&app).selected, 120, "clamped at the last");
    press(&mut app, KeyCode::PageUp);
    assert_eq!(picker(&app).selected, 100);
}

#[test]
fn r_and_the_commands_alone_open_the_pickers() {
    let mut app = app();
    press(&mut app, KeyCode::Char('R'));
    let p = picker(&app);
    assert_eq!(p.kind, PickerKind::Region);
    assert_eq!(p.choices.len(), 4);
    type_text(&mut app, "central");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.listing.filters.region.as_deref(), Some("eu-central-1"));
    for (command, kind) in [(":account", PickerKind::Account), (":reg", PickerKind::Region)] {
        type_text(&mut app, command);
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.mode, Mode::Normal);
        assert_eq!(picker(&app).kind, kind, "{command}");
        press(&mut app, KeyCode::Esc);
    }
    type_text(&mut app, ":region all");
    press(&mut app, KeyCode::Enter);
    assert!(app.dialog.is_none());
    assert_eq!(app.listing.filters.region, None);
}
