//! `hubtriage exceptions list|add|remove`: exceptions managed by hand without the TUI, through the same remediator
//! jobs (read, audit, tag, re-read, notify). Bad input exits 1 with the reason before anything is read or changed;
//! every text that comes from tags is sanitized before it is printed.

use super::args::{ExceptionsCommand, Format, ResourceArgs};
use super::{EXIT_ERROR, EXIT_OK, EXIT_PARTIAL};
use crate::cloud::Backend;
use crate::engine::exceptions::{
    resource_type_of, validate, ExceptionEntry, ExceptionInput, ExceptionOp, ExceptionStatus,
};
use crate::engine::jobs::JobState;
use crate::engine::remediate::Remediator;
use crate::engine::Msg;
use crate::model::sanitize::single_line;
use crate::model::ResourceRef;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::io::Write;
use std::sync::Arc;

/// Runs an `exceptions` command; returns the exit status.
pub async fn run(
    backend: &Backend,
    remediator: Option<Arc<Remediator>>,
    command: ExceptionsCommand,
) -> anyhow::Result<i32> {
    let Some(remediator) = remediator else {
        crate::inert_eprintln!(
            "hubtriage: exceptions are read from and written to the resources: they need live access to the \
                   accounts (not --findings)"
        );
        return Ok(EXIT_ERROR);
    };
    match command {
        ExceptionsCommand::List { format, expiring } => list(backend, &remediator, format, expiring).await,
        ExceptionsCommand::Add { target, reason, expires, owner, controls } => {
            let resource = match resource_of(&target) {
                Ok(resource) => resource,
                Err(why) => return Ok(refused(&why)),
            };
            let input = ExceptionInput {
                account_id: target.account.clone(),
                region: target.region.clone(),
                resource,
                reason,
                expires,
                owner: owner.unwrap_or_default(),
                controls: controls.unwrap_or_default(),
            };
            let checked = validate(&input, &remediator.settings().exceptions, remediator.operator(), Utc::now());
            if let Err(why) = checked {
                return Ok(refused(&why));
            }
            change(&remediator, ExceptionOp::Add(input)).await
        }
        ExceptionsCommand::Remove { target } => {
            let resource = match resource_of(&target) {
                Ok(resource) => resource,
                Err(why) => return Ok(refused(&why)),
            };
            let op = ExceptionOp::Remove { account_id: target.account, region: target.region, resource };
            change(&remediator, op).await
        }
    }
}

/// Prints why nothing was done; the exit status for it.
fn refused(why: &str) -> i32 {
    let why = single_line(why);
    if why.contains("nothing was changed") || why.contains("no change was made") {
        crate::inert_eprintln!("hubtriage: {why}");
    } else {
        crate::inert_eprintln!("hubtriage: {why}; nothing was changed");
    }
    EXIT_ERROR
}

/// The resource named on the command line, with its type from `--type` or told from the id or ARN.
fn resource_of(target: &ResourceArgs) -> Result<ResourceRef, String> {
    let id = target.resource.trim();
    if id.is_empty() {
        return Err("--resource: give the resource id or ARN".into());
    }
    if target.account.len() != 12 || !target.account.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("--account {:?}: an AWS account id is 12 digits", single_line(&target.account)));
    }
    if target.region.trim().is_empty() {
        return Err("--region: give the region the resource is in".into());
    }
    let kind = match (target.resource_type.as_deref().map(str::trim), resource_type_of(id)) {
        (Some(given), Some(told)) if given != told => {
            return Err(format!("--type {}: {} is a {told}", single_line(given), single_line(id)))
        }
        (Some(given), _) => given.to_string(),
        (None, Some(told)) => told.to_string(),
        (None, None) => {
            return Err(format!(
                "--resource {}: the resource type cannot be told from it; give --type (AwsS3Bucket, \
                 AwsEc2SecurityGroup, AwsEc2Instance, …) or an ARN",
                single_line(id)
            ))
        }
    };
    Ok(ResourceRef {
        kind: kind.into(),
        id: id.to_string(),
        region: Some(target.region.trim().into()),
        tags: Default::default(),
        details: None,
    })
}

