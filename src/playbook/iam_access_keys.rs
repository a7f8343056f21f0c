//! IAM.3 / IAM.22: deactivate — never delete — a user's access keys that are older than
//! `playbooks.iam.key_max_age_days` or unused for `playbooks.iam.unused_days`; optionally only when the user keeps
//! another way in (`require_alternate_auth`). The rollback makes them active again.

use super::change::Change;
use super::plan::{fingerprint, shell_word, Basis, Plan, PlanError, PlanOutcome, Step};
use super::state::{AccessKey, IamUserState, ResourceState};
use super::{About, Playbook, Risk};
use serde::Deserialize;

/// `[playbooks.iam]`.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct IamKeySettings {
    /// Active keys older than this many days are deactivated.
    pub key_max_age_days: u32,
    /// Active keys unused (or, never used, created) this many days ago are deactivated.
    pub unused_days: u32,
    /// Deactivate only when the user keeps another credential: a console password or an active key that stays.
    pub require_alternate_auth: bool,
}

impl Default for IamKeySettings {
    fn default() -> Self {
        Self { key_max_age_days: 180, unused_days: 45, require_alternate_auth: false }
    }
}

impl IamKeySettings {
    /// Checks the settings, naming the config key at fault.
    pub fn validate(&self) -> Result<(), String> {
        for (key, value) in [("key_max_age_days", self.key_max_age_days), ("unused_days", self.unused_days)] {
            if value == 0 || value > 3650 {
                return Err(format!("playbooks.iam.{key}: {value} must be between 1 and 3650 days"));
            }
        }
        Ok(())
    }
}

/// Stale access keys deactivated.
pub struct StaleAccessKeys {
    settings: IamKeySettings,
}

impl StaleAccessKeys {
    pub fn new(settings: IamKeySettings) -> Self {
        Self { settings }
    }

    /// Why `key` is to be deactivated at `now`, or `None`.
    fn stale(&self, key: &AccessKey, now: chrono::DateTime<chrono::Utc>) -> Option<String> {
        if !key.active {
            return None;
        }
        let (age, idle) = (key.age_days(now), key.idle_days(now));
        let (max_age, max_idle) = (i64::from(self.settings.key_max_age_days), i64::from(self.settings.unused_days));
        if age > max_age {
            Some(format!("{age} days old (more than {max_age})"))
        } else if idle > max_idle {
            let used = if key.last_used.is_some() { "unused" } else { "never used, created" };
            Some(format!("{used} {idle} days ago (more than {max_idle})"))
        } else {
            None
        }
    }
}

fn user<'a>(state: &'a ResourceState, playbook: &'static str) -> Result<&'a IamUserState, PlanError> {
    match state {
        ResourceState::IamUser(u) => Ok(u),
        other => Err(PlanError::WrongResource { playbook, wanted: "IAM user", found: other.kind() }),
    }
}

impl Playbook for StaleAccessKeys {
    fn name(&self) -> &'static str {
        "iam-deactivate-stale-access-keys"
    }

    fn controls(&self) -> &'static [&'static str] {
        &["IAM.3", "IAM.22"]
    }

    fn about(&self) -> About {
        About {
            change: "deactivate (never delete) a user's access keys older than iam.key_max_age_days or unused for iam.unused_days",
            rollback: "make those access keys active again",
            risk: Risk::AlwaysSafe,
        }
    }

    fn resource_type(&self) -> &'static str {
        "AwsIamUser"
    }

    fn plan(&self, _control_id: &str, state: &ResourceState, basis: Basis) -> Result<PlanOutcome, PlanError> {
        let u = user(state, self.name())?;
        let stale: Vec<(&AccessKey, String)> =
            u.access_keys.iter().filter_map(|k| self.stale(k, u.read_at).map(|why| (k, why))).collect();
        if !u.access_keys.iter().any(|k| k.active) {
            return Ok(PlanOutcome::AlreadyCompliant(format!("user {} has no active access key", u.user_name)));
        }
        if stale.is_empty() {
            // The control's own limit (90 days for IAM.3) may be stricter than the configured one.
            return Err(PlanError::Unsafe(format!(
                "no active access key of user {} is older than {} days or unused for {} days \
                 (playbooks.iam.key_max_age_days / unused_days): its keys are left alone",
                u.user_name, self.settings.key_max_age_days, self.settings.unused_days
            )));
        }
        let keeps_a_key = u.access_keys.iter().any(|k| k.active && !stale.iter().any(|(s, _)| s.id == k.id));
        let alternate = u.console_password == Some(true) || keeps_a_key;
        if self.settings.require_alternate_auth && !alternate {
            return Err(PlanError::Unsafe(format!(
                "user {} has no other way in (no console password, no other active access key) and \
                 playbooks.iam.require_alternate_auth is on: a person decides",
                u.user_name
            )));
        }
        let cli = |k: &AccessKey, status: &str| {
            format!(
                "aws iam update-access-key --user-name {} --access-key-id {} --status {status}",
                shell_word(&u.user_name),
                shell_word(&k.id)
            )
        };
        let change = |k: &AccessKey, active| Change::SetAccessKeyStatus {
            user_name: u.user_name.clone(),
            access_key_id: k.id.clone(),
            active,
        };
        let mut warnings = vec![
            "whatever still signs requests with these keys (scripts, CI jobs, other tools) starts failing with InvalidClientTokenId".to_string(),
        ];
        if !alternate {
            warnings.push(format!(
                "user {} keeps no other credential: it cannot sign in until a key is active again",
                u.user_name
            ));
        }
        let mut parts: Vec<String> = vec![self.name().into(), u.account_id.clone(), u.user_name.clone()];
        let mut keys: Vec<&AccessKey> = u.access_keys.iter().collect();
        keys.sort();
        parts.extend(keys.iter().map(|k| format!("{}:{}", k.id, k.active)));
        parts.extend(stale.iter().map(|(k, _)| format!("stale:{}", k.id)));
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        Ok(PlanOutcome::Change(Plan {
            playbook: self.name(),
            summary: format!(
                "Deactivate {} access key(s) of IAM user {} in account {}",
                stale.len(),
                u.user_name,
                u.account_id
            ),
            steps: stale
                .iter()
                .map(|(k, why)| Step {
                    action: format!("UpdateAccessKey {} of {}: {why}", k.id, u.user_name),
                    before: "Active".into(),
                    after: "Inactive".into(),
                })
                .collect(),
            cli: stale.iter().map(|(k, _)| cli(k, "Inactive")).collect(),
            rollback_cli: stale.iter().map(|(k, _)| cli(k, "Active")).collect(),
            fingerprint: fingerprint(&parts),
            basis,
            changes: stale.iter().map(|(k, _)| change(k, false)).collect(),
            rollback: stale.iter().map(|(k, _)| change(k, true)).collect(),
            warnings,
        }))
    }

    fn verify(&self, _control_id: &str, state: &ResourceState) -> bool {
        matches!(state, ResourceState::IamUser(u) if u.access_keys.iter().all(|k| self.stale(k, u.read_at).is_none()))
    }

    fn iam_actions(&self) -> &'static [&'static str] {
        &[
            "iam:ListAccessKeys",
            "iam:GetAccessKeyLastUsed",
            "iam:GetLoginProfile",
            "iam:ListUserTags",
            "iam:UpdateAccessKey",
        ]
    }
}

#[cfg(test)]
#[path = "iam_access_keys_tests.rs"]
mod tests;
