//! Reads a finding's resource in its own account and region and recomputes verdict and plan from live state.

use super::Msg;
use crate::cloud::Resources;
use crate::model::Finding;
use crate::triage::{Assessment, Triage};
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// Assesses from live state; the error says what could not be read.
pub async fn assess_live(resources: &dyn Resources, triage: &Triage, finding: &Finding) -> Result<Assessment, String> {
    let resource = finding.primary_resource().ok_or("the finding names no resource")?;
    let state = resources
        .read_state(&finding.account_id, &finding.region, resource)
        .await
        .map_err(|e| format!("reading {} in {}/{}: {e}", resource.short_id(), finding.account_id, finding.region))?;
    Ok(triage.assess(finding, Some(&state), Utc::now()))
}

/// Starts a live plan request; the answer arrives as `Msg::LivePlan` tagged with `req`.
pub fn request(
    req: u64,
    resources: Arc<dyn Resources>,
    triage: Arc<Triage>,
    finding: Arc<Finding>,
    tx: UnboundedSender<Msg>,
) {
    tokio::spawn(async move {
        let result = assess_live(resources.as_ref(), &triage, &finding).await;
        let _ = tx.send(Msg::LivePlan { req, key: finding.key(), result: Box::new(result) });
    });
}