/// Runs one exception job, printing its progress on stderr and what it did on stdout.
async fn change(remediator: &Arc<Remediator>, op: ExceptionOp) -> anyhow::Result<i32> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let state = remediator.run_exception(remediator.next_job_id(), op, Some(tx)).await;
    let mut outcome = None;
    while let Ok(msg) = rx.try_recv() {
        match msg {
            Msg::Job(job) if !job.state.is_final() => {
                crate::inert_eprintln!(
                    "job {} {} {}/{}: {}",
                    job.audit_job,
                    job.resource,
                    job.account_id,
                    job.region,
                    job.state.word()
                )
            }
            Msg::Audit(record) if record.event == crate::engine::audit::AuditEvent::ExceptionOutcome => {
                outcome = Some(record.message)
            }
            Msg::NotificationFailed(failure) => crate::inert_eprintln!("hubtriage: {failure}"),
            _ => {}
        }
    }
    match &state {
        JobState::Verified => {
            let text = outcome.unwrap_or_else(|| "exception changed".into());
            println!("{}; verified by re-reading the tags", single_line(&text));
            Ok(EXIT_OK)
        }
        JobState::NoOp(message) => {
            println!("{}", single_line(message));
            Ok(EXIT_OK)
        }
        JobState::Refused(why) => Ok(refused(why)),
        other => {
            crate::inert_eprintln!("hubtriage: {}: {}", other.word(), single_line(other.detail().unwrap_or_default()));
            Ok(EXIT_ERROR)
        }
    }
}

/// `exceptions list`: every source of the backend, problems on stderr (exit 2).
async fn list(
    backend: &Backend,
    remediator: &Remediator,
    format: Format,
    expiring: Option<u32>,
) -> anyhow::Result<i32> {
    let now = Utc::now();
    let (mut entries, problems) = remediator.list_exceptions(&backend.findings.sources(), now).await;
    if let Some(days) = expiring {
        entries.retain(|e| e.ends_within(days, now));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            let rows: Vec<JsonEntry> = entries.iter().map(JsonEntry::from).collect();
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
        Format::Table => write_table(&mut out, &entries)?,
    }
    out.flush()?;
    for problem in &problems {
        crate::inert_eprintln!("hubtriage: {}", single_line(problem));
    }
    Ok(if problems.is_empty() { EXIT_OK } else { EXIT_PARTIAL })
}

/// One exception in `exceptions list --format json`.
#[derive(Debug, Serialize)]
struct JsonEntry {
    /// The short name: bucket name, `sg-…`, `i-…`.
    resource: String,
    /// The ARN.
    resource_id: String,
    resource_type: String,
    account_id: String,
    region: String,
    reason: String,
    owner: Option<String>,
    expires: Option<DateTime<Utc>>,
    days_left: Option<i64>,
    /// `valid`, `expiring-soon`, `expired` or `invalid`.
    status: &'static str,
    /// Why the tags cannot be honoured, for `invalid` and `not-honoured`.
    problem: Option<String>,
    /// Why the exception breaks the limits (`exceptions.max_days`, an owner), whether or not they are enforced.
    flag: Option<String>,
    /// The controls the exception is limited to; `null`: every control of the resource.
    controls: Option<Vec<String>>,
}

impl From<&ExceptionEntry> for JsonEntry {
    fn from(e: &ExceptionEntry) -> Self {
        Self {
            resource: single_line(&e.short_id()),
            resource_id: single_line(&e.resource_id),
            resource_type: single_line(&e.resource_type),
            account_id: single_line(&e.account_id),
            region: single_line(&e.region),
            reason: single_line(&e.reason),
            owner: e.owner.as_deref().map(single_line),
            expires: e.expires,
            days_left: e.days_left,
            status: e.status.word(),
            problem: match &e.status {
                ExceptionStatus::Invalid(why) | ExceptionStatus::NotHonoured(why) => Some(single_line(why)),
                _ => None,
            },
            flag: e.flag.as_deref().map(single_line),
            controls: e.controls.as_ref().map(|c| c.iter().map(|c| single_line(c)).collect()),
        }
    }
}

/// Text cut to `width` characters (with an ellipsis) and padded.
fn clip(text: &str, width: usize) -> String {
    let text = single_line(text);
    if text.chars().count() <= width {
        format!("{text:<width$}")
    } else {
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn write_table(out: &mut impl Write, entries: &[ExceptionEntry]) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<48} {:<12} {:<12} {:<40} {:<28} {:<16} {:<10} {:>9}  STATUS",
        "RESOURCE", "ACCOUNT", "REGION", "REASON", "OWNER", "CONTROLS", "EXPIRES", "DAYS LEFT"
    )?;
    for e in entries {
        let expires = e.expires.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "-".into());
        let days = e.days_left.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
        writeln!(
            out,
            "{} {} {} {} {} {} {:<10} {:>9}  {}",
            clip(&e.short_id(), 48),
            clip(&e.account_id, 12),
            clip(&e.region, 12),
            clip(&e.reason, 40),
            clip(e.owner.as_deref().unwrap_or("-"), 28),
            clip(&e.controls_text(), 16),
            expires,
            days,
            single_line(&e.status_text())
        )?;
    }
    Ok(())
}
