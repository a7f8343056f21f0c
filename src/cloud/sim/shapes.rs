//! ASFF `Resources[]` entries for the simulated resources, with `Details` shaped as Security Hub shapes them.

use super::envelope::ts;
use super::org::{Place, SimBucket, SimDatabase, SimGroup, SimImage, SimInstance, SimKey, SimUser};
use super::rng::stable_hex;
use crate::playbook::{BucketPublicAccessBlock, SecurityGroupRule};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub(super) fn resource(
    kind: &str,
    id: &str,
    region: &str,
    tags: Option<&BTreeMap<String, String>>,
    details: Value,
) -> Value {
    let mut r = json!({ "Type": kind, "Id": id, "Partition": "aws", "Region": region });
    if let Some(tags) = tags.filter(|t| !t.is_empty()) {
        r["Tags"] = json!(tags);
    }
    if !details.is_null() {
        r["Details"] = details;
    }
    r
}

/// `arn:aws:s3:::<name>`.
pub(super) fn bucket_arn(name: &str) -> String {
    format!("arn:aws:s3:::{name}")
}

/// `AwsS3Bucket`, with the Block Public Access configuration when the bucket has one.
pub(super) fn bucket(place: &Place, b: &SimBucket) -> Value {
    let s = &b.state;
    let mut d = json!({
        "Name": s.name,
        "OwnerId": stable_hex(place.seed, &["canonical", &place.account_id], 64),
        "OwnerAccountId": place.account_id,
        "CreatedAt": ts(b.created_at),
    });
    if let BucketPublicAccessBlock::Configured(c) = s.public_access_block {
        d["PublicAccessBlockConfiguration"] = json!({
            "BlockPublicAcls": c.block_public_acls,
            "IgnorePublicAcls": c.ignore_public_acls,
            "BlockPublicPolicy": c.block_public_policy,
            "RestrictPublicBuckets": c.restrict_public_buckets,
        });
    }
    if let Some(algorithm) = &s.encryption {
        let mut by_default = json!({ "SSEAlgorithm": algorithm });
        if let Some(key) = &s.encryption_kms_key {
            by_default["KMSMasterKeyID"] = key.clone().into();
        }
        d["ServerSideEncryptionConfiguration"] = json!({"Rules": [{"ApplyServerSideEncryptionByDefault": by_default}]});
    }
    if let Some(target) = &b.logging_target {
        d["BucketLoggingConfiguration"] =
            json!({"DestinationBucketName": target, "LogFilePrefix": format!("{}/", s.name)});
    }
    resource("AwsS3Bucket", &bucket_arn(&s.name), &s.region, Some(&s.tags), json!({ "AwsS3Bucket": d }))
}

/// `arn:aws:ec2:<region>:<account>:security-group/<id>`.
pub(super) fn group_arn(place: &Place, group_id: &str) -> String {
    format!("arn:aws:ec2:{}:{}:security-group/{group_id}", place.region, place.account_id)
}

/// One ASFF `IpPermission` per (protocol, ports), holding every source of the rules that share them.
fn ip_permissions(place: &Place, rules: &[&SecurityGroupRule]) -> Vec<Value> {
    // (protocol, from, to) → the permission that gathers its sources.
    type Ports = (String, i32, i32);
    let mut out: Vec<(Ports, Map<String, Value>)> = Vec::new();
    for r in rules {
        let key = (r.protocol.clone(), r.from_port, r.to_port);
        let index = match out.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                let mut p = Map::new();
                p.insert("IpProtocol".into(), r.protocol.clone().into());
                if r.protocol != "-1" {
                    p.insert("FromPort".into(), r.from_port.into());
                    p.insert("ToPort".into(), r.to_port.into());
                }
                out.push((key, p));
                out.len() - 1
            }
        };
        let p = &mut out[index].1;
        let (list, entry) = match (&r.cidr_ipv4, &r.cidr_ipv6, &r.referenced_group) {
            (Some(c), _, _) => ("IpRanges", json!({ "CidrIp": c })),
            (_, Some(c), _) => ("Ipv6Ranges", json!({ "CidrIpv6": c })),
            (_, _, Some(g)) => ("UserIdGroupPairs", json!({ "GroupId": g, "UserId": place.account_id })),
            _ => continue,
        };
        if let Value::Array(items) = p.entry(list).or_insert_with(|| json!([])) {
            items.push(entry);
        }
    }
    out.into_iter().map(|(_, p)| Value::Object(p)).collect()
}

