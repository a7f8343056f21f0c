//! Render tests of remediation: marks, the apply dialog, jobs, rollback, the audit view, drift, header switches.

use super::fixtures::*;
use super::{app, render, text};
use crossterm::event::KeyCode;
use hubtriage::engine::jobs::{JobKind, JobState};
use hubtriage::engine::{Drift, Msg};
use hubtriage::ui::app::Effect;

#[test]
fn apply_offline_says_fixes_need_live_access() {
    let mut app = app("dark");
    assert!(press(&mut app, KeyCode::Char('a')).is_empty());
    assert!(app.dialog.is_none());
    assert!(text(&render(&app, 200, 40)).contains("fixes need live access"));
}

#[test]
fn marks_show_in_table_and_status_and_esc_clears_them_after_filters() {
    let mut app = fix_app();
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char(' '));
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains("2 marked"), "{screen}");
    assert_eq!(screen.lines().filter(|l| l.contains('●')).count(), 2, "{screen}");
    press(&mut app, KeyCode::Char('S'));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.marks.len(), 2, "the first Esc clears the filter");
    press(&mut app, KeyCode::Esc);
    assert!(app.marks.is_empty(), "the second clears the marks");
}

#[test]
fn a_resource_leased_by_someone_else_is_shown_with_who_and_since_when_and_not_applied() {
    let mut app = fix_app();
    press(&mut app, KeyCode::Char(' '));
    let effects = press(&mut app, KeyCode::Char('a'));
    let [Effect::PreviewApply { req, .. }] = effects.as_slice() else { panic!("{effects:?}") };
    let owner = hubtriage::cloud::coordination::LeaseOwner {
        operator: "arn:aws:sts::111111111111:assumed-role/ops/bob".into(),
        process: "ops-7:4242 watch".into(),
        job: "20220330T090000Z-p4242-0a1b2c3d-3".into(),
    };
    let taken = chrono::DateTime::parse_from_rfc3339("2022-03-30T09:15:00Z").expect("time").to_utc();
    let lease = hubtriage::cloud::coordination::Lease::new(SG_ARN, &owner, taken, std::time::Duration::from_secs(60));
    // The two findings on the security group (one change) are leased; the others keep their own reasons.
    let mut items = preview_items();
    for item in items.iter_mut().take(2) {
        item.holder = Some(lease.clone());
    }
    app.on_msg(Msg::ApplyPreview { req: *req, items });
    let screen = text(&render(&app, 220, 60));
    for expected in [
        "being changed by arn:aws:sts::111111111111:assumed-role/ops/bob (ops-7:4242 watch, job \
         20220330T090000Z-p4242-0a1b2c3d-3) since 2022-03-30",
        "09:15:00 UTC: not applied",
        "Skipped (7)",
        "Nothing to apply.",
    ] {
        assert!(screen.contains(expected), "{expected}\n{screen}");
    }
    assert_eq!(screen.matches("being changed by").count(), 2, "{screen}");
    assert!(
        press(&mut app, KeyCode::Char('y')).iter().all(|e| !matches!(e, Effect::Apply(_))),
        "a leased resource is applied"
    );
}

