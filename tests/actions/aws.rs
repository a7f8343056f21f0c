//! The AWS side of custom actions. `ssm-automation` through the real SDK with `aws-smithy-mocks`, because moto 5.2.5
//! does not implement StartAutomationExecution (it answers HTTP 500 "The start_automation_execution action has not
//! been implemented"); `sns` on moto, read back through an SQS subscription.

use super::{actions, finding_in, session, sim_backend};
use crate::support::moto::moto;
use crate::support::queue::{received, topic_with_queue};
use crate::support::sdk::{self, run};
use async_trait::async_trait;
use aws_sdk_ssm::operation::get_automation_execution::GetAutomationExecutionOutput;
use aws_sdk_ssm::operation::start_automation_execution::{
    StartAutomationExecutionInput, StartAutomationExecutionOutput,
};
use aws_sdk_ssm::types::{AutomationExecution, AutomationExecutionStatus};
use aws_sdk_ssm::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use hubtriage::actions::{ActionRunner, Polling};
use hubtriage::cloud::aws::automation::{automation_status_with, start_automation_with};
use hubtriage::cloud::sim::SimOrg;
use hubtriage::cloud::{Automation, AutomationStatus, CloudError};
use hubtriage::engine::audit::{AuditEvent, AuditLog, AuditResult};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The adapter's SDK calls on a mocked client, as the Automation port.
struct Mocked(Client);

#[async_trait]
impl Automation for Mocked {
    async fn start_automation(
        &self,
        account_id: &str,
        region: &str,
        document: &str,
        parameters: &BTreeMap<String, Vec<String>>,
    ) -> Result<String, CloudError> {
        start_automation_with(
            &self.0,
            document,
            parameters,
            &format!("StartAutomationExecution in {account_id}/{region}"),
        )
        .await
    }

    async fn automation_status(
        &self,
        account_id: &str,
        region: &str,
        id: &str,
    ) -> Result<AutomationStatus, CloudError> {
        automation_status_with(&self.0, id, &format!("GetAutomationExecution in {account_id}/{region}")).await
    }
}

fn execution(status: AutomationExecutionStatus, failure: Option<&str>) -> GetAutomationExecutionOutput {
    let mut e = AutomationExecution::builder().automation_execution_id("exec-42").automation_execution_status(status);
    if let Some(f) = failure {
        e = e.failure_message(f);
    }
    GetAutomationExecutionOutput::builder().automation_execution(e.build()).build()
}

#[tokio::test]
async fn ssm_automation_sends_the_document_and_parameters_and_follows_the_status() {
    let seen: Arc<Mutex<Vec<StartAutomationExecutionInput>>> = Arc::default();
    let record = seen.clone();
    let start = mock!(Client::start_automation_execution)
        .match_requests(move |req| {
            record.lock().unwrap().push(req.clone());
            true
        })
        .then_output(|| StartAutomationExecutionOutput::builder().automation_execution_id("exec-42").build());
    let status = mock!(Client::get_automation_execution)
        .sequence()
        .output(|| execution(AutomationExecutionStatus::Pending, None))
        .output(|| execution(AutomationExecutionStatus::Inprogress, None))
        .times(2)
        .output(|| execution(AutomationExecutionStatus::Success, None))
        .build();
    let client = mock_client!(aws_sdk_ssm, RuleMode::MatchAny, [&start, &status]);

    let org = Arc::new(SimOrg::new(5, chrono::Utc::now()));
    let s = session(&sim_backend(&org, Some(Arc::new(Mocked(client)))), false);
    let toml = "[[actions]]\nname = \"runbook\"\nkind = \"ssm-automation\"\n\
                document = \"AWS-DisablePublicAccessForSecurityGroup\"\n[actions.parameters]\n\
                GroupId = [\"{resource_id}\"]\nAutomationAssumeRole = [\"arn:aws:iam::{account}:role/Ssm\"]\n";
    let polling = Polling {
        first_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        total: Duration::from_secs(5),
    };
    let runner = ActionRunner::new(actions(toml), Some(s.remediator.clone())).with_polling(polling);
    let finding = finding_in("111111111111", "eu-west-1", "$(reboot) `x`");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let summary = runner.run(1, "runbook", &[finding], Some(&tx)).await.unwrap();
    assert_eq!(
        summary,
        "execution exec-42 of AWS-DisablePublicAccessForSecurityGroup in 111111111111/eu-west-1 ended Success"
    );

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "started once");
    assert_eq!(seen[0].document_name(), Some("AWS-DisablePublicAccessForSecurityGroup"));
    let params = seen[0].parameters().unwrap();
    assert_eq!(params["GroupId"], ["sg-0123456789abcdef0"]);
    assert_eq!(params["AutomationAssumeRole"], ["arn:aws:iam::111111111111:role/Ssm"]);
    assert_eq!(params.len(), 2);

    let lines = super::drain(&mut rx);
    let changes: Vec<&str> = lines.iter().filter_map(|l| l.strip_prefix("execution exec-42: ")).collect();
    assert_eq!(changes, ["Pending", "InProgress", "Success"], "every status change once: {lines:#?}");
    let records = AuditLog::read(&s.audit_path).unwrap().records;
    let r = records.iter().find(|r| r.event == AuditEvent::Action).unwrap();
    assert_eq!(r.result, AuditResult::Ok);
    assert!(r.message.contains("exec-42"), "{}", r.message);
}

