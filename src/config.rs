//! TOML configuration: every key has a default; the user's file overrides them. Unknown keys and bad values are
//! errors that name the key and the file.

use crate::playbook::PlaybookSettings;
use crate::policy::{ChangeWindow, ExceptionLimits, ExceptionTagNames, Policy, Rule, TrustedProducts, Verdict};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use crate::config_aws::AwsConfig;

/// The whole configuration.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Theme name (`dark`, `light`, `high-contrast`, or a file in the config dir's `themes/`).
    pub theme: Option<String>,
    /// Apply `auto-fix` verdicts without a prompt.
    pub auto_fix: bool,
    /// Make no mutating call at all.
    pub read_only: bool,
    /// Where the audit log is written (default: the data dir).
    pub audit_log: Option<PathBuf>,
    /// Account id → name and class.
    pub accounts: BTreeMap<String, AccountConfig>,
    pub policy: PolicyConfig,
    pub exceptions: ExceptionsConfig,
    pub playbooks: PlaybookSettings,
    pub remediation: RemediationConfig,
    pub notify: NotifyConfig,
    /// `[audit]`: the remote copy of the audit log.
    pub audit: crate::config_audit::AuditConfig,
    /// Custom actions (`[[actions]]`).
    pub actions: Vec<crate::actions::ActionConfig>,
    pub aws: crate::config_aws::AwsConfig,
    pub store: crate::config_store::StoreConfig,
    pub watch: crate::config_watch::WatchConfig,
    /// `[coordination]`: where leases on resources live.
    pub coordination: crate::config_coordination::CoordinationConfig,
    /// `[review]`: plan files' and approval requests' lifetimes, two-person classes.
    pub review: crate::config_review::ReviewConfig,
}

/// `[remediation]`: how fixes are verified and watched.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RemediationConfig {
    /// Re-reads of the resource after a change before verification gives up.
    pub verify_attempts: u32,
    /// Wait before the first re-read; it doubles after every attempt (eventual consistency).
    pub verify_first_delay_ms: u64,
    /// Longest wait between two re-reads.
    pub verify_max_delay_ms: u64,
    /// Seconds between drift checks of the resources hubtriage fixed; 0 turns drift watch off.
    pub drift_check_seconds: u64,
    /// Changes running at once.
    pub max_parallel_jobs: usize,
}

impl Default for RemediationConfig {
    fn default() -> Self {
        Self {
            verify_attempts: 6,
            verify_first_delay_ms: 1000,
            verify_max_delay_ms: 16_000,
            drift_check_seconds: 300,
            max_parallel_jobs: 4,
        }
    }
}

/// `[notify]`: SNS topics for every apply, verification, rollback and failure.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    /// The topic for accounts whose class has none in `topics`.
    pub topic_arn: Option<String>,
    /// Account class → topic ARN.
    pub topics: BTreeMap<String, String>,
}

impl NotifyConfig {
    /// The topic for an account class, if any.
    pub fn topic_for(&self, class: &str) -> Option<&str> {
        self.topics.get(class).or(self.topic_arn.as_ref()).map(String::as_str)
    }
}

/// One `[accounts."<id>"]` entry.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    #[serde(default)]
    pub name: Option<String>,
    /// `prod`, `staging`, `sandbox`… used by policy rules and change windows.
    pub class: String,
}

/// `[policy]`.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    /// Verdict for findings with a playbook that no rule matched.
    pub default_verdict: Verdict,
    /// Class of accounts not listed in `[accounts]`.
    pub default_class: String,
    pub rules: Vec<Rule>,
    pub change_windows: Vec<ChangeWindow>,
    /// Product ARNs (`*` for any run of characters) whose findings may drive a playbook besides Security Hub's own
    /// controls: for organisations that import their own control findings.
    pub trusted_products: Vec<String>,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            default_verdict: Verdict::NeedsApproval,
            default_class: "unclassified".into(),
            rules: Vec::new(),
            change_windows: Vec::new(),
            trusted_products: Vec::new(),
        }
    }
}

/// `[exceptions]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ExceptionsConfig {
    #[serde(flatten)]
    pub tags: ExceptionTagNames,
    /// Length of a new exception when none is given (days).
    pub default_days: u32,
    /// Longest exception allowed (days).
    pub max_days: u32,
    /// Exceptions expiring within this many days are flagged.
    pub expiring_soon_days: u32,
    /// Exception tags longer than `max_days` or without an owner (written outside hubtriage) are flagged; with this
    /// on they are not honoured either.
    pub enforce_limits: bool,
    /// While a resource is excepted, set its findings SUPPRESSED (with a note), and back to NEW when the exception
    /// expires or is removed.
    pub suppress_findings: bool,
}

impl Default for ExceptionsConfig {
    fn default() -> Self {
        Self {
            tags: ExceptionTagNames::default(),
            default_days: 30,
            max_days: 90,
            expiring_soon_days: 7,
            enforce_limits: true,
            suppress_findings: false,
        }
    }
}