#[test]
fn apply_dialog_shows_plans_groups_findings_and_lists_skipped_with_reasons() {
    let mut app = fix_app();
    press(&mut app, KeyCode::Char(' '));
    let effects = press(&mut app, KeyCode::Char('a'));
    let [Effect::PreviewApply { req, findings }] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(findings.len(), 1, "the marked finding");
    assert!(text(&render(&app, 200, 60)).contains("reading live state…"));
    app.on_msg(Msg::ApplyPreview { req: req + 7, items: preview_items() });
    assert!(text(&render(&app, 200, 60)).contains("reading live state…"), "a stale answer is dropped");
    app.on_msg(Msg::ApplyPreview { req: *req, items: preview_items() });
    let screen = text(&render(&app, 200, 60));
    for expected in [
        "2 findings → 1 change; 5 skipped",
        "Change 1 of 1 — 2 findings → 1 change",
        "EC2.13 arn:aws:ec2:us-east-1:111111111111:security-group/sg-47dddc34c51b4be58 in 111111111111 (prod-payments) / \
         us-east-1",
        "approve — rule 'security-groups-need-approval'",
        "before ingress tcp 22 from 0.0.0.0/0 [sgr-0abc]",
        "after  rule removed",
        "aws ec2 revoke-security-group-ingress --group-id sg-47dddc34c51b4be58 --security-group-rule-ids sgr-0abc",
        "aws ec2 authorize-security-group-ingress --group-id sg-47dddc34c51b4be58",
        "fingerprint 5eed0f1a2b3c4d5e",
        "⚠ restored rules get new rule ids",
        "Skipped (5)",
        "live read failed: AccessDenied: not authorized to perform ec2:DescribeSecurityGroups",
        "verdict manual: rule 'iam-is-manual'",
        "already compliant: no ingress rule open to the world",
        "plan basis is finding-snapshot, not live state",
        "no playbook: nothing hubtriage can change",
        "y / Enter apply",
    ] {
        assert!(screen.contains(expected), "{expected}\n{screen}");
    }
    assert!(!screen.contains("capital Y"), "no prod account class configured\n{screen}");
    assert!(press(&mut app, KeyCode::Char('j')).is_empty(), "j scrolls");
    let effects = press(&mut app, KeyCode::Char('y'));
    let [Effect::Apply(requests)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].findings.len(), 2, "two findings on one resource and control: one job");
    assert_eq!(requests[0].approved.as_ref().map(|p| p.fingerprint.as_str()), Some(FINGERPRINT));
    assert!(app.dialog.is_none() && app.marks.is_empty());
}

#[test]
fn cancel_closes_the_dialog_without_effects() {
    let mut app = dialog_app();
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert!(app.dialog.is_none());
    assert!(text(&render(&app, 200, 40)).contains("cancelled: nothing changed"));
}

#[test]
fn a_prod_account_needs_a_capital_y() {
    let mut app = fix_app();
    app.account_classes.insert("111111111111".into(), "prod".into());
    open_dialog(&mut app);
    let screen = text(&render(&app, 200, 60));
    assert!(screen.contains("PRODUCTION: account 111111111111 (prod-payments) is class prod"), "{screen}");
    assert!(screen.contains("press capital Y to apply"), "{screen}");
    assert!(press(&mut app, KeyCode::Char('y')).is_empty());
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(app.dialog.is_some(), "y does not confirm a change in prod");
    assert!(matches!(press(&mut app, KeyCode::Char('Y')).as_slice(), [Effect::Apply(_)]));
}

#[test]
fn read_only_shows_the_plans_with_a_banner_and_applies_nothing() {
    let mut app = fix_app();
    app.read_only = true;
    open_dialog(&mut app);
    let screen = text(&render(&app, 200, 60));
    assert!(screen.contains("read-only mode: nothing will be applied"), "{screen}");
    assert!(screen.contains("aws ec2 revoke-security-group-ingress"), "{screen}");
    assert!(screen.contains("READ-ONLY"), "header\n{screen}");
    for code in [KeyCode::Char('y'), KeyCode::Char('Y'), KeyCode::Enter] {
        assert!(press(&mut app, code).is_empty());
    }
    assert!(app.dialog.is_some());
}

