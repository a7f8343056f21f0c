//! `hubtriage report [--since 30d] [--format md|json|html]`: the organisation's figures for people who do not live
//! in a terminal. The findings are read as `plan --no-live` reads them (no resource is read); the audit log gives
//! fixes and their times; Security Hub's own trend (sources on the new Security Hub) or else the store (when this run
//! has one) gives open findings over time; the store gives findings that came back. Problems reading a source are
//! named on stderr and the exit status is 2, as for `plan`.

use super::args::{GlobalArgs, ReportFormat};
use super::collect::{collect_with, CollectOptions};
use super::{EXIT_OK, EXIT_PARTIAL};
use crate::cloud::Backend;
use crate::config::Config;
use crate::engine::audit::AuditLog;
use crate::engine::trend::read_trend;
use crate::report::{figures, html, markdown, Inputs};
use crate::triage::Triage;
use chrono::Utc;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

/// Runs the command; returns the exit status.
pub async fn run(
    args: &GlobalArgs,
    config: &Config,
    backend: &Backend,
    triage: &Arc<Triage>,
    since: &str,
    format: ReportFormat,
    source_timeout: std::time::Duration,
) -> anyhow::Result<i32> {
    let window = crate::config_review::parse_duration(since).map_err(|e| anyhow::anyhow!("--since: {e}"))?;
    let now = Utc::now();
    let since = now - chrono::Duration::from_std(window).map_err(|e| anyhow::anyhow!("--since: {e}"))?;
    let collected = collect_with(backend, triage, |_| true, CollectOptions { source_timeout, live: false }).await;
    let mut partial = false;
    for problem in &collected.problems {
        crate::inert_eprintln!("hubtriage: cannot read {problem}");
        partial = true;
    }
    for source in collected.sources.iter().filter(|s| s.error.is_some()) {
        crate::inert_eprintln!("hubtriage: source {}: {}", source.source, source.error.as_deref().unwrap_or_default());
        partial = true;
    }
    let audit_path = crate::session::audit_log_path(config);
    let read = AuditLog::read(&audit_path).unwrap_or_default();
    for problem in &read.problems {
        crate::inert_eprintln!("hubtriage: audit log {}: {problem}", audit_path.display());
    }
    let (store, _) = crate::session_store::open_store(args, config, backend);
    let lifetimes = store.as_ref().and_then(|s| s.lifetimes().ok());
    let reopened = store.as_ref().and_then(|s| s.reopened_since(since).ok());
    let trend = read_trend(backend.findings.as_ref(), since, now).await;
    for problem in &trend.problems {
        crate::inert_eprintln!("hubtriage: Security Hub trend of {problem}");
        partial = true;
    }
    let names: BTreeMap<String, String> =
        config.accounts.iter().filter_map(|(id, a)| a.name.clone().map(|n| (id.clone(), n))).collect();
    let rows: Vec<&crate::engine::Row> = collected.rows.iter().collect();
    let figures = figures(&Inputs {
        rows: &rows,
        records: &read.records,
        lifetimes: lifetimes.as_deref(),
        trend: trend.points.as_deref(),
        reopened,
        account_names: &names,
        since,
        now,
    });
    let text = match format {
        ReportFormat::Md => markdown::render(&figures),
        ReportFormat::Html => html::render(&figures),
        ReportFormat::Json => {
            let mut text = serde_json::to_string_pretty(&figures)?;
            text.push('\n');
            text
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(if partial { EXIT_PARTIAL } else { EXIT_OK })
}
