//! Exceptions managed by hand: tags with a reason, an expiry and an owner on the resource. Adding, renewing and
//! removing them go through the remediator (audited, notified); listing reads them across every account and region.

use chrono::{DateTime, Utc};

/// How an exception stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExceptionStatus {
    Valid,
    /// Valid, but ending within `exceptions.expiring_soon_days`.
    ExpiringSoon,
    Expired,
    /// The tags cannot be read (missing or unparsable expiry): the exception does not apply.
    Invalid(String),
}

/// One exception found on a resource, as the Exceptions view and `exceptions list` show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceptionEntry {
    pub account_id: String,
    pub region: String,
    pub resource_type: String,
    /// The resource's ARN (or id).
    pub resource_id: String,
    pub reason: String,
    pub owner: Option<String>,
    pub expires: Option<DateTime<Utc>>,
    /// Whole days until expiry (negative once expired).
    pub days_left: Option<i64>,
    pub status: ExceptionStatus,
}

/// Resource types that carry tags hubtriage can write (S3 buckets, EC2 resources).
pub fn can_carry_tags(resource_type: &str) -> bool {
    resource_type == "AwsS3Bucket" || (resource_type.starts_with("AwsEc2") && resource_type != "AwsEc2Account")
}

/// What the operator asks for: add (or renew) an exception on a resource.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceptionInput {
    pub account_id: String,
    pub region: String,
    pub resource: crate::model::ResourceRef,
    pub reason: String,
    /// `YYYY-MM-DD`, an RFC 3339 time, or `Nd` (N days from now); empty: `exceptions.default_days`.
    pub expires: String,
    /// Empty: the operator identity.
    pub owner: String,
}

/// An exception change to make.
#[derive(Debug, Clone, PartialEq)]
pub enum ExceptionOp {
    /// Add or renew (the tags are overwritten with the new reason, expiry and owner).
    Add(ExceptionInput),
    /// Remove our three tags, and only those.
    Remove { account_id: String, region: String, resource: crate::model::ResourceRef },
}

/// A validated exception: the tag values to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidException {
    pub reason: String,
    pub expires: DateTime<Utc>,
    /// The expiry as written to the tag: `YYYY-MM-DD` when a date or a number of days was given.
    pub expires_tag: String,
    pub owner: String,
}

/// AWS tag values are at most 256 characters.
const MAX_TAG_VALUE: usize = 256;

/// Checks an exception request; the error says which field is wrong and why, as the dialog and CLI show it.
pub fn validate(
    input: &ExceptionInput,
    config: &crate::config::ExceptionsConfig,
    operator: &str,
    now: DateTime<Utc>,
) -> Result<ValidException, String> {
    use crate::model::sanitize::single_line;
    if !can_carry_tags(&input.resource.kind) {
        return Err(format!(
            "resource: {} resources cannot carry tags, so they cannot hold an exception",
            single_line(&input.resource.kind)
        ));
    }
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err("reason: an exception needs a reason".into());
    }
    if reason.chars().any(char::is_control) || reason.chars().count() > MAX_TAG_VALUE {
        return Err(format!("reason: at most {MAX_TAG_VALUE} characters, on one line"));
    }
    let text = input.expires.trim();
    let (expires, expires_tag) = if text.is_empty() {
        days_from(now, i64::from(config.default_days))
    } else if let Some(days) = text.strip_suffix('d').and_then(|d| d.parse::<i64>().ok()) {
        if days < 1 {
            return Err(format!("expires: {days}d is not in the future"));
        }
        days_from(now, days)
    } else {
        let at = crate::policy::exception::parse_expiry(text).map_err(|e| format!("expires: {e}"))?;
        (at, text.to_string())
    };
    if expires <= now {
        return Err(format!("expires: {} is in the past", expires.format("%Y-%m-%d %H:%M UTC")));
    }
    let longest = now + chrono::Duration::days(i64::from(config.max_days)) + chrono::Duration::days(1);
    if expires > longest {
        return Err(format!(
            "expires: {} is beyond the maximum of {} days (exceptions.max_days)",
            expires.format("%Y-%m-%d"),
            config.max_days
        ));
    }
    let owner = match input.owner.trim() {
        "" => operator.to_string(),
        owner => owner.to_string(),
    };
    if owner.chars().any(char::is_control) || owner.chars().count() > MAX_TAG_VALUE {
        return Err(format!("owner: at most {MAX_TAG_VALUE} characters, on one line"));
    }
    Ok(ValidException { reason: reason.to_string(), expires, expires_tag, owner: single_line(&owner) })
}

/// The end of the day `days` from now, and its date as a tag value.
fn days_from(now: DateTime<Utc>, days: i64) -> (DateTime<Utc>, String) {
    let date = (now + chrono::Duration::days(days)).date_naive();
    let end = date.and_hms_opt(23, 59, 59).map(|t| t.and_utc()).unwrap_or(now);
    (end, date.format("%Y-%m-%d").to_string())
}
