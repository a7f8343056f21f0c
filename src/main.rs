//! Thin entry point: parse the command line, build config and backend, run the TUI or a headless command.

use clap::Parser;
use hubtriage::cli::args::{Cli, Command};
use hubtriage::cli::{apply, collect, exceptions, iam_policy, plan, EXIT_ERROR};
use hubtriage::session;
use hubtriage::ui::{App, Theme};

fn main() {
    let cli = Cli::parse();
    // SDK futures are large; worker threads get room (debug builds overflow the default main-thread stack).
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().thread_stack_size(8 * 1024 * 1024).build();
    let code = match runtime {
        Ok(rt) => match rt.block_on(async move { tokio::spawn(run(cli)).await }) {
            Ok(Ok(code)) => code,
            Ok(Err(e)) => {
                eprintln!("hubtriage: {e:#}");
                EXIT_ERROR
            }
            Err(e) => {
                eprintln!("hubtriage: internal error: {e}");
                EXIT_ERROR
            }
        },
        Err(e) => {
            eprintln!("hubtriage: cannot start the runtime: {e}");
            EXIT_ERROR
        }
    };
    std::process::exit(code);
}

async fn run(cli: Cli) -> anyhow::Result<i32> {
    let log_path = session::init_logging()?;
    let config = session::load_config(&cli.global)?;
    let triage = session::triage(&config)?;
    if let Some(Command::IamPolicy) = cli.command {
        let doc = iam_policy::policy(&config, &triage.playbooks);
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    let backend = session::connect_backend(&cli.global, &config).await?;
    tracing::info!(backend = %backend.label, "starting");
    let remediator = session::remediator(&config, &backend, &triage)?;
    if cli.global.incident {
        if let Some(r) = &remediator {
            r.set_incident(true, None);
        } else {
            triage.policy.incident.set(true);
        }
    }
    let source_timeout =
        cli.global.source_timeout.map(std::time::Duration::from_secs).unwrap_or(collect::DEFAULT_SOURCE_TIMEOUT);
    match cli.command {
        Some(Command::Plan { format, no_live }) => {
            let options = collect::CollectOptions { source_timeout, live: !no_live };
            plan::run(&backend, &triage, format, options).await
        }
        Some(Command::Apply { ids, yes }) => apply::run(&backend, &triage, remediator, &ids, yes, source_timeout).await,
        Some(Command::Exceptions { command }) => exceptions::run(&backend, remediator, command).await,
        Some(Command::IamPolicy) => Ok(0),
        None => {
            let theme_name = config.theme.clone().unwrap_or_else(|| "dark".into());
            let config_dir =
                hubtriage::config::Config::default_path().and_then(|p| p.parent().map(|d| d.to_path_buf()));
            let theme = Theme::load(&theme_name, config_dir.as_deref()).map_err(anyhow::Error::msg)?;
            let mut app = App::new(theme, backend.label.clone(), backend.resources.is_some());
            app.auto_fix = config.auto_fix;
            app.account_names =
                config.accounts.iter().filter_map(|(id, a)| Some((id.clone(), a.name.clone()?))).collect();
            app.account_classes = config.accounts.iter().map(|(id, a)| (id.clone(), a.class.clone())).collect();
            app.read_only = config.read_only;
            app.exceptions = config.exceptions.clone();
            app.actions = config.actions.clone();
            app.trusted_products = triage.policy.trusted_products.clone();
            app.incident = triage.policy.incident.is_on();
            if let Some(r) = &remediator {
                app.audit = r.audit_records();
            }
            hubtriage::ui::run::run(app, backend, triage, remediator).await?;
            eprintln!("hubtriage: log written to {}", log_path.display());
            Ok(0)
        }
    }
}
