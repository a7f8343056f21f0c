//! Config-driven policy rules: the first rule whose every condition matches decides the verdict.

use super::Verdict;
use crate::model::resource_type::same_type;
use crate::model::{Finding, Severity};
use serde::Deserialize;

/// One `[[policy.rules]]` entry. Empty condition lists match everything.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
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
    /// Resource types in either spelling: ASFF's `AwsS3Bucket` or CloudFormation's `AWS::S3::Bucket`.
    #[serde(default)]
    pub resource_types: Vec<String>,
    /// Product names (`Security Hub`, `GuardDuty`) or product ARN suffixes (`aws/guardduty`).
    #[serde(default)]
    pub products: Vec<String>,
}

impl Rule {
    /// Whether every condition of the rule holds for the finding in an account of `class`.
    pub fn matches(&self, finding: &Finding, class: &str) -> bool {
        // The cheapest conditions first: most findings fail one of them.
        (self.account_classes.is_empty() || self.account_classes.iter().any(|c| c == class))
            && (self.severities.is_empty() || self.severities.contains(&finding.severity))
            && (self.resource_types.is_empty()
                || finding.resources.iter().any(|r| self.resource_types.iter().any(|t| same_type(t, &r.kind))))
            && (self.controls.is_empty()
                || finding.control_id.as_deref().is_some_and(|id| self.controls.iter().any(|p| pattern_matches(p, id))))
            && (self.products.is_empty() || self.products.iter().any(|p| product_matches(p, finding)))
    }

    /// The conditions in words, for explanations.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        let mut list = |label: &str, items: &mut dyn Iterator<Item = &str>| {
            let mut items = items.peekable();
            if items.peek().is_none() {
                return;
            }
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(label);
            for (i, item) in items.enumerate() {
                out.push_str(if i == 0 { " " } else { "|" });
                out.push_str(item);
            }
        };
        list("control", &mut self.controls.iter().map(String::as_str));
        list("severity", &mut self.severities.iter().map(|s| s.label()));
        list("class", &mut self.account_classes.iter().map(String::as_str));
        list("resource", &mut self.resource_types.iter().map(String::as_str));
        list("product", &mut self.products.iter().map(String::as_str));
        if out.is_empty() {
            out.push_str("any finding");
        }
        out
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
        || finding
            .product_arn
            .len()
            .checked_sub(pattern.len())
            .and_then(|start| finding.product_arn.get(start..))
            .is_some_and(|end| end.eq_ignore_ascii_case(pattern))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_describes_what_it_matches() {
        let rule = Rule {
            name: "r".into(),
            verdict: Verdict::AutoFix,
            controls: vec!["S3.8".into(), "S3.1".into()],
            severities: vec![Severity::High, Severity::Critical],
            account_classes: vec!["prod".into()],
            resource_types: Vec::new(),
            products: vec!["GuardDuty".into()],
        };
        assert_eq!(rule.describe(), "control S3.8|S3.1, severity HIGH|CRITICAL, class prod, product GuardDuty");
        let any = Rule {
            controls: Vec::new(),
            severities: Vec::new(),
            account_classes: Vec::new(),
            products: Vec::new(),
            ..rule
        };
        assert_eq!(any.describe(), "any finding");
    }
}
