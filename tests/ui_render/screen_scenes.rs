//! The scenes of the whole-screen tests: one app per view, the help overlay and each dialog, built from the corpus
//! fixtures with fixed times and drawn in the theme asked for.

use super::approvals::request;
use super::exceptions::exception_app;
use super::fixtures::*;
use super::{app, type_text};
use chrono::{Duration, TimeZone, Utc};
use crossterm::event::KeyCode;
use hubtriage::actions::{ActionConfig, ActionKind, ActionScope};
use hubtriage::cloud::SourceId;
use hubtriage::engine::approval_work::ApprovalReply;
use hubtriage::engine::exceptions::{ExceptionEntry, ExceptionStatus};
use hubtriage::engine::jobs::{JobKind, JobState};
use hubtriage::engine::{Msg, SourceStatus};
use hubtriage::review::{ApprovalRequest, ApprovalStatus};
use hubtriage::ui::app::Effect;
use hubtriage::ui::context::DeskState;
use hubtriage::ui::{App, Theme};

/// Every scene, by the name its screens carry.
pub const SCENES: [&str; 18] = [
    "findings",
    "help",
    "sources",
    "jobs",
    "audit",
    "exceptions",
    "output",
    "approvals",
    "overview",
    "exception-form",
    "approve",
    "reject",
    "action-menu",
    "apply",
    "rollback",
    "incident",
    "grouped",
    "account-picker",
];

/// The app of scene `name`, drawn in `theme`.
pub fn scene(name: &str, theme: &str) -> App {
    let mut app = match name {
        "findings" => app(theme),
        "help" => {
            let mut app = app(theme);
            press(&mut app, KeyCode::Char('?'));
            app
        }
        "sources" => sources(),
        "jobs" => jobs(),
        "audit" => {
            let mut app = fix_app();
            app.audit = history();
            press(&mut app, KeyCode::Char('4'));
            app
        }
        "exceptions" => exceptions(),
        "output" => output(),
        "approvals" => approvals(),
        "overview" => {
            let mut app = app(theme);
            press(&mut app, KeyCode::Char('0'));
            app
        }
        "exception-form" => {
            let mut app = exception_app();
            press(&mut app, KeyCode::Char('x'));
            app
        }
        "approve" => {
            let mut app = approvals();
            press(&mut app, KeyCode::Char('y'));
            app
        }
        "reject" => {
            let mut app = approvals();
            press(&mut app, KeyCode::Char('n'));
            type_text(&mut app, "not during the freeze");
            app
        }
        "action-menu" => {
            let mut app = fix_app();
            app.actions = actions();
            press(&mut app, KeyCode::Char('c'));
            app
        }
        "apply" => dialog_app(),
        "rollback" => {
            let mut app = fix_app();
            app.audit = history();
            press(&mut app, KeyCode::Char('u'));
            app
        }
        "incident" => {
            let mut app = fix_app();
            press(&mut app, KeyCode::Char('I'));
            app
        }
        "grouped" => {
            let mut app = app(theme);
            press(&mut app, KeyCode::Char('b'));
            press(&mut app, KeyCode::Enter);
            app
        }
        "account-picker" => {
            let mut app = app(theme);
            press(&mut app, KeyCode::Char('A'));
            app
        }
        other => panic!("no scene {other}"),
    };
    app.theme = Theme::load(theme, None).expect("theme");
    app
}

fn sources() -> App {
    let mut app = app("dark");
    let source = |a: &str, r: &str| SourceId { account_id: a.into(), region: r.into() };
    for (id, status) in [
        (source("111111111111", "eu-west-1"), SourceStatus::Cached { findings: 120, synced_from: None }),
        (source("111111111111", "us-east-1"), SourceStatus::Loading { pages: 2, findings: 200 }),
        (
            source("222222222222", "eu-west-1"),
            SourceStatus::Denied("AssumeRole arn:aws:iam::222222222222:role/Triage: not authorized".into()),
        ),
        (
            source("222222222222", "us-east-1"),
            SourceStatus::NotEnabled("Account is not subscribed to AWS Security Hub".into()),
        ),
    ] {
        app.on_msg(Msg::SourceState { source: id, status });
    }
    app.note_problems(None, vec!["findings.json: line 3: not an ASFF finding".into()]);
    press(&mut app, KeyCode::Char('2'));
    app
}

