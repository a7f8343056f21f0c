//! Render tests of exceptions: the `x` form (defaults, renewal, every error inline, the Effect) and the `X`
//! confirmation, on the corpus's EC2.13 finding (security group sg-47dddc34c51b4be58). The Exceptions view is in
//! `exceptions_view.rs`.

use super::fixtures::*;
use super::{app, render, text};
use chrono::{Duration, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use hubtriage::engine::exceptions::{ExceptionInput, ExceptionOp};
use hubtriage::policy::{ExceptionTag, Verdict};
use hubtriage::ui::app::Effect;
use hubtriage::ui::App;

const OPERATOR: &str = "alice@example.com";

/// `fix_app` with an operator identity and `[exceptions]` of 14 days by default, 60 at most.
pub fn exception_app() -> App {
    let mut app = fix_app();
    app.operator = OPERATOR.into();
    app.exceptions.default_days = 14;
    app.exceptions.max_days = 60;
    app
}

fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    app.on_event(&Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)))
}

fn type_in(app: &mut App, s: &str) {
    for c in s.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// The one exception change the effects ask for.
pub fn exception_op(effects: &[Effect]) -> &ExceptionOp {
    match effects {
        [Effect::Exception(op)] => op,
        other => panic!("one exception change expected: {other:?}"),
    }
}

/// The exception the effects ask to add (or renew).
pub fn added(effects: &[Effect]) -> &ExceptionInput {
    match exception_op(effects) {
        ExceptionOp::Add(input) => input,
        other => panic!("an addition expected: {other:?}"),
    }
}

/// The index of the first screen line holding `needle`.
pub fn line_of(screen: &str, needle: &str) -> usize {
    screen.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle:?} not drawn\n{screen}"))
}

/// Gives the selected finding a valid exception, as a live read that found the tags would.
fn except_selected(app: &mut App) {
    let row = app.listing.selected_row().cloned().expect("selected");
    let mut assessment = row.assessment();
    assessment.decision.verdict = Verdict::Excepted;
    assessment.decision.exception = Some(Box::new(ExceptionTag {
        reason: "pen test window".into(),
        expires: Utc::now() + Duration::days(10),
        owner: Some("carol".into()),
        controls: None,
    }));
    app.listing.set_assessment(&row.finding.key(), assessment);
}

#[test]
fn the_form_starts_with_the_defaults_and_submits_what_was_typed() {
    let mut app = exception_app();
    assert!(press(&mut app, KeyCode::Char('x')).is_empty());
    let screen = text(&render(&app, 200, 50));
    for expected in [
        " Add exception ",
        "AwsEc2SecurityGroup arn:aws:ec2:us-east-1:111111111111:security-group/sg-47dddc34c51b4be58",
        "in 111111111111 (prod-payments) / us-east-1",
        "Reason   █",
        "Expires  14d",
        "YYYY-MM-DD, RFC 3339 or Nd, at most 60 days",
        &format!("Owner    {OPERATOR}"),
        "Enter add",
    ] {
        assert!(screen.contains(expected), "{expected}\n{screen}");
    }
    type_in(&mut app, "vendor scanner needs port 22");
    press(&mut app, KeyCode::BackTab); // Shift-Tab wraps to the controls: the finding's own by default
    let controls = app
        .listing
        .selected_row()
        .and_then(|r| r.finding.control_id.as_deref().map(str::to_string))
        .expect("a control");
    assert!(text(&render(&app, 200, 50)).contains(&format!("Controls {controls}█")), "{controls}");
    press(&mut app, KeyCode::BackTab); // → owner
    ctrl(&mut app, 'u');
    type_in(&mut app, "bob");
    assert!(text(&render(&app, 200, 50)).contains("Owner    bob█"));
    press(&mut app, KeyCode::Tab); // → controls
    press(&mut app, KeyCode::Tab); // → reason
    press(&mut app, KeyCode::Tab); // → expires
    for _ in 0..3 {
        press(&mut app, KeyCode::Backspace);
    }
    type_in(&mut app, "45d");
    assert!(text(&render(&app, 200, 50)).contains("Expires  45d█"));
    let effects = press(&mut app, KeyCode::Enter);
    let input = added(&effects);
    assert_eq!(input.reason, "vendor scanner needs port 22");
    assert_eq!(input.expires, "45d");
    assert_eq!(input.owner, "bob");
    assert_eq!(input.controls, controls, "limited to the finding's control unless cleared");
    assert_eq!((input.account_id.as_str(), input.region.as_str()), ("111111111111", "us-east-1"));
    assert_eq!(input.resource.id, SG_ARN);
    assert!(app.dialog.is_none());
    assert!(text(&render(&app, 200, 50)).contains("exception on sg-47dddc34c51b4be58 submitted"));
}

