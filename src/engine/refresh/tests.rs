//! Live refresh against the simulated organisation, with short real durations (tokio's paused clock needs the
//! `test-util` feature, which would rebuild the AWS SDK in test builds).

use super::*;
use crate::cloud::sim::{SimFault, SimOrg};
use crate::config::Config;
use crate::engine::SourceStatus;
use crate::model::{ComplianceStatus, Finding, FindingKey};
use std::collections::{HashMap, HashSet};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

const PROD: &str = "210987654321";
const STAGING: &str = "345678901234";
const BUCKET: &str = "platform-staging-artifacts-eu-west-1";

fn source(account: &str, region: &str) -> SourceId {
    SourceId { account_id: account.into(), region: region.into() }
}

fn triage() -> Arc<Triage> {
    let config = Config::default();
    let policy = config.policy().expect("default policy");
    Arc::new(Triage { policy, playbooks: crate::playbook::Playbooks::new(&config.playbooks) })
}

/// Refresh only when asked; quick retries.
fn quick() -> RefreshSettings {
    RefreshSettings {
        every: None,
        overlap: chrono::Duration::minutes(5),
        page_retry: Duration::from_millis(5),
        max_attempts: 3,
        source_retry: Duration::from_millis(30),
    }
}

/// Messages until `stop` says so (the stopping message included); panics after 10 s.
async fn until(rx: &mut UnboundedReceiver<Msg>, mut stop: impl FnMut(&Msg) -> bool) -> Vec<Msg> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(msg)) => {
                let last = stop(&msg);
                seen.push(msg);
                if last {
                    return seen;
                }
            }
            Ok(None) => panic!("channel closed after {seen:#?}"),
            Err(_) => {
                let states: Vec<String> = seen
                    .iter()
                    .filter_map(|m| match m {
                        Msg::SourceState { source, status } => Some(format!("{source}: {status:?}")),
                        _ => None,
                    })
                    .collect();
                panic!("timed out; states seen: {states:#?}");
            }
        }
    }
}

/// Messages until every source in `sources` has reported `Ok`.
async fn until_ok(rx: &mut UnboundedReceiver<Msg>, sources: &[SourceId]) -> Vec<Msg> {
    let mut pending: HashSet<SourceId> = sources.iter().cloned().collect();
    until(rx, |m| {
        if let Msg::SourceState { source, status: SourceStatus::Ok { .. } } = m {
            pending.remove(source);
        }
        pending.is_empty()
    })
    .await
}

fn findings(msgs: &[Msg]) -> Vec<(SourceId, Arc<Finding>)> {
    msgs.iter()
        .flat_map(|m| match m {
            Msg::FindingsPage { source, rows, .. } => {
                rows.iter().map(|r| (source.clone(), r.finding.clone())).collect::<Vec<_>>()
            }
            _ => Vec::new(),
        })
        .collect()
}

fn last_ok_count(msgs: &[Msg], of: &SourceId) -> Option<usize> {
    msgs.iter().rev().find_map(|m| match m {
        Msg::SourceState { source, status: SourceStatus::Ok { findings, .. } } if source == of => Some(*findings),
        _ => None,
    })
}

fn assert_unique(found: &[(SourceId, Arc<Finding>)]) {
    let mut keys = HashSet::new();
    for (_, f) in found {
        assert!(keys.insert(f.key()), "{} sent twice", f.id);
    }
}

