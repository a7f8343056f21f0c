//! Render tests of the Approvals view (`7`): requests newest first with id, status, control, resource, account,
//! requester and expiry or decision; the selected request's full plan below; the confirmation of `y` in a
//! production account; text a request carries (a note, a resource id) drawn inert.

use super::fixtures::press;
use super::hostile::{assert_inert, EVIL};
use super::{render, text};
use chrono::{TimeZone, Utc};
use crossterm::event::KeyCode;
use hubtriage::engine::approval_work::{ApprovalOp, ApprovalReply};
use hubtriage::engine::Msg;
use hubtriage::playbook::{Basis, Step};
use hubtriage::policy::Verdict;
use hubtriage::review::plan_file::{FilePlan, PlannedFinding};
use hubtriage::review::{ApprovalRequest, ApprovalStatus};
use hubtriage::ui::app::Effect;
use hubtriage::ui::context::DeskState;
use hubtriage::ui::{App, Theme};

const PROD: &str = "210987654321";
const ALICE: &str = "arn:aws:sts::123456789012:assumed-role/Triage/alice";

/// A request for bucket `bucket` in `account`, made `hour` o'clock on 2026-11-21.
pub fn request(id: &str, account: &str, bucket: &str, hour: u32) -> ApprovalRequest {
    let at = Utc.with_ymd_and_hms(2026, 11, 21, hour, 0, 0).single().expect("time");
    let finding = PlannedFinding {
        id: format!("finding-{id}"),
        product_arn: "arn:aws:securityhub:eu-west-1::product/aws/securityhub".into(),
        account_id: account.into(),
        region: "eu-west-1".into(),
        control_id: Some("S3.8".into()),
        title: "S3 general purpose buckets should block public access".into(),
        severity: "HIGH".into(),
        resource_type: Some("AwsS3Bucket".into()),
        resource_id: Some(format!("arn:aws:s3:::{bucket}")),
        verdict: Verdict::NeedsApproval,
        reason: "rule 'prod-needs-a-person'".into(),
        plan_status: "planned".into(),
        plan: Some(FilePlan {
            playbook: "s3-block-public-access".into(),
            summary: format!("block public access on {bucket}"),
            steps: vec![Step {
                action: "block public access".into(),
                before: "BlockPublicAcls=false".into(),
                after: "BlockPublicAcls=true".into(),
            }],
            cli: vec![format!("aws s3api put-public-access-block --bucket {bucket}")],
            rollback_cli: vec![format!("aws s3api delete-public-access-block --bucket {bucket}")],
            fingerprint: "fp-9a8b7c".into(),
            basis: Basis::Live,
            changes: Vec::new(),
            rollback: Vec::new(),
            warnings: Vec::new(),
        }),
        errors: Vec::new(),
    };
    let class = if account == PROD { "prod" } else { "staging" };
    let ttl = std::time::Duration::from_secs(24 * 3600);
    let mut r = ApprovalRequest::new(finding, class, account == PROD, "sha256:p".into(), ALICE, at, ttl);
    r.id = id.into();
    r
}

/// An app in the Approvals view showing `requests` as listed.
fn approvals_app(requests: Vec<ApprovalRequest>) -> App {
    let mut app = App::new(Theme::load("dark", None).expect("theme"), "test".into(), true);
    app.account_names.insert(PROD.into(), "prod-payments".into());
    app.account_classes.insert(PROD.into(), "prod".into());
    app.desk = DeskState::Ready;
    let effects = press(&mut app, KeyCode::Char('7'));
    let [Effect::Approval { req, op: ApprovalOp::List }] = effects.as_slice() else { panic!("{effects:?}") };
    assert!(text(&render(&app, 200, 50)).contains("listing…"));
    app.on_msg(Msg::Approval { req: *req, reply: Box::new(ApprovalReply::Listed(Ok(requests))) });
    app
}

fn pending_and_decided() -> Vec<ApprovalRequest> {
    let mut pending = request("apr-000000000001", PROD, "acme-payments", 11);
    pending.note = Some("public bucket, customer data".into());
    let mut rejected = request("apr-000000000002", "345678901234", "staging-logs", 9);
    rejected = rejected.decided(
        ApprovalStatus::Rejected,
        "arn:aws:sts::123456789012:assumed-role/Triage/bob",
        Utc.with_ymd_and_hms(2026, 11, 21, 10, 0, 0).single().expect("time"),
        Some("not during the freeze".into()),
    );
    // Oldest first on purpose: the view orders them newest first.
    vec![rejected, pending]
}

