//! The typed changes a plan is made of. Adapters execute them in the finding's own account and region; the audit log
//! records them so a rollback can run after a restart. None deletes data or changes compute capacity.

use super::state::{PublicAccessBlock, SecurityGroupRule};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One mutating API call, with everything it needs except the account and region (those come from the finding).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call")]
pub enum Change {
    /// S3 PutPublicAccessBlock on a bucket (all four settings are always sent).
    PutBucketPublicAccessBlock { bucket: String, config: PublicAccessBlock },
    /// S3 DeletePublicAccessBlock on a bucket: the rollback of a bucket that had no configuration.
    DeleteBucketPublicAccessBlock { bucket: String },
    /// s3control PutPublicAccessBlock for the account.
    PutAccountPublicAccessBlock { config: PublicAccessBlock },
    /// s3control DeletePublicAccessBlock for the account: the rollback of an account that had no configuration.
    DeleteAccountPublicAccessBlock,
    /// S3 PutBucketEncryption (default encryption), `kms_key_id` only with `aws:kms`.
    PutBucketEncryption { bucket: String, algorithm: String, kms_key_id: Option<String> },
    /// S3 DeleteBucketEncryption: the rollback of a bucket that had no default encryption configuration.
    DeleteBucketEncryption { bucket: String },
    /// S3 PutBucketPolicy with the whole policy document.
    PutBucketPolicy { bucket: String, policy: String },
    /// S3 DeleteBucketPolicy: the rollback of a bucket that had no policy.
    DeleteBucketPolicy { bucket: String },
    /// EC2 RevokeSecurityGroupIngress by rule id.
    RevokeIngress { group_id: String, rule_ids: Vec<String> },
    /// EC2 RevokeSecurityGroupEgress by rule id.
    RevokeEgress { group_id: String, rule_ids: Vec<String> },
    /// EC2 AuthorizeSecurityGroupIngress: restores revoked rules (they get new rule ids).
    AuthorizeIngress { group_id: String, rules: Vec<SecurityGroupRule> },
    /// EC2 AuthorizeSecurityGroupEgress: restores revoked rules.
    AuthorizeEgress { group_id: String, rules: Vec<SecurityGroupRule> },
    /// EC2 EnableEbsEncryptionByDefault / DisableEbsEncryptionByDefault in the region.
    SetEbsEncryptionByDefault { enabled: bool },
    /// EC2 ModifyInstanceMetadataOptions: `required` turns on IMDSv2 only, `optional` restores v1.
    SetInstanceMetadataTokens { instance_id: String, http_tokens: String },
    /// KMS EnableKeyRotation / DisableKeyRotation.
    SetKeyRotation { key_id: String, enabled: bool },
    /// CloudTrail UpdateTrail `--enable-log-file-validation` / `--no-enable-log-file-validation`, in the trail's
    /// home region.
    SetTrailLogFileValidation { trail_arn: String, home_region: String, enabled: bool },
    /// EC2 ModifySnapshotAttribute: add or remove `createVolumePermission` group `all` (nothing else).
    SetEbsSnapshotPublic { snapshot_id: String, public: bool },
    /// RDS ModifyDBSnapshotAttribute (or ModifyDBClusterSnapshotAttribute): add or remove `all` from `restore`.
    SetRdsSnapshotPublic { identifier: String, cluster: bool, public: bool },
    /// IAM UpdateAccessKey: `Active` or `Inactive` (never DeleteAccessKey).
    SetAccessKeyStatus { user_name: String, access_key_id: String, active: bool },
    /// Sets these tags, keeping every other tag: S3 reads, merges and writes the whole set (PutBucketTagging
    /// replaces it); EC2 CreateTags merges. Resource types that cannot carry tags are refused.
    TagResource { resource_type: String, resource_id: String, tags: BTreeMap<String, String> },
    /// Removes only these keys: S3 reads, drops them and writes the rest (or deletes an empty set); EC2 DeleteTags
    /// with these keys (never without keys, which would delete every tag).
    UntagResource { resource_type: String, resource_id: String, keys: Vec<String> },
}

