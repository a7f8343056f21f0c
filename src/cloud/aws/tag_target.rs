//! Which resource a tag change (exceptions) is made on, from the ARN or plain id a finding gives: an S3 bucket, an
//! EC2 resource, a KMS key, an IAM user or role.

use crate::cloud::CloudError;

/// What a tag change is made on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TagTarget {
    Bucket(String),
    /// An EC2 resource id (`sg-…`, `i-…`, `vol-…`).
    Ec2(String),
    /// A KMS key id (`1234abcd-…`, `mrk-…`; TagResource takes no alias).
    KmsKey(String),
    /// An IAM user name (IAM is global: the region is not checked).
    IamUser(String),
    /// An IAM role name.
    IamRole(String),
    /// An RDS DB snapshot or DB cluster snapshot, by ARN (RDS tags take the ARN).
    RdsSnapshot(String),
    /// A CloudTrail trail, by ARN, and its home region (the only one that can change its tags).
    Trail {
        arn: String,
        home_region: String,
    },
}

/// The partition of a region (`cn-…` China, `us-gov-…` GovCloud), for ARNs built from a plain id.
fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The bucket or EC2 id of a resource given as an ARN or a plain id; refuses types that cannot carry tags here
/// and ARNs of another account or region than the one the change is made in.
pub(super) fn tag_target(
    resource_type: &str,
    resource_id: &str,
    account_id: &str,
    region: &str,
) -> Result<TagTarget, CloudError> {
    let id = resource_id.trim();
    let bad = |why: &str| CloudError::Other(format!("{resource_type} {resource_id:?}: {why}"));
    let arn: Option<Vec<&str>> = id.starts_with("arn:").then(|| id.splitn(6, ':').collect());
    if let Some(parts) = &arn {
        if parts.len() != 6 {
            return Err(bad("not an ARN"));
        }
    }
    if resource_type == "AwsS3Bucket" {
        let name = match &arn {
            Some(parts) if parts[2] == "s3" => parts[5],
            Some(_) => return Err(bad("not an S3 bucket ARN")),
            None => id,
        };
        if name.is_empty() || name.contains(['/', ':', ' ']) {
            return Err(bad("not a bucket name"));
        }
        return Ok(TagTarget::Bucket(name.to_string()));
    }
    if let Some(target) = service_target(resource_type, id, arn.as_deref(), account_id, region)? {
        return Ok(target);
    }
    if let Some(target) = arn_target(resource_type, id, arn.as_deref(), account_id, region)? {
        return Ok(target);
    }
    if !resource_type.starts_with("AwsEc2") || resource_type == "AwsEc2Account" {
        return Err(CloudError::Unsupported(format!("{resource_type} resources cannot carry tags here")));
    }
    let ec2_id = match &arn {
        Some(parts) => {
            if parts[2] != "ec2" {
                return Err(bad("not an EC2 ARN"));
            }
            if !parts[3].is_empty() && parts[3] != region {
                return Err(bad(&format!("the resource is in region {}, not {region}", parts[3])));
            }
            if !parts[4].is_empty() && parts[4] != account_id {
                return Err(bad(&format!("the resource is in account {}, not {account_id}", parts[4])));
            }
            parts[5].rsplit('/').next().unwrap_or_default()
        }
        None => id,
    };
    let looks_like_id = ec2_id.split_once('-').is_some_and(|(prefix, rest)| {
        !prefix.is_empty() && !rest.is_empty() && ec2_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if !looks_like_id {
        return Err(bad("no EC2 resource id (like sg-0123 or i-0123) in it"));
    }
    Ok(TagTarget::Ec2(ec2_id.to_string()))
}

/// An RDS snapshot or CloudTrail trail, named by ARN; `None` for other types.
fn arn_target(
    resource_type: &str,
    id: &str,
    arn: Option<&[&str]>,
    account_id: &str,
    region: &str,
) -> Result<Option<TagTarget>, CloudError> {
    let bad = |why: &str| CloudError::Other(format!("{resource_type} {id:?}: {why}"));
    let service = match resource_type {
        "AwsRdsDbSnapshot" | "AwsRdsDbClusterSnapshot" => "rds",
        "AwsCloudTrailTrail" => "cloudtrail",
        _ => return Ok(None),
    };
    let name_ok = |name: &str| {
        !name.is_empty() && name.len() <= 255 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    };
    let Some(parts) = arn else {
        if !name_ok(id) {
            return Err(bad("not a name or ARN"));
        }
        let p = partition_of(region);
        return Ok(Some(match resource_type {
            "AwsRdsDbSnapshot" => TagTarget::RdsSnapshot(format!("arn:{p}:rds:{region}:{account_id}:snapshot:{id}")),
            "AwsRdsDbClusterSnapshot" => {
                TagTarget::RdsSnapshot(format!("arn:{p}:rds:{region}:{account_id}:cluster-snapshot:{id}"))
            }
            _ => TagTarget::Trail {
                arn: format!("arn:{p}:cloudtrail:{region}:{account_id}:trail/{id}"),
                home_region: region.to_string(),
            },
        }));
    };
    if parts[2] != service {
        return Err(bad(&format!("not an {} ARN", if service == "rds" { "RDS" } else { "CloudTrail" })));
    }
    if parts[4] != account_id {
        return Err(bad(&format!("the resource is in account {}, not {account_id}", parts[4])));
    }
    let name = if service == "rds" {
        if parts[3] != region {
            return Err(bad(&format!("the resource is in region {}, not {region}", parts[3])));
        }
        parts[5].strip_prefix("snapshot:").or_else(|| parts[5].strip_prefix("cluster-snapshot:"))
    } else {
        parts[5].strip_prefix("trail/")
    };
    if !name.is_some_and(name_ok) || parts[3].is_empty() {
        return Err(bad("no snapshot or trail name in it"));
    }
    Ok(Some(if service == "rds" {
        TagTarget::RdsSnapshot(id.to_string())
    } else {
        // A trail is changed in its home region, which its ARN names.
        TagTarget::Trail { arn: id.to_string(), home_region: parts[3].to_string() }
    }))
}

/// A KMS key, IAM user or role; `None` for other types.
fn service_target(
    resource_type: &str,
    id: &str,
    arn: Option<&[&str]>,
    account_id: &str,
    region: &str,
) -> Result<Option<TagTarget>, CloudError> {
    let bad = |why: &str| CloudError::Other(format!("{resource_type} {id:?}: {why}"));
    let (service, make): (&str, fn(String) -> TagTarget) = match resource_type {
        "AwsKmsKey" => ("kms", TagTarget::KmsKey),
        "AwsIamUser" => ("iam", TagTarget::IamUser),
        "AwsIamRole" => ("iam", TagTarget::IamRole),
        _ => return Ok(None),
    };
    let name = match arn {
        Some(parts) => {
            if parts[2] != service {
                return Err(bad(&format!("not a {} ARN", service.to_ascii_uppercase())));
            }
            // IAM ARNs name no region.
            if service == "kms" && !parts[3].is_empty() && parts[3] != region {
                return Err(bad(&format!("the resource is in region {}, not {region}", parts[3])));
            }
            if !parts[4].is_empty() && parts[4] != account_id {
                return Err(bad(&format!("the resource is in account {}, not {account_id}", parts[4])));
            }
            let (kind, rest) = parts[5].split_once('/').unwrap_or((parts[5], ""));
            let wanted = match resource_type {
                "AwsKmsKey" => "key",
                "AwsIamUser" => "user",
                _ => "role",
            };
            if kind != wanted {
                return Err(bad(&format!("not a {wanted} ARN")));
            }
            // IAM paths (`user/division/name`): the name is the last part.
            rest.rsplit('/').next().unwrap_or_default()
        }
        None => id,
    };
    let valid = match service {
        // Key ids are a UUID or `mrk-` and hex.
        "kms" => {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') || {
                name.strip_prefix("mrk-").is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
            }
        }
        // IAM names: letters, digits and +=,.@_-, at most 128 (users 64).
        _ => {
            !name.is_empty()
                && name.len() <= 128
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
        }
    };
    if !valid {
        let what = if service == "kms" { "no KMS key id (aliases cannot be tagged)" } else { "no IAM name" };
        return Err(bad(&format!("{what} in it")));
    }
    Ok(Some(make(name.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "222222222222";
    const REGION: &str = "eu-west-1";

    fn target(kind: &str, id: &str) -> Result<TagTarget, CloudError> {
        tag_target(kind, id, ACCOUNT, REGION)
    }

    #[test]
    fn targets_come_from_arns_and_plain_ids() {
        assert_eq!(target("AwsS3Bucket", "arn:aws:s3:::logs").expect("accepted"), TagTarget::Bucket("logs".into()));
        assert_eq!(target("AwsS3Bucket", "logs").expect("accepted"), TagTarget::Bucket("logs".into()));
        assert!(target("AwsS3Bucket", "arn:aws:s3:::logs/key").is_err());
        let sg = format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-0abc");
        assert_eq!(target("AwsEc2SecurityGroup", &sg).expect("accepted"), TagTarget::Ec2("sg-0abc".into()));
        let i = format!("arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0def");
        assert_eq!(target("AwsEc2Instance", &i).expect("accepted"), TagTarget::Ec2("i-0def".into()));
        assert_eq!(target("AwsEc2Volume", "vol-1").expect("accepted"), TagTarget::Ec2("vol-1".into()));
    }

    #[test]
    fn kms_keys_and_iam_users_and_roles_are_targets() {
        let key = format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab");
        assert_eq!(
            target("AwsKmsKey", &key).expect("accepted"),
            TagTarget::KmsKey("1234abcd-12ab-34cd-56ef-1234567890ab".into())
        );
        assert_eq!(target("AwsKmsKey", "mrk-0abc").expect("accepted"), TagTarget::KmsKey("mrk-0abc".into()));
        assert!(target("AwsKmsKey", &format!("arn:aws:kms:{REGION}:{ACCOUNT}:alias/prod")).is_err());
        assert!(target("AwsKmsKey", "alias/prod").is_err());
        let elsewhere = format!("arn:aws:kms:us-west-2:{ACCOUNT}:key/1234");
        assert!(target("AwsKmsKey", &elsewhere).expect_err("refused").to_string().contains("us-west-2"));
        let user = format!("arn:aws:iam::{ACCOUNT}:user/ops/deploy-bot");
        assert_eq!(target("AwsIamUser", &user).expect("accepted"), TagTarget::IamUser("deploy-bot".into()));
        assert_eq!(target("AwsIamUser", "alice").expect("accepted"), TagTarget::IamUser("alice".into()));
        let role = format!("arn:aws:iam::{ACCOUNT}:role/service-role/ci");
        assert_eq!(target("AwsIamRole", &role).expect("accepted"), TagTarget::IamRole("ci".into()));
        assert!(target("AwsIamRole", &user).expect_err("refused").to_string().contains("not a role ARN"));
        assert!(target("AwsIamUser", "arn:aws:iam::333333333333:user/x")
            .expect_err("refused")
            .to_string()
            .contains("333333333333"));
        assert!(target("AwsIamUser", "bob; rm").is_err());
    }

    #[test]
    fn rds_snapshots_and_trails_are_named_by_arn() {
        let snap = format!("arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:nightly-1");
        assert_eq!(target("AwsRdsDbSnapshot", &snap).expect("accepted"), TagTarget::RdsSnapshot(snap.clone()));
        assert_eq!(target("AwsRdsDbSnapshot", "nightly-1").expect("accepted"), TagTarget::RdsSnapshot(snap));
        assert_eq!(
            target("AwsRdsDbClusterSnapshot", "c-1").expect("accepted"),
            TagTarget::RdsSnapshot(format!("arn:aws:rds:{REGION}:{ACCOUNT}:cluster-snapshot:c-1"))
        );
        assert!(target("AwsRdsDbSnapshot", &format!("arn:aws:rds:us-west-2:{ACCOUNT}:snapshot:s")).is_err());
        let trail = format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org");
        assert_eq!(
            target("AwsCloudTrailTrail", &trail).expect("accepted"),
            TagTarget::Trail { arn: trail, home_region: "us-east-1".into() }
        );
        assert_eq!(
            tag_target("AwsCloudTrailTrail", "org", ACCOUNT, "cn-north-1").expect("accepted"),
            TagTarget::Trail {
                arn: format!("arn:aws-cn:cloudtrail:cn-north-1:{ACCOUNT}:trail/org"),
                home_region: "cn-north-1".into()
            }
        );
        assert!(target("AwsCloudTrailTrail", "arn:aws:cloudtrail:us-east-1:333333333333:trail/org").is_err());
        assert!(target("AwsCloudTrailTrail", "a trail").is_err());
    }

    #[test]
    fn other_types_and_foreign_arns_are_refused() {
        let e = target("AwsAccount", ACCOUNT).expect_err("refused");
        assert_eq!(e, CloudError::Unsupported("AwsAccount resources cannot carry tags here".into()));
        assert!(matches!(
            target("AwsLambdaFunction", "arn:aws:lambda:eu-west-1:1:function:x"),
            Err(CloudError::Unsupported(_))
        ));
        let other_region = format!("arn:aws:ec2:us-west-2:{ACCOUNT}:security-group/sg-1");
        assert!(target("AwsEc2SecurityGroup", &other_region).expect_err("refused").to_string().contains("us-west-2"));
        let other_account = format!("arn:aws:ec2:{REGION}:333333333333:security-group/sg-1");
        assert!(target("AwsEc2SecurityGroup", &other_account)
            .expect_err("refused")
            .to_string()
            .contains("333333333333"));
        assert!(target("AwsEc2SecurityGroup", "").is_err());
        assert!(target("AwsEc2SecurityGroup", "sg-1 --all").is_err());
    }
}
