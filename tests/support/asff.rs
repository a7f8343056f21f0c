//! Findings built as Security Hub writes them (ASFF) and read with the product's reader.
#![allow(clippy::unwrap_used)]

use hubtriage::model::asff::read_value;
use hubtriage::model::Finding;
use serde_json::{json, Value};

/// An S3.8 finding (bucket-level Block Public Access) on `bucket` in `account`/`region`, with the id
/// `…:security-control/S3.8/finding/{name}`.
pub fn s3_8_asff(account: &str, region: &str, bucket: &str, name: &str) -> Value {
    json!({
        "SchemaVersion": "2018-10-08",
        "Id": format!("arn:aws:securityhub:{region}:{account}:security-control/S3.8/finding/{name}"),
        "ProductArn": format!("arn:aws:securityhub:{region}::product/aws/securityhub"),
        "GeneratorId": "security-control/S3.8",
        "AwsAccountId": account,
        "Region": region,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "CreatedAt": "2026-11-01T10:00:00Z",
        "UpdatedAt": "2026-11-20T10:00:00Z",
        "Severity": {"Label": "HIGH"},
        "Title": "S3 general purpose buckets should block public access",
        "Description": "bucket-level Block Public Access",
        "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.8"},
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "Resources": [{"Type": "AwsS3Bucket", "Id": format!("arn:aws:s3:::{bucket}"), "Region": region}]
    })
}

/// The one finding `asff` reads as; it must read without problems.
pub fn read_one(asff: &Value) -> Finding {
    let outcome = read_value(asff);
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    outcome.findings.into_iter().next().unwrap()
}
