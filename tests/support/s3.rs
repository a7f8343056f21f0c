//! S3 buckets set up and read back directly with the SDK, bypassing the adapter under test.
#![allow(clippy::unwrap_used)]

use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration, PublicAccessBlockConfiguration, Tagging};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use hubtriage::playbook::PublicAccessBlock;
use std::collections::BTreeMap;

/// The error code of a failed S3 call (`?` when it has none).
pub fn code_of<E: ProvideErrorMetadata>(e: &SdkError<E>) -> String {
    e.as_service_error().and_then(|s| s.code()).unwrap_or("?").to_string()
}

/// CreateBucket in `region`.
pub async fn create_bucket(s3: &aws_sdk_s3::Client, bucket: &str, region: &str) {
    s3.create_bucket()
        .bucket(bucket)
        .create_bucket_configuration(
            CreateBucketConfiguration::builder().location_constraint(BucketLocationConstraint::from(region)).build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateBucket {bucket}: {e:?}"));
}

/// An S3 client for `region` with credentials of `account` (assumed from the base keys), and a new bucket there.
pub async fn new_bucket(endpoint: &str, account: &str, region: &str, bucket: &str) -> aws_sdk_s3::Client {
    let s3 = super::sdk::s3(&super::sdk::assumed_config(endpoint, account).await, region);
    create_bucket(&s3, bucket, region).await;
    s3
}

/// PutBucketTagging: `tags` (a map, or key-value pairs) become the bucket's whole tag set.
pub async fn put_bucket_tags<K: AsRef<str>, V: AsRef<str>>(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    tags: impl IntoIterator<Item = (K, V)>,
) {
    let mut tagging = Tagging::builder();
    for (k, v) in tags {
        tagging = tagging.tag_set(aws_sdk_s3::types::Tag::builder().key(k.as_ref()).value(v.as_ref()).build().unwrap());
    }
    s3.put_bucket_tagging().bucket(bucket).tagging(tagging.build().unwrap()).send().await.unwrap();
}

/// GetBucketTagging; `None` when S3 says the bucket has no tag set (NoSuchTagSet).
pub async fn direct_bucket_tags(s3: &aws_sdk_s3::Client, bucket: &str) -> Option<BTreeMap<String, String>> {
    match s3.get_bucket_tagging().bucket(bucket).send().await {
        Ok(o) => Some(o.tag_set().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()),
        Err(e) if code_of(&e) == "NoSuchTagSet" => None,
        Err(e) => panic!("GetBucketTagging {bucket}: {e:?}"),
    }
}

/// PutPublicAccessBlock on the bucket with the four settings of `c`.
pub async fn put_public_access_block(s3: &aws_sdk_s3::Client, bucket: &str, c: PublicAccessBlock) {
    s3.put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(c.block_public_acls)
                .ignore_public_acls(c.ignore_public_acls)
                .block_public_policy(c.block_public_policy)
                .restrict_public_buckets(c.restrict_public_buckets)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// CreateBucket in `region` with Object Lock, and a default retention of `days` days in COMPLIANCE mode.
pub async fn create_locked_bucket(s3: &aws_sdk_s3::Client, bucket: &str, region: &str, days: i32) {
    use aws_sdk_s3::types::{
        DefaultRetention, ObjectLockConfiguration, ObjectLockEnabled, ObjectLockRetentionMode, ObjectLockRule,
    };
    s3.create_bucket()
        .bucket(bucket)
        .object_lock_enabled_for_bucket(true)
        .create_bucket_configuration(
            CreateBucketConfiguration::builder().location_constraint(BucketLocationConstraint::from(region)).build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateBucket {bucket} with Object Lock: {e:?}"));
    let retention = DefaultRetention::builder().mode(ObjectLockRetentionMode::Compliance).days(days).build();
    let config = ObjectLockConfiguration::builder()
        .object_lock_enabled(ObjectLockEnabled::Enabled)
        .rule(ObjectLockRule::builder().default_retention(retention).build())
        .build();
    s3.put_object_lock_configuration()
        .bucket(bucket)
        .object_lock_configuration(config)
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutObjectLockConfiguration {bucket}: {e:?}"));
}

/// Every object under `prefix` in `bucket`: key → body.
pub async fn objects(s3: &aws_sdk_s3::Client, bucket: &str, prefix: &str) -> BTreeMap<String, Vec<u8>> {
    let listed = s3.list_objects_v2().bucket(bucket).prefix(prefix).send().await.unwrap();
    let mut out = BTreeMap::new();
    for object in listed.contents() {
        let key = object.key().unwrap().to_string();
        let body = s3.get_object().bucket(bucket).key(&key).send().await.unwrap().body.collect().await.unwrap();
        out.insert(key, body.into_bytes().to_vec());
    }
    out
}
