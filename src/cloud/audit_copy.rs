//! The port of the remote copy of the audit log: every record is also stored, once, where this machine cannot
//! change or delete it (an S3 bucket with Object Lock), before the call it describes is made. It anchors the end of
//! the chain, which the local file cannot vouch for.

use super::CloudError;
use async_trait::async_trait;

/// How well the destination keeps what is written to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyRetention {
    /// Object Lock is on, with the default retention (`COMPLIANCE 365 days`), if the bucket sets one.
    Locked { default_retention: Option<String> },
    /// Object Lock is off: records written there can be overwritten or deleted.
    Unlocked,
}

/// Where audit records are copied to.
#[async_trait]
pub trait AuditCopy: Send + Sync {
    /// The destination, for messages: `s3://bucket/prefix`.
    fn location(&self) -> String;

    /// Stores one record line under its own key, made of its sequence number and its hash, so no record replaces
    /// another. Returns the key.
    async fn put_record(&self, seq: u64, hash: &str, line: &[u8]) -> Result<String, CloudError>;

    /// Whether the destination keeps records from being overwritten or deleted.
    async fn retention(&self) -> Result<CopyRetention, CloudError>;
}

/// The key of a record under `prefix`: the sequence number (zero-padded, so keys sort in chain order) and the hash.
pub fn record_key(prefix: &str, seq: u64, hash: &str) -> String {
    format!("{prefix}{seq:012}-{hash}.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_in_chain_order_and_differ_by_hash() {
        let a = record_key("hubtriage/", 9, "ab");
        let b = record_key("hubtriage/", 10, "ab");
        assert_eq!(a, "hubtriage/000000000009-ab.json");
        assert!(a < b);
        assert_ne!(record_key("p/", 1, "aa"), record_key("p/", 1, "bb"));
    }
}
