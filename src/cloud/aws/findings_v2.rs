//! The new Security Hub's findings: `GetFindingsV2` pages of OCSF findings (untyped `Document`s, converted to JSON
//! here and read like any OCSF file), with filters equivalent to the CSPM defaults, and `DescribeSecurityHubV2`,
//! which says whether the new Security Hub is enabled in an account and region.

use super::document::document_to_json;
use super::errors::map_sdk_error;
use super::findings::{add_read, checked_next_token, PAGE_SIZE};
use crate::cloud::{CloudError, FindingCounts, FindingsPage};
use crate::model::{read_any_value, sanitize, Severity};
use aws_sdk_securityhub::types::{
    AllowedOperators, AwsOrganizationScope, CompositeFilter, DateFilter, FindingScopes, GroupByField, GroupByRule,
    NumberFilter, OcsfDateField, OcsfDateFilter, OcsfFindingFilters, OcsfNumberField, OcsfNumberFilter,
    OcsfStringField, OcsfStringFilter, StringFilter, StringFilterComparison,
};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

/// OCSF `status_id` values of open findings: 0 Unknown, 1 New, 2 In Progress (≤ 2) and 99 Other. Not 3 Suppressed,
/// 4 Resolved, 5 Archived or 6 Deleted — as the CSPM defaults ask for workflow NEW or NOTIFIED and record ACTIVE.
const LAST_OPEN_STATUS_ID: f64 = 2.0;
const OTHER_STATUS_ID: f64 = 99.0;
/// GetFindingStatisticsV2 returns at most this many values per rule (the API maximum): controls beyond are not
/// counted.
const MAX_STATISTIC_RESULTS: i32 = 400;

/// What GetFindingsV2 is asked, the same for every page of a pass (a NextToken is only good with the filters and
/// scopes it was issued for).
#[derive(Debug, Clone, PartialEq)]
pub struct V2Request {
    pub filters: OcsfFindingFilters,
    /// The organisation or OUs the delegated administrator reads; `None`: the caller's own findings.
    pub scopes: Option<FindingScopes>,
}

/// The open findings of the default view: status open (see [`LAST_OPEN_STATUS_ID`]) and `compliance.status` not
/// `Pass` (findings without a compliance status pass the filter).
pub fn open_filters() -> OcsfFindingFilters {
    let status =
        |filter: NumberFilter| OcsfNumberFilter::builder().field_name(OcsfNumberField::StatusId).filter(filter).build();
    let open_status = CompositeFilter::builder()
        .number_filters(status(NumberFilter::builder().lte(LAST_OPEN_STATUS_ID).build()))
        .number_filters(status(NumberFilter::builder().eq(OTHER_STATUS_ID).build()))
        .operator(AllowedOperators::Or)
        .build();
    let not_passed = CompositeFilter::builder()
        .string_filters(
            OcsfStringFilter::builder()
                .field_name(OcsfStringField::ComplianceStatus)
                .filter(StringFilter::builder().comparison(StringFilterComparison::NotEquals).value("Pass").build())
                .build(),
        )
        .build();
    OcsfFindingFilters::builder()
        .composite_filters(open_status)
        .composite_filters(not_passed)
        .composite_operator(AllowedOperators::And)
        .build()
}

/// The filters of a delta sync: `finding_info.modified_time_dt` from `since` on, whatever the finding's status or
/// compliance, so closed findings come back and leave the default view. The end depends on `since` alone (a year
/// and a day after it), so every page of the pass is asked with the filters its NextToken was issued for.
pub fn changed_since_filters(since: DateTime<Utc>) -> OcsfFindingFilters {
    let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    let end = since + chrono::Duration::days(366);
    let modified = OcsfDateFilter::builder()
        .field_name(OcsfDateField::FindingInfoModifiedTimeDt)
        .filter(DateFilter::builder().start(stamp(since)).end(stamp(end)).build())
        .build();
    OcsfFindingFilters::builder().composite_filters(CompositeFilter::builder().date_filters(modified).build()).build()
}

/// `Scopes.AwsOrganizations` for organisation (`o-…`) and OU (`ou-…`) ids; `None` when there are none.
pub fn organization_scopes(ids: &[String]) -> Option<FindingScopes> {
    let scopes: Vec<AwsOrganizationScope> = ids
        .iter()
        .map(|id| match id.starts_with("ou-") {
            true => AwsOrganizationScope::builder().organizational_unit_id(id).build(),
            false => AwsOrganizationScope::builder().organization_id(id).build(),
        })
        .collect();
    (!scopes.is_empty()).then(|| FindingScopes::builder().set_aws_organizations(Some(scopes)).build())
}

/// One GetFindingsV2 page through `client`, read as OCSF findings. `context` prefixes errors and problems.
pub async fn get_findings_v2_page(
    client: &aws_sdk_securityhub::Client,
    request: &V2Request,
    token: Option<String>,
    context: &str,
) -> Result<FindingsPage, CloudError> {
    let sent_token = token.clone();
    let out = client
        .get_findings_v2()
        .filters(request.filters.clone())
        .set_scopes(request.scopes.clone())
        .max_results(PAGE_SIZE)
        .set_next_token(token)
        .send()
        .await
        .map_err(|e| map_sdk_error(context, e))?;
    let mut page = FindingsPage::default();
    for document in out.findings() {
        let json = document_to_json(document);
        let outcome = read_any_value(&json);
        let uid = ["/finding_info/uid", "/metadata/uid"].iter().find_map(|p| json.pointer(p).and_then(Value::as_str));
        let uid = sanitize::single_line(uid.unwrap_or("?"));
        add_read(&mut page, outcome, context, &uid, &format!("finding {uid} is not an OCSF finding and was skipped"));
    }
    page.next_token = checked_next_token(out.next_token(), sent_token.as_deref(), context, &mut page.problems);
    Ok(page)
}

