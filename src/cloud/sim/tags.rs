//! Tags the generated resources carry: team tags, CloudFormation stack tags and `SecurityException*` tags.

use super::org::Place;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// Kinds of `SecurityException*` tags the scripted resources carry.
#[derive(Debug, Clone, Copy)]
pub(super) enum Exception {
    None,
    /// Valid, expiring in N days, written as a date.
    ValidDate(i64),
    /// Valid, expiring in N days, written as an RFC 3339 time.
    ValidTime(i64),
    /// Expired N days ago.
    Expired(i64),
    /// An expiry no parser understands.
    Unparsable,
}

/// Adds the exception tags for `exception` to `tags`.
pub(super) fn add_exception_tags(
    tags: &mut BTreeMap<String, String>,
    exception: Exception,
    reason: &str,
    owner: &str,
    now: DateTime<Utc>,
) {
    let expiry = match exception {
        Exception::None => return,
        Exception::ValidDate(days) => (now + Duration::days(days)).format("%Y-%m-%d").to_string(),
        Exception::ValidTime(days) => (now + Duration::days(days)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Exception::Expired(days) => (now - Duration::days(days)).format("%Y-%m-%d").to_string(),
        Exception::Unparsable => "end of Q3".into(),
    };
    tags.insert("SecurityException".into(), reason.into());
    tags.insert("SecurityExceptionExpiry".into(), expiry);
    tags.insert("SecurityExceptionOwner".into(), owner.into());
}

/// Team tags every resource carries: team, owner, cost centre, environment.
pub(super) fn team_tags(place: &Place, team: &str) -> BTreeMap<String, String> {
    let cost_center = match team {
        "payments" => "CC-4100",
        "risk" => "CC-4170",
        "finance" => "CC-4200",
        "platform" => "CC-2300",
        "web" => "CC-2310",
        "data" => "CC-2400",
        "research" => "CC-7100",
        "ml" => "CC-7150",
        _ => "CC-9000",
    };
    [
        ("team", team.to_string()),
        ("owner", format!("{team}-oncall@example.com")),
        ("cost-center", cost_center.to_string()),
        ("environment", place.class.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Tags CloudFormation puts on the resources of a stack.
pub(super) fn add_stack_tags(tags: &mut BTreeMap<String, String>, place: &Place, stack: &str, logical_id: &str) {
    let stack_uuid = super::rng::stable_uuid(place.seed, &[&place.account_id, &place.region, stack]);
    tags.insert("aws:cloudformation:stack-name".into(), stack.into());
    tags.insert("aws:cloudformation:logical-id".into(), logical_id.into());
    tags.insert(
        "aws:cloudformation:stack-id".into(),
        format!("arn:aws:cloudformation:{}:{}:stack/{stack}/{stack_uuid}", place.region, place.account_id),
    );
}
