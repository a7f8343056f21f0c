//! EC2.7: EBS encryption by default in the finding's region.

use super::change::Change;
use super::common::account;
use super::plan::{fingerprint, shell_word, Basis, Plan, PlanError, PlanOutcome, Step};
use super::state::ResourceState;
use super::{About, Playbook, Risk};

/// EBS encryption by default.
pub struct EbsEncryptionByDefault;

impl Playbook for EbsEncryptionByDefault {
    fn name(&self) -> &'static str {
        "ebs-encryption-by-default"
    }

    fn controls(&self) -> &'static [&'static str] {
        &["EC2.7"]
    }

    fn about(&self) -> About {
        About {
            change: "EBS encryption by default on in the region",
            rollback: "turn EBS encryption by default off again",
            risk: Risk::AlwaysSafe,
        }
    }

    fn resource_type(&self) -> &'static str {
        "AwsAccount"
    }

    fn plan(&self, _control_id: &str, state: &ResourceState, basis: Basis) -> Result<PlanOutcome, PlanError> {
        let a = account(state, self.name())?;
        let before = match a.ebs_encryption_by_default {
            Some(true) => {
                return Ok(PlanOutcome::AlreadyCompliant(format!(
                    "EBS encryption by default is already on in account {} region {}",
                    a.account_id, a.region
                )))
            }
            Some(false) => "disabled",
            None => "not recorded in the finding (the failing control means it is off)",
        };
        let region = shell_word(&a.region);
        let mut warnings = vec![
            format!(
                "only new EBS volumes in {} are encrypted: existing volumes and snapshots stay as they are",
                a.region
            ),
            "new volumes use the region's default EBS key (aws/ebs unless changed): snapshots shared with other accounts then need a customer managed key".to_string(),
        ];
        if a.ebs_encryption_by_default.is_none() {
            warnings.push("the finding does not record the current setting: apply reads it live".into());
        }
        Ok(PlanOutcome::Change(Plan {
            playbook: self.name(),
            summary: format!("Turn on EBS encryption by default in account {} region {}", a.account_id, a.region),
            steps: vec![Step {
                action: format!("EnableEbsEncryptionByDefault in {}", a.region),
                before: before.into(),
                after: "enabled".into(),
            }],
            cli: vec![format!("aws ec2 enable-ebs-encryption-by-default --region {region}")],
            rollback_cli: vec![format!("aws ec2 disable-ebs-encryption-by-default --region {region}")],
            fingerprint: fingerprint(&[self.name(), &a.account_id, &a.region, before]),
            basis,
            changes: vec![Change::SetEbsEncryptionByDefault { enabled: true }],
            rollback: vec![Change::SetEbsEncryptionByDefault { enabled: false }],
            warnings,
        }))
    }

    fn verify(&self, _control_id: &str, state: &ResourceState) -> bool {
        matches!(state, ResourceState::Account(a) if a.ebs_encryption_by_default == Some(true))
    }

    fn iam_actions(&self) -> &'static [&'static str] {
        &["ec2:GetEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault", "ec2:DisableEbsEncryptionByDefault"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::state::{AccountState, BucketPublicAccessBlock, BucketState};

    fn account_with(ebs: Option<bool>) -> ResourceState {
        ResourceState::Account(AccountState {
            account_id: "111111111111".into(),
            region: "eu-west-1".into(),
            s3_public_access_block: BucketPublicAccessBlock::Unknown,
            ebs_encryption_by_default: ebs,
            public_ebs_snapshots: None,
        })
    }

    fn change(state: &ResourceState) -> Plan {
        match EbsEncryptionByDefault.plan("EC2.7", state, Basis::Live) {
            Ok(PlanOutcome::Change(p)) => p,
            other => panic!("expected a change, got {other:?}"),
        }
    }

    #[test]
    fn enables_and_rolls_back_by_disabling() {
        let p = change(&account_with(Some(false)));
        assert_eq!((p.steps[0].before.as_str(), p.steps[0].after.as_str()), ("disabled", "enabled"));
        assert_eq!(p.cli, ["aws ec2 enable-ebs-encryption-by-default --region eu-west-1"]);
        assert_eq!(p.rollback_cli, ["aws ec2 disable-ebs-encryption-by-default --region eu-west-1"]);
        assert_eq!(p.changes, [Change::SetEbsEncryptionByDefault { enabled: true }]);
        assert_eq!(p.rollback, [Change::SetEbsEncryptionByDefault { enabled: false }]);
        assert!(p.warnings.iter().any(|w| w.contains("only new EBS volumes")), "{:?}", p.warnings);
        assert!(!p.warnings.iter().any(|w| w.contains("does not record")), "{:?}", p.warnings);
    }

    #[test]
    fn unknown_setting_still_plans_with_a_warning() {
        let p = change(&account_with(None));
        assert!(p.steps[0].before.starts_with("not recorded"));
        assert!(p.warnings.iter().any(|w| w.contains("does not record")), "{:?}", p.warnings);
        assert_ne!(p.fingerprint, change(&account_with(Some(false))).fingerprint);
    }

    #[test]
    fn compliant_and_verify() {
        let on = account_with(Some(true));
        assert!(matches!(EbsEncryptionByDefault.plan("EC2.7", &on, Basis::Live), Ok(PlanOutcome::AlreadyCompliant(_))));
        assert!(EbsEncryptionByDefault.verify("EC2.7", &on));
        assert!(!EbsEncryptionByDefault.verify("EC2.7", &account_with(Some(false))));
        assert!(!EbsEncryptionByDefault.verify("EC2.7", &account_with(None)));
    }

    #[test]
    fn other_resources_are_refused() {
        let bucket = ResourceState::S3Bucket(BucketState {
            name: "b".into(),
            account_id: "111111111111".into(),
            region: "eu-west-1".into(),
            public_access_block: BucketPublicAccessBlock::Unknown,
            encryption: None,
            encryption_kms_key: None,
            policy: None,
            tags: Default::default(),
            unread: crate::playbook::BucketParts::NONE,
        });
        assert!(matches!(
            EbsEncryptionByDefault.plan("EC2.7", &bucket, Basis::Live),
            Err(PlanError::WrongResource { wanted: "account", found: "S3 bucket", .. })
        ));
        assert!(!EbsEncryptionByDefault.verify("EC2.7", &bucket));
    }
}