#[test]
fn jobs_view_follows_states_with_theme_colours_and_errors() {
    let mut app = fix_app();
    let key = app.listing.selected_row().map(|r| r.finding.key()).expect("selected");
    app.on_msg(job(1, JobKind::Apply { auto: false }, JobState::Queued, &key));
    press(&mut app, KeyCode::Char('3'));
    let screen = text(&render(&app, 200, 40));
    assert!(screen.contains("queued"), "{screen}");
    assert!(screen.contains("#1"), "{screen}");
    assert!(screen.contains("apply"), "{screen}");
    assert!(screen.contains(FINGERPRINT), "{screen}");
    assert!(screen.contains("prod-payments / us-east-1"), "{screen}");
    app.on_msg(job(1, JobKind::Apply { auto: false }, JobState::Verifying { attempt: 2, of: 6 }, &key));
    let screen = text(&render(&app, 200, 40));
    assert!(screen.contains("verifying 2/6"), "{screen}");
    assert!(screen.contains("1 job(s) running"), "header\n{screen}");
    app.on_msg(job(1, JobKind::Apply { auto: false }, JobState::Resolved, &key));
    app.on_msg(job(2, JobKind::Rollback, JobState::Failed(ACCESS_DENIED.into()), &key));
    let buffer = render(&app, 200, 40);
    let screen = text(&buffer);
    assert!(!screen.contains("job(s) running"), "{screen}");
    assert!(screen.contains("resolved"), "{screen}");
    assert!(screen.contains("rollback"), "{screen}");
    assert!(screen.contains(&format!("failed: {ACCESS_DENIED}")), "newest first: the failed job is selected\n{screen}");
    let resolved = fg_of(&buffer, "resolved");
    let failed = fg_of(&buffer, "failed");
    assert_eq!(resolved, app.theme.job_state(&JobState::Resolved).fg);
    assert_eq!(failed, app.theme.job_state(&JobState::Failed(String::new())).fg);
    assert_ne!(resolved, failed);
    press(&mut app, KeyCode::Char('j'));
    assert!(!text(&render(&app, 200, 40)).contains(&format!("failed: {ACCESS_DENIED}")), "job 1 selected");
    press(&mut app, KeyCode::Char('1'));
    press(&mut app, KeyCode::Char('C')); // the resolved finding left the open view; show closed findings too
    press(&mut app, KeyCode::Char('g'));
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains("Job        #2 rollback failed"), "the detail pane shows the latest job\n{screen}");
    assert!(screen.contains(ACCESS_DENIED), "{screen}");
}

#[test]
fn rollback_dialog_shows_the_recorded_before_state_and_the_rollback_calls() {
    let mut app = fix_app();
    app.audit = history();
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('u'));
    assert!(app.dialog.is_none());
    assert!(text(&render(&app, 200, 40)).contains("nothing to roll back for this finding"));
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Char('u'));
    let screen = text(&render(&app, 200, 50));
    for expected in [
        "Roll back job s1-3: EC2.13",
        "security group sg-47dddc34c51b4be58 (launch-wizard-1), 1 rule(s)",
        "ingress tcp 22 from 0.0.0.0/0 [sgr-0abc]",
        "AuthorizeSecurityGroupIngress sg-47dddc34c51b4be58 (1 rules)",
        "y / Enter roll back",
    ] {
        assert!(screen.contains(expected), "{expected}\n{screen}");
    }
    let effects = press(&mut app, KeyCode::Char('y'));
    assert!(matches!(effects.as_slice(), [Effect::Rollback { audit_job }] if audit_job == "s1-3"), "{effects:?}");
}

#[test]
fn audit_view_lists_records_newest_first_with_the_median_time_to_safe_state() {
    let mut app = fix_app();
    app.audit = history();
    press(&mut app, KeyCode::Char('4'));
    let screen = text(&render(&app, 220, 50));
    // First observed 2022-03-25 19:00; verified 2022-03-26 20:00, 2022-03-27 21:00, 2022-03-30 10:00.
    assert!(screen.contains("time to safe state: median 2d 02h over 3 fix(es)"), "{screen}");
    assert!(screen.contains("1 change(s) with no recorded outcome"), "{screen}");
    let times: Vec<usize> =
        ["2022-03-30 10:00", "2022-03-27 21:00", "2022-03-26 20:00"].iter().filter_map(|t| screen.find(t)).collect();
    assert_eq!(times.len(), 3, "{screen}");
    assert!(times.windows(2).all(|w| w[0] < w[1]), "newest first\n{screen}");
    for column in ["Time", "Event", "Result", "Operator", "Account / Region", "Resource", "Playbook", "Fingerprint"] {
        assert!(screen.contains(column), "{column}\n{screen}");
    }
    assert!(screen.contains("apply-intent") && screen.contains("verified") && screen.contains("alice"), "{screen}");
}

#[test]
fn detail_pane_shows_recurrence_and_says_when_it_points_upstream() {
    let mut app = fix_app();
    app.audit = history();
    let screen = text(&render(&app, 200, 60));
    assert!(
        screen.contains(
            "fixed 2 time(s) before on this resource (last: 2022-03-30); control EC2.13 fixed 3 time(s) across 2 resource(s)"
        ),
        "{screen}"
    );
    assert!(screen.contains("fixed again and again"), "{screen}");
}

