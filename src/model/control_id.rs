//! Resolves the consolidated control id of a finding (`EC2.13`) from whichever field carries it.

use super::control_map::{consolidated_id, parse_legacy, LegacyStandard};
use serde_json::Value;

/// Resolves the control id of an ASFF finding object given as JSON.
pub fn resolve_value(finding: &Value) -> ControlIdResolution {
    let text = |path: &[&str]| -> Option<&str> {
        let mut v = finding;
        for key in path {
            v = v.get(key)?;
        }
        v.as_str().map(str::trim).filter(|s| !s.is_empty())
    };
    resolve(&ControlFields {
        security_control_id: text(&["Compliance", "SecurityControlId"]),
        generator_id: text(&["GeneratorId"]),
        product_control_id: text(&["ProductFields", "ControlId"]),
        standards_control_arn: text(&["ProductFields", "StandardsControlArn"]),
    })
}

/// How the control id was found, for warnings and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlIdResolution {
    /// A consolidated id, and the field it came from.
    Found(String),
    /// A legacy standard control without a consolidated equivalent in our table.
    UnmappedLegacy(String),
    /// Not a control check (GuardDuty, Inspector, custom products…).
    NotAControl,
}

const STANDARD_PREFIXES: [&str; 2] =
    ["aws-foundational-security-best-practices/v/", "service-managed-aws-control-tower/v/"];

/// The fields of a finding that name its control, each trimmed and `None` when absent or empty.
#[derive(Debug, Clone, Copy, Default)]
pub struct ControlFields<'a> {
    /// `Compliance.SecurityControlId`.
    pub security_control_id: Option<&'a str>,
    /// `GeneratorId`.
    pub generator_id: Option<&'a str>,
    /// `ProductFields.ControlId`.
    pub product_control_id: Option<&'a str>,
    /// `ProductFields.StandardsControlArn`.
    pub standards_control_arn: Option<&'a str>,
}

/// Resolves the control id of an ASFF finding.
///
/// Order: `Compliance.SecurityControlId`; `security-control/X`; the AFSBP (or Control Tower) generator id;
/// `ProductFields.ControlId` when it already is a consolidated id; the CIS 1.2.0 / 1.4.0 / PCI DSS id mapped
/// through AWS's consolidation table.
pub fn resolve(fields: &ControlFields) -> ControlIdResolution {
    // Every consolidated id has the shape `Service.N`; anything else (escape sequences included) is not one.
    if let Some(id) = fields.security_control_id.filter(|id| looks_consolidated(id)) {
        return ControlIdResolution::Found(id.to_string());
    }
    let generator = fields.generator_id.unwrap_or("");
    if let Some(id) = generator.strip_prefix("security-control/").filter(|id| looks_consolidated(id)) {
        return ControlIdResolution::Found(id.to_string());
    }
    for prefix in STANDARD_PREFIXES {
        if let Some(rest) = generator.strip_prefix(prefix) {
            if let Some((_version, id)) = rest.split_once('/') {
                if looks_consolidated(id) {
                    return ControlIdResolution::Found(id.to_string());
                }
            }
        }
    }
    if let Some(id) = fields.product_control_id.filter(|id| looks_consolidated(id)) {
        return ControlIdResolution::Found(id.to_string());
    }
    let standards_arn = fields.standards_control_arn;
    let legacy = parse_legacy(generator).or_else(|| standards_arn.and_then(parse_legacy));
    match legacy {
        Some((standard, legacy_id)) => match consolidated_id(standard, legacy_id) {
            Some(id) => ControlIdResolution::Found(id.to_string()),
            None => ControlIdResolution::UnmappedLegacy(format!(
                "{} {}",
                standard_name(standard),
                super::sanitize::single_line(legacy_id)
            )),
        },
        None => ControlIdResolution::NotAControl,
    }
}

fn standard_name(standard: LegacyStandard) -> &'static str {
    match standard {
        LegacyStandard::Cis120 => "CIS 1.2.0",
        LegacyStandard::Cis140 => "CIS 1.4.0",
        LegacyStandard::PciDss321 => "PCI DSS 3.2.1",
    }
}

/// `Service.N` such as `EC2.13` or `CloudTrail.2`, and not a legacy `PCI.` id.
fn looks_consolidated(id: &str) -> bool {
    let Some((service, number)) = id.split_once('.') else {
        return false;
    };
    !service.is_empty()
        && service != "PCI"
        && service.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && service.chars().all(|c| c.is_ascii_alphanumeric())
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn found(v: Value) -> Option<String> {
        match resolve_value(&v) {
            ControlIdResolution::Found(id) => Some(id),
            _ => None,
        }
    }

    #[test]
    fn security_control_id_wins() {
        let v = json!({"Compliance": {"SecurityControlId": "CloudTrail.2"},
            "GeneratorId": "pci-dss/v/3.2.1/PCI.CloudTrail.1"});
        assert_eq!(found(v).as_deref(), Some("CloudTrail.2"));
    }

    #[test]
    fn security_control_generator() {
        assert_eq!(found(json!({"GeneratorId": "security-control/S3.8"})).as_deref(), Some("S3.8"));
    }

    #[test]
    fn afsbp_generator() {
        let v = json!({"GeneratorId": "aws-foundational-security-best-practices/v/1.0.0/EC2.19"});
        assert_eq!(found(v).as_deref(), Some("EC2.19"));
    }

    #[test]
    fn product_fields_control_id_when_consolidated() {
        let v = json!({"GeneratorId": "custom", "ProductFields": {"ControlId": "Lambda.1"}});
        assert_eq!(found(v).as_deref(), Some("Lambda.1"));
    }

    #[test]
    fn cis_120_rules_map_to_consolidated_ids() {
        let gen = |rule: &str| json!({"GeneratorId": format!("arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/{rule}")});
        assert_eq!(found(gen("4.1")).as_deref(), Some("EC2.13"));
        assert_eq!(found(gen("4.2")).as_deref(), Some("EC2.14"));
        assert_eq!(found(gen("4.3")).as_deref(), Some("EC2.2"));
    }

    #[test]
    fn pci_ids_map_even_when_product_fields_carry_the_legacy_id() {
        let v = json!({"GeneratorId": "pci-dss/v/3.2.1/PCI.EC2.5", "ProductFields": {"ControlId": "PCI.EC2.5"}});
        assert_eq!(found(v).as_deref(), Some("EC2.13"));
    }

    #[test]
    fn cis_140_id_maps() {
        let v = json!({"GeneratorId": "cis-aws-foundations-benchmark/v/1.4.0/2.1.5.2", "ProductFields": {"ControlId": "2.1.5.2"}});
        assert_eq!(found(v).as_deref(), Some("S3.8"));
    }

    #[test]
    fn guardduty_and_inspector_are_not_controls() {
        let v = json!({"GeneratorId": "arn:aws:guardduty:us-east-1:111111111111:detector/abc"});
        assert_eq!(resolve_value(&v), ControlIdResolution::NotAControl);
        assert_eq!(resolve_value(&json!({"GeneratorId": "AWSInspector"})), ControlIdResolution::NotAControl);
    }

    #[test]
    fn unsupported_cis_version_is_not_mapped() {
        let v = json!({"GeneratorId": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.7.0/rule/1.6"});
        assert!(found(v).is_none());
    }
}
