//! V2 sources under faults, delta syncs and read-only mode, through the library as the TUI runs it.

use crate::support::moto::moto;
use crate::support::ocsf::{read_back, read_one, s3_8_ocsf, seed};
use crate::support::paging::page;
use crate::support::proxy::{self, Fault};
use crate::support::sdk::{self, run};
use crate::ROLE;
use hubtriage::actions::ActionRunner;
use hubtriage::cloud::aws::AwsSettings;
use hubtriage::cloud::{SourceApi, SourceId};
use hubtriage::config::{Config, RemediationConfig};
use hubtriage::engine::audit::AuditLog;
use hubtriage::engine::remediate::{Remediator, RemediatorSettings};
use hubtriage::engine::{OpenTotals, SourceStatus};
use hubtriage::model::Severity;
use hubtriage::playbook::Playbooks;
use hubtriage::triage::Triage;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// `count` open S3.8 findings in `account`/`region`, seeded; their `metadata.uid`s.
fn seed_many(port: u16, account: &str, region: &str, count: usize) -> BTreeSet<String> {
    let findings: Vec<Value> =
        (0..count).map(|n| s3_8_ocsf(account, region, &format!("b-{n}"), &format!("{account}-{region}-{n}"))).collect();
    seed(port, &findings);
    findings.iter().map(|f| f["metadata"]["uid"].as_str().unwrap().to_string()).collect()
}

/// A proxy in front of the emulator that keeps the body of every GetFindingsV2 request.
fn v2_recorder(port: u16) -> (proxy::FaultProxy, Arc<Mutex<Vec<Value>>>) {
    let bodies: Arc<Mutex<Vec<Value>>> = Arc::default();
    let seen = bodies.clone();
    let recorder = proxy::start(
        port,
        Arc::new(move |req| {
            if proxy::is_get_findings_v2(req) {
                seen.lock().unwrap().push(serde_json::from_slice(&req.body).unwrap_or(Value::Null));
            }
            None
        }),
    );
    (recorder, bodies)
}

fn settings(account: &str, regions: &[&str]) -> AwsSettings {
    let regions: Vec<String> = regions.iter().map(|r| r.to_string()).collect();
    AwsSettings::default().with_overrides(None, &[account.to_string()], &regions, Some(ROLE), None)
}

#[test]
fn a_throttled_v2_source_retries_from_the_same_page_and_a_denied_one_says_denied() {
    const ACCOUNT: &str = "444444444444";
    const THROTTLED: &str = "eu-west-1";
    const DENIED: &str = "us-west-2";
    let server = moto();
    let expected = seed_many(server.port, ACCOUNT, THROTTLED, 150);
    seed_many(server.port, ACCOUNT, DENIED, 5);
    let calls = Arc::new(AtomicUsize::new(0));
    let tokens: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let (counter, seen) = (calls.clone(), tokens.clone());
    let fault = proxy::start(
        server.port,
        Arc::new(move |req| {
            if !proxy::is_get_findings_v2(req) {
                return None;
            }
            if proxy::region(req).as_deref() == Some(DENIED) {
                return Some(Fault::security_hub_access_denied());
            }
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            seen.lock().unwrap().push(body["NextToken"].as_str().map(String::from));
            // Page 1 passes; the next three requests (the SDK's own three attempts) are throttled; then all pass.
            (1..=3).contains(&counter.fetch_add(1, Ordering::SeqCst)).then(Fault::v2_throttling)
        }),
    );
    let endpoint = fault.endpoint();
    let (throttled, denied) = run(async move {
        let at = |region: &str| SourceId { account_id: ACCOUNT.into(), region: region.into() };
        let both = settings(ACCOUNT, &[THROTTLED, DENIED]);
        let throttled = page(endpoint.clone(), both.clone(), at(THROTTLED), None).await;
        let denied = page(endpoint, both, at(DENIED), None).await;
        (throttled, denied)
    });

    throttled.assert_complete(&expected);
    assert_eq!(throttled.apis, [SourceApi::V2]);
    let counted = OpenTotals { by_severity: [(Severity::High, 150)].into(), with_playbook: 150 };
    assert_eq!(throttled.totals, [counted], "GetFindingStatisticsV2 counted them while paging");
    let retries = throttled.retries();
    assert!(!retries.is_empty(), "the throttling is shown: {:?}", throttled.statuses);
    assert!(retries.iter().all(|r| r.contains("throttled") && r.contains("ThrottlingException")), "{retries:?}");
    let tokens = tokens.lock().unwrap();
    assert_eq!(tokens.len(), 5, "page 1, page 2 throttled three times, page 2 again: {tokens:?}");
    assert!(tokens[1].is_some() && tokens[1..].iter().all(|t| *t == tokens[1]), "resumed from page 2: {tokens:?}");

    assert_eq!(denied.apis, [SourceApi::V2]);
    assert!(denied.ids.is_empty() && denied.totals.is_empty());
    match denied.statuses.last() {
        Some(SourceStatus::Denied(m)) => assert!(m.contains("GetFindingsV2 in 444444444444/us-west-2"), "{m}"),
        other => panic!("denied expected: {other:?} of {:?}", denied.statuses),
    }
}

