//! EC2.8: require IMDSv2 (session tokens) on an instance's metadata service.

use super::change::Change;
use super::common::instance;
use super::plan::{fingerprint, shell_word, Basis, Plan, PlanError, PlanOutcome, Step};
use super::state::ResourceState;
use super::{About, Playbook, Risk};

/// IMDSv2 only.
pub struct Imdsv2;

impl Playbook for Imdsv2 {
    fn name(&self) -> &'static str {
        "ec2-require-imdsv2"
    }

    fn controls(&self) -> &'static [&'static str] {
        &["EC2.8"]
    }

    fn about(&self) -> About {
        About {
            change: "instance metadata service: HttpTokens=required (IMDSv2 only)",
            rollback: "set HttpTokens back to its previous value",
            risk: Risk::ReversibleWithCare,
        }
    }

    fn resource_type(&self) -> &'static str {
        "AwsEc2Instance"
    }

    fn plan(&self, _control_id: &str, state: &ResourceState, basis: Basis) -> Result<PlanOutcome, PlanError> {
        let i = instance(state, self.name())?;
        if i.http_tokens.as_deref() == Some("required") {
            return Ok(PlanOutcome::AlreadyCompliant(format!("instance {} already requires IMDSv2", i.instance_id)));
        }
        let instance_id = shell_word(&i.instance_id);
        let region = shell_word(&i.region);
        let cli = |tokens: &str| {
            format!(
                "aws ec2 modify-instance-metadata-options --instance-id {instance_id} --http-tokens {} --region {region}",
                shell_word(tokens)
            )
        };
        let mut warnings = vec![
            "software on the instance that still uses IMDSv1 (old SDKs and agents calling 169.254.169.254 without a token) loses access to instance metadata and role credentials".to_string(),
            "containers that reach the metadata service through a bridge network need a hop limit of 2 or more".to_string(),
        ];
        if i.http_endpoint.as_deref() == Some("disabled") {
            warnings.push("the metadata service is disabled on this instance: the change only takes effect if it is enabled again".into());
        }
        let previous = match &i.http_tokens {
            Some(previous) => previous.clone(),
            None => {
                warnings.push("the finding does not record the current setting: the rollback sets HttpTokens=optional (IMDSv1 allowed)".into());
                "optional".to_string()
            }
        };
        let before = match &i.http_tokens {
            Some(tokens) => format!("HttpTokens={tokens}"),
            None => "HttpTokens not recorded in the finding (the failing control means optional)".into(),
        };
        Ok(PlanOutcome::Change(Plan {
            playbook: self.name(),
            summary: format!("Require IMDSv2 on instance {} in account {}", i.instance_id, i.account_id),
            steps: vec![Step {
                action: format!("ModifyInstanceMetadataOptions on {}", i.instance_id),
                before,
                after: "HttpTokens=required".into(),
            }],
            cli: vec![cli("required")],
            rollback_cli: vec![cli(&previous)],
            fingerprint: fingerprint(&[
                self.name(),
                &i.account_id,
                &i.instance_id,
                i.http_tokens.as_deref().unwrap_or("-"),
                i.http_endpoint.as_deref().unwrap_or("-"),
            ]),
            basis,
            changes: vec![Change::SetInstanceMetadataTokens {
                instance_id: i.instance_id.clone(),
                http_tokens: "required".into(),
            }],
            rollback: vec![Change::SetInstanceMetadataTokens {
                instance_id: i.instance_id.clone(),
                http_tokens: previous,
            }],
            warnings,
        }))
    }

    fn verify(&self, _control_id: &str, state: &ResourceState) -> bool {
        matches!(state, ResourceState::Instance(i) if i.http_tokens.as_deref() == Some("required"))
    }

    fn iam_actions(&self) -> &'static [&'static str] {
        &["ec2:DescribeInstances", "ec2:ModifyInstanceMetadataOptions"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::state::{AccountState, BucketPublicAccessBlock, InstanceState};

    fn instance_with(tokens: Option<&str>) -> ResourceState {
        ResourceState::Instance(InstanceState {
            instance_id: "i-0abc".into(),
            account_id: "111111111111".into(),
            region: "us-east-1".into(),
            http_tokens: tokens.map(String::from),
            http_endpoint: Some("enabled".into()),
            tags: Default::default(),
        })
    }

    fn change(state: &ResourceState) -> Plan {
        match Imdsv2.plan("EC2.8", state, Basis::Live) {
            Ok(PlanOutcome::Change(p)) => p,
            other => panic!("expected a change, got {other:?}"),
        }
    }

    #[test]
    fn requires_tokens_and_rolls_back_to_optional() {
        let p = change(&instance_with(Some("optional")));
        assert_eq!(p.steps[0].before, "HttpTokens=optional");
        assert_eq!(p.steps[0].after, "HttpTokens=required");
        assert_eq!(
            p.cli,
            ["aws ec2 modify-instance-metadata-options --instance-id i-0abc --http-tokens required --region us-east-1"]
        );
        assert_eq!(
            p.rollback_cli,
            ["aws ec2 modify-instance-metadata-options --instance-id i-0abc --http-tokens optional --region us-east-1"]
        );
        assert_eq!(
            p.changes,
            [Change::SetInstanceMetadataTokens { instance_id: "i-0abc".into(), http_tokens: "required".into() }]
        );
        assert_eq!(
            p.rollback,
            [Change::SetInstanceMetadataTokens { instance_id: "i-0abc".into(), http_tokens: "optional".into() }]
        );
        assert!(p.warnings.iter().any(|w| w.contains("IMDSv1")), "{:?}", p.warnings);
        assert!(!p.warnings.iter().any(|w| w.contains("does not record")), "{:?}", p.warnings);
    }

    #[test]
    fn unknown_setting_rolls_back_to_optional_and_says_so() {
        let p = change(&instance_with(None));
        assert!(p.steps[0].before.contains("not recorded"));
        assert_eq!(
            p.rollback,
            [Change::SetInstanceMetadataTokens { instance_id: "i-0abc".into(), http_tokens: "optional".into() }]
        );
        assert!(p.warnings.iter().any(|w| w.contains("rollback sets HttpTokens=optional")), "{:?}", p.warnings);
    }

    #[test]
    fn compliant_and_verify() {
        let required = instance_with(Some("required"));
        assert!(matches!(Imdsv2.plan("EC2.8", &required, Basis::Live), Ok(PlanOutcome::AlreadyCompliant(_))));
        assert!(Imdsv2.verify("EC2.8", &required));
        assert!(!Imdsv2.verify("EC2.8", &instance_with(Some("optional"))));
        assert!(!Imdsv2.verify("EC2.8", &instance_with(None)));
    }

    #[test]
    fn other_resources_are_refused() {
        let account = ResourceState::Account(AccountState {
            account_id: "111111111111".into(),
            region: "us-east-1".into(),
            s3_public_access_block: BucketPublicAccessBlock::Unknown,
            ebs_encryption_by_default: Some(false),
            public_ebs_snapshots: None,
        });
        assert!(matches!(
            Imdsv2.plan("EC2.8", &account, Basis::Live),
            Err(PlanError::WrongResource { wanted: "EC2 instance", found: "account", .. })
        ));
        assert!(!Imdsv2.verify("EC2.8", &account));
    }
}
