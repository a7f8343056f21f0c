//! Exceptions (tags with a reason, an expiry and an owner) written, renewed, removed and listed through the AWS
//! adapter against moto, in accounts the product reaches by assuming a role. Every change is checked with direct SDK
//! reads: S3 PutBucketTagging replaces the whole set, so the adapter must keep every other tag; EC2 must lose only
//! our keys. The verdict of a finding follows the live tags: `excepted` while valid, the normal verdict once expired.
#![allow(clippy::unwrap_used)]

mod support;

use hubtriage::cloud::{CloudError, TaggedResource};
use hubtriage::config::Config;
use hubtriage::model::ResourceRef;
use hubtriage::playbook::{Change, Playbooks, ResourceState};
use hubtriage::policy::{ExceptionTagNames, Verdict};
use hubtriage::triage::Triage;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use support::asff::{read_one, s3_8_asff};
use support::ec2::{create_group, direct_ec2_tags, run_instance};
use support::moto::moto;
use support::proxy::{self, Fault};
use support::s3::{create_bucket, direct_bucket_tags, new_bucket, put_bucket_tags};
use support::sdk::{self, resources, run};

/// The account the resources live in; the product reaches it through the role in its settings.
const ACCOUNT: &str = "222222222222";
/// The listing test's own account, so resources of the other tests (running in parallel) do not show up there.
const LIST_ACCOUNT: &str = "333333333333";
const REGION: &str = "eu-west-1";
const OTHER_REGION: &str = "us-west-2";

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The three exception tags, under their default names.
fn exception(reason: &str, expires: &str, owner: &str) -> BTreeMap<String, String> {
    let names = ExceptionTagNames::default();
    tags(&[(&names.reason_tag, reason), (&names.expiry_tag, expires), (&names.owner_tag, owner)])
}

fn exception_keys() -> Vec<String> {
    let names = ExceptionTagNames::default();
    vec![names.reason_tag, names.expiry_tag, names.owner_tag]
}

/// A date `days` from today, as the exception dialog writes it.
fn in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days)).format("%Y-%m-%d").to_string()
}

fn tag_change(kind: &str, id: &str, tags: BTreeMap<String, String>) -> Change {
    Change::TagResource { resource_type: kind.into(), resource_id: id.into(), tags }
}

fn untag_change(kind: &str, id: &str, keys: Vec<String>) -> Change {
    Change::UntagResource { resource_type: kind.into(), resource_id: id.into(), keys }
}

// ---- S3 ----

#[test]
fn bucket_exception_is_added_renewed_and_removed_keeping_its_five_other_tags() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let bucket = "ht-exc-five-tags";
        let arn = format!("arn:aws:s3:::{bucket}");
        let s3 = new_bucket(&endpoint, ACCOUNT, REGION, bucket).await;
        let five = tags(&[
            ("team", "data"),
            ("env", "prod"),
            ("cost-center", "4711"),
            ("Name", "clickstream logs"),
            ("backup", "daily"),
        ]);
        put_bucket_tags(&s3, bucket, &five).await;
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;

        let first = exception("vendor scanner reads it", &in_days(30), "alice@example.com");
        sdk::apply(&backend, ACCOUNT, REGION, &tag_change("AwsS3Bucket", &arn, first.clone())).await;
        let added = direct_bucket_tags(&s3, bucket).await.expect("a tag set");
        let mut expected = five.clone();
        expected.extend(first.clone());
        assert_eq!(added.len(), 8, "{added:?}");
        assert_eq!(added, expected, "the five tags are unchanged and the three exception tags are there");

        let renewed = exception("vendor scanner reads it", &in_days(60), "alice@example.com");
        sdk::apply(&backend, ACCOUNT, REGION, &tag_change("AwsS3Bucket", &arn, renewed)).await;
        let after_renewal = direct_bucket_tags(&s3, bucket).await.expect("a tag set");
        let expiry = ExceptionTagNames::default().expiry_tag;
        let changed: Vec<&String> = after_renewal.keys().filter(|k| after_renewal.get(*k) != added.get(*k)).collect();
        assert_eq!(changed, [&expiry], "only the expiry changed");
        assert_eq!(after_renewal[&expiry], in_days(60));
        assert_eq!(after_renewal.len(), 8);

        sdk::apply(&backend, ACCOUNT, REGION, &untag_change("AwsS3Bucket", &arn, exception_keys())).await;
        assert_eq!(direct_bucket_tags(&s3, bucket).await, Some(five.clone()), "exactly the five remain");

        // Removing again changes nothing and is not an error.
        sdk::apply(&backend, ACCOUNT, REGION, &untag_change("AwsS3Bucket", &arn, exception_keys())).await;
        assert_eq!(direct_bucket_tags(&s3, bucket).await, Some(five));
    });
}

