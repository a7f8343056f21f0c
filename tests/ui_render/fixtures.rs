//! Fixtures of the remediation render tests: an app that can fix, live previews, jobs and an audit history, all
//! about the corpus's CIS 4.1 finding (control EC2.13 on sg-47dddc34c51b4be58, account 111111111111, us-east-1).

use super::app;
use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use hubtriage::engine::audit::{AuditEvent, AuditFinding, AuditRecord, AuditResult};
use hubtriage::engine::jobs::{JobKind, JobState, JobUpdate, PreviewItem};
use hubtriage::engine::stage::{Stage, Subscribers};
use hubtriage::engine::Msg;
use hubtriage::model::{Finding, FindingKey};
use hubtriage::playbook::state::{SecurityGroupRule, SecurityGroupState};
use hubtriage::playbook::{Basis, Change, Plan, ResourceState, Step};
use hubtriage::policy::{Decision, Verdict};
use hubtriage::triage::{Assessment, PlanStatus};
use hubtriage::ui::app::Effect;
use hubtriage::ui::App;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use std::sync::Arc;

pub const SG_ARN: &str = "arn:aws:ec2:us-east-1:111111111111:security-group/sg-47dddc34c51b4be58";
pub const FINGERPRINT: &str = "5eed0f1a2b3c4d5e";
pub const ACCESS_DENIED: &str = "call 1 of 1 (ec2:AuthorizeSecurityGroupIngress) failed: UnauthorizedOperation";

/// A key press; the effects it asks for.
pub fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.on_event(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().expect("time")
}

/// A Store stage that knows the app's findings, as the one the TUI runs would.
pub fn stage_of(app: &App) -> Stage {
    let mut stage = Stage::new(Subscribers::default());
    let source = hubtriage::cloud::SourceId { account_id: "111111111111".into(), region: "us-east-1".into() };
    stage.take(Msg::FindingsPage { source, rows: app.listing.all().to_vec(), problems: Vec::new() });
    stage
}

/// `msg` from a producer, through the stage to the app, as the TUI passes it.
pub fn through(stage: &mut Stage, app: &mut App, msg: Msg) {
    for msg in stage.take(msg) {
        app.on_msg(msg);
    }
}

/// An app with live access, showing the two findings of account 111111111111: EC2.13 (selected), then S3.8.
pub fn fix_app() -> App {
    let mut app = app("dark");
    app.can_fix = true;
    app.account_names.insert("111111111111".into(), "prod-payments".into());
    press(&mut app, KeyCode::Char('/'));
    for c in "111111111111".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('o')); // sort by control: EC2.13 before S3.8
    let selected = app.listing.selected_row().and_then(|r| r.finding.control_id.clone());
    assert_eq!(selected.as_deref(), Some("EC2.13"));
    assert_eq!(app.listing.visible_len(), 2);
    app
}

/// `fix_app` with the apply dialog open on the selected finding.
pub fn dialog_app() -> App {
    let mut app = fix_app();
    open_dialog(&mut app);
    app
}

