//! Resource state as playbooks see it: read live through the cloud traits, or taken from a finding's snapshot.

use serde::Serialize;
use std::collections::BTreeMap;

/// The state of one resource, as much as the playbooks need.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum ResourceState {
    S3Bucket(BucketState),
    SecurityGroup(SecurityGroupState),
}

impl ResourceState {
    /// Tags on the resource.
    pub fn tags(&self) -> &BTreeMap<String, String> {
        match self {
            Self::S3Bucket(b) => &b.tags,
            Self::SecurityGroup(g) => &g.tags,
        }
    }
}

/// The four S3 Block Public Access settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// All four settings on.
    pub const ALL_ON: Self = Self {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };

    /// `BlockPublicAcls=true,IgnorePublicAcls=…` as the AWS CLI writes it.
    pub fn cli_form(&self) -> String {
        format!(
            "BlockPublicAcls={},IgnorePublicAcls={},BlockPublicPolicy={},RestrictPublicBuckets={}",
            self.block_public_acls, self.ignore_public_acls, self.block_public_policy, self.restrict_public_buckets
        )
    }
}

/// A bucket's Block Public Access configuration as far as it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BucketPublicAccessBlock {
    /// The source (a finding snapshot) does not record it.
    Unknown,
    /// The bucket has no bucket-level configuration.
    NotConfigured,
    Configured(PublicAccessBlock),
}

impl BucketPublicAccessBlock {
    /// In words, as plan steps show it.
    pub fn describe(&self) -> String {
        match self {
            Self::Unknown => {
                "not recorded in the finding (the failing control means at least one setting is off)".into()
            }
            Self::NotConfigured => "no bucket-level Block Public Access configuration".into(),
            Self::Configured(b) => b.cli_form(),
        }
    }
}

/// An S3 bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketState {
    pub name: String,
    pub account_id: String,
    pub region: String,
    pub public_access_block: BucketPublicAccessBlock,
    /// Default encryption algorithm (`AES256`, `aws:kms`), `None` when not configured.
    pub encryption: Option<String>,
    /// The bucket policy document, when there is one.
    pub policy: Option<String>,
    pub tags: BTreeMap<String, String>,
}

/// A security group rule (ingress unless `is_egress`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, PartialOrd, Ord)]
pub struct SecurityGroupRule {
    /// `sgr-…` when known (live reads); snapshots carry no rule ids.
    pub rule_id: Option<String>,
    /// `tcp`, `udp`, `icmp` or `-1` (all).
    pub protocol: String,
    pub from_port: i32,
    pub to_port: i32,
    pub cidr_ipv4: Option<String>,
    pub cidr_ipv6: Option<String>,
    /// Another group this rule refers to, instead of a CIDR.
    pub referenced_group: Option<String>,
    pub description: Option<String>,
    pub is_egress: bool,
}

impl SecurityGroupRule {
    /// Open to the whole internet (0.0.0.0/0 or ::/0).
    pub fn is_open_to_world(&self) -> bool {
        self.cidr_ipv4.as_deref() == Some("0.0.0.0/0") || self.cidr_ipv6.as_deref() == Some("::/0")
    }

    /// Whether the rule lets traffic reach `port` (all-traffic rules reach every port).
    pub fn covers_port(&self, port: i32) -> bool {
        match self.protocol.as_str() {
            "-1" | "all" => true,
            "tcp" | "udp" | "6" | "17" => self.from_port <= port && port <= self.to_port,
            _ => false,
        }
    }

    /// "tcp 22 from 0.0.0.0/0" style description.
    pub fn describe(&self) -> String {
        let ports = match self.protocol.as_str() {
            "-1" | "all" => "all traffic".to_string(),
            p if self.from_port == self.to_port => format!("{p} {}", self.from_port),
            p => format!("{p} {}-{}", self.from_port, self.to_port),
        };
        let source =
            self.cidr_ipv4.as_deref().or(self.cidr_ipv6.as_deref()).or(self.referenced_group.as_deref()).unwrap_or("?");
        let id = self.rule_id.as_deref().map(|id| format!(" [{id}]")).unwrap_or_default();
        format!("{ports} from {source}{id}")
    }
}

/// An EC2 security group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecurityGroupState {
    pub group_id: String,
    pub group_name: String,
    pub vpc_id: Option<String>,
    pub account_id: String,
    pub region: String,
    pub rules: Vec<SecurityGroupRule>,
    pub tags: BTreeMap<String, String>,
}