#[test]
fn drift_flags_the_finding_regressed_until_fixed_again() {
    let mut app = fix_app();
    let finding = app.listing.selected_row().map(|r| r.finding.clone()).expect("selected");
    app.on_msg(Msg::Drift(Box::new(Drift {
        account_id: "111111111111".into(),
        region: "us-east-1".into(),
        resource: SG_ARN.into(),
        control_id: "EC2.13".into(),
        fixed_by: Some("s1-3".into()),
        fixed_at: at(2022, 3, 30, 10),
        detected_at: at(2022, 4, 2, 8),
        message: "ingress tcp 22 from 0.0.0.0/0 is back".into(),
    })));
    let screen = text(&render(&app, 200, 60));
    assert!(screen.contains("regressed: EC2.13"), "status\n{screen}");
    assert!(screen.contains("REGRESSED"), "{screen}");
    assert!(
        screen.contains("fixed at 2022-03-30 10:00:00Z by job s1-3, non-compliant again (seen 2022-04-02 08:00:00Z)"),
        "{screen}"
    );
    assert!(screen.contains("press a to fix again"), "{screen}");
    app.on_msg(job(9, JobKind::Apply { auto: false }, JobState::Resolved, &finding.key()));
    assert!(!text(&render(&app, 200, 60)).contains("REGRESSED"));
}

#[test]
fn header_shows_auto_fix_incident_mode_and_read_only() {
    let mut app = fix_app();
    let would = app.would_fix();
    assert!(text(&render(&app, 200, 40)).contains(&format!("would auto-fix {would}")));
    app.auto_fix = true;
    assert!(text(&render(&app, 200, 40)).contains("AUTO-FIX ON"));
    assert!(press(&mut app, KeyCode::Char('I')).is_empty(), "incident mode asks first");
    assert!(text(&render(&app, 200, 40)).contains("Switch incident mode ON?"));
    assert!(matches!(press(&mut app, KeyCode::Char('y')).as_slice(), [Effect::SetIncident(true)]));
    assert!(text(&render(&app, 200, 40)).contains("INCIDENT MODE — change windows lifted"));
    press(&mut app, KeyCode::Char('I'));
    assert!(matches!(press(&mut app, KeyCode::Enter).as_slice(), [Effect::SetIncident(false)]));
    assert!(!text(&render(&app, 200, 40)).contains("INCIDENT MODE"));
    app.read_only = true;
    assert!(text(&render(&app, 200, 40)).contains("READ-ONLY"));
}

#[test]
fn a_resolved_fix_closes_its_finding_in_the_table() {
    let mut app = fix_app();
    let mut stage = stage_of(&app);
    let key = app.listing.selected_row().expect("selected").finding.key();
    through(&mut stage, &mut app, job(7, JobKind::Apply { auto: false }, JobState::Resolved, &key));
    app.before_draw();
    assert_eq!(app.listing.visible_len(), 1, "resolved findings leave the open view");
    let screen = text(&render(&app, 200, 50));
    assert!(!screen.contains("EC2.13  "), "{screen}");
}

#[test]
fn a_refresh_page_fetched_before_the_fix_does_not_bring_the_old_status_back() {
    use hubtriage::model::WorkflowStatus;
    let mut app = fix_app();
    let mut stage = stage_of(&app);
    let row = app.listing.selected_row().expect("selected").clone();
    let key = row.finding.key();
    through(&mut stage, &mut app, job(7, JobKind::Apply { auto: false }, JobState::Resolved, &key));
    let source = hubtriage::cloud::SourceId { account_id: "111111111111".into(), region: "us-east-1".into() };
    // The same copy of the finding (same UpdatedAt, still NEW), from a page read before the update.
    let page = Msg::FindingsPage { source: source.clone(), rows: vec![row.clone()], problems: Vec::new() };
    through(&mut stage, &mut app, page);
    app.before_draw();
    assert_eq!(app.listing.visible_len(), 1, "the fixed finding stays closed");
    // Security Hub re-evaluates the control later: its newer copy wins.
    let mut newer = row;
    let mut finding = (*newer.finding).clone();
    finding.updated_at = finding.updated_at.map(|t| t + chrono::Duration::minutes(5));
    finding.workflow_status = WorkflowStatus::New;
    newer.finding = std::sync::Arc::new(finding);
    through(&mut stage, &mut app, Msg::FindingsPage { source, rows: vec![newer], problems: Vec::new() });
    app.before_draw();
    assert_eq!(app.listing.visible_len(), 2, "a newer copy from Security Hub is shown as it is");
}
