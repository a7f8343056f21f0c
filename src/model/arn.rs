//! Amazon Resource Names split into their parts, and the partition a region belongs to.

/// `arn:partition:service:region:account:resource`, borrowed from the text it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    /// Empty for global resources (S3 buckets, IAM).
    pub region: &'a str,
    /// Empty where the ARN carries none (S3 buckets, Security Hub products).
    pub account: &'a str,
    /// Everything after the fifth colon; may itself hold ':' and '/'.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits an ARN; `None` when the text is not one (fewer than six colon-separated parts, or an empty partition
    /// or service).
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let (partition, service, region, account, resource) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if partition.is_empty() || service.is_empty() {
            return None;
        }
        Some(Self { partition, service, region, account, resource })
    }
}

/// The partition a region belongs to: `aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`, the isolated partitions
/// by their prefixes, `aws` for the rest.
pub fn partition_of_region(region: &str) -> &'static str {
    const PREFIXES: [(&str, &str); 6] = [
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
    ];
    PREFIXES.iter().find(|(prefix, _)| region.starts_with(prefix)).map(|&(_, partition)| partition).unwrap_or("aws")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_split_into_their_parts() {
        let arn = Arn::parse("arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1").expect("arn");
        assert_eq!(
            (arn.partition, arn.service, arn.region, arn.account, arn.resource),
            ("aws", "ec2", "eu-west-1", "111111111111", "security-group/sg-1")
        );
        let bucket = Arn::parse("arn:aws:s3:::acme-logs").expect("arn");
        assert_eq!((bucket.region, bucket.account, bucket.resource), ("", "", "acme-logs"));
        let product = Arn::parse("arn:aws-cn:securityhub:cn-north-1::product/aws/securityhub").expect("arn");
        assert_eq!((product.partition, product.resource), ("aws-cn", "product/aws/securityhub"));
        assert_eq!(Arn::parse("arn:aws:lambda:r:1:function:f:1").map(|a| a.resource), Some("function:f:1"));
        for not_an_arn in ["sg-0123", "arn:aws:s3", "arn::s3:::b", "ARN:aws:s3:::b", ""] {
            assert_eq!(Arn::parse(not_an_arn), None, "{not_an_arn}");
        }
    }

    #[test]
    fn regions_belong_to_their_partitions() {
        assert_eq!(partition_of_region("eu-west-1"), "aws");
        assert_eq!(partition_of_region("cn-north-1"), "aws-cn");
        assert_eq!(partition_of_region("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of_region("us-iso-east-1"), "aws-iso");
        assert_eq!(partition_of_region("us-isob-east-1"), "aws-iso-b");
    }
}
