//! S3.2 / S3.3 / S3.8: turn on all four bucket-level Block Public Access settings.

use super::change::Change;
use super::common::bucket;
use super::plan::{fingerprint, shell_word, Basis, Plan, PlanError, PlanOutcome, Step};
use super::state::{BucketPublicAccessBlock, PublicAccessBlock, ResourceState};
use super::{About, BucketParts, Playbook, Risk};

/// Bucket-level Block Public Access.
pub struct BucketPublicAccess;

impl Playbook for BucketPublicAccess {
    fn name(&self) -> &'static str {
        "s3-bucket-block-public-access"
    }

    fn controls(&self) -> &'static [&'static str] {
        &["S3.2", "S3.3", "S3.8"]
    }

    fn about(&self) -> About {
        About {
            change: "bucket-level S3 Block Public Access: all four settings on",
            rollback: "restore the bucket's previous settings (or delete the configuration it did not have)",
            risk: Risk::AlwaysSafe,
        }
    }

    fn resource_type(&self) -> &'static str {
        "AwsS3Bucket"
    }

    // The policy only for the warning that public readers of a public policy lose access.
    fn bucket_parts(&self, _control_id: &str) -> BucketParts {
        BucketParts::PUBLIC_ACCESS_BLOCK.and(BucketParts::POLICY)
    }

    fn plan(&self, _control_id: &str, state: &ResourceState, basis: Basis) -> Result<PlanOutcome, PlanError> {
        let b = bucket(state, self.name())?;
        if b.public_access_block == BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON) {
            return Ok(PlanOutcome::AlreadyCompliant(format!(
                "bucket {} already blocks public access (all four settings on)",
                b.name
            )));
        }
        let bucket = shell_word(&b.name);
        let region = shell_word(&b.region);
        let before = b.public_access_block.describe();
        let mut warnings = Vec::new();
        let rollback_change = match b.public_access_block {
            BucketPublicAccessBlock::Configured(previous) => {
                vec![Change::PutBucketPublicAccessBlock { bucket: b.name.clone(), config: previous }]
            }
            BucketPublicAccessBlock::NotConfigured => {
                vec![Change::DeleteBucketPublicAccessBlock { bucket: b.name.clone() }]
            }
            BucketPublicAccessBlock::Unknown => Vec::new(),
        };
        let rollback = match b.public_access_block {
            BucketPublicAccessBlock::Configured(previous) => format!(
                "aws s3api put-public-access-block --bucket {bucket} --public-access-block-configuration {} --region {region}",
                previous.cli_form()
            ),
            BucketPublicAccessBlock::NotConfigured => {
                format!("aws s3api delete-public-access-block --bucket {bucket} --region {region}")
            }
            BucketPublicAccessBlock::Unknown => {
                warnings.push("the finding does not record the current settings: apply reads them live and records them for rollback".into());
                format!("# recorded from the live state when applied: aws s3api get-public-access-block --bucket {bucket} --region {region}")
            }
        };
        if b.policy.is_some() {
            warnings.push(
                "the bucket has a policy: if it grants public access, public readers lose access once BlockPublicPolicy and RestrictPublicBuckets are on".into(),
            );
        }
        Ok(PlanOutcome::Change(Plan {
            playbook: self.name(),
            summary: format!("Block all public access to bucket {} in account {}", b.name, b.account_id),
            steps: vec![Step {
                action: format!("PutPublicAccessBlock on bucket {}", b.name),
                before,
                after: PublicAccessBlock::ALL_ON.cli_form(),
            }],
            cli: vec![format!(
                "aws s3api put-public-access-block --bucket {bucket} --public-access-block-configuration {} --region {region}",
                PublicAccessBlock::ALL_ON.cli_form()
            )],
            rollback_cli: vec![rollback],
            fingerprint: fingerprint(&[self.name(), &b.account_id, &b.name, &b.public_access_block.describe()]),
            basis,
            changes: vec![Change::PutBucketPublicAccessBlock {
                bucket: b.name.clone(),
                config: PublicAccessBlock::ALL_ON,
            }],
            rollback: rollback_change,
            warnings,
        }))
    }

    fn verify(&self, _control_id: &str, state: &ResourceState) -> bool {
        matches!(state, ResourceState::S3Bucket(b)
            if b.public_access_block == BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON))
    }

    fn iam_actions(&self) -> &'static [&'static str] {
        &[
            "s3:GetBucketPublicAccessBlock",
            "s3:GetEncryptionConfiguration",
            "s3:GetBucketPolicy",
            "s3:GetBucketTagging",
            "s3:PutBucketPublicAccessBlock",
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::state::BucketState;
    use std::collections::BTreeMap;

    fn bucket_with(block: BucketPublicAccessBlock) -> ResourceState {
        ResourceState::S3Bucket(BucketState {
            name: "acme-logs".into(),
            account_id: "111111111111".into(),
            region: "eu-west-1".into(),
            public_access_block: block,
            encryption: None,
            encryption_kms_key: None,
            policy: None,
            tags: BTreeMap::new(),
            unread: crate::playbook::BucketParts::NONE,
        })
    }

    #[test]
    fn plan_turns_on_all_four_settings_and_rolls_back_to_the_previous_ones() {
        let partial = PublicAccessBlock { block_public_acls: true, ..Default::default() };
        let PlanOutcome::Change(plan) = BucketPublicAccess
            .plan("S3.8", &bucket_with(BucketPublicAccessBlock::Configured(partial)), Basis::Live)
            .expect("plan")
        else {
            panic!("expected a change");
        };
        assert_eq!(
            plan.steps[0].before,
            "BlockPublicAcls=true,IgnorePublicAcls=false,BlockPublicPolicy=false,RestrictPublicBuckets=false"
        );
        assert_eq!(
            plan.steps[0].after,
            "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
        );
        assert_eq!(
            plan.cli[0],
            "aws s3api put-public-access-block --bucket acme-logs --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true --region eu-west-1"
        );
        assert!(plan.rollback_cli[0].contains("BlockPublicAcls=true,IgnorePublicAcls=false"));
        assert_eq!(plan.basis, Basis::Live);
    }

    #[test]
    fn rollback_of_an_unconfigured_bucket_removes_the_configuration() {
        let PlanOutcome::Change(plan) = BucketPublicAccess
            .plan("S3.2", &bucket_with(BucketPublicAccessBlock::NotConfigured), Basis::FindingSnapshot)
            .expect("plan")
        else {
            panic!("expected a change");
        };
        assert_eq!(plan.rollback_cli[0], "aws s3api delete-public-access-block --bucket acme-logs --region eu-west-1");
    }

    #[test]
    fn unknown_settings_still_plan_and_say_rollback_is_recorded_at_apply() {
        let PlanOutcome::Change(plan) = BucketPublicAccess
            .plan("S3.8", &bucket_with(BucketPublicAccessBlock::Unknown), Basis::FindingSnapshot)
            .expect("plan")
        else {
            panic!("expected a change");
        };
        assert!(plan.steps[0].before.starts_with("not recorded"));
        assert!(plan.rollback_cli[0].starts_with("# recorded from the live state"));
        assert_eq!(plan.basis, Basis::FindingSnapshot);
        assert!(!plan.warnings.is_empty());
    }

    #[test]
    fn compliant_bucket_needs_nothing_and_verifies() {
        let state = bucket_with(BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON));
        assert!(matches!(BucketPublicAccess.plan("S3.8", &state, Basis::Live), Ok(PlanOutcome::AlreadyCompliant(_))));
        assert!(BucketPublicAccess.verify("S3.8", &state));
        assert!(!BucketPublicAccess.verify("S3.8", &bucket_with(BucketPublicAccessBlock::NotConfigured)));
    }

    #[test]
    fn fingerprint_changes_with_the_state() {
        let plan = |s| match BucketPublicAccess.plan("S3.8", &s, Basis::Live) {
            Ok(PlanOutcome::Change(p)) => p.fingerprint,
            other => panic!("unexpected {other:?}"),
        };
        assert_ne!(
            plan(bucket_with(BucketPublicAccessBlock::NotConfigured)),
            plan(bucket_with(BucketPublicAccessBlock::Configured(PublicAccessBlock::default())))
        );
    }
}
