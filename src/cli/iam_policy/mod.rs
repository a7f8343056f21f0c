//! `hubtriage iam-policy`: the least-privilege IAM policy for what this configuration can do. Every action is
//! allowed only on the resource types AWS's Service Authorization Reference gives it (buckets, security groups,
//! instances, the Security Hub hub, the configured SSM documents and SNS topics, the member role); actions with no
//! resource type stay on `"*"` ([`scope`] lists them). Every change to a resource carries the condition
//! `aws:ResourceAccount` = `${aws:PrincipalAccount}`: the role in a member account changes only that account's
//! resources, even when a finding names a bucket of another account (bucket names are global).
//!
//! One document by default, for an identity that is both the base and scanned itself; `--for base` and
//! `--for member` print the two halves (the base identity that assumes the role, and the role in each account).

pub mod custom;
pub mod scope;
pub mod statement;

use crate::config::Config;
use crate::playbook::Playbooks;
use scope::PARTITION;
use serde_json::{json, Value};
use statement::{scoped, sid, Needed, Statement};

/// Which identity the printed policy is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PolicyFor {
    /// Everything: an identity that assumes the role elsewhere and is scanned in its own account too.
    #[default]
    All,
    /// The base identity: assume the member role, read its own identity, publish notifications (and read the
    /// aggregator's findings with `aws.aggregator_region`).
    Base,
    /// The role assumed in each member account: findings, live reads, fixes, finding updates, exceptions, actions.
    Member,
}

/// The exception tag changes, with the tag keys EC2, KMS, IAM, RDS and CloudTrail may be asked to set or remove limited to the
/// exception tags. S3 PutBucketTagging writes the whole tag set, so its keys cannot be limited.
fn exception_statements(config: &Config) -> Vec<Statement> {
    let tags = &config.exceptions.tags;
    let mut keys: Vec<String> = tags.all().iter().map(|k| k.to_string()).collect();
    keys.sort();
    keys.dedup();
    let actions = [
        "cloudtrail:AddTags",
        "cloudtrail:RemoveTags",
        "ec2:CreateTags",
        "ec2:DeleteTags",
        "ec2:DescribeTags",
        "iam:ListRoleTags",
        "iam:ListRoles",
        "iam:ListUserTags",
        "iam:ListUsers",
        "iam:TagRole",
        "iam:TagUser",
        "iam:UntagRole",
        "iam:UntagUser",
        "kms:ListKeys",
        "kms:ListResourceTags",
        "kms:TagResource",
        "kms:UntagResource",
        "rds:AddTagsToResource",
        "rds:RemoveTagsFromResource",
        "s3:GetBucketLocation",
        "s3:GetBucketTagging",
        "s3:ListAllMyBuckets",
        "s3:PutBucketTagging",
        "tag:GetResources",
    ];
    scoped("ManageExceptionTags", &actions, Needed::Member)
        .into_iter()
        .map(|s| {
            let untags = [
                "ec2:DeleteTags",
                "kms:UntagResource",
                "iam:UntagUser",
                "iam:UntagRole",
                "rds:RemoveTagsFromResource",
                "cloudtrail:RemoveTags",
            ];
            if s.actions.iter().any(|a| untags.contains(&a.as_str())) {
                // A DeleteTags without keys deletes every tag: the key must be present (Null false), and every key
                // one of ours; the same limit keeps KMS and IAM tag changes to the exception tags.
                s.with_condition("ForAllValues:StringEquals", "aws:TagKeys", json!(keys)).with_condition(
                    "Null",
                    "aws:TagKeys",
                    json!("false"),
                )
            } else {
                s
            }
        })
        .collect()
}

/// A read statement without the actions an earlier unconditional statement already allows on the same resources
/// for the same identity (the exception tags of KMS keys and IAM users are read as the playbooks read them); `None`
/// when nothing is left. The policy stays under IAM's size limits.
fn without_granted(mut statement: Statement, earlier: &[Statement]) -> Option<Statement> {
    if !statement.reads_only() || !statement.condition.is_empty() {
        return Some(statement);
    }
    let granted = |action: &String| {
        earlier.iter().any(|e| {
            e.condition.is_empty()
                && e.needed == statement.needed
                && e.resources == statement.resources
                && e.actions.contains(action)
        })
    };
    statement.actions.retain(|a| !granted(a));
    (!statement.actions.is_empty()).then_some(statement)
}

