use super::*;
use crate::model::{ComplianceStatus, Severity};
use crate::playbook::{snapshot, BucketPublicAccessBlock, PublicAccessBlock};
use futures::executor::block_on;
use std::collections::{BTreeSet, HashSet};

/// A Saturday noon: outside the prod change window of `config.example.toml`.
pub(super) fn saturday() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-21T12:00:00Z").expect("time").with_timezone(&Utc)
}

pub(super) fn source(account: &str, region: &str) -> SourceId {
    SourceId { account_id: account.into(), region: region.into() }
}

/// Every page of a source.
pub(super) fn fetch_all(org: &SimOrg, source: &SourceId) -> Result<Vec<Finding>, CloudError> {
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let page = block_on(org.fetch_page(source, token))?;
        assert!(page.problems.is_empty(), "{:?}", page.problems);
        all.extend(page.findings);
        match page.next_token {
            Some(t) => token = Some(t),
            None => return Ok(all),
        }
    }
}

fn everything(org: &SimOrg) -> Vec<Finding> {
    org.sources().iter().flat_map(|s| fetch_all(org, s).expect("fetch")).collect()
}

const PROD: &str = "210987654321";
const STAGING: &str = "345678901234";

fn bucket_ref(name: &str) -> ResourceRef {
    ResourceRef {
        kind: "AwsS3Bucket".into(),
        id: format!("arn:aws:s3:::{name}"),
        region: None,
        tags: Default::default(),
        details: None,
    }
}

#[test]
fn organisation_matches_the_example_config() {
    let org = SimOrg::new(7, saturday());
    let accounts = org.accounts();
    assert_eq!(accounts.len(), 4);
    assert_eq!(accounts[0], SimAccount { id: PROD.into(), name: "payments-prod".into(), class: "prod".into() });
    assert!(accounts.iter().any(|a| a.id == "567890123456" && a.class == "unclassified"));
    assert_eq!(org.regions(), vec!["eu-west-1".to_string(), "us-east-1".to_string()]);
    assert_eq!(org.sources().len(), 8);
}

#[test]
fn many_findings_over_many_controls_and_products() {
    let org = SimOrg::new(7, saturday());
    let all = everything(&org);
    let controls: BTreeSet<&str> = all.iter().filter_map(|f| f.control_id.as_deref()).collect();
    let products: BTreeSet<&str> = all.iter().map(|f| &*f.product_name).collect();
    for s in org.sources() {
        eprintln!("{s}: {}", fetch_all(&org, &s).expect("fetch").len());
    }
    eprintln!("total {} findings; {} controls: {controls:?}; products {products:?}", all.len(), controls.len());
    assert!(all.len() >= 320, "{} findings", all.len());
    assert!(controls.len() >= 15, "{controls:?}");
    for product in ["Security Hub", "GuardDuty", "Inspector", "Macie", "Config"] {
        assert!(products.contains(product), "{product} missing from {products:?}");
    }
    for severity in Severity::ALL.iter().filter(|s| **s != Severity::Informational) {
        assert!(all.iter().any(|f| f.severity == *severity), "no {severity} finding");
    }
    assert!(all.iter().all(|f| f.is_open() && f.warnings.is_empty()), "every finding open and read cleanly");
}

