//! Runs custom actions on findings: which actions are offered, the read-only and offline refusals, the run itself
//! (output streamed as `Msg::ActionOutput`, the end as `Msg::ActionDone`), and the audit record of every run.

use super::automation::{self, Polling};
use super::config::ActionConfig;
use super::output::Output;
use super::prepare::{prepare, Prepared};
use super::process_group::ProcessGroups;
use super::template::{Placeholder, Template};
use super::{command, notify, workflow};
use crate::cloud::Automation;
use crate::engine::audit::{AuditEvent, AuditFinding, AuditRecord, AuditResult};
use crate::engine::remediate::Remediator;
use crate::engine::Msg;
use crate::model::Finding;
use chrono::Utc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// Runs the `[[actions]]` of a session. Shared as `Arc<ActionRunner>`.
pub struct ActionRunner {
    actions: Vec<ActionConfig>,
    /// `None` offline: only `command` actions run.
    remediator: Option<Arc<Remediator>>,
    read_only: bool,
    polling: Polling,
    /// The process groups of the command actions running now.
    groups: Arc<ProcessGroups>,
    /// Runs not yet audited.
    in_flight: AtomicUsize,
}

impl ActionRunner {
    /// A runner for these actions; read-only when the remediator is.
    pub fn new(actions: Vec<ActionConfig>, remediator: Option<Arc<Remediator>>) -> Self {
        let read_only = remediator.as_ref().is_some_and(|r| r.read_only());
        Self {
            actions,
            remediator,
            read_only,
            polling: Polling::default(),
            groups: Arc::default(),
            in_flight: AtomicUsize::new(0),
        }
    }

    /// Read-only even without a remediator (offline with `--read-only`): dangerous actions are hidden and refused.
    pub fn with_read_only(mut self, read_only: bool) -> Self {
        self.read_only |= read_only;
        self
    }

    /// How SSM Automation executions are followed (tests shorten the waits).
    pub fn with_polling(mut self, polling: Polling) -> Self {
        self.polling = polling;
        self
    }

    /// Every configured action.
    pub fn actions(&self) -> &[ActionConfig] {
        &self.actions
    }

    /// Whether dangerous actions are refused.
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// The actions offered for a finding, in config order: in scope, not dangerous when read-only, and runnable in
    /// this session (offline only `command` actions run).
    pub fn offered(&self, finding: &Finding, read_only: bool) -> Vec<&ActionConfig> {
        let online = self.remediator.is_some();
        self.actions
            .iter()
            .filter(|a| a.offered(finding, read_only || self.read_only))
            .filter(|a| online || a.kind.name() == "command")
            .collect()
    }

