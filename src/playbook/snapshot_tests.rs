use super::*;
use crate::model::asff::read_document;

#[test]
fn security_group_snapshot_from_asff_details() {
    let doc = serde_json::json!({
        "Id": "f", "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub", "AwsAccountId": "111111111111",
        "Region": "us-east-1", "GeneratorId": "security-control/EC2.13",
        "Resources": [{"Type": "AwsEc2SecurityGroup", "Id": "arn:aws:ec2:us-east-1:111111111111:security-group/sg-1",
            "Details": {"AwsEc2SecurityGroup": {"GroupName": "web", "GroupId": "sg-1", "IpPermissions": [
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "10.0.0.0/8"}]}]}}}]});
    let finding = read_document(&doc.to_string()).findings.remove(0);
    let ResourceState::SecurityGroup(g) = state_from_finding(&finding).expect("state") else {
        panic!("expected a security group");
    };
    assert_eq!(g.group_id, "sg-1");
    assert_eq!(g.rules.len(), 2);
    assert!(g.rules[0].is_open_to_world());
    assert!(!g.rules[1].is_open_to_world());
}

#[test]
fn security_group_without_permissions_cannot_be_planned_offline() {
    let doc = serde_json::json!({
        "Id": "f", "ProductArn": "p", "AwsAccountId": "111111111111", "Region": "us-east-1", "GeneratorId": "g",
        "Resources": [{"Type": "AwsEc2SecurityGroup", "Id": "sg-1", "Details": {"AwsEc2SecurityGroup": {"GroupId": "sg-1"}}}]});
    let finding = read_document(&doc.to_string()).findings.remove(0);
    assert!(matches!(state_from_finding(&finding), Err(PlanError::NoSnapshot(_))));
}

fn one_finding(resource: serde_json::Value) -> Finding {
    let doc = serde_json::json!({
        "Id": "f", "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub", "AwsAccountId": "111111111111",
        "Region": "us-east-1", "GeneratorId": "security-control/X.1", "Resources": [resource]});
    read_document(&doc.to_string()).findings.remove(0)
}

#[test]
fn account_snapshot_records_nothing_but_where_it_is() {
    let finding = one_finding(serde_json::json!(
        {"Type": "AwsAccount", "Id": "AWS::::Account:111111111111", "Partition": "aws", "Region": "eu-west-1"}));
    assert_eq!(
        state_from_finding(&finding).expect("state"),
        ResourceState::Account(AccountState {
            account_id: "111111111111".into(),
            region: "eu-west-1".into(),
            s3_public_access_block: BucketPublicAccessBlock::Unknown,
            ebs_encryption_by_default: None,
            public_ebs_snapshots: None,
        })
    );
}

#[test]
fn instance_snapshot_reads_metadata_options_and_tags() {
    let finding = one_finding(serde_json::json!({
        "Type": "AwsEc2Instance", "Id": "arn:aws:ec2:us-east-1:111111111111:instance/i-077c4d5f32561ac45",
        "Region": "us-east-1", "Tags": {"Name": "web"},
        "Details": {"AwsEc2Instance": {"MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": "optional"}}}}));
    let ResourceState::Instance(i) = state_from_finding(&finding).expect("state") else {
        panic!("expected an instance");
    };
    assert_eq!(i.instance_id, "i-077c4d5f32561ac45");
    assert_eq!(i.http_tokens.as_deref(), Some("optional"));
    assert_eq!(i.http_endpoint.as_deref(), Some("enabled"));
    assert_eq!(i.tags.get("Name").map(String::as_str), Some("web"));

    let bare = one_finding(serde_json::json!({"Type": "AwsEc2Instance", "Id": "i-1"}));
    let ResourceState::Instance(i) = state_from_finding(&bare).expect("state") else {
        panic!("expected an instance");
    };
    assert_eq!((i.instance_id.as_str(), i.http_tokens, i.region.as_str()), ("i-1", None, "us-east-1"));
}

#[test]
fn bucket_snapshot_reads_the_default_encryption_key() {
    let finding = one_finding(serde_json::json!({
        "Type": "AwsS3Bucket", "Id": "arn:aws:s3:::acme-logs",
        "Details": {"AwsS3Bucket": {"ServerSideEncryptionConfiguration": {"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:us-east-1:111111111111:key/k1"}}]}}}}));
    let ResourceState::S3Bucket(b) = state_from_finding(&finding).expect("state") else {
        panic!("expected a bucket");
    };
    assert_eq!(b.name, "acme-logs");
    assert_eq!(b.encryption.as_deref(), Some("aws:kms"));
    assert_eq!(b.encryption_kms_key.as_deref(), Some("arn:aws:kms:us-east-1:111111111111:key/k1"));

    let unencrypted = one_finding(serde_json::json!({"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::acme-logs"}));
    let ResourceState::S3Bucket(b) = state_from_finding(&unencrypted).expect("state") else {
        panic!("expected a bucket");
    };
    assert_eq!((b.encryption, b.encryption_kms_key), (None, None));
}

/// An OCSF control finding on one resource, as the new Security Hub writes it.
fn ocsf_finding(control: &str, resource: serde_json::Value) -> Finding {
    let doc = serde_json::json!({
        "class_uid": 2003, "class_name": "Compliance Finding", "severity_id": 4, "status_id": 1,
        "cloud": {"account": {"uid": "111111111111"}, "region": "us-east-1"},
        "compliance": {"control": control, "status": "Fail"},
        "finding_info": {"uid": "arn:aws:securityhub:us-east-1:111111111111:security-control/x/finding/1", "title": "t"},
        "metadata": {"uid": "m-1", "product": {"name": "Security Hub", "uid": "arn:aws:securityhub:us-east-1::productv2/aws/securityhub"}},
        "resources": [resource]});
    let finding = read_document(&doc.to_string()).findings.remove(0);
    assert!(finding.warnings.is_empty(), "{:?}", finding.warnings);
    finding
}

#[test]
fn security_group_and_bucket_snapshots_from_ocsf_resource_data() {
    let group = ocsf_finding(
        "EC2.19",
        serde_json::json!({
        "type": "AWS::EC2::SecurityGroup", "uid": "sg-1", "uid_alt": "arn:aws:ec2:us-east-1:111111111111:security-group/sg-1",
        "data": {"awsEc2SecurityGroupDetails": {"groupId": "sg-1", "groupName": "web", "ipPermissions": [
            {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": [{"cidrIp": "0.0.0.0/0"}]}]}}}),
    );
    let ResourceState::SecurityGroup(g) = state_from_finding(&group).expect("state") else {
        panic!("expected a security group");
    };
    assert_eq!((g.group_id.as_str(), g.group_name.as_str(), g.rules.len()), ("sg-1", "web", 1));
    assert!(g.rules[0].is_open_to_world() && g.rules[0].from_port == 22);

    let bucket = ocsf_finding(
        "S3.8",
        serde_json::json!({
        "type": "AWS::S3::Bucket", "uid": "b", "uid_alt": "arn:aws:s3:::b", "region": "us-east-1",
        "data": {"AwsS3Bucket": {"PublicAccessBlockConfiguration": {"BlockPublicAcls": true}}}}),
    );
    let ResourceState::S3Bucket(b) = state_from_finding(&bucket).expect("state") else { panic!("expected a bucket") };
    let BucketPublicAccessBlock::Configured(block) = b.public_access_block else { panic!("recorded") };
    assert!(block.block_public_acls && !block.restrict_public_buckets);
    assert_eq!((b.name.as_str(), b.region.as_str()), ("b", "us-east-1"));
}
