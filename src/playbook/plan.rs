//! A dry-run plan: the exact change, its AWS CLI equivalent, the rollback, and the state it was computed from.

use super::change::Change;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where the state a plan was computed from came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Basis {
    /// Read from the account just now.
    #[serde(rename = "live")]
    Live,
    /// Taken from the finding's `Resources[].Details` (offline review).
    #[serde(rename = "finding-snapshot")]
    FindingSnapshot,
}

impl Basis {
    /// The name used in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::FindingSnapshot => "finding-snapshot",
        }
    }
}

/// One change: what it does, the state before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub action: String,
    pub before: String,
    pub after: String,
}

/// What a playbook would do to one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub playbook: &'static str,
    pub summary: String,
    pub steps: Vec<Step>,
    /// AWS CLI commands equivalent to the change, one per line.
    pub cli: Vec<String>,
    /// AWS CLI commands that restore the before-state.
    pub rollback_cli: Vec<String>,
    /// Hash of the state the plan was computed from; apply refuses when it differs.
    pub fingerprint: String,
    pub basis: Basis,
    /// The calls that make the change, in order.
    pub changes: Vec<Change>,
    /// The calls that restore the before-state, in order.
    pub rollback: Vec<Change>,
    /// Things the operator should know before approving.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A playbook's answer for one resource.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanOutcome {
    /// Changes to make.
    Change(Plan),
    /// The resource already is in the desired state (e.g. fixed through another finding).
    AlreadyCompliant(String),
}

/// Why no plan could be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("the finding carries no resource details to plan from{0}")]
    NoSnapshot(String),
    #[error("resource state is a {found}, playbook {playbook} needs a {wanted}")]
    WrongResource { playbook: &'static str, wanted: &'static str, found: &'static str },
    #[error("{0}")]
    Unsafe(String),
    /// A bulk read left out a part of the state the plan looks at (never planned from a guess).
    #[error("{0}")]
    Unread(String),
}

/// A short, stable hash of the state a plan was computed from.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    const HEX: &[u8; 16] = b"0123456789abcdef";
    digest.iter().take(8).flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]).map(char::from).collect()
}

/// Quotes a word for a POSIX shell when it holds anything beyond a safe set of characters.
pub fn shell_word(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | ',' | '=' | '@' | '+'));
    if safe {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word("my-bucket.logs"), "my-bucket.logs");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("$(touch x)"), "'$(touch x)'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn fingerprint_depends_on_every_part_and_their_boundaries() {
        assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
        assert_ne!(fingerprint(&["a", "b"]), fingerprint(&["ab", ""]));
        assert_eq!(fingerprint(&["x"]).len(), 16);
    }
}
