//! Puts rules, account classes, change windows and exceptions together into one decision per finding.

use super::change_window::ParsedWindow;
use super::exception::{read_exception, ExceptionLimits, ExceptionStatus, ExceptionTag, ExceptionTagNames};
use super::trust::{Provenance, TrustedProducts};
use super::{Rule, Verdict};
use crate::model::hash::BuildWordHasher;
use crate::model::intern::intern;
use crate::model::Finding;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::Arc;

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
    /// Whether the finding may drive that playbook (`Policy::provenance`); `None` when not asked (no playbook).
    pub provenance: Option<&'a Provenance>,
    /// Tags of the primary resource: live when read, else the finding's snapshot.
    pub tags: &'a BTreeMap<String, String>,
    pub now: DateTime<Utc>,
    /// The playbook for the finding's control when the config switched it off (`[playbooks]`).
    pub disabled_playbook: Option<&'a str>,
    /// The playbook's change is reversible only with care: unless a rule says otherwise, a person approves it.
    pub needs_care: bool,
}

/// The policy: rules in order, a default verdict, account classes, change windows and exception tag names.
#[derive(Debug, Clone)]
pub struct Policy {
    pub rules: Vec<Rule>,
    /// Verdict for findings with a playbook that no rule matched.
    pub default_verdict: Verdict,
    /// Account id → class (`prod`, `staging`, `sandbox`…).
    pub account_classes: HashMap<String, String, crate::model::hash::BuildWordHasher>,
    /// Class of accounts not listed.
    pub default_class: String,
    pub change_windows: Vec<ParsedWindow>,
    pub exception_tags: ExceptionTagNames,
    /// What an exception tag must keep to be honoured (`exceptions.max_days`, an owner).
    pub exception_limits: ExceptionLimits,
    /// Products besides Security Hub's own controls whose findings may drive a playbook.
    pub trusted_products: TrustedProducts,
    /// Incident mode: change windows are lifted while it is on (switched by the operator, audited).
    pub incident: IncidentMode,
    /// Findings whose approval request expired unanswered: `manual` until approval is requested again.
    pub handed_back: super::handed_back::HandedBack,
    /// Reasons that depend only on the rule and the account class, made once.
    pub reasons: ReasonMemo,
}

/// Reasons already worded: most findings share one.
#[derive(Debug, Clone, Default)]
pub struct ReasonMemo(Arc<std::sync::Mutex<Reasons>>);

/// (rule index, has a playbook) → (account class, reason).
type ReasonsByRule = HashMap<(Option<usize>, bool), Vec<(String, Arc<str>)>>;

#[derive(Debug, Default)]
struct Reasons {
    by_rule: ReasonsByRule,
    /// Reasons of findings no playbook handles, by rule (or none) and what they name (the control, or the product
    /// and finding type).
    no_playbook: HashMap<String, Arc<str>, BuildWordHasher>,
    /// The key being looked up (kept to be reused).
    key: String,
}

impl ReasonMemo {
    fn lock(&self) -> std::sync::MutexGuard<'_, Reasons> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The reason for `rule` (index) matched with or without a playbook in an account of `class`, worded by `word`
    /// the first time.
    fn get(&self, rule: Option<usize>, has_playbook: bool, class: &str, word: impl FnOnce() -> String) -> Arc<str> {
        let mut memo = self.lock();
        let by_class = memo.by_rule.entry((rule, has_playbook)).or_default();
        if let Some((_, reason)) = by_class.iter().find(|(c, _)| c == class) {
            return reason.clone();
        }
        let reason: Arc<str> = intern(&word());
        by_class.push((class.to_owned(), reason.clone()));
        reason
    }

    /// The reason no playbook handles `finding` after `rule` (index) matched or none did, worded by `word` the first
    /// time.
    fn no_playbook(&self, rule: Option<usize>, finding: &Finding, word: impl FnOnce() -> String) -> Arc<str> {
        let mut memo = self.lock();
        let Reasons { no_playbook, key, .. } = &mut *memo;
        key.clear();
        if let Some(rule) = rule {
            _ = write!(key, "{rule}");
        }
        match &finding.control_id {
            Some(id) => key.extend(["\0control\0", id]),
            None => key.extend(["\0product\0", &finding.product_name, "\0", finding.control_or_type()]),
        }
        if let Some(reason) = no_playbook.get(key.as_str()) {
            return reason.clone();
        }
        let reason: Arc<str> = intern(&word());
        no_playbook.insert(key.clone(), reason.clone());
        reason
    }
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

    /// Whether `finding` may drive a playbook: Security Hub's own control finding (or a trusted product's) about a
    /// resource of its own account, partition and region.
    pub fn provenance(&self, finding: &Finding) -> Provenance {
        self.trusted_products.provenance(finding)
    }

