//! Names the AWS operation of a request as it crosses the wire, and says whether it changes anything. Works for the
//! protocols hubtriage's clients speak: awsQuery (EC2, STS, SNS: `Action=` in the body), awsJson (tagging API, SSM:
//! `X-Amz-Target`), restJson (Security Hub: method and path) and restXml (S3, s3control: method and path).

use super::http::IncomingRequest;

/// `(operation, mutating)` of a request.
pub fn operation(req: &IncomingRequest) -> (String, bool) {
    let body = String::from_utf8_lossy(&req.body);
    if let Some(action) = body.split('&').find_map(|kv| kv.strip_prefix("Action=")) {
        let read = ["Describe", "Get", "List", "AssumeRole"].iter().any(|p| action.starts_with(p));
        return (action.to_string(), !read);
    }
    if let Some(target) = req.header("x-amz-target") {
        let op = target.rsplit('.').next().unwrap_or(target);
        let read = ["Describe", "Get", "List"].iter().any(|p| op.starts_with(p));
        return (op.to_string(), !read);
    }
    let mut words = req.head.split_whitespace();
    let method = words.next().unwrap_or("").to_string();
    let path = words.next().unwrap_or("").to_string();
    match (method.as_str(), path.as_str()) {
        ("POST", "/findings") => return ("GetFindings".into(), false),
        ("POST", "/findingsv2") => return ("GetFindingsV2".into(), false),
        ("POST", "/findingsv2/statistics") => return ("GetFindingStatisticsV2".into(), false),
        ("GET", "/hubv2") => return ("DescribeSecurityHubV2".into(), false),
        ("PATCH", "/findings/batchupdate") => return ("BatchUpdateFindings".into(), true),
        ("PATCH", "/findingsv2/batchupdatev2") => return ("BatchUpdateFindingsV2".into(), true),
        _ => {}
    }
    let read = matches!(method.as_str(), "GET" | "HEAD");
    (format!("{method} {path}"), !read)
}
