//! Pure plan logic: one file per playbook, `plan(state) → Plan` and `verify(state) → bool`.

pub mod bucket_parts;
mod bucket_policy;
pub mod catalogue;
pub mod change;
mod change_cli;
pub mod cloudtrail_validation;
mod common;
pub mod default_sg;
pub mod ebs_default_encryption;
pub mod ebs_snapshot_private;
pub mod iac;
pub mod iam_access_keys;
pub mod imdsv2;
pub mod kms_rotation;
pub mod plan;
pub mod rds_snapshot_private;
pub mod s3_account_public_access;
pub mod s3_encryption;
pub mod s3_public_access;
pub mod s3_ssl_only;
pub mod service_state;
pub mod sg_open_ports;
pub mod snapshot;
pub mod snapshot_services;
pub mod state;
pub mod state_diff;

use crate::model::hash::BuildWordHasher;
use std::collections::HashMap;

pub use bucket_parts::BucketParts;
pub use catalogue::{About, CatalogueEntry, Risk};
pub use change::Change;
pub use plan::{fingerprint, shell_word, Basis, Plan, PlanError, PlanOutcome, Step};
pub use state::{
    AccessKey, AccountState, BucketPublicAccessBlock, BucketState, IamUserState, InstanceState, KmsKeyState,
    PublicAccessBlock, RdsSnapshotState, ResourceState, SecurityGroupRule, SecurityGroupState, TrailState,
};

/// A narrow, reversible fix for one or more controls.
pub trait Playbook: Send + Sync {
    /// Stable name shown in plans, notes and the audit log.
    fn name(&self) -> &'static str;
    /// The consolidated control ids the playbook fixes.
    fn controls(&self) -> &'static [&'static str];
    /// The change and rollback in words, and the risk class.
    fn about(&self) -> About;
    /// The ASFF resource type the playbook works on.
    fn resource_type(&self) -> &'static str;
    /// The plan from the current state, or why nothing needs doing.
    fn plan(&self, control_id: &str, state: &ResourceState, basis: Basis) -> Result<PlanOutcome, PlanError>;
    /// Whether the state is the desired one.
    fn verify(&self, control_id: &str, state: &ResourceState) -> bool;
    /// Every IAM action needed to read the state, apply the plan and roll it back.
    fn iam_actions(&self) -> &'static [&'static str];
    /// The parts of a bucket's state that `plan` and `verify` look at, besides its tags (which the verdict always
    /// reads). A bulk plan reads only these; every part unless the playbook names fewer.
    fn bucket_parts(&self, control_id: &str) -> BucketParts {
        let _ = control_id;
        BucketParts::ALL
    }
}

/// Settings that shape the playbooks (`[playbooks]` in the config file).
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlaybookSettings {
    /// Ports EC2.18 allows open to the world.
    pub authorized_public_ports: Vec<i32>,
    /// KMS key (id, ARN or alias) for S3.4 / S3.17 default encryption; without one S3.4 uses SSE-S3 and S3.17 the
    /// AWS-managed key `aws/s3`.
    pub s3_kms_key_id: Option<String>,
    /// Tag keys that mark a resource as managed by infrastructure as code (keys starting with `aws:cloudformation:`
    /// always count).
    pub iac_tag_keys: Vec<String>,
    /// Only these playbooks run (by name); unset: all of them.
    pub enabled: Option<Vec<String>>,
    /// These playbooks never run (by name), even when `enabled` lists them.
    pub disabled: Vec<String>,
    /// `[playbooks.iam]`: which access keys IAM.3 / IAM.22 deactivate.
    pub iam: iam_access_keys::IamKeySettings,
}

impl Default for PlaybookSettings {
    fn default() -> Self {
        Self {
            authorized_public_ports: vec![80, 443],
            s3_kms_key_id: None,
            iac_tag_keys: iac::DEFAULT_TAG_KEYS.iter().map(|k| k.to_string()).collect(),
            enabled: None,
            disabled: Vec::new(),
            iam: Default::default(),
        }
    }
}

impl PlaybookSettings {
    /// Checks the settings, naming the config key at fault.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(port) = self.authorized_public_ports.iter().find(|p| !(0..=65535).contains(*p)) {
            return Err(format!("playbooks.authorized_public_ports: {port} is not a port (0-65535)"));
        }
        if let Some(key) = &self.s3_kms_key_id {
            if key.trim().is_empty() || key.len() > 2048 || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(format!("playbooks.s3_kms_key_id: {key:?} is not a KMS key id, ARN or alias"));
            }
        }
        if let Some(key) = self.iac_tag_keys.iter().find(|k| k.trim().is_empty()) {
            return Err(format!("playbooks.iac_tag_keys: {key:?} is not a tag key"));
        }
        self.iam.validate()?;
        let all = Playbooks::new(&Self::default());
        let known: Vec<&str> = all.all.iter().map(|(p, _)| p.name()).collect();
        catalogue::check_names("playbooks.enabled", self.enabled.as_deref().unwrap_or_default(), &known)?;
        catalogue::check_names("playbooks.disabled", &self.disabled, &known)?;
        Ok(())
    }
}