#[test]
fn a_delta_sync_of_several_v2_pages_asks_every_page_with_the_same_filters() {
    const ACCOUNT: &str = "555555555555";
    const REGION: &str = "eu-west-1";
    let server = moto();
    let findings: Vec<Value> = (0..250)
        .map(|n| {
            let mut f = s3_8_ocsf(ACCOUNT, REGION, &format!("d-{n}"), &format!("delta-{n}"));
            let modified = if n < 30 { "2026-10-01T00:00:00.000Z" } else { "2026-11-20T10:00:00.000Z" };
            f["finding_info"]["modified_time_dt"] = modified.into();
            if n % 10 == 0 {
                f["status_id"] = 4.into();
            }
            f
        })
        .collect();
    seed(server.port, &findings);
    let changed: BTreeSet<String> =
        findings[30..].iter().map(|f| f["metadata"]["uid"].as_str().unwrap().into()).collect();
    let (recorder, bodies) = v2_recorder(server.port);
    let endpoint = recorder.endpoint();
    let read = run(async move {
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let source = SourceId { account_id: ACCOUNT.into(), region: REGION.into() };
        let since = chrono::DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z").unwrap().to_utc();
        let (mut token, mut read) = (None, Vec::new());
        loop {
            let page = backend.findings.fetch_changed_page(&source, since, token).await.unwrap();
            assert!(page.problems.is_empty(), "{:?}", page.problems);
            read.extend(page.findings.iter().map(|f| (f.id.to_string(), f.is_open())));
            token = page.next_token;
            if token.is_none() {
                return read;
            }
        }
    });
    let ids: BTreeSet<String> = read.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(read.len(), 220, "every changed finding once");
    assert_eq!(ids, changed);
    assert_eq!(read.iter().filter(|(_, open)| !open).count(), 22, "resolved findings come back too");
    let bodies = bodies.lock().unwrap();
    assert_eq!(bodies.len(), 3, "three pages: {bodies:?}");
    assert!(bodies.iter().all(|b| b["Filters"] == bodies[0]["Filters"]), "the filters of page 1 on every page");
    let date = &bodies[0]["Filters"]["CompositeFilters"][0]["DateFilters"][0];
    assert_eq!(date["FieldName"], "finding_info.modified_time_dt", "{date}");
    assert_eq!(date["Filter"]["Start"], "2026-11-01T00:00:00.000Z", "{date}");
    let tokens: Vec<bool> = bodies.iter().map(|b| b.get("NextToken").is_some()).collect();
    assert_eq!(tokens, [false, true, true]);
}

/// A `workflow` action on an OCSF finding, in read-only mode or not; returns its outcome.
async fn mark_notified(
    endpoint: &str,
    finding: Arc<hubtriage::model::Finding>,
    read_only: bool,
) -> Result<String, String> {
    let account = finding.account_id.clone();
    let backend = sdk::backend(endpoint, &[&account], &[&finding.region]).await;
    let text = "[[actions]]\nname = \"mark-notified\"\nkind = \"workflow\"\nstatus = \"NOTIFIED\"\nnote = \"seen by the on-call\"\n";
    let config = Config::parse(text, std::path::Path::new("actions.toml")).unwrap();
    let triage = Arc::new(Triage { policy: config.policy().unwrap(), playbooks: Playbooks::new(&config.playbooks) });
    let settings = RemediatorSettings {
        read_only,
        exceptions: Default::default(),
        notify: Default::default(),
        remediation: RemediationConfig { verify_first_delay_ms: 10, ..Default::default() },
    };
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::open(&dir.path().join("audit.jsonl")).unwrap();
    let remediator = Remediator::new(&backend, triage, audit, Vec::new(), settings).unwrap();
    let runner = ActionRunner::new(config.actions, Some(remediator)).with_read_only(read_only);
    runner.run(1, "mark-notified", std::slice::from_ref(&finding), None).await
}

