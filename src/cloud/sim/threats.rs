//! Findings of the other products Security Hub aggregates: GuardDuty (threats on instances, where a detector runs),
//! Macie (public and sensitive buckets, where Macie runs) and AWS Config (a custom tagging rule).

use super::envelope::{base, observed, product_fields, stamp, workflow};
use super::org::{Place, RegionState, SimInstance};
use super::rng::{stable_hash, stable_hex};
use super::s3::policy_access;
use super::shapes;
use crate::playbook::BucketPublicAccessBlock;
use serde_json::{json, Value};

/// GuardDuty's numeric severity → (label, normalized).
fn guardduty_severity(product: f64) -> (&'static str, u32) {
    let label = match product {
        s if s >= 7.0 => "HIGH",
        s if s >= 4.0 => "MEDIUM",
        _ => "LOW",
    };
    (label, (product * 10.0) as u32)
}

/// A remote address from the documentation ranges, stable per finding.
fn remote_ip(place: &Place, key: &str) -> String {
    let h = stable_hash(place.seed, &["remote", key]);
    let net = ["198.51.100", "203.0.113", "192.0.2"][(h % 3) as usize];
    format!("{net}.{}", 1 + (h >> 8) % 254)
}

/// GuardDuty findings for the scripted and derived threats on instances.
pub(super) fn guardduty(state: &RegionState) -> Vec<Value> {
    let place = &state.place;
    let Some(detector) = &state.posture.guardduty_detector else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for instance in &state.instances {
        for threat in &instance.threats {
            if let Some(f) = guardduty_finding(place, detector, instance, threat) {
                out.push(f);
            }
        }
    }
    out
}

