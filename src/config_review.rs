//! `[review]`: how long a reviewed plan file and an approval request stay good, and which account classes need a
//! second person to approve.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// `[review]`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewConfig {
    /// `apply --plan` refuses a plan file made longer ago than this (`30m`, `24h`, `7d`; `s` for seconds).
    pub max_plan_age: String,
    /// An approval request not decided within this time expires: it is rejected and the finding goes to `manual`.
    pub approval_ttl: String,
    /// Account classes whose approval requests must be approved by another identity than the requester's.
    pub two_person_classes: Vec<String>,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        Self { max_plan_age: "24h".into(), approval_ttl: "24h".into(), two_person_classes: vec!["prod".into()] }
    }
}

/// Longest age a plan file or an approval request may be given: a reviewed change goes stale.
const LONGEST: Duration = Duration::from_secs(30 * 86_400);

impl ReviewConfig {
    /// Checks both durations, naming the key at fault.
    pub fn validate(&self) -> Result<(), String> {
        for (key, value) in [("max_plan_age", &self.max_plan_age), ("approval_ttl", &self.approval_ttl)] {
            let duration = parse_duration(value).map_err(|e| format!("review.{key}: {e}"))?;
            if duration.is_zero() || duration > LONGEST {
                return Err(format!("review.{key}: {value:?} is not between 1 second and 30 days"));
            }
        }
        Ok(())
    }

    /// `max_plan_age` (validated when the config was read).
    pub fn max_plan_age(&self) -> Duration {
        parse_duration(&self.max_plan_age).unwrap_or(Duration::from_secs(86_400))
    }

    /// `approval_ttl` (validated when the config was read).
    pub fn approval_ttl(&self) -> Duration {
        parse_duration(&self.approval_ttl).unwrap_or(Duration::from_secs(86_400))
    }

    /// Whether approvals in accounts of `class` need a second identity.
    pub fn needs_two_people(&self, class: &str) -> bool {
        self.two_person_classes.iter().any(|c| c == class)
    }
}

/// `Ns`, `Nm`, `Nh` or `Nd` (seconds, minutes, hours, days) as a duration.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let unit = text.chars().last().ok_or_else(|| "empty; write it as 30m, 24h or 7d".to_string())?;
    let seconds = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        _ => return Err(format!("{text:?} is not a duration: a whole number followed by s, m, h or d (30m, 24h, 7d)")),
    };
    let number: u64 = text[..text.len() - 1]
        .parse()
        .map_err(|_| format!("{text:?} is not a duration: a whole number followed by s, m, h or d (30m, 24h, 7d)"))?;
    number.checked_mul(seconds).map(Duration::from_secs).ok_or_else(|| format!("{text:?} is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_read_in_minutes_hours_and_days_and_bad_ones_are_named() {
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1_800)));
        assert_eq!(parse_duration(" 24h "), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        for bad in ["", "24", "h", "1.5h", "-1h", "24 hours"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
        let config = ReviewConfig { approval_ttl: "90d".into(), ..ReviewConfig::default() };
        assert!(config.validate().expect_err("invalid").starts_with("review.approval_ttl"));
        let config = ReviewConfig { max_plan_age: "0h".into(), ..ReviewConfig::default() };
        assert!(config.validate().expect_err("invalid").starts_with("review.max_plan_age"));
        assert!(ReviewConfig::default().validate().is_ok());
        assert!(ReviewConfig::default().needs_two_people("prod"));
        assert!(!ReviewConfig::default().needs_two_people("sandbox"));
    }
}