#[tokio::test]
async fn refresh_now_brings_back_a_resolved_finding_once() {
    let org = SimOrg::new(7, Utc::now());
    let sources = org.sources();
    let (tx, mut rx) = unbounded_channel();
    let handle = spawn_all(Arc::new(org.clone()), triage(), tx, quick());

    let initial = until_ok(&mut rx, &sources).await;
    let loaded = findings(&initial);
    assert_unique(&loaded);
    let staging = source(STAGING, "eu-west-1");
    let is_s38 = |f: &Finding| {
        f.control_id.as_deref() == Some("S3.8") && f.primary_resource().is_some_and(|r| r.short_id() == BUCKET)
    };
    let before = loaded.iter().find(|(_, f)| is_s38(f)).map(|(_, f)| f.clone()).expect("S3.8 on the bucket");
    let initial_count = last_ok_count(&initial, &staging).expect("staging loaded");
    let calls = org.call_count("GetFindings");

    assert!(org.block_public_access(&staging, BUCKET, Utc::now()));
    handle.now();
    let refreshed = until_ok(&mut rx, &sources).await;
    let changed = findings(&refreshed);

    // Only what changed comes back, from its own source, each finding once; the fixed one resolved.
    assert!(!changed.is_empty());
    assert!(changed.iter().all(|(s, f)| s == &staging && *f.account_id == *STAGING && *f.region == *"eu-west-1"));
    assert_unique(&changed);
    let after = changed.iter().find(|(_, f)| is_s38(f)).map(|(_, f)| f.clone()).expect("S3.8 refreshed");
    assert_eq!(after.key(), before.key());
    assert_eq!(after.compliance_status, Some(ComplianceStatus::Passed));
    assert!(after.updated_at > before.updated_at);
    assert!(!after.is_open());
    assert_eq!(org.call_count("GetFindings") - calls, sources.len(), "one page per source");

    // Upserted as the listing does (newer UpdatedAt wins), the open findings are exactly what the source holds open
    // now, and the count the source reports agrees.
    let mut listing: HashMap<FindingKey, Arc<Finding>> = HashMap::new();
    for (_, f) in loaded.iter().chain(changed.iter()) {
        let newer = listing.get(&f.key()).is_none_or(|old| f.updated_at >= old.updated_at);
        if newer {
            listing.insert(f.key(), f.clone());
        }
    }
    let open: HashSet<FindingKey> = listing
        .values()
        .filter(|f| f.is_open() && *f.account_id == *STAGING && *f.region == *"eu-west-1")
        .map(|f| f.key())
        .collect();
    let expected: HashSet<FindingKey> = org.findings(&staging, false).iter().map(Finding::key).collect();
    assert_eq!(open, expected);
    let count = last_ok_count(&refreshed, &staging).expect("staging refreshed");
    assert_eq!(count, expected.len());
    assert!(count < initial_count, "{count} < {initial_count}");
    let others: Vec<&SourceId> = sources.iter().filter(|s| **s != staging).collect();
    for s in others {
        assert_eq!(last_ok_count(&refreshed, s), last_ok_count(&initial, s), "{s} unchanged");
    }
}

#[tokio::test]
async fn failing_sources_show_the_error_are_retried_and_recover() {
    let org = SimOrg::new(7, Utc::now());
    let sources = org.sources();
    let denied = source(PROD, "eu-west-1");
    let flaky = source(STAGING, "us-east-1");
    org.set_fault(&denied, Some(SimFault::AccessDenied));
    let (tx, mut rx) = unbounded_channel();
    let handle = spawn_all(Arc::new(org.clone()), triage(), tx, quick());

    // The denied source says so; every other source loads.
    let healthy: Vec<SourceId> = sources.iter().filter(|s| **s != denied).cloned().collect();
    let mut pending: HashSet<SourceId> = healthy.iter().cloned().collect();
    let mut denied_seen = false;
    let initial = until(&mut rx, |m| {
        if let Msg::SourceState { source, status } = m {
            match status {
                SourceStatus::Ok { .. } => {
                    pending.remove(source);
                }
                SourceStatus::Denied(e) if *source == denied => {
                    assert!(e.contains("not authorized"), "{e}");
                    denied_seen = true;
                }
                _ => {}
            }
        }
        pending.is_empty() && denied_seen
    })
    .await;
    assert!(findings(&initial).iter().all(|(s, _)| *s != denied));
    let flaky_count = last_ok_count(&initial, &flaky).expect("flaky loaded");

    // The role can be assumed again: retried with backoff, the source loads in full.
    org.set_fault(&denied, None);
    let recovered = until_ok(&mut rx, std::slice::from_ref(&denied)).await;
    let expected = org.findings(&denied, false).len();
    assert_eq!(last_ok_count(&recovered, &denied), Some(expected));
    assert_eq!(findings(&recovered).iter().filter(|(s, _)| *s == denied).count(), expected);

    // A network failure during a refresh: retried, then shown with its text; the other sources refresh.
    org.set_fault(&flaky, Some(SimFault::FailAfterPages(0)));
    handle.now();
    let mut pending: HashSet<SourceId> = sources.iter().filter(|s| **s != flaky).cloned().collect();
    let mut failed = false;
    let during = until(&mut rx, |m| {
        if let Msg::SourceState { source, status } = m {
            match status {
                SourceStatus::Ok { .. } => {
                    assert_ne!(*source, flaky, "a failing source never reports Ok");
                    pending.remove(source);
                }
                SourceStatus::Failed(e) if *source == flaky => {
                    assert!(e.contains("connection reset"), "{e}");
                    failed = true;
                }
                _ => {}
            }
        }
        pending.is_empty() && failed
    })
    .await;
    let retrying: Vec<u32> = during
        .iter()
        .filter_map(|m| match m {
            Msg::SourceState { source, status: SourceStatus::Retrying { attempt, error } } if *source == flaky => {
                assert!(error.contains("connection reset"), "{error}");
                Some(*attempt)
            }
            _ => None,
        })
        .collect();
    assert_eq!(retrying, [1, 2]);
    assert!(!during.iter().any(|m| matches!(m, Msg::SourceState { status: SourceStatus::Loading { .. }, .. })));

    // The fault ends: the next retry refreshes it, and it still counts everything it had.
    org.set_fault(&flaky, None);
    let back = until_ok(&mut rx, std::slice::from_ref(&flaky)).await;
    assert_eq!(last_ok_count(&back, &flaky), Some(flaky_count));

    // Throttled on the first refresh call: one retry, then Ok.
    org.set_fault(&flaky, Some(SimFault::ThrottleEveryOtherCall));
    handle.now();
    let throttled = until_ok(&mut rx, &sources).await;
    assert!(throttled.iter().any(|m| matches!(
        m,
        Msg::SourceState { source, status: SourceStatus::Retrying { attempt: 1, error } }
            if *source == flaky && error.contains("TooManyRequests")
    )));
    assert_eq!(last_ok_count(&throttled, &flaky), Some(flaky_count));
}

