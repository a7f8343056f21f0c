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
    /// Valid by its dates, but beyond `exceptions.max_days` or without an owner while `exceptions.enforce_limits`
    /// is on: the exception does not apply, and why.
    NotHonoured(String),
}

impl ExceptionStatus {
    /// A short word for tables and JSON: `valid`, `expiring-soon`, `expired`, `invalid`.
    pub fn word(&self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::ExpiringSoon => "expiring-soon",
            Self::Expired => "expired",
            Self::Invalid(_) => "invalid",
            Self::NotHonoured(_) => "not-honoured",
        }
    }

    /// Whether the exception applies now (the verdict is `excepted`).
    pub fn applies(&self) -> bool {
        matches!(self, Self::Valid | Self::ExpiringSoon)
    }
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
    /// Why the exception breaks the limits `exceptions add` keeps to (too long, no owner): it was written outside
    /// hubtriage. Shown whether or not the limits are enforced.
    pub flag: Option<String>,
    /// The controls the exception is limited to (the controls tag); `None`: every control of the resource.
    pub controls: Option<Vec<String>>,
}

impl ExceptionEntry {
    /// The exception as read from a tagged resource of `account_id`/`region`; `None` when it carries no reason tag.
    pub fn from_tags(
        account_id: &str,
        region: &str,
        resource: &crate::cloud::TaggedResource,
        config: &crate::config::ExceptionsConfig,
        now: DateTime<Utc>,
    ) -> Option<Self> {
        use crate::model::sanitize::single_line;
        use crate::policy::exception::{read_exception, ExceptionLimits, ExceptionStatus as Read};
        let names = &config.tags;
        let raw_reason = resource.tags.get(&names.reason_tag)?;
        let soon = now + chrono::Duration::days(i64::from(config.expiring_soon_days));
        let limits = ExceptionLimits { max_days: config.max_days, enforce: config.enforce_limits };
        let read = read_exception(&resource.tags, names, now);
        let flag = match &read {
            Read::Valid(tag) => limits.breach(tag, names, now),
            _ => None,
        };
        let (tag, status) = match read {
            Read::None => return None,
            Read::Valid(tag) if flag.is_some() && limits.enforce => {
                (Some(tag), ExceptionStatus::NotHonoured(flag.clone().unwrap_or_default()))
            }
            Read::Valid(tag) if tag.expires <= soon => (Some(tag), ExceptionStatus::ExpiringSoon),
            Read::Valid(tag) => (Some(tag), ExceptionStatus::Valid),
            Read::Expired(tag) => (Some(tag), ExceptionStatus::Expired),
            Read::Invalid(why) => (None, ExceptionStatus::Invalid(why)),
        };
        Some(Self {
            account_id: account_id.to_string(),
            region: region.to_string(),
            resource_type: single_line(&resource.resource_type),
            resource_id: single_line(&resource.resource_id),
            reason: tag.as_ref().map(|t| t.reason.clone()).unwrap_or_else(|| single_line(raw_reason)),
            owner: resource.tags.get(&names.owner_tag).map(|o| single_line(o)),
            expires: tag.as_ref().map(|t| t.expires),
            days_left: tag.as_ref().map(|t| t.days_left(now)),
            controls: tag.as_ref().and_then(|t| t.controls.clone()).map(|c| c.iter().map(|c| single_line(c)).collect()),
            status,
            flag,
        })
    }

    /// The controls in words: `EC2.13, EC2.14`, or `all` for every control.
    pub fn controls_text(&self) -> String {
        self.controls.as_ref().map(|c| c.join(", ")).unwrap_or_else(|| "all".into())
    }

    /// The short name of the resource: bucket name, `sg-…`, `i-…`.
    pub fn short_id(&self) -> String {
        short_id(&self.resource_id)
    }

    /// Whether the exception ends within `days` days from `now` (expired ones included; unreadable ones never end).
    pub fn ends_within(&self, days: u32, now: DateTime<Utc>) -> bool {
        self.expires.is_some_and(|t| t <= now + chrono::Duration::days(i64::from(days)))
    }

    /// The status in words: `valid`, `expiring soon`, `expired 3 days ago`, `invalid: <why>`, `not honoured: <why>`,
    /// and for an exception that applies but breaks the limits, `valid, flagged: <why>`.
    pub fn status_text(&self) -> String {
        let text = match (&self.status, self.days_left) {
            (ExceptionStatus::Expired, Some(days)) => format!("expired {} days ago", -days),
            (ExceptionStatus::Invalid(why), _) => format!("invalid: {why}"),
            (ExceptionStatus::NotHonoured(why), _) => return format!("not honoured: {why}"),
            (ExceptionStatus::ExpiringSoon, _) => "expiring soon".into(),
            (status, _) => status.word().into(),
        };
        match &self.flag {
            Some(why) => format!("{text}, flagged: {why}"),
            None => text,
        }
    }
}

/// Sorts entries by expiry, soonest (and expired) first; unreadable ones last; then by account and resource.
pub fn sort_entries(entries: &mut [ExceptionEntry]) {
    entries.sort_by(|a, b| {
        (a.expires.is_none(), a.expires, &a.account_id, &a.resource_id).cmp(&(
            b.expires.is_none(),
            b.expires,
            &b.account_id,
            &b.resource_id,
        ))
    });
}

/// The short name of a resource given by id or ARN: the bucket name, `sg-…`, `i-…`.
pub fn short_id(id: &str) -> String {
    let reference = crate::model::ResourceRef {
        kind: "".into(),
        id: id.to_string(),
        region: None,
        tags: Default::default(),
        details: None,
    };
    reference.short_id().to_string()
}

