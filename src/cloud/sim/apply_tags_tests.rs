//! Tag changes and tagged-resource listing on the simulated organisation: merges keep every other tag, removals take
//! only the keys named, untaggable types are refused, faults stop writes, and findings carry the new tags.

use super::apply_tests::{apply, changed_since, finding, org, read, PROD, STAGING};
use super::tests::source;
use super::*;
use futures::executor::block_on;
use std::collections::BTreeMap;

const EU: &str = "eu-west-1";
const US: &str = "us-east-1";
const ARTIFACTS: &str = "platform-staging-artifacts-eu-west-1";

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn tag(kind: &str, id: &str, pairs: &[(&str, &str)]) -> Change {
    Change::TagResource { resource_type: kind.into(), resource_id: id.into(), tags: tags(pairs) }
}

fn untag(kind: &str, id: &str, keys: &[&str]) -> Change {
    Change::UntagResource {
        resource_type: kind.into(),
        resource_id: id.into(),
        keys: keys.iter().map(|k| k.to_string()).collect(),
    }
}

fn tags_of(org: &SimOrg, account: &str, region: &str, kind: &str, id: &str) -> BTreeMap<String, String> {
    read(org, account, region, kind, id).tags().clone()
}

/// The first security group and instance of a source, by id.
fn group_and_instance(org: &SimOrg, src: &SourceId) -> (String, String) {
    let state = org.lock();
    let region = &state.sources[src];
    (region.groups[1].state.group_id.clone(), region.instances[0].id.clone())
}

#[test]
fn tagging_a_bucket_merges_and_keeps_every_other_tag() {
    let org = org();
    let bucket_arn = format!("arn:aws:s3:::{ARTIFACTS}");
    let before = tags_of(&org, STAGING, EU, "AwsS3Bucket", &bucket_arn);
    assert!(before.len() >= 4, "{before:?}");

    apply(&org, STAGING, EU, tag("AwsS3Bucket", ARTIFACTS, &[("SecurityException", "why"), ("team", "other")]))
        .expect("tag");

    let after = tags_of(&org, STAGING, EU, "AwsS3Bucket", &bucket_arn);
    assert_eq!(after.get("SecurityException").map(String::as_str), Some("why"));
    assert_eq!(after.get("team").map(String::as_str), Some("other"), "an existing key is overwritten");
    for (k, v) in before.iter().filter(|(k, _)| *k != "team") {
        assert_eq!(after.get(k), Some(v), "{k} kept");
    }
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(org.call_count("TagResource"), 1);
}

#[test]
fn a_tag_change_moves_updated_at_and_findings_carry_the_new_tags() {
    let org = org();
    let src = source(STAGING, EU);
    let start = org.now();
    org.advance_clock(chrono::Duration::seconds(5));
    apply(&org, STAGING, EU, tag("AwsS3Bucket", &format!("arn:aws:s3:::{ARTIFACTS}"), &[("SecurityException", "x")]))
        .expect("tag");

    let refreshed = changed_since(&org, &src, start);
    assert!(refreshed.iter().any(|f| f.resources[0].short_id() == ARTIFACTS), "the bucket's findings are refreshed");
    let f = finding(&org, &src, "S3.8", ARTIFACTS);
    assert_eq!(f.resources[0].tags.get("SecurityException").map(String::as_str), Some("x"));
}

#[test]
fn untagging_removes_only_the_keys_named() {
    let org = org();
    let arn = format!("arn:aws:s3:::{ARTIFACTS}");
    apply(&org, STAGING, EU, tag("AwsS3Bucket", ARTIFACTS, &[("A", "1"), ("B", "2")])).expect("tag");
    let before = tags_of(&org, STAGING, EU, "AwsS3Bucket", &arn);

    apply(&org, STAGING, EU, untag("AwsS3Bucket", &arn, &["A", "NotThere"])).expect("untag");

    let mut expected = before.clone();
    expected.remove("A");
    assert_eq!(tags_of(&org, STAGING, EU, "AwsS3Bucket", &arn), expected);
    let refused = apply(&org, STAGING, EU, untag("AwsS3Bucket", &arn, &[]));
    assert!(matches!(&refused, Err(CloudError::Other(m)) if m.contains("without keys")), "{refused:?}");
    assert_eq!(tags_of(&org, STAGING, EU, "AwsS3Bucket", &arn), expected, "an empty removal deletes nothing");
}

