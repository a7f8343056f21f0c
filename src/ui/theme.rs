//! Themes as semantic tokens (chrome, severity, verdict, job state, exception), one `themes/<name>.toml` each, embedded;
//! user themes are read from `<config dir>/themes/<name>.toml`.

use crate::engine::exceptions::ExceptionStatus;
use crate::engine::jobs::JobState;
use crate::model::Severity;
use crate::policy::Verdict;
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::path::Path;
use std::str::FromStr;

const EMBEDDED: [(&str, &str); 3] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("high-contrast", include_str!("../../themes/high-contrast.toml")),
];

/// Names of the themes built into the binary.
pub fn builtin_names() -> Vec<&'static str> {
    EMBEDDED.iter().map(|(n, _)| *n).collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    chrome: ChromeFile,
    severity: SeverityFile,
    verdict: VerdictFile,
    job: JobFile,
    /// Optional so user themes written before exceptions existed still load.
    #[serde(default)]
    exception: Option<ExceptionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExceptionFile {
    valid: String,
    expiring_soon: String,
    expired: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChromeFile {
    background: String,
    foreground: String,
    muted: String,
    border: String,
    border_focused: String,
    title: String,
    header: String,
    selection_bg: String,
    selection_fg: String,
    status_bg: String,
    status_fg: String,
    accent: String,
    error: String,
    ok: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeverityFile {
    critical: String,
    high: String,
    medium: String,
    low: String,
    informational: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerdictFile {
    auto_fix: String,
    approve: String,
    manual: String,
    excepted: String,
    no_playbook: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JobFile {
    queued: String,
    applying: String,
    verifying: String,
    verified: String,
    refused: String,
    failed: String,
    rolled_back: String,
    regressed: String,
}

/// Colours by meaning.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub background: Color,
    pub foreground: Color,
    pub muted: Color,
    pub border: Color,
    pub border_focused: Color,
    pub title: Color,
    pub header: Color,
    pub selection_bg: Color,
    pub selection_fg: Color,
    pub status_bg: Color,
    pub status_fg: Color,
    pub accent: Color,
    pub error: Color,
    pub ok: Color,
    severity: [Color; 5],
    verdict: [Color; 5],
    /// queued, applying, verifying, verified, refused, failed, rolled back, regressed.
    job: [Color; 8],
    /// valid, expiring soon, expired.
    exception: [Color; 3],
}

fn color(field: &str, value: &str) -> Result<Color, String> {
    Color::from_str(value).map_err(|_| format!("{field}: {value:?} is not a colour (a name or #rrggbb)"))
}

impl Theme {
    /// Parses a theme file's text; errors name the field.
    pub fn parse(text: &str) -> Result<Self, String> {
        let f: ThemeFile = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let c = &f.chrome;
        let error = color("chrome.error", &c.error)?;
        let excepted = color("verdict.excepted", &f.verdict.excepted)?;
        let refused = color("job.refused", &f.job.refused)?;
        let exception = match &f.exception {
            Some(e) => [
                color("exception.valid", &e.valid)?,
                color("exception.expiring_soon", &e.expiring_soon)?,
                color("exception.expired", &e.expired)?,
            ],
            None => [excepted, refused, error],
        };
        Ok(Self {
            name: f.name.clone(),
            background: color("chrome.background", &c.background)?,
            foreground: color("chrome.foreground", &c.foreground)?,
            muted: color("chrome.muted", &c.muted)?,
            border: color("chrome.border", &c.border)?,
            border_focused: color("chrome.border_focused", &c.border_focused)?,
            title: color("chrome.title", &c.title)?,
            header: color("chrome.header", &c.header)?,
            selection_bg: color("chrome.selection_bg", &c.selection_bg)?,
            selection_fg: color("chrome.selection_fg", &c.selection_fg)?,
            status_bg: color("chrome.status_bg", &c.status_bg)?,
            status_fg: color("chrome.status_fg", &c.status_fg)?,
            accent: color("chrome.accent", &c.accent)?,
            error,
            ok: color("chrome.ok", &c.ok)?,
            severity: [
                color("severity.informational", &f.severity.informational)?,
                color("severity.low", &f.severity.low)?,
                color("severity.medium", &f.severity.medium)?,
                color("severity.high", &f.severity.high)?,
                color("severity.critical", &f.severity.critical)?,
            ],
            verdict: [
                color("verdict.auto_fix", &f.verdict.auto_fix)?,
                color("verdict.approve", &f.verdict.approve)?,
                color("verdict.manual", &f.verdict.manual)?,
                excepted,
                color("verdict.no_playbook", &f.verdict.no_playbook)?,
            ],
            job: [
                color("job.queued", &f.job.queued)?,
                color("job.applying", &f.job.applying)?,
                color("job.verifying", &f.job.verifying)?,
                color("job.verified", &f.job.verified)?,
                refused,
                color("job.failed", &f.job.failed)?,
                color("job.rolled_back", &f.job.rolled_back)?,
                color("job.regressed", &f.job.regressed)?,
            ],
            exception,
        })
    }

    /// A built-in theme by name, else `<config_dir>/themes/<name>.toml`.
    pub fn load(name: &str, config_dir: Option<&Path>) -> Result<Self, String> {
        if let Some((_, text)) = EMBEDDED.iter().find(|(n, _)| *n == name) {
            return Self::parse(text).map_err(|e| format!("built-in theme {name}: {e}"));
        }
        let Some(dir) = config_dir else {
            return Err(format!("unknown theme {name:?}; built-in: {}", builtin_names().join(", ")));
        };
        let path = dir.join("themes").join(format!("{name}.toml"));
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!("unknown theme {name:?} (built-in: {}; {}: {e})", builtin_names().join(", "), path.display())
        })?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The default dark theme.
    pub fn fallback() -> Self {
        Self::parse(EMBEDDED[0].1).unwrap_or_else(|_| Self::plain())
    }

    /// A theme that uses the terminal's own colours (last resort).
    fn plain() -> Self {
        Self {
            name: "plain".into(),
            background: Color::Reset,
            foreground: Color::Reset,
            muted: Color::DarkGray,
            border: Color::Reset,
            border_focused: Color::Yellow,
            title: Color::Reset,
            header: Color::Reset,
            selection_bg: Color::Reset,
            selection_fg: Color::Reset,
            status_bg: Color::Reset,
            status_fg: Color::Reset,
            accent: Color::Magenta,
            error: Color::Red,
            ok: Color::Green,
            severity: [Color::Reset; 5],
            verdict: [Color::Reset; 5],
            job: [Color::Reset; 8],
            exception: [Color::Reset, Color::Yellow, Color::Red],
        }
    }

    /// Colour of a severity label.
    pub fn severity(&self, s: Severity) -> Style {
        let style = Style::default().fg(self.severity[s as usize]);
        if s >= Severity::High {
            style.add_modifier(Modifier::BOLD)
        } else {
            style
        }
    }

    /// Colour of a verdict.
    pub fn verdict(&self, v: Verdict) -> Style {
        let index = match v {
            Verdict::AutoFix => 0,
            Verdict::NeedsApproval => 1,
            Verdict::Manual => 2,
            Verdict::Excepted => 3,
            Verdict::NoPlaybook => 4,
        };
        Style::default().fg(self.verdict[index])
    }

    /// Colour of a job state: running, success and failure each their own.
    pub fn job_state(&self, state: &JobState) -> Style {
        let index = match state {
            JobState::Queued | JobState::Checking => 0,
            JobState::Applying | JobState::RollingBack => 1,
            JobState::Verifying { .. } => 2,
            JobState::Verified | JobState::Resolved | JobState::NoOp(_) => 3,
            JobState::Refused(_) | JobState::ResolveFailed(_) => 4,
            JobState::Failed(_) => 5,
            JobState::RolledBack => 6,
        };
        let style = Style::default().fg(self.job[index]);
        if matches!(state, JobState::Failed(_)) {
            style.add_modifier(Modifier::BOLD)
        } else {
            style
        }
    }

    /// Colour of the "regressed" flag: a fixed resource that is non-compliant again.
    pub fn regressed(&self) -> Style {
        Style::default().fg(self.job[7]).add_modifier(Modifier::BOLD)
    }

    /// Colour of an exception's status: valid, expiring soon and expired each their own; unreadable as an error.
    pub fn exception(&self, status: &ExceptionStatus) -> Style {
        match status {
            ExceptionStatus::Valid => Style::default().fg(self.exception[0]),
            ExceptionStatus::ExpiringSoon => Style::default().fg(self.exception[1]).add_modifier(Modifier::BOLD),
            ExceptionStatus::Expired => Style::default().fg(self.exception[2]).add_modifier(Modifier::BOLD),
            ExceptionStatus::Invalid(_) | ExceptionStatus::NotHonoured(_) => Style::default().fg(self.error),
        }
    }

    /// Base style of the screen.
    pub fn base(&self) -> Style {
        Style::default().fg(self.foreground).bg(self.background)
    }
}

#[cfg(test)]
#[path = "theme_tests.rs"]
mod tests;
