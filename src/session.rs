//! Builds what a run needs from the command line and config: config, triage, backend, theme, logging.

use crate::cli::args::GlobalArgs;
use crate::cloud::audit_copy::{AuditCopy, CopyRetention};
use crate::cloud::file::FileSource;
use crate::cloud::sim::SimOrg;
use crate::cloud::Backend;
use crate::config::Config;
use crate::playbook::Playbooks;
use crate::triage::Triage;
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The example config, which describes the simulated organisation's accounts and a realistic policy.
const DEMO_CONFIG: &str = include_str!("../config.example.toml");

/// The topic the demo publishes to (recorded by the simulated organisation).
const DEMO_TOPIC: &str = "arn:aws:sns:us-east-1:210987654321:hubtriage-demo";

/// Seed of the simulated organisation `--demo` shows.
pub const DEMO_SEED: u64 = 7;

/// Config for this run: `--config`, else the user's file; `--demo` without either uses the example config.
pub fn load_config(args: &GlobalArgs) -> anyhow::Result<Config> {
    let user_file = Config::default_path().filter(|p| p.exists());
    let mut config = match (&args.config, args.demo, user_file) {
        (Some(path), _, _) => Config::load_file(path)?,
        (None, true, _) => Config::parse(DEMO_CONFIG, Path::new("config.example.toml (embedded)"))?,
        (None, false, Some(path)) => Config::load_file(&path)?,
        (None, false, None) => Config::default(),
    };
    if args.read_only {
        config.read_only = true;
    }
    if args.auto_fix {
        config.auto_fix = true;
    }
    if config.read_only {
        config.auto_fix = false;
    }
    if args.demo && config.notify.topic_arn.is_none() && config.notify.topics.is_empty() {
        // The simulated organisation records what is published; the demo shows notifications without setup.
        config.notify.topic_arn = Some(DEMO_TOPIC.into());
    }
    if let Some(table) = &args.lock_table {
        config.coordination.table = Some(table.clone());
        config.coordination.validate().map_err(|e| anyhow::anyhow!("--lock-table: {e}"))?;
    }
    if let Some(api) = args.api {
        config.aws.api = api;
    }
    if let Some(theme) = &args.theme {
        config.theme = Some(theme.clone());
    }
    if let Some(path) = &args.audit_log {
        config.audit_log = Some(path.clone());
    } else if args.demo {
        // The simulated organisation's fixes are not the user's: they never reach the real audit log.
        config.audit_log = Some(demo_audit_log()?);
    }
    Ok(config)
}

/// Policy and playbooks from config.
pub fn triage(config: &Config) -> anyhow::Result<Arc<Triage>> {
    let policy = config.policy().map_err(anyhow::Error::msg)?;
    Ok(Arc::new(Triage { policy, playbooks: Playbooks::new(&config.playbooks) }))
}

/// Whether the command shows or sends the findings' own JSON (the detail view, custom actions, notifications,
/// approval requests); `plan` and `report` do not, and read offline files without keeping it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingJson {
    Kept,
    NotNeeded,
}

/// The backend the arguments ask for.
pub fn backend(args: &GlobalArgs) -> anyhow::Result<Backend> {
    backend_for(args, FindingJson::Kept)
}

/// [`backend`], keeping the findings' JSON or not.
fn backend_for(args: &GlobalArgs, json: FindingJson) -> anyhow::Result<Backend> {
    if args.demo {
        let org = Arc::new(SimOrg::new(DEMO_SEED, chrono::Utc::now()));
        return Ok(Backend {
            label: "demo organisation (simulated)".into(),
            findings: org.clone(),
            resources: Some(org.clone()),
            updates: Some(org.clone()),
            notifier: Some(org.clone()),
            automation: Some(org),
            operator: "demo-operator (simulated)".into(),
            refresh_every: crate::cloud::refresh_interval(crate::config::AwsConfig::default().refresh_seconds),
            // The simulated organisation lives in this process: so do its leases.
            coordination: Some(crate::cloud::coordination::Coordination::in_process()),
        });
    }
    if let Some(path) = &args.findings {
        if !path.exists() {
            bail!("--findings {}: no such file or directory", path.display());
        }
        let source = FileSource::open(path).keeping_json(json == FindingJson::Kept);
        let label = format!("offline: {} ({} files)", path.display(), source.files());
        return Ok(Backend {
            label,
            findings: Arc::new(source),
            resources: None,
            updates: None,
            notifier: None,
            automation: None,
            operator: offline_operator(),
            refresh_every: None,
            coordination: None,
        });
    }
    bail!("no --demo or --findings: live AWS sources are connected by `connect_backend`")
}

