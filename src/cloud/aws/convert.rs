//! SDK `AwsSecurityFinding` → ASFF JSON, for the fields our reader uses, so live findings take the same path
//! (`model::asff::read_value`) as every other source.

use aws_sdk_securityhub::types::{
    AwsEc2SecurityGroupDetails, AwsEc2SecurityGroupIpPermission, AwsS3AccountPublicAccessBlockDetails,
    AwsSecurityFinding, Resource,
};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

fn put_str(obj: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        obj.insert(key.into(), Value::String(v.to_string()));
    }
}

fn put_bool(obj: &mut Map<String, Value>, key: &str, value: Option<bool>) {
    if let Some(v) = value {
        obj.insert(key.into(), Value::Bool(v));
    }
}

fn put_i32(obj: &mut Map<String, Value>, key: &str, value: Option<i32>) {
    if let Some(v) = value {
        obj.insert(key.into(), Value::from(v));
    }
}

fn string_map(map: Option<&HashMap<String, String>>) -> Option<Value> {
    let map = map?;
    let mut sorted: Vec<(&String, &String)> = map.iter().collect();
    sorted.sort();
    Some(Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect()))
}

fn public_access_block(b: &AwsS3AccountPublicAccessBlockDetails) -> Value {
    let mut o = Map::new();
    put_bool(&mut o, "BlockPublicAcls", b.block_public_acls());
    put_bool(&mut o, "BlockPublicPolicy", b.block_public_policy());
    put_bool(&mut o, "IgnorePublicAcls", b.ignore_public_acls());
    put_bool(&mut o, "RestrictPublicBuckets", b.restrict_public_buckets());
    Value::Object(o)
}

fn ip_permission(p: &AwsEc2SecurityGroupIpPermission) -> Value {
    let mut o = Map::new();
    put_str(&mut o, "IpProtocol", p.ip_protocol());
    put_i32(&mut o, "FromPort", p.from_port());
    put_i32(&mut o, "ToPort", p.to_port());
    let v4: Vec<Value> = p.ip_ranges().iter().filter_map(|r| Some(json!({"CidrIp": r.cidr_ip()?}))).collect();
    let v6: Vec<Value> = p.ipv6_ranges().iter().filter_map(|r| Some(json!({"CidrIpv6": r.cidr_ipv6()?}))).collect();
    let pairs: Vec<Value> = p
        .user_id_group_pairs()
        .iter()
        .map(|g| {
            let mut pair = Map::new();
            put_str(&mut pair, "GroupId", g.group_id());
            put_str(&mut pair, "GroupName", g.group_name());
            put_str(&mut pair, "UserId", g.user_id());
            Value::Object(pair)
        })
        .collect();
    for (key, list) in [("IpRanges", v4), ("Ipv6Ranges", v6), ("UserIdGroupPairs", pairs)] {
        if !list.is_empty() {
            o.insert(key.into(), Value::Array(list));
        }
    }
    Value::Object(o)
}

fn security_group(g: &AwsEc2SecurityGroupDetails) -> Value {
    let mut o = Map::new();
    put_str(&mut o, "GroupName", g.group_name());
    put_str(&mut o, "GroupId", g.group_id());
    put_str(&mut o, "OwnerId", g.owner_id());
    put_str(&mut o, "VpcId", g.vpc_id());
    // An absent list means "not recorded", an empty one "no rules": the public field tells them apart.
    if let Some(list) = g.ip_permissions.as_deref() {
        o.insert("IpPermissions".into(), Value::Array(list.iter().map(ip_permission).collect()));
    }
    if let Some(list) = g.ip_permissions_egress.as_deref() {
        o.insert("IpPermissionsEgress".into(), Value::Array(list.iter().map(ip_permission).collect()));
    }
    Value::Object(o)
}

