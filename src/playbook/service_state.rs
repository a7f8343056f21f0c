//! Resource state of the services beyond S3 and EC2 networking that playbooks fix: KMS keys, CloudTrail trails,
//! RDS snapshots, IAM users and their access keys.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A KMS key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmsKeyState {
    pub key_id: String,
    pub account_id: String,
    pub region: String,
    /// Automatic rotation; `None` when not recorded.
    pub rotation_enabled: Option<bool>,
    /// `CUSTOMER` or `AWS`; `None` when not recorded.
    pub key_manager: Option<String>,
    /// `Enabled`, `Disabled`, `PendingDeletion`, …; `None` when not recorded.
    pub key_state: Option<String>,
    /// `SYMMETRIC_DEFAULT`, `RSA_2048`, …; `None` when not recorded.
    pub key_spec: Option<String>,
    pub tags: BTreeMap<String, String>,
}

/// A CloudTrail trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailState {
    pub name: String,
    pub arn: String,
    /// The region the trail was created in: the only one that can change it.
    pub home_region: String,
    pub account_id: String,
    pub region: String,
    /// Log file integrity validation; `None` when not recorded.
    pub log_file_validation: Option<bool>,
    pub tags: BTreeMap<String, String>,
}

/// An RDS DB snapshot or DB cluster snapshot and who may restore it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RdsSnapshotState {
    pub identifier: String,
    /// A DB cluster snapshot (Aurora, Multi-AZ clusters) rather than a DB instance snapshot.
    pub cluster: bool,
    pub account_id: String,
    pub region: String,
    /// The `restore` attribute holds `all`; `None` when not recorded.
    pub public: Option<bool>,
    /// Accounts the snapshot is shared with by id (left as they are).
    pub shared_with: Vec<String>,
    pub tags: BTreeMap<String, String>,
}

/// An IAM user, its access keys and whether it has another way in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IamUserState {
    pub user_name: String,
    pub account_id: String,
    /// When the state was read: key ages are counted to this time.
    pub read_at: DateTime<Utc>,
    pub access_keys: Vec<AccessKey>,
    /// The user has a console password (login profile); `None` when not recorded.
    pub console_password: Option<bool>,
    pub tags: BTreeMap<String, String>,
}

/// One access key of an IAM user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
pub struct AccessKey {
    pub id: String,
    pub active: bool,
    pub created: DateTime<Utc>,
    /// The last use AWS recorded; `None` when never used.
    pub last_used: Option<DateTime<Utc>>,
}

impl AccessKey {
    /// Whole days since creation at `now`.
    pub fn age_days(&self, now: DateTime<Utc>) -> i64 {
        (now - self.created).num_days()
    }

    /// Whole days without use at `now` (since creation when never used).
    pub fn idle_days(&self, now: DateTime<Utc>) -> i64 {
        (now - self.last_used.unwrap_or(self.created)).num_days()
    }
}

/// "on" / "off" / "not recorded".
fn flag(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "on",
        Some(false) => "off",
        None => "not recorded",
    }
}

impl super::state::ResourceState {
    /// A state of the services above in a few lines (rollback dialog); `None` for the other resource types.
    pub fn service_lines(&self) -> Option<Vec<String>> {
        use super::state::ResourceState as S;
        let public = |p: Option<bool>| match p {
            Some(true) => "public (group all)",
            Some(false) => "private",
            None => "not recorded",
        };
        Some(match self {
            S::KmsKey(k) => {
                vec![format!("KMS key {}", k.key_id), format!("automatic rotation: {}", flag(k.rotation_enabled))]
            }
            S::Trail(t) => vec![
                format!("CloudTrail trail {} (home region {})", t.name, t.home_region),
                format!("log file validation: {}", flag(t.log_file_validation)),
            ],
            S::RdsSnapshot(s) => vec![
                format!("RDS {}snapshot {}", if s.cluster { "cluster " } else { "" }, s.identifier),
                format!("restore: {}", public(s.public)),
            ],
            S::IamUser(u) => std::iter::once(format!("IAM user {}", u.user_name))
                .chain(
                    u.access_keys
                        .iter()
                        .map(|k| format!("access key {}: {}", k.id, if k.active { "Active" } else { "Inactive" })),
                )
                .collect(),
            _ => return None,
        })
    }
}
