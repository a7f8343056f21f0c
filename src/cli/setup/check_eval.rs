//! Pure judgements of `setup --check`: does an event pattern select Security Hub's finding events, does a queue
//! policy let EventBridge send from a rule, what does a redrive policy name, is the lease table keyed and expiring as
//! `watch` needs. No I/O: what AWS answered comes in, a verdict with its reason goes out.

use super::{DETAIL_TYPES, EVENT_SOURCE, LEASE_EXPIRY_ATTRIBUTE, LEASE_KEY_ATTRIBUTE};
use crate::cloud::aws::setup_check::{TableFacts, TtlFacts};
use serde_json::Value;

/// The region in an SQS queue URL (`https://sqs.eu-west-1.amazonaws.com/…`, the legacy
/// `https://eu-west-1.queue.amazonaws.com/…`, or `https://queue.amazonaws.com/…` for us-east-1); `None` for any
/// other host (an emulator).
pub fn region_of_queue_url(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', ':', '?']).next()?.to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let region_like = |s: &str| {
        s.split('-').count() >= 3 && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    };
    match labels.as_slice() {
        ["sqs", region, ..] if region_like(region) => Some((*region).to_string()),
        [region, "queue", "amazonaws", ..] if region_like(region) => Some((*region).to_string()),
        ["queue", "amazonaws", "com"] => Some("us-east-1".into()),
        _ => None,
    }
}

/// The strings a pattern field (or a policy element) lists: one string or an array of them.
fn strings(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether `pattern` lets `value` through in field `field` of an event pattern: a field the pattern does not name
/// lets everything through; a named one must list `value` as an exact string (prefix and other matchers are not
/// read, so a pattern built on them is reported as not matching).
fn field_matches(pattern: &Value, field: &str, value: &str) -> bool {
    match pattern.get(field) {
        None => true,
        Some(listed) => strings(listed).contains(&value),
    }
}

/// `Ok(note)` when the event pattern selects source `aws.securityhub` with every one of the three detail types
/// (`note` names further conditions the pattern puts on events), else `Err(what is missing)`.
pub fn judge_pattern(pattern: Option<&str>) -> Result<String, String> {
    let Some(text) = pattern else { return Err("it has no event pattern (a scheduled rule)".into()) };
    let pattern: Value = serde_json::from_str(text).map_err(|e| format!("its event pattern is not JSON ({e})"))?;
    if !pattern.is_object() {
        return Err("its event pattern is not a JSON object".into());
    }
    if !field_matches(&pattern, "source", EVENT_SOURCE) {
        return Err(format!("its event pattern's source does not list {EVENT_SOURCE}"));
    }
    let missing: Vec<&str> = DETAIL_TYPES.into_iter().filter(|t| !field_matches(&pattern, "detail-type", t)).collect();
    if !missing.is_empty() {
        return Err(format!("its event pattern's detail-type lacks {}", quoted_list(&missing)));
    }
    let extra: Vec<&String> = pattern
        .as_object()
        .into_iter()
        .flat_map(|m| m.keys())
        .filter(|k| *k != "source" && *k != "detail-type")
        .collect();
    Ok(if extra.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = extra.iter().map(|k| k.as_str()).collect();
        format!(" (the pattern also filters on {})", names.join(", "))
    })
}

fn quoted_list(items: &[&str]) -> String {
    items.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ")
}

