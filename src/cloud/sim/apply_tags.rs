//! Tags on the simulated resources: `TagResource` merges (S3 as the read-merge-write the adapter makes, EC2 as
//! CreateTags), `UntagResource` removes only the keys named, and `list_tagged` finds the resources carrying a key
//! (the Resource Groups Tagging API). Buckets, security groups and instances carry tags; accounts and the types the
//! simulator does not model cannot. A tag change moves the resource's `UpdatedAt`, so refreshed findings carry it.

use super::faults;
use super::org::{OrgState, RegionState};
use super::shapes::{bucket_arn, group_arn, instance_arn};
use crate::cloud::{CloudError, SourceId, TaggedResource};
use crate::playbook::Change;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// S3 and EC2 allow at most 50 tags on a resource.
const MAX_TAGS: usize = 50;
/// Tag keys are 1 to 128 characters; values at most 256.
const MAX_KEY_CHARS: usize = 128;
const MAX_VALUE_CHARS: usize = 256;

/// A resource's tags and the time the simulator last changed it, borrowed for a change.
type TagsAndChangedAt<'a> = (&'a mut BTreeMap<String, String>, Option<&'a mut Option<DateTime<Utc>>>);

/// Makes a tag change at `now`.
pub(super) fn apply(
    state: &mut OrgState,
    source: &SourceId,
    change: &Change,
    now: DateTime<Utc>,
) -> Result<(), CloudError> {
    let (resource_type, resource_id) = match change {
        Change::TagResource { resource_type, resource_id, .. }
        | Change::UntagResource { resource_type, resource_id, .. } => (resource_type, resource_id),
        _ => return Err(CloudError::Unsupported(format!("{} is not a tag change", change.operation()))),
    };
    let (tags, changed_at) = tags_mut(state, source, resource_type, resource_id)?;
    match change {
        Change::TagResource { tags: new, .. } => merge(tags, new, resource_id)?,
        Change::UntagResource { keys, .. } => {
            if keys.is_empty() {
                return Err(CloudError::Other(format!(
                    "InvalidParameterValue: removing tags from {resource_id} needs the keys to remove (a DeleteTags \
                     without keys would delete every tag)"
                )));
            }
            for key in keys {
                tags.remove(key);
            }
        }
        _ => {}
    }
    if let Some(changed_at) = changed_at {
        *changed_at = Some(now);
    }
    Ok(())
}

/// Sets `new` over `tags`, with the checks S3 and EC2 make (reserved `aws:` keys, lengths, at most 50 tags).
fn merge(
    tags: &mut BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
    resource_id: &str,
) -> Result<(), CloudError> {
    if new.is_empty() {
        return Err(CloudError::Other(format!("InvalidParameterValue: no tags given for {resource_id}")));
    }
    for (key, value) in new {
        if key.is_empty() || key.chars().count() > MAX_KEY_CHARS || value.chars().count() > MAX_VALUE_CHARS {
            return Err(CloudError::Other(format!(
                "InvalidParameterValue: tag {key:?} on {resource_id}: keys are 1 to {MAX_KEY_CHARS} characters, \
                 values at most {MAX_VALUE_CHARS}"
            )));
        }
        if key.starts_with("aws:") {
            return Err(CloudError::Other(format!(
                "InvalidParameterValue: tag {key:?} on {resource_id}: keys starting with 'aws:' are reserved"
            )));
        }
    }
    let total = tags.keys().chain(new.keys()).collect::<std::collections::BTreeSet<_>>().len();
    if total > MAX_TAGS {
        return Err(CloudError::Other(format!(
            "TagLimitExceeded: {resource_id} would carry {total} tags; at most {MAX_TAGS} are allowed"
        )));
    }
    tags.extend(new.iter().map(|(k, v)| (k.clone(), v.clone())));
    Ok(())
}

/// The short name of a resource given by id or ARN: the bucket name, `sg-…`, `i-…`.
fn short_name(id: &str) -> &str {
    match id.strip_prefix("arn:") {
        Some(rest) => {
            let resource = rest.splitn(5, ':').nth(4).unwrap_or(rest);
            resource.rsplit('/').next().unwrap_or(resource)
        }
        None => id,
    }
}

