//! `FindingSource` over Security Hub: GetFindings (CSPM, ASFF) or GetFindingsV2 (the new Security Hub, OCSF), chosen
//! per source (`aws.api`: in `auto`, `DescribeSecurityHubV2` decides once per source); server-side filters, 100 per
//! page, NextToken paging; the engine paces each source to the quota of the API it reads. Findings keep their own
//! account and region (aggregator and delegated-administrator modes return members' findings).

use super::convert::finding_to_json;
use super::errors::map_sdk_error;
use super::findings_v2::{self, V2Request};
use super::session::Accounts;
use super::AwsSettings;
use crate::cloud::quota::Quota;
use crate::cloud::trends::TrendPoint;
use crate::cloud::{ApiChoice, CloudError, FindingCounts, FindingSource, FindingsPage, SourceApi, SourceId};
use crate::model::asff::read_value;
use crate::model::{sanitize, ReadOutcome};
use async_trait::async_trait;
use aws_sdk_securityhub::types::{
    AwsSecurityFindingFilters, DateFilter, FindingScopes, StringFilter, StringFilterComparison,
};
use chrono::{DateTime, SecondsFormat, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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
        let id = sanitize::single_line(finding.id().unwrap_or("?"));
        add_read(&mut page, outcome, context, &id, "a finding without Id or ProductArn was skipped");
    }
    page.next_token = checked_next_token(out.next_token(), sent_token.as_deref(), context, &mut page.problems);
    Ok(page)
}

/// Adds to `page` what one finding of a response read as: its findings, and its problems named by `context` and
/// `id`; `skipped` says why when it read as nothing at all.
pub(super) fn add_read(page: &mut FindingsPage, outcome: ReadOutcome, context: &str, id: &str, skipped: &str) {
    if outcome.findings.is_empty() && outcome.problems.is_empty() {
        page.problems.push(format!("{context}: {skipped}"));
    }
    page.findings.extend(outcome.findings);
    page.problems.extend(outcome.problems.into_iter().map(|p| format!("{context}: finding {id}: {}", p.reason)));
}

/// The token for the next page: `None` at the end, and when the service answers with the token it was sent (paging
/// would never end), which is reported in `problems`.
pub(super) fn checked_next_token(
    received: Option<&str>,
    sent: Option<&str>,
    context: &str,
    problems: &mut Vec<String>,
) -> Option<String> {
    let next = received.filter(|t| !t.is_empty())?;
    if Some(next) == sent {
        problems.push(format!("{context}: the service returned the same NextToken again; paging stopped"));
        return None;
    }
    Some(next.to_string())
}

/// Findings from Security Hub, one source per (account, region) or one aggregator source, each read through the API
/// chosen for it.
pub struct AwsFindingSource {
    accounts: Arc<Accounts>,
    sources: Vec<SourceId>,
    quota: Quota,
    filters: AwsSecurityFindingFilters,
    api: ApiChoice,
    v2_quota: Quota,
    /// `Scopes` of every GetFindingsV2 call (the delegated administrator's organisation or OUs).
    v2_scopes: Option<FindingScopes>,
    /// The API each source reads, once decided (`auto`: by DescribeSecurityHubV2; `v2`: once it said enabled).
    decided: Mutex<HashMap<SourceId, SourceApi>>,
}

impl AwsFindingSource {
    /// The sources to read and the limits to read them with.
    pub fn new(accounts: Arc<Accounts>, sources: Vec<SourceId>, settings: &AwsSettings) -> Self {
        let quota = Quota { rate: settings.get_findings_rate, burst: settings.get_findings_burst };
        let v2_quota = Quota { rate: settings.get_findings_v2_rate, burst: settings.get_findings_v2_burst };
        // Scopes are the delegated administrator's: only its one (aggregator) source sends them.
        let v2_scopes = settings
            .aggregator_region
            .as_ref()
            .and_then(|_| findings_v2::organization_scopes(&settings.organization_scope));
        Self {
            accounts,
            sources,
            quota,
            filters: settings.filters.to_sdk(),
            api: settings.api,
            v2_quota,
            v2_scopes,
            decided: Mutex::new(HashMap::new()),
        }
    }

