//! `hubtriage iam-policy`: the least-privilege IAM policy for what this configuration can do — one statement per
//! enabled playbook, plus reading findings, updating them, publishing notifications and assuming the role.

use crate::actions::ActionKind;
use crate::config::Config;
use crate::playbook::Playbooks;
use serde_json::{json, Value};

/// The policy document.
pub fn policy(config: &Config, playbooks: &Playbooks) -> Value {
    let mut statements = vec![
        json!({
            "Sid": "ReadFindings",
            "Effect": "Allow",
            "Action": ["securityhub:GetFindings", "sts:GetCallerIdentity"],
            "Resource": "*"
        }),
        json!({
            "Sid": "UpdateFindingsAfterVerification",
            "Effect": "Allow",
            "Action": ["securityhub:BatchUpdateFindings"],
            "Resource": "*"
        }),
    ];
    for playbook in playbooks.iter() {
        let mut actions: Vec<&str> = playbook.iam_actions().to_vec();
        actions.sort_unstable();
        actions.dedup();
        statements.push(json!({
            "Sid": sid(playbook.name()),
            "Effect": "Allow",
            "Action": actions,
            "Resource": "*"
        }));
    }
    statements.push(json!({
        "Sid": "ManageExceptionTags",
        "Effect": "Allow",
        "Action": [
            "ec2:CreateTags", "ec2:DeleteTags", "ec2:DescribeTags", "s3:GetBucketLocation", "s3:GetBucketTagging",
            "s3:ListAllMyBuckets", "s3:PutBucketTagging", "tag:GetResources"
        ],
        "Resource": "*"
    }));
    let documents: Vec<&str> = config
        .actions
        .iter()
        .filter_map(|a| match &a.kind {
            ActionKind::SsmAutomation { document, .. } => Some(document.as_str()),
            _ => None,
        })
        .collect();
    if !documents.is_empty() {
        statements.push(json!({
            "Sid": "CustomActionsSsmAutomation",
            "Effect": "Allow",
            "Action": ["ssm:GetAutomationExecution", "ssm:StartAutomationExecution"],
            "Resource": "*"
        }));
    }
    let action_topics = config.actions.iter().filter_map(|a| match &a.kind {
        ActionKind::Sns { topic_arn, .. } => Some(topic_arn),
        _ => None,
    });
    let mut topics: Vec<&String> =
        config.notify.topic_arn.iter().chain(config.notify.topics.values()).chain(action_topics).collect();
    topics.sort();
    topics.dedup();
    if !topics.is_empty() {
        statements.push(json!({ "Sid": "Notify", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": topics }));
    }
    if let Some(role) = &config.aws.role_name {
        statements.push(json!({
            "Sid": "AssumeRemediationRoleInEachAccount",
            "Effect": "Allow",
            "Action": ["sts:AssumeRole"],
            "Resource": format!("arn:aws:iam::*:role/{role}")
        }));
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// An IAM statement id (alphanumeric) from a playbook name: `s3-bucket-block-public-access` → `S3BucketBlockPublicAccess`.
fn sid(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_statement_per_playbook_with_its_calls_and_the_shared_ones() {
        let mut config = Config::default();
        config.notify.topic_arn = Some("arn:aws:sns:eu-west-1:111111111111:sec".into());
        config.aws.role_name = Some("Remediation".into());
        let playbooks = Playbooks::new(&config.playbooks);
        let doc = policy(&config, &playbooks);
        let statements = doc["Statement"].as_array().expect("statements");
        let find = |sid: &str| statements.iter().find(|s| s["Sid"] == sid).cloned();
        let bpa = find("S3BucketBlockPublicAccess").expect("bucket BPA statement");
        let actions: Vec<&str> = bpa["Action"].as_array().expect("actions").iter().filter_map(Value::as_str).collect();
        assert!(actions.contains(&"s3:PutBucketPublicAccessBlock"), "{actions:?}");
        assert_eq!(find("Notify").expect("notify")["Resource"][0], "arn:aws:sns:eu-west-1:111111111111:sec");
        assert_eq!(
            find("UpdateFindingsAfterVerification").expect("updates")["Action"][0],
            "securityhub:BatchUpdateFindings"
        );
        assert_eq!(
            find("AssumeRemediationRoleInEachAccount").expect("assume")["Resource"],
            "arn:aws:iam::*:role/Remediation"
        );
        assert_eq!(statements.len(), 2 + playbooks.iter().count() + 3);
        let tags = find("ManageExceptionTags").expect("exception tags");
        assert!(tags["Action"].as_array().expect("actions").iter().any(|a| a == "ec2:DeleteTags"));
        let every: Vec<&str> = statements
            .iter()
            .flat_map(|s| s["Action"].as_array().into_iter().flatten())
            .filter_map(Value::as_str)
            .collect();
        for data_loss in ["*", "s3:*", "ec2:*", "s3:DeleteBucket", "s3:DeleteObject", "ec2:TerminateInstances"] {
            assert!(!every.contains(&data_loss), "{data_loss} granted");
        }
    }

    #[test]
    fn statement_ids_are_alphanumeric() {
        assert_eq!(sid("sg-revoke-world-open-ingress"), "SgRevokeWorldOpenIngress");
    }
}
