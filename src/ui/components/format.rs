//! Words and numbers as the views write them: job states, durations, times, accounts.

use crate::engine::jobs::JobState;
use crate::ui::context::Context;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// "verifying 2/6", "failed", "resolved"…
pub fn job_state(state: &JobState) -> String {
    match state {
        JobState::Verifying { attempt, of } => format!("verifying {attempt}/{of}"),
        other => other.word().to_string(),
    }
}

/// "45s", "12m", "3h 05m", "2d 04h".
pub fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d {:02}h", s / 86400, s % 86400 / 3600),
    }
}

/// How long ago `then` was, "0s" when in the future.
pub fn age(then: DateTime<Utc>) -> String {
    duration((Utc::now() - then).to_std().unwrap_or_default())
}

/// "2026-11-20 10:04:05Z": UTC, as the audit log records it.
pub fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

/// "2026-11-20".
pub fn date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// "111111111111 (prod-payments)", or the id alone.
pub fn account(ctx: &Context, id: &str) -> String {
    match ctx.account_names.get(id) {
        Some(name) => format!("{id} ({name})"),
        None => id.to_string(),
    }
}

/// The account's name when known, else its id: for narrow columns.
pub fn account_short<'a>(ctx: &'a Context, id: &'a str) -> &'a str {
    ctx.account_names.get(id).map(String::as_str).unwrap_or(id)
}

/// The short name of a resource id or ARN: bucket name, `sg-…`, instance id (as the findings table shows it).
pub fn short_resource(id: &str) -> String {
    let short = match id.strip_prefix("arn:") {
        Some(rest) => {
            let resource = rest.splitn(5, ':').nth(4).unwrap_or(rest);
            resource.rsplit('/').next().unwrap_or(resource)
        }
        None => id,
    };
    crate::model::sanitize::single_line(short)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(Duration::from_secs(45)), "45s");
        assert_eq!(duration(Duration::from_secs(12 * 60 + 5)), "12m");
        assert_eq!(duration(Duration::from_secs(3 * 3600 + 5 * 60)), "3h 05m");
        assert_eq!(duration(Duration::from_secs(2 * 86400 + 4 * 3600)), "2d 04h");
        assert_eq!(job_state(&JobState::Verifying { attempt: 2, of: 6 }), "verifying 2/6");
        assert_eq!(short_resource("arn:aws:ec2:us-east-1:1:security-group/sg-1"), "sg-1");
        assert_eq!(short_resource("arn:aws:s3:::acme-logs"), "acme-logs");
        assert_eq!(short_resource("sg-2"), "sg-2");
    }
}