#[test]
fn findings_look_like_security_hub_wrote_them() {
    let org = SimOrg::new(7, saturday());
    let now = saturday();
    for f in everything(&org) {
        let (first, updated) = (f.first_observed_at.expect("first"), f.updated_at.expect("updated"));
        assert!(first <= updated && updated < now, "{}: {first} {updated}", f.id);
        assert!(f.product_arn.starts_with(&format!("arn:aws:securityhub:{}::product/aws/", f.region)));
        let raw: Value = serde_json::from_str(&f.raw.text().expect("raw")).expect("raw JSON kept");
        assert_eq!(raw["Id"], Value::String(f.id.to_string()));
        if let Some(control) = &f.control_id {
            let prefix =
                format!("arn:aws:securityhub:{}:{}:security-control/{control}/finding/", f.region, f.account_id);
            assert!(f.id.starts_with(&prefix), "{}", f.id);
            assert_eq!(*f.generator_id, format!("security-control/{control}"));
            assert_eq!(f.compliance_status, Some(ComplianceStatus::Failed));
            assert_eq!(&*f.product_name, "Security Hub");
        }
        let r = f.primary_resource().expect("resource");
        if *r.kind == *"AwsEc2SecurityGroup" {
            let id = r.short_id();
            assert!(id.len() == 20 && id.starts_with("sg-") && id[3..].chars().all(|c| c.is_ascii_hexdigit()), "{id}");
            assert!(r.details().is_some_and(|d| d["AwsEc2SecurityGroup"]["IpPermissions"].is_array()));
        }
    }
}

#[test]
fn paging_returns_each_finding_exactly_once() {
    let org = SimOrg::new(7, saturday());
    let mut multi_page = 0;
    for s in org.sources() {
        let paged = fetch_all(&org, &s).expect("fetch");
        let ids: HashSet<&str> = paged.iter().map(|f| &*f.id).collect();
        assert_eq!(ids.len(), paged.len(), "duplicate in {s}");
        let direct = org.findings(&s, false);
        assert_eq!(paged.len(), direct.len());
        assert!(paged.iter().all(|f| *f.account_id == *s.account_id && *f.region == *s.region));
        if paged.len() > PAGE {
            multi_page += 1;
        }
    }
    assert!(multi_page >= 1, "some source needs more than one page");
    let first = block_on(org.fetch_page(&source(PROD, "eu-west-1"), None)).expect("page");
    assert_eq!(first.findings.len(), PAGE);
    assert_eq!(first.next_token.as_deref(), Some("100"));
    assert!(block_on(org.fetch_page(&source(PROD, "eu-west-1"), Some("x".into()))).is_err());
}

#[test]
fn same_seed_same_findings_other_seed_other_ids() {
    let a = everything(&SimOrg::new(7, saturday()));
    let b = everything(&SimOrg::new(7, saturday()));
    let c = everything(&SimOrg::new(8, saturday()));
    assert_eq!(a, b);
    let ids = |v: &[Finding]| v.iter().map(|f| f.id.clone()).collect::<HashSet<_>>();
    assert!(ids(&a).is_disjoint(&ids(&c)));
    assert!(c.len() >= 300, "{}", c.len());
    for seed in [1, 42, 2026, 99] {
        let org = SimOrg::new(seed, saturday());
        let sizes: Vec<usize> = org.sources().iter().map(|s| org.findings(s, false).len()).collect();
        eprintln!("seed {seed}: {sizes:?} = {}", sizes.iter().sum::<usize>());
        assert!(sizes.iter().sum::<usize>() >= 320 && sizes.iter().any(|n| *n > PAGE), "seed {seed}: {sizes:?}");
    }
}

