use super::*;

fn key_with(rotation: Option<bool>, manager: &str, spec: &str, state: &str) -> ResourceState {
    ResourceState::KmsKey(KmsKeyState {
        key_id: "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        rotation_enabled: rotation,
        key_manager: Some(manager.into()),
        key_state: Some(state.into()),
        key_spec: Some(spec.into()),
        tags: Default::default(),
    })
}

#[test]
fn turns_rotation_on_and_rolls_back_by_turning_it_off() {
    let state = key_with(Some(false), "CUSTOMER", "SYMMETRIC_DEFAULT", "Enabled");
    let Ok(PlanOutcome::Change(p)) = KeyRotation.plan("KMS.4", &state, Basis::Live) else { panic!("a change") };
    let id = "1234abcd-12ab-34cd-56ef-1234567890ab";
    assert_eq!(p.changes, [Change::SetKeyRotation { key_id: id.into(), enabled: true }]);
    assert_eq!(p.rollback, [Change::SetKeyRotation { key_id: id.into(), enabled: false }]);
    assert_eq!(p.cli, [format!("aws kms enable-key-rotation --key-id {id} --region eu-west-1")]);
    assert_eq!(p.rollback_cli, [format!("aws kms disable-key-rotation --key-id {id} --region eu-west-1")]);
    assert_eq!(p.steps[0].before, "automatic rotation off");
    assert!(!KeyRotation.verify("KMS.4", &state));
    assert!(KeyRotation.verify("KMS.4", &key_with(Some(true), "CUSTOMER", "SYMMETRIC_DEFAULT", "Enabled")));
}

#[test]
fn keys_that_cannot_rotate_are_refused_with_the_reason() {
    let refused = |state: ResourceState, word: &str| match KeyRotation.plan("KMS.4", &state, Basis::Live) {
        Err(PlanError::Unsafe(why)) => assert!(why.contains(word), "{why}"),
        other => panic!("expected a refusal naming {word}, got {other:?}"),
    };
    refused(key_with(Some(false), "AWS", "SYMMETRIC_DEFAULT", "Enabled"), "managed by AWS");
    refused(key_with(Some(false), "CUSTOMER", "RSA_2048", "Enabled"), "RSA_2048");
    refused(key_with(Some(false), "CUSTOMER", "SYMMETRIC_DEFAULT", "PendingDeletion"), "PendingDeletion");
    let on = key_with(Some(true), "CUSTOMER", "SYMMETRIC_DEFAULT", "Enabled");
    assert!(matches!(KeyRotation.plan("KMS.4", &on, Basis::Live), Ok(PlanOutcome::AlreadyCompliant(_))));
}