    /// Decides the verdict for one finding and explains it.
    pub fn decide(&self, input: &PolicyInput<'_>) -> Decision {
        let finding = input.finding;
        if let Some(Provenance::Untrusted(why)) = input.provenance.filter(|_| input.has_playbook) {
            let reason = intern(&format!("not trusted to drive a fix: {why}"));
            return Decision { verdict: Verdict::NoPlaybook, reason, exception: None, exception_note: None };
        }
        let class = self.class_of(&finding.account_id);
        let mut exception_note = None;
        match read_exception(input.tags, &self.exception_tags, input.now) {
            ExceptionStatus::Valid(tag) if !tag.covers(finding.control_id.as_deref()) => {
                exception_note = Some(format!(
                    "the exception on the resource covers only {} (tag {})",
                    tag.controls.as_deref().unwrap_or_default().join(", "),
                    self.exception_tags.controls_tag
                ));
            }
            ExceptionStatus::Valid(tag) => {
                let breach = self.exception_limits.breach(&tag, &self.exception_tags, input.now);
                match breach {
                    Some(why) if self.exception_limits.enforce => {
                        exception_note = Some(format!(
                            "exception tag not honoured: {why} (exceptions.enforce_limits) (\"{}\")",
                            tag.reason
                        ));
                    }
                    _ => {
                        let owner = tag.owner.as_deref().map(|o| format!(", owner {o}")).unwrap_or_default();
                        let flag = breach.map(|why| format!("; flagged: {why}")).unwrap_or_default();
                        let only = match &tag.controls {
                            Some(list) => format!(" for {}", list.join(", ")),
                            None => String::new(),
                        };
                        return Decision {
                            verdict: Verdict::Excepted,
                            reason: format!(
                                "excepted by tag {}{only}: \"{}\" until {} ({} days left{owner}){flag}",
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
                }
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

        let matched = self.rules.iter().enumerate().find(|(_, r)| r.matches(finding, class));
        let memo = |rule, word: &dyn Fn() -> String| self.reasons.get(rule, input.has_playbook, class, word);
        let caution = if input.has_playbook { None } else { super::caution::caution(finding) };
        let (verdict, reason) = match (matched, input.has_playbook) {
            _ if caution.is_some() => {
                (Verdict::Manual, intern(&format!("{}; a person fixes it", caution.unwrap_or_default())))
            }
            _ if input.disabled_playbook.is_some() => (
                Verdict::NoPlaybook,
                intern(&format!(
                    "playbook disabled by config: {} ([playbooks] enabled / disabled)",
                    input.disabled_playbook.unwrap_or_default()
                )),
            ),
            (None, true) if input.needs_care && self.default_verdict == Verdict::AutoFix => (
                Verdict::NeedsApproval,
                intern(&format!(
                    "no rule matched; the playbook's change is reversible with care, so a person approves it \
                     (default auto-fix for {class} account not used)"
                )),
            ),
            (Some((i, rule)), _) if rule.verdict == Verdict::Manual => (
                Verdict::Manual,
                memo(Some(i), &|| {
                    format!("rule '{}' ({}) says a person fixes it outside hubtriage", rule.name, rule.describe())
                }),
            ),
            (Some((i, rule)), false) => (
                Verdict::NoPlaybook,
                self.reasons.no_playbook(Some(i), finding, || {
                    format!("rule '{}' would allow {}, but {}", rule.name, rule.verdict, no_playbook_reason(finding))
                }),
            ),
            (Some((i, rule)), true) => (
                rule.verdict,
                memo(Some(i), &|| format!("rule '{}' matched ({}) in {class} account", rule.name, rule.describe())),
            ),
            (None, false) => {
                (Verdict::NoPlaybook, self.reasons.no_playbook(None, finding, || no_playbook_reason(finding)))
            }
            (None, true) => {
                (self.default_verdict, memo(None, &|| format!("no rule matched; default verdict for {class} account")))
            }
        };
        let mut notes = String::new();
        if let Some(Provenance::TrustedByConfig(pattern)) = input.provenance.filter(|_| input.has_playbook) {
            notes.push_str(&format!(
                "; product {} trusted by config ([policy] trusted_products \"{pattern}\"), not Security Hub's own",
                finding.product_arn
            ));
        }
        let verdict = if verdict == Verdict::AutoFix {
            match self.change_windows.iter().find(|w| w.is_open(class, input.now)) {
                Some(window) if self.incident.is_on() => {
                    notes.push_str(&format!("; change window '{}' lifted: incident mode", window.name));
                    verdict
                }
                Some(window) => {
                    notes.push_str(&format!(
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
            notes.push_str("; ");
            notes.push_str(note);
        }
        if matches!(verdict, Verdict::AutoFix | Verdict::NeedsApproval) {
            if let Some(note) = self.handed_back.note_for(finding) {
                let reason = intern(&format!("{note} (policy alone says {verdict}: {reason}{notes})"));
                return Decision { verdict: Verdict::Manual, reason, exception: None, exception_note };
            }
        }
        let reason = if notes.is_empty() { reason } else { intern(&format!("{reason}{notes}")) };
        Decision { verdict, reason, exception: None, exception_note }
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
