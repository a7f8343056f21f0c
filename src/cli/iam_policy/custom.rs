//! Statements for what the configuration adds: SSM Automation documents (and the role they are given), SNS topics.
//! Each is scoped to exactly what is configured; kinds `command` and `workflow` need nothing of their own
//! (`workflow` is BatchUpdateFindings, granted with the finding updates).

use super::scope::PARTITION;
use super::statement::{Needed, Statement};
use crate::actions::{ActionKind, Placeholder, Template};
use crate::config::Config;
use serde_json::json;
use std::collections::BTreeSet;

/// The SSM Automation parameter that names the role an execution runs as; passing it needs `iam:PassRole`.
pub const AUTOMATION_ROLE_PARAMETER: &str = "AutomationAssumeRole";

/// Every `ssm-automation` document of the config, and the values its actions give `AutomationAssumeRole`.
fn automations(config: &Config) -> (BTreeSet<&str>, BTreeSet<&str>) {
    let mut documents = BTreeSet::new();
    let mut roles = BTreeSet::new();
    for action in &config.actions {
        if let ActionKind::SsmAutomation { document, parameters } = &action.kind {
            documents.insert(document.as_str());
            roles.extend(parameters.get(AUTOMATION_ROLE_PARAMETER).into_iter().flatten().map(String::as_str));
        }
    }
    (documents, roles)
}

/// The document ARN and automation-definition ARN patterns of a document given by name or ARN. AWS-owned documents
/// (`AWS-…`) have no account in their ARN; `*` matches that empty field too.
fn document_arns(document: &str) -> [String; 2] {
    match document.split_once(":document/") {
        Some((prefix, name)) if document.starts_with("arn:") => {
            [document.to_string(), format!("{prefix}:automation-definition/{name}:*")]
        }
        _ => [
            format!("arn:{PARTITION}:ssm:*:*:document/{document}"),
            // The version: `$DEFAULT`, `$LATEST` or a number.
            format!("arn:{PARTITION}:ssm:*:*:automation-definition/{document}:*"),
        ],
    }
}

/// The IAM resource pattern of an `AutomationAssumeRole` value: `{account}` is the account the execution starts in,
/// which is the caller's own (`${aws:PrincipalAccount}`); any other placeholder can be anything (`*`).
fn role_pattern(value: &str) -> Option<String> {
    let template = Template::parse(value).ok()?;
    Some(template.fill(|p| if p == Placeholder::Account { "${aws:PrincipalAccount}".into() } else { "*".into() }))
}

/// `ssm:StartAutomationExecution` on the configured documents, `ssm:GetAutomationExecution` to follow them, and
/// `iam:PassRole` of the automation role to SSM only.
///
/// No `aws:ResourceAccount` condition here: AWS-owned documents belong to no customer account, so the condition
/// would refuse them. The execution always starts in the account of the credentials making the call (hubtriage
/// sends no `TargetLocations`), and the statement names the documents exactly.
pub fn automation_statements(config: &Config) -> Vec<Statement> {
    let (documents, roles) = automations(config);
    if documents.is_empty() {
        return Vec::new();
    }
    // StartAutomationExecution requires the document and the (new) automation-execution; the automation-definition
    // is optional and named too. GetAutomationExecution takes the automation-execution.
    let mut resources: Vec<String> = documents.iter().flat_map(|d| document_arns(d)).collect();
    resources.push(format!("arn:{PARTITION}:ssm:*:*:automation-execution/*"));
    let mut statements = vec![Statement::new(
        "CustomActionsSsmAutomation",
        vec!["ssm:GetAutomationExecution".into(), "ssm:StartAutomationExecution".into()],
        resources,
        Needed::Member,
    )];
    let roles: Vec<String> = roles.iter().filter_map(|r| role_pattern(r)).collect();
    if !roles.is_empty() {
        statements.push(
            Statement::new("CustomActionsPassAutomationRole", vec!["iam:PassRole".into()], roles, Needed::Member)
                .with_condition("StringEquals", "iam:PassedToService", json!("ssm.amazonaws.com")),
        );
    }
    statements
}

