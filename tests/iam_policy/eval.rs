//! A small evaluator of identity-based IAM policies, enough to ask "does this document allow this action on this
//! resource with this request context?": `Action` and `Resource` with the `*` and `?` wildcards (actions compared
//! without regard to case, resources with), the policy variable `${aws:PrincipalAccount}` (any `${key}` of the
//! context) in resources and condition values, and the condition operators `StringEquals`, `StringLike`,
//! `ForAllValues:StringEquals` and `Null`. Any other operator fails the statement (closed), so a policy using one
//! this evaluator cannot read is reported, never passed. An explicit `Deny` wins.

use serde_json::Value;
use std::collections::BTreeMap;

/// What is asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub action: String,
    pub resource: String,
    /// Condition keys present in the request, with their values (`aws:ResourceAccount`, `aws:TagKeys`, …).
    pub context: BTreeMap<String, Vec<String>>,
}

impl Request {
    pub fn new(action: &str, resource: &str) -> Self {
        Self { action: action.into(), resource: resource.into(), context: BTreeMap::new() }
    }

    /// Adds a condition key with its values.
    pub fn with(mut self, key: &str, values: &[&str]) -> Self {
        self.context.insert(key.into(), values.iter().map(|v| v.to_string()).collect());
        self
    }
}

/// `*` matches any run of characters (none included), `?` one.
pub fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if ignore_case {
        (pattern.to_lowercase().chars().collect(), text.to_lowercase().chars().collect())
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    // Classic two-pointer glob with backtracking to the last `*`.
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

/// `${key}` replaced by the context's (first) value of `key`; an unknown variable is left as written, so it
/// matches nothing.
fn substitute(text: &str, context: &BTreeMap<String, Vec<String>>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                let key = &after[..end];
                match context.get(key).and_then(|v| v.first()) {
                    Some(value) => out.push_str(value),
                    None => out.push_str(&rest[start..start + 3 + end]),
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A string or an array of strings.
fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    }
}

/// Whether every condition of `condition` holds for the request; the reason when one does not.
fn conditions_hold(condition: &Value, request: &Request) -> Result<(), String> {
    let Some(operators) = condition.as_object() else { return Ok(()) };
    for (operator, keys) in operators {
        for (key, wanted) in keys.as_object().into_iter().flatten() {
            let wanted: Vec<String> = strings(wanted).iter().map(|w| substitute(w, &request.context)).collect();
            let present = request.context.get(key);
            let ok = match operator.as_str() {
                "StringEquals" => present.is_some_and(|vs| vs.iter().any(|v| wanted.contains(v))),
                "StringLike" => {
                    present.is_some_and(|vs| vs.iter().any(|v| wanted.iter().any(|w| wildcard_match(w, v, false))))
                }
                // True when the key is missing or empty: that is why policies pair it with Null.
                "ForAllValues:StringEquals" => present.is_none_or(|vs| vs.iter().all(|v| wanted.contains(v))),
                "Null" => match wanted.first().map(String::as_str) {
                    Some("true") => present.is_none_or(|vs| vs.is_empty()),
                    Some("false") => present.is_some_and(|vs| !vs.is_empty()),
                    _ => false,
                },
                other => return Err(format!("condition operator {other} is not understood by this evaluator")),
            };
            if !ok {
                return Err(format!("condition {operator} {key} {wanted:?} does not hold (request has {present:?})"));
            }
        }
    }
    Ok(())
}

/// Whether the statement's `Action` and `Resource` cover the request (`NotAction` / `NotResource` never do here).
fn covers(statement: &Value, request: &Request) -> bool {
    let action = strings(&statement["Action"]).iter().any(|a| wildcard_match(a, &request.action, true));
    let resource = strings(&statement["Resource"])
        .iter()
        .any(|r| wildcard_match(&substitute(r, &request.context), &request.resource, false));
    action && resource
}

/// The `Sid` of the statement that allows the request, or why none does.
pub fn allowed(policy: &Value, request: &Request) -> Result<String, String> {
    let statements = match &policy["Statement"] {
        Value::Array(a) => a.clone(),
        single @ Value::Object(_) => vec![single.clone()],
        _ => return Err("the policy has no Statement".into()),
    };
    let mut allow: Option<String> = None;
    let mut refusals = Vec::new();
    for statement in &statements {
        if !covers(statement, request) {
            continue;
        }
        let sid = statement["Sid"].as_str().unwrap_or("(no Sid)").to_string();
        match (statement["Effect"].as_str(), conditions_hold(&statement["Condition"], request)) {
            (Some("Deny"), Ok(())) => return Err(format!("denied by {sid}")),
            (Some("Allow"), Ok(())) => allow = allow.or(Some(sid)),
            (_, Err(why)) => refusals.push(format!("{sid}: {why}")),
            (_, Ok(())) => {}
        }
    }
    allow.ok_or_else(|| {
        if refusals.is_empty() {
            format!("no statement allows {} on {}", request.action, request.resource)
        } else {
            format!("{} on {}: {}", request.action, request.resource, refusals.join("; "))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bucket_policy() -> Value {
        json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "Buckets", "Effect": "Allow",
            "Action": ["s3:PutBucketPublicAccessBlock"], "Resource": "arn:aws:s3:::*",
            "Condition": {"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}
        }]})
    }

    fn put(bucket_owner: &str) -> Request {
        Request::new("s3:PutBucketPublicAccessBlock", "arn:aws:s3:::logs")
            .with("aws:PrincipalAccount", &["222222222222"])
            .with("aws:ResourceAccount", &[bucket_owner])
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match(
            "arn:aws:ec2:*:*:security-group/*",
            "arn:aws:ec2:eu-west-1:2:security-group/sg-1",
            false
        ));
        assert!(wildcard_match("arn:aws:ssm:*:*:document/AWS-X", "arn:aws:ssm:eu-west-1::document/AWS-X", false));
        assert!(!wildcard_match("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:eu-west-1:2:security-group/sg-1", false));
        assert!(wildcard_match("EC2:Describe*", "ec2:DescribeTags", true));
        assert!(wildcard_match("s3:Get?ucketTagging", "s3:GetBucketTagging", true));
        assert!(!wildcard_match("s3:GetBucketTagging", "s3:GetBucketTaggingX", true));
    }

    #[test]
    fn own_account_change_is_allowed_and_another_accounts_bucket_is_not() {
        assert_eq!(allowed(&bucket_policy(), &put("222222222222")), Ok("Buckets".into()));
        let err = allowed(&bucket_policy(), &put("999999999999")).expect_err("another account's bucket");
        assert!(err.contains("aws:ResourceAccount") && err.contains("999999999999"), "{err}");
        let no_owner = Request::new("s3:PutBucketPublicAccessBlock", "arn:aws:s3:::logs");
        assert!(allowed(&bucket_policy(), &no_owner).is_err(), "a missing key fails StringEquals");
    }

    #[test]
    fn a_policy_missing_the_action_says_which() {
        let err = allowed(&bucket_policy(), &Request::new("s3:PutBucketPolicy", "arn:aws:s3:::logs"))
            .expect_err("not granted");
        assert_eq!(err, "no statement allows s3:PutBucketPolicy on arn:aws:s3:::logs");
    }

    #[test]
    fn tag_keys_must_be_ours_and_present() {
        let policy = json!({"Statement": [{
            "Sid": "Tags", "Effect": "Allow", "Action": ["ec2:DeleteTags"], "Resource": "*",
            "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["SecurityException"]}, "Null": {"aws:TagKeys": "false"}}
        }]});
        let delete = Request::new("ec2:DeleteTags", "arn:aws:ec2:eu-west-1:2:security-group/sg-1");
        assert!(allowed(&policy, &delete.clone().with("aws:TagKeys", &["SecurityException"])).is_ok());
        assert!(allowed(&policy, &delete.clone().with("aws:TagKeys", &["SecurityException", "Name"])).is_err());
        assert!(allowed(&policy, &delete).is_err(), "a DeleteTags without keys deletes every tag");
    }

    #[test]
    fn unknown_operators_fail_closed_and_deny_wins() {
        let policy = json!({"Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "2099-01-01"}}}
        ]});
        let err = allowed(&policy, &Request::new("s3:GetBucketTagging", "arn:aws:s3:::b")).expect_err("closed");
        assert!(err.contains("DateLessThan"), "{err}");
        let policy = json!({"Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "D", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}
        ]});
        assert_eq!(allowed(&policy, &Request::new("s3:DeleteBucket", "arn:aws:s3:::b")), Err("denied by D".into()));
    }
}
