//! RDS.1: a public RDS DB snapshot or DB cluster snapshot made private (`all` removed from its `restore`
//! attribute; the accounts it is shared with by id keep their access).

use super::change::Change;
use super::plan::{fingerprint, shell_word, Basis, Plan, PlanError, PlanOutcome, Step};
use super::state::{RdsSnapshotState, ResourceState};
use super::{About, Playbook, Risk};

/// Public RDS snapshots made private.
pub struct RdsSnapshotPrivate;

fn snapshot<'a>(state: &'a ResourceState, playbook: &'static str) -> Result<&'a RdsSnapshotState, PlanError> {
    match state {
        ResourceState::RdsSnapshot(s) => Ok(s),
        other => Err(PlanError::WrongResource { playbook, wanted: "RDS snapshot", found: other.kind() }),
    }
}

impl Playbook for RdsSnapshotPrivate {
    fn name(&self) -> &'static str {
        "rds-snapshot-private"
    }

    fn controls(&self) -> &'static [&'static str] {
        &["RDS.1"]
    }

    fn about(&self) -> About {
        About {
            change: "remove `all` from a public RDS snapshot's restore attribute (accounts it is shared with by id keep access)",
            rollback: "add `all` to the restore attribute again",
            risk: Risk::ReversibleWithCare,
        }
    }

    fn resource_type(&self) -> &'static str {
        "AwsRdsDbSnapshot"
    }

    fn plan(&self, _control_id: &str, state: &ResourceState, basis: Basis) -> Result<PlanOutcome, PlanError> {
        let s = snapshot(state, self.name())?;
        if s.public == Some(false) {
            return Ok(PlanOutcome::AlreadyCompliant(format!("RDS snapshot {} is not public", s.identifier)));
        }
        let (command, id_flag) = if s.cluster {
            ("modify-db-cluster-snapshot-attribute", "--db-cluster-snapshot-identifier")
        } else {
            ("modify-db-snapshot-attribute", "--db-snapshot-identifier")
        };
        let cli = |values: &str| {
            format!(
                "aws rds {command} {id_flag} {} --attribute-name restore --{values} all --region {}",
                shell_word(&s.identifier),
                shell_word(&s.region)
            )
        };
        let mut warnings = vec![
            "anyone outside the organisation who restores this snapshot today loses that ability: share it with their account ids if they need it".to_string(),
        ];
        if s.public.is_none() {
            warnings.push("the finding does not record the restore attribute: apply reads it live".into());
        }
        let before = match (s.public, s.shared_with.is_empty()) {
            (None, _) => "not recorded in the finding (the failing control means public)".to_string(),
            (_, true) => "restore: all".to_string(),
            (_, false) => format!("restore: all, {}", s.shared_with.join(", ")),
        };
        let after = if s.shared_with.is_empty() {
            "restore: owner only".to_string()
        } else {
            format!("restore: {}", s.shared_with.join(", "))
        };
        let change =
            |public| Change::SetRdsSnapshotPublic { identifier: s.identifier.clone(), cluster: s.cluster, public };
        Ok(PlanOutcome::Change(Plan {
            playbook: self.name(),
            summary: format!("Make RDS snapshot {} private in account {}", s.identifier, s.account_id),
            steps: vec![Step {
                action: format!("remove all from the restore attribute of {}", s.identifier),
                before,
                after,
            }],
            cli: vec![cli("values-to-remove")],
            rollback_cli: vec![cli("values-to-add")],
            fingerprint: fingerprint(&[
                self.name(),
                &s.account_id,
                &s.region,
                &s.identifier,
                &format!("{}{:?}", s.cluster, s.public),
                &s.shared_with.join(","),
            ]),
            basis,
            changes: vec![change(false)],
            rollback: vec![change(true)],
            warnings,
        }))
    }

    fn verify(&self, _control_id: &str, state: &ResourceState) -> bool {
        matches!(state, ResourceState::RdsSnapshot(s) if s.public == Some(false))
    }

    fn iam_actions(&self) -> &'static [&'static str] {
        &[
            "rds:DescribeDBSnapshotAttributes",
            "rds:DescribeDBClusterSnapshotAttributes",
            "rds:ListTagsForResource",
            "rds:ModifyDBSnapshotAttribute",
            "rds:ModifyDBClusterSnapshotAttribute",
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(public: Option<bool>, cluster: bool, shared: &[&str]) -> ResourceState {
        ResourceState::RdsSnapshot(RdsSnapshotState {
            identifier: "nightly-2026-12-01".into(),
            cluster,
            account_id: "111111111111".into(),
            region: "eu-west-1".into(),
            public,
            shared_with: shared.iter().map(|s| s.to_string()).collect(),
            tags: Default::default(),
        })
    }

    fn change(state: &ResourceState) -> Plan {
        match RdsSnapshotPrivate.plan("RDS.1", state, Basis::Live) {
            Ok(PlanOutcome::Change(p)) => p,
            other => panic!("expected a change, got {other:?}"),
        }
    }

    #[test]
    fn removes_only_all_and_keeps_accounts_shared_by_id() {
        let p = change(&snap(Some(true), false, &["222222222222"]));
        let remove =
            Change::SetRdsSnapshotPublic { identifier: "nightly-2026-12-01".into(), cluster: false, public: false };
        assert_eq!(p.changes, [remove]);
        assert_eq!(
            p.rollback,
            [Change::SetRdsSnapshotPublic { identifier: "nightly-2026-12-01".into(), cluster: false, public: true }]
        );
        assert_eq!(p.steps[0].after, "restore: 222222222222");
        assert_eq!(
            p.cli,
            ["aws rds modify-db-snapshot-attribute --db-snapshot-identifier nightly-2026-12-01 --attribute-name restore --values-to-remove all --region eu-west-1"]
        );
        let cluster = change(&snap(Some(true), true, &[]));
        assert!(
            cluster.cli[0].starts_with("aws rds modify-db-cluster-snapshot-attribute --db-cluster-snapshot-identifier")
        );
        assert_eq!(cluster.changes[0].operation(), "rds:ModifyDBClusterSnapshotAttribute");
    }

    #[test]
    fn private_snapshots_are_compliant_and_verify() {
        let private = snap(Some(false), false, &[]);
        assert!(matches!(
            RdsSnapshotPrivate.plan("RDS.1", &private, Basis::Live),
            Ok(PlanOutcome::AlreadyCompliant(_))
        ));
        assert!(RdsSnapshotPrivate.verify("RDS.1", &private));
        assert!(!RdsSnapshotPrivate.verify("RDS.1", &snap(Some(true), false, &[])));
        assert_eq!(RdsSnapshotPrivate.about().risk, Risk::ReversibleWithCare);
    }
}
