//! OCSF findings as the new Security Hub writes them (shapes from ../shared/ocsf), seeded into the emulator through
//! `POST /_hubtriage/findings-v2` and read back through GetFindingsV2 as the account that owns them.
#![allow(clippy::unwrap_used)]

use hubtriage::model::{read_any_value, Finding};
use serde_json::{json, Value};

/// An S3.8 control finding (bucket-level Block Public Access, failing) from Security Hub on `bucket` in
/// `account`/`region`: `metadata.uid` `meta-{name}`, `finding_info.uid` `…:security-control/S3.8/finding/{name}`,
/// `metadata.product.uid` the productv2 ARN of Security Hub in the region, the bucket as `resources[0]` with its ARN
/// in `uid_alt`.
pub fn s3_8_ocsf(account: &str, region: &str, bucket: &str, name: &str) -> Value {
    json!({
        "class_uid": 2003,
        "class_name": "Compliance Finding",
        "category_uid": 2,
        "type_uid": 200301,
        "activity_id": 1,
        "severity_id": 4,
        "severity": "High",
        "status_id": 1,
        "status": "New",
        "time_dt": "2026-11-20T10:00:00.000Z",
        "cloud": {"account": {"uid": account, "type": "AWS Account"}, "region": region, "provider": "AWS"},
        "compliance": {
            "control": "S3.8",
            "status": "Fail",
            "status_id": 3,
            "standards": ["standards/aws-foundational-security-best-practices/v/1.0.0"]
        },
        "finding_info": {
            "uid": format!("arn:aws:securityhub:{region}:{account}:security-control/S3.8/finding/{name}"),
            "title": "S3 general purpose buckets should block public access",
            "desc": "This control checks whether an Amazon S3 general purpose bucket blocks public access.",
            "types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
            "created_time_dt": "2026-11-01T10:00:00.000Z",
            "first_seen_time_dt": "2026-11-01T10:00:00.000Z",
            "last_seen_time_dt": "2026-11-20T10:00:00.000Z",
            "modified_time_dt": "2026-11-20T10:00:00.000Z"
        },
        "metadata": {
            "uid": format!("meta-{name}"),
            "version": "1.6.0",
            "product": {
                "uid": format!("arn:aws:securityhub:{region}::productv2/aws/securityhub"),
                "name": "Security Hub",
                "vendor_name": "AWS"
            }
        },
        "resources": [{
            "uid": bucket,
            "uid_alt": format!("arn:aws:s3:::{bucket}"),
            "type": "AWS::S3::Bucket",
            "region": region,
            "cloud_partition": "aws",
            "owner": {"account": {"uid": account}},
            "tags": [{"name": "team", "value": "platform"}]
        }],
        "remediation": {"desc": "Block public access at the bucket level."}
    })
}

/// The one finding `ocsf` reads as; it must read without problems.
pub fn read_one(ocsf: &Value) -> Finding {
    let outcome = read_any_value(ocsf);
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    outcome.findings.into_iter().next().unwrap()
}

/// Seeds `findings` into the emulator (each in its own account and region, which get the new Security Hub).
pub fn seed(port: u16, findings: &[Value]) {
    let body = serde_json::to_vec(findings).unwrap();
    let r = super::http::request(
        port,
        "POST",
        "/_hubtriage/findings-v2",
        &[("Content-Type", "application/json".to_string())],
        &body,
    )
    .unwrap();
    assert_eq!(r.status, 200, "seeding V2 findings: {}", r.body);
}

/// Every V2 finding of `account`/`region` as GetFindingsV2 returns it there (no filters), by `metadata.uid`.
pub fn read_back(port: u16, account: &str, region: &str, role: &str) -> std::collections::BTreeMap<String, Value> {
    let keys = super::seed::assume(port, account, role);
    let r = super::http::aws_call(
        port,
        &keys,
        ("securityhub", region),
        "POST",
        "/findingsv2",
        "application/json",
        br#"{"MaxResults": 100}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let answer: Value = serde_json::from_str(&r.body).unwrap();
    answer["Findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["metadata"]["uid"].as_str().unwrap().to_string(), f.clone()))
        .collect()
}
