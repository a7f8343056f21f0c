//! What each playbook does in words (for `hubtriage playbooks`), how risky it is, and which ones the configuration
//! switches on (`[playbooks] enabled` / `disabled`).

use serde::Serialize;

/// How much care a playbook's change needs, after the practitioners' two lists of fixes worth automating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Risk {
    /// Closes an exposure without taking anything away that running workloads rely on; reversible.
    #[serde(rename = "always-safe")]
    AlwaysSafe,
    /// Reversible, but something may rely on what it takes away (sharing, old clients): the policy's default for
    /// these is `approve`, whatever `policy.default_verdict` says.
    #[serde(rename = "reversible-with-care")]
    ReversibleWithCare,
}

impl Risk {
    /// The name shown in listings and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::AlwaysSafe => "always-safe",
            Self::ReversibleWithCare => "reversible-with-care",
        }
    }
}

/// A playbook's change and rollback in words, and its risk class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct About {
    pub change: &'static str,
    pub rollback: &'static str,
    pub risk: Risk,
}

/// One row of `hubtriage playbooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueEntry {
    pub name: &'static str,
    pub controls: Vec<&'static str>,
    pub resource_type: &'static str,
    pub change: &'static str,
    pub rollback: &'static str,
    pub risk: Risk,
    pub enabled: bool,
}

/// Which playbooks run: every one unless `enabled` lists some, less those `disabled` lists.
pub fn is_enabled(name: &str, enabled: Option<&[String]>, disabled: &[String]) -> bool {
    enabled.is_none_or(|list| list.iter().any(|n| n == name)) && !disabled.iter().any(|n| n == name)
}

/// The first name in `names` that is no playbook, as a config error naming `key` and the known playbooks.
pub fn check_names(key: &str, names: &[String], known: &[&str]) -> Result<(), String> {
    match names.iter().find(|n| !known.contains(&n.as_str())) {
        Some(unknown) => Err(format!("{key}: {unknown:?} is not a playbook (known playbooks: {})", known.join(", "))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn enabled_narrows_and_disabled_wins() {
        assert!(is_enabled("a", None, &[]));
        assert!(!is_enabled("a", None, &names(&["a"])));
        assert!(!is_enabled("b", Some(&names(&["a"])), &[]));
        assert!(is_enabled("a", Some(&names(&["a"])), &[]));
        assert!(!is_enabled("a", Some(&names(&["a"])), &names(&["a"])));
        assert!(!is_enabled("a", Some(&[]), &[]), "an empty enabled list switches every playbook off");
    }

    #[test]
    fn unknown_names_are_named_with_the_known_ones() {
        let err = check_names("playbooks.disabled", &names(&["a", "s3-typo"]), &["a", "b"]).expect_err("unknown");
        assert_eq!(err, r#"playbooks.disabled: "s3-typo" is not a playbook (known playbooks: a, b)"#);
        assert!(check_names("playbooks.enabled", &names(&["b"]), &["a", "b"]).is_ok());
    }
}
