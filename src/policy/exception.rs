//! Exceptions read from resource tags: `SecurityException=<reason>`, `SecurityExceptionExpiry=<date>`,
//! optional `SecurityExceptionOwner`, optional `SecurityExceptionControls=EC2.19,EC2.13` (the exception then covers
//! only those controls). Valid until the expiry; an exception without a readable expiry is ignored.

use crate::model::sanitize;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The tag names exceptions are stored under (configurable).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ExceptionTagNames {
    pub reason_tag: String,
    pub expiry_tag: String,
    pub owner_tag: String,
    /// Optional: the controls the exception covers, comma-separated; without it, every control.
    pub controls_tag: String,
}

impl Default for ExceptionTagNames {
    fn default() -> Self {
        Self {
            reason_tag: "SecurityException".into(),
            expiry_tag: "SecurityExceptionExpiry".into(),
            owner_tag: "SecurityExceptionOwner".into(),
            controls_tag: "SecurityExceptionControls".into(),
        }
    }
}

impl ExceptionTagNames {
    /// Every tag key an exception is written under.
    pub fn all(&self) -> [&str; 4] {
        [&self.reason_tag, &self.expiry_tag, &self.owner_tag, &self.controls_tag]
    }
}

/// A readable exception found on a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionTag {
    pub reason: String,
    /// The moment the exception stops applying (a date means the end of that day, UTC).
    pub expires: DateTime<Utc>,
    pub owner: Option<String>,
    /// The controls the exception is limited to (`None`: every control of the resource).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controls: Option<Vec<String>>,
}

impl ExceptionTag {
    /// Whether the exception covers a finding of `control` (a finding of no control only when it covers all).
    pub fn covers(&self, control: Option<&str>) -> bool {
        match (&self.controls, control) {
            (None, _) => true,
            (Some(list), _) if list.iter().any(|c| c == "*") => true,
            (Some(list), Some(id)) => list.iter().any(|p| super::rules::pattern_matches(p, id)),
            (Some(_), None) => false,
        }
    }

    /// Whole days left until expiry (0 on the last day, negative once expired).
    pub fn days_left(&self, now: DateTime<Utc>) -> i64 {
        let seconds = (self.expires - now).num_seconds();
        if seconds >= 0 {
            seconds / 86_400
        } else {
            -((-seconds + 86_399) / 86_400)
        }
    }
}

/// The limits an exception tag must keep to be honoured: anyone with tag rights can write one, so a tag that
/// `exceptions add` would have refused (too long, nobody owning it) is flagged, and with `enforce` not honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExceptionLimits {
    /// Longest exception allowed, in days from now (`exceptions.max_days`).
    pub max_days: u32,
    /// Whether an exception beyond the limits is ignored (`exceptions.enforce_limits`), or only flagged.
    pub enforce: bool,
}

impl Default for ExceptionLimits {
    fn default() -> Self {
        Self { max_days: 90, enforce: true }
    }
}

impl ExceptionLimits {
    /// What is wrong with an exception that is otherwise valid, in words; `None` when it keeps to the limits.
    pub fn breach(&self, tag: &ExceptionTag, names: &ExceptionTagNames, now: DateTime<Utc>) -> Option<String> {
        let days = tag.days_left(now);
        let too_long = (days > i64::from(self.max_days))
            .then(|| format!("it runs {days} more days, beyond exceptions.max_days ({})", self.max_days));
        let unowned = tag
            .owner
            .as_deref()
            .is_none_or(|o| o.trim().is_empty())
            .then(|| format!("it has no {} tag", names.owner_tag));
        match (too_long, unowned) {
            (Some(a), Some(b)) => Some(format!("{a}, and {b}")),
            (a, b) => a.or(b),
        }
    }
}

/// What the tags on a resource say about an exception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExceptionStatus {
    /// No exception tag.
    None,
    /// A valid exception.
    Valid(ExceptionTag),
    /// An exception whose expiry has passed.
    Expired(ExceptionTag),
    /// Exception tags that cannot be honoured, and why.
    Invalid(String),
}

