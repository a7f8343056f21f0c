//! `hubtriage plan`: verdict and dry-run plan of every finding, as a table or JSON; problems on stderr.

use super::args::PlanFormat;
use super::collect::{collect_with, CollectOptions, Collected};
use super::plan_json::PlanEntry;
use super::{EXIT_OK, EXIT_PARTIAL};
use crate::cloud::Backend;
use crate::model::sanitize;
use crate::query::{Context, Query};
use crate::review::plan_file::PlanHeader;
use crate::triage::Triage;
use chrono::Utc;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// `--query`: the query, and the accounts' configured names it can name them by.
pub struct PlanQuery {
    pub query: Query,
    pub account_names: BTreeMap<String, String>,
}

/// Runs the command; returns the exit status.
pub async fn run(
    backend: &Backend,
    triage: &Arc<Triage>,
    format: PlanFormat,
    options: CollectOptions,
    out_file: Option<(PathBuf, PlanHeader)>,
    query: Option<PlanQuery>,
) -> anyhow::Result<i32> {
    if out_file.is_none() && format == PlanFormat::Md {
        anyhow::bail!("--format md renders a plan file: give it --out FILE");
    }
    let collected = match &query {
        None => collect_with(backend, triage, |_| true, options).await,
        Some(q) => {
            let ctx = Context { now: Utc::now(), account_names: &q.account_names };
            // Findings no verdict would let match are neither kept nor read live.
            let mut collected = collect_with(backend, triage, |f| q.query.may_match(f, &ctx), options).await;
            let before = collected.rows.len();
            keep_matching(&mut collected, |row| q.query.matches(&row.finding, row.decision.verdict, &ctx));
            crate::inert_eprintln!("hubtriage: the query matched {} of {before} findings", collected.rows.len());
            collected
        }
    };
    if let Some((path, header)) = out_file {
        let written = super::plan_out::write(&collected, header, &path, format)?;
        let code = report(&collected);
        crate::inert_eprintln!("hubtriage: {written}");
        return Ok(code);
    }
    let order = output_order(&collected);
    let now = Utc::now();
    let stdout = std::io::stdout();
    widen_pipe(&stdout);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    match format {
        PlanFormat::Md | PlanFormat::Json => {
            let (rows, errors) = (&collected.rows, &collected.live_errors);
            let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
            super::json_pretty::write_array(&mut out, order.len(), threads, |i| {
                super::plan_warm::ahead_of(rows, &order, i);
                PlanEntry::new(&rows[order[i]], errors[order[i]].as_deref(), now)
            })?;
            writeln!(out)?;
        }
        PlanFormat::Table => write_table(&mut out, order.iter().map(|&i| &collected.rows[i]))?,
    }
    out.flush()?;
    let code = report(&collected);
    // A hundred thousand findings take tens of milliseconds to free: the process ends meanwhile.
    std::thread::spawn(move || drop(collected));
    Ok(code)
}

/// When `out` is a pipe, makes it hold a megabyte (Linux's most for any user) instead of 64 KB: the plans of a
/// hundred thousand findings are about 100 MB, and through a small pipe every 64 KB written waits for the reader to
/// wake up and take them. Anything else (a file, a terminal, a pipe that stays small) is written to as it is.
#[cfg(target_os = "linux")]
fn widen_pipe(out: impl std::os::fd::AsFd) {
    // Fails on what is not a pipe, and past the system's limit: either way the output is the same.
    let _ = rustix::pipe::fcntl_setpipe_size(out, 1 << 20);
}

#[cfg(not(target_os = "linux"))]
fn widen_pipe<T>(_out: T) {}

/// Keeps the rows (and their live errors) that `keep` accepts.
fn keep_matching(c: &mut Collected, keep: impl Fn(&crate::engine::Row) -> bool) {
    let pairs: Vec<_> = std::mem::take(&mut c.rows).into_iter().zip(std::mem::take(&mut c.live_errors)).collect();
    (c.rows, c.live_errors) = pairs.into_iter().filter(|(row, _)| keep(row)).unzip();
}

/// The order rows are printed in: most severe first, then by id (rows with equal keys as collected).
fn output_order(c: &Collected) -> Vec<usize> {
    let keys: Vec<_> = (0..c.rows.len())
        .map(|i| {
            super::plan_warm::finding_ahead(&c.rows, i);
            let finding = &c.rows[i].finding;
            (finding.severity, finding.public_id())
        })
        .collect();
    super::plan_order::by_severity_then_id(&keys)
}

fn clip(text: &str, width: usize) -> String {
    let text = sanitize::single_line(text);
    if text.chars().count() <= width {
        format!("{text:<width$}")
    } else {
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn write_table<'r>(out: &mut impl Write, rows: impl Iterator<Item = &'r crate::engine::Row>) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<13} {:<14} {:<12} {:<12} {:<11} {:<40} PLAN",
        "SEVERITY", "CONTROL", "ACCOUNT", "REGION", "VERDICT", "RESOURCE"
    )?;
    for row in rows {
        let f = &row.finding;
        let plan = match &*row.plan_unkept() {
            crate::triage::PlanStatus::Planned(p) => p.summary.clone(),
            crate::triage::PlanStatus::AlreadyCompliant(why) => format!("nothing to do: {why}"),
            crate::triage::PlanStatus::Unavailable(why) => format!("no plan: {why}"),
            crate::triage::PlanStatus::NoPlaybook => "-".into(),
        };
        writeln!(
            out,
            "{:<13} {} {:<12} {} {:<11} {} {}",
            f.severity.label(),
            clip(f.control_or_type(), 14),
            f.account_id,
            clip(&f.region, 12),
            row.decision.verdict.name(),
            clip(f.primary_resource().map(|r| r.short_id()).unwrap_or("-"), 40),
            sanitize::single_line(&plan)
        )?;
    }
    Ok(())
}

/// Prints problems and the per-source summary on stderr; the exit status says whether everything was read.
fn report(c: &Collected) -> i32 {
    let mut partial = false;
    for problem in &c.problems {
        crate::inert_eprintln!("hubtriage: cannot read {}", sanitize::single_line(problem));
        partial = true;
    }
    for s in &c.sources {
        match &s.error {
            None => crate::inert_eprintln!(
                "hubtriage: source {}: {} findings in {} pages (first page after {} ms, all after {} ms){}",
                s.source,
                s.findings,
                s.pages,
                s.first_page_after.unwrap_or_default().as_millis(),
                s.done_after.as_millis(),
                s.api.map(|api| format!(" through {}", api.operation())).unwrap_or_default()
            ),
            Some(e) => {
                partial = true;
                crate::inert_eprintln!(
                    "hubtriage: source {} failed after {} findings: {}",
                    s.source,
                    s.findings,
                    sanitize::single_line(e)
                );
            }
        }
    }
    if let Some(live) = &c.live {
        crate::inert_eprintln!(
            "hubtriage: live reads: {} findings from {} resources (all after {} ms)",
            live.findings,
            live.resources,
            live.done_after.as_millis()
        );
    }
    crate::inert_eprintln!(
        "hubtriage: {} findings{}",
        c.rows.len(),
        if partial { " (partial: see the problems above)" } else { "" }
    );
    if partial {
        EXIT_PARTIAL
    } else {
        EXIT_OK
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
