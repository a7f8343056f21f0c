//! A digest of everything in the config that decides verdicts and shapes plans: a plan file records it, and
//! `apply --plan` says when the policy in force is another one.

use crate::config::Config;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// What the digest covers: rules, classes, change windows, trusted products, exception tags and limits, playbook
/// settings. Account names, themes, endpoints and the like do not decide anything and are left out.
#[derive(Serialize)]
struct PolicyInputs<'a> {
    policy: &'a crate::config::PolicyConfig,
    account_classes: BTreeMap<&'a str, &'a str>,
    exception_tags: &'a crate::policy::ExceptionTagNames,
    exception_max_days: u32,
    exception_limits_enforced: bool,
    playbooks: &'a crate::playbook::PlaybookSettings,
}

/// `sha256:<hex>` of the policy `config` describes.
pub fn policy_digest(config: &Config) -> String {
    let inputs = PolicyInputs {
        policy: &config.policy,
        account_classes: config.accounts.iter().map(|(id, a)| (id.as_str(), a.class.as_str())).collect(),
        exception_tags: &config.exceptions.tags,
        exception_max_days: config.exceptions.max_days,
        exception_limits_enforced: config.exceptions.enforce_limits,
        playbooks: &config.playbooks,
    };
    // Serialising plain config structs cannot fail; an empty text would still give a stable digest.
    let text = serde_json::to_vec(&inputs).unwrap_or_default();
    sha256_hex(&text)
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(text: &str) -> Config {
        Config::parse(text, Path::new("test.toml")).expect("config")
    }

    #[test]
    fn the_digest_follows_what_decides_verdicts_and_nothing_else() {
        let base = policy_digest(&config(""));
        assert_eq!(base, policy_digest(&config("")));
        assert!(base.starts_with("sha256:") && base.len() == 71);
        assert_eq!(base, policy_digest(&config("theme = \"light\"")), "a theme decides nothing");
        for changed in [
            "[policy]\ndefault_verdict = \"auto-fix\"",
            "[accounts.\"111111111111\"]\nclass = \"prod\"",
            "[[policy.rules]]\nname = \"r\"\nverdict = \"manual\"\ncontrols = [\"S3.8\"]",
            "[exceptions]\nmax_days = 60",
            "[playbooks]\nauthorized_public_ports = [443]",
        ] {
            assert_ne!(base, policy_digest(&config(changed)), "{changed}");
        }
    }
}
