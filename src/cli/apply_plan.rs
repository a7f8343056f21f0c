//! `hubtriage apply --plan FILE [--yes]`: applies exactly the plans of a reviewed plan file. The file is refused whole
//! when it cannot be read, was edited (checksum), is from a newer schema, was made against another organisation or
//! endpoint, under another policy, or longer ago than `review.max_plan_age`. Then each plan is checked against the
//! live finding and state: one whose verdict, fingerprint or calls differ is refused with the difference shown,
//! while the others go ahead — and each job re-reads its resource under its lease and checks once more.

use super::apply_run::{run_jobs, EXIT_INTERRUPTED};
use super::args::GlobalArgs;
use super::collect::collect_within;
use super::{EXIT_ERROR, EXIT_OK, EXIT_PARTIAL};
use crate::cloud::Backend;
use crate::config::Config;
use crate::engine::remediate::Remediator;
use crate::engine::Row;
use crate::model::sanitize::single_line;
use crate::review::plan_check::{check_document, check_plan, ApplyContext, PlanCheck};
use crate::review::PlanDocument;
use crate::triage::Triage;
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// This run as plan files are checked against it.
pub fn context_of(args: &GlobalArgs, config: &Config, backend: &Backend) -> ApplyContext {
    ApplyContext {
        scope: super::plan_out::scope_of(args, backend),
        policy_digest: crate::review::policy_digest::policy_digest(config),
        now: chrono::Utc::now(),
        max_age: config.review.max_plan_age(),
    }
}

/// Runs the command; returns the exit status (1 when the file is refused whole, 2 when some plan was refused or
/// did not verify).
pub async fn run(
    backend: &Backend,
    triage: &Arc<Triage>,
    remediator: Option<Arc<Remediator>>,
    path: &Path,
    context: &ApplyContext,
    yes: bool,
    source_timeout: std::time::Duration,
) -> anyhow::Result<i32> {
    let document = match PlanDocument::read(path) {
        Ok(document) => document,
        Err(e) => {
            crate::inert_eprintln!("hubtriage: {e}; nothing was applied");
            return Ok(EXIT_ERROR);
        }
    };
    if let Err(why) = check_document(&document, context) {
        crate::inert_eprintln!("hubtriage: plan file {} refused whole: {why}; nothing was applied", path.display());
        return Ok(EXIT_ERROR);
    }
    let entries: Vec<_> = document.applicable().collect();
    crate::inert_eprintln!(
        "hubtriage: plan file {} made {} by {} (checksum {}): {} of its {} findings have a plan to apply",
        path.display(),
        document.created_at.to_rfc3339(),
        single_line(&document.created_by),
        document.checksum,
        entries.len(),
        document.findings.len()
    );
    let wanted: BTreeSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    let collected = collect_within(backend, triage, |f| wanted.contains(f.public_id()), source_timeout).await;
    let mut complete = true;
    for source in collected.sources.iter().filter(|s| s.error.is_some()) {
        crate::inert_eprintln!("hubtriage: source {}: {}", source.source, source.error.as_deref().unwrap_or_default());
        complete = false;
    }
    let live: HashMap<(&str, &str), (&Row, Option<&str>)> = collected
        .rows
        .iter()
        .zip(&collected.live_errors)
        .map(|(row, error)| ((row.finding.public_id(), &*row.finding.product_arn), (row, error.as_deref())))
        .collect();
    let mut out = Vec::new();
    let mut approved = Vec::new();
    for entry in entries {
        let Some(planned) = &entry.plan else { continue };
        let found = live.get(&(entry.id.as_str(), entry.product_arn.as_str())).copied();
        let check =
            check_plan(entry, planned, found.map(|(row, _)| row), found.and_then(|(_, e)| e), &triage.playbooks);
        match check {
            PlanCheck::Apply(plan) => {
                writeln!(
                    out,
                    "apply    {}: {} [fingerprint {}]",
                    label(entry),
                    single_line(&plan.summary),
                    plan.fingerprint
                )?;
                if let Some((row, _)) = found {
                    approved.push((row.finding.clone(), plan));
                }
            }
            PlanCheck::NothingToDo(why) => {
                writeln!(out, "no-op    {}: already in the desired state: {why}", label(entry))?
            }
            PlanCheck::Refuse(why) => {
                complete = false;
                writeln!(out, "refused  {}: {why}", label(entry))?;
            }
        }
    }
    {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&out)?;
        stdout.flush()?;
    }
    if !yes {
        crate::inert_eprintln!(
            "hubtriage: dry run, nothing was changed; run again with --yes to apply the {} plan(s) marked apply",
            approved.len()
        );
        return Ok(if complete { EXIT_OK } else { EXIT_PARTIAL });
    }
    if approved.is_empty() {
        crate::inert_eprintln!("hubtriage: no plan of the file can be applied now");
        return Ok(if complete { EXIT_OK } else { EXIT_PARTIAL });
    }
    let Some(remediator) = remediator else {
        crate::inert_eprintln!("hubtriage: fixes need live access to the accounts (not --findings)");
        return Ok(EXIT_ERROR);
    };
    let origin = format!("from plan file {} {}, made by {}", path.display(), document.checksum, document.created_by);
    let outcome = run_jobs(&remediator, approved, Some(single_line(&origin))).await;
    if outcome.interrupted {
        return Ok(EXIT_INTERRUPTED);
    }
    Ok(if complete && outcome.all_verified() { EXIT_OK } else { EXIT_PARTIAL })
}

fn label(entry: &crate::review::PlannedFinding) -> String {
    single_line(&format!("{} ({})", entry.label(), entry.id))
}