#[test]
fn each_error_is_shown_under_its_field_and_the_form_stays_open() {
    let mut app = exception_app();
    press(&mut app, KeyCode::Char('x'));
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let screen = text(&render(&app, 200, 50));
    assert_eq!(line_of(&screen, "✗ reason: an exception needs a reason"), line_of(&screen, "Reason ") + 1, "{screen}");
    type_in(&mut app, "r");
    assert!(!text(&render(&app, 200, 50)).contains("needs a reason"), "typing in the field clears its error");

    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_in(&mut app, "2020-01-01");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let screen = text(&render(&app, 200, 50));
    let error = line_of(&screen, "✗ expires: 2020-01-01 23:59 UTC is in the past");
    assert!(line_of(&screen, "Expires ") < error && error < line_of(&screen, "Owner "), "{screen}");

    ctrl(&mut app, 'u');
    type_in(&mut app, "400d");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let screen = text(&render(&app, 200, 50));
    let error = line_of(&screen, "is beyond the maximum of 60 days (exceptions.max_days)");
    assert!(screen.lines().nth(error).is_some_and(|l| l.contains("✗ expires: ")), "{screen}");
    assert!(line_of(&screen, "Expires ") < error && error < line_of(&screen, "Owner "), "{screen}");

    ctrl(&mut app, 'u');
    type_in(&mut app, "2d");
    press(&mut app, KeyCode::Tab);
    type_in(&mut app, &"x".repeat(300));
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let screen = text(&render(&app, 200, 50));
    assert!(line_of(&screen, "✗ owner: at most 256 characters") > line_of(&screen, "Owner "), "{screen}");
    assert!(app.dialog.is_some(), "an error keeps the form open");
}

#[test]
fn a_resource_that_cannot_carry_tags_is_said_at_once() {
    let mut app = exception_app();
    let mut row = app.listing.selected_row().cloned().expect("selected");
    let mut finding = (*row.finding).clone();
    finding.resources[0].kind = "AwsAccount".into();
    row.finding = std::sync::Arc::new(finding);
    app.add_rows(vec![row]);
    assert_eq!(
        app.listing.selected_row().and_then(|r| r.finding.primary_resource()).map(|r| &*r.kind),
        Some("AwsAccount")
    );
    press(&mut app, KeyCode::Char('x'));
    let message = "resource: AwsAccount resources cannot carry tags, so they cannot hold an exception";
    assert!(text(&render(&app, 200, 50)).contains(message), "before any Enter");
    type_in(&mut app, "a reason");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(text(&render(&app, 200, 50)).contains(message));
}

#[test]
fn a_valid_exception_makes_the_form_a_renewal_prefilled_with_reason_and_owner() {
    let mut app = exception_app();
    except_selected(&mut app);
    press(&mut app, KeyCode::Char('x'));
    let screen = text(&render(&app, 200, 50));
    for expected in [
        " Renew exception ",
        "Renew the exception on",
        "Reason   pen test window█",
        "Owner    carol",
        "Expires  14d",
        "Enter renew",
    ] {
        assert!(screen.contains(expected), "{expected}\n{screen}");
    }
    assert!(screen.contains("now: 'pen test window' until"), "{screen}");
    let effects = press(&mut app, KeyCode::Enter);
    let input = added(&effects);
    assert_eq!(
        (input.reason.as_str(), input.owner.as_str(), input.expires.as_str()),
        ("pen test window", "carol", "14d")
    );
}

#[test]
fn read_only_opens_the_form_but_submits_nothing() {
    let mut app = exception_app();
    app.read_only = true;
    press(&mut app, KeyCode::Char('x'));
    type_in(&mut app, "a reason");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains("read-only mode: nothing will be changed"), "{screen}");
    assert!(app.dialog.is_some());
}

#[test]
fn a_prod_account_needs_a_capital_y_after_enter() {
    let mut app = exception_app();
    app.account_classes.insert("111111111111".into(), "prod".into());
    press(&mut app, KeyCode::Char('x'));
    type_in(&mut app, "a reason");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains("PRODUCTION: account 111111111111 (prod-payments) is class prod"), "{screen}");
    assert!(screen.contains("Press capital Y to add the exception"), "{screen}");
    assert!(press(&mut app, KeyCode::Char('y')).is_empty());
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(
        matches!(press(&mut app, KeyCode::Char('Y')).as_slice(), [Effect::Exception(op)] if matches!(**op, ExceptionOp::Add(_)))
    );
}

#[test]
fn offline_x_says_exceptions_need_live_access() {
    let mut app = app("dark");
    assert!(press(&mut app, KeyCode::Char('x')).is_empty());
    assert!(app.dialog.is_none());
    assert!(text(&render(&app, 200, 40)).contains("exceptions need live access"));
}

#[test]
fn capital_x_confirms_the_removal_of_the_exception() {
    let mut app = exception_app();
    press(&mut app, KeyCode::Char('X'));
    assert!(app.dialog.is_none());
    assert!(text(&render(&app, 200, 40)).contains("no exception on sg-47dddc34c51b4be58: x adds one"));
    except_selected(&mut app);
    press(&mut app, KeyCode::Char('X'));
    let screen = text(&render(&app, 200, 50));
    let expires = (Utc::now() + Duration::days(10)).format("%Y-%m-%d").to_string();
    let question =
        format!("remove exception 'pen test window' (expires {expires}, owner carol) from sg-47dddc34c51b4be58?");
    assert!(screen.contains(&question), "{question}\n{screen}");
    assert!(screen.contains("y / Enter remove"), "{screen}");
    let effects = press(&mut app, KeyCode::Char('y'));
    let ExceptionOp::Remove { account_id, region, resource } = exception_op(&effects) else { panic!("{effects:?}") };
    assert_eq!((account_id.as_str(), region.as_str(), resource.id.as_str()), ("111111111111", "us-east-1", SG_ARN));

    app.account_classes.insert("111111111111".into(), "prod".into());
    press(&mut app, KeyCode::Char('X'));
    assert!(press(&mut app, KeyCode::Char('y')).is_empty(), "prod needs a capital Y");
    assert!(
        matches!(press(&mut app, KeyCode::Char('Y')).as_slice(), [Effect::Exception(op)] if matches!(**op, ExceptionOp::Remove { .. }))
    );
}
