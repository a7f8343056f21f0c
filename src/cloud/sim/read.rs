//! Live resource reads: buckets, security groups, instances and the account settings of one region, found only in
//! the account and region asked for.

use super::faults;
use super::org::{OrgState, RegionState};
use super::region_of;
use crate::cloud::{CloudError, SourceId};
use crate::model::ResourceRef;
use crate::playbook::{AccountState, InstanceState, ResourceState};

/// The resource types the simulator can read.
const KINDS: [&str; 4] = ["AwsS3Bucket", "AwsEc2SecurityGroup", "AwsEc2Instance", "AwsAccount"];

/// The state of `resource` in `account_id`/`region`, counted as one `ReadState` call.
pub(super) fn read(
    state: &mut OrgState,
    account_id: &str,
    region: &str,
    resource: &ResourceRef,
) -> Result<ResourceState, CloudError> {
    state.count("ReadState");
    let source = SourceId { account_id: account_id.into(), region: region.into() };
    let action = super::apply_services::read_action(&resource.kind).unwrap_or(match &*resource.kind {
        "AwsS3Bucket" => "s3:GetBucketPolicy",
        "AwsAccount" => "s3:GetAccountPublicAccessBlock",
        "AwsEc2Instance" => "ec2:DescribeInstances",
        _ => "ec2:DescribeSecurityGroupRules",
    });
    faults::check_read(state.faults.get(&source), &source, action)?;
    let place = region_of(state, &source)?;
    let name = resource.short_id();
    let elsewhere = is_elsewhere(resource, account_id, region);
    let not_found = || {
        CloudError::NotFound(format!("{} {name} does not exist in account {account_id} region {region}", resource.kind))
    };
    if !KINDS.contains(&&*resource.kind) && !super::apply_services::KINDS.contains(&&*resource.kind) {
        return Err(CloudError::Unsupported(format!("reading {} resources is not supported", resource.kind)));
    }
    if elsewhere {
        return Err(not_found());
    }
    match &*resource.kind {
        "AwsS3Bucket" => place
            .buckets
            .iter()
            .find(|b| b.state.name == name)
            .map(|b| ResourceState::S3Bucket(b.state.clone()))
            .ok_or_else(not_found),
        "AwsEc2SecurityGroup" => place
            .groups
            .iter()
            .find(|g| g.state.group_id == name)
            .map(|g| ResourceState::SecurityGroup(g.state.clone()))
            .ok_or_else(not_found),
        "AwsEc2Instance" => {
            place.instances.iter().find(|i| i.id == name).map(instance_state(place)).ok_or_else(not_found)
        }
        "AwsAccount" => Ok(account_state(place)),
        _ => super::apply_services::read(place, resource, state.clock.now()).ok_or_else(not_found),
    }
}

/// Whether the reference names another account or region than the one asked: an ARN with another region or
/// account, an `AWS::::Account:<id>` of another account, or a resource `Region` that differs.
fn is_elsewhere(resource: &ResourceRef, account_id: &str, region: &str) -> bool {
    let arn = resource.arn();
    let by_arn = arn.is_some_and(|arn| {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let (arn_region, arn_account) = (parts.get(3).copied().unwrap_or(""), parts.get(4).copied().unwrap_or(""));
        (!arn_region.is_empty() && arn_region != region) || (!arn_account.is_empty() && arn_account != account_id)
    });
    let by_account = *resource.kind == *"AwsAccount"
        && (resource.id.rsplit(':').next().is_some_and(|id| id != account_id)
            || resource.region.as_deref().is_some_and(|r| r != region));
    by_arn || by_account
}

fn instance_state(place: &RegionState) -> impl Fn(&super::org::SimInstance) -> ResourceState + '_ {
    move |i| {
        ResourceState::Instance(InstanceState {
            instance_id: i.id.clone(),
            account_id: place.place.account_id.clone(),
            region: place.place.region.clone(),
            http_tokens: Some(if i.imdsv2_required { "required" } else { "optional" }.into()),
            http_endpoint: Some("enabled".into()),
            tags: i.tags.clone(),
        })
    }
}

fn account_state(place: &RegionState) -> ResourceState {
    ResourceState::Account(AccountState {
        account_id: place.place.account_id.clone(),
        region: place.place.region.clone(),
        s3_public_access_block: place.posture.account_public_access_block,
        ebs_encryption_by_default: Some(place.posture.ebs_encryption_by_default),
        public_ebs_snapshots: Some(super::apply_services::public_ebs_snapshots(place)),
    })
}