#[tokio::test]
async fn ssm_failures_and_errors_are_reported_with_where_they_happened() {
    let failed = mock!(Client::get_automation_execution).then_output(|| {
        execution(AutomationExecutionStatus::Failed, Some("Step fails when it is verifying\u{1b}[31m"))
    });
    let client = mock_client!(aws_sdk_ssm, [&failed]);
    let status = automation_status_with(&client, "exec-1", "GetAutomationExecution in 1/r").await.unwrap();
    assert_eq!(
        status,
        AutomationStatus {
            status: "Failed".into(),
            done: true,
            detail: Some("Step fails when it is verifying".into())
        }
    );

    let missing = mock!(Client::start_automation_execution).then_http_response(|| {
        let body = r#"{"__type":"AutomationDefinitionNotFoundException","message":"Document AWS-Nope not found"}"#;
        let mut resp = HttpResponse::new(StatusCode::try_from(400).unwrap(), SdkBody::from(body));
        resp.headers_mut().insert("content-type", "application/x-amz-json-1.1");
        resp
    });
    let client = mock_client!(aws_sdk_ssm, [&missing]);
    let context = "ssm:StartAutomationExecution of AWS-Nope in 111111111111/eu-west-1";
    let err = start_automation_with(&client, "AWS-Nope", &BTreeMap::new(), context).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains(context) && text.contains("AutomationDefinitionNotFoundException"), "{text}");
}

#[test]
fn sns_publishes_a_summary_and_the_finding_json_read_back_from_sqs_on_moto() {
    const ACCOUNT: &str = "222222222222";
    const REGION: &str = "eu-west-1";
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let (topic, queue) = topic_with_queue(&sdk::base_config(&endpoint), "hubtriage-actions").await;
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let s = session(&backend, false);
        let toml = format!(
            "[[actions]]\nname = \"page\"\nkind = \"sns\"\ntopic_arn = \"{topic}\"\n\
             [[actions]]\nname = \"forward\"\nkind = \"sns\"\ntopic_arn = \"{topic}\"\nformat = \"json\"\n"
        );
        let runner = ActionRunner::new(actions(&toml), Some(s.remediator.clone()));
        let finding = finding_in(ACCOUNT, REGION, "Security groups should not allow unrestricted access; $(id)");
        let done = runner.run(1, "page", std::slice::from_ref(&finding), None).await;
        assert_eq!(done, Ok(format!("published 1 finding(s) to {topic}")));
        runner.run(2, "forward", std::slice::from_ref(&finding), None).await.unwrap();

        let messages = received(&sdk::base_config(&endpoint), &queue, 2).await;
        assert_eq!(messages.len(), 2, "{messages:#?}");
        let subject = messages[0]["Subject"].as_str().unwrap();
        assert!(subject.starts_with("[CRITICAL] EC2.19 sg-0123456789abcdef0: Security groups"), "{subject}");
        let summary: serde_json::Value = serde_json::from_str(messages[0]["Message"].as_str().unwrap()).unwrap();
        assert_eq!(summary["finding"], &*finding.id);
        assert_eq!(summary["account"], ACCOUNT);
        assert_eq!(summary["control"], "EC2.19");
        assert_eq!(summary["title"], "Security groups should not allow unrestricted access; $(id)");
        assert_eq!(messages[0]["MessageAttributes"]["event"]["Value"], "action");
        let json: serde_json::Value = serde_json::from_str(messages[1]["Message"].as_str().unwrap()).unwrap();
        assert_eq!(json["Id"], &*finding.id);
        assert_eq!(json["Resources"][0]["Type"], "AwsEc2SecurityGroup");

        let records = AuditLog::read(&s.audit_path).unwrap().records;
        let actions: Vec<AuditResult> =
            records.iter().filter(|r| r.event == AuditEvent::Action).map(|r| r.result).collect();
        assert_eq!(actions, [AuditResult::Ok, AuditResult::Ok]);
    });
}
