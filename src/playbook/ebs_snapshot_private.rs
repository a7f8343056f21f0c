//! EC2.1: the account's public EBS snapshots in the finding's region made private (`createVolumePermission` group
//! `all` removed; accounts a snapshot is shared with by id keep their access). The control is evaluated per account
//! and region, so one plan covers every public snapshot there.

use super::change::Change;
use super::common::account;
use super::plan::{fingerprint, shell_word, Basis, Plan, PlanError, PlanOutcome, Step};
use super::state::ResourceState;
use super::{About, Playbook, Risk};

/// Public EBS snapshots made private.
pub struct EbsSnapshotPrivate;

impl Playbook for EbsSnapshotPrivate {
    fn name(&self) -> &'static str {
        "ebs-snapshot-private"
    }

    fn controls(&self) -> &'static [&'static str] {
        &["EC2.1"]
    }

    fn about(&self) -> About {
        About {
            change: "remove createVolumePermission group all from the account's public EBS snapshots in the region",
            rollback: "add group all to those snapshots again",
            risk: Risk::ReversibleWithCare,
        }
    }

    fn resource_type(&self) -> &'static str {
        "AwsAccount"
    }

    fn plan(&self, _control_id: &str, state: &ResourceState, basis: Basis) -> Result<PlanOutcome, PlanError> {
        let a = account(state, self.name())?;
        let Some(public) = &a.public_ebs_snapshots else {
            return Err(match basis {
                Basis::FindingSnapshot => PlanError::NoSnapshot(
                    " (the finding does not name the public snapshots: a live read lists them)".into(),
                ),
                Basis::Live => PlanError::Unsafe(format!(
                    "the public EBS snapshots of account {} in {} could not be read (ec2:DescribeSnapshots, ec2:DescribeSnapshotAttribute)",
                    a.account_id, a.region
                )),
            });
        };
        if public.is_empty() {
            return Ok(PlanOutcome::AlreadyCompliant(format!(
                "account {} has no public EBS snapshot in {}",
                a.account_id, a.region
            )));
        }
        let region = shell_word(&a.region);
        let cli = |id: &str, verb: &str| {
            format!(
                "aws ec2 modify-snapshot-attribute --snapshot-id {} --attribute createVolumePermission --operation-type {verb} --group-names all --region {region}",
                shell_word(id)
            )
        };
        let change = |id: &String, public| Change::SetEbsSnapshotPublic { snapshot_id: id.clone(), public };
        let mut parts = vec![self.name(), a.account_id.as_str(), a.region.as_str()];
        parts.extend(public.iter().map(String::as_str));
        Ok(PlanOutcome::Change(Plan {
            playbook: self.name(),
            summary: format!(
                "Make {} public EBS snapshot(s) private in account {} region {}",
                public.len(),
                a.account_id,
                a.region
            ),
            steps: public
                .iter()
                .map(|id| Step {
                    action: format!("remove createVolumePermission group all from {id}"),
                    before: "anyone may create volumes from it".into(),
                    after: "owner and accounts shared by id only".into(),
                })
                .collect(),
            cli: public.iter().map(|id| cli(id, "remove")).collect(),
            rollback_cli: public.iter().map(|id| cli(id, "add")).collect(),
            fingerprint: fingerprint(&parts),
            basis,
            changes: public.iter().map(|id| change(id, false)).collect(),
            rollback: public.iter().map(|id| change(id, true)).collect(),
            warnings: vec![
                "anyone outside the organisation who creates volumes from these snapshots loses that ability: share them with their account ids if they need it".into(),
            ],
        }))
    }

    fn verify(&self, _control_id: &str, state: &ResourceState) -> bool {
        matches!(state, ResourceState::Account(a) if a.public_ebs_snapshots.as_ref().is_some_and(Vec::is_empty))
    }

    fn iam_actions(&self) -> &'static [&'static str] {
        &["ec2:DescribeSnapshots", "ec2:DescribeSnapshotAttribute", "ec2:ModifySnapshotAttribute"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::state::{AccountState, BucketPublicAccessBlock};

    fn account_with(public: Option<&[&str]>) -> ResourceState {
        ResourceState::Account(AccountState {
            account_id: "111111111111".into(),
            region: "eu-west-1".into(),
            s3_public_access_block: BucketPublicAccessBlock::Unknown,
            ebs_encryption_by_default: None,
            public_ebs_snapshots: public.map(|p| p.iter().map(|s| s.to_string()).collect()),
        })
    }

    #[test]
    fn one_removal_per_public_snapshot_and_the_rollback_adds_them_back() {
        let state = account_with(Some(&["snap-1", "snap-2"]));
        let Ok(PlanOutcome::Change(p)) = EbsSnapshotPrivate.plan("EC2.1", &state, Basis::Live) else { panic!() };
        assert_eq!(
            p.changes,
            [
                Change::SetEbsSnapshotPublic { snapshot_id: "snap-1".into(), public: false },
                Change::SetEbsSnapshotPublic { snapshot_id: "snap-2".into(), public: false }
            ]
        );
        assert!(p.rollback.iter().all(|c| matches!(c, Change::SetEbsSnapshotPublic { public: true, .. })));
        assert_eq!(
            p.cli[0],
            "aws ec2 modify-snapshot-attribute --snapshot-id snap-1 --attribute createVolumePermission --operation-type remove --group-names all --region eu-west-1"
        );
        assert!(
            p.rollback_cli[1].contains("--snapshot-id snap-2") && p.rollback_cli[1].contains("--operation-type add")
        );
        assert!(!EbsSnapshotPrivate.verify("EC2.1", &state));
    }

    #[test]
    fn no_public_snapshot_is_compliant_and_an_unread_list_plans_nothing() {
        let none = account_with(Some(&[]));
        assert!(matches!(EbsSnapshotPrivate.plan("EC2.1", &none, Basis::Live), Ok(PlanOutcome::AlreadyCompliant(_))));
        assert!(EbsSnapshotPrivate.verify("EC2.1", &none));
        let unread = account_with(None);
        assert!(matches!(EbsSnapshotPrivate.plan("EC2.1", &unread, Basis::Live), Err(PlanError::Unsafe(_))));
        assert!(matches!(
            EbsSnapshotPrivate.plan("EC2.1", &unread, Basis::FindingSnapshot),
            Err(PlanError::NoSnapshot(_))
        ));
        assert!(!EbsSnapshotPrivate.verify("EC2.1", &unread));
    }
}
