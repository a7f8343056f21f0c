//! `workflow`, `ssm-automation` and `sns` against the simulated organisation; read-only and offline refusals; the
//! audit record of every run; `start` streaming output then the outcome.

use super::{actions, drain, finding, session, sim_backend};
use hubtriage::actions::{ActionRunner, Polling};
use hubtriage::cloud::sim::SimOrg;
use hubtriage::cloud::SourceId;
use hubtriage::engine::audit::{AuditEvent, AuditLog, AuditResult};
use hubtriage::engine::Msg;
use hubtriage::model::{Finding, WorkflowStatus};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::unbounded_channel;

const STAGING: &str = "345678901234";

fn org() -> Arc<SimOrg> {
    Arc::new(SimOrg::new(11, chrono::Utc::now()))
}

/// The open findings of the staging account in eu-west-1, with and without a control.
fn open_findings(org: &SimOrg) -> Vec<Arc<Finding>> {
    let source = SourceId { account_id: STAGING.into(), region: "eu-west-1".into() };
    org.findings(&source, false).into_iter().map(Arc::new).collect()
}

fn fast() -> Polling {
    Polling {
        first_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        total: Duration::from_secs(5),
    }
}

const ACTIONS: &str = r#"
[[actions]]
name = "notified"
kind = "workflow"
status = "NOTIFIED"
note = "paged the owner of {resource_id}"

[[actions]]
name = "runbook"
kind = "ssm-automation"
document = "AWS-DisablePublicAccessForSecurityGroup"
dangerous = true
scope = { resource_types = ["AwsEc2SecurityGroup"] }
[actions.parameters]
GroupId = ["{resource_id}"]
Note = ["{title}", "literal {{braces}}"]

[[actions]]
name = "failing runbook"
kind = "ssm-automation"
document = "FailingDocument"

[[actions]]
name = "page"
kind = "sns"
topic_arn = "arn:aws:sns:us-east-1:210987654321:oncall"

[[actions]]
name = "touch"
kind = "command"
dangerous = true
argv = ["touch", "/nonexistent-dir/never"]
"#;

#[tokio::test]
async fn workflow_sets_the_status_with_the_templated_note_at_most_100_per_call() {
    let org = org();
    let s = session(&sim_backend(&org, None), false);
    let runner = ActionRunner::new(actions(ACTIONS), Some(s.remediator.clone()));
    let mut findings = open_findings(&org);
    assert!(findings.len() > 1);
    // One finding Security Hub does not know: it must come back as not processed.
    let mut ghost = (*findings[0]).clone();
    ghost.id = "ghost-finding".into();
    findings.push(Arc::new(ghost));
    let (tx, mut rx) = unbounded_channel();
    let outcome = runner.run(4, "notified", &findings, Some(&tx)).await;
    let err = outcome.unwrap_err();
    assert!(err.contains("ghost-finding: FindingNotFound"), "the unprocessed id is reported: {err}");

    let calls = org.finding_updates();
    assert!(!calls.is_empty());
    let mut updated = 0;
    for (account, region, update) in &calls {
        assert_eq!((account.as_str(), region.as_str()), (STAGING, "eu-west-1"));
        assert!(update.findings.len() <= 100);
        assert_eq!(update.status, WorkflowStatus::Notified);
        assert!(update.note.starts_with("paged the owner of "), "{}", update.note);
        assert_eq!(update.updated_by, "tester");
        updated += update.findings.len();
    }
    assert_eq!(updated, findings.len());
    let lines = drain(&mut rx);
    assert!(lines.iter().any(|l| l.contains("not processed: ghost-finding")), "{lines:#?}");

    let records = AuditLog::read(&s.audit_path).unwrap().records;
    let record = records.iter().find(|r| r.event == AuditEvent::Action).expect("audited");
    assert_eq!(record.result, AuditResult::Failed);
    assert_eq!(record.findings.len(), findings.len());
    assert!(record.message.contains("action 'notified' (workflow)"), "{}", record.message);
}

#[tokio::test]
async fn ssm_automation_starts_the_document_with_rendered_parameters_and_follows_it() {
    let org = org();
    let s = session(&sim_backend(&org, None), false);
    let runner = ActionRunner::new(actions(ACTIONS), Some(s.remediator.clone())).with_polling(fast());
    let group = open_findings(&org)
        .into_iter()
        .find(|f| f.primary_resource().is_some_and(|r| &*r.kind == "AwsEc2SecurityGroup"))
        .expect("a security group finding");
    let (tx, mut rx) = unbounded_channel();
    let summary = runner.run(5, "runbook", std::slice::from_ref(&group), Some(&tx)).await.unwrap();
    assert!(summary.contains("ended Success"), "{summary}");

    let executions = org.automations();
    assert_eq!(executions.len(), 1);
    let e = &executions[0];
    assert_eq!((e.account_id.as_str(), e.region.as_str()), (&*group.account_id, &*group.region));
    assert_eq!(e.document, "AWS-DisablePublicAccessForSecurityGroup");
    let sg = group.primary_resource().unwrap().short_id().to_string();
    assert!(sg.starts_with("sg-"), "{sg}");
    assert_eq!(e.parameters["GroupId"], [sg]);
    assert_eq!(e.parameters["Note"][1], "literal {braces}");
    assert!(summary.contains(&e.id), "the execution id is named: {summary}");

    let lines = drain(&mut rx);
    let statuses: Vec<&String> = lines.iter().filter(|l| l.starts_with("execution ")).collect();
    assert_eq!(statuses.len(), 2, "each status change once: {lines:#?}");
    assert!(statuses[0].ends_with("InProgress") && statuses[1].ends_with("Success"), "{statuses:?}");

    let out = runner.run(6, "failing runbook", std::slice::from_ref(&group), None).await.unwrap_err();
    assert!(out.contains("ended Failed") && out.contains("FailingDocument failed"), "{out}");
    let out = runner.run(7, "runbook", &[finding("not in the organisation")], None).await.unwrap_err();
    assert!(out.contains("AccessDenied") || out.contains("not authorized"), "{out}");
}

