//! Render tests of the Exceptions view: every exception by expiry with expired and expiring-soon ones flagged in
//! theme colours, the sources that could not be listed, `r` and `x` there, and what an ended exception job refreshes.

use super::exceptions::{added, exception_app, line_of};
use super::fixtures::*;
use super::{render, text};
use chrono::{Duration, Utc};
use crossterm::event::KeyCode;
use hubtriage::engine::exceptions::{ExceptionEntry, ExceptionStatus};
use hubtriage::engine::jobs::{JobKind, JobState};
use hubtriage::engine::Msg;
use hubtriage::policy::Verdict;
use hubtriage::ui::app::{Effect, View};
use ratatui::buffer::Buffer;
use ratatui::style::Color;

fn entry(resource: &str, days: Option<i64>, status: ExceptionStatus) -> ExceptionEntry {
    ExceptionEntry {
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        resource_type: "AwsS3Bucket".into(),
        resource_id: format!("arn:aws:s3:::{resource}"),
        reason: format!("reason of {resource}"),
        owner: Some("dave".into()),
        expires: days.map(|d| Utc::now() + Duration::days(d) + Duration::hours(1)),
        days_left: days,
        status,
        flag: None,
        controls: None,
    }
}

/// The foreground colour of `word` on the first screen line holding `marker`.
fn fg_on_line(buffer: &Buffer, marker: &str, word: &str) -> Option<Color> {
    let y = line_of(&text(buffer), marker) as u16;
    let chars: Vec<String> = word.chars().map(String::from).collect();
    (0..buffer.area.width.saturating_sub(chars.len() as u16))
        .find(|&x| chars.iter().enumerate().all(|(i, c)| buffer[(x + i as u16, y)].symbol() == c))
        .map(|x| buffer[(x, y)].fg)
}

#[test]
fn exceptions_view_lists_by_expiry_with_flags_in_theme_colours_and_the_problems() {
    let mut app = exception_app();
    assert!(matches!(press(&mut app, KeyCode::Char('5')).as_slice(), [Effect::RefreshExceptions]));
    assert!(text(&render(&app, 200, 40)).contains("listing…"));
    app.on_msg(Msg::Exceptions {
        entries: vec![
            entry("valid-bucket", Some(40), ExceptionStatus::Valid),
            entry("unreadable-bucket", None, ExceptionStatus::Invalid("tag SecurityExceptionExpiry is missing".into())),
            entry("expired-bucket", Some(-3), ExceptionStatus::Expired),
            entry("soon-bucket", Some(2), ExceptionStatus::ExpiringSoon),
        ],
        problems: vec!["222222222222/eu-west-1: AccessDenied: tag:GetResources".into()],
    });
    let buffer = render(&app, 200, 40);
    let screen = text(&buffer);
    for column in ["Resource", "Account", "Region", "Reason", "Owner", "Expires", "Days left", "Status"] {
        assert!(screen.contains(column), "{column}\n{screen}");
    }
    assert!(
        screen.contains("Exceptions: 4 · 1 expired · 1 expiring soon · 1 source(s) could not be listed"),
        "{screen}"
    );
    assert!(screen.contains("could not list: 222222222222/eu-west-1: AccessDenied: tag:GetResources"), "{screen}");
    let order: Vec<usize> = ["expired-bucket", "soon-bucket", "valid-bucket", "unreadable-bucket"]
        .iter()
        .map(|b| line_of(&screen, b))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "soonest expiry first\n{screen}");
    let row = screen.lines().nth(order[0]).expect("row");
    assert!(row.contains("prod-payments") && row.contains("eu-west-1") && row.contains("dave"), "{row}");
    assert!(row.contains("expired 3 days ago") && row.contains("reason of expired-bucket"), "{row}");
    assert!(screen.contains("2 days") && screen.contains("40 days") && screen.contains("invalid: tag"), "{screen}");
    let t = &app.theme;
    let expired = fg_on_line(&buffer, "expired-bucket", "expired 3 days ago");
    let soon = fg_on_line(&buffer, "soon-bucket", "expiring soon");
    let valid = fg_on_line(&buffer, "valid-bucket", "valid "); // the status, not the bucket name
    assert_eq!(expired, t.exception(&ExceptionStatus::Expired).fg);
    assert_eq!(soon, t.exception(&ExceptionStatus::ExpiringSoon).fg);
    assert_eq!(valid, t.exception(&ExceptionStatus::Valid).fg);
    assert!(expired != soon && soon != valid && expired != valid, "{expired:?} {soon:?} {valid:?}");
    press(&mut app, KeyCode::Char('j'));
    assert!(
        text(&render(&app, 200, 40)).contains("AwsS3Bucket arn:aws:s3:::soon-bucket in 111111111111 (prod-payments)")
    );
    press(&mut app, KeyCode::Char('G'));
    let screen = text(&render(&app, 200, 40));
    assert!(screen.contains("invalid: tag SecurityExceptionExpiry is missing · expires unreadable"), "{screen}");
    assert!(matches!(press(&mut app, KeyCode::Char('r')).as_slice(), [Effect::RefreshExceptions]), "r lists again");
    press(&mut app, KeyCode::Char('1'));
    assert!(matches!(press(&mut app, KeyCode::Char('r')).as_slice(), [Effect::RefreshNow]));
}