#[test]
fn bucket_without_tags_gets_an_exception_and_has_no_tag_set_after_removal() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let bucket = "ht-exc-bare";
        let s3 = new_bucket(&endpoint, ACCOUNT, REGION, bucket).await;
        assert_eq!(direct_bucket_tags(&s3, bucket).await, None, "moto: a new bucket has no tag set");
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;

        // A plain bucket name works as well as an ARN.
        let set = exception("migration in progress", &in_days(14), "bob");
        sdk::apply(&backend, ACCOUNT, REGION, &tag_change("AwsS3Bucket", bucket, set.clone())).await;
        assert_eq!(direct_bucket_tags(&s3, bucket).await, Some(set));

        sdk::apply(&backend, ACCOUNT, REGION, &untag_change("AwsS3Bucket", bucket, exception_keys())).await;
        assert_eq!(direct_bucket_tags(&s3, bucket).await, None, "DeleteBucketTagging: NoSuchTagSet again");
    });
}

#[test]
fn bucket_that_would_exceed_fifty_tags_is_refused_and_left_unchanged() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let bucket = "ht-exc-full";
        let s3 = new_bucket(&endpoint, ACCOUNT, REGION, bucket).await;
        let full: BTreeMap<String, String> = (0..49).map(|n| (format!("k{n:02}"), format!("v{n}"))).collect();
        put_bucket_tags(&s3, bucket, &full).await;
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;

        let change = tag_change("AwsS3Bucket", bucket, exception("r", &in_days(5), "o"));
        let err = resources(&backend).apply(ACCOUNT, REGION, &change).await.expect_err("52 tags are too many");
        let text = err.to_string();
        assert!(text.contains("50") && text.contains("52") && text.contains(bucket), "{text}");
        assert!(text.contains("nothing was changed"), "{text}");
        assert_eq!(direct_bucket_tags(&s3, bucket).await, Some(full));
    });
}

// ---- EC2 ----

#[test]
fn security_group_exception_is_added_and_removed_keeping_its_two_tags() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let ec2 = sdk::ec2(&sdk::assumed_config(&endpoint, ACCOUNT).await, REGION);
        let group = create_group(&ec2, "ht-exc-sg", "exceptions test", &[("Name", "bastion"), ("team", "infra")]).await;
        let arn = format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group}");
        let two = tags(&[("Name", "bastion"), ("team", "infra")]);
        assert_eq!(direct_ec2_tags(&ec2, &group).await, two);
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;

        let set = exception("break-glass SSH", &in_days(7), "carol");
        sdk::apply(&backend, ACCOUNT, REGION, &tag_change("AwsEc2SecurityGroup", &arn, set.clone())).await;
        let mut expected = two.clone();
        expected.extend(set);
        assert_eq!(direct_ec2_tags(&ec2, &group).await, expected, "four tags");
        let described = ec2.describe_security_groups().group_ids(&group).send().await.unwrap();
        assert_eq!(described.security_groups()[0].tags().len(), 5, "DescribeSecurityGroups agrees");

        sdk::apply(&backend, ACCOUNT, REGION, &untag_change("AwsEc2SecurityGroup", &arn, exception_keys())).await;
        assert_eq!(direct_ec2_tags(&ec2, &group).await, two, "the two remain");

        // An empty key list is a no-op: it must never become a DeleteTags without keys (which deletes every tag).
        sdk::apply(&backend, ACCOUNT, REGION, &untag_change("AwsEc2SecurityGroup", &group, Vec::new())).await;
        assert_eq!(direct_ec2_tags(&ec2, &group).await, two, "nothing deleted");
    });
}

// ---- refusals ----

