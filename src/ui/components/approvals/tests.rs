//! The approval keys and messages of the app: `p` asks the desk for the selected finding, `y` confirms before it
//! approves (capital `Y` in production), `n` needs a reason, answers update the list, the status line and the
//! verdicts of findings that changed hands; without a desk or in read-only mode nothing leaves.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::engine::Msg;
use crate::model::testing::control_finding;
use crate::model::Severity;
use crate::playbook::{Basis, Step};
use crate::policy::{Decision, Verdict};
use crate::review::plan_file::{FilePlan, PlannedFinding};
use crate::triage::{Assessment, PlanStatus};
use crate::ui::app::{App, View};
use crate::ui::context::DeskState;
use crate::ui::Theme;
use chrono::TimeZone;
use chrono::Utc;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;

const PROD: &str = "210987654321";
const DEV: &str = "345678901234";

fn row(account: &str) -> crate::engine::Row {
    let finding = control_finding("S3.8", Severity::High, account, "AwsS3Bucket");
    let decision =
        Decision { verdict: Verdict::NeedsApproval, reason: "".into(), exception: None, exception_note: None };
    crate::engine::Row::new(Arc::new(finding), Assessment { decision, plan: PlanStatus::NoPlaybook })
}

/// A connected app with one finding in `account`, its desk ready.
fn app(account: &str) -> App {
    let mut app = App::new(Theme::load("dark", None).unwrap(), "test".into(), true);
    app.add_rows(vec![row(account)]);
    app.account_classes.insert(PROD.into(), "prod".into());
    app.desk = DeskState::Ready;
    app
}

fn request(id: &str, account: &str, status: ApprovalStatus) -> ApprovalRequest {
    let at = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).single().unwrap();
    let finding = PlannedFinding {
        id: "finding-1".into(),
        product_arn: "arn:aws:securityhub:eu-west-1::product/aws/securityhub".into(),
        account_id: account.into(),
        region: "eu-west-1".into(),
        control_id: Some("S3.8".into()),
        title: "S3 general purpose buckets should block public access".into(),
        severity: "HIGH".into(),
        resource_type: Some("AwsS3Bucket".into()),
        resource_id: Some("arn:aws:s3:::acme-logs".into()),
        verdict: Verdict::NeedsApproval,
        reason: "prod changes need a person".into(),
        plan_status: "planned".into(),
        plan: Some(FilePlan {
            playbook: "s3-block-public-access".into(),
            summary: "block public access".into(),
            steps: vec![Step { action: "put block".into(), before: "off".into(), after: "on".into() }],
            cli: vec!["aws s3api put-public-access-block --bucket acme-logs".into()],
            rollback_cli: vec!["aws s3api delete-public-access-block --bucket acme-logs".into()],
            fingerprint: "fp-1".into(),
            basis: Basis::Live,
            changes: Vec::new(),
            rollback: Vec::new(),
            warnings: Vec::new(),
        }),
        errors: Vec::new(),
    };
    let class = if account == PROD { "prod" } else { "staging" };
    let ttl = std::time::Duration::from_secs(86400);
    let mut r = ApprovalRequest::new(finding, class, account == PROD, "sha256:p".into(), "alice", at, ttl);
    r.id = id.into();
    r.status = status;
    r
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.on_event(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        assert!(key(app, KeyCode::Char(c)).is_empty());
    }
}

/// The app with a listing of `requests` arrived, in the Approvals view.
fn listed(mut app: App, requests: Vec<ApprovalRequest>) -> App {
    let effects = key(&mut app, KeyCode::Char('7'));
    let [Effect::Approval { req, op: ApprovalOp::List }] = effects.as_slice() else { panic!("{effects:?}") };
    app.on_msg(Msg::Approval { req: *req, reply: Box::new(ApprovalReply::Listed(Ok(requests))) });
    app
}

