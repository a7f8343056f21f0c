//! Change windows: for chosen account classes, unattended fixes wait for a person during business hours.

use chrono::{DateTime, Datelike, NaiveTime, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

/// One `[[policy.change_windows]]` entry: inside these hours, `auto-fix` becomes `approve`.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChangeWindow {
    pub name: String,
    pub account_classes: Vec<String>,
    /// Three-letter English day names: `mon` … `sun`.
    pub days: Vec<String>,
    /// `HH:MM`, local to `time_zone`.
    pub start: String,
    pub end: String,
    /// An IANA time zone such as `Europe/Berlin`.
    pub time_zone: String,
}

/// A change window checked and ready to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedWindow {
    pub name: String,
    pub account_classes: Vec<String>,
    pub days: Vec<Weekday>,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub time_zone: Tz,
}

impl ChangeWindow {
    /// Validates the window; the error names the field and the bad value.
    pub fn parse(&self) -> Result<ParsedWindow, String> {
        let days = self
            .days
            .iter()
            .map(|d| d.parse::<Weekday>().map_err(|_| format!("days: {d:?} is not a day name (mon … sun)")))
            .collect::<Result<Vec<_>, _>>()?;
        let time = |field: &str, value: &str| {
            NaiveTime::parse_from_str(value, "%H:%M")
                .map_err(|_| format!("{field}: {value:?} is not a time of day (HH:MM)"))
        };
        let time_zone = self
            .time_zone
            .parse::<Tz>()
            .map_err(|_| format!("time_zone: {:?} is not an IANA time zone", self.time_zone))?;
        Ok(ParsedWindow {
            name: self.name.clone(),
            account_classes: self.account_classes.clone(),
            days,
            start: time("start", &self.start)?,
            end: time("end", &self.end)?,
            time_zone,
        })
    }
}

impl ParsedWindow {
    /// Whether `now` falls inside the window for an account of `class`.
    pub fn is_open(&self, class: &str, now: DateTime<Utc>) -> bool {
        if !self.account_classes.iter().any(|c| c == class) {
            return false;
        }
        let local = now.with_timezone(&self.time_zone);
        let time = NaiveTime::from_hms_opt(local.hour(), local.minute(), local.second()).unwrap_or(NaiveTime::MIN);
        self.days.contains(&local.weekday()) && time >= self.start && time < self.end
    }

    /// Whether the window is for accounts of `class`.
    pub fn binds(&self, class: &str) -> bool {
        self.account_classes.iter().any(|c| c == class)
    }

    /// "Mon–Fri 09:00–18:00 Europe/Berlin" style description.
    pub fn describe(&self) -> String {
        let days: Vec<String> = self.days.iter().map(|d| d.to_string()).collect();
        format!("{} {}–{} {}", days.join(","), self.start.format("%H:%M"), self.end.format("%H:%M"), self.time_zone)
    }
}
