//! `hubtriage rollback --job ID | --resource ARN [--yes]`: the TUI's rollback (`u`) without the TUI. The fix comes
//! from the audit log (the job named, or the latest verified fix of the resource); without `--yes` it prints what
//! would be restored — the recorded change, the rollback calls and their AWS CLI equivalents, and what a re-read of
//! the resource says now — and stops; with it, the rollback job runs with the TUI's checks, lease, audit and
//! notifications, and the exit status says whether it was verified.

use super::apply_run::{stop_signal, EXIT_INTERRUPTED};
use super::args::RollbackArgs;
use super::{EXIT_ERROR, EXIT_OK, EXIT_PARTIAL};
use crate::engine::jobs::JobState;
use crate::engine::remediate::{Remediator, RollbackCheck};
use crate::engine::rollback_target::{by_job, by_resource, RollbackTarget};
use crate::model::sanitize::single_line;
use crate::ui::components::rollback::state_lines;
use std::io::Write;
use std::sync::Arc;

/// Runs the command; returns the exit status.
pub async fn run(remediator: Option<Arc<Remediator>>, args: &RollbackArgs, yes: bool) -> anyhow::Result<i32> {
    let Some(remediator) = remediator else {
        crate::inert_eprintln!(
            "hubtriage: a rollback needs live access to the accounts (not --findings): the resource is re-read \
             before anything is restored"
        );
        return Ok(EXIT_ERROR);
    };
    let records = remediator.audit_records();
    let chosen = match (&args.job, &args.resource) {
        (Some(job), _) => by_job(&records, job),
        (None, Some(resource)) => by_resource(&records, resource).inspect(|t| {
            crate::inert_eprintln!("hubtriage: the latest verified fix of {resource} is job {}", t.job);
        }),
        (None, None) => Err("name the fix to roll back: --job ID or --resource ARN".into()),
    };
    let target = match chosen {
        Ok(target) => target,
        Err(why) => {
            crate::inert_eprintln!("hubtriage: {why}");
            return Ok(EXIT_PARTIAL);
        }
    };
    let check = remediator.rollback_check(&target.job).await;
    let mut out = Vec::new();
    describe(&mut out, &target, &check, remediator.read_only())?;
    {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&out)?;
        stdout.flush()?;
    }
    if !yes {
        crate::inert_eprintln!("hubtriage: dry run, nothing was changed; run again with --yes to roll back");
        return Ok(if matches!(check, RollbackCheck::Refused(_)) { EXIT_PARTIAL } else { EXIT_OK });
    }
    for state in remediator.recheck_unfinished(None).await {
        crate::inert_eprintln!("hubtriage: an interrupted change from an earlier run was re-checked: {}", state.word());
    }
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let progress = super::progress::follow(rx);
    let id = remediator.next_job_id();
    let job = remediator.run_rollback(id, &target.job, Some(tx));
    tokio::pin!(job);
    let mut interrupted = false;
    let state = tokio::select! {
        state = &mut job => state,
        () = stop_signal() => {
            interrupted = true;
            remediator.cancel();
            crate::inert_eprintln!("hubtriage: stopping: a running rollback finishes its calls and verification");
            job.await
        }
    };
    let _ = progress.await;
    if interrupted {
        return Ok(EXIT_INTERRUPTED);
    }
    Ok(match state {
        JobState::RolledBack => {
            crate::inert_eprintln!("hubtriage: job {} rolled back and verified", target.job);
            EXIT_OK
        }
        JobState::NoOp(_) => EXIT_OK,
        _ => EXIT_PARTIAL,
    })
}

/// The fix, what the rollback restores and how, and what the resource shows now.
fn describe(out: &mut impl Write, t: &RollbackTarget, check: &RollbackCheck, read_only: bool) -> std::io::Result<()> {
    let i = &t.intent;
    let control = i.control_id.as_deref().unwrap_or("-");
    writeln!(
        out,
        "job {}  {} {} in {}/{}",
        single_line(&t.job),
        single_line(control),
        single_line(&i.resource),
        single_line(&i.account_id),
        single_line(&i.region)
    )?;
    let verified = t.verified_at.map(|at| format!("verified {}", at.format("%Y-%m-%dT%H:%M:%SZ")));
    writeln!(
        out,
        "  fixed by:    playbook {} (plan {}), {}",
        single_line(i.playbook.as_deref().unwrap_or("-")),
        single_line(i.fingerprint.as_deref().unwrap_or("-")),
        verified.as_deref().unwrap_or("never verified")
    )?;
    for f in &i.findings {
        writeln!(out, "  finding:     {}", single_line(&f.id))?;
    }
    for change in &i.changes {
        writeln!(out, "  the fix:     {}", single_line(&change.describe()))?;
    }
    match &i.before {
        Some(state) => {
            for (n, line) in state_lines(state).iter().enumerate() {
                let label = if n == 0 { "restores:" } else { "" };
                writeln!(out, "  {label:<13}{}", single_line(line))?;
            }
        }
        None => writeln!(out, "  restores:    nothing: the job recorded no before-state")?,
    }
    if i.rollback.is_empty() {
        writeln!(out, "  rollback:    none recorded: nothing can be rolled back")?;
    }
    for change in &i.rollback {
        writeln!(out, "  rollback:    {}", single_line(&change.describe()))?;
        for line in change.cli(&i.account_id, &i.region) {
            writeln!(out, "  cli:         {}", single_line(&line))?;
        }
    }
    let now = match check {
        RollbackCheck::Ready => {
            format!("{} shows the state the fix left: the rollback restores the state above", single_line(&i.resource))
        }
        RollbackCheck::AlreadyRestored(why) => format!("nothing to do: {}", single_line(why)),
        RollbackCheck::Refused(why) => format!("would be refused: {}", single_line(why)),
    };
    writeln!(out, "  now:         {now}")?;
    if read_only {
        writeln!(out, "  read-only:   read-only mode: nothing will be rolled back")?;
    }
    writeln!(out)
}