/// Every playbook, whether the config switched it on, looked up by control id.
pub struct Playbooks {
    all: Vec<(Box<dyn Playbook>, bool)>,
    /// Each control's playbook (its place in `all`, the first that handles it), enabled and switched off: every
    /// finding is looked up, a hundred thousand in a large `plan`, and a walk of every playbook's controls cost more
    /// than the rest of its verdict.
    by_control: HashMap<&'static str, ControlPlaybooks, BuildWordHasher>,
    iac_tag_keys: Vec<String>,
}

/// The playbooks that handle one control.
#[derive(Default, Clone, Copy)]
struct ControlPlaybooks {
    enabled: Option<usize>,
    disabled: Option<usize>,
}

impl Playbooks {
    /// The built-in playbooks.
    pub fn new(settings: &PlaybookSettings) -> Self {
        let built: Vec<Box<dyn Playbook>> = vec![
            Box::new(s3_account_public_access::AccountPublicAccess),
            Box::new(s3_public_access::BucketPublicAccess),
            Box::new(s3_encryption::DefaultEncryption::new(settings.s3_kms_key_id.clone())),
            Box::new(s3_ssl_only::SslOnly),
            Box::new(default_sg::DefaultSecurityGroup),
            Box::new(sg_open_ports::OpenPorts::new(settings.authorized_public_ports.clone())),
            Box::new(ebs_default_encryption::EbsEncryptionByDefault),
            Box::new(imdsv2::Imdsv2),
            Box::new(kms_rotation::KeyRotation),
            Box::new(cloudtrail_validation::LogFileValidation),
            Box::new(ebs_snapshot_private::EbsSnapshotPrivate),
            Box::new(rds_snapshot_private::RdsSnapshotPrivate),
            Box::new(iam_access_keys::StaleAccessKeys::new(settings.iam.clone())),
        ];
        let enabled =
            |p: &dyn Playbook| catalogue::is_enabled(p.name(), settings.enabled.as_deref(), &settings.disabled);
        let all: Vec<_> = built
            .into_iter()
            .map(|p| {
                let on = enabled(p.as_ref());
                (p, on)
            })
            .collect();
        let mut by_control: HashMap<&'static str, ControlPlaybooks, BuildWordHasher> = HashMap::default();
        for (at, (playbook, on)) in all.iter().enumerate() {
            for &control in playbook.controls() {
                let entry = by_control.entry(control).or_default();
                let slot = if *on { &mut entry.enabled } else { &mut entry.disabled };
                slot.get_or_insert(at);
            }
        }
        Self { all, by_control, iac_tag_keys: settings.iac_tag_keys.clone() }
    }

    fn at(&self, at: Option<usize>) -> Option<&dyn Playbook> {
        at.and_then(|at| self.all.get(at)).map(|(p, _)| p.as_ref())
    }

    /// The enabled playbook for a control, if any.
    pub fn for_control(&self, control_id: &str) -> Option<&dyn Playbook> {
        self.at(self.by_control.get(control_id)?.enabled)
    }

    /// The playbook for a control when the config switched it off.
    pub fn disabled_for(&self, control_id: &str) -> Option<&dyn Playbook> {
        self.at(self.by_control.get(control_id)?.disabled)
    }

    /// The enabled playbooks.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Playbook> {
        self.all.iter().filter(|(_, on)| *on).map(|(p, _)| p.as_ref())
    }

    /// Every playbook, enabled or not, as `hubtriage playbooks` lists them.
    pub fn catalogue(&self) -> Vec<CatalogueEntry> {
        self.all
            .iter()
            .map(|(p, on)| {
                let about = p.about();
                CatalogueEntry {
                    name: p.name(),
                    controls: p.controls().to_vec(),
                    resource_type: p.resource_type(),
                    change: about.change,
                    rollback: about.rollback,
                    risk: about.risk,
                    enabled: *on,
                }
            })
            .collect()
    }

    /// The plan of the control's playbook (`None` when there is none), with a warning when the resource's tags say
    /// infrastructure as code manages it.
    pub fn plan(
        &self,
        control_id: &str,
        state: &ResourceState,
        basis: Basis,
    ) -> Option<Result<PlanOutcome, PlanError>> {
        let playbook = self.for_control(control_id)?;
        if let ResourceState::S3Bucket(b) = state {
            let missing = b.unread.common(playbook.bucket_parts(control_id).and(BucketParts::TAGS));
            if !missing.is_empty() {
                return Some(Err(PlanError::Unread(format!(
                    "bucket {}: its {} {} not read",
                    b.name,
                    missing.describe(),
                    if missing.each().count() == 1 { "was" } else { "were" }
                ))));
            }
        }
        let outcome = playbook.plan(control_id, state, basis);
        Some(outcome.map(|outcome| match outcome {
            PlanOutcome::Change(mut plan) => {
                if let Some(warning) = iac::warning(state.tags(), &self.iac_tag_keys) {
                    plan.warnings.push(warning);
                }
                PlanOutcome::Change(plan)
            }
            other => other,
        }))
    }
}

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;