    fn decided(&self, source: &SourceId) -> Option<SourceApi> {
        self.decided.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(source).copied()
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

    fn source_quota(&self, source: &SourceId) -> Option<Quota> {
        match self.api_of(source) {
            Some(SourceApi::V2) => Some(self.v2_quota),
            _ => Some(self.quota),
        }
    }

    fn api_of(&self, source: &SourceId) -> Option<SourceApi> {
        self.api.fixed().or_else(|| self.decided(source))
    }

    async fn open_counts(&self, source: &SourceId) -> Result<Option<FindingCounts>, CloudError> {
        if self.api_of(source) != Some(SourceApi::V2) {
            return Ok(None);
        }
        let client = self.client(source).await?;
        let context = format!("GetFindingStatisticsV2 in {source}");
        let counts = Box::pin(findings_v2::open_finding_counts(&client, self.v2_scopes.clone(), &context)).await;
        self.renewing(source, counts).await.map(Some)
    }

    async fn findings_trend(
        &self,
        source: &SourceId,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<Vec<TrendPoint>>, CloudError> {
        if self.api_of(source) != Some(SourceApi::V2) {
            return Ok(None);
        }
        let client = self.client(source).await?;
        let context = format!("GetFindingsTrendsV2 in {source}");
        let points = Box::pin(super::trends::findings_trend(&client, since, until, &context)).await;
        self.renewing(source, points).await.map(Some)
    }

    async fn fetch_page(&self, source: &SourceId, token: Option<String>) -> Result<FindingsPage, CloudError> {
        match Box::pin(self.decide(source)).await? {
            SourceApi::Cspm => Box::pin(self.page(source, &self.filters, token)).await,
            SourceApi::V2 => {
                let request = V2Request { filters: findings_v2::open_filters(), scopes: self.v2_scopes.clone() };
                Box::pin(self.page_v2(source, &request, token)).await
            }
        }
    }

    async fn fetch_changed_page(
        &self,
        source: &SourceId,
        since: DateTime<Utc>,
        token: Option<String>,
    ) -> Result<FindingsPage, CloudError> {
        match Box::pin(self.decide(source)).await? {
            SourceApi::Cspm => Box::pin(self.page(source, &FindingFilters::changed_since(since), token)).await,
            SourceApi::V2 => {
                let filters = findings_v2::changed_since_filters(since);
                let request = V2Request { filters, scopes: self.v2_scopes.clone() };
                Box::pin(self.page_v2(source, &request, token)).await
            }
        }
    }
}

impl AwsFindingSource {
    /// The Security Hub client of a source, in its account (assumed role) and region.
    async fn client(&self, source: &SourceId) -> Result<aws_sdk_securityhub::Client, CloudError> {
        let config = Box::pin(self.accounts.config_for(&source.account_id)).await?;
        Ok(Accounts::securityhub(&config, &source.region))
    }

    /// `result`, after forgetting the account's session when its credentials expired (the next attempt assumes the
    /// role again).
    async fn renewing<T>(&self, source: &SourceId, result: Result<T, CloudError>) -> Result<T, CloudError> {
        if let Err(CloudError::Other(m)) = &result {
            if m.contains("ExpiredToken") {
                self.accounts.forget(&source.account_id).await;
            }
        }
        result
    }

    /// The API a source reads. `auto` asks DescribeSecurityHubV2 once: enabled → V2; not enabled, not known to the
    /// endpoint or denied → CSPM. `v2` asks too, so a source without the new Security Hub says "not enabled".
    /// Errors worth retrying (throttling, network) decide nothing: the page fails and is retried.
    async fn decide(&self, source: &SourceId) -> Result<SourceApi, CloudError> {
        if self.api == ApiChoice::Cspm {
            return Ok(SourceApi::Cspm);
        }
        if let Some(api) = self.decided(source) {
            return Ok(api);
        }
        let context = format!("DescribeSecurityHubV2 in {source}");
        let client = self.client(source).await?;
        let enabled = Box::pin(findings_v2::v2_enabled(&client, &context)).await;
        let api = match (self.api, self.renewing(source, enabled).await) {
            (_, Ok(true)) => SourceApi::V2,
            (ApiChoice::V2, Ok(false)) => {
                return Err(CloudError::NotEnabled(format!(
                    "{context}: the new Security Hub (V2) is not enabled here; enable it, or read Security Hub CSPM \
                     with --api cspm (or auto)"
                )))
            }
            (ApiChoice::V2, Err(CloudError::AccessDenied(m))) => {
                tracing::warn!(source = %source, "{m}; reading GetFindingsV2 anyway (--api v2)");
                SourceApi::V2
            }
            (_, Ok(false)) => SourceApi::Cspm,
            (_, Err(CloudError::AccessDenied(m) | CloudError::Unsupported(m))) => {
                tracing::warn!(source = %source, "{m}; reading Security Hub CSPM (GetFindings)");
                SourceApi::Cspm
            }
            (_, Err(e)) => return Err(e),
        };
        tracing::info!(source = %source, api = %api, "the source reads {}", api.operation());
        self.decided.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(source.clone(), api);
        Ok(api)
    }

    /// One GetFindings page of a source with `filters`.
    async fn page(
        &self,
        source: &SourceId,
        filters: &AwsSecurityFindingFilters,
        token: Option<String>,
    ) -> Result<FindingsPage, CloudError> {
        let client = self.client(source).await?;
        let context = format!("GetFindings in {source}");
        let result = Box::pin(get_findings_page(&client, filters, token, &context)).await;
        self.renewing(source, result).await
    }

    /// One GetFindingsV2 page of a source.
    async fn page_v2(
        &self,
        source: &SourceId,
        request: &V2Request,
        token: Option<String>,
    ) -> Result<FindingsPage, CloudError> {
        let client = self.client(source).await?;
        let context = format!("GetFindingsV2 in {source}");
        let result = Box::pin(findings_v2::get_findings_v2_page(&client, request, token, &context)).await;
        self.renewing(source, result).await
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