/// Parses an expiry: `YYYY-MM-DD` (valid through that day, UTC) or an RFC 3339 time.
pub fn parse_expiry(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let end_of_day = date.and_hms_opt(23, 59, 59).ok_or_else(|| format!("{text:?} is not a valid date"))?;
        return Ok(end_of_day.and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{:?} is not a date (YYYY-MM-DD) or RFC 3339 time", sanitize::single_line(text)))
}

/// The controls of a controls tag: ids (`EC2.19`) or prefixes (`EC2.*`), separated by commas or spaces (tag values
/// cannot hold every character, so `/` and `+` are accepted too).
pub fn parse_controls(text: &str) -> Result<Vec<String>, String> {
    let list: Vec<String> =
        text.split([',', ' ', '/', '+']).map(str::trim).filter(|c| !c.is_empty()).map(String::from).collect();
    if list.is_empty() {
        return Err("lists no control".into());
    }
    if let Some(bad) =
        list.iter().find(|c| !c.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '_' | '*')))
    {
        return Err(format!("{:?} is not a control id", sanitize::single_line(bad)));
    }
    Ok(list)
}

/// Reads the exception status from a resource's tags.
pub fn read_exception(
    tags: &BTreeMap<String, String>,
    names: &ExceptionTagNames,
    now: DateTime<Utc>,
) -> ExceptionStatus {
    let Some(reason) = tags.get(&names.reason_tag) else {
        return ExceptionStatus::None;
    };
    let reason = sanitize::single_line(reason);
    if reason.trim().is_empty() {
        return ExceptionStatus::Invalid(format!("tag {} is empty", names.reason_tag));
    }
    let Some(expiry_text) = tags.get(&names.expiry_tag) else {
        return ExceptionStatus::Invalid(format!(
            "tag {} has no {} tag; exceptions must expire",
            names.reason_tag, names.expiry_tag
        ));
    };
    let expires = match parse_expiry(expiry_text) {
        Ok(t) => t,
        Err(e) => return ExceptionStatus::Invalid(format!("{}: {e}", names.expiry_tag)),
    };
    let controls = match tags.get(&names.controls_tag).map(|c| parse_controls(c)) {
        None => None,
        Some(Ok(list)) => Some(list),
        Some(Err(why)) => return ExceptionStatus::Invalid(format!("{}: {why}", names.controls_tag)),
    };
    let owner = tags.get(&names.owner_tag).map(|o| sanitize::single_line(o));
    let tag = ExceptionTag { reason, expires, owner, controls };
    if expires > now {
        ExceptionStatus::Valid(tag)
    } else {
        ExceptionStatus::Expired(tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        parse_expiry("2026-11-21T12:00:00Z").expect("time")
    }

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn valid_exception_with_days_left() {
        let t = tags(&[
            ("SecurityException", "vendor scanner needs access"),
            ("SecurityExceptionExpiry", "2026-12-01"),
            ("SecurityExceptionOwner", "alice"),
        ]);
        let ExceptionStatus::Valid(tag) = read_exception(&t, &ExceptionTagNames::default(), now()) else {
            panic!("expected a valid exception");
        };
        assert_eq!(tag.days_left(now()), 10);
        assert_eq!(tag.owner.as_deref(), Some("alice"));
    }

    #[test]
    fn expired_exception() {
        let t = tags(&[("SecurityException", "x"), ("SecurityExceptionExpiry", "2026-11-18")]);
        let ExceptionStatus::Expired(tag) = read_exception(&t, &ExceptionTagNames::default(), now()) else {
            panic!("expected an expired exception");
        };
        assert_eq!(tag.days_left(now()), -3);
    }

    #[test]
    fn unparsable_or_missing_expiry_is_invalid() {
        let names = ExceptionTagNames::default();
        let bad = tags(&[("SecurityException", "x"), ("SecurityExceptionExpiry", "soon")]);
        assert!(matches!(read_exception(&bad, &names, now()), ExceptionStatus::Invalid(m) if m.contains("\"soon\"")));
        let missing = tags(&[("SecurityException", "x")]);
        assert!(matches!(read_exception(&missing, &names, now()), ExceptionStatus::Invalid(_)));
        let impossible = tags(&[("SecurityException", "x"), ("SecurityExceptionExpiry", "2026-02-30")]);
        assert!(matches!(read_exception(&impossible, &names, now()), ExceptionStatus::Invalid(_)));
    }

    #[test]
    fn exceptions_beyond_the_limits_or_without_an_owner_are_breaches() {
        let names = ExceptionTagNames::default();
        let limits = ExceptionLimits { max_days: 90, enforce: true };
        let tag = |expiry: &str, owner: Option<&str>| ExceptionTag {
            reason: "r".into(),
            expires: parse_expiry(expiry).expect("expiry"),
            owner: owner.map(String::from),
            controls: None,
        };
        assert_eq!(limits.breach(&tag("2026-12-01", Some("alice")), &names, now()), None);
        assert_eq!(limits.breach(&tag("2027-02-19", Some("alice")), &names, now()), None, "90 days left is allowed");
        let long = limits.breach(&tag("2099-01-01", Some("alice")), &names, now()).expect("too long");
        assert!(long.contains("26339 more days") && long.contains("max_days (90)"), "{long}");
        let unowned = limits.breach(&tag("2026-12-01", None), &names, now()).expect("no owner");
        assert_eq!(unowned, "it has no SecurityExceptionOwner tag");
        assert!(limits.breach(&tag("2026-12-01", Some("  ")), &names, now()).is_some(), "a blank owner is none");
        let both = limits.breach(&tag("2099-01-01", None), &names, now()).expect("both");
        assert!(both.contains("max_days") && both.contains("no SecurityExceptionOwner"), "{both}");
    }

    #[test]
    fn configured_tag_names_are_used() {
        let names = ExceptionTagNames {
            reason_tag: "Waiver".into(),
            expiry_tag: "WaiverUntil".into(),
            owner_tag: "WaiverOwner".into(),
            controls_tag: "WaiverControls".into(),
        };
        let t = tags(&[("Waiver", "x"), ("WaiverUntil", "2027-01-01T00:00:00+01:00")]);
        assert!(matches!(read_exception(&t, &names, now()), ExceptionStatus::Valid(_)));
        let default_names = tags(&[("SecurityException", "x"), ("SecurityExceptionExpiry", "2027-01-01")]);
        assert_eq!(read_exception(&default_names, &names, now()), ExceptionStatus::None);
    }
}

#[cfg(test)]
mod control_tests {
    use super::*;

    #[test]
    fn a_controls_tag_limits_the_exception_to_those_controls() {
        let now = parse_expiry("2026-11-21T12:00:00Z").expect("time");
        let names = ExceptionTagNames::default();
        let mut tags: BTreeMap<String, String> = [
            ("SecurityException", "vendor scanner"),
            ("SecurityExceptionExpiry", "2026-12-01"),
            ("SecurityExceptionControls", "EC2.19, EC2.13"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let ExceptionStatus::Valid(tag) = read_exception(&tags, &names, now) else { panic!("valid") };
        assert_eq!(tag.controls.as_deref(), Some(&["EC2.19".to_string(), "EC2.13".to_string()][..]));
        assert!(tag.covers(Some("EC2.13")) && tag.covers(Some("ec2.19")));
        assert!(!tag.covers(Some("EC2.18")) && !tag.covers(None));
        tags.insert("SecurityExceptionControls".into(), "EC2.*".into());
        let ExceptionStatus::Valid(tag) = read_exception(&tags, &names, now) else { panic!("valid") };
        assert!(tag.covers(Some("EC2.18")) && !tag.covers(Some("S3.8")));
        tags.insert("SecurityExceptionControls".into(), " , ".into());
        assert!(
            matches!(read_exception(&tags, &names, now), ExceptionStatus::Invalid(w) if w.contains("lists no control"))
        );
        tags.remove("SecurityExceptionControls");
        let ExceptionStatus::Valid(tag) = read_exception(&tags, &names, now) else { panic!("valid") };
        assert!(tag.covers(Some("S3.8")) && tag.covers(None), "without the tag: every control");
    }
}
