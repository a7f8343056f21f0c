//! `FindingSource` over Security Hub GetFindings: server-side filters, 100 per page, NextToken paging; the engine
//! paces each source to the configured quota. Findings keep their own account and region (aggregator mode returns
//! members' findings).

use super::convert::finding_to_json;
use super::errors::map_sdk_error;
use super::session::Accounts;
use super::AwsSettings;
use crate::cloud::quota::Quota;
use crate::cloud::{CloudError, FindingSource, FindingsPage, SourceId};
use crate::model::asff::read_value;
use crate::model::sanitize;
use async_trait::async_trait;
use aws_sdk_securityhub::types::{AwsSecurityFindingFilters, DateFilter, StringFilter, StringFilterComparison};
use chrono::{DateTime, SecondsFormat, Utc};
use std::sync::Arc;

/// GetFindings page size (the API maximum).
pub const PAGE_SIZE: i32 = 100;

/// Server-side filters. Values of one attribute are OR-ed, attributes AND-ed.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingFilters {
    /// `RecordState` EQUALS any of these.
    pub record_state: Vec<String>,
    /// `WorkflowStatus` EQUALS any of these.
    pub workflow_status: Vec<String>,
    /// `ComplianceStatus` NOT_EQUALS each of these.
    pub compliance_status_not: Vec<String>,
}

impl Default for FindingFilters {
    fn default() -> Self {
        Self {
            record_state: vec!["ACTIVE".into()],
            workflow_status: vec!["NEW".into(), "NOTIFIED".into()],
            compliance_status_not: vec!["PASSED".into()],
        }
    }
}

fn string_filters(values: &[String], comparison: &StringFilterComparison) -> Option<Vec<StringFilter>> {
    (!values.is_empty()).then(|| {
        values.iter().map(|v| StringFilter::builder().value(v).comparison(comparison.clone()).build()).collect()
    })
}

impl FindingFilters {
    /// The filters as the SDK sends them.
    pub fn to_sdk(&self) -> AwsSecurityFindingFilters {
        AwsSecurityFindingFilters::builder()
            .set_record_state(string_filters(&self.record_state, &StringFilterComparison::Equals))
            .set_workflow_status(string_filters(&self.workflow_status, &StringFilterComparison::Equals))
            .set_compliance_status(string_filters(&self.compliance_status_not, &StringFilterComparison::NotEquals))
            .build()
    }

    /// The filters of an incremental refresh: `UpdatedAt` from `since` on, and nothing else, so findings that were
    /// resolved, suppressed, archived or passed come back too and leave the default view. Both bounds are given, as
    /// the console sends them; `End` depends on `since` alone (a year and a day after it, far beyond Security Hub's
    /// 90-day retention and any clock skew), because every page of a pass must be asked with the filters its
    /// `NextToken` was issued for — an end recomputed from the clock per page makes page 2 fail with
    /// `InvalidToken: Input inconsistent with page token`.
    pub fn changed_since(since: DateTime<Utc>) -> AwsSecurityFindingFilters {
        let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
        let end = since + chrono::Duration::days(366);
        AwsSecurityFindingFilters::builder()
            .updated_at(DateFilter::builder().start(stamp(since)).end(stamp(end)).build())
            .build()
    }
}

/// One GetFindings page through `client`, converted to our findings. `context` prefixes errors and problems.
pub async fn get_findings_page(
    client: &aws_sdk_securityhub::Client,
    filters: &AwsSecurityFindingFilters,
    token: Option<String>,
    context: &str,
) -> Result<FindingsPage, CloudError> {
    let sent_token = token.clone();
    let out = client
        .get_findings()
        .filters(filters.clone())
        .max_results(PAGE_SIZE)
        .set_next_token(token)
        .send()
        .await
        .map_err(|e| map_sdk_error(context, e))?;
    let mut page = FindingsPage::default();
    for finding in out.findings() {
        let outcome = read_value(&finding_to_json(finding));
        if outcome.findings.is_empty() && outcome.problems.is_empty() {
            page.problems.push(format!("{context}: a finding without Id or ProductArn was skipped"));
        }
        page.findings.extend(outcome.findings);
        let id = sanitize::single_line(finding.id().unwrap_or("?"));
        page.problems.extend(outcome.problems.into_iter().map(|p| format!("{context}: finding {id}: {}", p.reason)));
    }
    page.next_token = out.next_token().filter(|t| !t.is_empty()).map(String::from);
    if page.next_token.is_some() && page.next_token == sent_token {
        page.problems.push(format!("{context}: the service returned the same NextToken again; paging stopped"));
        page.next_token = None;
    }
    Ok(page)
}

