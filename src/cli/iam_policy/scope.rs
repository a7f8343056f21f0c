//! Where each IAM action hubtriage needs may be allowed, from AWS's Service Authorization Reference ("Actions,
//! resources, and condition keys for Amazon S3 / Amazon EC2 / AWS Security Hub / …"): the resource types an action
//! supports, and whether it changes anything. One table, so every statement of the policy is built the same way.
//!
//! IAM action names are not always the API names: PutPublicAccessBlock and DeletePublicAccessBlock (bucket) are
//! `s3:PutBucketPublicAccessBlock`, GetBucketEncryption is `s3:GetEncryptionConfiguration`, PutBucketEncryption and
//! DeleteBucketEncryption are `s3:PutEncryptionConfiguration`, DeleteBucketTagging is `s3:PutBucketTagging`, S3
//! Control's Get/Put/DeletePublicAccessBlock are `s3:GetAccountPublicAccessBlock` / `s3:PutAccountPublicAccessBlock`,
//! ListBuckets is `s3:ListAllMyBuckets`, and GetFindingsV2 / BatchUpdateFindingsV2 are authorised by
//! `securityhub:GetFindings` / `securityhub:BatchUpdateFindings` (the API reference of each says so), while
//! DescribeSecurityHubV2 is `securityhub:DescribeSecurityHubV2` and GetFindingStatisticsV2
//! `securityhub:GetAdhocInsightResults`.

/// The partition of every ARN the policy names. IAM has no policy variable for it; for GovCloud or China replace
/// `arn:aws:` with `arn:aws-us-gov:` or `arn:aws-cn:`.
pub const PARTITION: &str = "aws";

/// The resources an action can be scoped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// The reference lists no resource type: only `"*"` can be given.
    AllResources,
    /// S3 buckets: `arn:aws:s3:::*` (bucket names are global, so the account is checked by the condition).
    Buckets,
    /// `arn:aws:ec2:*:*:security-group/*`.
    SecurityGroups,
    /// `arn:aws:ec2:*:*:instance/*`.
    Instances,
    /// The EC2 resource types exceptions are set on (security groups, instances, volumes, VPCs, …).
    Ec2Taggable,
    /// The Security Hub hub of an account and region: `hub/default` (CSPM) and `hubv2/*` (the new Security Hub).
    Hubs,
    /// The new Security Hub's hub only: `hubv2/*`.
    HubV2,
    /// `arn:aws:kms:*:*:key/*`.
    KmsKeys,
    /// `arn:aws:cloudtrail:*:*:trail/*`.
    Trails,
    /// EBS snapshots: `arn:aws:ec2:*::snapshot/*` (snapshot ARNs name no account).
    Snapshots,
    /// RDS DB snapshots and DB cluster snapshots.
    RdsSnapshots,
    /// `arn:aws:iam::*:user/*`.
    IamUsers,
    /// `arn:aws:iam::*:role/*`.
    IamRoles,
}

impl Scope {
    /// The `Resource` element's ARNs, sorted.
    pub fn resources(self) -> Vec<String> {
        let p = PARTITION;
        let mut arns = match self {
            Self::AllResources => vec!["*".to_string()],
            Self::Buckets => vec![format!("arn:{p}:s3:::*")],
            Self::SecurityGroups => vec![format!("arn:{p}:ec2:*:*:security-group/*")],
            Self::Instances => vec![format!("arn:{p}:ec2:*:*:instance/*")],
            Self::Ec2Taggable => {
                crate::cloud::aws::ec2_tag_kinds().map(|kind| format!("arn:{p}:ec2:*:*:{kind}/*")).collect()
            }
            Self::Hubs => {
                vec![format!("arn:{p}:securityhub:*:*:hub/default"), format!("arn:{p}:securityhub:*:*:hubv2/*")]
            }
            Self::HubV2 => vec![format!("arn:{p}:securityhub:*:*:hubv2/*")],
            Self::KmsKeys => vec![format!("arn:{p}:kms:*:*:key/*")],
            Self::Trails => vec![format!("arn:{p}:cloudtrail:*:*:trail/*")],
            Self::Snapshots => vec![format!("arn:{p}:ec2:*::snapshot/*")],
            Self::RdsSnapshots => {
                vec![format!("arn:{p}:rds:*:*:snapshot:*"), format!("arn:{p}:rds:*:*:cluster-snapshot:*")]
            }
            Self::IamUsers => vec![format!("arn:{p}:iam::*:user/*")],
            Self::IamRoles => vec![format!("arn:{p}:iam::*:role/*")],
        };
        arns.sort();
        arns
    }