/// A configuration problem, naming the file and the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Config {
    /// The default config file location: `<config dir>/config.toml`.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "hubtriage").map(|d| d.config_dir().join("config.toml"))
    }

    /// Loads `path`, or the default location when `path` is `None` (a missing default file means defaults).
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        match path {
            Some(p) => Self::load_file(p),
            None => match Self::default_path() {
                Some(p) if p.exists() => Self::load_file(&p),
                _ => Ok(Self::default()),
            },
        }
    }

    /// Loads and validates one file.
    pub fn load_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.into(), source })?;
        Self::parse(&text, path)
    }

    /// Parses and validates config text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid { path: path.into(), message };
        let config: Config = toml::from_str(text).map_err(|e| invalid(describe_toml_error(&e, text)))?;
        config.validate().map_err(|message| match crate::config_locate::line_of(text, &message) {
            Some(line) => invalid(format!("line {line}: {message}")),
            None => invalid(message),
        })?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        self.watch.validate()?;
        for id in self.accounts.keys() {
            if id.len() != 12 || !id.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!("accounts.\"{id}\": an account id has 12 digits"));
            }
        }
        for (i, rule) in self.policy.rules.iter().enumerate() {
            if matches!(rule.verdict, Verdict::Excepted | Verdict::NoPlaybook) {
                return Err(format!(
                    "policy.rules[{i}] ('{}').verdict: rules give auto-fix, approve or manual, not {}",
                    rule.name, rule.verdict
                ));
            }
        }
        for (i, window) in self.policy.change_windows.iter().enumerate() {
            window.parse().map_err(|e| format!("policy.change_windows[{i}] ('{}').{e}", window.name))?;
        }
        for (i, product) in self.policy.trusted_products.iter().enumerate() {
            let arn = crate::model::arn::Arn::parse(product);
            if !arn.is_some_and(|a| a.service == "securityhub" && a.resource.starts_with("product")) {
                return Err(format!(
                    "policy.trusted_products[{i}]: {product:?} is not a Security Hub product ARN \
                     (arn:aws:securityhub:<region or *>:<account>:product/<company>/<product>)"
                ));
            }
        }
        let e = &self.exceptions;
        if e.default_days == 0 || e.default_days > e.max_days {
            return Err(format!(
                "exceptions.default_days: {} must be between 1 and exceptions.max_days ({})",
                e.default_days, e.max_days
            ));
        }
        for (key, value) in [
            ("exceptions.reason_tag", &e.tags.reason_tag),
            ("exceptions.expiry_tag", &e.tags.expiry_tag),
            ("exceptions.owner_tag", &e.tags.owner_tag),
            ("exceptions.controls_tag", &e.tags.controls_tag),
        ] {
            if value.trim().is_empty() || value.starts_with("aws:") || value.len() > 128 {
                return Err(format!("{key}: {value:?} is not a usable tag key"));
            }
        }
        let topics = self.notify.topic_arn.iter().map(|t| ("notify.topic_arn".to_string(), t));
        for (key, arn) in topics.chain(self.notify.topics.iter().map(|(c, t)| (format!("notify.topics.{c}"), t))) {
            let parts: Vec<&str> = arn.split(':').collect();
            if parts.len() != 6 || parts[0] != "arn" || parts[2] != "sns" || parts[3].is_empty() {
                return Err(format!("{key}: {arn:?} is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)"));
            }
        }
        self.playbooks.validate()?;
        self.audit.validate()?;
        crate::actions::validate(&self.actions)?;
        let r = &self.remediation;
        for (key, value) in
            [("verify_attempts", r.verify_attempts as usize), ("max_parallel_jobs", r.max_parallel_jobs)]
        {
            if value == 0 {
                return Err(format!("remediation.{key}: must be at least 1"));
            }
        }
        self.aws.validate()?;
        self.coordination.validate()?;
        self.review.validate()?;
        Ok(())
    }

    /// The policy this config describes (validated by `parse`).
    pub fn policy(&self) -> Result<Policy, String> {
        let change_windows =
            self.policy.change_windows.iter().map(ChangeWindow::parse).collect::<Result<Vec<_>, _>>()?;
        Ok(Policy {
            rules: self.policy.rules.clone(),
            default_verdict: self.policy.default_verdict,
            account_classes: self.accounts.iter().map(|(id, a)| (id.clone(), a.class.clone())).collect(),
            default_class: self.policy.default_class.clone(),
            change_windows,
            exception_tags: self.exceptions.tags.clone(),
            exception_limits: ExceptionLimits {
                max_days: self.exceptions.max_days,
                enforce: self.exceptions.enforce_limits,
            },
            trusted_products: TrustedProducts(self.policy.trusted_products.clone()),
            incident: Default::default(),
            handed_back: Default::default(),
            reasons: Default::default(),
        })
    }
}

/// toml's message on one line, with the line number spelled out and that line quoted.
fn describe_toml_error(error: &toml::de::Error, text: &str) -> String {
    let message = error.message().trim().lines().map(str::trim).collect::<Vec<_>>().join("; ");
    match error.span() {
        Some(span) => {
            let start = span.start.min(text.len());
            let line = text[..start].matches('\n').count() + 1;
            let quoted: String = text.lines().nth(line - 1).unwrap_or("").trim().chars().take(80).collect();
            format!("line {line}: {message} (at `{quoted}`)")
        }
        None => message,
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
