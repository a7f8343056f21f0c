//! Findings built as Security Hub writes them (ASFF) and read with the product's reader.
#![allow(clippy::unwrap_used)]

use hubtriage::model::asff::read_value;
use hubtriage::model::Finding;
use serde_json::{json, Value};

/// An S3.8 finding (bucket-level Block Public Access) on `bucket` in `account`/`region`, with the id
/// `…:security-control/S3.8/finding/{name}`.
pub fn s3_8_asff(account: &str, region: &str, bucket: &str, name: &str) -> Value {
    bucket_control_asff("S3.8", account, region, bucket, name)
}

/// A finding of Security Hub's own control `control` on the resource `resource_type`/`resource_id`, with the id
/// `…:security-control/{control}/finding/{name}`.
pub fn control_asff(control: &str, account: &str, region: &str, resource: (&str, &str), name: &str) -> Value {
    let mut finding = bucket_control_asff(control, account, region, "placeholder", name);
    finding["Title"] = json!(format!("Security Hub control {control}"));
    finding["Resources"] = json!([{"Type": resource.0, "Id": resource.1, "Region": region}]);
    finding
}

/// A finding of Security Hub's own bucket control `control` (`S3.4`, `S3.5`, `S3.8`, …) on `bucket`, with the id
/// `…:security-control/{control}/finding/{name}`.
pub fn bucket_control_asff(control: &str, account: &str, region: &str, bucket: &str, name: &str) -> Value {
    let (title, description) = match control {
        "S3.8" => ("S3 general purpose buckets should block public access", "bucket-level Block Public Access"),
        "S3.4" => ("S3 general purpose buckets should have server-side encryption enabled", "default encryption"),
        "S3.5" => ("S3 general purpose buckets should require requests to use SSL", "SSL-only policy"),
        _ => ("An S3 bucket control", "a failing S3 bucket control"),
    };
    json!({
        "SchemaVersion": "2018-10-08",
        "Id": format!("arn:aws:securityhub:{region}:{account}:security-control/{control}/finding/{name}"),
        "ProductArn": format!("arn:aws:securityhub:{region}::product/aws/securityhub"),
        "GeneratorId": format!("security-control/{control}"),
        "AwsAccountId": account,
        "Region": region,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "CreatedAt": "2026-11-01T10:00:00Z",
        "UpdatedAt": "2026-11-20T10:00:00Z",
        "Severity": {"Label": "HIGH"},
        "Title": title,
        "Description": description,
        "Compliance": {"Status": "FAILED", "SecurityControlId": control},
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "Resources": [{"Type": "AwsS3Bucket", "Id": format!("arn:aws:s3:::{bucket}"), "Region": region}]
    })
}

pub fn read_one(asff: &Value) -> Finding {
    let outcome = read_value(asff);
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    outcome.findings.into_iter().next().unwrap()
}
