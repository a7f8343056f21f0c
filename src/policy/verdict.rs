//! The verdict a finding gets from policy.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What hubtriage may do about a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Verdict {
    /// A playbook exists and policy allows fixing it unattended (applied only when the auto-fix switch is on).
    #[serde(rename = "auto-fix")]
    AutoFix,
    /// A playbook exists; a person must approve the plan.
    #[serde(rename = "approve")]
    NeedsApproval,
    /// Policy says a human fixes it outside the tool.
    #[serde(rename = "manual")]
    Manual,
    /// A valid exception tag on the resource.
    #[serde(rename = "excepted")]
    Excepted,
    /// Nothing we can fix.
    #[serde(rename = "no-playbook")]
    NoPlaybook,
}

impl Verdict {
    /// Every verdict, in the order the UI lists them.
    pub const ALL: [Verdict; 5] =
        [Verdict::AutoFix, Verdict::NeedsApproval, Verdict::Manual, Verdict::Excepted, Verdict::NoPlaybook];

    /// The name used in config, JSON output and the table.
    pub fn name(self) -> &'static str {
        match self {
            Self::AutoFix => "auto-fix",
            Self::NeedsApproval => "approve",
            Self::Manual => "manual",
            Self::Excepted => "excepted",
            Self::NoPlaybook => "no-playbook",
        }
    }

    /// Parses a verdict name as written in config or on the command line.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.name() == text.trim())
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
