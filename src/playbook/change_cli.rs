//! The AWS CLI equivalent of a recorded change, for a person to read or run by hand: a rollback shown from the audit
//! log has only its typed calls, not the text the plan showed. Every value is quoted for a POSIX shell.

use super::common::ip_permission_json;
use super::plan::shell_word;
use super::Change;

impl Change {
    /// The AWS CLI command(s) making this call in `account_id`/`region` (one per security group rule restored).
    pub fn cli(&self, account_id: &str, region: &str) -> Vec<String> {
        let region = shell_word(region);
        let account = shell_word(account_id);
        match self {
            Self::PutBucketPublicAccessBlock { bucket, config } => vec![format!(
                "aws s3api put-public-access-block --bucket {} --public-access-block-configuration {} --region {region}",
                shell_word(bucket),
                config.cli_form()
            )],
            Self::DeleteBucketPublicAccessBlock { bucket } => {
                vec![format!("aws s3api delete-public-access-block --bucket {} --region {region}", shell_word(bucket))]
            }
            Self::PutAccountPublicAccessBlock { config } => vec![format!(
                "aws s3control put-public-access-block --account-id {account} --public-access-block-configuration {} --region {region}",
                config.cli_form()
            )],
            Self::DeleteAccountPublicAccessBlock => {
                vec![format!("aws s3control delete-public-access-block --account-id {account} --region {region}")]
            }
            Self::PutBucketEncryption { bucket, algorithm, kms_key_id } => {
                let mut default = serde_json::json!({ "SSEAlgorithm": algorithm });
                if let Some(key) = kms_key_id {
                    default["KMSMasterKeyID"] = serde_json::json!(key);
                }
                let config = serde_json::json!({ "Rules": [{ "ApplyServerSideEncryptionByDefault": default }] });
                vec![format!(
                    "aws s3api put-bucket-encryption --bucket {} --server-side-encryption-configuration {} --region {region}",
                    shell_word(bucket),
                    shell_word(&config.to_string())
                )]
            }
            Self::DeleteBucketEncryption { bucket } => {
                vec![format!("aws s3api delete-bucket-encryption --bucket {} --region {region}", shell_word(bucket))]
            }
            Self::PutBucketPolicy { bucket, policy } => vec![format!(
                "aws s3api put-bucket-policy --bucket {} --policy {} --region {region}",
                shell_word(bucket),
                shell_word(policy)
            )],
            Self::DeleteBucketPolicy { bucket } => {
                vec![format!("aws s3api delete-bucket-policy --bucket {} --region {region}", shell_word(bucket))]
            }
            Self::RevokeIngress { group_id, rule_ids } | Self::RevokeEgress { group_id, rule_ids } => {
                let way = if matches!(self, Self::RevokeIngress { .. }) { "ingress" } else { "egress" };
                let ids: Vec<String> = rule_ids.iter().map(|id| shell_word(id)).collect();
                vec![format!(
                    "aws ec2 revoke-security-group-{way} --group-id {} --security-group-rule-ids {} --region {region}",
                    shell_word(group_id),
                    ids.join(" ")
                )]
            }
            Self::AuthorizeIngress { group_id, rules } | Self::AuthorizeEgress { group_id, rules } => {
                let way = if matches!(self, Self::AuthorizeIngress { .. }) { "ingress" } else { "egress" };
                rules
                    .iter()
                    .map(|rule| {
                        format!(
                            "aws ec2 authorize-security-group-{way} --group-id {} --ip-permissions {} --region {region}",
                            shell_word(group_id),
                            shell_word(&ip_permission_json(rule))
                        )
                    })
                    .collect()
            }
            Self::SetEbsEncryptionByDefault { enabled } => vec![format!(
                "aws ec2 {}-ebs-encryption-by-default --region {region}",
                if *enabled { "enable" } else { "disable" }
            )],
            Self::SetInstanceMetadataTokens { instance_id, http_tokens } => vec![format!(
                "aws ec2 modify-instance-metadata-options --instance-id {} --http-tokens {} --region {region}",
                shell_word(instance_id),
                shell_word(http_tokens)
            )],
            Self::TagResource { resource_type, resource_id, tags } => {
                let pairs: Vec<String> = tags.iter().map(|(k, v)| format!("Key={k},Value={v}")).collect();
                let pairs = shell_word(&pairs.join(" "));
                if resource_type == "AwsS3Bucket" {
                    vec![format!(
                        "# merged with the bucket's current tags (put-bucket-tagging replaces the whole set): aws s3api put-bucket-tagging --bucket {} --tagging TagSet=[…] --region {region} adding {pairs}",
                        shell_word(bucket_name(resource_id))
                    )]
                } else {
                    let tags: Vec<String> =
                        tags.iter().map(|(k, v)| shell_word(&format!("Key={k},Value={v}"))).collect();
                    vec![format!(
                        "aws ec2 create-tags --resources {} --tags {} --region {region}",
                        shell_word(short_id(resource_id)),
                        tags.join(" ")
                    )]
                }
            }
            Self::UntagResource { resource_type, resource_id, keys } => {
                if resource_type == "AwsS3Bucket" {
                    vec![format!(
                        "# the bucket's tags without {}: aws s3api put-bucket-tagging --bucket {} --tagging TagSet=[…] --region {region}",
                        shell_word(&keys.join(", ")),
                        shell_word(bucket_name(resource_id))
                    )]
                } else {
                    let keys: Vec<String> = keys.iter().map(|k| shell_word(&format!("Key={k}"))).collect();
                    vec![format!(
                        "aws ec2 delete-tags --resources {} --tags {} --region {region}",
                        shell_word(short_id(resource_id)),
                        keys.join(" ")
                    )]
                }
            }
            Self::SetKeyRotation { key_id, enabled } => {
                let verb = if *enabled { "enable" } else { "disable" };
                vec![format!("aws kms {verb}-key-rotation --key-id {} --region {region}", shell_word(key_id))]
            }
            Self::SetTrailLogFileValidation { trail_arn, home_region, enabled } => {
                let flag = if *enabled { "enable" } else { "no-enable" };
                vec![format!(
                    "aws cloudtrail update-trail --name {} --{flag}-log-file-validation --region {}",
                    shell_word(trail_arn),
                    shell_word(home_region)
                )]
            }
            Self::SetEbsSnapshotPublic { snapshot_id, public } => {
                let verb = if *public { "add" } else { "remove" };
                vec![format!(
                    "aws ec2 modify-snapshot-attribute --snapshot-id {} --attribute createVolumePermission \
                     --operation-type {verb} --group-names all --region {region}",
                    shell_word(snapshot_id)
                )]
            }
            Self::SetRdsSnapshotPublic { identifier, cluster, public } => {
                let (kind, id_flag) = if *cluster {
                    ("db-cluster-snapshot", "--db-cluster-snapshot-identifier")
                } else {
                    ("db-snapshot", "--db-snapshot-identifier")
                };
                let values = if *public { "--values-to-add" } else { "--values-to-remove" };
                vec![format!(
                    "aws rds modify-{kind}-attribute {id_flag} {} --attribute-name restore {values} all --region {region}",
                    shell_word(identifier)
                )]
            }
            Self::SetAccessKeyStatus { user_name, access_key_id, active } => {
                let status = if *active { "Active" } else { "Inactive" };
                vec![format!(
                    "aws iam update-access-key --user-name {} --access-key-id {} --status {status}",
                    shell_word(user_name),
                    shell_word(access_key_id)
                )]
            }
        }
    }
}

