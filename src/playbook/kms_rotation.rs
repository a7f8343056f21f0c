//! KMS.4: automatic rotation of a customer managed symmetric KMS key.

use super::change::Change;
use super::plan::{fingerprint, shell_word, Basis, Plan, PlanError, PlanOutcome, Step};
use super::state::{KmsKeyState, ResourceState};
use super::{About, Playbook, Risk};

/// Key rotation on.
pub struct KeyRotation;

fn key<'a>(state: &'a ResourceState, playbook: &'static str) -> Result<&'a KmsKeyState, PlanError> {
    match state {
        ResourceState::KmsKey(k) => Ok(k),
        other => Err(PlanError::WrongResource { playbook, wanted: "KMS key", found: other.kind() }),
    }
}

impl Playbook for KeyRotation {
    fn name(&self) -> &'static str {
        "kms-key-rotation"
    }

    fn controls(&self) -> &'static [&'static str] {
        &["KMS.4"]
    }

    fn about(&self) -> About {
        About {
            change: "automatic yearly rotation on for a customer managed symmetric KMS key (old key material stays usable for decryption)",
            rollback: "turn automatic rotation off again",
            risk: Risk::AlwaysSafe,
        }
    }

    fn resource_type(&self) -> &'static str {
        "AwsKmsKey"
    }

    fn plan(&self, _control_id: &str, state: &ResourceState, basis: Basis) -> Result<PlanOutcome, PlanError> {
        let k = key(state, self.name())?;
        if k.rotation_enabled == Some(true) {
            return Ok(PlanOutcome::AlreadyCompliant(format!("KMS key {} already rotates automatically", k.key_id)));
        }
        if let Some(manager) = k.key_manager.as_deref().filter(|m| *m != "CUSTOMER") {
            return Err(PlanError::Unsafe(format!(
                "KMS key {} is managed by {manager}: AWS rotates its own keys, there is nothing to change",
                k.key_id
            )));
        }
        if let Some(spec) = k.key_spec.as_deref().filter(|s| *s != "SYMMETRIC_DEFAULT") {
            return Err(PlanError::Unsafe(format!(
                "KMS key {} is a {spec} key: automatic rotation exists only for symmetric encryption keys",
                k.key_id
            )));
        }
        if let Some(key_state) = k.key_state.as_deref().filter(|s| *s != "Enabled") {
            return Err(PlanError::Unsafe(format!(
                "KMS key {} is {key_state}: rotation can be turned on only for an enabled key",
                k.key_id
            )));
        }
        let before = match k.rotation_enabled {
            Some(_) => "automatic rotation off",
            None => "not recorded in the finding (the failing control means off)",
        };
        let cli = |verb: &str| {
            format!("aws kms {verb}-key-rotation --key-id {} --region {}", shell_word(&k.key_id), shell_word(&k.region))
        };
        let mut warnings = Vec::new();
        if k.rotation_enabled.is_none() {
            warnings.push("the finding does not record the current setting: apply reads it live".to_string());
        }
        Ok(PlanOutcome::Change(Plan {
            playbook: self.name(),
            summary: format!("Turn on automatic rotation of KMS key {} in account {}", k.key_id, k.account_id),
            steps: vec![Step {
                action: format!("EnableKeyRotation on {}", k.key_id),
                before: before.into(),
                after: "automatic rotation on (yearly)".into(),
            }],
            cli: vec![cli("enable")],
            rollback_cli: vec![cli("disable")],
            fingerprint: fingerprint(&[
                self.name(),
                &k.account_id,
                &k.region,
                &k.key_id,
                &format!("{:?}", k.rotation_enabled),
                k.key_state.as_deref().unwrap_or("-"),
            ]),
            basis,
            changes: vec![Change::SetKeyRotation { key_id: k.key_id.clone(), enabled: true }],
            rollback: vec![Change::SetKeyRotation { key_id: k.key_id.clone(), enabled: false }],
            warnings,
        }))
    }

    fn verify(&self, _control_id: &str, state: &ResourceState) -> bool {
        matches!(state, ResourceState::KmsKey(k) if k.rotation_enabled == Some(true))
    }

    fn iam_actions(&self) -> &'static [&'static str] {
        &[
            "kms:DescribeKey",
            "kms:GetKeyRotationStatus",
            "kms:ListResourceTags",
            "kms:EnableKeyRotation",
            "kms:DisableKeyRotation",
        ]
    }
}

#[cfg(test)]
#[path = "kms_rotation_tests.rs"]
mod tests;
