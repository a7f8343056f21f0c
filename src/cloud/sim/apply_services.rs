//! Reads and changes of KMS keys, CloudTrail trails, EBS and RDS snapshots and IAM access keys in the simulated
//! organisation, with the errors the services give for unknown resources.

use super::org::{RegionState, SimUser};
use super::services::trail_arn;
use crate::cloud::{CloudError, SourceId};
use crate::model::ResourceRef;
use crate::playbook::state::{AccessKey, IamUserState, KmsKeyState, RdsSnapshotState, ResourceState, TrailState};
use crate::playbook::Change;
use chrono::{DateTime, Duration, Utc};

/// The resource types read here.
pub(super) const KINDS: [&str; 5] =
    ["AwsKmsKey", "AwsCloudTrailTrail", "AwsRdsDbSnapshot", "AwsRdsDbClusterSnapshot", "AwsIamUser"];

/// The IAM action a read of `kind` needs (for fault switches).
pub(super) fn read_action(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "AwsKmsKey" => "kms:GetKeyRotationStatus",
        "AwsCloudTrailTrail" => "cloudtrail:GetTrail",
        "AwsRdsDbSnapshot" | "AwsRdsDbClusterSnapshot" => "rds:DescribeDBSnapshotAttributes",
        "AwsIamUser" => "iam:ListAccessKeys",
        _ => return None,
    })
}

/// The access key a simulated user has, as IAM lists it.
fn access_key(u: &SimUser, now: DateTime<Utc>) -> Option<AccessKey> {
    let age = u.access_key_age_days?;
    Some(AccessKey {
        id: u.key_id(),
        active: u.key_active,
        created: now - Duration::days(age),
        last_used: u.key_last_used_days.map(|d| now - Duration::days(d)),
    })
}

/// The state of `resource` in `place`; `None` when it does not exist there.
pub(super) fn read(place: &RegionState, resource: &ResourceRef, now: DateTime<Utc>) -> Option<ResourceState> {
    let p = &place.place;
    let name = resource.short_id();
    let (account_id, region) = (p.account_id.clone(), p.region.clone());
    Some(match &*resource.kind {
        "AwsKmsKey" => {
            let k = place.keys.iter().find(|k| k.id == name)?;
            ResourceState::KmsKey(KmsKeyState {
                key_id: k.id.clone(),
                account_id,
                region,
                rotation_enabled: Some(k.rotation),
                key_manager: Some("CUSTOMER".into()),
                key_state: Some("Enabled".into()),
                key_spec: Some("SYMMETRIC_DEFAULT".into()),
                tags: k.tags.clone(),
            })
        }
        "AwsCloudTrailTrail" => {
            let t = place.trails.iter().find(|t| t.name == name)?;
            ResourceState::Trail(TrailState {
                name: t.name.clone(),
                arn: trail_arn(p, &t.name),
                home_region: region.clone(),
                account_id,
                region,
                log_file_validation: Some(t.log_file_validation),
                tags: t.tags.clone(),
            })
        }
        "AwsRdsDbSnapshot" | "AwsRdsDbClusterSnapshot" => {
            let (id, _) = crate::playbook::snapshot_services::rds_snapshot_id(resource);
            let s = place.db_snapshots.iter().find(|s| s.id == id)?;
            ResourceState::RdsSnapshot(RdsSnapshotState {
                identifier: s.id.clone(),
                cluster: false,
                account_id,
                region,
                public: Some(s.public),
                shared_with: s.shared_with.clone(),
                tags: s.tags.clone(),
            })
        }
        "AwsIamUser" => {
            let u = place.users.iter().find(|u| u.name == name)?;
            ResourceState::IamUser(IamUserState {
                user_name: u.name.clone(),
                account_id,
                read_at: now,
                access_keys: access_key(u, p.now).into_iter().collect(),
                console_password: Some(u.console_without_mfa),
                tags: u.tags.clone(),
            })
        }
        _ => return None,
    })
}

/// The account's public EBS snapshots in `place`, sorted.
pub(super) fn public_ebs_snapshots(place: &RegionState) -> Vec<String> {
    let mut ids: Vec<String> = place.ebs_snapshots.iter().filter(|s| s.public).map(|s| s.id.clone()).collect();
    ids.sort();
    ids
}

/// Makes one of these changes in `region`.
pub(super) fn apply(
    region: &mut RegionState,
    source: &SourceId,
    change: &Change,
    now: DateTime<Utc>,
) -> Result<(), CloudError> {
    let missing = |what: &str| CloudError::NotFound(format!("{what} does not exist in {source}"));
    match change {
        Change::SetKeyRotation { key_id, enabled } => {
            let key = region.keys.iter_mut().find(|k| k.id == *key_id || key_id.ends_with(&format!("key/{}", k.id)));
            let key = key.ok_or_else(|| missing(&format!("NotFoundException: KMS key {key_id}")))?;
            key.rotation = *enabled;
            key.changed_at = Some(now);
            return Ok(());
        }
        Change::SetTrailLogFileValidation { trail_arn, enabled, .. } => {
            let name = trail_arn.rsplit('/').next().unwrap_or(trail_arn);
            let trail = region.trails.iter_mut().find(|t| t.name == name);
            trail.ok_or_else(|| missing(&format!("TrailNotFoundException: trail {trail_arn}")))?.log_file_validation =
                *enabled;
        }
        Change::SetEbsSnapshotPublic { snapshot_id, public } => {
            let snapshot = region.ebs_snapshots.iter_mut().find(|s| s.id == *snapshot_id);
            snapshot.ok_or_else(|| missing(&format!("InvalidSnapshot.NotFound: snapshot {snapshot_id}")))?.public =
                *public;
        }
        Change::SetRdsSnapshotPublic { identifier, public, .. } => {
            let snapshot = region.db_snapshots.iter_mut().find(|s| s.id == *identifier);
            snapshot.ok_or_else(|| missing(&format!("DBSnapshotNotFound: snapshot {identifier}")))?.public = *public;
        }
        Change::SetAccessKeyStatus { user_name, access_key_id, active } => {
            let user = region.users.iter_mut().find(|u| u.name == *user_name && u.key_id() == *access_key_id);
            let user =
                user.ok_or_else(|| missing(&format!("NoSuchEntity: access key {access_key_id} of user {user_name}")))?;
            user.key_active = *active;
            user.key_changed_at = Some(now);
            return Ok(());
        }
        other => return Err(CloudError::Other(format!("{} is not a service change", other.describe()))),
    }
    region.services_changed_at = Some(now);
    Ok(())
}