#[test]
fn security_groups_and_instances_take_tags_by_id_or_arn() {
    let org = org();
    let src = source(STAGING, EU);
    let (group, instance) = group_and_instance(&org, &src);
    let group_arn = format!("arn:aws:ec2:{EU}:{STAGING}:security-group/{group}");
    let instance_arn = format!("arn:aws:ec2:{EU}:{STAGING}:instance/{instance}");

    apply(&org, STAGING, EU, tag("AwsEc2SecurityGroup", &group_arn, &[("K", "v")])).expect("group by ARN");
    apply(&org, STAGING, EU, tag("AwsEc2Instance", &instance, &[("K", "w")])).expect("instance by id");
    assert_eq!(tags_of(&org, STAGING, EU, "AwsEc2SecurityGroup", &group).get("K").map(String::as_str), Some("v"));
    assert_eq!(tags_of(&org, STAGING, EU, "AwsEc2Instance", &instance_arn).get("K").map(String::as_str), Some("w"));

    apply(&org, STAGING, EU, untag("AwsEc2Instance", &instance_arn, &["K"])).expect("untag");
    assert!(!tags_of(&org, STAGING, EU, "AwsEc2Instance", &instance).contains_key("K"));
    let missing = apply(&org, STAGING, EU, tag("AwsEc2SecurityGroup", "sg-0000", &[("K", "v")]));
    assert!(matches!(&missing, Err(CloudError::NotFound(m)) if m.contains("InvalidGroup.NotFound")), "{missing:?}");
}

#[test]
fn kms_keys_and_iam_users_carry_exceptions_read_back_and_listed() {
    let org = org();
    let src = source(STAGING, EU);
    let (key, (home, user)) = {
        let state = org.lock();
        let home = state.sources.iter().find(|(s, r)| s.account_id == STAGING && !r.users.is_empty());
        let (home, region) = home.expect("the staging account has IAM users in its home region");
        (state.sources[&src].keys[0].id.clone(), (home.region.clone(), region.users[0].name.clone()))
    };
    let key_arn = format!("arn:aws:kms:{EU}:{STAGING}:key/{key}");
    apply(&org, STAGING, EU, tag("AwsKmsKey", &key_arn, &[("team", "data")])).expect("tag key");
    apply(&org, STAGING, EU, tag("AwsKmsKey", &key_arn, &[("SecurityException", "why")])).expect("tag key");
    let tags_now = tags_of(&org, STAGING, EU, "AwsKmsKey", &key_arn);
    assert_eq!(tags_now, tags(&[("SecurityException", "why"), ("team", "data")]), "merged");
    let listed = block_on(org.list_tagged(STAGING, EU, "SecurityException")).expect("list");
    assert!(listed.iter().any(|r| r.resource_type == "AwsKmsKey" && r.resource_id == key_arn), "{listed:?}");
    apply(&org, STAGING, EU, untag("AwsKmsKey", &key, &["SecurityException"])).expect("untag");
    assert_eq!(tags_of(&org, STAGING, EU, "AwsKmsKey", &key_arn), tags(&[("team", "data")]));

    let user_arn = format!("arn:aws:iam::{STAGING}:user/{user}");
    apply(&org, STAGING, &home, tag("AwsIamUser", &user_arn, &[("SecurityException", "why")])).expect("tag user");
    let read_back = tags_of(&org, STAGING, &home, "AwsIamUser", &user_arn);
    assert_eq!(read_back.get("SecurityException").map(String::as_str), Some("why"));
    let listed = block_on(org.list_tagged(STAGING, &home, "SecurityException")).expect("list");
    assert!(listed.iter().any(|r| r.resource_type == "AwsIamUser" && r.resource_id == user_arn), "{listed:?}");
    let missing = apply(&org, STAGING, EU, tag("AwsKmsKey", "0000", &[("K", "v")]));
    assert!(matches!(&missing, Err(CloudError::NotFound(m)) if m.contains("NotFoundException")), "{missing:?}");
}

#[test]
fn accounts_and_unknown_types_cannot_carry_tags() {
    let org = org();
    for kind in ["AwsAccount", "AwsLambdaFunction"] {
        let result = apply(&org, STAGING, EU, tag(kind, &format!("AWS::::Account:{STAGING}"), &[("K", "v")]));
        assert!(matches!(&result, Err(CloudError::Unsupported(m)) if m.contains("cannot carry tags")), "{result:?}");
    }
}