#[test]
fn resources_that_cannot_carry_tags_are_refused_by_name() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        for change in [
            tag_change("AwsAccount", ACCOUNT, exception("r", &in_days(5), "o")),
            untag_change("AwsAccount", ACCOUNT, exception_keys()),
        ] {
            let err = resources(&backend).apply(ACCOUNT, REGION, &change).await.expect_err("an account has no tags");
            assert_eq!(err, CloudError::Unsupported("AwsAccount resources cannot carry tags here".into()));
        }
        // An ARN of another region than the one the change is made in is refused before anything is sent.
        let elsewhere = format!("arn:aws:ec2:{OTHER_REGION}:{ACCOUNT}:security-group/sg-0123456789abcdef0");
        let change = tag_change("AwsEc2SecurityGroup", &elsewhere, exception("r", &in_days(5), "o"));
        let err = resources(&backend).apply(ACCOUNT, REGION, &change).await.expect_err("wrong region");
        assert!(err.to_string().contains(OTHER_REGION), "{err}");
    });
}

// ---- listing ----

#[test]
fn listing_finds_the_excepted_bucket_group_and_instance_with_all_their_tags_and_nothing_else() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let started = std::time::Instant::now();
        let config = sdk::assumed_config(&endpoint, LIST_ACCOUNT).await;
        let s3 = sdk::s3(&config, REGION);
        let s3_elsewhere = sdk::s3(&config, OTHER_REGION);
        let ec2 = sdk::ec2(&config, REGION);
        let names = ExceptionTagNames::default();
        let excepted = exception("legacy partner feed", &in_days(20), "dave");

        let mut bucket_tags = excepted.clone();
        bucket_tags.insert("team".into(), "data".into());
        create_bucket(&s3, "ht-list-excepted", REGION).await;
        put_bucket_tags(&s3, "ht-list-excepted", &bucket_tags).await;
        create_bucket(&s3, "ht-list-untagged", REGION).await;
        create_bucket(&s3, "ht-list-other-tags", REGION).await;
        put_bucket_tags(&s3, "ht-list-other-tags", &tags(&[("team", "data"), ("SecurityExceptionOwner", "x")])).await;
        create_bucket(&s3_elsewhere, "ht-list-elsewhere", OTHER_REGION).await;
        put_bucket_tags(&s3_elsewhere, "ht-list-elsewhere", &excepted).await;

        let group = create_group(&ec2, "ht-list-sg", "exceptions test", &[("Name", "partner-feed")]).await;
        let plain_group = create_group(&ec2, "ht-list-plain-sg", "exceptions test", &[("Name", "web")]).await;
        let instance = run_instance(&ec2, "feed-worker", |request| request).await;
        let group_arn = format!("arn:aws:ec2:{REGION}:{LIST_ACCOUNT}:security-group/{group}");
        let instance_arn = format!("arn:aws:ec2:{REGION}:{LIST_ACCOUNT}:instance/{instance}");

        // The exceptions on EC2 are written by the product, by ARN.
        let counts = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
        let seen = counts.clone();
        let counting = proxy::start(
            server.port,
            Arc::new(move |req| {
                if proxy::is_tagging_get_resources(req) {
                    seen[0].fetch_add(1, Ordering::SeqCst);
                }
                if proxy::is_describe_tags(req) {
                    seen[1].fetch_add(1, Ordering::SeqCst);
                }
                None
            }),
        );
        let backend = sdk::backend(&counting.endpoint(), &[LIST_ACCOUNT], &[REGION]).await;
        let product = resources(&backend);
        for arn in [&group_arn, &instance_arn] {
            let kind = if arn.contains(":instance/") { "AwsEc2Instance" } else { "AwsEc2SecurityGroup" };
            product.apply(LIST_ACCOUNT, REGION, &tag_change(kind, arn, excepted.clone())).await.unwrap();
        }
        let mut group_tags = excepted.clone();
        group_tags.insert("Name".into(), "partner-feed".into());
        let mut instance_tags = excepted.clone();
        instance_tags.insert("Name".into(), "feed-worker".into());
        let expected = vec![
            TaggedResource { resource_type: "AwsEc2Instance".into(), resource_id: instance_arn, tags: instance_tags },
            TaggedResource { resource_type: "AwsEc2SecurityGroup".into(), resource_id: group_arn, tags: group_tags },
            TaggedResource {
                resource_type: "AwsS3Bucket".into(),
                resource_id: "arn:aws:s3:::ht-list-excepted".into(),
                tags: bucket_tags,
            },
        ];
        assert_eq!(direct_ec2_tags(&ec2, &plain_group).await, tags(&[("Name", "web")]));

        let listed = product.list_tagged(LIST_ACCOUNT, REGION, &names.reason_tag).await.unwrap();
        assert_eq!(listed, expected, "not the untagged bucket, not the other region's bucket, not the plain group");
        assert!(counts[0].load(Ordering::SeqCst) >= 1, "the Resource Groups Tagging API was used");
        assert_eq!(counts[1].load(Ordering::SeqCst), 0, "no direct EC2 listing was needed");

        let elsewhere = product.list_tagged(LIST_ACCOUNT, OTHER_REGION, &names.reason_tag).await.unwrap();
        let ids: Vec<&str> = elsewhere.iter().map(|r| r.resource_id.as_str()).collect();
        assert_eq!(ids, ["arn:aws:s3:::ht-list-elsewhere"], "the other region has only its own bucket");

        // Without tag:GetResources (denied here, as AWS answers a role lacking it), S3 and EC2 are asked directly
        // and the answer is the same.
        let direct_calls = Arc::new(AtomicUsize::new(0));
        let seen = direct_calls.clone();
        let denying = proxy::start(
            server.port,
            Arc::new(move |req| {
                if proxy::is_describe_tags(req) {
                    seen.fetch_add(1, Ordering::SeqCst);
                }
                proxy::is_tagging_get_resources(req).then(Fault::tagging_access_denied)
            }),
        );
        let denied_backend = sdk::backend(&denying.endpoint(), &[LIST_ACCOUNT], &[REGION]).await;
        let listed = resources(&denied_backend).list_tagged(LIST_ACCOUNT, REGION, &names.reason_tag).await.unwrap();
        assert_eq!(listed, expected, "the fallback finds the same resources with the same tags");
        assert!(direct_calls.load(Ordering::SeqCst) >= 2, "EC2 DescribeTags was asked directly");

        // A key nobody carries finds nothing.
        assert_eq!(product.list_tagged(LIST_ACCOUNT, REGION, "NoSuchExceptionTag").await.unwrap(), []);
        eprintln!("listing test took {:?}", started.elapsed());
    });
}

