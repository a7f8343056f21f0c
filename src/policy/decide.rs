//! Puts rules, account classes, change windows and exceptions together into one decision per finding.

use super::change_window::ParsedWindow;
use super::exception::{read_exception, ExceptionStatus, ExceptionTag, ExceptionTagNames};
use super::{Rule, Verdict};
use crate::model::Finding;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};

/// A verdict with its explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub verdict: Verdict,
    /// Which rule matched, the account class, the change window, the exception tag — in words.
    /// Shared between findings with the same reason (`model::intern`).
    pub reason: std::sync::Arc<str>,
    /// The valid exception, when the verdict is `excepted`.
    /// Boxed: few findings are excepted, and every row holds a decision.
    pub exception: Option<Box<ExceptionTag>>,
    /// A note about exception tags that no longer apply ("expired 3 days ago", unreadable expiry).
    pub exception_note: Option<String>,
}

/// What policy needs to know about a finding beyond the finding itself.
pub struct PolicyInput<'a> {
    pub finding: &'a Finding,
    /// Whether a playbook can fix this finding's control.
    pub has_playbook: bool,
    /// Tags of the primary resource: live when read, else the finding's snapshot.
    pub tags: &'a BTreeMap<String, String>,
    pub now: DateTime<Utc>,
}

/// The policy: rules in order, a default verdict, account classes, change windows and exception tag names.
#[derive(Debug, Clone)]
pub struct Policy {
    pub rules: Vec<Rule>,
    /// Verdict for findings with a playbook that no rule matched.
    pub default_verdict: Verdict,
    /// Account id → class (`prod`, `staging`, `sandbox`…).
    pub account_classes: HashMap<String, String>,
    /// Class of accounts not listed.
    pub default_class: String,
    pub change_windows: Vec<ParsedWindow>,
    pub exception_tags: ExceptionTagNames,
    /// Incident mode: change windows are lifted while it is on (switched by the operator, audited).
    pub incident: IncidentMode,
}

/// The incident-mode switch, shared by every clone of the policy.
#[derive(Debug, Clone, Default)]
pub struct IncidentMode(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl IncidentMode {
    pub fn is_on(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn set(&self, on: bool) {
        self.0.store(on, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Policy {
    /// The class of an account (`default_class` when it is not listed).
    pub fn class_of(&self, account_id: &str) -> &str {
        self.account_classes.get(account_id).map(String::as_str).unwrap_or(&self.default_class)
    }

    /// Decides the verdict for one finding and explains it.
    pub fn decide(&self, input: &PolicyInput<'_>) -> Decision {
        let finding = input.finding;
        let class = self.class_of(&finding.account_id);
        let mut exception_note = None;
        match read_exception(input.tags, &self.exception_tags, input.now) {
            ExceptionStatus::Valid(tag) => {
                let owner = tag.owner.as_deref().map(|o| format!(", owner {o}")).unwrap_or_default();
                return Decision {
                    verdict: Verdict::Excepted,
                    reason: format!(
                        "excepted by tag {}: \"{}\" until {} ({} days left{owner})",
                        self.exception_tags.reason_tag,
                        tag.reason,
                        tag.expires.format("%Y-%m-%d"),
                        tag.days_left(input.now)
                    )
                    .into(),
                    exception: Some(Box::new(tag)),
                    exception_note: None,
                };
            }
            ExceptionStatus::Expired(tag) => {
                exception_note =
                    Some(format!("exception expired {} days ago (\"{}\")", -tag.days_left(input.now), tag.reason));
            }
            ExceptionStatus::Invalid(why) => {
                exception_note = Some(format!("exception tag ignored: {why}"));
            }
            ExceptionStatus::None => {}
        }

        let matched = self.rules.iter().find(|r| r.matches(finding, class));
        let (verdict, mut reason) = match (matched, input.has_playbook) {
            (Some(rule), _) if rule.verdict == Verdict::Manual => (
                Verdict::Manual,
                format!("rule '{}' ({}) says a person fixes it outside hubtriage", rule.name, rule.describe()),
            ),
            (Some(rule), false) => (
                Verdict::NoPlaybook,
                format!("rule '{}' would allow {}, but {}", rule.name, rule.verdict, no_playbook_reason(finding)),
            ),
            (Some(rule), true) => {
                (rule.verdict, format!("rule '{}' matched ({}) in {class} account", rule.name, rule.describe()))
            }
            (None, false) => (Verdict::NoPlaybook, no_playbook_reason(finding)),
            (None, true) => (self.default_verdict, format!("no rule matched; default verdict for {class} account")),
        };
        let verdict = if verdict == Verdict::AutoFix {
            match self.change_windows.iter().find(|w| w.is_open(class, input.now)) {
                Some(window) if self.incident.is_on() => {
                    reason.push_str(&format!("; change window '{}' lifted: incident mode", window.name));
                    verdict
                }
                Some(window) => {
                    reason.push_str(&format!(
                        "; inside change window '{}' ({}), so a person must approve",
                        window.name,
                        window.describe()
                    ));
                    Verdict::NeedsApproval
                }
                None => verdict,
            }
        } else {
            verdict
        };
        if let Some(note) = &exception_note {
            reason.push_str("; ");
            reason.push_str(note);
        }
        Decision { verdict, reason: crate::model::intern::intern(&reason), exception: None, exception_note }
    }
}

fn no_playbook_reason(finding: &Finding) -> String {
    match &finding.control_id {
        Some(id) => format!("no playbook handles control {id}"),
        None => format!(
            "not a control check ({} finding, type {}); no playbook",
            finding.product_name,
            finding.control_or_type()
        ),
    }
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
