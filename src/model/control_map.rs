//! Maps legacy, standard-specific Security Hub control ids (CIS v1.2.0, CIS v1.4.0, PCI DSS v3.2.1)
//! to consolidated security control ids such as `EC2.13`.
//!
//! Source: awsdocs/aws-security-hub-user-guide, `doc_source/asff-changes-consolidation.md` at commit
//! bda5bf7ddbdf498557b2ac6a538577528004e6d5, table "Generator IDs before and after turning on
//! consolidated control findings" (controls Security Hub supported as of 2023-02-15), cross-checked
//! against the "How consolidation impacts control IDs and titles" table in the same file.
//!
//! Deviations from that table, each backed by other pages of the same repository:
//! - Added CIS 1.4.0 `1.12` → `IAM.22` and `3.3` → `CloudTrail.6`: not in the table, but listed in the
//!   "Related requirements" of `iam-controls.md` / `cloudtrail-controls.md` (commit bda5bf7) and in the
//!   v1.4.0 tables of `cis-aws-foundations-benchmark.md` (commit 46e180ad350aa29d89df460259e9d95ac089bacf).
//! - Left out CIS 1.2.0 `1.1`: the table maps it to two controls (`CloudWatch.1` and `IAM.20`).
//! - Left out CIS 1.4.0 `3.6`: the table says `S3.9`, but `cloudtrail-controls.md` (same commit) and
//!   `cis-aws-foundations-benchmark.md` map it to `CloudTrail.7`, and `S3.9` lists no CIS requirement.
//!
//! AFSBP (`aws-foundational-security-best-practices/v/1.0.0/X`) ids are already consolidated ids.

/// Which legacy standard a control id belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyStandard {
    /// CIS AWS Foundations Benchmark v1.2.0.
    Cis120,
    /// CIS AWS Foundations Benchmark v1.4.0.
    Cis140,
    /// PCI DSS v3.2.1.
    PciDss321,
}

// Tables are sorted by key (byte order) for binary search; see `tables_are_sorted_and_unique`.

#[rustfmt::skip]
static CIS_1_2_0: &[(&str, &str)] = &[
    ("1.10", "IAM.16"), ("1.11", "IAM.17"), ("1.12", "IAM.4"), ("1.13", "IAM.9"), ("1.14", "IAM.6"),
    ("1.16", "IAM.2"), ("1.2", "IAM.5"), ("1.20", "IAM.18"), ("1.22", "IAM.1"), ("1.3", "IAM.8"),
    ("1.4", "IAM.3"), ("1.5", "IAM.11"), ("1.6", "IAM.12"), ("1.7", "IAM.13"), ("1.8", "IAM.14"),
    ("1.9", "IAM.15"), ("2.1", "CloudTrail.1"), ("2.2", "CloudTrail.4"), ("2.3", "CloudTrail.6"),
    ("2.4", "CloudTrail.5"), ("2.5", "Config.1"), ("2.6", "CloudTrail.7"), ("2.7", "CloudTrail.2"),
    ("2.8", "KMS.4"), ("2.9", "EC2.6"), ("3.1", "CloudWatch.2"), ("3.10", "CloudWatch.10"),
    ("3.11", "CloudWatch.11"), ("3.12", "CloudWatch.12"), ("3.13", "CloudWatch.13"),
    ("3.14", "CloudWatch.14"), ("3.2", "CloudWatch.3"), ("3.3", "CloudWatch.1"),
    ("3.4", "CloudWatch.4"), ("3.5", "CloudWatch.5"), ("3.6", "CloudWatch.6"),
    ("3.7", "CloudWatch.7"), ("3.8", "CloudWatch.8"), ("3.9", "CloudWatch.9"), ("4.1", "EC2.13"),
    ("4.2", "EC2.14"), ("4.3", "EC2.2"),
];

