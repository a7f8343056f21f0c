//! `plan --out FILE`: the plan file (JSON, or Markdown with `--format md`), written whole or not at all.

use super::args::{GlobalArgs, PlanFormat};
use super::collect::Collected;
use crate::cloud::Backend;
use crate::config::Config;
use crate::model::arn::Arn;
use crate::review::plan_file::{PlanHeader, PlannedFinding};
use crate::review::{plan_markdown, PlanDocument, PlanScope};
use crate::triage::Triage;
use std::io::Write;
use std::path::Path;

/// The organisation and endpoint this run reads.
pub fn scope_of(args: &GlobalArgs, backend: &Backend) -> PlanScope {
    let source = if args.demo {
        "demo"
    } else if args.findings.is_some() {
        "findings-file"
    } else {
        "aws"
    };
    let account = match source {
        "aws" => Arn::parse(&backend.operator).map(|a| a.account.to_string()).unwrap_or_default(),
        other => other.to_string(),
    };
    let endpoint = args.endpoint_url.clone().unwrap_or_else(|| "aws".into());
    PlanScope { source: source.into(), account, endpoint }
}

/// The header of a plan made now by this run.
pub fn header_of(args: &GlobalArgs, config: &Config, backend: &Backend, triage: &Triage) -> PlanHeader {
    PlanHeader {
        created_at: chrono::Utc::now(),
        created_by: backend.operator.clone(),
        scope: scope_of(args, backend),
        policy_digest: crate::review::policy_digest::policy_digest(config),
        incident_mode: triage.policy.incident.is_on(),
    }
}

/// Writes the plan file of `collected` to `path`; returns what to tell the user.
pub fn write(collected: &Collected, header: PlanHeader, path: &Path, format: PlanFormat) -> anyhow::Result<String> {
    let findings: Vec<PlannedFinding> = collected
        .rows
        .iter()
        .zip(&collected.live_errors)
        .map(|(row, error)| PlannedFinding::of(row, error.as_deref()))
        .collect();
    let document = PlanDocument::new(header, findings);
    let text = match format {
        PlanFormat::Md => plan_markdown::render(&document),
        PlanFormat::Json | PlanFormat::Table => document.to_json(),
    };
    write_whole(path, text.as_bytes())?;
    let applicable = document.applicable().count();
    let kind = if format == PlanFormat::Md { "plan (Markdown)" } else { "plan file" };
    Ok(format!(
        "wrote the {kind} {}: {} findings, {applicable} with a plan policy allows to apply; checksum {}",
        path.display(),
        document.findings.len(),
        document.checksum
    ))
}

/// Writes `bytes` to a temporary file next to `path`, then renames it over `path`: a reader never sees half a plan.
fn write_whole(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| anyhow::anyhow!("cannot write the plan file in {}: {e}", dir.display()))?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| anyhow::anyhow!("cannot write the plan file {}: {}", path.display(), e.error))?;
    Ok(())
}