/// The tags of a resource and its last-change time. Buckets are global: one of another region of the same account
/// is found too (S3 routes the call to the bucket's region).
fn tags_mut<'a>(
    state: &'a mut OrgState,
    source: &SourceId,
    resource_type: &str,
    resource_id: &str,
) -> Result<TagsAndChangedAt<'a>, CloudError> {
    let name = short_name(resource_id);
    let not_here = || CloudError::NotFound(format!("{source}: the simulated organisation does not use this region"));
    match resource_type {
        "AwsS3Bucket" => {
            let in_account = |s: &&mut RegionState| s.place.account_id == source.account_id;
            let mut regions: Vec<&mut RegionState> = state.sources.values_mut().filter(in_account).collect();
            // The asked region first.
            regions.sort_by_key(|r| r.place.region != source.region);
            let bucket = regions.into_iter().find_map(|r| r.buckets.iter_mut().find(|b| b.state.name == name));
            let bucket = bucket.ok_or_else(|| {
                CloudError::NotFound(format!("NoSuchBucket: The specified bucket does not exist ({name} in {source})"))
            })?;
            Ok((&mut bucket.state.tags, Some(&mut bucket.changed_at)))
        }
        "AwsEc2SecurityGroup" => {
            let region = state.sources.get_mut(source).ok_or_else(not_here)?;
            let group = region.groups.iter_mut().find(|g| g.state.group_id == name).ok_or_else(|| {
                CloudError::NotFound(format!("InvalidGroup.NotFound: The security group '{name}' does not exist"))
            })?;
            Ok((&mut group.state.tags, Some(&mut group.changed_at)))
        }
        "AwsEc2Instance" => {
            let region = state.sources.get_mut(source).ok_or_else(not_here)?;
            let instance = region.instances.iter_mut().find(|i| i.id == name).ok_or_else(|| {
                CloudError::NotFound(format!("InvalidInstanceID.NotFound: The instance ID '{name}' does not exist"))
            })?;
            Ok((&mut instance.tags, Some(&mut instance.changed_at)))
        }
        other if matches!(other, "AwsKmsKey" | "AwsIamUser" | "AwsCloudTrailTrail" | "AwsRdsDbSnapshot") => {
            let region = state.sources.get_mut(source).ok_or_else(not_here)?;
            super::apply_tags_services::service_tags_mut(region, other, name)
                .unwrap_or_else(|| Err(CloudError::Unsupported(format!("{other} resources cannot carry tags"))))
        }
        other => Err(CloudError::Unsupported(format!(
            "{other} resources cannot carry tags in the simulated organisation ({resource_id})"
        ))),
    }
}

/// Every bucket, security group and instance of `source` carrying `tag_key`, with its ARN and all its tags.
/// Buckets are listed in their own region only. Counted as one `GetResources` call.
pub(super) fn list_tagged(
    state: &mut OrgState,
    source: &SourceId,
    tag_key: &str,
) -> Result<Vec<TaggedResource>, CloudError> {
    state.count("GetResources");
    faults::check_read(state.faults.get(source), source, "tag:GetResources")?;
    if !state.accounts.iter().any(|a| a.id == source.account_id) {
        return Err(CloudError::AccessDenied(format!(
            "not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{}:role/HubtriageRemediation",
            source.account_id
        )));
    }
    // A region the organisation does not use holds nothing.
    let Some(region) = state.sources.get(source) else {
        return Ok(Vec::new());
    };
    let place = &region.place;
    let tagged = |resource_type: &str, arn: String, tags: &BTreeMap<String, String>| {
        tags.contains_key(tag_key).then(|| TaggedResource {
            resource_type: resource_type.into(),
            resource_id: arn,
            tags: tags.clone(),
        })
    };
    let buckets = region.buckets.iter().filter_map(|b| tagged("AwsS3Bucket", bucket_arn(&b.state.name), &b.state.tags));
    let groups = region
        .groups
        .iter()
        .filter_map(|g| tagged("AwsEc2SecurityGroup", group_arn(place, &g.state.group_id), &g.state.tags));
    let instances =
        region.instances.iter().filter_map(|i| tagged("AwsEc2Instance", instance_arn(place, &i.id), &i.tags));
    let mut found: Vec<TaggedResource> = buckets.chain(groups).chain(instances).collect();
    found.extend(super::apply_tags_services::service_tagged(region, tag_key));
    Ok(found)
}