    /// A word for statement ids when one statement name covers several scopes.
    pub fn label(self) -> &'static str {
        match self {
            Self::AllResources => "AllResources",
            Self::Buckets => "Buckets",
            Self::SecurityGroups => "SecurityGroups",
            Self::Instances => "Instances",
            Self::Ec2Taggable => "Ec2Resources",
            Self::Hubs => "Hubs",
            Self::HubV2 => "HubV2",
            Self::KmsKeys => "KmsKeys",
            Self::Trails => "Trails",
            Self::Snapshots => "Snapshots",
            Self::RdsSnapshots => "RdsSnapshots",
            Self::IamUsers => "IamUsers",
            Self::IamRoles => "IamRoles",
        }
    }
}

/// What an action does, as far as the policy cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Reads (the reference's List and Read levels): no condition.
    Read,
    /// Changes a resource: allowed only on resources of the principal's own account (`aws:ResourceAccount` =
    /// `${aws:PrincipalAccount}`), so a finding naming another account's bucket — bucket names are global — cannot
    /// make the role change it.
    Write,
    /// Changes an account-wide setting of the caller's own account: the call names no resource and no account, so
    /// there is nothing another account could be reached through, and the reference lists no resource for the
    /// account-owner condition to be read from.
    WriteOwnAccountSetting,
}

/// An action, its scope and access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionScope {
    pub action: &'static str,
    pub scope: Scope,
    pub access: Access,
}

const fn entry(action: &'static str, scope: Scope, access: Access) -> ActionScope {
    ActionScope { action, scope, access }
}

use Access::{Read, Write, WriteOwnAccountSetting};
use Scope::{
    AllResources, Buckets, Ec2Taggable, HubV2, Hubs, IamRoles, IamUsers, Instances, KmsKeys, RdsSnapshots,
    SecurityGroups, Snapshots, Trails,
};