/// Findings from Security Hub, one source per (account, region) or one aggregator source.
pub struct AwsFindingSource {
    accounts: Arc<Accounts>,
    sources: Vec<SourceId>,
    quota: Quota,
    filters: AwsSecurityFindingFilters,
}

impl AwsFindingSource {
    /// The sources to read and the limits to read them with.
    pub fn new(accounts: Arc<Accounts>, sources: Vec<SourceId>, settings: &AwsSettings) -> Self {
        let quota = Quota { rate: settings.get_findings_rate, burst: settings.get_findings_burst };
        Self { accounts, sources, quota, filters: settings.filters.to_sdk() }
    }
}

#[async_trait]
impl FindingSource for AwsFindingSource {
    fn sources(&self) -> Vec<SourceId> {
        self.sources.clone()
    }

    fn quota(&self) -> Option<Quota> {
        Some(self.quota)
    }

    async fn fetch_page(&self, source: &SourceId, token: Option<String>) -> Result<FindingsPage, CloudError> {
        Box::pin(self.page(source, &self.filters, token)).await
    }

    async fn fetch_changed_page(
        &self,
        source: &SourceId,
        since: DateTime<Utc>,
        token: Option<String>,
    ) -> Result<FindingsPage, CloudError> {
        let filters = FindingFilters::changed_since(since);
        Box::pin(self.page(source, &filters, token)).await
    }
}

impl AwsFindingSource {
    /// One GetFindings page of a source with `filters`, after a token from the source's bucket.
    async fn page(
        &self,
        source: &SourceId,
        filters: &AwsSecurityFindingFilters,
        token: Option<String>,
    ) -> Result<FindingsPage, CloudError> {
        let config = Box::pin(self.accounts.config_for(&source.account_id)).await?;
        let client = Accounts::securityhub(&config, &source.region);
        let context = format!("GetFindings in {source}");
        let result = Box::pin(get_findings_page(&client, filters, token, &context)).await;
        if let Err(CloudError::Other(m)) = &result {
            if m.contains("ExpiredToken") {
                self.accounts.forget(&source.account_id).await;
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_filters_are_the_documented_ones() {
        let f = FindingFilters::default().to_sdk();
        let pairs = |list: &[StringFilter]| -> Vec<(String, String)> {
            list.iter()
                .map(|s| {
                    (
                        s.comparison().map(|c| c.as_str().to_string()).unwrap_or_default(),
                        s.value().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        };
        assert_eq!(pairs(f.record_state()), [("EQUALS".to_string(), "ACTIVE".to_string())]);
        assert_eq!(
            pairs(f.workflow_status()),
            [("EQUALS".to_string(), "NEW".to_string()), ("EQUALS".to_string(), "NOTIFIED".to_string())]
        );
        assert_eq!(pairs(f.compliance_status()), [("NOT_EQUALS".to_string(), "PASSED".to_string())]);
        let none =
            FindingFilters { record_state: vec![], workflow_status: vec![], compliance_status_not: vec![] }.to_sdk();
        assert!(none.record_state.is_none());
    }

    #[test]
    fn changed_since_filters_only_on_updated_at() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).expect("time");
        let f = FindingFilters::changed_since(at("2026-11-21T11:55:00Z"));
        let dates: Vec<(Option<&str>, Option<&str>)> = f.updated_at().iter().map(|d| (d.start(), d.end())).collect();
        assert_eq!(dates, [(Some("2026-11-21T11:55:00.000Z"), Some("2027-11-22T11:55:00.000Z"))]);
        assert_eq!(FindingFilters::changed_since(at("2026-11-21T11:55:00Z")), f, "the same filters for every page");
        assert!(f.updated_at()[0].date_range().is_none());
        let empty = AwsSecurityFindingFilters::builder().updated_at(f.updated_at()[0].clone()).build();
        assert_eq!(f, empty, "no workflow, compliance or record state filter");
    }
}
