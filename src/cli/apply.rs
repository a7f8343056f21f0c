//! `hubtriage apply --finding ID… [--yes]`: the TUI's apply flow without the TUI. Without `--yes` it prints the live
//! plans and stops; with it, it applies them, verifies, updates the findings, notifies, and exits non-zero unless
//! every fix was verified.

use super::collect::collect_within;
use super::{EXIT_ERROR, EXIT_OK, EXIT_PARTIAL};
use crate::cloud::Backend;
use crate::engine::remediate::Remediator;
use crate::engine::Row;
use crate::model::sanitize::single_line;
use crate::policy::Verdict;
use crate::triage::{PlanStatus, Triage};
use std::collections::BTreeSet;
use std::io::Write;
use std::sync::Arc;

/// Runs the command; returns the exit status.
pub async fn run(
    backend: &Backend,
    triage: &Arc<Triage>,
    remediator: Option<Arc<Remediator>>,
    ids: &[String],
    yes: bool,
    source_timeout: std::time::Duration,
) -> anyhow::Result<i32> {
    let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    let collected =
        collect_within(backend, triage, |f| wanted.contains(&*f.id) || wanted.contains(f.public_id()), source_timeout)
            .await;
    let found: BTreeSet<&str> = collected.rows.iter().flat_map(|r| [&*r.finding.id, r.finding.public_id()]).collect();
    let mut complete = true;
    for missing in wanted.difference(&found) {
        crate::inert_eprintln!("hubtriage: finding {} not found among the open findings", single_line(missing));
        complete = false;
    }
    for source in collected.sources.iter().filter(|s| s.error.is_some()) {
        crate::inert_eprintln!("hubtriage: source {}: {}", source.source, source.error.as_deref().unwrap_or_default());
    }
    let mut out = Vec::new();
    let mut approved = Vec::new();
    for (row, live_error) in collected.rows.iter().zip(&collected.live_errors) {
        match applicable(row, live_error.as_deref()) {
            Ok(plan) => {
                print_plan(&mut out, row, plan)?;
                approved.push((row.finding.clone(), plan.clone()));
            }
            Err(why) => {
                writeln!(out, "{}  {}\n  skipped: {}\n", label(row), row.decision.verdict, why)?;
                complete = false;
            }
        }
    }
    {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&out)?;
        stdout.flush()?;
    }
    if !yes {
        crate::inert_eprintln!("hubtriage: dry run, nothing was changed; run again with --yes to apply these plans");
        return Ok(if complete { EXIT_OK } else { EXIT_PARTIAL });
    }
    let Some(remediator) = remediator else {
        crate::inert_eprintln!("hubtriage: fixes need live access to the accounts (not --findings)");
        return Ok(EXIT_ERROR);
    };
    let outcome = super::apply_run::run_jobs(&remediator, approved, None).await;
    if outcome.interrupted {
        return Ok(super::apply_run::EXIT_INTERRUPTED);
    }
    Ok(if complete && outcome.all_verified() { EXIT_OK } else { EXIT_PARTIAL })
}

/// The live plan to apply, or why the finding is skipped.
fn applicable<'a>(row: &'a Row, live_error: Option<&str>) -> Result<&'a crate::playbook::Plan, String> {
    if let Some(e) = live_error {
        return Err(e.to_string());
    }
    let decision = &row.decision;
    if !matches!(decision.verdict, Verdict::AutoFix | Verdict::NeedsApproval) {
        return Err(format!("verdict {}: {}", decision.verdict, single_line(&decision.reason)));
    }
    match row.plan() {
        PlanStatus::Planned(plan) if plan.basis == crate::playbook::Basis::Live => Ok(plan),
        PlanStatus::Planned(_) => Err("the plan was not computed from live state".into()),
        PlanStatus::AlreadyCompliant(why) => Err(format!("nothing to do: {}", single_line(why))),
        PlanStatus::Unavailable(why) => Err(format!("no plan: {}", single_line(why))),
        PlanStatus::NoPlaybook => Err("no playbook handles this finding".into()),
    }
}

fn label(row: &Row) -> String {
    let f = &row.finding;
    let resource = f.primary_resource().map(|r| r.id.as_str()).unwrap_or("-");
    format!(
        "{} {} {} in {}/{}",
        single_line(f.public_id()),
        single_line(f.control_or_type()),
        single_line(resource),
        f.account_id,
        f.region
    )
}

fn print_plan(out: &mut impl Write, row: &Row, plan: &crate::playbook::Plan) -> std::io::Result<()> {
    writeln!(out, "{}  {}", label(row), row.decision.verdict)?;
    writeln!(out, "  why:         {}", single_line(&row.decision.reason))?;
    writeln!(
        out,
        "  plan:        {} [{}] fingerprint {}",
        single_line(&plan.summary),
        plan.playbook,
        plan.fingerprint
    )?;
    for step in &plan.steps {
        writeln!(out, "  step:        {}", single_line(&step.action))?;
        writeln!(out, "    before:    {}", single_line(&step.before))?;
        writeln!(out, "    after:     {}", single_line(&step.after))?;
    }
    for line in &plan.cli {
        writeln!(out, "  cli:         {}", single_line(line))?;
    }
    for line in &plan.rollback_cli {
        writeln!(out, "  rollback:    {}", single_line(line))?;
    }
    for warning in &plan.warnings {
        writeln!(out, "  warning:     {}", single_line(warning))?;
    }
    writeln!(out)
}