// ---- the verdict ----

#[test]
fn verdict_is_excepted_while_the_exception_is_valid_and_normal_again_once_expired() {
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let bucket = "ht-exc-verdict";
        let s3 = new_bucket(&endpoint, ACCOUNT, REGION, bucket).await;
        put_bucket_tags(&s3, bucket, &tags(&[("team", "web")])).await;
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let config = Config::default();
        let triage = Triage { policy: config.policy().unwrap(), playbooks: Playbooks::new(&config.playbooks) };
        let finding = read_one(&s3_8_asff(ACCOUNT, REGION, bucket, "exc-1"));
        let resource: ResourceRef = finding.primary_resource().unwrap().clone();
        let assess = |state: ResourceState| triage.assess(&finding, Some(&state), chrono::Utc::now()).decision;
        let live = || async { resources(&backend).read_state(ACCOUNT, REGION, &resource).await.unwrap() };

        let normal = assess(live().await);
        assert_ne!(normal.verdict, Verdict::Excepted);
        assert!(!normal.reason.contains("exception"), "{}", normal.reason);

        let arn = format!("arn:aws:s3:::{bucket}");
        let set = exception("public website assets", &in_days(30), "erin");
        sdk::apply(&backend, ACCOUNT, REGION, &tag_change("AwsS3Bucket", &arn, set)).await;
        let excepted = assess(live().await);
        assert_eq!(excepted.verdict, Verdict::Excepted, "{}", excepted.reason);
        assert!(excepted.reason.contains("public website assets"), "{}", excepted.reason);
        assert!(excepted.reason.contains("erin"), "{}", excepted.reason);

        let expiry = ExceptionTagNames::default().expiry_tag;
        sdk::apply(&backend, ACCOUNT, REGION, &tag_change("AwsS3Bucket", &arn, tags(&[(&expiry, "2020-01-01")]))).await;
        let expired = assess(live().await);
        assert_eq!(expired.verdict, normal.verdict, "{}", expired.reason);
        assert!(expired.reason.contains("exception expired"), "{}", expired.reason);
        assert_eq!(
            direct_bucket_tags(&s3, bucket).await.unwrap().get("team").map(String::as_str),
            Some("web"),
            "the bucket's own tag survived every write"
        );
    });
}