fn jobs() -> App {
    let mut app = fix_app();
    let key = app.listing.selected_row().map(|r| r.finding.key()).expect("selected");
    let states = [
        (1, JobKind::Apply { auto: false }, JobState::Verified),
        (2, JobKind::Apply { auto: true }, JobState::Failed(ACCESS_DENIED.into())),
        (3, JobKind::Rollback, JobState::Verifying { attempt: 2, of: 6 }),
    ];
    for (id, kind, state) in states {
        let Msg::Job(mut update) = job(id, kind, state, &key) else { unreachable!() };
        // Started "in the future": the age column shows 0s whatever the clock says.
        update.started_at = at(2099, 1, 1, 0);
        app.on_msg(Msg::Job(update));
    }
    press(&mut app, KeyCode::Char('3'));
    app
}

fn entry(resource: &str, days: Option<i64>, status: ExceptionStatus) -> ExceptionEntry {
    let today = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).single().expect("time");
    ExceptionEntry {
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        resource_type: "AwsS3Bucket".into(),
        resource_id: format!("arn:aws:s3:::{resource}"),
        reason: format!("reason of {resource}"),
        owner: Some("dave".into()),
        expires: days.map(|d| today + Duration::days(d)),
        days_left: days,
        status,
        flag: None,
        controls: None,
    }
}

fn exceptions() -> App {
    let mut app = exception_app();
    press(&mut app, KeyCode::Char('5'));
    app.on_msg(Msg::Exceptions {
        entries: vec![
            entry("valid-bucket", Some(40), ExceptionStatus::Valid),
            entry("unreadable-bucket", None, ExceptionStatus::Invalid("tag SecurityExceptionExpiry is missing".into())),
            entry("expired-bucket", Some(-3), ExceptionStatus::Expired),
            entry("soon-bucket", Some(2), ExceptionStatus::ExpiringSoon),
        ],
        problems: vec!["222222222222/eu-west-1: AccessDenied: tag:GetResources".into()],
    });
    app
}

/// `ticket` (any finding) and `quarantine` (security groups; dangerous, asks first).
fn actions() -> Vec<ActionConfig> {
    let groups = ActionScope { resource_types: vec!["AwsEc2SecurityGroup".into()], ..ActionScope::default() };
    vec![
        ActionConfig {
            name: "ticket".into(),
            key: Some('t'),
            description: "open a ticket for the finding".into(),
            scope: ActionScope::default(),
            confirm: false,
            dangerous: false,
            kind: ActionKind::Command { argv: vec!["ticket-cli".into(), "{finding_id}".into()], timeout_seconds: 10 },
        },
        ActionConfig {
            name: "quarantine".into(),
            key: Some('Q'),
            description: "detach the security group".into(),
            scope: groups,
            confirm: true,
            dangerous: true,
            kind: ActionKind::SsmAutomation {
                document: "AWS-DisablePublicAccess".into(),
                parameters: Default::default(),
            },
        },
    ]
}

fn output() -> App {
    let mut app = fix_app();
    app.actions = actions();
    press(&mut app, KeyCode::Char('c'));
    let effects = press(&mut app, KeyCode::Char('t'));
    let [Effect::RunAction { run, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    let run = *run;
    app.on_msg(Msg::ActionOutput { run, text: "created ticket SEC-101\nassigned to team-a\n".into() });
    app.on_msg(Msg::ActionDone { run, outcome: Ok("ticket SEC-101".into()) });
    for r in &mut app.action_runs.runs {
        r.started_at = at(2026, 11, 21, 12);
    }
    press(&mut app, KeyCode::Char('6'));
    app
}

fn approvals() -> App {
    const PROD: &str = "210987654321";
    let mut app = App::new(Theme::load("dark", None).expect("theme"), "test".into(), true);
    app.account_names.insert(PROD.into(), "prod-payments".into());
    app.account_classes.insert(PROD.into(), "prod".into());
    app.desk = DeskState::Ready;
    let effects = press(&mut app, KeyCode::Char('7'));
    let [Effect::Approval { req, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    let mut pending = request("apr-000000000001", PROD, "acme-payments", 11);
    pending.note = Some("public bucket, customer data".into());
    let rejected: ApprovalRequest = request("apr-000000000002", "345678901234", "staging-logs", 9).decided(
        ApprovalStatus::Rejected,
        "arn:aws:sts::123456789012:assumed-role/Triage/bob",
        at(2026, 11, 21, 10),
        Some("not during the freeze".into()),
    );
    app.on_msg(Msg::Approval { req: *req, reply: Box::new(ApprovalReply::Listed(Ok(vec![rejected, pending]))) });
    app
}
