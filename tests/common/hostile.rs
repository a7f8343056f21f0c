//! An EC2.13 finding as Security Hub writes it, with the text fields a test makes hostile.

use serde_json::{json, Value};

/// A failed, open EC2.13 finding with the given id, title, description and resources.
pub fn finding(id: &str, title: String, description: String, resources: Vec<Value>) -> Value {
    json!({
        "SchemaVersion": "2018-10-08",
        "Id": id,
        "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
        "GeneratorId": "security-control/EC2.13",
        "AwsAccountId": "111111111111",
        "Region": "eu-west-1",
        "CreatedAt": "2026-11-01T10:00:00Z",
        "UpdatedAt": "2026-11-20T10:00:00Z",
        "Severity": {"Label": "HIGH"},
        "Title": title,
        "Description": description,
        "Compliance": {"Status": "FAILED", "SecurityControlId": "EC2.13"},
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "Resources": resources
    })
}