/// `AwsEc2SecurityGroup` with its ingress and egress permissions.
pub(super) fn group(place: &Place, g: &SimGroup) -> Value {
    let s = &g.state;
    let ingress: Vec<&SecurityGroupRule> = s.rules.iter().filter(|r| !r.is_egress).collect();
    let egress: Vec<&SecurityGroupRule> = s.rules.iter().filter(|r| r.is_egress).collect();
    let mut d = json!({
        "GroupName": s.group_name,
        "GroupId": s.group_id,
        "OwnerId": place.account_id,
        "IpPermissions": ip_permissions(place, &ingress),
        "IpPermissionsEgress": ip_permissions(place, &egress),
    });
    if let Some(vpc) = &s.vpc_id {
        d["VpcId"] = vpc.clone().into();
    }
    resource(
        "AwsEc2SecurityGroup",
        &group_arn(place, &s.group_id),
        &s.region,
        Some(&s.tags),
        json!({ "AwsEc2SecurityGroup": d }),
    )
}

/// `arn:aws:ec2:<region>:<account>:instance/<id>`.
pub(super) fn instance_arn(place: &Place, id: &str) -> String {
    format!("arn:aws:ec2:{}:{}:instance/{id}", place.region, place.account_id)
}

/// `AwsEc2Instance`.
pub(super) fn instance(place: &Place, i: &SimInstance) -> Value {
    let mut d = json!({
        "Type": i.instance_type,
        "ImageId": i.image_id,
        "IpV4Addresses": [i.private_ip],
        "VpcId": i.vpc_id,
        "SubnetId": i.subnet_id,
        "LaunchedAt": ts(i.launched_at),
        "MetadataOptions": {
            "HttpEndpoint": "enabled",
            "HttpTokens": if i.imdsv2_required { "required" } else { "optional" },
            "HttpPutResponseHopLimit": if i.imdsv2_required { 2 } else { 1 },
        },
        "NetworkInterfaces": [{"NetworkInterfaceId": format!("eni-{}", stable_hex(place.seed, &["eni", &i.id], 17))}],
    });
    if let Some(ip) = &i.public_ip {
        if let Some(Value::Array(ips)) = d.get_mut("IpV4Addresses") {
            ips.push(ip.clone().into());
        }
    }
    if let Some(role) = &i.role {
        d["IamInstanceProfileArn"] = format!("arn:aws:iam::{}:instance-profile/{role}", place.account_id).into();
    }
    resource(
        "AwsEc2Instance",
        &instance_arn(place, &i.id),
        &place.region,
        Some(&i.tags),
        json!({ "AwsEc2Instance": d }),
    )
}

/// `AwsAccount`, the resource of account-level controls.
pub(super) fn account(place: &Place) -> Value {
    resource("AwsAccount", &format!("AWS::::Account:{}", place.account_id), &place.region, None, Value::Null)
}

/// `AwsIamUser`.
pub(super) fn user(place: &Place, u: &SimUser) -> Value {
    let d =
        json!({"AwsIamUser": {"UserName": u.name, "UserId": u.user_id, "Path": "/", "CreateDate": ts(u.created_at)}});
    resource("AwsIamUser", &format!("arn:aws:iam::{}:user/{}", place.account_id, u.name), &place.region, None, d)
}

/// `AwsRdsDbInstance`.
pub(super) fn database(place: &Place, db: &SimDatabase) -> Value {
    let d = json!({"AwsRdsDbInstance": {
        "DBInstanceIdentifier": db.id, "Engine": db.engine, "DBInstanceClass": db.class, "StorageEncrypted": db.encrypted,
        "PubliclyAccessible": db.public, "DbiResourceId": db.resource_id, "MultiAz": db.encrypted,
    }});
    resource(
        "AwsRdsDbInstance",
        &format!("arn:aws:rds:{}:{}:db:{}", place.region, place.account_id, db.id),
        &place.region,
        None,
        d,
    )
}

/// `AwsKmsKey`.
pub(super) fn key(place: &Place, k: &SimKey) -> Value {
    let d = json!({"AwsKmsKey": {
        "KeyId": k.id, "KeyManager": "CUSTOMER", "KeyState": "Enabled", "Origin": "AWS_KMS",
        "KeyRotationStatus": k.rotation, "CreationDate": k.created_at.timestamp() as f64, "Description": k.alias,
    }});
    resource(
        "AwsKmsKey",
        &format!("arn:aws:kms:{}:{}:key/{}", place.region, place.account_id, k.id),
        &place.region,
        None,
        d,
    )
}

/// `AwsEcrContainerImage`.
pub(super) fn image(place: &Place, img: &SimImage) -> Value {
    let d = json!({"AwsEcrContainerImage": {
        "RegistryId": place.account_id, "RepositoryName": img.repository, "Architecture": "amd64",
        "ImageDigest": img.digest, "ImageTags": [img.tag], "ImagePublishedAt": ts(img.pushed_at),
    }});
    let id = format!("arn:aws:ecr:{}:{}:repository/{}/{}", place.region, place.account_id, img.repository, img.digest);
    resource("AwsEcrContainerImage", &id, &place.region, None, d)
}