fn guardduty_finding(place: &Place, detector: &str, i: &SimInstance, threat: &str) -> Option<Value> {
    let key = format!("{}|{}|{}", place.account_id, i.id, threat);
    let ip = remote_ip(place, &key);
    let (kind, severity, title, description, action) = match threat.split_once(':').map_or((threat, ""), |(k, p)| (k, p)) {
        ("port-probe", port) => (
            "TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort",
            2.0,
            format!("Unprotected port on EC2 instance {} is being probed.", i.id),
            format!("EC2 instance has an unprotected port {port} which is being probed by a known malicious host."),
            json!({"ActionType": "PORT_PROBE", "PortProbeAction": {"Blocked": false, "PortProbeDetails": [{
                "LocalPortDetails": {"Port": port.parse::<i64>().unwrap_or(22)},
                "RemoteIpDetails": {"IpAddressV4": ip, "Country": {"CountryName": "Netherlands"}}}]}}),
        ),
        ("rdp-brute-force", _) => (
            "TTPs/Initial Access/UnauthorizedAccess:EC2-RDPBruteForce",
            2.0,
            format!("{ip} is performing RDP brute force attacks against {}.", i.id),
            format!("{ip} is performing RDP brute force attacks against {}. Brute force attacks are used to gain unauthorized access to your instance by guessing the RDP password.", i.id),
            json!({"ActionType": "NETWORK_CONNECTION", "NetworkConnectionAction": {"ConnectionDirection": "INBOUND", "Protocol": "TCP",
                "RemoteIpDetails": {"IpAddressV4": ip}, "LocalPortDetails": {"Port": 3389, "PortName": "RDP"}, "Blocked": false}}),
        ),
        ("crypto", _) => (
            "TTPs/Command and Control/CryptoCurrency:EC2-BitcoinTool.B!DNS",
            8.0,
            format!("EC2 instance {} is querying a domain name associated with Bitcoin-related activity.", i.id),
            format!("EC2 instance {} is querying a domain name that is associated with Bitcoin-related activity. Unless you use this EC2 instance to mine or manage cryptocurrency, your EC2 instance might be compromised.", i.id),
            json!({"ActionType": "DNS_REQUEST", "DnsRequestAction": {"Domain": "xmr-eu1.nanopool.org", "Protocol": "UDP", "Blocked": false}}),
        ),
        ("exfiltration", _) => {
            let role = i.role.clone().unwrap_or_else(|| "instance-role".into());
            (
                "Effects/Data Exfiltration/UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration.OutsideAWS",
                8.0,
                format!("Credentials for the EC2 instance role {role} were used from an external IP address."),
                format!("Credentials that were created exclusively for an EC2 instance through instance role {role} have been used from external IP address {ip}."),
                json!({"ActionType": "AWS_API_CALL", "AwsApiCallAction": {"Api": "ListSecrets", "ServiceName": "secretsmanager.amazonaws.com",
                    "CallerType": "Remote IP", "RemoteIpDetails": {"IpAddressV4": ip, "Organization": {"Asn": "14061", "AsnOrg": "DIGITALOCEAN-ASN"}}}}),
            )
        }
        _ => return None,
    };
    let finding_id = stable_hex(place.seed, &["guardduty", &key], 32);
    let generator = format!("arn:aws:guardduty:{}:{}:detector/{detector}", place.region, place.account_id);
    let id = format!("{generator}/finding/{finding_id}");
    let mut m = base(place, "guardduty", "GuardDuty", "Amazon", &id);
    m.insert("GeneratorId".into(), generator.into());
    m.insert("Types".into(), json!([kind]));
    m.insert("Title".into(), title.into());
    m.insert("Description".into(), description.into());
    m.insert(
        "SourceUrl".into(),
        format!(
            "https://{0}.console.aws.amazon.com/guardduty/home?region={0}#/findings?macros=current&fId={finding_id}",
            place.region
        )
        .into(),
    );
    m.insert("Action".into(), action);
    let mut resources = vec![shapes::instance(place, i)];
    if threat == "exfiltration" {
        let key_id = format!("ASIA{}", stable_hex(place.seed, &["akid", &key], 16).to_ascii_uppercase());
        let role = i.role.clone().unwrap_or_default();
        resources.insert(
            0,
            json!({"Type": "AwsIamAccessKey", "Id": key_id, "Partition": "aws", "Region": place.region,
                "Details": {"AwsIamAccessKey": {"PrincipalId": format!("AROA{}:{}", stable_hex(place.seed, &["role", &role], 17).to_ascii_uppercase(), i.id),
                    "PrincipalType": "AssumedRole", "PrincipalName": role}}}),
        );
    }
    m.insert("Resources".into(), Value::Array(resources));
    let count = 1 + stable_hash(place.seed, &["count", &key]) % 40;
    product_fields(
        &mut m,
        &[
            ("aws/guardduty/service/archived", "false".into()),
            ("aws/guardduty/service/count", count.to_string()),
            ("aws/guardduty/service/detectorId", detector.into()),
            ("aws/guardduty/service/serviceName", "guardduty".into()),
        ],
    );
    let (label, normalized) = guardduty_severity(severity);
    let seen = observed(place, &key, Some(i.launched_at), None);
    stamp(&mut m, &seen, workflow(place, &key), label, normalized, &severity.to_string());
    Some(Value::Object(m))
}

/// Macie findings: buckets readable by everyone, and the card-number exports found in the archive bucket.
pub(super) fn macie(state: &RegionState) -> Vec<Value> {
    let place = &state.place;
    if !state.posture.macie {
        return Vec::new();
    }
    let mut out = Vec::new();
    for b in &state.buckets {
        let s = &b.state;
        let restricted =
            matches!(s.public_access_block, BucketPublicAccessBlock::Configured(c) if c.restrict_public_buckets);
        if policy_access(s.policy.as_deref()).public_read && !restricted {
            let body = format!(
                "The S3 bucket {} is publicly accessible. Its bucket policy allows anyone to read objects in it.",
                s.name
            );
            out.push(macie_finding(
                place,
                b,
                "Effects/Data Exposure/Policy:IAMUser-S3BucketPublic",
                "Policy:IAMUser/S3BucketPublic",
                "The S3 bucket is publicly accessible.",
                &body,
                None,
            ));
        }
        if s.name.contains("card-tokens-archive") {
            let object = format!("{}/exports/2024/settlements-0413.csv", s.name);
            let body = format!("The object {object} contains financial information such as credit card numbers.");
            out.push(macie_finding(
                place,
                b,
                "Sensitive Data Identifications/Financial/SensitiveData:S3Object-Financial",
                "SensitiveData:S3Object/Financial",
                "The S3 object contains financial information.",
                &body,
                Some(object),
            ));
        }
    }
    out
}

