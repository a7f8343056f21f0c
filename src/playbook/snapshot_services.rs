//! Resource state of KMS keys, trails, RDS snapshots and IAM users taken from a finding's own
//! `Resources[].Details`, for offline plans.

use super::plan::PlanError;
use super::state::{KmsKeyState, RdsSnapshotState, ResourceState, TrailState};
use crate::model::{sanitize, Finding, ResourceRef};
use serde_json::Value;

/// The state of the resource, when it is one of these services (`None` for other resource types).
pub fn state(finding: &Finding, resource: &ResourceRef, region: String) -> Option<Result<ResourceState, PlanError>> {
    let details = |key: &str| resource.details().and_then(|mut d| d.get_mut(key).map(Value::take));
    let text = |d: &Option<Value>, k: &str| d.as_ref()?.get(k)?.as_str().map(sanitize::single_line);
    let flag = |d: &Option<Value>, k: &str| d.as_ref()?.get(k)?.as_bool();
    let account_id = finding.account_id.to_string();
    Some(Ok(match &*resource.kind {
        "AwsKmsKey" => {
            let d = details("AwsKmsKey");
            ResourceState::KmsKey(KmsKeyState {
                key_id: text(&d, "KeyId").unwrap_or_else(|| resource.short_id().to_string()),
                account_id,
                region,
                rotation_enabled: flag(&d, "KeyRotationStatus"),
                key_manager: text(&d, "KeyManager"),
                key_state: text(&d, "KeyState"),
                key_spec: None,
                tags: (*resource.tags).clone(),
            })
        }
        "AwsCloudTrailTrail" => {
            let d = details("AwsCloudTrailTrail");
            let arn = text(&d, "TrailArn").unwrap_or_else(|| resource.id.clone());
            ResourceState::Trail(TrailState {
                name: text(&d, "Name").unwrap_or_else(|| resource.short_id().to_string()),
                home_region: text(&d, "HomeRegion").unwrap_or_else(|| region.clone()),
                arn,
                account_id,
                region,
                log_file_validation: flag(&d, "LogFileValidationEnabled"),
                tags: (*resource.tags).clone(),
            })
        }
        "AwsRdsDbSnapshot" | "AwsRdsDbClusterSnapshot" => {
            let (identifier, cluster) = rds_snapshot_id(resource);
            ResourceState::RdsSnapshot(RdsSnapshotState {
                identifier: identifier.to_string(),
                cluster,
                account_id,
                region,
                public: None,
                shared_with: Vec::new(),
                tags: (*resource.tags).clone(),
            })
        }
        "AwsIamUser" => {
            return Some(Err(PlanError::NoSnapshot(
                " (a user's access keys and their last use are not in the finding: a live read has them)".into(),
            )))
        }
        _ => return None,
    }))
}

/// The identifier of an RDS snapshot resource and whether it is a cluster snapshot, from its ARN
/// (`arn:aws:rds:<region>:<account>:snapshot:<id>` or `…:cluster-snapshot:<id>`) or its plain id.
pub fn rds_snapshot_id(resource: &ResourceRef) -> (&str, bool) {
    let id = resource.id.as_str();
    let cluster_type = *resource.kind == *"AwsRdsDbClusterSnapshot";
    if let Some((_, rest)) = id.split_once(":cluster-snapshot:") {
        return (rest, true);
    }
    if let Some((_, rest)) = id.split_once(":snapshot:") {
        return (rest, cluster_type);
    }
    (id, cluster_type)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::control_finding;
    use crate::model::Severity;

    #[test]
    fn kms_trail_and_rds_snapshots_are_read_from_their_details() {
        let mut f = control_finding("KMS.4", Severity::Medium, "111111111111", "AwsKmsKey");
        f.resources[0].id = "arn:aws:kms:eu-west-1:111111111111:key/abcd-1".into();
        f.resources[0].details =
            Some(r#"{"AwsKmsKey":{"KeyManager":"CUSTOMER","KeyState":"Enabled","KeyRotationStatus":false}}"#.into());
        let Some(Ok(ResourceState::KmsKey(k))) = state(&f, &f.resources[0], "eu-west-1".into()) else { panic!() };
        assert_eq!(
            (k.key_id.as_str(), k.rotation_enabled, k.key_manager.as_deref()),
            ("abcd-1", Some(false), Some("CUSTOMER"))
        );

        let mut r = f.resources[0].clone();
        r.kind = "AwsCloudTrailTrail".into();
        r.id = "arn:aws:cloudtrail:us-east-1:111111111111:trail/org".into();
        r.details = Some(r#"{"AwsCloudTrailTrail":{"HomeRegion":"us-east-1","LogFileValidationEnabled":false,"Name":"org","TrailArn":"arn:aws:cloudtrail:us-east-1:111111111111:trail/org"}}"#.into());
        let Some(Ok(ResourceState::Trail(t))) = state(&f, &r, "eu-west-1".into()) else { panic!() };
        assert_eq!((t.name.as_str(), t.home_region.as_str(), t.log_file_validation), ("org", "us-east-1", Some(false)));

        r.kind = "AwsRdsDbClusterSnapshot".into();
        r.id = "arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:nightly".into();
        assert_eq!(rds_snapshot_id(&r), ("nightly", true));
        r.kind = "AwsRdsDbSnapshot".into();
        r.id = "arn:aws:rds:eu-west-1:111111111111:snapshot:rds:db-2026".into();
        assert_eq!(rds_snapshot_id(&r), ("rds:db-2026", false));

        r.kind = "AwsIamUser".into();
        assert!(matches!(state(&f, &r, "eu-west-1".into()), Some(Err(PlanError::NoSnapshot(_)))));
        r.kind = "AwsLambdaFunction".into();
        assert!(state(&f, &r, "eu-west-1".into()).is_none());
    }
}