#[rustfmt::skip]
static CIS_1_4_0: &[(&str, &str)] = &[
    ("1.10", "IAM.5"), ("1.12", "IAM.22"), ("1.14", "IAM.3"), ("1.16", "IAM.1"), ("1.17", "IAM.18"),
    ("1.4", "IAM.4"), ("1.5", "IAM.9"), ("1.6", "IAM.6"), ("1.7", "CloudWatch.1"),
    ("1.8", "IAM.15"), ("1.9", "IAM.16"), ("2.1.1", "S3.4"), ("2.1.2", "S3.5"), ("2.1.5.1", "S3.1"),
    ("2.1.5.2", "S3.8"), ("2.2.1", "EC2.7"), ("2.3.1", "RDS.3"), ("3.1", "CloudTrail.1"),
    ("3.2", "CloudTrail.4"), ("3.3", "CloudTrail.6"), ("3.4", "CloudTrail.5"), ("3.5", "Config.1"),
    ("3.7", "CloudTrail.2"), ("3.8", "KMS.4"), ("3.9", "EC2.6"), ("4.10", "CloudWatch.10"),
    ("4.11", "CloudWatch.11"), ("4.12", "CloudWatch.12"), ("4.13", "CloudWatch.13"),
    ("4.14", "CloudWatch.14"), ("4.3", "CloudWatch.1"), ("4.4", "CloudWatch.4"),
    ("4.5", "CloudWatch.5"), ("4.6", "CloudWatch.6"), ("4.7", "CloudWatch.7"),
    ("4.8", "CloudWatch.8"), ("4.9", "CloudWatch.9"), ("5.1", "EC2.21"), ("5.3", "EC2.2"),
];

#[rustfmt::skip]
static PCI_DSS_3_2_1: &[(&str, &str)] = &[
    ("PCI.AutoScaling.1", "AutoScaling.1"), ("PCI.CW.1", "CloudWatch.1"),
    ("PCI.CloudTrail.1", "CloudTrail.2"), ("PCI.CloudTrail.2", "CloudTrail.3"),
    ("PCI.CloudTrail.3", "CloudTrail.4"), ("PCI.CloudTrail.4", "CloudTrail.5"),
    ("PCI.CodeBuild.1", "CodeBuild.1"), ("PCI.CodeBuild.2", "CodeBuild.2"),
    ("PCI.Config.1", "Config.1"), ("PCI.DMS.1", "DMS.1"), ("PCI.EC2.1", "EC2.1"),
    ("PCI.EC2.2", "EC2.2"), ("PCI.EC2.4", "EC2.12"), ("PCI.EC2.5", "EC2.13"),
    ("PCI.EC2.6", "EC2.6"), ("PCI.ELBv2.1", "ELB.1"), ("PCI.ES.1", "ES.2"), ("PCI.ES.2", "ES.1"),
    ("PCI.GuardDuty.1", "GuardDuty.1"), ("PCI.IAM.1", "IAM.4"), ("PCI.IAM.2", "IAM.2"),
    ("PCI.IAM.3", "IAM.1"), ("PCI.IAM.4", "IAM.6"), ("PCI.IAM.5", "IAM.9"), ("PCI.IAM.6", "IAM.19"),
    ("PCI.IAM.7", "IAM.8"), ("PCI.IAM.8", "IAM.10"), ("PCI.KMS.1", "KMS.4"),
    ("PCI.Lambda.1", "Lambda.1"), ("PCI.Lambda.2", "Lambda.3"),
    ("PCI.Opensearch.1", "Opensearch.2"), ("PCI.Opensearch.2", "Opensearch.1"),
    ("PCI.RDS.1", "RDS.1"), ("PCI.RDS.2", "RDS.2"), ("PCI.Redshift.1", "Redshift.1"),
    ("PCI.S3.1", "S3.3"), ("PCI.S3.2", "S3.2"), ("PCI.S3.3", "S3.7"), ("PCI.S3.4", "S3.4"),
    ("PCI.S3.5", "S3.5"), ("PCI.S3.6", "S3.1"), ("PCI.SSM.1", "SSM.2"), ("PCI.SSM.2", "SSM.3"),
    ("PCI.SSM.3", "SSM.1"), ("PCI.SageMaker.1", "SageMaker.1"),
];

fn table(standard: LegacyStandard) -> &'static [(&'static str, &'static str)] {
    match standard {
        LegacyStandard::Cis120 => CIS_1_2_0,
        LegacyStandard::Cis140 => CIS_1_4_0,
        LegacyStandard::PciDss321 => PCI_DSS_3_2_1,
    }
}

