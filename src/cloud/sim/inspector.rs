//! Amazon Inspector findings: package vulnerabilities on instances and in container images.

use super::cves::{lookup, severity_label, Cve};
use super::envelope::{base, observed, product_fields, stamp, workflow};
use super::org::{Place, RegionState};
use super::rng::stable_hex;
use super::shapes;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// One Inspector finding per (resource, CVE).
pub(super) fn findings(state: &RegionState) -> Vec<Value> {
    let place = &state.place;
    let mut out = Vec::new();
    for i in &state.instances {
        let resource = shapes::instance(place, i);
        for cve in i.cves.iter().filter_map(|id| lookup(id)) {
            let fields = [
                ("aws/inspector/instanceId", i.id.clone()),
                ("aws/inspector/resources/1/resourceDetails/awsEc2InstanceDetails/platform", i.platform.to_string()),
            ];
            out.push(finding(place, cve, &resource, &i.id, i.launched_at, &fields));
        }
    }
    for img in &state.images {
        let resource = shapes::image(place, img);
        for cve in img.cves.iter().filter_map(|id| lookup(id)) {
            let fields = [(
                "aws/inspector/resources/1/resourceDetails/awsEcrContainerImage/repositoryName",
                img.repository.clone(),
            )];
            out.push(finding(place, cve, &resource, &img.digest, img.pushed_at, &fields));
        }
    }
    out
}

fn finding(
    place: &Place,
    cve: &Cve,
    resource: &Value,
    resource_key: &str,
    since: DateTime<Utc>,
    fields: &[(&str, String)],
) -> Value {
    let key = format!("{}|{}|{}|{}", place.account_id, place.region, resource_key, cve.id);
    let id = format!(
        "arn:aws:inspector2:{}:{}:finding/{}",
        place.region,
        place.account_id,
        stable_hex(place.seed, &["inspector", &key], 32)
    );
    let mut m = base(place, "inspector", "Inspector", "Amazon", &id);
    m.insert("GeneratorId".into(), "AWSInspector".into());
    m.insert("Types".into(), json!(["Software and Configuration Checks/Vulnerabilities/CVE"]));
    m.insert("Title".into(), format!("{} - {}", cve.id, cve.packages).into());
    m.insert("Description".into(), cve.description.into());
    m.insert(
        "Remediation".into(),
        json!({"Recommendation": {"Text": format!("Upgrade {} to {} or later.", cve.package, cve.fixed)}}),
    );
    m.insert("Resources".into(), json!([resource]));
    m.insert(
        "Vulnerabilities".into(),
        json!([{
            "Id": cve.id,
            "VulnerablePackages": [{
                "Name": cve.package, "Version": cve.version, "Epoch": "0", "Architecture": "X86_64",
                "PackageManager": cve.manager, "FixedInVersion": cve.fixed,
                "Remediation": format!("Upgrade {} to {}", cve.package, cve.fixed),
            }],
            "Cvss": [{"Version": "3.1", "BaseScore": cve.score, "BaseVector": cve.vector, "Source": "NVD"}],
            "Vendor": {"Name": "NVD", "Url": format!("https://nvd.nist.gov/vuln/detail/{}", cve.id)},
            "ReferenceUrls": [format!("https://www.cve.org/CVERecord?id={}", cve.id)],
            "FixAvailable": "YES",
            "ExploitAvailable": if cve.score >= 9.0 { "YES" } else { "NO" },
        }]),
    );
    let mut all_fields = vec![
        ("aws/inspector/ProductVersion", "2".to_string()),
        ("aws/inspector/FindingStatus", "ACTIVE".to_string()),
        ("aws/inspector/inspectorScore", format!("{:.1}", cve.score)),
    ];
    all_fields.extend(fields.iter().map(|(k, v)| (*k, v.clone())));
    product_fields(&mut m, &all_fields);
    let label = severity_label(cve.score);
    let seen = observed(place, &key, Some(since), None);
    stamp(&mut m, &seen, workflow(place, &key), label, (cve.score * 10.0).round() as u32, label);
    Value::Object(m)
}
