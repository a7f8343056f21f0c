//! Tags on the simulated KMS keys, IAM users, CloudTrail trails and RDS snapshots: found for a tag change, and listed
//! when they carry a key (IAM users as IAM lists them, the others as the Resource Groups Tagging API does).

use super::org::RegionState;
use super::services::trail_arn;
use crate::cloud::{CloudError, TaggedResource};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// A resource's tags and, when the simulator records it, the time it last changed.
pub(super) type ServiceTags<'a> = (&'a mut BTreeMap<String, String>, Option<&'a mut Option<DateTime<Utc>>>);

/// The tags of a key, user, trail or snapshot named `name` in `region`; `None` for other types.
pub(super) fn service_tags_mut<'a>(
    region: &'a mut RegionState,
    resource_type: &str,
    name: &str,
) -> Option<Result<ServiceTags<'a>, CloudError>> {
    let missing = |what: String| CloudError::NotFound(what);
    Some(match resource_type {
        "AwsKmsKey" => region
            .keys
            .iter_mut()
            .find(|k| k.id == name)
            .map(|k| (&mut k.tags, Some(&mut k.changed_at)))
            .ok_or_else(|| missing(format!("NotFoundException: Key '{name}' does not exist"))),
        "AwsIamUser" => region
            .users
            .iter_mut()
            .find(|u| u.name == name)
            .map(|u| (&mut u.tags, None))
            .ok_or_else(|| missing(format!("NoSuchEntity: The user with name {name} cannot be found."))),
        "AwsCloudTrailTrail" => region
            .trails
            .iter_mut()
            .find(|t| t.name == name)
            .map(|t| (&mut t.tags, None))
            .ok_or_else(|| missing(format!("TrailNotFoundException: Unknown trail: {name}"))),
        "AwsRdsDbSnapshot" => region
            .db_snapshots
            .iter_mut()
            .find(|s| s.id == name || name.ends_with(&format!(":{}", s.id)))
            .map(|s| (&mut s.tags, None))
            .ok_or_else(|| missing(format!("DBSnapshotNotFound: {name} not found"))),
        _ => return None,
    })
}

/// The keys, users, trails and snapshots of `region` carrying `tag_key`, with their ARNs and all their tags.
pub(super) fn service_tagged(region: &RegionState, tag_key: &str) -> Vec<TaggedResource> {
    let p = &region.place;
    let tagged = |resource_type: &str, arn: String, tags: &BTreeMap<String, String>| {
        tags.contains_key(tag_key).then(|| TaggedResource {
            resource_type: resource_type.into(),
            resource_id: arn,
            tags: tags.clone(),
        })
    };
    let (account, at) = (&p.account_id, &p.region);
    let keys = region
        .keys
        .iter()
        .filter_map(|k| tagged("AwsKmsKey", format!("arn:aws:kms:{at}:{account}:key/{}", k.id), &k.tags));
    let users = region
        .users
        .iter()
        .filter_map(|u| tagged("AwsIamUser", format!("arn:aws:iam::{account}:user/{}", u.name), &u.tags));
    let trails = region.trails.iter().filter_map(|t| tagged("AwsCloudTrailTrail", trail_arn(p, &t.name), &t.tags));
    let snapshots = region
        .db_snapshots
        .iter()
        .filter_map(|s| tagged("AwsRdsDbSnapshot", format!("arn:aws:rds:{at}:{account}:snapshot:{}", s.id), &s.tags));
    keys.chain(users).chain(trails).chain(snapshots).collect()
}