#[test]
fn tag_checks_reserved_keys_and_the_limit_of_fifty() {
    let org = org();
    let reserved = apply(&org, STAGING, EU, tag("AwsS3Bucket", ARTIFACTS, &[("aws:x", "1")]));
    assert!(matches!(&reserved, Err(CloudError::Other(m)) if m.contains("reserved")), "{reserved:?}");
    let many: Vec<(String, String)> = (0..50).map(|i| (format!("k{i}"), "v".to_string())).collect();
    let pairs: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let too_many = apply(&org, STAGING, EU, tag("AwsS3Bucket", ARTIFACTS, &pairs));
    assert!(matches!(&too_many, Err(CloudError::Other(m)) if m.contains("TagLimitExceeded")), "{too_many:?}");
}

#[test]
fn deny_writes_stops_tag_changes_but_not_listing() {
    let org = org();
    let src = source(STAGING, EU);
    let arn = format!("arn:aws:s3:::{ARTIFACTS}");
    let before = tags_of(&org, STAGING, EU, "AwsS3Bucket", &arn);
    org.set_fault(&src, Some(SimFault::DenyWrites));

    let denied = apply(&org, STAGING, EU, tag("AwsS3Bucket", ARTIFACTS, &[("K", "v")]));
    assert!(matches!(denied, Err(CloudError::AccessDenied(_))), "{denied:?}");
    assert_eq!(tags_of(&org, STAGING, EU, "AwsS3Bucket", &arn), before, "nothing changed");
    assert!(block_on(org.list_tagged(STAGING, EU, "team")).is_ok(), "reads still work");

    org.set_fault(&src, Some(SimFault::AccessDenied));
    let listing = block_on(org.list_tagged(STAGING, EU, "team"));
    assert!(matches!(listing, Err(CloudError::AccessDenied(_))), "{listing:?}");
}

#[test]
fn listing_finds_the_seeded_exceptions_with_arns_and_all_tags() {
    let org = org();
    let eu = block_on(org.list_tagged(PROD, EU, "SecurityException")).expect("list");
    let status_page = eu
        .iter()
        .find(|r| r.resource_id == "arn:aws:s3:::payments-prod-status-page-eu-west-1")
        .expect("the excepted status page bucket");
    assert_eq!(status_page.resource_type, "AwsS3Bucket");
    assert!(status_page.tags.contains_key("SecurityExceptionExpiry") && status_page.tags.contains_key("team"));
    assert!(
        eu.iter().any(|r| r.resource_type == "AwsEc2SecurityGroup"
            && r.resource_id.starts_with(&format!("arn:aws:ec2:{EU}:{PROD}:security-group/sg-"))),
        "{eu:?}"
    );
    assert!(eu.iter().all(|r| r.tags.contains_key("SecurityException")));

    let us = block_on(org.list_tagged(PROD, US, "SecurityException")).expect("list");
    assert!(us.iter().all(|r| !r.resource_id.contains("status-page")), "buckets are listed in their own region only");
    assert!(us.iter().any(|r| r.resource_id.contains("legacy-exports")), "{us:?}");
    assert!(block_on(org.list_tagged(PROD, "ap-south-1", "SecurityException")).expect("empty").is_empty());
    let stranger = block_on(org.list_tagged("111111111111", EU, "SecurityException"));
    assert!(matches!(stranger, Err(CloudError::AccessDenied(_))), "{stranger:?}");
}

#[test]
fn a_new_tag_is_listed_and_a_removed_one_is_not() {
    let org = org();
    let src = source(STAGING, EU);
    let (group, _) = group_and_instance(&org, &src);
    let listed = |org: &SimOrg| {
        block_on(org.list_tagged(STAGING, EU, "Waiver")).expect("list").iter().any(|r| r.resource_id.ends_with(&group))
    };
    assert!(!listed(&org));
    apply(&org, STAGING, EU, tag("AwsEc2SecurityGroup", &group, &[("Waiver", "x")])).expect("tag");
    assert!(listed(&org));
    apply(&org, STAGING, EU, untag("AwsEc2SecurityGroup", &group, &["Waiver"])).expect("untag");
    assert!(!listed(&org));
}