    /// How many runs have not ended yet.
    pub fn running(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Stops every command action still running (hubtriage is quitting): each process group gets SIGTERM, then
    /// SIGKILL after `grace`; then waits (a little longer) for those runs to be audited. Returns how many runs were
    /// going.
    pub async fn stop_all(&self, grace: Duration) -> usize {
        let running = self.running();
        if running == 0 && self.groups.is_empty() {
            return 0;
        }
        self.groups.stop_all(grace).await;
        let deadline = tokio::time::Instant::now() + grace;
        while self.running() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        running
    }

    /// Runs an action in the background: output as `Msg::ActionOutput { run, .. }`, then `Msg::ActionDone`.
    pub fn start(self: &Arc<Self>, run: u64, action: &str, findings: Vec<Arc<Finding>>, tx: UnboundedSender<Msg>) {
        let this = self.clone();
        let action = action.to_string();
        tokio::spawn(async move {
            let outcome = this.run(run, &action, &findings, Some(&tx)).await;
            let _ = tx.send(Msg::ActionDone { run, outcome });
        });
    }

    /// Runs an action on the findings it applies to, and audits the run. `Ok` with a summary when every part of it
    /// succeeded; `Err` saying what was refused or failed.
    pub async fn run(
        &self,
        run: u64,
        action: &str,
        findings: &[Arc<Finding>],
        tx: Option<&UnboundedSender<Msg>>,
    ) -> Result<String, String> {
        let Some(config) = self.actions.iter().find(|a| a.name == action) else {
            return Err(format!("no action named '{action}' in the config"));
        };
        let _in_flight = InFlight::new(&self.in_flight);
        let mut out = Output::new(run, tx);
        let in_scope: Vec<&Finding> = findings.iter().map(Arc::as_ref).filter(|f| config.scope.matches(f)).collect();
        let (result, outcome) = match self.refusal(config, findings.len(), in_scope.len()) {
            Some(why) => (AuditResult::Refused, Err(why)),
            None => {
                if in_scope.len() < findings.len() {
                    out.line(&format!(
                        "skipped {} finding(s) outside the scope of '{}'",
                        findings.len() - in_scope.len(),
                        config.name
                    ));
                }
                if let Err(e) = self.announce(config, &in_scope, tx).await {
                    let why = format!("the audit log cannot be written, so '{}' was not run: {e}", config.name);
                    out.line(&format!("✗ {why}"));
                    return Err(why);
                }
                out.line(&format!("▶ {} ({}) on {} finding(s)", config.name, config.kind.name(), in_scope.len()));
                let outcome = self.execute(config, &in_scope, &mut out).await;
                (if outcome.is_ok() { AuditResult::Ok } else { AuditResult::Failed }, outcome)
            }
        };
        match &outcome {
            Ok(summary) => out.line(&format!("✓ {summary}")),
            Err(why) => out.line(&format!("✗ {why}")),
        }
        let audited = if in_scope.is_empty() { findings.iter().map(Arc::as_ref).collect() } else { in_scope };
        match self.audit(config, &audited, result, &outcome, &out, tx).await {
            Ok(()) => outcome,
            Err(e) => {
                let e = format!("the audit log could not be written: {e}");
                out.line(&format!("✗ {e}"));
                Err(match outcome {
                    Ok(summary) => format!("{summary}; but {e}"),
                    Err(why) => format!("{why}; and {e}"),
                })
            }
        }
    }

    /// Why an action must not run at all, if it must not.
    fn refusal(&self, config: &ActionConfig, asked: usize, in_scope: usize) -> Option<String> {
        let name = &config.name;
        if self.read_only && config.dangerous {
            return Some(format!("read-only mode: '{name}' is marked dangerous and was not run"));
        }
        if config.kind.name() != "command" && self.remediator.is_none() {
            return Some(format!(
                "'{name}' ({}) needs live access to the accounts: offline, only command actions run",
                config.kind.name()
            ));
        }
        if asked == 0 {
            return Some(format!("no finding selected to run '{name}' on"));
        }
        if in_scope == 0 {
            return Some(format!("'{name}' does not apply to the selected finding(s) (outside its scope)"));
        }
        None
    }

    async fn execute(
        &self,
        config: &ActionConfig,
        findings: &[&Finding],
        out: &mut Output<'_>,
    ) -> Result<String, String> {
        let name = config.name.as_str();
        let prepared = prepare(config).map_err(|e| format!("action '{name}': {e}"))?;
        let remediator = self.remediator.as_deref();
        let operator = remediator.map(Remediator::operator).unwrap_or("hubtriage");
        let missing = |what: &str| format!("'{name}' cannot run: this session has no {what}");
        match prepared {
            Prepared::Command { argv, timeout } => {
                let one = OneRun::Command { name, argv: &argv, timeout, groups: &self.groups };
                per_finding(findings, out, &one).await
            }
            Prepared::Sns { topic_arn, format } => {
                let notifier = remediator.and_then(Remediator::notifier).ok_or_else(|| missing("SNS notifier"))?;
                notify::publish_all(notifier.as_ref(), name, &topic_arn, format, operator, findings, out).await
            }
            Prepared::Workflow { status, note } => {
                let updates =
                    remediator.and_then(Remediator::updates).ok_or_else(|| missing("Security Hub updates"))?;
                workflow::set_all(updates.as_ref(), status, &note, operator, findings, out).await
            }
            Prepared::SsmAutomation { document, parameters } => {
                let ssm = remediator.and_then(Remediator::automation).ok_or_else(|| missing("SSM Automation"))?;
                let one = OneRun::Ssm {
                    ssm: ssm.as_ref(),
                    document: &document,
                    parameters: &parameters,
                    polling: self.polling,
                };
                per_finding(findings, out, &one).await
            }
        }
    }

    /// The intent record of a run, written before it starts, when there is an audit log (a remediator): `Err` when
    /// it cannot be written, and then the action must not run.
    async fn announce(
        &self,
        config: &ActionConfig,
        findings: &[&Finding],
        tx: Option<&UnboundedSender<Msg>>,
    ) -> Result<(), String> {
        let Some(remediator) = &self.remediator else { return Ok(()) };
        let message =
            format!("action '{}' ({}) on {} finding(s): starting", config.name, config.kind.name(), findings.len());
        let record = action_record(remediator, findings, AuditEvent::ActionIntent, AuditResult::Pending, message);
        remediator.audit_record(record, tx).await
    }

    /// The audit record of a run, when there is an audit log (a remediator).
    async fn audit(
        &self,
        config: &ActionConfig,
        findings: &[&Finding],
        result: AuditResult,
        outcome: &Result<String, String>,
        out: &Output<'_>,
        tx: Option<&UnboundedSender<Msg>>,
    ) -> Result<(), String> {
        let Some(remediator) = &self.remediator else { return Ok(()) };
        let summary = match outcome {
            Ok(s) => s.clone(),
            Err(e) => e.clone(),
        };
        let message = format!("action '{}' ({}): {summary}; output: {}", config.name, config.kind.name(), out.head());
        let record = action_record(remediator, findings, AuditEvent::Action, result, message);
        remediator.audit_record(record, tx).await
    }
}

/// A record about an action run on `findings`: account, region, resource and control when all findings share
/// them, else "(several)".
fn action_record(
    remediator: &Remediator,
    findings: &[&Finding],
    event: AuditEvent,
    result: AuditResult,
    message: String,
) -> AuditRecord {
    let same = |value: &dyn Fn(&Finding) -> String| -> String {
        let first = findings.first().map(|f| value(f)).unwrap_or_default();
        if findings.iter().all(|f| value(f) == first) {
            first
        } else {
            "(several)".into()
        }
    };
    let control = same(&|f| f.control_id.as_deref().unwrap_or_default().to_string());
    AuditRecord {
        time: Utc::now(),
        event,
        result,
        job: None,
        operator: remediator.operator().to_string(),
        findings: findings.iter().map(|f| AuditFinding::of(f)).collect(),
        control_id: (!control.is_empty()).then_some(control),
        account_id: same(&|f| f.account_id.to_string()),
        region: same(&|f| f.region.to_string()),
        resource_type: same(&|f| f.primary_resource().map(|r| r.kind.to_string()).unwrap_or_default()),
        resource: same(&|f| f.primary_resource().map(|r| r.id.clone()).unwrap_or_default()),
        playbook: None,
        fingerprint: None,
        before: None,
        after: None,
        changes: Vec::new(),
        rollback: Vec::new(),
        process: None,
        message,
    }
}

/// The kinds that run once per finding.
enum OneRun<'p> {
    Command { name: &'p str, argv: &'p [Template], timeout: Duration, groups: &'p Arc<ProcessGroups> },
    Ssm { ssm: &'p dyn Automation, document: &'p str, parameters: &'p [(String, Vec<Template>)], polling: Polling },
}

impl OneRun<'_> {
    async fn run(&self, finding: &Finding, out: &mut Output<'_>) -> Result<String, String> {
        match self {
            Self::Command { name, argv, timeout, groups } => {
                command::run_one(name, argv, *timeout, groups, finding, out).await
            }
            Self::Ssm { ssm, document, parameters, polling } => {
                Box::pin(automation::run_one(*ssm, document, parameters, *polling, finding, out)).await
            }
        }
    }
}

/// Runs once for each finding in turn, with a heading per finding when there are several; `Ok` when all succeeded.
async fn per_finding(findings: &[&Finding], out: &mut Output<'_>, one: &OneRun<'_>) -> Result<String, String> {
    let mut failures = Vec::new();
    let mut last = String::new();
    for finding in findings {
        let resource = Placeholder::ResourceId.value(finding);
        if findings.len() > 1 {
            out.line(&format!("── {resource} in {}/{}", finding.account_id, finding.region));
        }
        match one.run(finding, out).await {
            Ok(summary) => last = summary,
            Err(why) => failures.push(format!("{resource}: {why}")),
        }
    }
    match (failures.is_empty(), findings.len()) {
        (true, 1) => Ok(last),
        (true, n) => Ok(format!("all {n} runs succeeded")),
        (false, n) => Err(format!("{} of {n} run(s) failed: {}", failures.len(), failures.join("; "))),
    }
}

/// Counts a run as going while it lives (dropped when it is audited, or when its future is dropped).
struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
