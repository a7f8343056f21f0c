use super::*;
use crate::engine::Row;
use crate::model::testing::control_finding;
use crate::model::Severity;
use crate::policy::{Decision, Verdict};
use crate::triage::{Assessment, PlanStatus};
use crate::ui::app::{App, Mode};
use crossterm::event::KeyModifiers;
use std::sync::Arc;

fn app() -> App {
    let mut app = App::new(crate::ui::Theme::load("dark", None).expect("theme"), "test".into(), false);
    let rows: Vec<Row> = (0..12)
        .map(|n| {
            let mut f = control_finding(
                ["S3.8", "EC2.13"][n % 2],
                Severity::High,
                ["210987654321", "345678901234"][n % 2],
                "AwsS3Bucket",
            );
            f.id = format!("finding-{n}").into();
            f.region = ["eu-west-1", "eu-central-1", "us-east-1"][n % 3].into();
            f.first_observed_at = chrono::DateTime::from_timestamp(1_700_000_000 + n as i64 * 3600, 0);
            let decision =
                Decision { verdict: Verdict::Manual, reason: "".into(), exception: None, exception_note: None };
            Row::new(Arc::new(f), Assessment { decision, plan: PlanStatus::NoPlaybook })
        })
        .collect();
    app.account_names.insert("210987654321".into(), "payments-prod".into());
    app.add_rows(rows);
    app
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        let code = match c {
            '\t' => KeyCode::Tab,
            '\n' => KeyCode::Enter,
            c => KeyCode::Char(c),
        };
        app.on_event(&crossterm::event::Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }
}

fn accounts(app: &App) -> BTreeSet<String> {
    app.listing.window(0, usize::MAX).map(|r| r.finding.account_id.clone()).collect()
}

#[test]
fn tab_completes_the_command_and_the_account_name_and_enter_filters() {
    let mut app = app();
    keys(&mut app, ":ac\t");
    assert_eq!(app.command.input, "account ");
    keys(&mut app, "pay\t");
    assert_eq!(app.command.input, "account payments-prod ");
    keys(&mut app, "\n");
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(accounts(&app), BTreeSet::from(["210987654321".to_string()]));
    assert_eq!(app.status_message.as_deref(), Some("account 210987654321 (payments-prod)"));
    keys(&mut app, ":account all\n");
    assert_eq!(accounts(&app).len(), 2);
}

#[test]
fn regions_complete_as_far_as_they_agree_and_unknown_ones_are_refused() {
    let mut app = app();
    keys(&mut app, ":region eu\t");
    assert_eq!(app.command.input, "region eu-");
    assert_eq!(app.command.candidates(&app.ctx), ["eu-central-1", "eu-west-1"]);
    keys(&mut app, "w\t\n");
    assert!(app.listing.window(0, usize::MAX).all(|r| r.finding.region == "eu-west-1"));
    assert_eq!(app.listing.visible_len(), 4);
    keys(&mut app, ":region mars-1\n");
    assert!(app.status_message.as_deref().is_some_and(|m| m.contains("no finding is in region `mars-1`")));
    assert_eq!(app.listing.filters.region.as_deref(), Some("eu-west-1"), "unchanged");
}

#[test]
fn sort_age_puts_the_oldest_first_and_theme_and_mistakes_answer() {
    let mut app = app();
    keys(&mut app, ":sort age\n");
    let first: Vec<String> = app.listing.window(0, 2).map(|r| r.finding.id.to_string()).collect();
    assert_eq!(first, ["finding-0", "finding-1"]);
    keys(&mut app, ":sort age asc\n");
    assert_eq!(app.listing.selected_row().map(|r| r.finding.id.to_string()).as_deref(), Some("finding-11"));
    keys(&mut app, ":theme light\n");
    assert_eq!(app.status_message.as_deref(), Some("theme light"));
    assert_eq!(app.theme, crate::ui::Theme::load("light", None).expect("theme"));
    keys(&mut app, ":frobnicate\n");
    assert!(app.status_message.as_deref().is_some_and(|m| m.contains("unknown command `frobnicate`")));
    keys(&mut app, ":q\n");
    assert!(app.quit);
}

#[test]
fn colon_overview_opens_the_overview_and_asks_for_the_history() {
    let mut app = app();
    let mut effects = Vec::new();
    for c in ":overview\n".chars() {
        let code = if c == '\n' { KeyCode::Enter } else { KeyCode::Char(c) };
        effects.extend(app.on_event(&crossterm::event::Event::Key(KeyEvent::new(code, KeyModifiers::NONE))));
    }
    assert_eq!(app.view, crate::ui::app::View::Overview);
    assert!(effects.iter().any(|e| matches!(e, crate::ui::app::Effect::LoadHistory { .. })), "{effects:?}");
    assert_eq!(app.views.overview.figures.as_ref().map(|f| f.findings), Some(12));
}