fn resource(r: &Resource) -> Value {
    let mut o = Map::new();
    put_str(&mut o, "Type", r.r#type());
    put_str(&mut o, "Id", r.id());
    put_str(&mut o, "Partition", r.partition().map(|p| p.as_str()));
    put_str(&mut o, "Region", r.region());
    if let Some(tags) = string_map(r.tags()) {
        o.insert("Tags".into(), tags);
    }
    if let Some(details) = r.details() {
        let mut d = Map::new();
        if let Some(bucket) = details.aws_s3_bucket() {
            let mut b = Map::new();
            put_str(&mut b, "OwnerId", bucket.owner_id());
            put_str(&mut b, "OwnerAccountId", bucket.owner_account_id());
            put_str(&mut b, "CreatedAt", bucket.created_at());
            put_str(&mut b, "Name", bucket.name());
            if let Some(pab) = bucket.public_access_block_configuration() {
                b.insert("PublicAccessBlockConfiguration".into(), public_access_block(pab));
            }
            d.insert("AwsS3Bucket".into(), Value::Object(b));
        }
        if let Some(pab) = details.aws_s3_account_public_access_block() {
            d.insert("AwsS3AccountPublicAccessBlock".into(), public_access_block(pab));
        }
        if let Some(group) = details.aws_ec2_security_group() {
            d.insert("AwsEc2SecurityGroup".into(), security_group(group));
        }
        if let Some(other) = string_map(details.other()) {
            d.insert("Other".into(), other);
        }
        if !d.is_empty() {
            o.insert("Details".into(), Value::Object(d));
        }
    }
    Value::Object(o)
}

/// The finding as ASFF JSON (the subset the reader and playbooks use).
pub fn finding_to_json(f: &AwsSecurityFinding) -> Value {
    let mut o = Map::new();
    put_str(&mut o, "SchemaVersion", f.schema_version());
    put_str(&mut o, "Id", f.id());
    put_str(&mut o, "ProductArn", f.product_arn());
    put_str(&mut o, "ProductName", f.product_name());
    put_str(&mut o, "CompanyName", f.company_name());
    put_str(&mut o, "GeneratorId", f.generator_id());
    put_str(&mut o, "AwsAccountId", f.aws_account_id());
    put_str(&mut o, "Region", f.region());
    put_str(&mut o, "Title", f.title());
    put_str(&mut o, "Description", f.description());
    if let Some(s) = f.severity() {
        let mut sev = Map::new();
        put_str(&mut sev, "Label", s.label().map(|l| l.as_str()));
        put_i32(&mut sev, "Normalized", s.normalized());
        put_str(&mut sev, "Original", s.original());
        o.insert("Severity".into(), Value::Object(sev));
    }
    if let Some(fp) = f.finding_provider_fields().and_then(|p| p.severity()) {
        let mut sev = Map::new();
        put_str(&mut sev, "Label", fp.label().map(|l| l.as_str()));
        put_str(&mut sev, "Original", fp.original());
        o.insert("FindingProviderFields".into(), json!({ "Severity": sev }));
    }
    if !f.types().is_empty() {
        o.insert("Types".into(), json!(f.types()));
    }
    if let Some(c) = f.compliance() {
        let mut comp = Map::new();
        put_str(&mut comp, "Status", c.status().map(|s| s.as_str()));
        put_str(&mut comp, "SecurityControlId", c.security_control_id());
        if !c.related_requirements().is_empty() {
            comp.insert("RelatedRequirements".into(), json!(c.related_requirements()));
        }
        o.insert("Compliance".into(), Value::Object(comp));
    }
    if let Some(status) = f.workflow().and_then(|w| w.status()) {
        o.insert("Workflow".into(), json!({ "Status": status.as_str() }));
    }
    put_str(&mut o, "WorkflowState", f.workflow_state().map(|s| s.as_str()));
    put_str(&mut o, "RecordState", f.record_state().map(|s| s.as_str()));
    put_str(&mut o, "CreatedAt", f.created_at());
    put_str(&mut o, "UpdatedAt", f.updated_at());
    put_str(&mut o, "FirstObservedAt", f.first_observed_at());
    put_str(&mut o, "LastObservedAt", f.last_observed_at());
    if let Some(r) = f.remediation().and_then(|r| r.recommendation()) {
        let mut rec = Map::new();
        put_str(&mut rec, "Text", r.text());
        put_str(&mut rec, "Url", r.url());
        o.insert("Remediation".into(), json!({ "Recommendation": rec }));
    }
    // Always present, so that a finding without resources is reported by the reader rather than guessed at.
    o.insert("Resources".into(), Value::Array(f.resources().iter().map(resource).collect()));
    if let Some(fields) = string_map(f.product_fields()) {
        o.insert("ProductFields".into(), fields);
    }
    if let Some(fields) = string_map(f.user_defined_fields()) {
        o.insert("UserDefinedFields".into(), fields);
    }
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::asff::read_value;
    use aws_sdk_securityhub::types::{
        AwsEc2SecurityGroupIpRange, Compliance, ComplianceStatus, RecordState, ResourceDetails, Severity,
        SeverityLabel, Workflow, WorkflowStatus,
    };

    fn sg_finding() -> AwsSecurityFinding {
        let permission = AwsEc2SecurityGroupIpPermission::builder()
            .ip_protocol("tcp")
            .from_port(22)
            .to_port(22)
            .ip_ranges(AwsEc2SecurityGroupIpRange::builder().cidr_ip("0.0.0.0/0").build())
            .build();
        let group = AwsEc2SecurityGroupDetails::builder()
            .group_id("sg-1")
            .group_name("web")
            .vpc_id("vpc-1")
            .ip_permissions(permission)
            .build();
        AwsSecurityFinding::builder()
            .schema_version("2018-10-08")
            .id("arn:aws:securityhub:eu-west-1:111111111111:security-control/EC2.13/finding/abc")
            .product_arn("arn:aws:securityhub:eu-west-1::product/aws/securityhub")
            .generator_id("security-control/EC2.13")
            .aws_account_id("111111111111")
            .region("eu-west-1")
            .title("open ssh")
            .description("d")
            .created_at("2024-01-01T00:00:00Z")
            .updated_at("2024-01-02T00:00:00.000Z")
            .severity(Severity::builder().label(SeverityLabel::High).normalized(70).build())
            .compliance(Compliance::builder().status(ComplianceStatus::Failed).security_control_id("EC2.13").build())
            .workflow(Workflow::builder().status(WorkflowStatus::Notified).build())
            .record_state(RecordState::Active)
            .resources(
                Resource::builder()
                    .r#type("AwsEc2SecurityGroup")
                    .id("arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1")
                    .region("eu-west-1")
                    .tags("Owner", "me")
                    .details(ResourceDetails::builder().aws_ec2_security_group(group).build())
                    .build(),
            )
            .product_fields("aws/securityhub/ProductName", "Security Hub")
            .build()
    }

    #[test]
    fn sdk_finding_reads_like_its_json() {
        let value = finding_to_json(&sg_finding());
        let outcome = read_value(&value);
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
        let f = &outcome.findings[0];
        assert_eq!(&*f.account_id, "111111111111");
        assert_eq!(&*f.region, "eu-west-1");
        assert_eq!(f.control_id.as_deref(), Some("EC2.13"));
        assert_eq!(f.workflow_status.label(), "NOTIFIED");
        assert_eq!(f.severity.label(), "HIGH");
        assert_eq!(&*f.product_name, "Security Hub");
        assert!(f.updated_at.is_some() && f.created_at.is_some());
        let r = &f.resources[0];
        assert_eq!(r.short_id(), "sg-1");
        assert_eq!(r.tags.get("Owner").map(String::as_str), Some("me"));
        let details = r.details().expect("details");
        let perms = &details["AwsEc2SecurityGroup"]["IpPermissions"][0];
        assert_eq!(perms["IpRanges"][0]["CidrIp"], "0.0.0.0/0");
        assert_eq!(perms["FromPort"], 22);
    }

    #[test]
    fn bucket_block_public_access_survives() {
        let pab =
            AwsS3AccountPublicAccessBlockDetails::builder().block_public_acls(true).ignore_public_acls(false).build();
        let bucket =
            aws_sdk_securityhub::types::AwsS3BucketDetails::builder().public_access_block_configuration(pab).build();
        let r = Resource::builder()
            .r#type("AwsS3Bucket")
            .id("arn:aws:s3:::b")
            .details(ResourceDetails::builder().aws_s3_bucket(bucket).build())
            .build();
        let v = resource(&r);
        assert_eq!(
            v["Details"]["AwsS3Bucket"]["PublicAccessBlockConfiguration"],
            json!({"BlockPublicAcls": true, "IgnorePublicAcls": false})
        );
    }
}
