//! `[audit]`: the optional remote copy of the audit log. (The log's own path is the top-level `audit_log` key.)

use serde::Deserialize;

/// Key prefix of the copied records when `s3_prefix` is not set.
pub const DEFAULT_PREFIX: &str = "hubtriage-audit/";

/// `[audit]`.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// S3 bucket (with Object Lock) every record is copied to before the call it describes; none: no copy.
    pub s3_bucket: Option<String>,
    /// Key prefix of the records in the bucket (default `hubtriage-audit/`); one prefix per log keeps chains apart.
    pub s3_prefix: Option<String>,
    /// The bucket's region (default: the region of the base AWS configuration).
    pub s3_region: Option<String>,
}

impl AuditConfig {
    /// The key prefix records go under.
    pub fn prefix(&self) -> &str {
        self.s3_prefix.as_deref().unwrap_or(DEFAULT_PREFIX)
    }

    /// Problems with the section, naming the key.
    pub fn validate(&self) -> Result<(), String> {
        let Some(bucket) = &self.s3_bucket else {
            let orphan = [("s3_prefix", self.s3_prefix.is_some()), ("s3_region", self.s3_region.is_some())];
            return match orphan.iter().find(|(_, set)| *set) {
                Some((key, _)) => {
                    Err(format!("audit.{key}: set audit.s3_bucket too (the bucket records are copied to)"))
                }
                None => Ok(()),
            };
        };
        if let Some(why) = bucket_name_problem(bucket) {
            return Err(format!("audit.s3_bucket: {bucket:?} is not an S3 bucket name: {why}"));
        }
        if let Some(prefix) = &self.s3_prefix {
            if prefix.starts_with('/') || prefix.len() > 512 || prefix.chars().any(char::is_control) {
                return Err(format!(
                    "audit.s3_prefix: {prefix:?} is not a usable key prefix (no leading '/', no control characters, \
                     at most 512 bytes)"
                ));
            }
        }
        if let Some(region) = &self.s3_region {
            let ok = region.split('-').count() >= 3
                && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !ok {
                return Err(format!("audit.s3_region: {region:?} is not an AWS region such as eu-west-1"));
            }
        }
        Ok(())
    }
}

/// Why a name breaks S3's bucket naming rules, if it does.
fn bucket_name_problem(name: &str) -> Option<&'static str> {
    let bytes = name.as_bytes();
    if !(3..=63).contains(&bytes.len()) {
        return Some("it must be 3 to 63 characters long");
    }
    if !bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'.' || *b == b'-') {
        return Some("only lowercase letters, digits, '.' and '-' are allowed");
    }
    let alnum = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !alnum(bytes.first()) || !alnum(bytes.last()) {
        return Some("it must begin and end with a letter or a digit");
    }
    if name.contains("..") {
        return Some("it must not contain two adjacent periods");
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
        return Some("it must not look like an IP address");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_bucket(bucket: &str) -> AuditConfig {
        AuditConfig { s3_bucket: Some(bucket.into()), ..AuditConfig::default() }
    }

    #[test]
    fn bucket_names_follow_s3_rules() {
        assert!(with_bucket("acme-audit.logs-1").validate().is_ok());
        for bad in ["ab", "Acme-Audit", "-acme", "acme-", "a..b", "192.168.1.1", "acme_audit", &"a".repeat(64)] {
            let err = with_bucket(bad).validate().expect_err(bad);
            assert!(err.starts_with("audit.s3_bucket:"), "{err}");
        }
    }

    #[test]
    fn prefix_and_region_need_a_bucket_and_a_usable_value() {
        let orphan = AuditConfig { s3_prefix: Some("x/".into()), ..AuditConfig::default() };
        assert!(orphan.validate().expect_err("no bucket").contains("set audit.s3_bucket"));
        let bad_prefix = AuditConfig { s3_prefix: Some("/abs".into()), ..with_bucket("acme-audit") };
        assert!(bad_prefix.validate().expect_err("prefix").starts_with("audit.s3_prefix:"));
        let bad_region = AuditConfig { s3_region: Some("Europe".into()), ..with_bucket("acme-audit") };
        assert!(bad_region.validate().expect_err("region").starts_with("audit.s3_region:"));
        let good = AuditConfig { s3_region: Some("eu-west-1".into()), ..with_bucket("acme-audit") };
        assert!(good.validate().is_ok());
        assert_eq!(good.prefix(), DEFAULT_PREFIX);
    }
}
