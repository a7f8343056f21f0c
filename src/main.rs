//! Thin entry point: parse the command line, build config and backend, run the TUI or a headless command.
//! Every message goes through the sanitizer (`inert_eprintln!`): it may echo a path, an argument or a config value.

// Messages reach stderr through `cli::stderr` (the sanitizer), never through `eprintln!` directly.
#![deny(clippy::print_stderr)]

use clap::Parser;
use hubtriage::cli::args::{AuditCommand, Cli, Command};
use hubtriage::cli::{
    apply, apply_plan, approvals, audit, audit_list, collect, exceptions, iam_policy, manual, plan, plan_out, report,
    rollback, setup, stderr, store, EXIT_ERROR, EXIT_USAGE,
};
use hubtriage::inert_eprintln;
use hubtriage::{session, session_approvals};

/// jemalloc instead of glibc's allocator. glibc grows the heap of each thread but the first one page (4 KB) per
/// `mprotect` call, and each call waits on the lock the other threads' page faults hold: reading a 484 MB export
/// made 15,000 such calls. jemalloc takes memory from the system in large extents, per thread, without that lock.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// The command line, or the exit after clap's message (usage error: 64, help, version: 0) was shown, sanitized: it can
/// quote an argument, and an argument can hold an escape sequence.
fn parse_command_line() -> Cli {
    match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Rendered without colour: the sanitizer would strip clap's own styling anyway.
            let text = e.render().to_string();
            let text = text.trim_end();
            if e.use_stderr() {
                stderr::line(text);
            } else {
                stderr::stdout_line(text);
            }
            // A usage error has a status of its own: 2 means a partial result (see `cli::EXIT_USAGE`).
            std::process::exit(if e.use_stderr() { EXIT_USAGE } else { e.exit_code() });
        }
    }
}

fn main() {
    let cli = parse_command_line();
    let code = match hubtriage::runtime() {
        Ok(rt) => match rt.block_on(async move { tokio::spawn(run(cli)).await }) {
            Ok(Ok(code)) => code,
            Ok(Err(e)) => {
                inert_eprintln!("hubtriage: {e:#}");
                EXIT_ERROR
            }
            Err(e) => {
                inert_eprintln!("hubtriage: internal error: {e}");
                EXIT_ERROR
            }
        },
        Err(e) => {
            inert_eprintln!("hubtriage: cannot start the runtime: {e}");
            EXIT_ERROR
        }
    };
    session::remove_demo_files();
    std::process::exit(code);
}