/// The ASFF resource type of a resource given by ARN or id, when it tells: `arn:aws:s3:::…`, `sg-…`, `i-…`,
/// `arn:…:security-group/…`, `arn:…:instance/…`.
pub fn resource_type_of(id: &str) -> Option<&'static str> {
    let id = id.trim();
    if let Some(rest) = id.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        let (service, resource) = (parts.get(1).copied()?, parts.get(4).copied()?);
        return match service {
            "s3" if !resource.is_empty() && !resource.contains('/') => Some("AwsS3Bucket"),
            "ec2" if resource.starts_with("security-group/") => Some("AwsEc2SecurityGroup"),
            "ec2" if resource.starts_with("instance/") => Some("AwsEc2Instance"),
            "kms" if resource.starts_with("key/") => Some("AwsKmsKey"),
            "iam" if resource.starts_with("user/") => Some("AwsIamUser"),
            "iam" if resource.starts_with("role/") => Some("AwsIamRole"),
            "rds" if resource.starts_with("snapshot:") => Some("AwsRdsDbSnapshot"),
            "rds" if resource.starts_with("cluster-snapshot:") => Some("AwsRdsDbClusterSnapshot"),
            "cloudtrail" if resource.starts_with("trail/") => Some("AwsCloudTrailTrail"),
            _ => None,
        };
    }
    if id.starts_with("sg-") {
        Some("AwsEc2SecurityGroup")
    } else if id.starts_with("i-") {
        Some("AwsEc2Instance")
    } else {
        None
    }
}

/// The resource's ARN as findings name it (`arn:aws:s3:::name`, `arn:aws:ec2:<region>:<account>:security-group/…`),
/// so jobs on the same resource share one lock; other ids are kept as given.
pub fn canonical_id(resource_type: &str, id: &str, account_id: &str, region: &str) -> String {
    let id = id.trim();
    if id.starts_with("arn:") {
        return id.to_string();
    }
    match resource_type {
        "AwsS3Bucket" => format!("arn:aws:s3:::{id}"),
        "AwsEc2SecurityGroup" => format!("arn:aws:ec2:{region}:{account_id}:security-group/{id}"),
        "AwsEc2Instance" => format!("arn:aws:ec2:{region}:{account_id}:instance/{id}"),
        "AwsKmsKey" => format!("arn:aws:kms:{region}:{account_id}:key/{id}"),
        "AwsIamUser" => format!("arn:aws:iam::{account_id}:user/{id}"),
        "AwsIamRole" => format!("arn:aws:iam::{account_id}:role/{id}"),
        _ => id.to_string(),
    }
}

/// Resource types that carry tags hubtriage can write (S3 buckets, EC2 resources, KMS keys, IAM users and roles, RDS
/// snapshots, CloudTrail trails).
pub fn can_carry_tags(resource_type: &str) -> bool {
    matches!(
        resource_type,
        "AwsS3Bucket"
            | "AwsKmsKey"
            | "AwsIamUser"
            | "AwsIamRole"
            | "AwsRdsDbSnapshot"
            | "AwsRdsDbClusterSnapshot"
            | "AwsCloudTrailTrail"
    ) || (resource_type.starts_with("AwsEc2") && resource_type != "AwsEc2Account")
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
    /// The controls the exception covers, comma-separated (`EC2.19,EC2.13`); empty: every control.
    pub controls: String,
}

/// An exception change to make.
#[derive(Debug, Clone, PartialEq)]
pub enum ExceptionOp {
    /// Add or renew (the tags are overwritten with the new reason, expiry and owner).
    Add(ExceptionInput),
    /// Remove our three tags, and only those.
    Remove { account_id: String, region: String, resource: crate::model::ResourceRef },
}

impl ExceptionOp {
    /// The account the change is made in.
    pub fn account_id(&self) -> &str {
        match self {
            Self::Add(input) => &input.account_id,
            Self::Remove { account_id, .. } => account_id,
        }
    }

    /// The region the change is made in.
    pub fn region(&self) -> &str {
        match self {
            Self::Add(input) => &input.region,
            Self::Remove { region, .. } => region,
        }
    }

    /// The resource the change is made on.
    pub fn resource(&self) -> &crate::model::ResourceRef {
        match self {
            Self::Add(input) => &input.resource,
            Self::Remove { resource, .. } => resource,
        }
    }
}

/// A validated exception: the tag values to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidException {
    pub reason: String,
    pub expires: DateTime<Utc>,
    /// The expiry as written to the tag: `YYYY-MM-DD` when a date or a number of days was given.
    pub expires_tag: String,
    pub owner: String,
    /// The controls the exception is limited to; `None`: every control.
    pub controls: Option<Vec<String>>,
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
    let controls = match input.controls.trim() {
        "" => None,
        text => {
            let list = crate::policy::exception::parse_controls(text).map_err(|e| format!("controls: {e}"))?;
            if list.join(",").len() > MAX_TAG_VALUE {
                return Err(format!("controls: at most {MAX_TAG_VALUE} characters"));
            }
            Some(list)
        }
    };
    Ok(ValidException { reason: reason.to_string(), expires, expires_tag, owner: single_line(&owner), controls })
}

/// The end of the day `days` from now, and its date as a tag value.
fn days_from(now: DateTime<Utc>, days: i64) -> (DateTime<Utc>, String) {
    let date = (now + chrono::Duration::days(days)).date_naive();
    let end = date.and_hms_opt(23, 59, 59).map(|t| t.and_utc()).unwrap_or(now);
    (end, date.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
#[path = "exceptions_tests.rs"]
mod tests;