#[test]
fn approvals_view_lists_requests_newest_first_with_the_selected_plan_in_full() {
    let app = approvals_app(pending_and_decided());
    let screen = text(&render(&app, 200, 50));
    for column in ["Id", "Status", "Control", "Resource", "Account", "Requested by", "Expires / decided"] {
        assert!(screen.contains(column), "{column}\n{screen}");
    }
    assert!(screen.contains("Approval requests: 2 · 1 pending"), "{screen}");
    let pending = screen.lines().position(|l| l.contains("apr-000000000001")).expect("pending row");
    let rejected = screen.lines().position(|l| l.contains("apr-000000000002")).expect("rejected row");
    assert!(pending < rejected, "newest first\n{screen}");
    let row = screen.lines().nth(pending).expect("row");
    for cell in ["▶", "pending", "S3.8", "acme-payments", "prod-payments", "Triage/alice", "until 2026-11-22 11:00:00Z"]
    {
        assert!(row.contains(cell), "{cell} in {row}");
    }
    let row = screen.lines().nth(rejected).expect("row");
    for cell in ["rejected", "staging-logs", "2026-11-21 10:00:00Z"] {
        assert!(row.contains(cell), "{cell} in {row}");
    }
    // The selected (pending) request in full.
    for detail in [
        "block public access on acme-payments",
        "fingerprint fp-9a8b7c",
        "before BlockPublicAcls=false",
        "after  BlockPublicAcls=true",
        "aws s3api put-public-access-block --bucket acme-payments",
        "aws s3api delete-public-access-block --bucket acme-payments",
        "note         public bucket, customer data",
        &format!("by {ALICE}"),
        "two people: the approver must be another identity",
        "in 210987654321 (prod-payments) / eu-west-1 (prod account)",
    ] {
        assert!(screen.contains(detail), "{detail}\n{screen}");
    }
}

#[test]
fn a_decided_request_shows_who_decided_and_why() {
    let mut app = approvals_app(pending_and_decided());
    press(&mut app, KeyCode::Char('j'));
    let screen = text(&render(&app, 200, 50));
    assert!(
        screen.contains("decided      rejected 2026-11-21 10:00:00Z by arn:aws:sts::123456789012:assumed-role/Triage/bob: not during the freeze"),
        "{screen}"
    );
    assert!(screen.contains("one person may request and approve"), "{screen}");
}

#[test]
fn y_on_a_production_request_shows_the_plan_and_asks_for_a_capital_y() {
    let mut app = approvals_app(pending_and_decided());
    assert!(press(&mut app, KeyCode::Char('y')).is_empty());
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains("Approve this request?"), "{screen}");
    assert!(screen.contains("PRODUCTION: account 210987654321 (prod-payments) is class prod"), "{screen}");
    assert!(screen.contains("Y (capital) approve"), "{screen}");
    assert!(screen.contains("aws s3api put-public-access-block --bucket acme-payments"), "{screen}");
}

#[test]
fn hostile_text_in_a_request_is_drawn_inert() {
    let mut evil = request(&format!("apr-1{EVIL}"), PROD, &format!("b{EVIL}ucket"), 11);
    evil.note = Some(format!("please {EVIL} approve"));
    evil.requested_by = format!("arn:aws:sts::1:assumed-role/T/{EVIL}mallory");
    evil.finding.title = format!("title {EVIL}");
    if let Some(plan) = evil.finding.plan.as_mut() {
        plan.cli = vec![format!("aws s3api {EVIL} --bucket x")];
    }
    let mut app = approvals_app(vec![evil]);
    let buffer = render(&app, 200, 50);
    assert_inert(&buffer, "Approvals view");
    let screen = text(&buffer);
    assert!(screen.contains("please"), "{screen}");
    assert!(!screen.contains("52;c;"), "{screen}");
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    for c in format!("no {EVIL}").chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert_inert(&render(&app, 200, 50), "reject form");
    press(&mut app, KeyCode::Esc);
    assert!(press(&mut app, KeyCode::Char('y')).is_empty());
    assert_inert(&render(&app, 200, 50), "approve dialog");
}
