//! Which IAM actions an operation on the wire needs, on which resource, with which condition keys — written by hand
//! from AWS's Service Authorization Reference and the API references ("To use this operation, you must have …"),
//! never from the product's code: a policy that forgets an action, or scopes it to the wrong resource, fails here.

use super::eval::Request;
use super::wire_ops::WireOp;

/// Who made the call, and who owns the buckets the calls name.
pub struct Context<'a> {
    /// The account of the credentials that signed the request.
    pub caller_account: String,
    /// The owner of a bucket (bucket names are global: the owner is not in the ARN).
    pub bucket_owner: &'a dyn Fn(&str) -> Option<String>,
}

/// The ARN type of an EC2 resource id, from its prefix (the Service Authorization Reference's EC2 resource types).
fn ec2_arn_type(id: &str) -> &'static str {
    const PREFIXES: &[(&str, &str)] = &[
        ("sg-", "security-group"),
        ("i-", "instance"),
        ("vol-", "volume"),
        ("vpc-", "vpc"),
        ("subnet-", "subnet"),
        ("acl-", "network-acl"),
        ("eni-", "network-interface"),
        ("eipalloc-", "elastic-ip"),
        ("lt-", "launch-template"),
        ("rtb-", "route-table"),
        ("tgw-", "transit-gateway"),
        ("pcx-", "vpc-peering-connection"),
        ("vpn-", "vpn-connection"),
        ("cvpn-endpoint-", "client-vpn-endpoint"),
        ("vpce-svc-", "vpc-endpoint-service"),
    ];
    // Longest prefix first: `vpce-svc-` before `vpc-`.
    let mut best: Option<(&str, &str)> = None;
    for (prefix, kind) in PREFIXES {
        if id.starts_with(prefix) && best.is_none_or(|(p, _)| prefix.len() > p.len()) {
            best = Some((prefix, kind));
        }
    }
    best.map_or("unknown-resource-type", |(_, kind)| kind)
}