#[test]
fn read_state_finds_resources_in_their_own_account_and_region_only() {
    let org = SimOrg::new(7, saturday());
    let bucket = "payments-prod-status-page-eu-west-1";
    let state = block_on(org.read_state(PROD, "eu-west-1", &bucket_ref(bucket))).expect("bucket");
    let ResourceState::S3Bucket(b) = &state else { panic!("expected a bucket, got {state:?}") };
    assert_eq!(b.public_access_block, BucketPublicAccessBlock::NotConfigured);
    assert!(b.policy.as_deref().is_some_and(|p| p.contains("s3:GetObject")));
    assert!(b.tags.contains_key("SecurityException"));
    let wrong_account = block_on(org.read_state(STAGING, "eu-west-1", &bucket_ref(bucket)));
    assert!(matches!(wrong_account, Err(CloudError::NotFound(_))), "{wrong_account:?}");
    let wrong_region = block_on(org.read_state(PROD, "us-east-1", &bucket_ref(bucket)));
    assert!(matches!(wrong_region, Err(CloudError::NotFound(_))), "{wrong_region:?}");

    let sg = everything(&org)
        .into_iter()
        .find(|f| f.control_id.as_deref() == Some("EC2.13") && *f.account_id == *PROD)
        .expect("an EC2.13 finding in prod");
    let r = sg.primary_resource().expect("resource");
    let state = block_on(org.read_state(PROD, &sg.region, r)).expect("group");
    let ResourceState::SecurityGroup(g) = &state else { panic!("expected a group") };
    assert!(g
        .rules
        .iter()
        .all(|rule| rule.rule_id.as_deref().is_some_and(|id| id.starts_with("sgr-") && id.len() == 21)));
    // The finding's snapshot and the live state agree on the rules (apart from the ids snapshots lack).
    let snap = snapshot::state_from_finding(&sg).expect("snapshot");
    let ResourceState::SecurityGroup(s) = snap else { panic!("expected a group snapshot") };
    let strip = |rules: &[crate::playbook::SecurityGroupRule]| {
        let mut v: Vec<_> =
            rules.iter().map(|r| crate::playbook::SecurityGroupRule { rule_id: None, ..r.clone() }).collect();
        v.sort();
        v
    };
    assert_eq!(strip(&s.rules), strip(&g.rules));
    assert!(matches!(block_on(org.read_state(STAGING, &sg.region, r)), Err(CloudError::NotFound(_))));

    let mut instance = r.clone();
    instance.kind = "AwsEc2Instance".into();
    assert!(matches!(block_on(org.read_state(PROD, &sg.region, &instance)), Err(CloudError::NotFound(_))));
    let mut key = r.clone();
    key.kind = "AwsLambdaFunction".into();
    assert!(matches!(block_on(org.read_state(PROD, &sg.region, &key)), Err(CloudError::Unsupported(_))));
    assert_eq!(org.call_count("ReadState"), 7);
}

#[test]
fn live_buckets_never_have_unknown_public_access_block() {
    let org = SimOrg::new(3, saturday());
    let state = org.lock();
    for region in state.sources.values() {
        for b in &region.buckets {
            assert_ne!(b.state.public_access_block, BucketPublicAccessBlock::Unknown);
        }
    }
}

#[test]
fn faults_produce_the_right_errors_and_stay_in_their_source() {
    let org = SimOrg::new(7, saturday());
    let prod = source(PROD, "eu-west-1");
    let staging = source(STAGING, "us-east-1");
    let fetch = |s: &SourceId, t: Option<&str>| block_on(org.fetch_page(s, t.map(String::from)));

    org.set_fault(&prod, Some(SimFault::AccessDenied));
    assert!(matches!(fetch(&prod, None), Err(CloudError::AccessDenied(_))));
    assert!(matches!(
        block_on(org.read_state(PROD, "eu-west-1", &bucket_ref("payments-prod-invoices-eu-west-1"))),
        Err(CloudError::AccessDenied(_))
    ));
    assert!(fetch(&staging, None).is_ok(), "other sources are unaffected");

    org.set_fault(&prod, Some(SimFault::NotEnabled));
    assert!(matches!(fetch(&prod, None), Err(CloudError::NotEnabled(_))));

    org.set_fault(&prod, Some(SimFault::ThrottleEveryOtherCall));
    let results: Vec<bool> = (0..4).map(|_| fetch(&prod, None).is_ok()).collect();
    assert_eq!(results, vec![false, true, false, true]);
    assert!(matches!(fetch(&prod, None), Err(CloudError::Throttled(e)) if !e.is_empty()));

    org.set_fault(&prod, Some(SimFault::FailAfterPages(1)));
    assert!(fetch(&prod, None).is_ok());
    assert!(matches!(fetch(&prod, Some("100")), Err(CloudError::Network(_))));
    assert!(CloudError::Network(String::new()).is_retryable());

    org.set_fault(&prod, None);
    assert!(fetch_all(&org, &prod).is_ok());
    assert!(matches!(fetch(&source(PROD, "ap-south-1"), None), Err(CloudError::NotEnabled(_))));
    assert!(matches!(fetch(&source("999999999999", "eu-west-1"), None), Err(CloudError::AccessDenied(_))));
    assert!(org.call_count("GetFindings") >= 13);
}