#[tokio::test]
async fn periodic_refresh_and_sources_that_cannot_refresh() {
    struct Fixed;
    #[async_trait::async_trait]
    impl FindingSource for Fixed {
        fn sources(&self) -> Vec<SourceId> {
            vec![source("file", "-")]
        }
        async fn fetch_page(&self, _: &SourceId, _: Option<String>) -> Result<crate::cloud::FindingsPage, CloudError> {
            Ok(crate::cloud::FindingsPage::default())
        }
    }
    // A file source loads once; asking for a refresh changes nothing and its task ends.
    let (tx, mut rx) = unbounded_channel();
    let handle = spawn_all(Arc::new(Fixed), triage(), tx, quick());
    until_ok(&mut rx, &[source("file", "-")]).await;
    handle.now();
    let rest = tokio::time::timeout(Duration::from_secs(2), rx.recv()).await.expect("the channel closes");
    assert!(rest.is_none(), "{rest:?}");

    // A simulated source refreshes on its own every `every`, one call per refresh, and stops with the UI.
    let org = SimOrg::new(7, Utc::now());
    let one = source(STAGING, "eu-west-1");
    let only_one = Arc::new(OnlyOne { org: org.clone(), id: one.clone() });
    let (tx, mut rx) = unbounded_channel();
    let every = RefreshSettings { every: Some(Duration::from_millis(200)), ..quick() };
    let _handle = spawn_all(only_one, triage(), tx, every);
    until_ok(&mut rx, std::slice::from_ref(&one)).await;
    let calls = org.call_count("GetFindings");
    until_ok(&mut rx, std::slice::from_ref(&one)).await;
    until_ok(&mut rx, std::slice::from_ref(&one)).await;
    assert_eq!(org.call_count("GetFindings") - calls, 2);
    drop(rx);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stopped = org.call_count("GetFindings");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(org.call_count("GetFindings"), stopped, "no refresh once the UI is gone");
}

/// One source of the simulated organisation.
struct OnlyOne {
    org: SimOrg,
    id: SourceId,
}

#[async_trait::async_trait]
impl FindingSource for OnlyOne {
    fn sources(&self) -> Vec<SourceId> {
        vec![self.id.clone()]
    }
    async fn fetch_page(&self, s: &SourceId, t: Option<String>) -> Result<crate::cloud::FindingsPage, CloudError> {
        self.org.fetch_page(s, t).await
    }
    async fn fetch_changed_page(
        &self,
        s: &SourceId,
        since: chrono::DateTime<Utc>,
        t: Option<String>,
    ) -> Result<crate::cloud::FindingsPage, CloudError> {
        self.org.fetch_changed_page(s, since, t).await
    }
}
