//! SSM Automation against the simulated organisation, so `--demo` can show a runbook being followed: every
//! execution is recorded; its first status read says `InProgress`, the next `Success` — or `Failed` for documents
//! whose name starts with `Fail`.
//!
//! The executions live beside the organisation's state (keyed by it, dropped with it), not inside it.

use super::org::OrgState;
use super::{faults, region_of, SimOrg};
use crate::cloud::{Automation, AutomationStatus, CloudError, SourceId};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// One StartAutomationExecution the simulator accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimExecution {
    pub id: String,
    pub account_id: String,
    pub region: String,
    pub document: String,
    pub parameters: BTreeMap<String, Vec<String>>,
    /// Status reads so far.
    pub polls: u32,
}

type Executions = Vec<(Weak<Mutex<OrgState>>, Vec<SimExecution>)>;

/// Executions per organisation; entries of dropped organisations are pruned on every access.
static EXECUTIONS: Mutex<Executions> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn table() -> MutexGuard<'static, Executions> {
    let mut table = EXECUTIONS.lock().unwrap_or_else(|p| p.into_inner());
    table.retain(|(org, _)| org.strong_count() > 0);
    table
}

impl SimOrg {
    /// Runs `f` on this organisation's executions.
    fn with_executions<T>(&self, f: impl FnOnce(&mut Vec<SimExecution>) -> T) -> T {
        let mut table = table();
        let me = Arc::downgrade(&self.inner);
        let index = match table.iter().position(|(org, _)| org.ptr_eq(&me)) {
            Some(i) => i,
            None => {
                table.push((me, Vec::new()));
                table.len() - 1
            }
        };
        f(&mut table[index].1)
    }

    /// Every Automation execution started, oldest first.
    pub fn automations(&self) -> Vec<SimExecution> {
        self.with_executions(|e| e.clone())
    }
}

/// Checks that the account and region exist and the role may act there.
fn check(state: &mut OrgState, account_id: &str, region: &str, operation: &str, write: bool) -> Result<(), CloudError> {
    state.count(operation);
    let source = SourceId { account_id: account_id.into(), region: region.into() };
    let action = format!("ssm:{operation}");
    if write {
        faults::check_write(state.faults.get(&source), &source, &action, false)?;
    } else {
        faults::check_read(state.faults.get(&source), &source, &action)?;
    }
    region_of(state, &source).map(|_| ())
}

#[async_trait]
impl Automation for SimOrg {
    async fn start_automation(
        &self,
        account_id: &str,
        region: &str,
        document: &str,
        parameters: &BTreeMap<String, Vec<String>>,
    ) -> Result<String, CloudError> {
        check(&mut self.lock(), account_id, region, "StartAutomationExecution", true)?;
        let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let id = format!("{:08x}-5eed-4a11-8000-{n:012x}", n.wrapping_mul(0x9e37_79b9) & 0xffff_ffff);
        let execution = SimExecution {
            id: id.clone(),
            account_id: account_id.into(),
            region: region.into(),
            document: document.into(),
            parameters: parameters.clone(),
            polls: 0,
        };
        self.with_executions(|e| e.push(execution));
        Ok(id)
    }

    async fn automation_status(
        &self,
        account_id: &str,
        region: &str,
        execution_id: &str,
    ) -> Result<AutomationStatus, CloudError> {
        check(&mut self.lock(), account_id, region, "GetAutomationExecution", false)?;
        let found = self.with_executions(|executions| {
            let e = executions
                .iter_mut()
                .find(|e| e.id == execution_id && e.account_id == account_id && e.region == region)?;
            e.polls += 1;
            Some((e.polls, e.document.clone()))
        });
        let Some((polls, document)) = found else {
            return Err(CloudError::NotFound(format!(
                "AutomationExecutionNotFoundException: execution {execution_id} does not exist in \
                 {account_id}/{region}"
            )));
        };
        Ok(match polls {
            1 => AutomationStatus { status: "InProgress".into(), done: false, detail: None },
            _ if document.starts_with("Fail") => AutomationStatus {
                status: "Failed".into(),
                done: true,
                detail: Some(format!("Step fails when it is Failed. {document} failed in the simulation")),
            },
            _ => AutomationStatus { status: "Success".into(), done: true, detail: None },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[tokio::test]
    async fn executions_are_recorded_and_followed() {
        let org = SimOrg::new(3, Utc::now());
        let (account, region) = (org.accounts()[0].id.clone(), org.regions()[0].clone());
        let params = BTreeMap::from([("GroupId".to_string(), vec!["sg-1".to_string()])]);
        let id = org.start_automation(&account, &region, "AWS-DisablePublicAccessForSecurityGroup", &params).await;
        let id = id.expect("started");
        let first = org.automation_status(&account, &region, &id).await.expect("status");
        assert_eq!((first.status.as_str(), first.done), ("InProgress", false));
        let second = org.automation_status(&account, &region, &id).await.expect("status");
        assert_eq!((second.status.as_str(), second.done), ("Success", true));
        let recorded = org.automations();
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0].parameters, params);
        assert!(SimOrg::new(3, Utc::now()).automations().is_empty(), "another organisation has its own record");
        assert_eq!(org.call_count("StartAutomationExecution"), 1);
    }

    #[tokio::test]
    async fn fail_documents_fail_and_unknown_places_are_refused() {
        let org = SimOrg::new(3, Utc::now());
        let (account, region) = (org.accounts()[0].id.clone(), org.regions()[0].clone());
        let id = org.start_automation(&account, &region, "FailOnPurpose", &BTreeMap::new()).await.expect("started");
        let _ = org.automation_status(&account, &region, &id).await;
        let last = org.automation_status(&account, &region, &id).await.expect("status");
        assert_eq!((last.status.as_str(), last.done), ("Failed", true));
        assert!(last.detail.is_some_and(|d| d.contains("FailOnPurpose")));
        let err = org.start_automation("999999999999", &region, "AWS-X", &BTreeMap::new()).await.expect_err("unknown");
        assert!(matches!(err, CloudError::AccessDenied(_)), "{err:?}");
        let err = org.automation_status(&account, &region, "nope").await.expect_err("unknown id");
        assert!(matches!(err, CloudError::NotFound(_)), "{err:?}");
    }
}
