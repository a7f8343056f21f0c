#![allow(clippy::unwrap_used)]

use super::*;
use crate::playbook::state::{BucketPublicAccessBlock, PublicAccessBlock, ResourceState};
use crate::playbook::{Basis, PlanError, PlaybookSettings, Playbooks};
use std::collections::BTreeMap;

const KEY: &str = "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555";
const SSL_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"AllowSSLRequestsOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::acme-logs","arn:aws:s3:::acme-logs/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
const READ_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-logs/*"}]}"#;

fn blocks() -> Vec<BucketPublicAccessBlock> {
    let some_off = PublicAccessBlock { block_public_policy: false, ..PublicAccessBlock::ALL_ON };
    vec![
        BucketPublicAccessBlock::NotConfigured,
        BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON),
        BucketPublicAccessBlock::Configured(some_off),
    ]
}

fn encryptions() -> Vec<(Option<String>, Option<String>)> {
    vec![
        (None, None),
        (Some("AES256".into()), None),
        (Some("aws:kms".into()), Some(KEY.into())),
        (Some("aws:kms:dsse".into()), None),
    ]
}

fn policies() -> Vec<Option<String>> {
    vec![None, Some(SSL_POLICY.into()), Some(READ_POLICY.into()), Some("not a policy".into())]
}

fn tag_sets() -> Vec<BTreeMap<String, String>> {
    vec![BTreeMap::new(), [("aws:cloudformation:stack-name".to_string(), "logs".to_string())].into()]
}

/// Every combination of the values above.
fn states() -> Vec<BucketState> {
    let mut all = Vec::new();
    for public_access_block in blocks() {
        for (encryption, encryption_kms_key) in encryptions() {
            for policy in policies() {
                for tags in tag_sets() {
                    all.push(BucketState {
                        name: "acme-logs".into(),
                        account_id: "111111111111".into(),
                        region: "eu-west-1".into(),
                        public_access_block,
                        encryption: encryption.clone(),
                        encryption_kms_key: encryption_kms_key.clone(),
                        policy: policy.clone(),
                        tags,
                        unread: BucketParts::NONE,
                    });
                }
            }
        }
    }
    all
}

/// `state` with the parts in `parts` taken from `other`.
fn with_parts_of(state: &BucketState, other: &BucketState, parts: BucketParts) -> BucketState {
    let mut source = other.clone();
    source.unread = BucketParts::ALL.without(parts);
    let mut mixed = state.clone();
    mixed.take_parts_from(&source);
    mixed
}

#[test]
fn each_bucket_playbook_plans_and_verifies_from_the_parts_it_names_alone() {
    let keyed = PlaybookSettings { s3_kms_key_id: Some(KEY.into()), ..PlaybookSettings::default() };
    let states = states();
    let mut checked = 0;
    for settings in [PlaybookSettings::default(), keyed] {
        let playbooks = Playbooks::new(&settings);
        for playbook in playbooks.iter().filter(|p| p.resource_type() == "AwsS3Bucket") {
            for control in playbook.controls() {
                let named = playbook.bucket_parts(control).and(BucketParts::TAGS);
                let others = BucketParts::ALL.without(named);
                for state in &states {
                    let whole = ResourceState::S3Bucket(state.clone());
                    let plan = playbook.plan(control, &whole, Basis::Live);
                    let verified = playbook.verify(control, &whole);
                    for other in &states {
                        let mixed = ResourceState::S3Bucket(with_parts_of(state, other, others));
                        assert_eq!(
                            playbook.plan(control, &mixed, Basis::Live),
                            plan,
                            "{} for {control} looks at more than its {}: {state:?} vs {mixed:?}",
                            playbook.name(),
                            named.describe()
                        );
                        assert_eq!(playbook.verify(control, &mixed), verified, "{} verify", playbook.name());
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 10_000, "only {checked} comparisons");
}

#[test]
fn a_plan_is_never_made_from_a_part_that_was_not_read() {
    let playbooks = Playbooks::new(&PlaybookSettings::default());
    let mut state = states().into_iter().find(|s| s.policy.is_none() && s.encryption.is_none()).unwrap();
    state.unread = BucketParts::POLICY;
    let unread_policy = ResourceState::S3Bucket(state.clone());
    match playbooks.plan("S3.5", &unread_policy, Basis::Live) {
        Some(Err(PlanError::Unread(why))) => assert_eq!(why, "bucket acme-logs: its policy was not read"),
        other => panic!("planned from an unread policy: {other:?}"),
    }
    // S3.8 warns about a policy, so it needs it too; S3.4 does not.
    assert!(matches!(playbooks.plan("S3.8", &unread_policy, Basis::Live), Some(Err(PlanError::Unread(_)))));
    let whole = ResourceState::S3Bucket(BucketState { unread: BucketParts::NONE, ..state.clone() });
    assert_eq!(playbooks.plan("S3.4", &unread_policy, Basis::Live), playbooks.plan("S3.4", &whole, Basis::Live));

    state.unread = BucketParts::TAGS.and(BucketParts::ENCRYPTION);
    match playbooks.plan("S3.4", &ResourceState::S3Bucket(state), Basis::Live) {
        Some(Err(PlanError::Unread(why))) => {
            assert_eq!(why, "bucket acme-logs: its default encryption and tags were not read")
        }
        other => panic!("planned without tags: {other:?}"),
    }
}

#[test]
fn parts_taken_from_other_reads_fill_in_what_was_not_read() {
    let all = states();
    let (first, second) = (&all[0], &all[all.len() - 1]);
    let mut merged = BucketState { unread: BucketParts::ALL.without(BucketParts::TAGS), ..first.clone() };
    let mut policy_read = second.clone();
    policy_read.unread = BucketParts::ALL.without(BucketParts::POLICY);
    merged.take_parts_from(&policy_read);
    assert_eq!(merged.unread, BucketParts::PUBLIC_ACCESS_BLOCK.and(BucketParts::ENCRYPTION));
    assert_eq!(merged.policy, second.policy);
    assert_eq!(merged.tags, first.tags);
    assert_eq!(merged.encryption, first.encryption, "a part the other did not read is left as it was");
    let mut rest = second.clone();
    rest.unread = BucketParts::POLICY.and(BucketParts::TAGS);
    merged.take_parts_from(&rest);
    assert!(merged.unread.is_empty());
    assert_eq!((merged.public_access_block, &merged.encryption), (second.public_access_block, &second.encryption));
}

#[test]
fn parts_read_as_words() {
    assert_eq!(BucketParts::POLICY.describe(), "policy");
    assert_eq!(BucketParts::POLICY.and(BucketParts::TAGS).describe(), "policy and tags");
    assert_eq!(BucketParts::ALL.describe(), "Block Public Access configuration, default encryption, policy and tags");
    assert_eq!(BucketParts::ALL.each().count(), 4);
    assert_eq!(BucketParts::ALL.without(BucketParts::TAGS).each().last(), Some(BucketParts::POLICY));
}