#[tokio::test]
async fn read_only_hides_and_refuses_dangerous_actions_and_the_wrappers_stop_the_rest() {
    let org = org();
    let s = session(&sim_backend(&org, None), true);
    let runner = ActionRunner::new(actions(ACTIONS), Some(s.remediator.clone())).with_polling(fast());
    let group = open_findings(&org)
        .into_iter()
        .find(|f| f.primary_resource().is_some_and(|r| &*r.kind == "AwsEc2SecurityGroup"))
        .unwrap();
    let offered: Vec<&str> = runner.offered(&group, false).iter().map(|a| a.name.as_str()).collect();
    assert_eq!(offered, ["notified", "failing runbook", "page"], "dangerous actions are hidden");
    let writable = ActionRunner::new(actions(ACTIONS), None);
    let offered: Vec<&str> = writable.offered(&group, true).iter().map(|a| a.name.as_str()).collect();
    assert!(!offered.contains(&"touch"), "hidden when the caller says read-only: {offered:?}");

    for name in ["runbook", "touch"] {
        let err = runner.run(1, name, std::slice::from_ref(&group), None).await.unwrap_err();
        assert!(err.starts_with("read-only mode") && err.contains("not run"), "{name}: {err}");
    }
    let err = runner.run(2, "page", std::slice::from_ref(&group), None).await.unwrap_err();
    assert!(err.contains("read-only mode: sns:Publish"), "{err}");
    let err = runner.run(3, "notified", std::slice::from_ref(&group), None).await.unwrap_err();
    assert!(err.contains("read-only mode: BatchUpdateFindings"), "{err}");
    let err = runner.run(3, "failing runbook", std::slice::from_ref(&group), None).await.unwrap_err();
    assert!(err.contains("read-only mode: ssm:StartAutomationExecution"), "{err}");
    assert!(org.notifications().is_empty() && org.finding_updates().is_empty() && org.automations().is_empty());

    let records = AuditLog::read(&s.audit_path).unwrap().records;
    let refused = records.iter().filter(|r| r.event == AuditEvent::Action && r.result == AuditResult::Refused);
    assert_eq!(refused.count(), 2);

    let offline = ActionRunner::new(actions(ACTIONS), None).with_read_only(true);
    assert!(offline.run(1, "touch", &[finding("t")], None).await.unwrap_err().starts_with("read-only mode"));
}

#[tokio::test]
async fn offline_only_commands_are_offered_and_run() {
    let runner = ActionRunner::new(actions(ACTIONS), None);
    let f = finding("t");
    let offered: Vec<&str> = runner.offered(&f, false).iter().map(|a| a.name.as_str()).collect();
    assert_eq!(offered, ["touch"]);
    let err = runner.run(1, "page", &[f], None).await.unwrap_err();
    assert!(err.contains("needs live access"), "{err}");
}

#[tokio::test]
async fn start_streams_output_then_the_outcome_and_sns_reaches_the_topic() {
    let org = org();
    let s = session(&sim_backend(&org, None), false);
    let runner = Arc::new(ActionRunner::new(actions(ACTIONS), Some(s.remediator.clone())));
    let findings = open_findings(&org).into_iter().take(2).collect::<Vec<_>>();
    let (tx, mut rx) = unbounded_channel();
    runner.start(9, "page", findings.clone(), tx);
    let mut seen = Vec::new();
    while let Some(msg) = rx.recv().await {
        match msg {
            Msg::ActionOutput { run, text } => seen.push((run, text)),
            Msg::ActionDone { run, outcome } => {
                assert_eq!(run, 9);
                assert_eq!(
                    outcome.as_deref(),
                    Ok("published 2 finding(s) to arn:aws:sns:us-east-1:210987654321:oncall")
                );
                break;
            }
            _ => {}
        }
    }
    assert!(seen.iter().all(|(run, _)| *run == 9) && seen.len() >= 3, "{seen:#?}");
    let published = org.notifications();
    assert_eq!(published.len(), 2);
    let (topic, n) = &published[0];
    assert_eq!(topic, "arn:aws:sns:us-east-1:210987654321:oncall");
    assert_eq!(n.body["finding"], &*findings[0].id);
    assert!(n.body.get("verdict").is_none());
}