/// A bucket's name from its ARN (`arn:aws:s3:::name`) or the name itself.
fn bucket_name(resource_id: &str) -> &str {
    resource_id.rsplit(":::").next().unwrap_or(resource_id)
}

/// An EC2 id from its ARN (`…:security-group/sg-1`) or the id itself.
fn short_id(resource_id: &str) -> &str {
    resource_id.rsplit('/').next().unwrap_or(resource_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::{PublicAccessBlock, SecurityGroupRule};

    #[test]
    fn bucket_rollbacks_read_as_the_playbook_shows_them() {
        let delete = Change::DeleteBucketPublicAccessBlock { bucket: "acme-logs".into() };
        assert_eq!(
            delete.cli("1", "eu-west-1"),
            ["aws s3api delete-public-access-block --bucket acme-logs --region eu-west-1"]
        );
        let put = Change::PutBucketPublicAccessBlock { bucket: "a b".into(), config: PublicAccessBlock::ALL_ON };
        assert_eq!(
            put.cli("1", "eu-west-1"),
            ["aws s3api put-public-access-block --bucket 'a b' --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true --region eu-west-1"]
        );
    }

    #[test]
    fn restored_rules_get_one_quoted_command_each() {
        let rule = SecurityGroupRule {
            rule_id: None,
            protocol: "tcp".into(),
            from_port: 22,
            to_port: 22,
            cidr_ipv4: Some("0.0.0.0/0".into()),
            cidr_ipv6: None,
            referenced_group: None,
            description: Some("it's $(rm -rf ~)".into()),
            is_egress: false,
        };
        let change = Change::AuthorizeIngress { group_id: "sg-1".into(), rules: vec![rule.clone(), rule] };
        let lines = change.cli("1", "us-east-1");
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("aws ec2 authorize-security-group-ingress --group-id sg-1 --ip-permissions '[{"));
        assert!(lines[0].contains(r"it'\''s $(rm -rf ~)"), "{}", lines[0]);
    }

    #[test]
    fn account_calls_name_the_account() {
        assert_eq!(
            Change::DeleteAccountPublicAccessBlock.cli("123456789012", "us-east-1"),
            ["aws s3control delete-public-access-block --account-id 123456789012 --region us-east-1"]
        );
        let tag = Change::TagResource {
            resource_type: "AwsEc2SecurityGroup".into(),
            resource_id: "arn:aws:ec2:us-east-1:1:security-group/sg-1".into(),
            tags: [("k".to_string(), "v w".to_string())].into(),
        };
        assert_eq!(
            tag.cli("1", "us-east-1"),
            ["aws ec2 create-tags --resources sg-1 --tags 'Key=k,Value=v w' --region us-east-1"]
        );
    }
}
