//! The whole remediation flow on the AWS adapter against moto: a finding in an assumed account, its live plan
//! approved, applied, verified by re-reading, notified over SNS (read back from a subscribed SQS queue), audited,
//! and rolled back; the finding, imported into Security Hub, reads back RESOLVED with hubtriage's note through
//! GetFindings after the fix and NEW after the rollback (the emulator's BatchUpdateFindings, tests/emulator).
#![allow(clippy::unwrap_used)]

mod support;

use hubtriage::config::{Config, NotifyConfig, RemediationConfig};
use hubtriage::engine::audit::{AuditEvent, AuditLog, AuditResult};
use hubtriage::engine::jobs::{ApplyRequest, JobState};
use hubtriage::engine::remediate::{Remediator, RemediatorSettings};
use hubtriage::playbook::{Playbooks, PublicAccessBlock};
use hubtriage::triage::Triage;
use serde_json::json;
use std::sync::Arc;
use support::asff::{read_one, s3_8_asff};
use support::moto::moto;
use support::queue::{received, topic_with_queue};
use support::s3::{new_bucket, put_public_access_block};
use support::sdk::{self, run};

const ACCOUNT: &str = "222222222222";
const REGION: &str = "eu-west-1";
const BUCKET: &str = "ht-flow-public-logs";

/// An S3.8 finding on the bucket, as Security Hub writes it, first observed when it was created.
fn finding_json() -> serde_json::Value {
    let mut asff = s3_8_asff(ACCOUNT, REGION, BUCKET, "flow-1");
    asff["FirstObservedAt"] = json!("2026-11-01T10:00:00Z");
    asff
}

fn finding() -> Arc<hubtriage::model::Finding> {
    Arc::new(read_one(&finding_json()))
}

/// The finding's workflow status and note text, as GetFindings returns it in its account.
fn read_back(port: u16) -> (String, String) {
    let keys = support::seed::assume(port, ACCOUNT, "HubtriageTest");
    let r =
        support::http::aws_call(port, &keys, ("securityhub", REGION), "POST", "/findings", "application/json", b"{}");
    assert_eq!(r.status, 200, "{}", r.body);
    let answer: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let id = finding_json()["Id"].clone();
    let f = answer["Findings"].as_array().unwrap().iter().find(|f| f["Id"] == id).expect("the imported finding");
    (f["Workflow"]["Status"].as_str().unwrap_or("").into(), f["Note"]["Text"].as_str().unwrap_or("").into())
}

#[test]
fn approved_fix_is_applied_verified_notified_audited_and_rolled_back_on_moto() {
    let server = moto();
    let endpoint = server.endpoint();
    let port = server.port;
    support::seed::import_findings(port, "HubtriageTest", ACCOUNT, REGION, &[finding_json()]);
    run(async move {
        let s3 = new_bucket(&endpoint, ACCOUNT, REGION, BUCKET).await;
        let partial = PublicAccessBlock { block_public_acls: true, ..Default::default() };
        put_public_access_block(&s3, BUCKET, partial).await;
        let (topic, queue) = topic_with_queue(&sdk::base_config(&endpoint), "hubtriage-flow").await;

        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let config = Config::default();
        let triage =
            Arc::new(Triage { policy: config.policy().unwrap(), playbooks: Playbooks::new(&config.playbooks) });
        let dir = tempfile::tempdir().unwrap();
        let audit_path = dir.path().join("audit.jsonl");
        let settings = RemediatorSettings {
            read_only: false,
            exceptions: Default::default(),
            notify: NotifyConfig { topic_arn: Some(topic.clone()), ..Default::default() },
            remediation: RemediationConfig { verify_first_delay_ms: 10, ..Default::default() },
        };
        let remediator =
            Remediator::new(&backend, triage, AuditLog::open(&audit_path).unwrap(), Vec::new(), settings).unwrap();

        let finding = finding();
        let preview = remediator.assess_all(vec![finding.clone()]).await;
        let plan = preview[0].result.as_ref().unwrap().plan.plan().cloned().expect("a live plan");
        let request =
            ApplyRequest { findings: vec![finding], control_id: "S3.8".into(), approved: Some(plan), origin: None };
        let state = remediator.run_apply(1, request, None).await;

        assert_eq!(state, JobState::Resolved, "fixed, verified and the finding resolved");
        let (status, note) = tokio::task::spawn_blocking(move || read_back(port)).await.unwrap();
        assert_eq!(status, "RESOLVED");
        assert!(note.contains("hubtriage"), "the note says who resolved it: {note}");
        let pab = s3.get_public_access_block().bucket(BUCKET).send().await.unwrap();
        let c = pab.public_access_block_configuration().unwrap();
        assert_eq!(
            (c.block_public_acls(), c.ignore_public_acls(), c.block_public_policy(), c.restrict_public_buckets()),
            (Some(true), Some(true), Some(true), Some(true))
        );
        let events: Vec<(AuditEvent, AuditResult)> =
            AuditLog::read(&audit_path).unwrap().records.iter().map(|r| (r.event, r.result)).collect();
        assert_eq!(
            events,
            [
                (AuditEvent::ApplyIntent, AuditResult::Pending),
                (AuditEvent::ApplyOutcome, AuditResult::Ok),
                (AuditEvent::Verification, AuditResult::Verified),
                (AuditEvent::FindingUpdate, AuditResult::Ok),
            ]
        );
        let notes = received(&sdk::base_config(&endpoint), &queue, 2).await;
        let events: Vec<String> = notes
            .iter()
            .map(|m| {
                serde_json::from_str::<serde_json::Value>(m["Message"].as_str().unwrap()).unwrap()["event"].to_string()
            })
            .collect();
        assert_eq!(events, ["\"applied\"", "\"verified\""]);
        assert!(notes[0]["Subject"].as_str().unwrap().contains(BUCKET));

        let job = AuditLog::read(&audit_path).unwrap().records[0].job.clone().unwrap();
        assert_eq!(remediator.run_rollback(2, &job, None).await, JobState::RolledBack);
        let c = s3.get_public_access_block().bucket(BUCKET).send().await.unwrap();
        let c = c.public_access_block_configuration().unwrap();
        assert_eq!((c.block_public_acls(), c.ignore_public_acls()), (Some(true), Some(false)), "partial again");
        let (status, _) = tokio::task::spawn_blocking(move || read_back(port)).await.unwrap();
        assert_eq!(status, "NEW", "the rollback reopened the finding");
    });
}