/// Everything `op` needs, or `None` when the table has no entry for it (the test then fails with its name).
pub fn needs(op: &WireOp, ctx: &Context<'_>) -> Option<Vec<Request>> {
    let (region, account) = (op.region.as_str(), ctx.caller_account.as_str());
    let mine = |action: &str, resource: String| {
        Request::new(action, &resource).with("aws:PrincipalAccount", &[account]).with("aws:ResourceAccount", &[account])
    };
    let anywhere = |action: &str| mine(action, "*".into());
    let bucket = |action: &str| {
        let name = op.bucket.clone().unwrap_or_default();
        let owner = (ctx.bucket_owner)(&name).unwrap_or_else(|| "unknown-owner".into());
        Request::new(action, &format!("arn:aws:s3:::{name}"))
            .with("aws:PrincipalAccount", &[account])
            .with("aws:ResourceAccount", &[&owner])
    };
    let group = |action: &str| {
        let id = op.param("GroupId").unwrap_or_default();
        mine(action, format!("arn:aws:ec2:{region}:{account}:security-group/{id}"))
    };
    let hub = |action: &str| mine(action, format!("arn:aws:securityhub:{region}:{account}:hub/default"));
    let one = |r: Request| Some(vec![r]);
    match (op.service.as_str(), op.operation.as_str()) {
        // AWS STS: GetCallerIdentity has no resource type; AssumeRole takes the role.
        ("sts", "GetCallerIdentity") => one(anywhere("sts:GetCallerIdentity")),
        ("sts", "AssumeRole") => one(Request::new("sts:AssumeRole", op.param("RoleArn").unwrap_or_default())
            .with("aws:PrincipalAccount", &[account])),
        // Security Hub: the hub of the account and region. The V2 operations are authorised by the same two
        // actions (the reference links GetFindings to API_GetFindingsV2, BatchUpdateFindings to
        // API_BatchUpdateFindingsV2).
        ("securityhub", "GetFindings" | "GetFindingsV2") => one(hub("securityhub:GetFindings")),
        ("securityhub", "BatchUpdateFindings" | "BatchUpdateFindingsV2") => one(hub("securityhub:BatchUpdateFindings")),
        // GetFindingStatisticsV2: "uses securityhub:GetAdhocInsightResults in the Action element".
        ("securityhub", "GetFindingStatisticsV2") => one(hub("securityhub:GetAdhocInsightResults")),
        // DescribeSecurityHubV2 is its own action, on the account's hubv2 (as AWS's managed policies allow it).
        ("securityhub", "DescribeSecurityHubV2") => one(mine(
            "securityhub:DescribeSecurityHubV2",
            format!("arn:aws:securityhub:{region}:{account}:hubv2/default"),
        )),
        // S3 bucket operations. The IAM names differ from the API names: the API reference of each operation says
        // which permission it needs.
        ("s3", "GetPublicAccessBlock") => one(bucket("s3:GetBucketPublicAccessBlock")),
        // Creating and deleting the bucket's configuration both need s3:PutBucketPublicAccessBlock.
        ("s3", "PutPublicAccessBlock" | "DeletePublicAccessBlock") => one(bucket("s3:PutBucketPublicAccessBlock")),
        ("s3", "GetBucketEncryption") => one(bucket("s3:GetEncryptionConfiguration")),
        // DeleteBucketEncryption: "you must have the s3:PutEncryptionConfiguration permission".
        ("s3", "PutBucketEncryption" | "DeleteBucketEncryption") => one(bucket("s3:PutEncryptionConfiguration")),
        ("s3", "GetBucketPolicy") => one(bucket("s3:GetBucketPolicy")),
        ("s3", "PutBucketPolicy") => one(bucket("s3:PutBucketPolicy")),
        ("s3", "DeleteBucketPolicy") => one(bucket("s3:DeleteBucketPolicy")),
        ("s3", "GetBucketPolicyStatus") => one(bucket("s3:GetBucketPolicyStatus")),
        ("s3", "GetBucketTagging") => one(bucket("s3:GetBucketTagging")),
        // DeleteBucketTagging: "you must have permission to perform the s3:PutBucketTagging action".
        ("s3", "PutBucketTagging" | "DeleteBucketTagging") => one(bucket("s3:PutBucketTagging")),
        ("s3", "GetBucketLocation") => one(bucket("s3:GetBucketLocation")),
        // HeadBucket: "you must have permissions to perform the s3:ListBucket action".
        ("s3", "HeadBucket") => one(bucket("s3:ListBucket")),
        // ListBuckets is s3:ListAllMyBuckets, which has no resource type.
        ("s3", "ListBuckets") => one(anywhere("s3:ListAllMyBuckets")),
        // S3 Control's account-level Block Public Access: s3:GetAccountPublicAccessBlock and (for Put and Delete)
        // s3:PutAccountPublicAccessBlock, no resource type; the account is the x-amz-account-id header.
        ("s3control", "GetPublicAccessBlock" | "PutPublicAccessBlock" | "DeletePublicAccessBlock") => {
            let action = if op.operation.starts_with("Get") {
                "s3:GetAccountPublicAccessBlock"
            } else {
                "s3:PutAccountPublicAccessBlock"
            };
            let target = op.account_header.clone().unwrap_or_else(|| "no-account-header".into());
            one(Request::new(action, "*")
                .with("aws:PrincipalAccount", &[account])
                .with("aws:ResourceAccount", &[&target]))
        }
        // EC2 reads (List level): no resource type.
        (
            "ec2",
            name @ ("DescribeSecurityGroups"
            | "DescribeSecurityGroupRules"
            | "DescribeInstances"
            | "DescribeTags"
            | "GetEbsEncryptionByDefault"),
        ) => one(anywhere(&format!("ec2:{name}"))),
        // The account-wide EBS default has no resource type.
        ("ec2", name @ ("EnableEbsEncryptionByDefault" | "DisableEbsEncryptionByDefault")) => {
            one(anywhere(&format!("ec2:{name}")))
        }
        // Security group rules: security-group* (security-group-rule only with TagSpecifications, never sent).
        (
            "ec2",
            name @ ("RevokeSecurityGroupIngress"
            | "RevokeSecurityGroupEgress"
            | "AuthorizeSecurityGroupIngress"
            | "AuthorizeSecurityGroupEgress"),
        ) => one(group(&format!("ec2:{name}"))),
        ("ec2", "ModifyInstanceMetadataOptions") => {
            let id = op.param("InstanceId").unwrap_or_default();
            one(mine("ec2:ModifyInstanceMetadataOptions", format!("arn:aws:ec2:{region}:{account}:instance/{id}")))
        }
        // Tags: every resource named, with the keys of the request as aws:TagKeys.
        ("ec2", name @ ("CreateTags" | "DeleteTags")) => {
            let keys = op.params_numbered("Tag.", ".Key");
            Some(
                op.params_numbered("ResourceId.", "")
                    .iter()
                    .map(|id| {
                        let arn = format!("arn:aws:ec2:{region}:{account}:{}/{id}", ec2_arn_type(id));
                        let r = mine(&format!("ec2:{name}"), arn);
                        if keys.is_empty() {
                            r
                        } else {
                            r.with("aws:TagKeys", &keys)
                        }
                    })
                    .collect(),
            )
        }
        // EBS snapshots: DescribeSnapshots has no resource type; the attribute calls take snapshot* (snapshot ARNs
        // name no account; its owner is the resource account).
        ("ec2", "DescribeSnapshots") => one(anywhere("ec2:DescribeSnapshots")),
        ("ec2", name @ ("DescribeSnapshotAttribute" | "ModifySnapshotAttribute")) => {
            let id = op.param("SnapshotId").unwrap_or_default();
            one(mine(&format!("ec2:{name}"), format!("arn:aws:ec2:{region}::snapshot/{id}")))
        }
        // AWS KMS (JSON protocol): key*; KeyId may be an id or an ARN.
        (
            "kms",
            name @ ("DescribeKey"
            | "GetKeyRotationStatus"
            | "ListResourceTags"
            | "EnableKeyRotation"
            | "DisableKeyRotation"),
        ) => {
            let key = op.json.as_ref().and_then(|j| j["KeyId"].as_str()).unwrap_or_default().to_string();
            let arn = if key.starts_with("arn:") { key } else { format!("arn:aws:kms:{region}:{account}:key/{key}") };
            one(mine(&format!("kms:{name}"), arn))
        }
        // KMS tags: key*, with the keys of the request as aws:TagKeys.
        ("kms", name @ ("TagResource" | "UntagResource")) => {
            let json = op.json.clone().unwrap_or_default();
            let key = json["KeyId"].as_str().unwrap_or_default().to_string();
            let arn = if key.starts_with("arn:") { key } else { format!("arn:aws:kms:{region}:{account}:key/{key}") };
            let keys: Vec<&str> = match name {
                "TagResource" => {
                    json["Tags"].as_array().into_iter().flatten().filter_map(|t| t["TagKey"].as_str()).collect()
                }
                _ => json["TagKeys"].as_array().into_iter().flatten().filter_map(|k| k.as_str()).collect(),
            };
            one(mine(&format!("kms:{name}"), arn).with("aws:TagKeys", &keys))
        }
        // CloudTrail tags: trail*, with the keys of the request as aws:TagKeys.
        ("cloudtrail", name @ ("AddTags" | "RemoveTags")) => {
            let json = op.json.clone().unwrap_or_default();
            let trail = json["ResourceId"].as_str().unwrap_or_default().to_string();
            let keys: Vec<&str> =
                json["TagsList"].as_array().into_iter().flatten().filter_map(|t| t["Key"].as_str()).collect();
            one(mine(&format!("cloudtrail:{name}"), trail).with("aws:TagKeys", &keys))
        }
        // AWS CloudTrail (JSON protocol): trail*, named by its ARN.
        ("cloudtrail", name @ ("GetTrail" | "UpdateTrail")) => {
            let trail = op.json.as_ref().and_then(|j| j["Name"].as_str()).unwrap_or_default().to_string();
            one(mine(&format!("cloudtrail:{name}"), trail))
        }
        ("cloudtrail", "ListTags") => {
            let json = op.json.clone().unwrap_or_default();
            let trails = json["ResourceIdList"].as_array().cloned().unwrap_or_default();
            Some(trails.iter().map(|t| mine("cloudtrail:ListTags", t.as_str().unwrap_or_default().into())).collect())
        }
        // Amazon RDS: snapshot* or cluster-snapshot*.
        ("rds", name @ ("DescribeDBSnapshotAttributes" | "ModifyDBSnapshotAttribute")) => {
            let id = op.param("DBSnapshotIdentifier").unwrap_or_default();
            one(mine(&format!("rds:{name}"), format!("arn:aws:rds:{region}:{account}:snapshot:{id}")))
        }
        ("rds", name @ ("DescribeDBClusterSnapshotAttributes" | "ModifyDBClusterSnapshotAttribute")) => {
            let id = op.param("DBClusterSnapshotIdentifier").unwrap_or_default();
            one(mine(&format!("rds:{name}"), format!("arn:aws:rds:{region}:{account}:cluster-snapshot:{id}")))
        }
        // RDS tags: the snapshot named by its ARN, with the keys of the request as aws:TagKeys.
        ("rds", name @ ("AddTagsToResource" | "RemoveTagsFromResource")) => {
            let keys = if name == "AddTagsToResource" {
                op.params_numbered("Tags.Tag.", ".Key")
            } else {
                op.params_numbered("TagKeys.member.", "")
            };
            one(mine(&format!("rds:{name}"), op.param("ResourceName").unwrap_or_default().into())
                .with("aws:TagKeys", &keys))
        }
        ("rds", "ListTagsForResource") => {
            one(mine("rds:ListTagsForResource", op.param("ResourceName").unwrap_or_default().into()))
        }
        // IAM: user*. GetAccessKeyLastUsed names only the key: the resource is the user that owns it.
        ("iam", name @ ("ListAccessKeys" | "GetLoginProfile" | "ListUserTags" | "UpdateAccessKey")) => {
            let user = op.param("UserName").unwrap_or_default();
            one(mine(&format!("iam:{name}"), format!("arn:aws:iam::{account}:user/{user}")))
        }
        // IAM tags: user* or role*, with the keys of the request as aws:TagKeys.
        ("iam", name @ ("TagUser" | "UntagUser" | "TagRole" | "UntagRole")) => {
            let (param, kind) = if name.ends_with("User") { ("UserName", "user") } else { ("RoleName", "role") };
            let who = op.param(param).unwrap_or_default();
            let keys = if name.starts_with("Tag") {
                op.params_numbered("Tags.member.", ".Key")
            } else {
                op.params_numbered("TagKeys.member.", "")
            };
            one(mine(&format!("iam:{name}"), format!("arn:aws:iam::{account}:{kind}/{who}")).with("aws:TagKeys", &keys))
        }
        ("iam", name @ ("ListUsers" | "ListRoles")) => one(anywhere(&format!("iam:{name}"))),
        ("kms", "ListKeys") => one(anywhere("kms:ListKeys")),
        ("iam", "ListRoleTags") => {
            let role = op.param("RoleName").unwrap_or_default();
            one(mine("iam:ListRoleTags", format!("arn:aws:iam::{account}:role/{role}")))
        }
        ("iam", "GetAccessKeyLastUsed") => {
            let key = op.param("AccessKeyId").unwrap_or_default();
            one(mine("iam:GetAccessKeyLastUsed", format!("arn:aws:iam::{account}:user/owner-of-{key}")))
        }
        // Resource Groups Tagging API: no resource type.
        ("tagging", "GetResources") => one(anywhere("tag:GetResources")),
        // SNS: the topic; its owner is the account in its ARN.
        ("sns", "Publish") => {
            let topic = op.param("TopicArn").unwrap_or_default();
            let owner = topic.split(':').nth(4).unwrap_or_default();
            one(Request::new("sns:Publish", topic)
                .with("aws:PrincipalAccount", &[account])
                .with("aws:ResourceAccount", &[owner]))
        }
        // SSM: StartAutomationExecution requires the document and the new automation-execution, and takes the
        // automation-definition (name:$DEFAULT without a version). AWS-owned documents have no account in their
        // ARN. Passing AutomationAssumeRole needs iam:PassRole of that role to SSM.
        ("ssm", "StartAutomationExecution") => {
            let json = op.json.clone().unwrap_or_default();
            let document = json["DocumentName"].as_str().unwrap_or_default().to_string();
            let (document_arn, definition_arn) = if document.starts_with("arn:") {
                let definition = document.replacen(":document/", ":automation-definition/", 1);
                (document.clone(), format!("{definition}:$DEFAULT"))
            } else {
                let owner = if document.starts_with("AWS") { "" } else { account };
                (
                    format!("arn:aws:ssm:{region}:{owner}:document/{document}"),
                    format!("arn:aws:ssm:{region}:{owner}:automation-definition/{document}:$DEFAULT"),
                )
            };
            let start = |resource: &str| {
                Request::new("ssm:StartAutomationExecution", resource).with("aws:PrincipalAccount", &[account])
            };
            let mut all = vec![
                start(&document_arn),
                start(&definition_arn),
                start(&format!(
                    "arn:aws:ssm:{region}:{account}:automation-execution/00000000-0000-0000-0000-000000000000"
                )),
            ];
            for role in json["Parameters"]["AutomationAssumeRole"].as_array().into_iter().flatten() {
                all.push(
                    Request::new("iam:PassRole", role.as_str().unwrap_or_default())
                        .with("aws:PrincipalAccount", &[account])
                        .with("iam:PassedToService", &["ssm.amazonaws.com"]),
                );
            }
            Some(all)
        }
        ("ssm", "GetAutomationExecution") => {
            let id = op.json.as_ref().and_then(|j| j["AutomationExecutionId"].as_str()).unwrap_or_default().to_string();
            one(mine("ssm:GetAutomationExecution", format!("arn:aws:ssm:{region}:{account}:automation-execution/{id}")))
        }
        _ => None,
    }
}
