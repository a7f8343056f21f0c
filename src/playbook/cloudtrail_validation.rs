//! CloudTrail.4: log file integrity validation on a trail, changed in the trail's home region.

use super::change::Change;
use super::plan::{fingerprint, shell_word, Basis, Plan, PlanError, PlanOutcome, Step};
use super::state::{ResourceState, TrailState};
use super::{About, Playbook, Risk};

/// Log file validation on.
pub struct LogFileValidation;

fn trail<'a>(state: &'a ResourceState, playbook: &'static str) -> Result<&'a TrailState, PlanError> {
    match state {
        ResourceState::Trail(t) => Ok(t),
        other => Err(PlanError::WrongResource { playbook, wanted: "CloudTrail trail", found: other.kind() }),
    }
}

impl Playbook for LogFileValidation {
    fn name(&self) -> &'static str {
        "cloudtrail-log-file-validation"
    }

    fn controls(&self) -> &'static [&'static str] {
        &["CloudTrail.4"]
    }

    fn about(&self) -> About {
        About {
            change: "log file integrity validation on for a CloudTrail trail (hourly digest files next to the logs)",
            rollback: "turn log file validation off again",
            risk: Risk::AlwaysSafe,
        }
    }

    fn resource_type(&self) -> &'static str {
        "AwsCloudTrailTrail"
    }

    fn plan(&self, _control_id: &str, state: &ResourceState, basis: Basis) -> Result<PlanOutcome, PlanError> {
        let t = trail(state, self.name())?;
        if t.log_file_validation == Some(true) {
            return Ok(PlanOutcome::AlreadyCompliant(format!("trail {} already validates its log files", t.name)));
        }
        let before = match t.log_file_validation {
            Some(_) => "log file validation off",
            None => "not recorded in the finding (the failing control means off)",
        };
        let cli = |flag: &str| {
            format!(
                "aws cloudtrail update-trail --name {} --{flag} --region {}",
                shell_word(&t.arn),
                shell_word(&t.home_region)
            )
        };
        let mut warnings = vec![
            "digest files are written to the trail's bucket: a bucket policy or lifecycle rule that limits what the trail may write needs the CloudTrail-Digest prefix too".to_string(),
        ];
        if t.home_region != t.region {
            warnings.push(format!("the trail's home region is {}: the change is made there", t.home_region));
        }
        Ok(PlanOutcome::Change(Plan {
            playbook: self.name(),
            summary: format!("Turn on log file validation of trail {} in account {}", t.name, t.account_id),
            steps: vec![Step {
                action: format!("UpdateTrail {} in {}", t.name, t.home_region),
                before: before.into(),
                after: "log file validation on".into(),
            }],
            cli: vec![cli("enable-log-file-validation")],
            rollback_cli: vec![cli("no-enable-log-file-validation")],
            fingerprint: fingerprint(&[
                self.name(),
                &t.account_id,
                &t.arn,
                &t.home_region,
                &format!("{:?}", t.log_file_validation),
            ]),
            basis,
            changes: vec![Change::SetTrailLogFileValidation {
                trail_arn: t.arn.clone(),
                home_region: t.home_region.clone(),
                enabled: true,
            }],
            rollback: vec![Change::SetTrailLogFileValidation {
                trail_arn: t.arn.clone(),
                home_region: t.home_region.clone(),
                enabled: false,
            }],
            warnings,
        }))
    }

    fn verify(&self, _control_id: &str, state: &ResourceState) -> bool {
        matches!(state, ResourceState::Trail(t) if t.log_file_validation == Some(true))
    }

    fn iam_actions(&self) -> &'static [&'static str] {
        &["cloudtrail:GetTrail", "cloudtrail:ListTags", "cloudtrail:UpdateTrail"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trail_with(validation: Option<bool>, home: &str) -> ResourceState {
        ResourceState::Trail(TrailState {
            name: "org-trail".into(),
            arn: "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail".into(),
            home_region: home.into(),
            account_id: "111111111111".into(),
            region: "us-east-1".into(),
            log_file_validation: validation,
            tags: Default::default(),
        })
    }

    #[test]
    fn turns_validation_on_in_the_home_region_and_rolls_back() {
        let Ok(PlanOutcome::Change(p)) =
            LogFileValidation.plan("CloudTrail.4", &trail_with(Some(false), "us-east-1"), Basis::Live)
        else {
            panic!("a change")
        };
        let arn = "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail";
        assert_eq!(
            p.changes,
            [Change::SetTrailLogFileValidation {
                trail_arn: arn.into(),
                home_region: "us-east-1".into(),
                enabled: true
            }]
        );
        assert_eq!(
            p.rollback,
            [Change::SetTrailLogFileValidation {
                trail_arn: arn.into(),
                home_region: "us-east-1".into(),
                enabled: false
            }]
        );
        assert_eq!(
            p.cli,
            [format!("aws cloudtrail update-trail --name {arn} --enable-log-file-validation --region us-east-1")]
        );
        assert!(p.rollback_cli[0].contains("--no-enable-log-file-validation"), "{:?}", p.rollback_cli);
        let elsewhere = LogFileValidation.plan("CloudTrail.4", &trail_with(Some(false), "eu-west-1"), Basis::Live);
        let Ok(PlanOutcome::Change(p)) = elsewhere else { panic!("a change") };
        assert!(p.warnings.iter().any(|w| w.contains("home region is eu-west-1")), "{:?}", p.warnings);
        assert!(p.cli[0].ends_with("--region eu-west-1"), "{:?}", p.cli);
    }

    #[test]
    fn compliant_and_verify() {
        let on = trail_with(Some(true), "us-east-1");
        assert!(matches!(
            LogFileValidation.plan("CloudTrail.4", &on, Basis::Live),
            Ok(PlanOutcome::AlreadyCompliant(_))
        ));
        assert!(LogFileValidation.verify("CloudTrail.4", &on));
        assert!(!LogFileValidation.verify("CloudTrail.4", &trail_with(Some(false), "us-east-1")));
        assert!(!LogFileValidation.verify("CloudTrail.4", &trail_with(None, "us-east-1")));
    }
}
