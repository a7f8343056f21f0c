//! The whole remediation flow on the AWS adapter against moto: a finding in an assumed account, its live plan
//! approved, applied, verified by re-reading, notified over SNS (read back from a subscribed SQS queue), audited,
//! and rolled back. moto lacks BatchUpdateFindings, so the flow must say clearly that the finding update failed
//! while the verified fix stands (the request itself is checked with aws-smithy-mocks in aws_mock.rs).
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
fn finding() -> Arc<hubtriage::model::Finding> {
    let mut asff = s3_8_asff(ACCOUNT, REGION, BUCKET, "flow-1");
    asff["FirstObservedAt"] = json!("2026-11-01T10:00:00Z");
    Arc::new(read_one(&asff))
}

#[test]
fn approved_fix_is_applied_verified_notified_audited_and_rolled_back_on_moto() {
    let server = moto();
    let endpoint = server.endpoint();
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
        let request = ApplyRequest { findings: vec![finding], control_id: "S3.8".into(), approved: Some(plan) };
        let state = remediator.run_apply(1, request, None).await;

        let JobState::ResolveFailed(why) = &state else { panic!("expected a verified fix, got {state:?}") };
        assert!(why.contains("not implemented"), "the missing BatchUpdateFindings is named: {why}");
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
                (AuditEvent::FindingUpdate, AuditResult::Failed),
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
    });
}
