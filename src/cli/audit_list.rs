//! `hubtriage audit list`: the records of the audit log (of --audit-log, else the configured one), filtered by
//! resource, account, control, event and time, as a table, JSON or CSV. A torn last line or a record that cannot be
//! read is named by line number on stderr and skipped; the exit status is then 2.

use super::audit_list_format::{csv, json, table};
use super::{EXIT_ERROR, EXIT_OK, EXIT_PARTIAL};
use crate::engine::audit::{AuditEvent, AuditRecord};
use crate::engine::rollback_target::names_resource;
use crate::model::sanitize::single_line;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::Path;

/// Output format of `audit list` (CSV only here: `plan` and `exceptions list` keep table and JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

/// `hubtriage audit list …`.
#[derive(Debug, Args, Clone)]
pub struct AuditListArgs {
    /// Only records about this resource: its ARN as the log records it, or the id it ends with.
    #[arg(long, value_name = "ARN")]
    pub resource: Option<String>,
    /// Only records about this account (12 digits).
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// Only records about this control (`S3.8`, `EC2.18`, …).
    #[arg(long, value_name = "ID")]
    pub control: Option<String>,
    /// Only these events, as the log names them (apply-intent, verification, rollback-outcome, …); repeat or
    /// separate with commas.
    #[arg(long, value_name = "EVENT", value_delimiter = ',', value_parser = parse_event)]
    pub event: Vec<AuditEvent>,
    /// Records from this time on: an RFC 3339 time, YYYY-MM-DD (midnight UTC), or Nd / Nh (that long ago).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub since: Option<DateTime<Utc>>,
    /// Records before this time (same forms as --since).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub until: Option<DateTime<Utc>>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// Every event, in the order the log's documentation lists them (for the message naming the valid ones).
const EVENTS: [AuditEvent; 16] = [
    AuditEvent::ApplyIntent,
    AuditEvent::ApplyOutcome,
    AuditEvent::Verification,
    AuditEvent::Refused,
    AuditEvent::NoOp,
    AuditEvent::FindingUpdate,
    AuditEvent::RollbackIntent,
    AuditEvent::RollbackOutcome,
    AuditEvent::Drift,
    AuditEvent::IncidentMode,
    AuditEvent::Notification,
    AuditEvent::ExceptionIntent,
    AuditEvent::ExceptionOutcome,
    AuditEvent::Suppression,
    AuditEvent::ActionIntent,
    AuditEvent::Action,
];

/// An event name as the log writes it.
pub fn event_name(event: AuditEvent) -> String {
    serde_json::to_value(event).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// Parses an event name as the log writes it (`apply-intent`).
pub fn parse_event(text: &str) -> Result<AuditEvent, String> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_string())).map_err(|_| {
        let names: Vec<String> = EVENTS.iter().map(|e| event_name(*e)).collect();
        format!("{:?} is not an audit event; the log's events are {}", single_line(text), names.join(", "))
    })
}

/// Parses a time bound: RFC 3339, `YYYY-MM-DD` (midnight UTC at its start), or `Nd` / `Nh` (that long ago).
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    parse_time_at(text, Utc::now())
}

/// [`parse_time`] with "now" given.
pub fn parse_time_at(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    let ago = |n: &str, unit: fn(i64) -> Option<Duration>| {
        n.parse::<i64>().ok().and_then(unit).and_then(|d| now.checked_sub_signed(d))
    };
    let relative = if let Some(n) = text.strip_suffix('d') {
        Some(ago(n, Duration::try_days))
    } else {
        text.strip_suffix('h').map(|n| ago(n, Duration::try_hours))
    };
    if let Some(Some(at)) = relative {
        return Ok(at);
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        if let Some(midnight) = date.and_hms_opt(0, 0, 0) {
            return Ok(midnight.and_utc());
        }
    }
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).map_err(|_| {
        format!(
            "{:?} is not a time: give an RFC 3339 time, YYYY-MM-DD, or Nd / Nh (days or hours ago)",
            single_line(text)
        )
    })
}

/// One readable record: its line number, its line as the log holds it, and what it says.
pub struct Entry<'a> {
    pub line: usize,
    pub raw: &'a str,
    pub record: AuditRecord,
}

/// The records of a log, and `line N: why` for each line that is not one (a torn last line says so).
pub fn read(bytes: &[u8]) -> (Vec<Entry<'_>>, Vec<String>) {
    let torn = !bytes.is_empty() && !bytes.ends_with(b"\n");
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let last = lines.len();
    let (mut entries, mut problems) = (Vec::new(), Vec::new());
    for (i, line) in lines.into_iter().enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let cut_short = torn && i + 1 == last;
        let parsed = match std::str::from_utf8(line) {
            Err(_) if cut_short => Err(TORN.to_string()),
            Err(e) => Err(format!("not UTF-8 text: {e}")),
            Ok(text) => serde_json::from_str::<AuditRecord>(text).map(|r| (text, r)).map_err(|e| {
                if e.is_eof() || cut_short {
                    TORN.to_string()
                } else {
                    e.to_string()
                }
            }),
        };
        match parsed {
            Ok((text, record)) => entries.push(Entry { line: i + 1, raw: text.trim_end(), record }),
            Err(why) => problems.push(format!("line {}: {}", i + 1, single_line(&why))),
        }
    }
    (entries, problems)
}

/// Why a torn line is not read.
const TORN: &str = "incomplete record (the process stopped mid-write)";

/// Whether a record passes every filter given.
pub fn matches(args: &AuditListArgs, r: &AuditRecord) -> bool {
    args.resource.as_deref().is_none_or(|want| names_resource(&r.resource, want))
        && args.account.as_deref().is_none_or(|want| r.account_id == want.trim())
        && args
            .control
            .as_deref()
            .is_none_or(|want| r.control_id.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(want.trim())))
        && (args.event.is_empty() || args.event.contains(&r.event))
        && args.since.is_none_or(|since| r.time >= since)
        && args.until.is_none_or(|until| r.time < until)
}

/// Lists the log at `path`; returns the exit status.
pub fn run(path: &Path, args: &AuditListArgs) -> i32 {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            crate::inert_eprintln!("hubtriage: cannot read the audit log {}: {e}", path.display());
            return EXIT_ERROR;
        }
    };
    let (entries, problems) = read(&bytes);
    for problem in &problems {
        crate::inert_eprintln!("hubtriage: audit log {}: {problem}; skipped", path.display());
    }
    let total = entries.len();
    let shown: Vec<&Entry> = entries.iter().filter(|e| matches(args, &e.record)).collect();
    let text = match args.format {
        ListFormat::Table => table(&shown),
        ListFormat::Json => json(&shown),
        ListFormat::Csv => csv(&shown),
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        crate::inert_eprintln!("hubtriage: cannot write the list: {e}");
        return EXIT_ERROR;
    }
    crate::inert_eprintln!("hubtriage: {} of {total} record(s) in {}", shown.len(), path.display());
    if problems.is_empty() {
        EXIT_OK
    } else {
        crate::inert_eprintln!("hubtriage: {} line(s) of the audit log could not be read", problems.len());
        EXIT_PARTIAL
    }
}

#[cfg(test)]
#[path = "audit_list_tests.rs"]
mod tests;