#[test]
fn a_fixed_bucket_turns_passed_under_the_same_id() {
    let org = SimOrg::new(7, saturday());
    let src = source(STAGING, "eu-west-1");
    let name = "platform-staging-artifacts-eu-west-1";
    let is_s38 = |f: &Finding| f.control_id.as_deref() == Some("S3.8") && f.resources[0].short_id() == name;
    let before = fetch_all(&org, &src).expect("fetch");
    let failed = before.iter().find(|f| is_s38(f)).expect("S3.8 on the artifacts bucket").clone();
    {
        let mut state = org.lock();
        let region = state.sources.get_mut(&src).expect("source");
        let bucket = region.buckets.iter_mut().find(|b| b.state.name == name).expect("bucket");
        bucket.state.public_access_block = BucketPublicAccessBlock::Configured(PublicAccessBlock::ALL_ON);
        bucket.changed_at = Some(saturday() - chrono::Duration::minutes(1));
    }
    let after = fetch_all(&org, &src).expect("fetch");
    assert!(!after.iter().any(is_s38));
    assert_eq!(after.len(), before.len() - 1);
    let resolved = org.findings(&src, true).into_iter().find(|f| f.id == failed.id).expect("same id");
    assert_eq!(resolved.compliance_status, Some(ComplianceStatus::Passed));
    assert!(resolved.updated_at > failed.updated_at);
}

#[test]
fn exception_tags_cover_valid_expiring_expired_and_unparsable() {
    let org = SimOrg::new(7, saturday());
    let state = org.lock();
    let expiries: Vec<String> = state
        .sources
        .values()
        .flat_map(|r| {
            r.buckets.iter().map(|b| b.state.tags.clone()).chain(r.groups.iter().map(|g| g.state.tags.clone()))
        })
        .filter_map(|t| t.get("SecurityExceptionExpiry").cloned())
        .collect();
    for expected in ["2026-12-11", "2026-11-24T12:00:00Z", "2026-11-09", "end of Q3"] {
        assert!(expiries.iter().any(|e| e == expected), "{expected} not in {expiries:?}");
    }
}

#[test]
fn changed_pages_hold_every_state_updated_since() {
    let org = SimOrg::new(7, saturday());
    let src = source(STAGING, "eu-west-1");
    let name = "platform-staging-artifacts-eu-west-1";
    let changed = |since: DateTime<Utc>| {
        let mut all = Vec::new();
        let mut token = None;
        loop {
            let page = block_on(org.fetch_changed_page(&src, since, token)).expect("page");
            all.extend(page.findings);
            match page.next_token {
                Some(t) => token = Some(t),
                None => return all,
            }
        }
    };
    assert!(changed(saturday()).is_empty(), "nothing is updated after the organisation's now");
    let everything = changed(saturday() - chrono::Duration::days(400));
    assert_eq!(everything.len(), org.findings(&src, true).len(), "resolved findings included, paged");
    assert!(everything.len() > PAGE);

    let fixed_at = saturday() + chrono::Duration::minutes(3);
    assert!(org.block_public_access(&src, name, fixed_at));
    let since = saturday() + chrono::Duration::minutes(1);
    let after = changed(since);
    assert!(!after.is_empty());
    assert!(after.iter().all(|f| f.updated_at >= Some(since) && f.resources[0].short_id() == name), "{after:#?}");
    let s38 = after.iter().find(|f| f.control_id.as_deref() == Some("S3.8")).expect("S3.8");
    assert_eq!(s38.compliance_status, Some(ComplianceStatus::Passed));
    assert_eq!(s38.updated_at, Some(fixed_at));

    org.set_fault(&src, Some(SimFault::FailAfterPages(0)));
    assert!(matches!(block_on(org.fetch_changed_page(&src, since, None)), Err(CloudError::Network(_))));
}