/// The consolidated control id for a legacy control, e.g. (Cis120, "4.1") → Some("EC2.13"); (PciDss321, "PCI.EC2.5") → Some("EC2.13").
pub fn consolidated_id(standard: LegacyStandard, legacy_id: &str) -> Option<&'static str> {
    let entries = table(standard);
    let index = entries.binary_search_by(|(key, _)| (*key).cmp(legacy_id)).ok()?;
    entries.get(index).map(|(_, id)| *id)
}

/// Standard path prefixes (as they appear after `ruleset/` or `control/` in ARNs) and their standard.
const STANDARD_PATHS: [(&str, LegacyStandard); 3] = [
    ("cis-aws-foundations-benchmark/v/1.2.0/", LegacyStandard::Cis120),
    ("cis-aws-foundations-benchmark/v/1.4.0/", LegacyStandard::Cis140),
    ("pci-dss/v/3.2.1/", LegacyStandard::PciDss321),
];

/// Parses a GeneratorId or StandardsControlArn / ProductFields.StandardsControlArn tail into (standard, legacy id):
/// accepts "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/4.1",
/// "arn:aws-cn:...same...", "arn:aws:securityhub:us-east-1:111111111111:control/cis-aws-foundations-benchmark/v/1.2.0/1.3",
/// "cis-aws-foundations-benchmark/v/1.4.0/3.7", "pci-dss/v/3.2.1/PCI.EC2.5",
/// "arn:aws:securityhub:us-east-1:111111111111:control/pci-dss/v/3.2.1/PCI.S3.1". Returns None for anything else
/// (including other CIS versions such as v/1.7.0, which we do not map).
pub fn parse_legacy(text: &str) -> Option<(LegacyStandard, &str)> {
    let text = text.trim();
    let path = if let Some(arn) = text.strip_prefix("arn:") {
        // arn:<partition>:securityhub:<region>:<account>:<ruleset|control>/<path>
        let (partition, rest) = arn.split_once(':')?;
        let (service, rest) = rest.split_once(':')?;
        let (_region, rest) = rest.split_once(':')?;
        let (_account, resource) = rest.split_once(':')?;
        if !(partition == "aws" || partition.starts_with("aws-")) || service != "securityhub" {
            return None;
        }
        resource.strip_prefix("ruleset/").or_else(|| resource.strip_prefix("control/"))?
    } else {
        text
    };
    let (standard, rest) =
        STANDARD_PATHS.iter().find_map(|(prefix, standard)| path.strip_prefix(prefix).map(|rest| (*standard, rest)))?;
    let id = match standard {
        LegacyStandard::Cis120 => rest.strip_prefix("rule/").unwrap_or(rest),
        LegacyStandard::Cis140 | LegacyStandard::PciDss321 => rest,
    };
    let valid = !id.is_empty()
        && !id.starts_with('.')
        && !id.ends_with('.')
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    valid.then_some((standard, id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use LegacyStandard::{Cis120, Cis140, PciDss321};

    #[test]
    fn anchors_match_the_documentation() {
        assert_eq!(consolidated_id(Cis120, "4.1"), Some("EC2.13"));
        assert_eq!(consolidated_id(Cis120, "4.2"), Some("EC2.14"));
        assert_eq!(consolidated_id(Cis120, "4.3"), Some("EC2.2"));
        assert_eq!(consolidated_id(PciDss321, "PCI.EC2.5"), Some("EC2.13"));
        assert_eq!(consolidated_id(PciDss321, "PCI.EC2.2"), Some("EC2.2"));
        assert_eq!(consolidated_id(PciDss321, "PCI.S3.1"), Some("S3.3"));
        assert_eq!(consolidated_id(PciDss321, "PCI.S3.4"), Some("S3.4"));
        assert_eq!(consolidated_id(PciDss321, "PCI.S3.6"), Some("S3.1"));
        assert_eq!(consolidated_id(Cis140, "2.1.5.2"), Some("S3.8"));
    }

    #[test]
    fn other_documented_rows() {
        assert_eq!(consolidated_id(Cis120, "1.10"), Some("IAM.16"));
        assert_eq!(consolidated_id(Cis120, "1.2"), Some("IAM.5"));
        assert_eq!(consolidated_id(Cis120, "3.10"), Some("CloudWatch.10"));
        assert_eq!(consolidated_id(Cis140, "1.10"), Some("IAM.5"));
        assert_eq!(consolidated_id(Cis140, "4.10"), Some("CloudWatch.10"));
        assert_eq!(consolidated_id(Cis140, "1.12"), Some("IAM.22"));
        assert_eq!(consolidated_id(PciDss321, "PCI.CW.1"), Some("CloudWatch.1"));
        assert_eq!(consolidated_id(PciDss321, "PCI.ES.1"), Some("ES.2"));
    }

    #[test]
    fn unknown_or_ambiguous_ids_are_none() {
        assert_eq!(consolidated_id(Cis120, "9.9"), None);
        assert_eq!(consolidated_id(Cis120, "1.1"), None); // two documented targets
        assert_eq!(consolidated_id(Cis140, "3.6"), None); // conflicting documentation
        assert_eq!(consolidated_id(Cis140, "4.1"), None);
        assert_eq!(consolidated_id(PciDss321, "PCI.EC2.3"), None);
        assert_eq!(consolidated_id(PciDss321, "pci.ec2.5"), None);
        assert_eq!(consolidated_id(PciDss321, ""), None);
    }

    #[test]
    fn tables_are_sorted_and_unique() {
        for standard in [Cis120, Cis140, PciDss321] {
            let entries = table(standard);
            assert!(!entries.is_empty());
            for pair in entries.windows(2) {
                assert!(pair[0].0 < pair[1].0, "{standard:?}: {:?} !< {:?}", pair[0], pair[1]);
            }
            for (key, _) in entries {
                assert!(consolidated_id(standard, key).is_some(), "{standard:?} {key}");
            }
        }
        assert_eq!(CIS_1_2_0.len(), 42);
        assert_eq!(CIS_1_4_0.len(), 39);
        assert_eq!(PCI_DSS_3_2_1.len(), 45);
    }

    #[test]
    fn parses_each_accepted_shape() {
        let cases = [
            ("arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/4.1", Cis120, "4.1"),
            ("arn:aws-cn:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/4.1", Cis120, "4.1"),
            (
                "arn:aws:securityhub:us-east-1:111111111111:control/cis-aws-foundations-benchmark/v/1.2.0/1.3",
                Cis120,
                "1.3",
            ),
            ("cis-aws-foundations-benchmark/v/1.4.0/3.7", Cis140, "3.7"),
            ("cis-aws-foundations-benchmark/v/1.4.0/2.1.5.2", Cis140, "2.1.5.2"),
            (
                "arn:aws:securityhub:us-east-1:111111111111:control/cis-aws-foundations-benchmark/v/1.4.0/1.12",
                Cis140,
                "1.12",
            ),
            ("pci-dss/v/3.2.1/PCI.EC2.5", PciDss321, "PCI.EC2.5"),
            ("arn:aws:securityhub:us-east-1:111111111111:control/pci-dss/v/3.2.1/PCI.S3.1", PciDss321, "PCI.S3.1"),
        ];
        for (text, standard, id) in cases {
            assert_eq!(parse_legacy(text), Some((standard, id)), "{text}");
        }
    }

    #[test]
    fn parse_then_map() {
        let gen = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/4.1";
        let (standard, id) = parse_legacy(gen).expect("parses");
        assert_eq!(consolidated_id(standard, id), Some("EC2.13"));
    }

    #[test]
    fn rejects_everything_else() {
        for text in [
            "",
            "cis-aws-foundations-benchmark/v/1.7.0/3.7",
            "arn:aws:securityhub:us-east-1:111111111111:control/cis-aws-foundations-benchmark/v/1.7.0/1.3",
            "cis-aws-foundations-benchmark/v/3.0.0/2.1.1",
            "aws-foundational-security-best-practices/v/1.0.0/EC2.13",
            "security-control/EC2.13",
            "pci-dss/v/4.0.1/PCI.EC2.5",
            "pci-dss/v/3.2.1/",
            "pci-dss/v/3.2.1/PCI.EC2.5/finding/abc",
            "arn:aws:config:us-east-1:111111111111:control/pci-dss/v/3.2.1/PCI.S3.1",
            "arn:aws:securityhub:us-east-1:111111111111:subscription/pci-dss/v/3.2.1/PCI.S3.1",
            "arn:aws:securityhub",
            "garbage",
        ] {
            assert_eq!(parse_legacy(text), None, "{text}");
        }
    }
}