/// Presses `a` and answers the preview.
pub fn open_dialog(app: &mut App) {
    let effects = press(app, KeyCode::Char('a'));
    let [Effect::PreviewApply { req, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    app.on_msg(Msg::ApplyPreview { req: *req, items: preview_items() });
    assert!(app.dialog.is_some());
}

fn finding(app: &App, resource: &str, control: &str) -> Arc<Finding> {
    app.listing
        .all()
        .iter()
        .map(|r| r.finding.clone())
        .find(|f| {
            f.control_id.as_deref() == Some(control) && f.primary_resource().is_some_and(|r| r.id.contains(resource))
        })
        .unwrap_or_else(|| panic!("fixture finding {control} {resource}"))
}

pub fn plan(basis: Basis) -> Plan {
    Plan {
        playbook: "sg-open-ports",
        summary: "revoke 1 open-to-world ingress rule".into(),
        steps: vec![Step {
            action: "revoke ingress rule sgr-0abc".into(),
            before: "ingress tcp 22 from 0.0.0.0/0 [sgr-0abc]".into(),
            after: "rule removed".into(),
        }],
        cli: vec![format!(
            "aws ec2 revoke-security-group-ingress --group-id sg-47dddc34c51b4be58 --security-group-rule-ids sgr-0abc \
             --region us-east-1"
        )],
        rollback_cli: vec![
            "aws ec2 authorize-security-group-ingress --group-id sg-47dddc34c51b4be58 --ip-permissions \
                            IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]"
                .into(),
        ],
        fingerprint: FINGERPRINT.into(),
        basis,
        changes: vec![Change::RevokeIngress {
            group_id: "sg-47dddc34c51b4be58".into(),
            rule_ids: vec!["sgr-0abc".into()],
        }],
        rollback: vec![Change::AuthorizeIngress { group_id: "sg-47dddc34c51b4be58".into(), rules: vec![rule()] }],
        warnings: vec!["restored rules get new rule ids".into()],
    }
}

fn rule() -> SecurityGroupRule {
    SecurityGroupRule {
        rule_id: Some("sgr-0abc".into()),
        protocol: "tcp".into(),
        from_port: 22,
        to_port: 22,
        cidr_ipv4: Some("0.0.0.0/0".into()),
        cidr_ipv6: None,
        referenced_group: None,
        description: None,
        is_egress: false,
    }
}

fn assessed(verdict: Verdict, reason: &str, plan: PlanStatus) -> Result<Assessment, String> {
    Ok(Assessment {
        decision: Decision { verdict, reason: reason.into(), exception: None, exception_note: None },
        plan,
    })
}

/// The live answer for seven findings: two on the same security group (one change), five that are skipped.
pub fn preview_items() -> Vec<PreviewItem> {
    let app = app("dark");
    let sg = finding(&app, "sg-47dddc34c51b4be58", "EC2.13");
    let mut twin = (*sg).clone();
    twin.id = format!("{}-twin", twin.id).into();
    let approve = "rule 'security-groups-need-approval' (class unclassified)";
    let item = |finding: Arc<Finding>, result| PreviewItem { finding, result, holder: None };
    vec![
        item(sg.clone(), assessed(Verdict::NeedsApproval, approve, PlanStatus::Planned(Box::new(plan(Basis::Live))))),
        item(
            Arc::new(twin),
            assessed(Verdict::NeedsApproval, approve, PlanStatus::Planned(Box::new(plan(Basis::Live)))),
        ),
        item(
            finding(&app, "s3:::example", "S3.8"),
            assessed(Verdict::Manual, "rule 'iam-is-manual'", PlanStatus::Planned(Box::new(plan(Basis::Live)))),
        ),
        item(
            finding(&app, "boeket-acc", "S3.8"),
            Err("AccessDenied: not authorized to perform ec2:DescribeSecurityGroups".into()),
        ),
        item(
            finding(&app, "boeket-dev", "S3.8"),
            assessed(
                Verdict::NeedsApproval,
                approve,
                PlanStatus::AlreadyCompliant("no ingress rule open to the world".into()),
            ),
        ),
        item(
            finding(&app, "boeket-prd", "S3.8"),
            assessed(Verdict::NeedsApproval, approve, PlanStatus::Planned(Box::new(plan(Basis::FindingSnapshot)))),
        ),
        item(
            finding(&app, "boeket-acc", "S3.9"),
            assessed(Verdict::NoPlaybook, "no playbook for S3.9", PlanStatus::NoPlaybook),
        ),
    ]
}

/// A job update about the selected finding's security group.
pub fn job(id: u64, kind: JobKind, state: JobState, key: &FindingKey) -> Msg {
    Msg::Job(Box::new(JobUpdate {
        id,
        audit_job: format!("s1-{id}"),
        kind,
        findings: vec![key.clone()],
        control_id: "EC2.13".into(),
        playbook: "sg-open-ports".into(),
        account_id: "111111111111".into(),
        region: "us-east-1".into(),
        resource: SG_ARN.into(),
        fingerprint: FINGERPRINT.into(),
        state,
        started_at: at(2022, 3, 30, 9),
        updated_at: at(2022, 3, 30, 9),
    }))
}

fn record(time: DateTime<Utc>, event: AuditEvent, result: AuditResult, job: &str, resource: &str) -> AuditRecord {
    let app = app("dark");
    let sg = finding(&app, "sg-47dddc34c51b4be58", "EC2.13");
    AuditRecord {
        time,
        event,
        result,
        job: Some(job.into()),
        operator: "arn:aws:sts::111111111111:assumed-role/Sec/alice".into(),
        findings: vec![AuditFinding {
            id: if resource == SG_ARN { sg.id.to_string() } else { format!("other-{resource}") },
            product_arn: sg.product_arn.to_string(),
            first_observed_at: Some(at(2022, 3, 25, 19)),
            format: Default::default(),
        }],
        control_id: Some("EC2.13".into()),
        account_id: "111111111111".into(),
        region: "us-east-1".into(),
        resource_type: "AwsEc2SecurityGroup".into(),
        resource: resource.into(),
        playbook: Some("sg-open-ports".into()),
        fingerprint: Some(FINGERPRINT.into()),
        before: None,
        after: None,
        changes: Vec::new(),
        rollback: Vec::new(),
        process: None,
        message: format!("{event:?}"),
    }
}

fn fix(verified: DateTime<Utc>, job: &str, resource: &str) -> Vec<AuditRecord> {
    let intent_time = verified - chrono::Duration::hours(1);
    let mut intent = record(intent_time, AuditEvent::ApplyIntent, AuditResult::Pending, job, resource);
    intent.before = Some(ResourceState::SecurityGroup(SecurityGroupState {
        group_id: "sg-47dddc34c51b4be58".into(),
        group_name: "launch-wizard-1".into(),
        vpc_id: None,
        account_id: "111111111111".into(),
        region: "us-east-1".into(),
        rules: vec![rule()],
        tags: Default::default(),
    }));
    intent.rollback = plan(Basis::Live).rollback;
    vec![
        intent,
        record(intent_time, AuditEvent::ApplyOutcome, AuditResult::Ok, job, resource),
        record(verified, AuditEvent::Verification, AuditResult::Verified, job, resource),
    ]
}

/// Three verified fixes of EC2.13 (two on the selected group), first observed 2022-03-25 19:00, and an apply of
/// another resource whose outcome was never recorded.
pub fn history() -> Vec<AuditRecord> {
    let mut log = fix(at(2022, 3, 26, 20), "s1-1", SG_ARN);
    log.extend(fix(at(2022, 3, 27, 21), "s1-2", "sg-0other"));
    log.extend(fix(at(2022, 3, 30, 10), "s1-3", SG_ARN));
    log.push(record(at(2022, 3, 31, 8), AuditEvent::ApplyIntent, AuditResult::Pending, "s1-4", "sg-0third"));
    log
}

/// The foreground colour of the first cell where `word` is drawn.
pub fn fg_of(buffer: &Buffer, word: &str) -> Option<Color> {
    let area = buffer.area;
    let chars: Vec<String> = word.chars().map(String::from).collect();
    for y in 0..area.height {
        for x in 0..area.width.saturating_sub(chars.len() as u16) {
            if chars.iter().enumerate().all(|(i, c)| buffer[(x + i as u16, y)].symbol() == c) {
                return Some(buffer[(x, y)].fg);
            }
        }
    }
    None
}