impl Change {
    /// The API operation, as IAM and the audit log name it.
    pub fn operation(&self) -> &'static str {
        match self {
            Self::PutBucketPublicAccessBlock { .. } => "s3:PutBucketPublicAccessBlock",
            Self::DeleteBucketPublicAccessBlock { .. } => "s3:PutBucketPublicAccessBlock",
            Self::PutAccountPublicAccessBlock { .. } | Self::DeleteAccountPublicAccessBlock => {
                "s3:PutAccountPublicAccessBlock"
            }
            Self::PutBucketEncryption { .. } | Self::DeleteBucketEncryption { .. } => "s3:PutEncryptionConfiguration",
            Self::PutBucketPolicy { .. } => "s3:PutBucketPolicy",
            Self::DeleteBucketPolicy { .. } => "s3:DeleteBucketPolicy",
            Self::RevokeIngress { .. } => "ec2:RevokeSecurityGroupIngress",
            Self::RevokeEgress { .. } => "ec2:RevokeSecurityGroupEgress",
            Self::AuthorizeIngress { .. } => "ec2:AuthorizeSecurityGroupIngress",
            Self::AuthorizeEgress { .. } => "ec2:AuthorizeSecurityGroupEgress",
            Self::SetEbsEncryptionByDefault { enabled: true } => "ec2:EnableEbsEncryptionByDefault",
            Self::SetEbsEncryptionByDefault { enabled: false } => "ec2:DisableEbsEncryptionByDefault",
            Self::SetInstanceMetadataTokens { .. } => "ec2:ModifyInstanceMetadataOptions",
            Self::SetKeyRotation { enabled: true, .. } => "kms:EnableKeyRotation",
            Self::SetKeyRotation { enabled: false, .. } => "kms:DisableKeyRotation",
            Self::SetTrailLogFileValidation { .. } => "cloudtrail:UpdateTrail",
            Self::SetEbsSnapshotPublic { .. } => "ec2:ModifySnapshotAttribute",
            Self::SetRdsSnapshotPublic { cluster: false, .. } => "rds:ModifyDBSnapshotAttribute",
            Self::SetRdsSnapshotPublic { cluster: true, .. } => "rds:ModifyDBClusterSnapshotAttribute",
            Self::SetAccessKeyStatus { .. } => "iam:UpdateAccessKey",
            Self::TagResource { resource_type, .. } | Self::UntagResource { resource_type, .. }
                if resource_type == "AwsS3Bucket" =>
            {
                "s3:PutBucketTagging"
            }
            Self::TagResource { resource_type, .. } => match resource_type.as_str() {
                "AwsKmsKey" => "kms:TagResource",
                "AwsIamUser" => "iam:TagUser",
                "AwsIamRole" => "iam:TagRole",
                "AwsRdsDbSnapshot" | "AwsRdsDbClusterSnapshot" => "rds:AddTagsToResource",
                "AwsCloudTrailTrail" => "cloudtrail:AddTags",
                _ => "ec2:CreateTags",
            },
            Self::UntagResource { resource_type, .. } => match resource_type.as_str() {
                "AwsKmsKey" => "kms:UntagResource",
                "AwsIamUser" => "iam:UntagUser",
                "AwsIamRole" => "iam:UntagRole",
                "AwsRdsDbSnapshot" | "AwsRdsDbClusterSnapshot" => "rds:RemoveTagsFromResource",
                "AwsCloudTrailTrail" => "cloudtrail:RemoveTags",
                _ => "ec2:DeleteTags",
            },
        }
    }

    /// One line for job lists and notifications.
    pub fn describe(&self) -> String {
        match self {
            Self::PutBucketPublicAccessBlock { bucket, config } => {
                format!("PutPublicAccessBlock {bucket} {}", config.cli_form())
            }
            Self::DeleteBucketPublicAccessBlock { bucket } => format!("DeletePublicAccessBlock {bucket}"),
            Self::PutAccountPublicAccessBlock { config } => {
                format!("PutPublicAccessBlock (account) {}", config.cli_form())
            }
            Self::DeleteAccountPublicAccessBlock => "DeletePublicAccessBlock (account)".into(),
            Self::PutBucketEncryption { bucket, algorithm, kms_key_id } => match kms_key_id {
                Some(key) => format!("PutBucketEncryption {bucket} {algorithm} {key}"),
                None => format!("PutBucketEncryption {bucket} {algorithm}"),
            },
            Self::DeleteBucketEncryption { bucket } => format!("DeleteBucketEncryption {bucket}"),
            Self::PutBucketPolicy { bucket, .. } => format!("PutBucketPolicy {bucket}"),
            Self::DeleteBucketPolicy { bucket } => format!("DeleteBucketPolicy {bucket}"),
            Self::RevokeIngress { group_id, rule_ids } => {
                format!("RevokeSecurityGroupIngress {group_id} {}", rule_ids.join(","))
            }
            Self::RevokeEgress { group_id, rule_ids } => {
                format!("RevokeSecurityGroupEgress {group_id} {}", rule_ids.join(","))
            }
            Self::AuthorizeIngress { group_id, rules } => {
                format!("AuthorizeSecurityGroupIngress {group_id} ({} rules)", rules.len())
            }
            Self::AuthorizeEgress { group_id, rules } => {
                format!("AuthorizeSecurityGroupEgress {group_id} ({} rules)", rules.len())
            }
            Self::SetEbsEncryptionByDefault { enabled } => {
                format!("{}EbsEncryptionByDefault", if *enabled { "Enable" } else { "Disable" })
            }
            Self::SetInstanceMetadataTokens { instance_id, http_tokens } => {
                format!("ModifyInstanceMetadataOptions {instance_id} HttpTokens={http_tokens}")
            }
            Self::SetKeyRotation { key_id, enabled } => {
                format!("{}KeyRotation {key_id}", if *enabled { "Enable" } else { "Disable" })
            }
            Self::SetTrailLogFileValidation { trail_arn, enabled, .. } => {
                format!("UpdateTrail {trail_arn} EnableLogFileValidation={enabled}")
            }
            Self::SetEbsSnapshotPublic { snapshot_id, public } => format!(
                "ModifySnapshotAttribute {snapshot_id} createVolumePermission {} group all",
                if *public { "add" } else { "remove" }
            ),
            Self::SetRdsSnapshotPublic { identifier, cluster, public } => format!(
                "Modify{}SnapshotAttribute {identifier} restore {} all",
                if *cluster { "DBCluster" } else { "DB" },
                if *public { "add" } else { "remove" }
            ),
            Self::SetAccessKeyStatus { user_name, access_key_id, active } => {
                format!("UpdateAccessKey {user_name} {access_key_id} {}", if *active { "Active" } else { "Inactive" })
            }
            Self::TagResource { resource_id, tags, .. } => {
                let keys: Vec<&str> = tags.keys().map(String::as_str).collect();
                format!("tag {resource_id} with {}", keys.join(", "))
            }
            Self::UntagResource { resource_id, keys, .. } => {
                format!("remove tags {} from {resource_id}", keys.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_round_trip_through_the_audit_log_form() {
        let change = Change::RevokeIngress { group_id: "sg-1".into(), rule_ids: vec!["sgr-1".into()] };
        let json = serde_json::to_string(&change).expect("json");
        assert!(json.contains(r#""call":"RevokeIngress""#), "{json}");
        assert_eq!(serde_json::from_str::<Change>(&json).expect("back"), change);
        assert_eq!(change.operation(), "ec2:RevokeSecurityGroupIngress");
    }
}