/// Every action the generated policy can name, with the resource type the reference gives it (required `*` types
/// included). Actions marked "only *" have no resource type in the reference.
pub const ACTIONS: &[ActionScope] = &[
    // Amazon EC2. Describe* and Get* account reads: only *.
    entry("ec2:DescribeInstances", AllResources, Read),
    entry("ec2:DescribeSecurityGroupRules", AllResources, Read),
    entry("ec2:DescribeSecurityGroups", AllResources, Read),
    entry("ec2:DescribeTags", AllResources, Read),
    entry("ec2:GetEbsEncryptionByDefault", AllResources, Read),
    // security-group* (the optional security-group-rule type is only enforced on requests with TagSpecifications,
    // which hubtriage never sends).
    entry("ec2:AuthorizeSecurityGroupEgress", SecurityGroups, Write),
    entry("ec2:AuthorizeSecurityGroupIngress", SecurityGroups, Write),
    entry("ec2:RevokeSecurityGroupEgress", SecurityGroups, Write),
    entry("ec2:RevokeSecurityGroupIngress", SecurityGroups, Write),
    // instance*.
    entry("ec2:ModifyInstanceMetadataOptions", Instances, Write),
    // Every EC2 resource type; scoped to the ones exceptions are set on.
    entry("ec2:CreateTags", Ec2Taggable, Write),
    entry("ec2:DeleteTags", Ec2Taggable, Write),
    // Only *: the region's account-wide EBS setting.
    entry("ec2:DisableEbsEncryptionByDefault", AllResources, WriteOwnAccountSetting),
    entry("ec2:EnableEbsEncryptionByDefault", AllResources, WriteOwnAccountSetting),
    // Amazon S3: bucket* (GetBucketLocation and GetBucketPolicy take accesspoint or bucket).
    entry("s3:GetBucketLocation", Buckets, Read),
    entry("s3:GetBucketPolicy", Buckets, Read),
    entry("s3:GetBucketPublicAccessBlock", Buckets, Read),
    entry("s3:GetBucketTagging", Buckets, Read),
    entry("s3:GetEncryptionConfiguration", Buckets, Read),
    entry("s3:DeleteBucketPolicy", Buckets, Write),
    entry("s3:PutBucketPolicy", Buckets, Write),
    entry("s3:PutBucketPublicAccessBlock", Buckets, Write),
    entry("s3:PutBucketTagging", Buckets, Write),
    entry("s3:PutEncryptionConfiguration", Buckets, Write),
    // Only *: account-level settings and the bucket list.
    entry("s3:GetAccountPublicAccessBlock", AllResources, Read),
    entry("s3:ListAllMyBuckets", AllResources, Read),
    // Only *, but the call names the account (S3 Control's AccountId) and the reference lists s3:ResourceAccount
    // for it, so the account condition applies.
    entry("s3:PutAccountPublicAccessBlock", AllResources, Write),
    // AWS Security Hub: hub or hubv2 (GetFindingsV2 and BatchUpdateFindingsV2 are authorised by these two).
    entry("securityhub:GetFindings", Hubs, Read),
    entry("securityhub:BatchUpdateFindings", Hubs, Write),
    // Whether the new Security Hub is enabled (`--api auto` and `v2`): its hubv2, as AWS's managed policies give it.
    entry("securityhub:DescribeSecurityHubV2", HubV2, Read),
    // GetFindingStatisticsV2 (the header's counts) is authorised by GetAdhocInsightResults (its API reference).
    entry("securityhub:GetAdhocInsightResults", Hubs, Read),
    // AWS KMS: key*.
    entry("kms:DescribeKey", KmsKeys, Read),
    entry("kms:GetKeyRotationStatus", KmsKeys, Read),
    entry("kms:ListResourceTags", KmsKeys, Read),
    // Only *: the region's keys.
    entry("kms:ListKeys", AllResources, Read),
    entry("kms:DisableKeyRotation", KmsKeys, Write),
    entry("kms:EnableKeyRotation", KmsKeys, Write),
    entry("kms:TagResource", KmsKeys, Write),
    entry("kms:UntagResource", KmsKeys, Write),
    // AWS CloudTrail: trail*.
    entry("cloudtrail:GetTrail", Trails, Read),
    entry("cloudtrail:ListTags", Trails, Read),
    entry("cloudtrail:UpdateTrail", Trails, Write),
    entry("cloudtrail:AddTags", Trails, Write),
    entry("cloudtrail:RemoveTags", Trails, Write),
    // EBS snapshots: DescribeSnapshots has no resource type; the attribute calls take snapshot*.
    entry("ec2:DescribeSnapshots", AllResources, Read),
    entry("ec2:DescribeSnapshotAttribute", Snapshots, Read),
    entry("ec2:ModifySnapshotAttribute", Snapshots, Write),
    // Amazon RDS: snapshot* / cluster-snapshot*.
    entry("rds:DescribeDBClusterSnapshotAttributes", RdsSnapshots, Read),
    entry("rds:DescribeDBSnapshotAttributes", RdsSnapshots, Read),
    entry("rds:ListTagsForResource", RdsSnapshots, Read),
    entry("rds:ModifyDBClusterSnapshotAttribute", RdsSnapshots, Write),
    entry("rds:ModifyDBSnapshotAttribute", RdsSnapshots, Write),
    entry("rds:AddTagsToResource", RdsSnapshots, Write),
    entry("rds:RemoveTagsFromResource", RdsSnapshots, Write),
    // IAM: user*.
    entry("iam:GetAccessKeyLastUsed", IamUsers, Read),
    entry("iam:GetLoginProfile", IamUsers, Read),
    entry("iam:ListAccessKeys", IamUsers, Read),
    entry("iam:ListUserTags", IamUsers, Read),
    entry("iam:UpdateAccessKey", IamUsers, Write),
    entry("iam:TagUser", IamUsers, Write),
    entry("iam:UntagUser", IamUsers, Write),
    // Only *: the account's users and roles.
    entry("iam:ListRoles", AllResources, Read),
    entry("iam:ListUsers", AllResources, Read),
    // IAM: role*.
    entry("iam:ListRoleTags", IamRoles, Read),
    entry("iam:TagRole", IamRoles, Write),
    entry("iam:UntagRole", IamRoles, Write),
    // Only *.
    entry("sts:GetCallerIdentity", AllResources, Read),
    entry("tag:GetResources", AllResources, Read),
];

/// The scope of `action`; `None` for an action the table does not know (the policy then allows it on `"*"` as a
/// change, which the tests of scoping refuse).
pub fn scope_of(action: &str) -> Option<&'static ActionScope> {
    ACTIONS.iter().find(|a| a.action == action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_listed_once_and_writes_on_star_are_the_known_ones() {
        let mut names: Vec<&str> = ACTIONS.iter().map(|a| a.action).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "an action is listed twice");
        let star_writes: Vec<&str> =
            ACTIONS.iter().filter(|a| a.scope == AllResources && a.access != Read).map(|a| a.action).collect();
        assert_eq!(
            star_writes,
            ["ec2:DisableEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault", "s3:PutAccountPublicAccessBlock"]
        );
    }

    #[test]
    fn taggable_ec2_resources_include_groups_and_instances_but_not_everything() {
        let arns = Ec2Taggable.resources();
        assert!(arns.contains(&"arn:aws:ec2:*:*:security-group/*".to_string()), "{arns:?}");
        assert!(arns.contains(&"arn:aws:ec2:*:*:instance/*".to_string()), "{arns:?}");
        assert!(arns.iter().all(|a| a != "*" && !a.ends_with(":*/*")), "{arns:?}");
    }
}