fn macie_finding(
    place: &Place,
    b: &super::org::SimBucket,
    kind: &str,
    macie_type: &str,
    title: &str,
    description: &str,
    object: Option<String>,
) -> Value {
    let key = format!("{}|{}|{}", place.account_id, b.state.name, macie_type);
    let id = format!(
        "arn:aws:macie2:{}:{}:finding/{}",
        place.region,
        place.account_id,
        stable_hex(place.seed, &["macie", &key], 32)
    );
    let mut m = base(place, "macie", "Macie", "Amazon", &id);
    let generator = match &object {
        Some(_) => format!(
            "arn:aws:macie2:{}:{}:classification-job/{}",
            place.region,
            place.account_id,
            stable_hex(place.seed, &["job", &place.account_id], 32)
        ),
        None => macie_type.to_string(),
    };
    m.insert("GeneratorId".into(), generator.into());
    m.insert("Types".into(), json!([kind]));
    m.insert("Title".into(), title.into());
    m.insert("Description".into(), description.into());
    let mut resources = vec![shapes::bucket(place, b)];
    if let Some(object) = object {
        resources.push(json!({"Type": "AwsS3Object", "Id": format!("arn:aws:s3:::{object}"), "Partition": "aws", "Region": place.region}));
    }
    m.insert("Resources".into(), Value::Array(resources));
    product_fields(&mut m, &[("aws/macie/type", macie_type.into())]);
    let seen = observed(place, &key, Some(b.created_at), b.changed_at);
    stamp(&mut m, &seen, workflow(place, &key), "HIGH", 70, "High");
    Value::Object(m)
}

/// AWS Config findings of the organisation's custom `required-tags` rule: security groups without a cost-center tag.
pub(super) fn config_rules(state: &RegionState) -> Vec<Value> {
    let place = &state.place;
    if !state.posture.config_recording {
        return Vec::new();
    }
    let rule_suffix = stable_hex(place.seed, &["config-rule", &place.account_id, &place.region], 6);
    let rule_arn =
        format!("arn:aws:config:{}:{}:config-rule/config-rule-{rule_suffix}", place.region, place.account_id);
    let mut out = Vec::new();
    for g in state.groups.iter().filter(|g| !g.state.tags.contains_key("cost-center")) {
        let key = format!("{}|{}|required-tags", place.account_id, g.state.group_id);
        let id = format!("{rule_arn}/finding/{}", stable_hex(place.seed, &["config", &key], 40));
        let mut m = base(place, "config", "Config", "AWS", &id);
        m.insert("GeneratorId".into(), rule_arn.clone().into());
        m.insert("Types".into(), json!(["Software and Configuration Checks"]));
        m.insert("Title".into(), "required-tags".into());
        m.insert(
            "Description".into(),
            "Checks whether your resources have the tags that you specify: cost-center, team.".into(),
        );
        m.insert("Compliance".into(), json!({"Status": "FAILED"}));
        m.insert("Resources".into(), json!([shapes::group(place, g)]));
        product_fields(
            &mut m,
            &[
                ("aws/config/ConfigRuleName", "required-tags".into()),
                ("aws/config/ConfigRuleArn", rule_arn.clone()),
                ("aws/config/ConfigComplianceType", "NON_COMPLIANT".into()),
            ],
        );
        let seen = observed(place, &key, None, g.changed_at);
        stamp(&mut m, &seen, workflow(place, &key), "MEDIUM", 40, "MEDIUM");
        out.push(Value::Object(m));
    }
    out
}
