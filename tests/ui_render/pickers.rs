//! The account and region pickers drawn: the demo organisation's accounts with names, ids and counts; typing
//! narrows the list; with 120 accounts the list scrolls to keep the selection in view; at 80×24 it fits.

use super::demo::demo_app;
use super::fixtures::press;
use super::{assessed, corpus_file, render, text, type_text};
use crossterm::event::KeyCode;
use hubtriage::model::asff::read_document;
use hubtriage::ui::{App, Theme};

/// 120 accounts named `team-000`…`team-119`, account `i` with `i % 4 + 1` findings.
fn many_accounts() -> App {
    let mut app = App::new(Theme::load("dark", None).expect("theme"), "120 accounts".into(), false);
    let template = read_document(&corpus_file("automated-security-response-on-aws/simdata__afsbp-s3.8.json"))
        .findings
        .into_iter()
        .find(|f| f.is_open())
        .expect("an open S3.8 finding");
    let mut findings = Vec::new();
    for i in 0..120usize {
        let id = format!("{}", 200_000_000_000u64 + i as u64);
        app.account_names.insert(id.clone(), format!("team-{i:03}"));
        for n in 0..(i % 4 + 1) {
            let mut f = template.clone();
            f.account_id = id.as_str().into();
            f.id = format!("finding-{i}-{n}").into();
            findings.push(f);
        }
    }
    app.add_rows(assessed(findings));
    app
}

#[test]
fn the_demo_account_picker_shows_names_ids_and_counts_and_narrows_as_you_type() {
    let mut app = demo_app();
    press(&mut app, KeyCode::Char('A'));
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains(" Account 1/"), "{screen}");
    assert!(screen.contains("every account"), "{screen}");
    let (id, name) = app.account_names.iter().next().map(|(i, n)| (i.clone(), n.clone())).expect("a named account");
    let count = app.listing.all().iter().filter(|r| *r.finding.account_id == *id && r.finding.is_open()).count();
    let line = screen.lines().find(|l| l.contains(&format!("{name} ({id})"))).unwrap_or_else(|| panic!("{screen}"));
    assert!(line.contains(&format!("{count} findings")), "{line}");
    type_text(&mut app, &name);
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains(&format!("› {name}█")), "{screen}");
    assert!(!screen.contains("every account"), "narrowed\n{screen}");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.listing.filters.account.as_deref(), Some(id.as_str()));
    assert!(text(&render(&app, 200, 50)).contains(&format!("account {name} ({id})")));
}

#[test]
fn with_120_accounts_the_list_scrolls_to_keep_the_selection_in_view_at_80x24() {
    let mut app = many_accounts();
    press(&mut app, KeyCode::Char('A'));
    let screen = text(&render(&app, 80, 24));
    assert!(screen.contains(" Account 1/121 "), "{screen}");
    assert!(screen.contains("▶ every account"), "{screen}");
    for _ in 0..3 {
        press(&mut app, KeyCode::PageDown);
    }
    let screen = text(&render(&app, 80, 24));
    assert!(screen.contains(" Account 61/121 "), "{screen}");
    let selected =
        screen.lines().find(|l| l.contains("▶ team-")).unwrap_or_else(|| panic!("selection in view\n{screen}"));
    assert!(selected.contains("finding"), "{selected}");
    assert!(!screen.contains("every account"), "scrolled past the top\n{screen}");
    press(&mut app, KeyCode::End);
    let screen = text(&render(&app, 80, 24));
    assert!(screen.contains(" Account 121/121 "), "{screen}");
    assert!(screen.lines().any(|l| l.contains("▶ team-")), "{screen}");
    // The region picker of the same table: one region.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('R'));
    let screen = text(&render(&app, 80, 24));
    assert!(screen.contains(" Region 1/2 ") && screen.contains("every region"), "{screen}");
}