#[test]
fn p_asks_the_desk_for_the_selected_finding_with_the_note_typed() {
    let mut app = app(DEV);
    assert!(key(&mut app, KeyCode::Char('p')).is_empty(), "a form first");
    assert!(matches!(app.dialog, Some(Dialog::ApprovalText(_))));
    typed(&mut app, "customer data");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Approval { op: ApprovalOp::Request { finding, note }, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(finding.key(), app.listing.selected_row().unwrap().finding.key());
    assert_eq!(note.as_deref(), Some("customer data"));
    assert!(app.dialog.is_none());
}

#[test]
fn without_a_desk_or_in_read_only_mode_p_and_7_say_why_and_ask_nothing() {
    let mut app = app(DEV);
    app.desk = DeskState::Unavailable("they need live access to the accounts (not --findings)".into());
    assert!(key(&mut app, KeyCode::Char('p')).is_empty());
    assert!(app.dialog.is_none());
    assert!(app.status_message.as_deref().unwrap().contains("not --findings"), "{:?}", app.status_message);
    assert!(key(&mut app, KeyCode::Char('7')).is_empty());
    assert_eq!(app.view, View::Approvals);
    assert!(app.status_message.as_deref().unwrap().contains("unavailable"), "{:?}", app.status_message);

    let mut app = self::app(DEV);
    app.read_only = true;
    assert!(key(&mut app, KeyCode::Char('p')).is_empty());
    assert!(app.dialog.is_none());
    assert!(app.status_message.as_deref().unwrap().starts_with("read-only mode"), "{:?}", app.status_message);
}

#[test]
fn y_confirms_first_and_then_approves_and_production_needs_a_capital_y() {
    let mut app = listed(app(DEV), vec![request("apr-dev", DEV, ApprovalStatus::Pending)]);
    assert!(key(&mut app, KeyCode::Char('y')).is_empty(), "the confirmation first");
    assert!(matches!(app.dialog, Some(Dialog::Approve(_))));
    let effects = key(&mut app, KeyCode::Char('y'));
    let [Effect::Approval { op: ApprovalOp::Approve { id }, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(id, "apr-dev");

    let mut app = listed(self::app(PROD), vec![request("apr-prod", PROD, ApprovalStatus::Pending)]);
    assert!(key(&mut app, KeyCode::Char('y')).is_empty());
    assert!(key(&mut app, KeyCode::Char('y')).is_empty(), "a small y does not approve production");
    assert!(app.status_message.as_deref().unwrap().contains("capital Y"));
    assert!(matches!(app.dialog, Some(Dialog::Approve(_))));
    let effects = key(&mut app, KeyCode::Char('Y'));
    assert!(matches!(effects.as_slice(), [Effect::Approval { op: ApprovalOp::Approve { .. }, .. }]), "{effects:?}");
}

#[test]
fn a_decided_request_is_not_offered_for_a_decision() {
    let mut app = listed(app(DEV), vec![request("apr-done", DEV, ApprovalStatus::Rejected)]);
    assert!(key(&mut app, KeyCode::Char('y')).is_empty());
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert!(app.dialog.is_none());
    assert!(app.status_message.as_deref().unwrap().contains("already rejected"), "{:?}", app.status_message);
}

#[test]
fn n_needs_a_reason_before_it_rejects() {
    let mut app = listed(app(DEV), vec![request("apr-dev", DEV, ApprovalStatus::Pending)]);
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert!(key(&mut app, KeyCode::Enter).is_empty(), "no reason, no rejection");
    let Some(Dialog::ApprovalText(form)) = &app.dialog else { panic!("the form stays") };
    assert!(form.error.as_deref().unwrap().contains("reason is needed"));
    typed(&mut app, "not during the freeze");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Approval { op: ApprovalOp::Reject { id, reason }, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!((id.as_str(), reason.as_str()), ("apr-dev", "not during the freeze"));
}

#[test]
fn answers_update_the_list_and_the_status_line_and_stale_listings_are_dropped() {
    let mut app = listed(app(DEV), vec![request("apr-dev", DEV, ApprovalStatus::Pending)]);
    let refused = "request apr-dev is for a prod account: it must be approved by another identity";
    app.on_msg(Msg::Approval {
        req: 90,
        reply: Box::new(ApprovalReply::Approved { id: "apr-dev".into(), result: Err(refused.into()) }),
    });
    assert!(app.status_message.as_deref().unwrap().contains("not approved: request apr-dev is for a prod"));
    assert_eq!(app.views.approvals.requests[0].status, ApprovalStatus::Pending, "a refusal changes nothing");
    // The refusal lists again; an answer to an older listing is dropped.
    let effects = app.before_draw();
    let Some(Effect::Approval { req, .. }) = effects.iter().find(|e| matches!(e, Effect::Approval { .. })) else {
        panic!("{effects:?}")
    };
    let stale = Msg::Approval { req: req - 1, reply: Box::new(ApprovalReply::Listed(Ok(Vec::new()))) };
    app.on_msg(stale);
    assert_eq!(app.views.approvals.requests.len(), 1);
    let rejected = request("apr-dev", DEV, ApprovalStatus::Rejected);
    app.on_msg(Msg::Approval { req: *req, reply: Box::new(ApprovalReply::Listed(Ok(vec![rejected]))) });
    assert_eq!(app.views.approvals.requests[0].status, ApprovalStatus::Rejected);
    assert!(!app.views.approvals.loading);
}

#[test]
fn a_finding_handed_back_by_an_expired_request_is_read_again() {
    let mut app = app(DEV);
    let finding = app.listing.selected_row().unwrap().finding.clone();
    let mut expired = request("apr-old", DEV, ApprovalStatus::Expired);
    expired.finding.product_arn = finding.product_arn.to_string();
    expired.finding.id = finding.public_id().to_string();
    let _ = app.before_draw();
    let mut app = listed(app, vec![expired]);
    let effects = app.before_draw();
    assert!(
        effects.iter().any(|e| matches!(e, Effect::LivePlan { finding: f, .. } if f.key() == finding.key())),
        "{effects:?}"
    );
}