/// The counts of the open findings (the filters of [`open_filters`]) by severity and by control, in one
/// GetFindingStatisticsV2 call. Severity names that are none of the five levels (`Unknown`, `Other`) count as
/// informational, as the reader shows such findings.
pub async fn open_finding_counts(
    client: &aws_sdk_securityhub::Client,
    scopes: Option<FindingScopes>,
    context: &str,
) -> Result<FindingCounts, CloudError> {
    let rule = |field: GroupByField| GroupByRule::builder().group_by_field(field).filters(open_filters()).build();
    let out = client
        .get_finding_statistics_v2()
        .group_by_rules(rule(GroupByField::Severity))
        .group_by_rules(rule(GroupByField::ComplianceControl))
        .max_statistic_results(MAX_STATISTIC_RESULTS)
        .set_scopes(scopes)
        .send()
        .await
        .map_err(|e| map_sdk_error(context, e))?;
    let mut counts = FindingCounts::default();
    for result in out.group_by_results() {
        for value in result.group_by_values() {
            let (Some(name), Some(count)) = (value.field_value(), value.count()) else { continue };
            let count = u64::try_from(count).unwrap_or(0);
            match result.group_by_field() {
                Some("severity") => {
                    let severity = Severity::from_ocsf_name(name).unwrap_or(Severity::Informational);
                    *counts.by_severity.entry(severity).or_default() += count;
                }
                Some("compliance.control") => {
                    *counts.by_control.entry(sanitize::single_line(name)).or_default() += count;
                }
                _ => {}
            }
        }
    }
    Ok(counts)
}

/// Whether the new Security Hub is enabled where `client` points (`DescribeSecurityHubV2`; not enabled:
/// `ResourceNotFoundException`).
pub async fn v2_enabled(client: &aws_sdk_securityhub::Client, context: &str) -> Result<bool, CloudError> {
    match client.describe_security_hub_v2().send().await {
        Ok(_) => Ok(true),
        Err(e) => match map_sdk_error(context, e) {
            CloudError::NotFound(_) => Ok(false),
            other => Err(other),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).expect("time")
    }

    #[test]
    fn open_filters_ask_for_open_statuses_and_compliance_not_pass() {
        let f = open_filters();
        assert_eq!(f.composite_operator(), Some(&AllowedOperators::And));
        let [status, compliance] = f.composite_filters() else { panic!("two composite filters: {f:?}") };
        assert_eq!(status.operator(), Some(&AllowedOperators::Or));
        let numbers: Vec<(Option<&str>, Option<f64>, Option<f64>)> = status
            .number_filters()
            .iter()
            .map(|n| {
                let filter = n.filter().expect("filter");
                (n.field_name().map(OcsfNumberField::as_str), filter.lte(), filter.eq())
            })
            .collect();
        assert_eq!(numbers, [(Some("status_id"), Some(2.0), None), (Some("status_id"), None, Some(99.0))]);
        let strings: Vec<(&str, &str, &str)> = compliance
            .string_filters()
            .iter()
            .map(|s| {
                let filter = s.filter().expect("filter");
                (
                    s.field_name().map_or("", OcsfStringField::as_str),
                    filter.comparison().map_or("", StringFilterComparison::as_str),
                    filter.value().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(strings, [("compliance.status", "NOT_EQUALS", "Pass")]);
    }

    #[test]
    fn changed_since_filters_only_on_the_modified_time_and_are_the_same_every_page() {
        let f = changed_since_filters(at("2026-11-21T11:55:00Z"));
        assert_eq!(f, changed_since_filters(at("2026-11-21T11:55:00Z")));
        let [only] = f.composite_filters() else { panic!("one composite filter: {f:?}") };
        let dates: Vec<(Option<&str>, Option<&str>, Option<&str>)> = only
            .date_filters()
            .iter()
            .map(|d| {
                let filter = d.filter().expect("filter");
                (d.field_name().map(OcsfDateField::as_str), filter.start(), filter.end())
            })
            .collect();
        assert_eq!(
            dates,
            [(
                Some("finding_info.modified_time_dt"),
                Some("2026-11-21T11:55:00.000Z"),
                Some("2027-11-22T11:55:00.000Z")
            )]
        );
        assert!(only.number_filters().is_empty() && only.string_filters().is_empty());
    }

    #[test]
    fn organisation_and_ou_ids_become_scopes() {
        assert_eq!(organization_scopes(&[]), None);
        let scopes = organization_scopes(&["o-abcd1234567890".into(), "ou-ab12-cd345678".into()]).expect("scopes");
        let ids: Vec<(Option<&str>, Option<&str>)> =
            scopes.aws_organizations().iter().map(|s| (s.organization_id(), s.organizational_unit_id())).collect();
        assert_eq!(ids, [(Some("o-abcd1234567890"), None), (None, Some("ou-ab12-cd345678"))]);
    }
}
