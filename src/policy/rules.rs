//! Config-driven policy rules: the first rule whose every condition matches decides the verdict.

use super::Verdict;
use crate::model::{Finding, Severity};
use serde::Deserialize;

/// One `[[policy.rules]]` entry. Empty condition lists match everything.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Shown in explanations: "rule 'sandbox-auto-fix' matched".
    pub name: String,
    /// `auto-fix`, `approve` or `manual`.
    pub verdict: Verdict,
    /// Control ids; a trailing `*` matches a prefix (`S3.*`), `*` alone matches any control.
    #[serde(default)]
    pub controls: Vec<String>,
    #[serde(default)]
    pub severities: Vec<Severity>,
    /// Account classes from `[accounts]`, e.g. `prod`.
    #[serde(default)]
    pub account_classes: Vec<String>,
    /// ASFF resource types, e.g. `AwsS3Bucket`.
    #[serde(default)]
    pub resource_types: Vec<String>,
    /// Product names (`Security Hub`, `GuardDuty`) or product ARN suffixes (`aws/guardduty`).
    #[serde(default)]
    pub products: Vec<String>,
}

impl Rule {
    /// Whether every condition of the rule holds for the finding in an account of `class`.
    pub fn matches(&self, finding: &Finding, class: &str) -> bool {
        let control_ok = self.controls.is_empty()
            || finding.control_id.as_deref().is_some_and(|id| self.controls.iter().any(|p| pattern_matches(p, id)));
        control_ok
            && (self.severities.is_empty() || self.severities.contains(&finding.severity))
            && (self.account_classes.is_empty() || self.account_classes.iter().any(|c| c == class))
            && (self.resource_types.is_empty()
                || finding
                    .resources
                    .iter()
                    .any(|r| self.resource_types.iter().any(|t| t.eq_ignore_ascii_case(&r.kind))))
            && (self.products.is_empty() || self.products.iter().any(|p| product_matches(p, finding)))
    }

    /// The conditions in words, for explanations.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let list = |label: &str, items: &[String]| format!("{label} {}", items.join("|"));
        if !self.controls.is_empty() {
            parts.push(list("control", &self.controls));
        }
        if !self.severities.is_empty() {
            let s: Vec<String> = self.severities.iter().map(|s| s.label().to_string()).collect();
            parts.push(list("severity", &s));
        }
        if !self.account_classes.is_empty() {
            parts.push(list("class", &self.account_classes));
        }
        if !self.resource_types.is_empty() {
            parts.push(list("resource", &self.resource_types));
        }
        if !self.products.is_empty() {
            parts.push(list("product", &self.products));
        }
        if parts.is_empty() {
            "any finding".into()
        } else {
            parts.join(", ")
        }
    }
}

/// `S3.*` matches `S3.8`; `*` matches anything; otherwise exact, case-insensitive.
pub fn pattern_matches(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.len() >= prefix.len() && id[..prefix.len()].eq_ignore_ascii_case(prefix),
        None => pattern.eq_ignore_ascii_case(id),
    }
}

fn product_matches(pattern: &str, finding: &Finding) -> bool {
    finding.product_name.eq_ignore_ascii_case(pattern)
        || finding.product_arn.to_ascii_lowercase().ends_with(&pattern.to_ascii_lowercase())
}
