//! Resource state as playbooks see it: read live through the cloud traits, or taken from a finding's snapshot.

use super::bucket_parts::BucketParts;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The state of one resource, as much as the playbooks need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ResourceState {
    S3Bucket(BucketState),
    SecurityGroup(SecurityGroupState),
    /// Account-wide settings in one region (S3 account Block Public Access, EBS encryption by default).
    Account(AccountState),
    Instance(InstanceState),
    KmsKey(KmsKeyState),
    Trail(TrailState),
    RdsSnapshot(RdsSnapshotState),
    IamUser(IamUserState),
}

pub use super::service_state::{AccessKey, IamUserState, KmsKeyState, RdsSnapshotState, TrailState};

/// Accounts carry no resource tags here (they live in AWS Organizations).
pub(crate) static NO_TAGS: BTreeMap<String, String> = BTreeMap::new();

impl ResourceState {
    /// Tags on the resource.
    pub fn tags(&self) -> &BTreeMap<String, String> {
        match self {
            Self::S3Bucket(b) => &b.tags,
            Self::SecurityGroup(g) => &g.tags,
            Self::Account(_) => &NO_TAGS,
            Self::Instance(i) => &i.tags,
            Self::KmsKey(k) => &k.tags,
            Self::Trail(t) => &t.tags,
            Self::RdsSnapshot(s) => &s.tags,
            Self::IamUser(u) => &u.tags,
        }
    }

    /// What kind of resource this is, in words.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::S3Bucket(_) => "S3 bucket",
            Self::SecurityGroup(_) => "security group",
            Self::Account(_) => "account",
            Self::Instance(_) => "EC2 instance",
            Self::KmsKey(_) => "KMS key",
            Self::Trail(_) => "CloudTrail trail",
            Self::RdsSnapshot(_) => "RDS snapshot",
            Self::IamUser(_) => "IAM user",
        }
    }

    /// The state with what AWS renames on every re-creation left out (security group rule ids), so a restored
    /// state compares equal to the one recorded before a change.
    pub fn effective(&self) -> ResourceState {
        let mut state = self.clone();
        if let Self::SecurityGroup(g) = &mut state {
            for rule in &mut g.rules {
                rule.rule_id = None;
            }
            g.rules.sort();
        }
        // When it was read and when a key was last used move by themselves: only the keys and their status count.
        if let Self::IamUser(u) = &mut state {
            u.read_at = chrono::DateTime::UNIX_EPOCH;
            for key in &mut u.access_keys {
                key.last_used = None;
            }
        }
        state
    }
}

/// The four S3 Block Public Access settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BucketState {
    pub name: String,
    pub account_id: String,
    pub region: String,
    pub public_access_block: BucketPublicAccessBlock,
    /// Default encryption algorithm (`AES256`, `aws:kms`, `aws:kms:dsse`), `None` when not configured.
    pub encryption: Option<String>,
    /// The KMS key of the default encryption, when one is named.
    pub encryption_kms_key: Option<String>,
    /// The bucket policy document, when there is one.
    pub policy: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// The parts a bulk read left out (`BucketParts`): none for a whole read or a finding's snapshot.
    #[serde(default, skip_serializing_if = "BucketParts::is_empty")]
    pub unread: BucketParts,
}

/// A security group rule (ingress unless `is_egress`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroupState {
    pub group_id: String,
    pub group_name: String,
    pub vpc_id: Option<String>,
    pub account_id: String,
    pub region: String,
    pub rules: Vec<SecurityGroupRule>,
    pub tags: BTreeMap<String, String>,
}

/// Account-wide settings of one account in one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountState {
    pub account_id: String,
    pub region: String,
    /// The account-level S3 Block Public Access configuration (s3control).
    pub s3_public_access_block: BucketPublicAccessBlock,
    /// EBS encryption by default in this region; `None` when not recorded.
    pub ebs_encryption_by_default: Option<bool>,
    /// The account's own EBS snapshots in this region that anyone may create volumes from (`createVolumePermission`
    /// group `all`), sorted; `None` when not recorded or not readable.
    #[serde(default)]
    pub public_ebs_snapshots: Option<Vec<String>>,
}

/// An EC2 instance, as far as the metadata-service playbook needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceState {
    pub instance_id: String,
    pub account_id: String,
    pub region: String,
    /// `required` (IMDSv2 only) or `optional`; `None` when not recorded.
    pub http_tokens: Option<String>,
    /// `enabled` or `disabled`; `None` when not recorded.
    pub http_endpoint: Option<String>,
    pub tags: BTreeMap<String, String>,
}