/// The operator offline: the local user.
fn offline_operator() -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into());
    format!("local user {}", crate::model::sanitize::single_line(&user))
}

/// The backend the arguments ask for, live AWS included (`--demo` and `--findings` as [`backend`]).
pub async fn connect_backend(args: &GlobalArgs, config: &Config) -> anyhow::Result<Backend> {
    connect_backend_for(args, config, FindingJson::Kept).await
}

/// [`connect_backend`] for a command that keeps the findings' JSON or not.
pub async fn connect_backend_for(args: &GlobalArgs, config: &Config, json: FindingJson) -> anyhow::Result<Backend> {
    if args.demo || args.findings.is_some() {
        let mut backend = backend_for(args, json)?;
        if args.demo {
            backend.refresh_every = crate::cloud::refresh_interval(config.aws.refresh_seconds);
        }
        return Ok(backend);
    }
    let settings = aws_settings(args, config);
    let (backend, identity) =
        Box::pin(crate::cloud::aws::connect(&settings)).await.map_err(|e| anyhow::anyhow!("connecting to AWS: {e}"))?;
    tracing::info!(%identity, "AWS caller identity");
    let mut backend = backend;
    backend.coordination = Some(crate::session_leases::coordination(&settings, config).await);
    Ok(backend)
}

/// `[aws]` with the command-line options laid over it.
pub fn aws_settings(args: &GlobalArgs, config: &Config) -> crate::cloud::aws::AwsSettings {
    crate::cloud::aws::AwsSettings::from_config(&config.aws)
        .with_overrides(
            args.profile.as_deref(),
            &args.accounts,
            &args.regions,
            args.role_name.as_deref(),
            args.endpoint_url.as_deref(),
        )
        .with_api(args.api)
}

/// The queue of finding events `watch` consumes, reached with the base credentials (and `--endpoint-url`).
pub async fn event_queue(args: &GlobalArgs, config: &Config, url: &str) -> Arc<dyn crate::cloud::events::EventQueue> {
    let base = crate::cloud::aws::load_base(&aws_settings(args, config)).await;
    Arc::new(crate::cloud::aws::SqsEventQueue::new(&base, url))
}

/// The remote copy of the audit log (`[audit] s3_bucket`), with live AWS only: the demo and offline sessions have
/// none. Checks at start that the bucket has Object Lock and warns on stderr and in the log when it has not.
pub async fn audit_copy(args: &GlobalArgs, config: &Config) -> Option<Arc<dyn AuditCopy>> {
    let bucket = config.audit.s3_bucket.as_deref()?;
    if args.demo || args.findings.is_some() {
        tracing::info!(
            bucket,
            "[audit] s3_bucket is not used by the demo or offline sessions (they change nothing real)"
        );
        return None;
    }
    let copy: Arc<dyn AuditCopy> =
        Arc::new(crate::cloud::aws::S3AuditCopy::connect(&aws_settings(args, config), &config.audit).await?);
    match retention_warning(copy.as_ref()).await {
        Some(warning) => {
            crate::inert_eprintln!("hubtriage: {warning}");
            tracing::warn!("{warning}");
        }
        None => tracing::info!(location = %copy.location(), "audit records are copied to a bucket with Object Lock"),
    }
    Some(copy)
}

/// What a user must hear about the remote copy's retention: no Object Lock, no default retention, or a bucket that
/// cannot be read; `None` when Object Lock keeps records with a default retention.
pub async fn retention_warning(copy: &dyn AuditCopy) -> Option<String> {
    let location = copy.location();
    match copy.retention().await {
        Ok(CopyRetention::Locked { default_retention: Some(_) }) => None,
        Ok(CopyRetention::Locked { default_retention: None }) => Some(format!(
            "audit copy {location}: Object Lock is on but the bucket sets no default retention, so copied records \
             can still be deleted: give the bucket a default retention (COMPLIANCE mode)"
        )),
        Ok(CopyRetention::Unlocked) => Some(format!(
            "audit copy {location}: the bucket has no Object Lock, so copied records can be overwritten or deleted: \
             use a bucket created with Object Lock and a default COMPLIANCE retention"
        )),
        Err(e) => Some(format!(
            "audit copy {location}: cannot check Object Lock ({e}); while records cannot be written there, every \
             change is refused"
        )),
    }
}

/// The directory of this demo run's audit log, made on first use and removed by [`remove_demo_files`] when the run
/// ends.
static DEMO_DIR: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);

