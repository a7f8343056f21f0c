//! `ssm-automation` actions: start an SSM Automation document with templated parameters in the finding's own
//! account and region, then follow the execution with growing waits until it ends (or a time bound passes),
//! showing every status change.

use super::output::Output;
use super::template::Template;
use crate::cloud::Automation;
use crate::model::Finding;
use std::collections::BTreeMap;
use std::time::Duration;

/// How an execution is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Polling {
    /// Wait before the first status read; it doubles after every read.
    pub first_delay: Duration,
    /// Longest wait between two reads.
    pub max_delay: Duration,
    /// How long an execution is followed before the action stops watching it (it keeps running in SSM).
    pub total: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Self {
            first_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(30),
            total: Duration::from_secs(30 * 60),
        }
    }
}

/// Statuses that mean the document did what it was asked.
fn succeeded(status: &str) -> bool {
    matches!(status, "Success" | "CompletedWithSuccess")
}

/// The parameters for a finding: every value rendered as one string.
pub fn parameters_for(parameters: &[(String, Vec<Template>)], finding: &Finding) -> BTreeMap<String, Vec<String>> {
    parameters.iter().map(|(name, values)| (name.clone(), values.iter().map(|t| t.render(finding)).collect())).collect()
}

/// Starts the document for one finding and follows it to its end.
pub async fn run_one(
    automation: &dyn Automation,
    document: &str,
    parameters: &[(String, Vec<Template>)],
    polling: Polling,
    finding: &Finding,
    out: &mut Output<'_>,
) -> Result<String, String> {
    let (account, region) = (&*finding.account_id, &*finding.region);
    let params = parameters_for(parameters, finding);
    let execution = automation.start_automation(account, region, document, &params).await.map_err(|e| e.to_string())?;
    out.line(&format!("started {document} in {account}/{region}: execution {execution}"));
    let started = tokio::time::Instant::now();
    let mut delay = polling.first_delay;
    let mut last: Option<String> = None;
    let mut errors = 0u32;
    loop {
        let left = polling.total.saturating_sub(started.elapsed());
        if left.is_zero() {
            let status = last.unwrap_or_else(|| "unknown".into());
            return Err(format!(
                "execution {execution} of {document} in {account}/{region} is still {status} after {}s; hubtriage \
                 stopped following it (see the Systems Manager console)",
                polling.total.as_secs()
            ));
        }
        tokio::time::sleep(delay.min(left)).await;
        delay = (delay * 2).min(polling.max_delay);
        let status = match automation.automation_status(account, region, &execution).await {
            Ok(s) => s,
            Err(e) if e.is_retryable() && errors < 5 => {
                errors += 1;
                out.line(&format!("execution {execution}: cannot read its status ({e}); trying again"));
                continue;
            }
            Err(e) => return Err(format!("execution {execution} of {document} in {account}/{region}: {e}")),
        };
        if last.as_deref() != Some(status.status.as_str()) {
            let detail = status.detail.as_deref().map(|d| format!(" — {d}")).unwrap_or_default();
            out.line(&format!("execution {execution}: {}{detail}", status.status));
            last = Some(status.status.clone());
        }
        if status.done {
            let detail = status.detail.map(|d| format!(": {d}")).unwrap_or_default();
            let summary =
                format!("execution {execution} of {document} in {account}/{region} ended {}{detail}", status.status);
            return if succeeded(&status.status) { Ok(summary) } else { Err(summary) };
        }
    }
}
