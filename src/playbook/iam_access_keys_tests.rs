use super::*;
use chrono::{DateTime, Duration, Utc};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z").expect("time").with_timezone(&Utc)
}

fn key(id: &str, active: bool, age: i64, idle: Option<i64>) -> AccessKey {
    AccessKey {
        id: id.into(),
        active,
        created: now() - Duration::days(age),
        last_used: idle.map(|d| now() - Duration::days(d)),
    }
}

fn user_with(keys: Vec<AccessKey>, password: bool) -> ResourceState {
    ResourceState::IamUser(IamUserState {
        user_name: "ci-deployer".into(),
        account_id: "111111111111".into(),
        read_at: now(),
        access_keys: keys,
        console_password: Some(password),
        tags: Default::default(),
    })
}

fn playbook(require_alternate_auth: bool) -> StaleAccessKeys {
    StaleAccessKeys::new(IamKeySettings { require_alternate_auth, ..Default::default() })
}

#[test]
fn old_and_unused_active_keys_are_deactivated_and_the_rest_left_alone() {
    let state = user_with(
        vec![
            key("AKIAOLD", true, 200, Some(1)),
            key("AKIAIDLE", true, 60, Some(50)),
            key("AKIANEVER", true, 50, None),
            key("AKIAFRESH", true, 100, Some(2)),
            key("AKIAOFF", false, 900, None),
        ],
        false,
    );
    let Ok(PlanOutcome::Change(p)) = playbook(false).plan("IAM.3", &state, Basis::Live) else { panic!("a change") };
    let ids: Vec<&str> = p
        .changes
        .iter()
        .map(|c| match c {
            Change::SetAccessKeyStatus { access_key_id, active: false, .. } => access_key_id.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, ["AKIAOLD", "AKIAIDLE", "AKIANEVER"]);
    assert!(p.rollback.iter().all(|c| matches!(c, Change::SetAccessKeyStatus { active: true, .. })));
    assert_eq!(p.cli[0], "aws iam update-access-key --user-name ci-deployer --access-key-id AKIAOLD --status Inactive");
    assert!(p.rollback_cli[0].ends_with("--status Active"), "{:?}", p.rollback_cli);
    assert!(p.steps[0].action.contains("200 days old"), "{:?}", p.steps);
    assert!(p.steps[2].action.contains("never used"), "{:?}", p.steps);
    assert!(p.changes.iter().all(|c| c.operation() == "iam:UpdateAccessKey"), "never a delete");
    assert!(!playbook(false).verify("IAM.3", &state));
}

#[test]
fn thresholds_come_from_the_settings() {
    let state = user_with(vec![key("AKIA1", true, 100, Some(1))], true);
    let strict = StaleAccessKeys::new(IamKeySettings { key_max_age_days: 90, ..Default::default() });
    assert!(matches!(strict.plan("IAM.3", &state, Basis::Live), Ok(PlanOutcome::Change(_))));
    match playbook(false).plan("IAM.3", &state, Basis::Live) {
        Err(PlanError::Unsafe(why)) => assert!(why.contains("older than 180 days or unused for 45 days"), "{why}"),
        other => panic!("expected the keys to be left alone, got {other:?}"),
    }
    let inactive = user_with(vec![key("AKIA1", false, 900, None)], false);
    assert!(matches!(playbook(false).plan("IAM.3", &inactive, Basis::Live), Ok(PlanOutcome::AlreadyCompliant(_))));
    assert!(playbook(false).verify("IAM.22", &state));
}

#[test]
fn alternate_auth_is_required_only_when_asked() {
    let only_key = user_with(vec![key("AKIAOLD", true, 400, Some(1))], false);
    match playbook(true).plan("IAM.22", &only_key, Basis::Live) {
        Err(PlanError::Unsafe(why)) => assert!(why.contains("no other way in"), "{why}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let Ok(PlanOutcome::Change(p)) = playbook(false).plan("IAM.22", &only_key, Basis::Live) else { panic!() };
    assert!(p.warnings.iter().any(|w| w.contains("keeps no other credential")), "{:?}", p.warnings);
    let with_password = user_with(vec![key("AKIAOLD", true, 400, Some(1))], true);
    assert!(matches!(playbook(true).plan("IAM.22", &with_password, Basis::Live), Ok(PlanOutcome::Change(_))));
    let with_fresh_key = user_with(vec![key("AKIAOLD", true, 400, Some(1)), key("AKIANEW", true, 3, Some(1))], false);
    assert!(matches!(playbook(true).plan("IAM.22", &with_fresh_key, Basis::Live), Ok(PlanOutcome::Change(_))));
}

#[test]
fn settings_out_of_range_name_their_key() {
    let bad = IamKeySettings { unused_days: 0, ..Default::default() };
    assert_eq!(
        bad.validate().expect_err("out of range"),
        "playbooks.iam.unused_days: 0 must be between 1 and 3650 days"
    );
    assert!(IamKeySettings::default().validate().is_ok());
}
