//! An AWS request as it crosses the wire, named as the service's API names it, with the parameters that say which
//! resource it is about. The service comes from the SigV4 credential scope (`…/region/service/aws4_request`); the
//! operation from `Action=` (EC2, STS, SNS: query protocol), `X-Amz-Target` (SSM, tagging API: JSON protocol), or
//! the method and path (Security Hub: REST JSON; S3 and S3 Control: REST XML).

use crate::support::http::IncomingRequest;
use serde_json::Value;

/// One request, named.
#[derive(Debug, Clone, PartialEq)]
pub struct WireOp {
    /// `s3`, `s3control`, `ec2`, `sts`, `sns`, `ssm`, `securityhub`, `tagging`.
    pub service: String,
    /// The API operation: `PutPublicAccessBlock`, `RevokeSecurityGroupIngress`, …
    pub operation: String,
    pub region: String,
    /// The access key that signed it (who made the call).
    pub access_key: String,
    /// The bucket of an S3 request (path style).
    pub bucket: Option<String>,
    /// Query-protocol parameters, decoded, in order.
    pub form: Vec<(String, String)>,
    /// JSON-protocol body.
    pub json: Option<Value>,
    /// `x-amz-account-id` (S3 Control).
    pub account_header: Option<String>,
}

impl WireOp {
    /// `service:Operation`, as failure messages name it.
    pub fn name(&self) -> String {
        format!("{}:{}", self.service, self.operation)
    }

    /// The first value of a query parameter.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every value of a numbered query parameter (`ResourceId.1`, `ResourceId.2`, … for `ResourceId.N`).
    pub fn params_numbered(&self, prefix: &str, suffix: &str) -> Vec<&str> {
        self.form
            .iter()
            .filter(|(k, _)| {
                k.strip_prefix(prefix)
                    .and_then(|rest| rest.strip_suffix(suffix))
                    .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            })
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// `%XX` and `+` decoded.
pub fn url_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `(service, region, access key)` from the Authorization header's credential scope.
fn credential_scope(req: &IncomingRequest) -> (String, String, String) {
    let auth = req.header("authorization").unwrap_or_default();
    let credential = auth.split("Credential=").nth(1).unwrap_or_default();
    let credential = credential.split([',', ' ']).next().unwrap_or_default();
    let parts: Vec<&str> = credential.split('/').collect();
    match parts.as_slice() {
        [key, _date, region, service, ..] => (service.to_string(), region.to_string(), key.to_string()),
        _ => ("?".into(), "?".into(), "?".into()),
    }
}

/// The S3 (or S3 Control) operation of a REST request.
fn s3_operation(method: &str, path: &str, query: &[(String, String)]) -> (String, Option<String>, bool) {
    let control = path.starts_with("/v20180820/");
    if control {
        let op = match (method, path) {
            (m, "/v20180820/configuration/publicAccessBlock") => format!("{}PublicAccessBlock", verb(m)),
            _ => format!("{method} {path}"),
        };
        return (op, None, true);
    }
    let bucket = path.trim_start_matches('/').split('/').next().filter(|b| !b.is_empty()).map(String::from);
    if let Some((_, id)) = query.iter().find(|(k, _)| k == "x-id") {
        return (id.clone(), bucket, false);
    }
    let sub = query
        .iter()
        .map(|(k, _)| k.as_str())
        .find(|k| ["publicAccessBlock", "encryption", "policy", "tagging", "location", "policyStatus"].contains(k));
    let op = match (method, sub, &bucket) {
        ("HEAD", None, Some(_)) => "HeadBucket".to_string(),
        (m, Some("publicAccessBlock"), Some(_)) => format!("{}PublicAccessBlock", verb(m)),
        (m, Some("encryption"), Some(_)) => format!("{}BucketEncryption", verb(m)),
        (m, Some("policy"), Some(_)) => format!("{}BucketPolicy", verb(m)),
        (m, Some("tagging"), Some(_)) => format!("{}BucketTagging", verb(m)),
        ("GET", Some("location"), Some(_)) => "GetBucketLocation".to_string(),
        ("GET", Some("policyStatus"), Some(_)) => "GetBucketPolicyStatus".to_string(),
        ("GET", None, None) => "ListBuckets".to_string(),
        _ => format!("{method} {path}"),
    };
    (op, bucket, false)
}

fn verb(method: &str) -> &str {
    match method {
        "GET" => "Get",
        "PUT" => "Put",
        "DELETE" => "Delete",
        other => other,
    }
}

/// Security Hub's REST paths.
fn securityhub_operation(method: &str, path: &str) -> String {
    match (method, path) {
        ("POST", "/findings") => "GetFindings",
        ("PATCH", "/findings/batchupdate") => "BatchUpdateFindings",
        ("POST", "/findingsv2") => "GetFindingsV2",
        ("PATCH", "/findingsv2/batchupdatev2") => "BatchUpdateFindingsV2",
        ("GET", "/hubv2") => "DescribeSecurityHubV2",
        ("POST", "/findingsv2/statistics") => "GetFindingStatisticsV2",
        _ => return format!("{method} {path}"),
    }
    .to_string()
}

/// Names a request.
pub fn classify(req: &IncomingRequest) -> WireOp {
    let (mut service, region, access_key) = credential_scope(req);
    let mut words = req.head.split_whitespace();
    let method = words.next().unwrap_or_default().to_string();
    let target = words.next().unwrap_or_default().to_string();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query: Vec<(String, String)> = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (url_decode(k), url_decode(v))
        })
        .collect();
    let body = String::from_utf8_lossy(&req.body).into_owned();
    let mut op = WireOp {
        service: service.clone(),
        operation: String::new(),
        region,
        access_key,
        bucket: None,
        form: Vec::new(),
        json: None,
        account_header: req.header("x-amz-account-id").map(String::from),
    };
    if let Some(target) = req.header("x-amz-target") {
        op.operation = target.rsplit('.').next().unwrap_or(target).to_string();
        op.json = serde_json::from_str(&body).ok();
        if target.starts_with("ResourceGroupsTaggingAPI") {
            op.service = "tagging".into();
        }
        return op;
    }
    let form: Vec<(String, String)> =
        body.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (url_decode(k), url_decode(v))).collect();
    if let Some((_, action)) = form.iter().find(|(k, _)| k == "Action") {
        op.operation = action.clone();
        op.form = form;
        return op;
    }
    if service == "securityhub" {
        op.operation = securityhub_operation(&method, path);
        op.json = serde_json::from_str(&body).ok();
        return op;
    }
    if service == "s3" {
        let (operation, bucket, control) = s3_operation(&method, path, &query);
        if control {
            service = "s3control".into();
        }
        op.service = service;
        op.operation = operation;
        op.bucket = bucket;
        return op;
    }
    op.operation = format!("{method} {path}");
    op
}
