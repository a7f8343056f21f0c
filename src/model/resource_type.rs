//! Resource types in the two spellings findings use: ASFF's `AwsS3Bucket` and the CloudFormation names OCSF
//! findings carry (`AWS::S3::Bucket`). Everything after the reader — playbooks, policy, exceptions — works with the
//! ASFF spelling; config may use either.

use std::borrow::Cow;

/// CloudFormation names whose ASFF name is not their parts run together.
const IRREGULAR: [(&str, &str); 3] = [
    ("AWS::::Account", "AwsAccount"),
    ("AWS::ElasticLoadBalancing::LoadBalancer", "AwsElbLoadBalancer"),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "AwsElbv2LoadBalancer"),
];

/// The ASFF name of a resource type: `AWS::S3::Bucket` → `AwsS3Bucket`, `AWS::EC2::SecurityGroup` →
/// `AwsEc2SecurityGroup`, `AWS::RDS::DBInstance` → `AwsRdsDbInstance`, `AWS::::Account` → `AwsAccount`. A name that
/// is not a CloudFormation `AWS::…` name (an ASFF name, `Other`) is returned as it is.
pub fn asff_name(name: &str) -> Cow<'_, str> {
    let Some(rest) = name.strip_prefix("AWS::") else { return Cow::Borrowed(name) };
    if let Some((_, asff)) = IRREGULAR.iter().find(|(cfn, _)| cfn.eq_ignore_ascii_case(name)) {
        return Cow::Borrowed(asff);
    }
    let mut out = String::with_capacity(name.len());
    out.push_str("Aws");
    for part in rest.split("::") {
        out.push_str(&camel_acronyms(part));
    }
    Cow::Owned(out)
}

/// Whether two resource type names, in either spelling, name the same type (case-insensitive).
pub fn same_type(a: &str, b: &str) -> bool {
    asff_name(a).eq_ignore_ascii_case(&asff_name(b))
}

/// Acronyms written as ASFF writes them: `EC2` → `Ec2`, `DBInstance` → `DbInstance`, `SecurityGroup` unchanged. An
/// upper-case letter after another stays upper-case only when a lower-case letter follows it (it starts a word).
fn camel_acronyms(part: &str) -> String {
    let chars: Vec<char> = part.chars().collect();
    let mut out = String::with_capacity(part.len());
    for (i, &c) in chars.iter().enumerate() {
        let after_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
        let starts_word = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
        out.push(if c.is_ascii_uppercase() && after_upper && !starts_word { c.to_ascii_lowercase() } else { c });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloudformation_names_read_as_asff_names() {
        for (cfn, asff) in [
            ("AWS::S3::Bucket", "AwsS3Bucket"),
            ("AWS::EC2::SecurityGroup", "AwsEc2SecurityGroup"),
            ("AWS::EC2::Instance", "AwsEc2Instance"),
            ("AWS::::Account", "AwsAccount"),
            ("AWS::IAM::Policy", "AwsIamPolicy"),
            ("AWS::IAM::AccessKey", "AwsIamAccessKey"),
            ("AWS::SQS::Queue", "AwsSqsQueue"),
            ("AWS::Lambda::Function", "AwsLambdaFunction"),
            ("AWS::RDS::DBInstance", "AwsRdsDbInstance"),
            ("AWS::DynamoDB::Table", "AwsDynamoDbTable"),
            ("AWS::CloudTrail::Trail", "AwsCloudTrailTrail"),
            ("AWS::EC2::NetworkACL", "AwsEc2NetworkAcl"),
            ("AWS::ElasticLoadBalancingV2::LoadBalancer", "AwsElbv2LoadBalancer"),
        ] {
            assert_eq!(asff_name(cfn), asff, "{cfn}");
        }
        assert_eq!(asff_name("AwsS3Bucket"), "AwsS3Bucket");
        assert_eq!(asff_name("Other"), "Other");
    }

    #[test]
    fn either_spelling_names_the_same_type() {
        assert!(same_type("AWS::S3::Bucket", "AwsS3Bucket"));
        assert!(same_type("awss3bucket", "AWS::S3::Bucket"));
        assert!(same_type("AwsEc2SecurityGroup", "AWS::EC2::SecurityGroup"));
        assert!(!same_type("AWS::S3::Bucket", "AwsEc2SecurityGroup"));
    }
}
