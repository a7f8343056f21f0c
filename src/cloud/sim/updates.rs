//! BatchUpdateFindings and SNS Publish against the simulated organisation, and the record of every mutating call
//! that tests read back (read-only proof, idempotency).

use super::org::OrgState;
use super::{derive, faults, region_of, SimOrg};
use crate::cloud::updates::{MAX_FINDINGS_PER_UPDATE, MAX_NOTE_CHARS};
use crate::cloud::{CloudError, FindingUpdate, FindingUpdates, Notification, Notifier, SourceId, UpdateReport};
use crate::model::FindingKey;
use async_trait::async_trait;
use serde_json::Value;
use std::collections::HashMap;

/// SNS accepts messages up to 256 KB.
const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// SNS accepts at most 10 message attributes.
const MAX_ATTRIBUTES: usize = 10;

/// Every mutating call made to the simulator.
#[derive(Debug, Default)]
pub(super) struct Records {
    /// `Resources::apply` calls: `<account>/<region> <change>`, with ` -> failed: <error>` when it failed.
    pub mutations: Vec<String>,
    /// BatchUpdateFindings calls, failed ones included.
    pub updates: Vec<(String, String, FindingUpdate)>,
    /// Notifications published (accepted by the topic).
    pub notifications: Vec<(String, Notification)>,
}

impl SimOrg {
    /// Every notification published, with its topic ARN, oldest first.
    pub fn notifications(&self) -> Vec<(String, Notification)> {
        self.lock().records.notifications.clone()
    }

    /// Every BatchUpdateFindings call made (account, region, update), oldest first, failed ones included.
    pub fn finding_updates(&self) -> Vec<(String, String, FindingUpdate)> {
        self.lock().records.updates.clone()
    }

    /// Every change asked of `Resources::apply`, oldest first: `<account>/<region> <Change::describe>`, followed by
    /// ` -> failed: <error>` when the call failed (nothing changed then).
    pub fn mutations(&self) -> Vec<String> {
        self.lock().records.mutations.clone()
    }
}

fn invalid_input(message: String) -> CloudError {
    CloudError::Other(format!("InvalidInputException: {message}"))
}

/// BatchUpdateFindings in one account and region.
fn update(
    state: &mut OrgState,
    account_id: &str,
    region: &str,
    update: &FindingUpdate,
) -> Result<UpdateReport, CloudError> {
    state.count(update.operation());
    state.records.updates.push((account_id.to_string(), region.to_string(), update.clone()));
    let source = SourceId { account_id: account_id.into(), region: region.into() };
    faults::check_write(state.faults.get(&source), &source, "securityhub:BatchUpdateFindings", true)?;
    let count = update.findings.len();
    if count == 0 || count > MAX_FINDINGS_PER_UPDATE {
        return Err(invalid_input(format!(
            "FindingIdentifiers must hold 1 to {MAX_FINDINGS_PER_UPDATE} findings; the request holds {count}"
        )));
    }
    if update.note.chars().count() > MAX_NOTE_CHARS {
        return Err(invalid_input(format!("Note.Text is longer than {MAX_NOTE_CHARS} characters")));
    }
    if !update.note.is_empty() && update.updated_by.trim().is_empty() {
        return Err(invalid_input("Note.UpdatedBy is required with Note.Text".into()));
    }
    // Finding id → (ProductArn, Compliance.Status) of the findings Security Hub holds here now.
    let known: HashMap<String, (String, Option<String>)> = derive(region_of(state, &source)?)
        .iter()
        .filter_map(|v| {
            let id = v.get("Id")?.as_str()?.to_string();
            let arn = v.get("ProductArn")?.as_str()?.to_string();
            Some((id, (arn, v.pointer("/Compliance/Status").and_then(Value::as_str).map(str::to_string))))
        })
        .collect();
    // A finding identifier is the pair (Id, ProductArn).
    let mut times: HashMap<&FindingKey, usize> = HashMap::new();
    for key in &update.findings {
        *times.entry(key).or_default() += 1;
    }
    let now = state.clock.now();
    let mut report = UpdateReport::default();
    for key in &update.findings {
        let id: &str = &key.id;
        if times.get(key).copied().unwrap_or(0) > 1 {
            let message = "DuplicatedFindingIdentifier: the request names this finding more than once";
            report.unprocessed.push((id.to_string(), message.into()));
            continue;
        }
        match known.get(id) {
            Some((arn, compliance)) if *arn == *key.product_arn => {
                let (note, by) = (&update.note, &update.updated_by);
                state.overlay.set_workflow(id, update.status, compliance.clone(), note, by, now);
                report.processed.push(id.to_string());
            }
            _ => report.unprocessed.push((id.to_string(), "FindingNotFound: Finding Identifier not found".into())),
        }
    }
    Ok(report)
}

/// sns:Publish to a topic `arn:aws:sns:<region>:<account>:<name>`.
fn publish(state: &mut OrgState, topic_arn: &str, notification: &Notification) -> Result<(), CloudError> {
    state.count("Publish");
    let invalid = |what: &str| CloudError::Other(format!("InvalidParameter: Invalid parameter: {what}"));
    let parts: Vec<&str> = topic_arn.split(':').collect();
    let source = match parts.as_slice() {
        ["arn", partition, "sns", region, account, name]
            if !partition.is_empty()
                && !region.is_empty()
                && account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && !name.is_empty() =>
        {
            SourceId { account_id: (*account).into(), region: (*region).into() }
        }
        _ => return Err(invalid(&format!("TopicArn {topic_arn:?}"))),
    };
    faults::check_write(state.faults.get(&source), &source, "sns:Publish", false)?;
    let subject = &notification.subject;
    if subject.len() > 100 || !subject.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        return Err(invalid("Subject (at most 100 printable ASCII characters, no line breaks)"));
    }
    if notification.body.to_string().len() > MAX_MESSAGE_BYTES {
        return Err(invalid("Message too long"));
    }
    if notification.attributes.len() > MAX_ATTRIBUTES {
        return Err(invalid("MessageAttributes (at most 10)"));
    }
    if let Some((name, _)) = notification.attributes.iter().find(|(_, v)| v.is_empty()) {
        return Err(CloudError::Other(format!(
            "InvalidParameterValue: The message attribute '{name}' must contain non-empty message attribute value \
             for message attribute type 'String'."
        )));
    }
    state.records.notifications.push((topic_arn.to_string(), notification.clone()));
    Ok(())
}

#[async_trait]
impl FindingUpdates for SimOrg {
    async fn update_findings(
        &self,
        account_id: &str,
        region: &str,
        finding_update: &FindingUpdate,
    ) -> Result<UpdateReport, CloudError> {
        update(&mut self.lock(), account_id, region, finding_update)
    }
}

#[async_trait]
impl Notifier for SimOrg {
    async fn publish(&self, topic_arn: &str, notification: &Notification) -> Result<(), CloudError> {
        publish(&mut self.lock(), topic_arn, notification)
    }
}
