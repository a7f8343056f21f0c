//! The TUI command (no subcommand): the app built from the config at once, the terminal taken, and the session
//! connected behind the first frame — the caller identity, the audit copy's check and the store can take as long
//! as AWS takes while the screen says so and `q` quits.

use crate::cli::args::GlobalArgs;
use crate::config::Config;
use crate::session;
use crate::triage::Triage;
use crate::ui::run::Connected;
use crate::ui::{App, Theme};
use std::sync::Arc;

/// Runs the TUI until the user quits.
pub async fn run(args: GlobalArgs, config: Config, triage: Arc<Triage>) -> anyhow::Result<()> {
    let theme_name = config.theme.clone().unwrap_or_else(|| "dark".into());
    let config_dir = Config::default_path().and_then(|p| p.parent().map(|d| d.to_path_buf()));
    let theme = Theme::load(&theme_name, config_dir.as_deref()).map_err(anyhow::Error::msg)?;
    let mut app = App::new(theme, String::new(), false);
    app.connecting = Some(connecting_to(&args));
    app.auto_fix = config.auto_fix;
    app.account_names = config.accounts.iter().filter_map(|(id, a)| Some((id.clone(), a.name.clone()?))).collect();
    app.account_classes = config.accounts.iter().map(|(id, a)| (id.clone(), a.class.clone())).collect();
    app.read_only = config.read_only;
    app.exceptions = config.exceptions.clone();
    app.actions = config.actions.clone();
    app.trusted_products = triage.policy.trusted_products.clone();
    let connect = connect(args, config, triage.clone());
    crate::ui::run::run(app, triage, connect).await
}

/// What the status line names while connecting.
fn connecting_to(args: &GlobalArgs) -> String {
    if args.demo {
        return "the simulated organisation".into();
    }
    if let Some(path) = &args.findings {
        return path.display().to_string();
    }
    match &args.endpoint_url {
        Some(endpoint) => format!("AWS at {endpoint}"),
        None => "AWS".into(),
    }
}

/// The session behind the first frame: backend (caller identity), remediator with its audit copy, incident mode,
/// and the store.
async fn connect(args: GlobalArgs, config: Config, triage: Arc<Triage>) -> anyhow::Result<Connected> {
    let backend = session::connect_backend(&args, &config).await?;
    tracing::info!(backend = %backend.label, "starting");
    let copy = session::audit_copy(&args, &config).await;
    let remediator = session::remediator(&config, &backend, &triage, copy)?;
    if let Some(r) = &remediator {
        r.set_process_kind("tui");
        if let Some(reason) = &args.outside_window {
            r.allow_outside_window(reason.clone());
        }
    }
    if args.incident {
        match &remediator {
            Some(r) => r.set_incident(true, None).await,
            None => triage.policy.incident.set(true),
        }
    }
    let (store, notices) = crate::session_store::open_store(&args, &config, &backend);
    if let (Some(r), Some(store)) = (&remediator, &store) {
        r.keep_in(store.clone());
    }
    for notice in &notices {
        tracing::warn!("{notice}");
    }
    let events = match &args.events_queue {
        Some(url) if args.demo || args.findings.is_some() => {
            anyhow::bail!("--events-queue {url}: needs live AWS (not --demo or --findings)")
        }
        Some(url) => Some(session::event_queue(&args, &config, url).await),
        None => None,
    };
    let approvals = approvals(&args, &config, &backend, remediator.as_ref(), &triage, store.clone()).await;
    let retention_days = config.store.retention_days;
    Ok(Connected { backend, remediator, store, notices, retention_days, events, approvals })
}

/// The approval desk, its requests read once before any finding is assessed, so that findings handed back by an
/// expired request are `manual` (with the note) from the first frame on.
async fn approvals(
    args: &GlobalArgs,
    config: &Config,
    backend: &crate::cloud::Backend,
    remediator: Option<&Arc<crate::engine::remediate::Remediator>>,
    triage: &Arc<Triage>,
    store: Option<Arc<crate::store::Store>>,
) -> Result<Arc<crate::engine::approvals::ApprovalDesk>, String> {
    let Some(remediator) = remediator else {
        return Err("they need live access to the accounts (not --findings)".into());
    };
    let desk = crate::session_approvals::session_desk(args, config, backend, remediator, triage, store).await?;
    if let Err(e) = desk.peek(chrono::Utc::now()).await {
        tracing::warn!("approval requests cannot be read: {e}");
    }
    Ok(Arc::new(desk))
}
