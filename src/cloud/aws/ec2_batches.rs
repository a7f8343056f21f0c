//! `read_states` of the AWS adapter: the security groups and instances of one account and region in calls of up to
//! `PER_CALL` each (ids that are not well formed, and every other kind, are read one by one).

use super::ec2_read::{well_formed, PER_CALL};
use super::resources::{instance_id, own_region, AwsResources};
use crate::cloud::{CloudError, Resources};
use crate::model::ResourceRef;
use crate::playbook::ResourceState;
use std::collections::BTreeMap;

/// The kinds read together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Together {
    SecurityGroups,
    Instances,
}

/// One result per resource, in their order.
pub(super) async fn read_states(
    aws: &AwsResources,
    account_id: &str,
    region: &str,
    resources: &[ResourceRef],
) -> Vec<Result<ResourceState, CloudError>> {
    let mut results: Vec<Option<Result<ResourceState, CloudError>>> = vec![None; resources.len()];
    // By kind and the resource's own region (which wins over the finding's): positions and ids.
    let mut together: BTreeMap<(Together, &str), Vec<(usize, &str)>> = BTreeMap::new();
    for (n, resource) in resources.iter().enumerate() {
        let resource_region = own_region(resource, region);
        let batch = match &*resource.kind {
            "AwsEc2SecurityGroup" if well_formed(resource.short_id(), "sg-") => {
                Some((Together::SecurityGroups, resource.short_id()))
            }
            "AwsEc2Instance" if well_formed(instance_id(resource), "i-") => {
                Some((Together::Instances, instance_id(resource)))
            }
            _ => None,
        };
        match batch {
            Some((kind, id)) => together.entry((kind, resource_region)).or_default().push((n, id)),
            None => results[n] = Some(aws.read_state(account_id, region, resource).await),
        }
    }
    for ((kind, resource_region), members) in together {
        for chunk in members.chunks(PER_CALL) {
            let ids: Vec<&str> = chunk.iter().map(|(_, id)| *id).collect();
            let read: Result<BTreeMap<String, ResourceState>, CloudError> = match kind {
                Together::SecurityGroups => aws
                    .security_groups(account_id, resource_region, &ids)
                    .await
                    .map(|found| found.into_iter().map(|(id, g)| (id, ResourceState::SecurityGroup(g))).collect()),
                Together::Instances => aws
                    .instances(account_id, resource_region, &ids)
                    .await
                    .map(|found| found.into_iter().map(|(id, i)| (id, ResourceState::Instance(i))).collect()),
            };
            for (n, id) in chunk {
                results[*n] = Some(match &read {
                    Ok(found) => found.get(*id).cloned().ok_or_else(|| {
                        let what = if kind == Together::SecurityGroups { "security group" } else { "instance" };
                        CloudError::NotFound(format!("{what} {id} in {account_id}/{resource_region}"))
                    }),
                    Err(e) => Err(e.clone()),
                });
            }
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(CloudError::Unsupported("the resource was not read".into()))))
        .collect()
}
