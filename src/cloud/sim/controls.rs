//! The Security Hub controls the simulated organisation is checked against, titled and described as AWS does.

use crate::model::Severity;

/// One control of the AWS Foundational Security Best Practices standard.
pub(super) struct Control {
    pub id: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub severity: Severity,
    /// The AWS Config rule behind the control (Security Hub names it `securityhub-<rule>-<suffix>`).
    pub config_rule: &'static str,
}

const fn control(
    id: &'static str,
    severity: Severity,
    config_rule: &'static str,
    title: &'static str,
    description: &'static str,
) -> Control {
    Control { id, title, description, severity, config_rule }
}

use Severity::{Critical, High, Medium};

pub(super) static CONTROLS: [Control; 32] = [
    control("S3.1", Medium, "s3-account-level-public-access-blocks-periodic", "S3 general purpose buckets should have block public access settings enabled",
        "This control checks whether the preceding Amazon S3 block public access settings are configured at the account level for an S3 general purpose bucket. The control fails if one or more of the block public access settings are set to false."),
    control("S3.2", Critical, "s3-bucket-public-read-prohibited", "S3 general purpose buckets should block public read access",
        "This control checks whether an Amazon S3 general purpose bucket permits public read access. It evaluates the block public access settings, the bucket policy, and the bucket access control list (ACL). The control fails if the bucket permits public read access."),
    control("S3.3", Critical, "s3-bucket-public-write-prohibited", "S3 general purpose buckets should block public write access",
        "This control checks whether an Amazon S3 general purpose bucket permits public write access. It evaluates the block public access settings, the bucket policy, and the bucket access control list (ACL). The control fails if the bucket permits public write access."),
    control("S3.4", Medium, "s3-bucket-server-side-encryption-enabled", "S3 buckets should have server-side encryption enabled",
        "This control checks that your Amazon S3 bucket either has Amazon S3 default encryption enabled or that the S3 bucket policy explicitly denies put-object requests without server-side encryption."),
    control("S3.5", Medium, "s3-bucket-ssl-requests-only", "S3 general purpose buckets should require requests to use SSL",
        "This control checks whether an Amazon S3 general purpose bucket has a policy that requires requests to use SSL. The control fails if the bucket policy doesn't require requests to use SSL."),
    control("S3.8", High, "s3-bucket-level-public-access-prohibited", "S3 general purpose buckets should block public access",
        "This control checks whether an Amazon S3 general purpose bucket blocks public access at the bucket level. The control fails if any of the following settings are set to false: ignorePublicAcls, blockPublicPolicy, blockPublicAcls, restrictPublicBuckets."),
    control("S3.9", Medium, "s3-bucket-logging-enabled", "S3 general purpose buckets should have server access logging enabled",
        "This control checks whether server access logging is enabled for an Amazon S3 general purpose bucket. The control fails if server access logging isn't enabled. When logging is enabled, Amazon S3 delivers access logs for a source bucket to a chosen target bucket."),
    control("EC2.2", High, "vpc-default-security-group-closed", "VPC default security groups should not allow inbound or outbound traffic",
        "This control checks whether the default security group of a VPC allows inbound or outbound traffic. The control fails if the security group allows inbound or outbound traffic."),
    control("EC2.7", Medium, "ec2-ebs-encryption-by-default", "EBS default encryption should be enabled",
        "This control checks whether account-level encryption is enabled by default for Amazon Elastic Block Store (Amazon EBS) volumes. The control fails if the account level encryption isn't enabled for EBS volumes."),
    control("EC2.8", High, "ec2-imdsv2-check", "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)",
        "This control checks whether your Amazon Elastic Compute Cloud (Amazon EC2) instance metadata version is configured with Instance Metadata Service Version 2 (IMDSv2). The control passes if HttpTokens is set to required for IMDSv2. The control fails if HttpTokens is set to optional."),
    control("EC2.9", High, "ec2-instance-no-public-ip", "EC2 instances should not have a public IPv4 address",
        "This control checks whether EC2 instances have a public IP address. The control fails if the publicIp field is present in the EC2 instance configuration item. This control applies to IPv4 addresses only."),
    control("EC2.13", High, "restricted-ssh", "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
        "This control checks whether an Amazon EC2 security group allows ingress from 0.0.0.0/0 or ::/0 to port 22. The control fails if the security group allows ingress from 0.0.0.0/0 or ::/0 to port 22."),
    control("EC2.14", High, "restricted-common-ports", "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 3389",
        "This control checks whether an Amazon EC2 security group allows ingress from 0.0.0.0/0 or ::/0 to port 3389. The control fails if the security group allows ingress from 0.0.0.0/0 or ::/0 to port 3389."),
    control("EC2.18", High, "vpc-sg-open-only-to-authorized-ports", "Security groups should only allow unrestricted incoming traffic for authorized ports",
        "This control checks whether an Amazon EC2 security group permits unrestricted incoming traffic from unauthorized ports. If you use the default value for authorizedTcpPorts, the control fails if the security group permits unrestricted incoming traffic from any port other than ports 80 and 443."),
    control("EC2.19", Critical, "vpc-sg-restricted-common-ports", "Security groups should not allow unrestricted access to ports with high risk",
        "This control checks whether unrestricted incoming traffic for an Amazon EC2 security group is accessible to the specified ports that are considered to be high risk. This control fails if any of the rules in a security group allow ingress traffic from '0.0.0.0/0' or '::/0' to those ports."),
    control("EC2.53", High, "vpc-sg-port-restriction-check", "EC2 security groups should not allow ingress from 0.0.0.0/0 to remote server administration ports",
        "This control checks whether an Amazon EC2 security group allows ingress from 0.0.0.0/0 to remote server administration ports (ports 22 and 3389). The control fails if the security group allows ingress from 0.0.0.0/0 to port 22 or 3389."),
    control("EC2.54", High, "vpc-sg-port-restriction-check", "EC2 security groups should not allow ingress from ::/0 to remote server administration ports",
        "This control checks whether an Amazon EC2 security group allows ingress from ::/0 to remote server administration ports (ports 22 and 3389). The control fails if the security group allows ingress from ::/0 to port 22 or 3389."),
    control("IAM.3", Medium, "access-keys-rotated", "IAM users' access keys should be rotated every 90 days or less",
        "This control checks whether active access keys are rotated within 90 days. The control fails if an IAM user has an active access key that is older than 90 days."),
    control("IAM.4", Critical, "iam-root-access-key-check", "IAM root user access key should not exist",
        "This control checks whether the root user access key is present. The control fails if the root user access key is present."),
    control("IAM.5", Medium, "mfa-enabled-for-iam-console-access", "MFA should be enabled for all IAM users that have a console password",
        "This control checks whether AWS multi-factor authentication (MFA) is enabled for all IAM users that use a console password."),
    control("IAM.6", Critical, "root-account-hardware-mfa-enabled", "Hardware MFA should be enabled for the root user",
        "This control checks whether your AWS account is enabled to use a hardware multi-factor authentication (MFA) device to sign in with root user credentials. The control fails if hardware MFA isn't enabled or if any virtual MFA devices are permitted for signing in with root user credentials."),
    control("CloudTrail.1", High, "multi-region-cloudtrail-enabled", "CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events",
        "This control checks whether there is at least one multi-Region AWS CloudTrail trail that captures read and write management events. The control fails if CloudTrail is disabled or if there isn't at least one CloudTrail trail that captures read and write management events."),
    control("Config.1", Critical, "config-enabled", "AWS Config should be enabled and use the service-linked role for resource recording",
        "This control checks whether AWS Config is enabled in your account in the current AWS Region and records all resources that correspond to controls that are enabled in the current Region. The control fails if AWS Config isn't enabled or doesn't record all resources that correspond to enabled controls."),
    control("GuardDuty.1", High, "guardduty-enabled-centralized", "GuardDuty should be enabled",
        "This control checks whether Amazon GuardDuty is enabled in your GuardDuty account and Region. The control fails if GuardDuty isn't enabled in the current account and Region."),
    control("RDS.2", Critical, "rds-instance-public-access-check", "RDS DB Instances should prohibit public access, as determined by the PubliclyAccessible configuration",
        "This control checks whether Amazon RDS instances are publicly accessible by evaluating the PubliclyAccessible field in the instance configuration item."),
    control("RDS.3", Medium, "rds-storage-encrypted", "RDS DB instances should have encryption at-rest enabled",
        "This control checks whether storage encryption is enabled for your Amazon RDS DB instances. The control fails if an RDS DB instance doesn't have encryption at rest enabled."),
    control("KMS.4", Medium, "cmk-backing-key-rotation-enabled", "AWS KMS key rotation should be enabled",
        "This control checks whether automatic key rotation is enabled for each customer managed AWS KMS key. The control fails if automatic key rotation isn't enabled for a KMS key."),
    control("CloudTrail.4", Medium, "cloud-trail-log-file-validation-enabled", "CloudTrail log file validation should be enabled",
        "This control checks whether log file integrity validation is enabled on a CloudTrail trail. The control fails if log file validation isn't enabled."),
    control("EC2.1", Critical, "ebs-snapshot-public-restorable-check", "Amazon EBS snapshots should not be publicly restorable",
        "This control checks whether Amazon Elastic Block Store snapshots are not public. The control fails if Amazon EBS snapshots are restorable by anyone."),
    control("RDS.1", Critical, "rds-snapshots-public-prohibited", "RDS snapshot should be private",
        "This control checks whether Amazon RDS snapshots are public. The control fails if RDS snapshots are public. This control evaluates RDS instances, Aurora DB instances, Neptune DB instances, and Amazon DocumentDB clusters."),
    control("IAM.22", Medium, "iam-user-unused-credentials-check", "IAM user credentials unused for 45 days should be removed",
        "This control checks whether your IAM users have passwords or active access keys that have not been used for 45 days or more. The control fails if an IAM user has unused credentials for 45 days or more."),
    control("SSM.1", Medium, "ec2-instance-managed-by-systems-manager", "Amazon EC2 instances should be managed by AWS Systems Manager",
        "This control checks whether the stopped and running EC2 instances in your account are managed by AWS Systems Manager. The control fails if the EC2 instance is stopped or running and isn't managed by Systems Manager."),
];

/// A control by id.
pub(super) fn lookup(id: &str) -> Option<&'static Control> {
    CONTROLS.iter().find(|c| c.id == id)
}

/// `Severity.Normalized` Security Hub gives a control finding of this label.
pub(super) fn normalized(severity: Severity) -> u32 {
    match severity {
        Severity::Critical => 90,
        Severity::High => 70,
        Severity::Medium => 40,
        Severity::Low => 1,
        Severity::Informational => 0,
    }
}
