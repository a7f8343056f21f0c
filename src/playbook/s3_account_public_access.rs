//! S3.1: turn on all four account-level S3 Block Public Access settings (s3control).

use super::change::Change;
use super::common::account;
use super::plan::{fingerprint, shell_word, Basis, Plan, PlanError, PlanOutcome, Step};
use super::state::{BucketPublicAccessBlock, PublicAccessBlock, ResourceState};
use super::{About, Playbook, Risk};

/// Account-level Block Public Access.
pub struct AccountPublicAccess;

impl Playbook for AccountPublicAccess {
    fn name(&self) -> &'static str {
        "s3-account-block-public-access"
    }

    fn controls(&self) -> &'static [&'static str] {
        &["S3.1"]
    }

    fn about(&self) -> About {
        About {
            change: "account-level S3 Block Public Access: all four settings on",
            rollback: "restore the account's previous settings (or delete the configuration it did not have)",
            risk: Risk::AlwaysSafe,
        }
    }

    fn resource_type(&self) -> &'static str {
        "AwsAccount"
    }

    fn plan(&self, _control_id: &str, state: &ResourceState, basis: Basis) -> Result<PlanOutcome, PlanError> {
        let a = account(state, self.name())?;
        if a.s3_public_access_block == BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON) {
            return Ok(PlanOutcome::AlreadyCompliant(format!(
                "account {} already blocks public access to S3 (all four settings on)",
                a.account_id
            )));
        }
        let account_id = shell_word(&a.account_id);
        let region = shell_word(&a.region);
        let cli = |verb: &str, config: Option<PublicAccessBlock>| {
            let config =
                config.map(|c| format!(" --public-access-block-configuration {}", c.cli_form())).unwrap_or_default();
            format!("aws s3control {verb}-public-access-block --account-id {account_id}{config} --region {region}")
        };
        let mut warnings = vec![format!(
            "this is account-wide: every bucket in account {} stops being public, including buckets meant to be (static websites, public datasets)",
            a.account_id
        )];
        let (rollback, rollback_cli) = match a.s3_public_access_block {
            BucketPublicAccessBlock::Configured(previous) => {
                (vec![Change::PutAccountPublicAccessBlock { config: previous }], cli("put", Some(previous)))
            }
            BucketPublicAccessBlock::NotConfigured => {
                (vec![Change::DeleteAccountPublicAccessBlock], cli("delete", None))
            }
            BucketPublicAccessBlock::Unknown => {
                warnings.push("the finding does not record the current settings: apply reads them live and records them for rollback".into());
                (Vec::new(), format!("# recorded from the live state when applied: {}", cli("get", None)))
            }
        };
        Ok(PlanOutcome::Change(Plan {
            playbook: self.name(),
            summary: format!("Block all public access to S3 in account {}", a.account_id),
            steps: vec![Step {
                action: format!("PutPublicAccessBlock on account {}", a.account_id),
                before: match a.s3_public_access_block {
                    BucketPublicAccessBlock::NotConfigured => {
                        "no account-level Block Public Access configuration".into()
                    }
                    other => other.describe(),
                },
                after: PublicAccessBlock::ALL_ON.cli_form(),
            }],
            cli: vec![cli("put", Some(PublicAccessBlock::ALL_ON))],
            rollback_cli: vec![rollback_cli],
            fingerprint: fingerprint(&[self.name(), &a.account_id, &a.s3_public_access_block.describe()]),
            basis,
            changes: vec![Change::PutAccountPublicAccessBlock { config: PublicAccessBlock::ALL_ON }],
            rollback,
            warnings,
        }))
    }

    fn verify(&self, _control_id: &str, state: &ResourceState) -> bool {
        matches!(state, ResourceState::Account(a)
            if a.s3_public_access_block == BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON))
    }

    fn iam_actions(&self) -> &'static [&'static str] {
        &["s3:GetAccountPublicAccessBlock", "s3:PutAccountPublicAccessBlock"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::state::AccountState;

    fn account_with(block: BucketPublicAccessBlock) -> ResourceState {
        ResourceState::Account(AccountState {
            account_id: "111111111111".into(),
            region: "eu-west-1".into(),
            s3_public_access_block: block,
            ebs_encryption_by_default: None,
            public_ebs_snapshots: None,
        })
    }

    fn change(state: &ResourceState) -> Plan {
        match AccountPublicAccess.plan("S3.1", state, Basis::Live) {
            Ok(PlanOutcome::Change(p)) => p,
            other => panic!("expected a change, got {other:?}"),
        }
    }

    #[test]
    fn turns_on_all_four_and_rolls_back_to_the_previous_settings() {
        let previous = PublicAccessBlock { block_public_policy: true, ..Default::default() };
        let p = change(&account_with(BucketPublicAccessBlock::Configured(previous)));
        assert_eq!(
            p.steps[0].before,
            "BlockPublicAcls=false,IgnorePublicAcls=false,BlockPublicPolicy=true,RestrictPublicBuckets=false"
        );
        assert_eq!(
            p.steps[0].after,
            "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
        );
        assert_eq!(
            p.cli,
            ["aws s3control put-public-access-block --account-id 111111111111 --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true --region eu-west-1"]
        );
        assert_eq!(
            p.rollback_cli,
            ["aws s3control put-public-access-block --account-id 111111111111 --public-access-block-configuration BlockPublicAcls=false,IgnorePublicAcls=false,BlockPublicPolicy=true,RestrictPublicBuckets=false --region eu-west-1"]
        );
        assert_eq!(p.changes, [Change::PutAccountPublicAccessBlock { config: PublicAccessBlock::ALL_ON }]);
        assert_eq!(p.rollback, [Change::PutAccountPublicAccessBlock { config: previous }]);
        assert!(p.warnings.iter().any(|w| w.contains("account-wide")), "{:?}", p.warnings);
    }

    #[test]
    fn an_unconfigured_account_rolls_back_by_deleting_the_configuration() {
        let p = change(&account_with(BucketPublicAccessBlock::NotConfigured));
        assert_eq!(p.steps[0].before, "no account-level Block Public Access configuration");
        assert_eq!(
            p.rollback_cli,
            ["aws s3control delete-public-access-block --account-id 111111111111 --region eu-west-1"]
        );
        assert_eq!(p.rollback, [Change::DeleteAccountPublicAccessBlock]);
    }

    #[test]
    fn unknown_settings_plan_with_a_warning_and_rollback_recorded_at_apply() {
        let p = change(&account_with(BucketPublicAccessBlock::Unknown));
        assert!(p.rollback.is_empty());
        assert!(p.rollback_cli[0]
            .starts_with("# recorded from the live state when applied: aws s3control get-public-access-block"));
        assert!(p.warnings.iter().any(|w| w.contains("does not record")), "{:?}", p.warnings);
    }

    #[test]
    fn compliant_account_and_verify() {
        let on = account_with(BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON));
        assert!(matches!(AccountPublicAccess.plan("S3.1", &on, Basis::Live), Ok(PlanOutcome::AlreadyCompliant(_))));
        assert!(AccountPublicAccess.verify("S3.1", &on));
        assert!(!AccountPublicAccess.verify("S3.1", &account_with(BucketPublicAccessBlock::NotConfigured)));
    }

    #[test]
    fn wrong_resource_is_refused() {
        let instance = ResourceState::Instance(crate::playbook::InstanceState {
            instance_id: "i-1".into(),
            account_id: "111111111111".into(),
            region: "eu-west-1".into(),
            http_tokens: None,
            http_endpoint: None,
            tags: Default::default(),
        });
        assert!(matches!(
            AccountPublicAccess.plan("S3.1", &instance, Basis::Live),
            Err(PlanError::WrongResource { wanted: "account", .. })
        ));
        assert!(!AccountPublicAccess.verify("S3.1", &instance));
    }
}