/// Every statement, each marked with the identity that needs it, in a fixed order.
pub fn statements(config: &Config, playbooks: &Playbooks) -> Vec<Statement> {
    // With an aggregator the base identity reads every member's findings in its home region.
    let findings_for = if config.aws.aggregator_region.is_some() { Needed::Both } else { Needed::Member };
    // GetFindings also authorises GetFindingsV2, BatchUpdateFindings BatchUpdateFindingsV2; unless every source reads
    // Security Hub CSPM, DescribeSecurityHubV2 says which API a source reads and GetFindingStatisticsV2 (allowed by
    // GetAdhocInsightResults) counts a V2 source's findings.
    let mut statements = scoped("ReadFindings", &["securityhub:GetFindings"], findings_for);
    if config.aws.api != crate::cloud::ApiChoice::Cspm {
        statements.extend(scoped("FindWhichSecurityHub", &["securityhub:DescribeSecurityHubV2"], findings_for));
        statements.extend(scoped("CountFindings", &["securityhub:GetAdhocInsightResults"], findings_for));
    }
    statements.extend(scoped("CallerIdentity", &["sts:GetCallerIdentity"], Needed::Base));
    statements.extend(scoped("UpdateFindingsAfterVerification", &["securityhub:BatchUpdateFindings"], Needed::Member));
    for playbook in playbooks.iter() {
        statements.extend(scoped(&sid(playbook.name()), playbook.iam_actions(), Needed::Member));
    }
    for statement in exception_statements(config) {
        statements.extend(without_granted(statement, &statements));
    }
    statements.extend(custom::automation_statements(config));
    statements.extend(custom::notify_statement(config));
    if let Some(bucket) = &config.audit.s3_bucket {
        // The copy of the audit log, written with the base credentials (often to a central logging account's
        // bucket, so no own-account condition): new objects under the prefix only, and the Object Lock check.
        let prefix = config.audit.s3_prefix.as_deref().unwrap_or("hubtriage-audit/");
        statements.push(Statement::new(
            "CopyAuditRecords",
            vec!["s3:PutObject".into()],
            vec![format!("arn:{PARTITION}:s3:::{bucket}/{prefix}*")],
            Needed::Base,
        ));
        statements.push(Statement::new(
            "CheckAuditBucketObjectLock",
            vec!["s3:GetBucketObjectLockConfiguration".into()],
            vec![format!("arn:{PARTITION}:s3:::{bucket}")],
            Needed::Base,
        ));
    }
    if let Some(table) = &config.coordination.table {
        // Leases on resources, taken with the base credentials in the table's region before any change, and the
        // approval requests kept beside them (listed with a Scan).
        let region = config.coordination.region.as_deref().unwrap_or("*");
        statements.push(Statement::new(
            "LeasesOnResources",
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:UpdateItem"].map(String::from).to_vec(),
            vec![format!("arn:{PARTITION}:dynamodb:{region}:*:table/{table}")],
            Needed::Base,
        ));
    }
    if let Some(role) = &config.aws.role_name {
        statements.push(Statement::new(
            "AssumeRemediationRoleInEachAccount",
            vec!["sts:AssumeRole".into()],
            vec![format!("arn:{PARTITION}:iam::*:role/{role}")],
            Needed::Base,
        ));
    }
    statements
}

/// The policy document for `who`.
pub fn policy_for(config: &Config, playbooks: &Playbooks, who: PolicyFor) -> Value {
    let wanted = |needed: Needed| match who {
        PolicyFor::All => true,
        PolicyFor::Base => needed != Needed::Member,
        PolicyFor::Member => needed != Needed::Base,
    };
    let statements: Vec<Value> =
        statements(config, playbooks).iter().filter(|s| wanted(s.needed)).map(Statement::to_json).collect();
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// The policy document for every identity at once (what `iam-policy` prints without `--for`).
pub fn policy(config: &Config, playbooks: &Playbooks) -> Value {
    policy_for(config, playbooks, PolicyFor::All)
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