/// A fresh audit log for one demo run, in a new directory of its own: `<temp dir>/hubtriage-demo-XXXXXX/audit.jsonl`.
/// The name is random, so a run never reads the records of an earlier one.
fn demo_audit_log() -> anyhow::Result<PathBuf> {
    let mut held = DEMO_DIR.lock().unwrap_or_else(|p| p.into_inner());
    let dir = match held.as_ref() {
        Some(dir) => dir.clone(),
        None => {
            let made = tempfile::Builder::new()
                .prefix("hubtriage-demo-")
                .tempdir()
                .context("cannot create the demo's temporary audit log")?
                .keep();
            held.insert(made).clone()
        }
    };
    Ok(dir.join("audit.jsonl"))
}

/// Removes what the demo wrote to the temporary directory (its audit log). Called when the process ends: it exits
/// with `std::process::exit`, which runs no destructor.
pub fn remove_demo_files() {
    if let Some(dir) = DEMO_DIR.lock().unwrap_or_else(|p| p.into_inner()).take() {
        if let Err(e) = std::fs::remove_dir_all(&dir) {
            tracing::warn!(path = %dir.display(), "cannot remove the demo's temporary audit log: {e}");
        }
    }
}

/// The audit log path: `--audit-log` / `audit_log`, else `<data dir>/audit.jsonl`.
pub fn audit_log_path(config: &Config) -> PathBuf {
    config.audit_log.clone().unwrap_or_else(|| data_dir().join("audit.jsonl"))
}

/// The remediation engine for a backend that can read live state (`None` offline). Reads the audit log, reporting
/// unreadable lines (a torn last line after a crash) on stderr and in the log; records are also copied to `copy`.
pub fn remediator(
    config: &Config,
    backend: &Backend,
    triage: &Arc<Triage>,
    copy: Option<Arc<dyn AuditCopy>>,
) -> anyhow::Result<Option<Arc<crate::engine::remediate::Remediator>>> {
    use crate::engine::audit::AuditLog;
    use crate::engine::remediate::{Remediator, RemediatorSettings};
    if backend.resources.is_none() {
        return Ok(None);
    }
    let path = audit_log_path(config);
    let read = AuditLog::read(&path)?;
    for problem in &read.problems {
        crate::inert_eprintln!("hubtriage: audit log {}: {problem}", path.display());
        tracing::warn!(path = %path.display(), "{problem}");
    }
    let mut audit = AuditLog::open(&path)?;
    if let Some(copy) = copy {
        audit = audit.with_copy(copy);
    }
    let settings = RemediatorSettings {
        read_only: config.read_only,
        exceptions: config.exceptions.clone(),
        notify: config.notify.clone(),
        remediation: config.remediation.clone(),
    };
    let remediator =
        Remediator::new(backend, triage.clone(), audit, read.records, settings).map_err(anyhow::Error::msg)?;
    Ok(Some(remediator))
}

/// Crates whose debug logs carry credentials or endpoints.
const SDK_LOG_TARGETS: [&str; 12] = [
    "aws_config",
    "aws_credential_types",
    "aws_runtime",
    "aws_sigv4",
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_smithy_http_client",
    "aws_sdk_sts",
    "aws_sdk_sso",
    "hyper",
    "hyper_util",
    "rustls",
];

/// Data directory for logs and the audit log.
pub fn data_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "hubtriage")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Sends logs to `HUBTRIAGE_LOG` or `<data dir>/hubtriage.log`, never to the terminal. The file is created 0600 (a
/// wider existing one is narrowed), its directory 0700 when hubtriage creates it.
pub fn init_logging() -> anyhow::Result<PathBuf> {
    let path = std::env::var_os("HUBTRIAGE_LOG").map(PathBuf::from).unwrap_or_else(|| data_dir().join("hubtriage.log"));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::private_file::create_dir_all(dir)
            .with_context(|| format!("creating log directory {}", dir.display()))?;
    }
    let opened =
        crate::private_file::open_append(&path).with_context(|| format!("opening log file {}", path.display()))?;
    let file = opened.file;
    let mut filter = tracing_subscriber::EnvFilter::try_from_env("HUBTRIAGE_LOG_LEVEL")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // The SDK and HTTP crates log credentials' key ids, endpoints and headers at debug and trace: never below info.
    for quiet in SDK_LOG_TARGETS {
        if let Ok(directive) = format!("{quiet}=info").parse() {
            filter = filter.add_directive(directive);
        }
    }
    tracing_subscriber::fmt().with_writer(std::sync::Mutex::new(file)).with_ansi(false).with_env_filter(filter).init();
    if let Some(mode) = opened.narrowed_from {
        tracing::warn!(path = %path.display(), "the log file was mode {mode:o}: narrowed to 600");
    }
    if let Some(why) = &opened.narrow_failed {
        tracing::warn!(path = %path.display(), "the log file may be readable by others: {why}");
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("panic: {info}");
        previous(info);
    }));
    Ok(path)
}