#[test]
fn x_in_the_exceptions_view_renews_the_selected_entry() {
    let mut app = exception_app();
    press(&mut app, KeyCode::Char('5'));
    app.on_msg(Msg::Exceptions {
        entries: vec![entry("soon-bucket", Some(2), ExceptionStatus::ExpiringSoon)],
        problems: vec![],
    });
    press(&mut app, KeyCode::Char('x'));
    assert!(text(&render(&app, 200, 50)).contains("Reason   reason of soon-bucket█"));
    let effects = press(&mut app, KeyCode::Enter);
    let input = added(&effects);
    assert_eq!(
        (input.resource.id.as_str(), input.region.as_str(), input.owner.as_str()),
        ("arn:aws:s3:::soon-bucket", "eu-west-1", "dave")
    );
}

#[test]
fn an_ended_exception_job_refreshes_the_view_and_the_verdicts_of_its_resource() {
    let mut app = exception_app();
    app.live_reads = true;
    let sg = app.listing.selected_row().map(|r| r.finding.key()).expect("selected");
    app.before_draw();
    press(&mut app, KeyCode::Char('5'));
    app.on_msg(Msg::Exceptions { entries: vec![], problems: vec![] });
    press(&mut app, KeyCode::Char('1'));
    press(&mut app, KeyCode::Char('j')); // the S3.8 finding is selected; the job is about the security group
    app.before_draw();
    app.on_msg(job(5, JobKind::ExceptionAdd, JobState::Applying, &sg));
    assert!(app.before_draw().is_empty(), "nothing before the job ends");
    app.on_msg(job(5, JobKind::ExceptionAdd, JobState::Verified, &sg));
    assert!(text(&render(&app, 200, 50)).contains(&format!("job #5 exception on {SG_ARN}: verified")));
    let effects = app.before_draw();
    assert!(effects.iter().any(|e| matches!(e, Effect::RefreshExceptions)), "{effects:?}");
    let req = effects
        .iter()
        .find_map(|e| match e {
            Effect::LivePlan { req, finding } if finding.key() == sg => Some(*req),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the security group's finding is read again: {effects:?}"));
    let mut assessment = app.listing.all().iter().find(|r| r.finding.key() == sg).expect("row").assessment();
    assessment.decision.verdict = Verdict::Excepted;
    app.on_msg(Msg::LivePlan { req, key: sg.clone(), result: Box::new(Ok(assessment)) });
    let verdict = app.listing.all().iter().find(|r| r.finding.key() == sg).map(|r| r.decision.verdict);
    assert_eq!(verdict, Some(Verdict::Excepted));
    assert_eq!(app.view, View::Findings);
    assert!(text(&render(&app, 200, 50)).contains("excepted"));
}
