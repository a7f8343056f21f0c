//! Custom actions end to end: commands get placeholders as plain text inside single arguments (no shell ever runs),
//! the finding on stdin and `HUBTRIAGE_*` variables, and are stopped with everything they started at their timeout,
//! when their run is dropped and when hubtriage quits; bad templates are config errors
//! naming the action; `workflow` and `ssm-automation` run against the simulated organisation; `ssm-automation`'s SDK
//! calls are checked with `aws-smithy-mocks` (moto 5.2.5 does not implement StartAutomationExecution: it answers
//! HTTP 500 "not implemented"); `sns` is read back through an SQS subscription on moto; read-only mode hides and
//! refuses dangerous actions.
#![allow(clippy::unwrap_used)]

mod support;

#[path = "actions/aws.rs"]
mod aws;
#[path = "actions/cloud.rs"]
mod cloud;
#[path = "actions/command.rs"]
mod command;
#[path = "actions/config.rs"]
mod config;
#[path = "actions/process_group.rs"]
mod process_group;

use hubtriage::actions::{ActionConfig, ActionRunner};
use hubtriage::cloud::sim::SimOrg;
use hubtriage::cloud::{Automation, Backend};
use hubtriage::config::Config;
use hubtriage::engine::audit::AuditLog;
use hubtriage::engine::remediate::{Remediator, RemediatorSettings};
use hubtriage::engine::Msg;
use hubtriage::model::asff::read_value;
use hubtriage::model::Finding;
use hubtriage::playbook::Playbooks;
use hubtriage::triage::Triage;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

/// A security group finding in `account`/`region` whose title is `title`.
pub fn finding_in(account: &str, region: &str, title: &str) -> Arc<Finding> {
    let asff = json!({
        "SchemaVersion": "2018-10-08",
        "Id": format!("arn:aws:securityhub:{region}:{account}:security-control/EC2.19/finding/f-1"),
        "ProductArn": format!("arn:aws:securityhub:{region}::product/aws/securityhub"),
        "GeneratorId": "security-control/EC2.19",
        "AwsAccountId": account,
        "Region": region,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "CreatedAt": "2026-11-01T10:00:00Z",
        "UpdatedAt": "2026-11-20T10:00:00Z",
        "Severity": {"Label": "CRITICAL"},
        "Title": title,
        "Description": "Security groups should not allow unrestricted access to ports with high risk",
        "Compliance": {"Status": "FAILED", "SecurityControlId": "EC2.19"},
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "Resources": [{
            "Type": "AwsEc2SecurityGroup",
            "Id": format!("arn:aws:ec2:{region}:{account}:security-group/sg-0123456789abcdef0"),
            "Region": region
        }]
    });
    let outcome = read_value(&asff);
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    Arc::new(outcome.findings.into_iter().next().unwrap())
}

/// A finding in a fixed place.
pub fn finding(title: &str) -> Arc<Finding> {
    finding_in("111111111111", "eu-west-1", title)
}

/// Actions parsed from `[[actions]]` TOML through the real config loader (so they pass its validation).
pub fn actions(toml: &str) -> Vec<ActionConfig> {
    Config::parse(toml, Path::new("test.toml")).unwrap_or_else(|e| panic!("{e}")).actions
}

/// Everything streamed for a run: the output lines (the `ActionDone` outcome, when `start` was used, is last).
pub fn drain(rx: &mut UnboundedReceiver<Msg>) -> Vec<String> {
    let mut lines = Vec::new();
    while let Ok(msg) = rx.try_recv() {
        match msg {
            Msg::ActionOutput { text, .. } => lines.push(text),
            Msg::ActionDone { outcome, .. } => lines.push(format!("DONE {outcome:?}")),
            _ => {}
        }
    }
    lines
}

/// Runs an action offline (no remediator) and returns its outcome and output.
pub async fn run_offline(
    actions: Vec<ActionConfig>,
    name: &str,
    findings: &[Arc<Finding>],
) -> (Result<String, String>, Vec<String>) {
    let runner = ActionRunner::new(actions, None);
    let (tx, mut rx) = unbounded_channel();
    let outcome = runner.run(1, name, findings, Some(&tx)).await;
    (outcome, drain(&mut rx))
}

/// A remediator on a backend, with its audit log in a temporary directory.
pub struct Session {
    pub remediator: Arc<Remediator>,
    pub audit_path: PathBuf,
    _dir: tempfile::TempDir,
}

/// A session on `backend` (read-only or not).
pub fn session(backend: &Backend, read_only: bool) -> Session {
    let config = Config::default();
    let triage = Arc::new(Triage { policy: config.policy().unwrap(), playbooks: Playbooks::new(&config.playbooks) });
    let dir = tempfile::tempdir().unwrap();
    let audit_path = dir.path().join("audit.jsonl");
    let settings = RemediatorSettings { read_only, ..Default::default() };
    let remediator =
        Remediator::new(backend, triage, AuditLog::open(&audit_path).unwrap(), Vec::new(), settings).unwrap();
    Session { remediator, audit_path, _dir: dir }
}

/// The simulated organisation as a backend, with `automation` for SSM (the organisation's own when `None`).
pub fn sim_backend(org: &Arc<SimOrg>, automation: Option<Arc<dyn Automation>>) -> Backend {
    Backend {
        label: "test".into(),
        findings: org.clone(),
        resources: Some(org.clone()),
        updates: Some(org.clone()),
        notifier: Some(org.clone()),
        automation: Some(automation.unwrap_or_else(|| org.clone())),
        operator: "tester".into(),
        refresh_every: None,

        coordination: None,
    }
}
