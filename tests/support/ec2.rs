//! EC2 resources set up and read back directly with the SDK, bypassing the adapter under test.
#![allow(clippy::unwrap_used)]

use aws_sdk_ec2::operation::run_instances::builders::RunInstancesFluentBuilder;
use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};
use std::collections::BTreeMap;

/// The id of the region's default VPC.
pub async fn default_vpc(ec2: &aws_sdk_ec2::Client) -> String {
    let vpcs =
        ec2.describe_vpcs().filters(Filter::builder().name("is-default").values("true").build()).send().await.unwrap();
    vpcs.vpcs()[0].vpc_id().unwrap().to_string()
}

/// CreateSecurityGroup in the default VPC, then CreateTags with `tags` when there are any; returns the group id.
pub async fn create_group(ec2: &aws_sdk_ec2::Client, name: &str, description: &str, tags: &[(&str, &str)]) -> String {
    let id = ec2
        .create_security_group()
        .group_name(name)
        .description(description)
        .vpc_id(default_vpc(ec2).await)
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_string();
    if !tags.is_empty() {
        let t: Vec<Tag> = tags.iter().map(|(k, v)| Tag::builder().key(*k).value(*v).build()).collect();
        ec2.create_tags().resources(&id).set_tags(Some(t)).send().await.unwrap();
    }
    id
}

/// RunInstances of one instance of one of moto's default AMIs, tagged `Name`, with whatever `options` adds to the
/// request; returns the instance id.
pub async fn run_instance(
    ec2: &aws_sdk_ec2::Client,
    name: &str,
    options: impl FnOnce(RunInstancesFluentBuilder) -> RunInstancesFluentBuilder,
) -> String {
    let images = ec2.describe_images().owners("amazon").send().await.unwrap();
    let ami = images.images().iter().find_map(|i| i.image_id()).expect("moto ships default AMIs").to_string();
    let request = ec2.run_instances().image_id(ami).min_count(1).max_count(1).tag_specifications(
        TagSpecification::builder()
            .resource_type(ResourceType::Instance)
            .tags(Tag::builder().key("Name").value(name).build())
            .build(),
    );
    let out = options(request).send().await.unwrap();
    out.instances()[0].instance_id().unwrap().to_string()
}

/// EC2 DescribeTags of one resource.
pub async fn direct_ec2_tags(ec2: &aws_sdk_ec2::Client, id: &str) -> BTreeMap<String, String> {
    let out =
        ec2.describe_tags().filters(Filter::builder().name("resource-id").values(id).build()).send().await.unwrap();
    out.tags().iter().map(|t| (t.key().unwrap().to_string(), t.value().unwrap_or_default().to_string())).collect()
}
