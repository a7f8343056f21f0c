//! Read-only proof: every request the SDK sends goes through a recording proxy in front of moto, and a whole scripted
//! session in read-only mode — browse the findings, read live plans, try to apply, try an exception, try every kind
//! of custom action — sends no mutating operation. The same session outside read-only mode does (the test can fail).
#![allow(clippy::unwrap_used)]

mod support;

use hubtriage::actions::{ActionConfig, ActionRunner};
use hubtriage::cloud::SourceId;
use hubtriage::config::{Config, NotifyConfig, RemediationConfig};
use hubtriage::engine::audit::AuditLog;
use hubtriage::engine::exceptions::{ExceptionInput, ExceptionOp};
use hubtriage::engine::jobs::{ApplyRequest, JobState};
use hubtriage::engine::remediate::{Remediator, RemediatorSettings};
use hubtriage::playbook::{Playbooks, PublicAccessBlock};
use hubtriage::triage::Triage;
use std::sync::{Arc, Mutex};
use support::moto::moto;
use support::sdk::{self, run};

const ACCOUNT: &str = "222222222222";
const REGION: &str = "eu-west-1";

/// Custom actions of every kind, all of them dangerous.
fn actions() -> Vec<ActionConfig> {
    let text = r#"
[[actions]]
name = "notify"
dangerous = true
kind = "sns"
topic_arn = "arn:aws:sns:eu-west-1:123456789012:hubtriage-read-only"

[[actions]]
name = "mark-notified"
dangerous = true
kind = "workflow"
status = "NOTIFIED"
note = "seen"

[[actions]]
name = "runbook"
dangerous = true
kind = "ssm-automation"
document = "AWS-DisableS3BucketPublicReadWrite"
parameters = { S3BucketName = ["{resource_id}"] }
"#;
    Config::parse(text, std::path::Path::new("actions.toml")).unwrap().actions
}

/// Runs the scripted session against `endpoint`; returns the state the apply attempt ended in.
async fn session(endpoint: &str, bucket: &str, read_only: bool) -> JobState {
    let backend = sdk::backend(endpoint, &[ACCOUNT], &[REGION]).await;
    let config = Config::default();
    let triage = Arc::new(Triage { policy: config.policy().unwrap(), playbooks: Playbooks::new(&config.playbooks) });
    let dir = tempfile::tempdir().unwrap();
    let settings = RemediatorSettings {
        read_only,
        exceptions: Default::default(),
        notify: NotifyConfig {
            topic_arn: Some("arn:aws:sns:eu-west-1:123456789012:hubtriage-read-only".into()),
            ..Default::default()
        },
        remediation: RemediationConfig { verify_first_delay_ms: 10, ..Default::default() },
    };
    let audit = AuditLog::open(&dir.path().join("audit.jsonl")).unwrap();
    let remediator = Remediator::new(&backend, triage, audit, Vec::new(), settings).unwrap();

    // Browse: a page of findings and the live plan of a finding.
    let source = SourceId { account_id: ACCOUNT.into(), region: REGION.into() };
    backend.findings.fetch_page(&source, None).await.unwrap();
    let finding = Arc::new(support::asff::read_one(&support::asff::s3_8_asff(ACCOUNT, REGION, bucket, bucket)));
    let preview = remediator.assess_all(vec![finding.clone()]).await;
    let plan = preview[0].result.as_ref().unwrap().plan.plan().cloned().expect("a live plan");

    // Try to apply, to add an exception, and every action.
    let request =
        ApplyRequest { findings: vec![finding.clone()], control_id: "S3.8".into(), approved: Some(plan), origin: None };
    let applied = remediator.run_apply(1, request, None).await;
    let input = ExceptionInput {
        account_id: ACCOUNT.into(),
        region: REGION.into(),
        resource: finding.primary_resource().unwrap().clone(),
        reason: "read-only proof".into(),
        expires: "10d".into(),
        owner: String::new(),
        controls: String::new(),
    };
    remediator.run_exception(2, ExceptionOp::Add(input), None).await;
    let runner = ActionRunner::new(actions(), Some(remediator.clone())).with_read_only(read_only);
    for action in ["notify", "mark-notified", "runbook"] {
        let _ = runner.run(3, action, std::slice::from_ref(&finding), None).await;
    }
    applied
}

#[test]
fn a_read_only_session_sends_no_mutating_operation_and_a_normal_one_does() {
    let server = moto();
    let recorded: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
    let log = recorded.clone();
    let proxy = support::proxy::start(
        server.port,
        Arc::new(move |req| {
            log.lock().unwrap().push(support::wire::operation(req));
            None
        }),
    );
    let endpoint = proxy.endpoint();
    let moto_endpoint = server.endpoint();
    run(async move {
        let s3 = sdk::s3(&sdk::assumed_config(&moto_endpoint, ACCOUNT).await, REGION);
        for bucket in ["ht-read-only-a", "ht-read-only-b"] {
            support::s3::create_bucket(&s3, bucket, REGION).await;
            support::s3::put_public_access_block(&s3, bucket, PublicAccessBlock::default()).await;
        }

        let state = session(&endpoint, "ht-read-only-a", true).await;
        assert!(matches!(&state, JobState::Refused(why) if why.contains("read-only")), "{state:?}");
        let read_only_ops = std::mem::take(&mut *recorded.lock().unwrap());
        let mutating: Vec<&String> = read_only_ops.iter().filter(|(_, m)| *m).map(|(op, _)| op).collect();
        assert!(mutating.is_empty(), "mutating operations in read-only mode: {mutating:?}");
        let names: Vec<&str> = read_only_ops.iter().map(|(op, _)| op.as_str()).collect();
        assert!(names.contains(&"GetFindings") && names.contains(&"AssumeRole"), "the session ran: {names:?}");
        assert!(names.iter().any(|n| n.starts_with("GET /ht-read-only-a")), "live reads happened: {names:?}");

        let state = session(&endpoint, "ht-read-only-b", false).await;
        assert!(!matches!(state, JobState::Refused(_)), "{state:?}");
        let normal_ops = std::mem::take(&mut *recorded.lock().unwrap());
        let mutating: Vec<&String> = normal_ops.iter().filter(|(_, m)| *m).map(|(op, _)| op).collect();
        assert!(
            mutating.iter().any(|op| op.starts_with("PUT /ht-read-only-b")),
            "the recorder sees writes: {mutating:?}"
        );
    });
}
