//! `hubtriage approvals request | list | show | approve | reject`: approval requests from the command line. A
//! refusal (not `approve`, pending already, expired, decided already, the requester approving a two-person
//! request, someone deciding first) says why and exits 2; nothing is recorded for it.

use super::args::{ApprovalsCommand, Format};
use super::collect::{collect_with, CollectOptions};
use super::{EXIT_OK, EXIT_PARTIAL};
use crate::cloud::Backend;
use crate::engine::approvals::ApprovalDesk;
use crate::model::sanitize::single_line;
use crate::review::{ApprovalRequest, ApprovalStatus};
use crate::triage::Triage;
use chrono::Utc;
use std::io::Write;
use std::sync::Arc;

/// Runs an `approvals` command; returns the exit status.
pub async fn run(
    backend: &Backend,
    triage: &Arc<Triage>,
    desk: &ApprovalDesk,
    command: ApprovalsCommand,
    source_timeout: std::time::Duration,
) -> anyhow::Result<i32> {
    let now = Utc::now();
    let outcome = match command {
        ApprovalsCommand::Request { id, note } => {
            let Some(finding) = find(backend, triage, &id, source_timeout).await else {
                return refused(&format!("finding {} is not among the open findings", single_line(&id)));
            };
            desk.request(finding, note, now).await.map(|r| {
                let who = if r.two_person { "another identity than yours" } else { "anyone allowed" };
                println!("{}  pending until {}; {who} may approve it:", r.id, r.expires_at.to_rfc3339());
                println!("  hubtriage approvals approve {}", r.id);
                EXIT_OK
            })
        }
        ApprovalsCommand::List { all, format } => desk.list(now).await.and_then(|requests| {
            let shown: Vec<&ApprovalRequest> =
                requests.iter().filter(|r| all || r.status == ApprovalStatus::Pending).collect();
            print_list(&shown, format).map_err(|e| e.to_string())?;
            Ok(EXIT_OK)
        }),
        ApprovalsCommand::Show { id, format } => desk.get(&id, now).await.and_then(|request| {
            print_one(&request, format).map_err(|e| e.to_string())?;
            Ok(EXIT_OK)
        }),
        ApprovalsCommand::Reject { id, reason } => desk.reject(&id, &reason, now).await.map(|r| {
            println!("{}  rejected", r.id);
            EXIT_OK
        }),
        ApprovalsCommand::Approve { id, leave_to_watch } => match desk.approve(&id, now).await {
            Ok(approved) => {
                println!("{}  approved by {}", approved.id, single_line(approved.decided_by.as_deref().unwrap_or("")));
                if leave_to_watch {
                    println!("  left to watch: a `hubtriage watch` sharing {} carries it out", desk.describe());
                    return Ok(EXIT_OK);
                }
                Ok(carry_out(desk, &approved).await)
            }
            Err(why) => Err(why),
        },
    };
    match outcome {
        Ok(code) => Ok(code),
        Err(why) => refused(&why),
    }
}

fn refused(why: &str) -> anyhow::Result<i32> {
    crate::inert_eprintln!("hubtriage: refused: {}", single_line(why));
    Ok(EXIT_PARTIAL)
}

/// The open finding with this id, read without its resource.
async fn find(
    backend: &Backend,
    triage: &Arc<Triage>,
    id: &str,
    source_timeout: std::time::Duration,
) -> Option<Arc<crate::model::Finding>> {
    let wanted = |f: &crate::model::Finding| f.public_id() == id || &*f.id == id;
    let options = CollectOptions { source_timeout, live: false };
    let collected = collect_with(backend, triage, wanted, options).await;
    collected.rows.into_iter().next().map(|row| row.finding)
}

/// Applies the approved request now; exit 0 when verified.
async fn carry_out(desk: &ApprovalDesk, request: &ApprovalRequest) -> i32 {
    let state = desk.carry_out(request).await;
    let detail = state.detail().map(|d| format!(": {}", single_line(d))).unwrap_or_default();
    println!("  carried out: {}{detail}", state.word());
    if state.is_success() {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    }
}

fn print_list(requests: &[&ApprovalRequest], format: Format) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut out, requests)?;
        writeln!(out)?;
        return out.flush();
    }
    writeln!(
        out,
        "{:<16} {:<9} {:<9} {:<40} {:<26} {:<24} REQUESTED BY",
        "ID", "STATUS", "CONTROL", "RESOURCE", "ACCOUNT/REGION", "EXPIRES"
    )?;
    for r in requests {
        let f = &r.finding;
        writeln!(
            out,
            "{:<16} {:<9} {:<9} {:<40} {:<26} {:<24} {}",
            r.id,
            r.status.name(),
            single_line(f.control_id.as_deref().unwrap_or("-")),
            single_line(f.resource_id.as_deref().unwrap_or("-")),
            format!("{}/{}", f.account_id, single_line(&f.region)),
            r.expires_at.format("%Y-%m-%d %H:%M UTC"),
            single_line(&r.requested_by)
        )?;
    }
    out.flush()
}

fn print_one(r: &ApprovalRequest, format: Format) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut out, r)?;
        writeln!(out)?;
        return out.flush();
    }
    let f = &r.finding;
    let line = |text: &str| single_line(text);
    writeln!(out, "request:     {} ({})", r.id, r.status)?;
    writeln!(out, "finding:     {} {}", line(&f.id), line(&f.title))?;
    writeln!(
        out,
        "resource:    {} in {}/{} ({} account)",
        line(f.resource_id.as_deref().unwrap_or("-")),
        f.account_id,
        line(&f.region),
        line(&r.account_class)
    )?;
    writeln!(out, "verdict:     {} — {}", f.verdict, line(&f.reason))?;
    writeln!(out, "requested:   {} by {}", r.requested_at.to_rfc3339(), line(&r.requested_by))?;
    if let Some(note) = &r.note {
        writeln!(out, "note:        {}", line(note))?;
    }
    writeln!(
        out,
        "expires:     {}{}",
        r.expires_at.to_rfc3339(),
        if r.two_person { " (two people: the approver must be another identity)" } else { "" }
    )?;
    if let (Some(by), Some(at)) = (&r.decided_by, r.decided_at) {
        writeln!(
            out,
            "decided:     {} by {}{}",
            at.to_rfc3339(),
            line(by),
            r.decision_note.as_deref().map(|n| format!(": {}", line(n))).unwrap_or_default()
        )?;
    }
    if let Some(outcome) = &r.outcome {
        writeln!(out, "carried out: by {}: {}", line(r.carried_out_by.as_deref().unwrap_or("?")), line(outcome))?;
    }
    if let Some(plan) = &f.plan {
        writeln!(
            out,
            "plan:        {} [{}] fingerprint {}",
            line(&plan.summary),
            line(&plan.playbook),
            line(&plan.fingerprint)
        )?;
        for step in &plan.steps {
            writeln!(out, "  step:      {}: {} → {}", line(&step.action), line(&step.before), line(&step.after))?;
        }
        for cli in &plan.cli {
            writeln!(out, "  cli:       {}", line(cli))?;
        }
        for cli in &plan.rollback_cli {
            writeln!(out, "  rollback:  {}", line(cli))?;
        }
        for warning in &plan.warnings {
            writeln!(out, "  warning:   {}", line(warning))?;
        }
    }
    out.flush()
}