#[test]
fn read_only_mode_sends_no_batch_update_findings_v2_and_the_same_action_otherwise_does() {
    const ACCOUNT: &str = "666666666666";
    const REGION: &str = "eu-west-1";
    let server = moto();
    let json = s3_8_ocsf(ACCOUNT, REGION, "ht-v2-read-only", "read-only");
    seed(server.port, std::slice::from_ref(&json));
    let finding = Arc::new(read_one(&json));
    let ops: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
    let log = ops.clone();
    let recorder = proxy::start(
        server.port,
        Arc::new(move |req| {
            log.lock().unwrap().push(crate::support::wire::operation(req));
            None
        }),
    );
    let endpoint = recorder.endpoint();

    let (e, f) = (endpoint.clone(), finding.clone());
    let outcome = run(async move { mark_notified(&e, f, true).await });
    assert!(
        outcome.as_ref().is_err_and(|e| e.contains("read-only") && e.contains("BatchUpdateFindingsV2")),
        "{outcome:?}"
    );
    let sent = std::mem::take(&mut *ops.lock().unwrap());
    assert!(sent.iter().all(|(_, mutating)| !mutating), "mutating calls in read-only mode: {sent:?}");
    assert_eq!(read_back(server.port, ACCOUNT, REGION, ROLE)["meta-read-only"]["status_id"], 1);

    let outcome = run(async move { mark_notified(&endpoint, finding, false).await });
    assert!(outcome.is_ok(), "{outcome:?}");
    let sent = std::mem::take(&mut *ops.lock().unwrap());
    assert!(sent.contains(&("BatchUpdateFindingsV2".to_string(), true)), "the recorder sees the update: {sent:?}");
    let back = &read_back(server.port, ACCOUNT, REGION, ROLE)["meta-read-only"];
    assert_eq!((back["status_id"].as_i64(), back["comment"].as_str()), (Some(2), Some("seen by the on-call")));
}

#[test]
fn the_delegated_administrator_reads_the_organisation_as_one_source_and_findings_keep_their_accounts() {
    const HOME: &str = "ap-southeast-2";
    let server = moto();
    seed(server.port, &[s3_8_ocsf(sdk::BASE_ACCOUNT, HOME, "ht-admin", "org-admin")]);
    let members = [("777777777771", "eu-west-1"), ("777777777772", "us-east-2")];
    for (account, region) in members {
        seed(server.port, &[s3_8_ocsf(account, region, &format!("ht-{account}"), &format!("org-{account}"))]);
    }
    let (recorder, bodies) = v2_recorder(server.port);
    let endpoint = recorder.endpoint();
    let findings = run(async move {
        let settings = AwsSettings {
            aggregator_region: Some(HOME.into()),
            organization_scope: vec!["o-abcd1234567890".into()],
            ..AwsSettings::default()
        };
        let (backend, _) = hubtriage::cloud::aws::connect_with(sdk::base_config(&endpoint), &settings).await.unwrap();
        let sources = backend.findings.sources();
        assert_eq!(sources, [SourceId { account_id: sdk::BASE_ACCOUNT.into(), region: HOME.into() }]);
        let (mut token, mut findings) = (None, Vec::new());
        loop {
            let page = backend.findings.fetch_page(&sources[0], token).await.unwrap();
            findings.extend(page.findings);
            token = page.next_token;
            if token.is_none() {
                return findings;
            }
        }
    });
    for (account, region) in members {
        let f = findings.iter().find(|f| *f.id == *format!("meta-org-{account}")).expect("the member's finding");
        assert_eq!((&*f.account_id, &*f.region), (account, region), "its own account and region");
    }
    let bodies = bodies.lock().unwrap();
    assert!(!bodies.is_empty());
    for body in bodies.iter() {
        assert_eq!(body["Scopes"]["AwsOrganizations"], serde_json::json!([{"OrganizationId": "o-abcd1234567890"}]));
    }
}