/// IAM's wildcard match (`*` any run, `?` one char), case-sensitive unless `fold`.
fn glob(pattern: &str, text: &str, fold: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if fold {
        (pattern.to_ascii_lowercase().chars().collect(), text.to_ascii_lowercase().chars().collect())
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn names_eventbridge(principal: &Value) -> bool {
    match principal {
        Value::String(s) => s == "*",
        Value::Object(map) => {
            map.get("Service").is_some_and(|s| strings(s).contains(&"events.amazonaws.com"))
                || map.get("AWS").is_some_and(|a| strings(a).contains(&"*"))
        }
        _ => false,
    }
}

fn covers_send(statement: &Value, queue_arn: &str) -> bool {
    let actions = statement.get("Action").map(strings).unwrap_or_default();
    let resources = statement.get("Resource").map(strings).unwrap_or_default();
    actions.iter().any(|a| glob(a, "sqs:SendMessage", true)) && resources.iter().any(|r| glob(r, queue_arn, false))
}

/// The `aws:SourceArn` values a statement's condition requires (key names are case-insensitive), with whether the
/// operator takes wildcards; empty when the statement has no such condition.
fn source_arn_conditions(statement: &Value) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    for (operator, block) in statement.get("Condition").and_then(Value::as_object).into_iter().flatten() {
        let op = operator.trim_start_matches("ForAnyValue:").trim_start_matches("ForAllValues:");
        let wildcards = matches!(op, "ArnLike" | "ArnEquals" | "StringLike");
        for (key, values) in block.as_object().into_iter().flatten() {
            if key.eq_ignore_ascii_case("aws:SourceArn") {
                found.extend(strings(values).into_iter().map(|v| (v.to_string(), wildcards)));
            }
        }
    }
    found
}

/// `Ok(how)` when the queue policy lets `events.amazonaws.com` send to `queue_arn` on behalf of `rule_arn`, else
/// `Err(why not)`. Deny statements without a condition that cover EventBridge's SendMessage count; conditional ones
/// (such as a TLS-only deny, which EventBridge meets) are not evaluated.
pub fn judge_queue_policy(policy: Option<&str>, queue_arn: &str, rule_arn: &str) -> Result<String, String> {
    let Some(text) = policy else { return Err("the queue has no access policy, so EventBridge cannot send".into()) };
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("the queue policy is not JSON ({e})"))?;
    let statements: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => Vec::new(),
    };
    let effect = |s: &Value, e: &str| s.get("Effect").and_then(Value::as_str) == Some(e);
    let relevant = |s: &&&Value| s.get("Principal").is_some_and(names_eventbridge) && covers_send(s, queue_arn);
    if let Some(deny) =
        statements.iter().filter(|s| effect(s, "Deny")).filter(relevant).find(|s| s.get("Condition").is_none())
    {
        let sid = deny.get("Sid").and_then(Value::as_str).unwrap_or("without a Sid");
        return Err(format!("statement {sid} denies sqs:SendMessage to EventBridge"));
    }
    let mut other_rules = Vec::new();
    for statement in statements.iter().filter(|s| effect(s, "Allow")).filter(relevant) {
        let conditions = source_arn_conditions(statement);
        if conditions.is_empty() {
            return Ok(" (from any source: add the condition aws:SourceArn = the rule's ARN)".into());
        }
        let matches = |(value, wildcards): &(String, bool)| {
            if *wildcards {
                glob(value, rule_arn, false)
            } else {
                value == rule_arn
            }
        };
        if conditions.iter().any(matches) {
            return Ok(String::new());
        }
        other_rules.extend(conditions.into_iter().map(|(v, _)| v));
    }
    if other_rules.is_empty() {
        Err("no statement allows events.amazonaws.com to call sqs:SendMessage on the queue".into())
    } else {
        Err(format!("EventBridge may send only for {}, not for {rule_arn}", other_rules.join(", ")))
    }
}

/// The dead-letter queue's ARN and the receive count from a `RedrivePolicy` attribute.
pub fn redrive_target(redrive: Option<&str>) -> Result<(String, u64), String> {
    let Some(text) = redrive else {
        return Err("the queue has no redrive policy: a message that always fails is received until it expires".into());
    };
    let policy: Value = serde_json::from_str(text).map_err(|e| format!("the redrive policy is not JSON ({e})"))?;
    let arn = policy.get("deadLetterTargetArn").and_then(Value::as_str).filter(|a| !a.is_empty());
    let count = match policy.get("maxReceiveCount") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    match (arn, count) {
        (Some(arn), Some(count)) => Ok((arn.to_string(), count)),
        _ => Err("the redrive policy lacks deadLetterTargetArn or maxReceiveCount".into()),
    }
}

/// What is wrong with the lease table's key schema, if anything: `watch` writes items keyed by `resource` (S) alone.
pub fn table_problem(table: &TableFacts) -> Option<String> {
    let hash: Vec<&str> = table.keys.iter().filter(|(_, t)| t == "HASH").map(|(n, _)| n.as_str()).collect();
    let range: Vec<&str> = table.keys.iter().filter(|(_, t)| t == "RANGE").map(|(n, _)| n.as_str()).collect();
    let key_type = table.attribute_types.iter().find(|(n, _)| n == LEASE_KEY_ATTRIBUTE).map(|(_, t)| t.as_str());
    if hash != [LEASE_KEY_ATTRIBUTE] {
        return Some(format!("its partition key is {}, not {LEASE_KEY_ATTRIBUTE} (S)", hash.join(", ")));
    }
    if !range.is_empty() {
        return Some(format!(
            "it has a sort key ({}); leases are keyed by {LEASE_KEY_ATTRIBUTE} alone",
            range.join(", ")
        ));
    }
    if key_type != Some("S") {
        return Some(format!("its key {LEASE_KEY_ATTRIBUTE} is of type {}, not S", key_type.unwrap_or("unknown")));
    }
    None
}

/// What is wrong with the lease table's TTL, if anything: it must be on `expires_at`, so leases of dead owners go.
pub fn ttl_problem(ttl: &TtlFacts) -> Option<String> {
    let on = matches!(ttl.status.as_str(), "ENABLED" | "ENABLING");
    match ttl.attribute.as_deref() {
        Some(LEASE_EXPIRY_ATTRIBUTE) if on => None,
        Some(other) if on => Some(format!("TTL is on attribute {other}, not {LEASE_EXPIRY_ATTRIBUTE}")),
        _ => Some(format!("TTL is {} (expired leases would stay in the table)", ttl.status.to_ascii_lowercase())),
    }
}

#[cfg(test)]
#[path = "check_eval_tests.rs"]
mod tests;