async fn run(cli: Cli) -> anyhow::Result<i32> {
    // Made from the command-line definitions alone: no config, log or credentials needed.
    match cli.command {
        Some(Command::Completions { shell }) => {
            let mut out = std::io::stdout().lock();
            manual::completions(shell, &mut out);
            return Ok(0);
        }
        Some(Command::Man) => {
            manual::man(&mut std::io::stdout().lock())?;
            return Ok(0);
        }
        _ => {}
    }
    let log_path = session::init_logging()?;
    let config = session::load_config(&cli.global)?;
    let triage = session::triage(&config)?;
    if let Some(Command::IamPolicy { principal }) = cli.command {
        let doc = iam_policy::policy_for(&config, &triage.playbooks, principal);
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    if let Some(Command::Playbooks { format }) = cli.command {
        let stdout = std::io::stdout();
        hubtriage::cli::playbooks::write(&mut stdout.lock(), &triage.playbooks, format)?;
        return Ok(0);
    }
    if let Some(Command::Audit { command: AuditCommand::Verify }) = cli.command {
        let copy = config.audit.s3_bucket.as_ref().map(|b| format!("s3://{b}/{}", config.audit.prefix()));
        return Ok(audit::verify(&session::audit_log_path(&config), copy.as_deref()));
    }
    if let Some(Command::Audit { command: AuditCommand::List(args) }) = &cli.command {
        return Ok(audit_list::run(&session::audit_log_path(&config), args));
    }
    if let Some(Command::Setup(args)) = &cli.command {
        return setup::run(&cli.global, &config, &triage, args).await;
    }
    let Some(command) = cli.command else {
        hubtriage::cli::tui::run(cli.global, config, triage).await?;
        inert_eprintln!("hubtriage: log written to {}", log_path.display());
        return Ok(0);
    };
    let json = match command {
        Command::Plan { .. } | Command::Report { .. } => session::FindingJson::NotNeeded,
        _ => session::FindingJson::Kept,
    };
    let backend = session::connect_backend_for(&cli.global, &config, json).await?;
    tracing::info!(backend = %backend.label, "starting");
    // `plan` changes nothing: it neither needs the remote copy of the audit log nor waits for its check.
    let copy = match command {
        Command::Plan { .. } | Command::Report { .. } => None,
        _ => session::audit_copy(&cli.global, &config).await,
    };
    let remediator = session::remediator(&config, &backend, &triage, copy)?;
    if let Some(r) = &remediator {
        match command {
            Command::Apply { .. } => r.set_process_kind("apply"),
            Command::Rollback { .. } => r.set_process_kind("rollback"),
            Command::Exceptions { .. } => r.set_process_kind("exceptions"),
            Command::Watch { .. } => r.set_process_kind("watch"),
            Command::Approvals { .. } => r.set_process_kind("approvals"),
            _ => {}
        }
    }
    if let (Some(reason), Some(r)) = (&cli.global.outside_window, &remediator) {
        r.allow_outside_window(reason.clone());
    }
    if cli.global.incident {
        if let Some(r) = &remediator {
            r.set_incident(true, None).await;
        } else {
            triage.policy.incident.set(true);
        }
    }
    let source_timeout =
        cli.global.source_timeout.map(std::time::Duration::from_secs).unwrap_or(collect::DEFAULT_SOURCE_TIMEOUT);
    if let (Command::Plan { .. } | Command::Apply { .. } | Command::Report { .. }, Some(r)) = (&command, &remediator) {
        // Findings whose approval request expired are `manual` in plans too.
        match session_approvals::approval_desk(&cli.global, &config, &backend, r, &triage).await {
            Ok(desk) => {
                if let Err(e) = desk.peek(chrono::Utc::now()).await {
                    inert_eprintln!("hubtriage: approval requests cannot be read: {e}");
                }
            }
            Err(e) => tracing::info!("no approval requests: {e}"),
        }
    }
    match command {
        Command::Plan { format, no_live, out, query } => {
            let options = collect::CollectOptions { source_timeout, live: !no_live };
            let out = out.map(|path| (path, plan_out::header_of(&cli.global, &config, &backend, &triage)));
            let account_names = || config.accounts.iter().filter_map(|(id, a)| Some((id.clone(), a.name.clone()?)));
            let query = query.map(|query| plan::PlanQuery { query, account_names: account_names().collect() });
            plan::run(&backend, &triage, format, options, out, query).await
        }
        Command::Apply { plan: Some(path), yes, .. } => {
            let context = apply_plan::context_of(&cli.global, &config, &backend);
            apply_plan::run(&backend, &triage, remediator, &path, &context, yes, source_timeout).await
        }
        Command::Apply { ids, yes, .. } => apply::run(&backend, &triage, remediator, &ids, yes, source_timeout).await,
        Command::Rollback { target, yes } => rollback::run(remediator, &target, yes).await,
        Command::Exceptions { command } => exceptions::run(&backend, remediator, command).await,
        Command::IamPolicy { .. } | Command::Playbooks { .. } | Command::Audit { .. } | Command::Setup(_) => Ok(0),
        Command::Completions { .. } | Command::Man => Ok(0),
        Command::Store { command } => store::run(&cli.global, &config, &backend, command),
        Command::Report { since, format } => {
            report::run(&cli.global, &config, &backend, &triage, &since, format, source_timeout).await
        }
        Command::Approvals { command } => {
            let Some(remediator) = &remediator else {
                anyhow::bail!("approval requests need live access to the accounts (not --findings)");
            };
            let desk = session_approvals::approval_desk(&cli.global, &config, &backend, remediator, &triage)
                .await
                .map_err(anyhow::Error::msg)?;
            approvals::run(&backend, &triage, &desk, command, source_timeout).await
        }
        Command::Watch { queue_url, once } => {
            let watch = hubtriage::cli::watch::WatchArgs { queue_url, once };
            hubtriage::cli::watch::run(&cli.global, &config, &backend, remediator, watch).await
        }
    }
}