/// `sns:Publish` on the notification topics and the topics of `sns` actions — published with the base
/// credentials. No account condition: a central security account's topic is the usual target, and each topic is
/// named exactly.
pub fn notify_statement(config: &Config) -> Option<Statement> {
    let action_topics = config.actions.iter().filter_map(|a| match &a.kind {
        ActionKind::Sns { topic_arn, .. } => Some(topic_arn.clone()),
        _ => None,
    });
    let topics: Vec<String> =
        config.notify.topic_arn.iter().chain(config.notify.topics.values()).cloned().chain(action_topics).collect();
    (!topics.is_empty()).then(|| Statement::new("Notify", vec!["sns:Publish".into()], topics, Needed::Base))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        Config::parse(text, std::path::Path::new("test.toml")).expect("a valid config")
    }

    #[test]
    fn documents_by_name_or_arn_and_the_passed_role_are_scoped() {
        let c = config(
            r#"
[[actions]]
name = "runbook"
kind = "ssm-automation"
document = "AWS-DisablePublicAccessForSecurityGroup"
parameters = { GroupId = ["{resource_id}"], AutomationAssumeRole = ["arn:aws:iam::{account}:role/HubtriageSsm"] }

[[actions]]
name = "own"
kind = "ssm-automation"
document = "arn:aws:ssm:eu-west-1:111111111111:document/Isolate"
"#,
        );
        let statements = automation_statements(&c);
        assert_eq!(statements.len(), 2);
        assert_eq!(
            statements[0].resources,
            [
                "arn:aws:ssm:*:*:automation-definition/AWS-DisablePublicAccessForSecurityGroup:*",
                "arn:aws:ssm:*:*:automation-execution/*",
                "arn:aws:ssm:*:*:document/AWS-DisablePublicAccessForSecurityGroup",
                "arn:aws:ssm:eu-west-1:111111111111:automation-definition/Isolate:*",
                "arn:aws:ssm:eu-west-1:111111111111:document/Isolate",
            ]
        );
        assert_eq!(statements[1].actions, ["iam:PassRole"]);
        assert_eq!(statements[1].resources, ["arn:aws:iam::${aws:PrincipalAccount}:role/HubtriageSsm"]);
        assert_eq!(statements[1].condition["StringEquals"]["iam:PassedToService"], "ssm.amazonaws.com");
    }

    #[test]
    fn no_automation_no_statement_and_no_role_no_pass_role() {
        assert!(automation_statements(&Config::default()).is_empty());
        let c = config("[[actions]]\nname = \"r\"\nkind = \"ssm-automation\"\ndocument = \"AWS-X1\"\n");
        let statements = automation_statements(&c);
        assert_eq!(statements.len(), 1, "{statements:?}");
        assert!(statements[0].actions.iter().all(|a| a != "iam:PassRole"));
    }

    #[test]
    fn topics_of_notifications_and_actions_once_each() {
        let c = config(
            r#"
[notify]
topic_arn = "arn:aws:sns:eu-west-1:111111111111:sec"
topics = { prod = "arn:aws:sns:eu-west-1:111111111111:prod", dev = "arn:aws:sns:eu-west-1:111111111111:sec" }

[[actions]]
name = "page"
kind = "sns"
topic_arn = "arn:aws:sns:us-east-1:222222222222:oncall"
"#,
        );
        let statement = notify_statement(&c).expect("a statement");
        assert_eq!(
            statement.resources,
            [
                "arn:aws:sns:eu-west-1:111111111111:prod",
                "arn:aws:sns:eu-west-1:111111111111:sec",
                "arn:aws:sns:us-east-1:222222222222:oncall"
            ]
        );
        assert!(notify_statement(&Config::default()).is_none());
    }
}
