//! What we send to GetFindings and how we read its errors, through the real SDK with `aws-smithy-mocks`
//! (moto ignores GetFindings filters, so they are checked here).
#![allow(clippy::unwrap_used)]

use aws_sdk_securityhub::operation::get_findings::{GetFindingsInput, GetFindingsOutput};
use aws_sdk_securityhub::types::{AwsSecurityFinding, Resource, Severity, SeverityLabel, StringFilter};
use aws_sdk_securityhub::Client;
use aws_smithy_mocks::{mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use hubtriage::cloud::aws::{get_findings_page, AwsSettings, FindingFilters, PAGE_SIZE};
use hubtriage::cloud::CloudError;
use std::sync::{Arc, Mutex};

fn finding(n: usize, account: &str, region: &str) -> AwsSecurityFinding {
    AwsSecurityFinding::builder()
        .id(format!("f-{n}"))
        .product_arn(format!("arn:aws:securityhub:{region}::product/aws/securityhub"))
        .generator_id("security-control/S3.8")
        .aws_account_id(account)
        .region(region)
        .title("t")
        .severity(Severity::builder().label(SeverityLabel::High).build())
        .resources(Resource::builder().r#type("AwsS3Bucket").id("arn:aws:s3:::b").build())
        .build()
}

fn pairs(list: &[StringFilter]) -> Vec<String> {
    list.iter().map(|f| format!("{} {}", f.comparison().unwrap().as_str(), f.value().unwrap())).collect()
}

#[tokio::test]
async fn get_findings_carries_our_filters_page_size_and_token() {
    let seen: Arc<Mutex<Vec<GetFindingsInput>>> = Arc::default();
    let record = seen.clone();
    let rule = mock!(Client::get_findings)
        .match_requests(move |req| {
            record.lock().unwrap().push(req.clone());
            true
        })
        .then_output(|| {
            GetFindingsOutput::builder()
                .findings(finding(1, "111111111111", "eu-west-1"))
                // Aggregator answers carry members' findings: they keep their own account and region.
                .findings(finding(2, "222222222222", "ap-south-1"))
                .next_token("page-3")
                .build()
        });
    let client = mock_client!(aws_sdk_securityhub, [&rule]);
    let filters = AwsSettings::default().filters.to_sdk();
    let page = get_findings_page(&client, &filters, Some("page-2".into()), "GetFindings in test").await.unwrap();

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req.max_results(), Some(100));
    assert_eq!(PAGE_SIZE, 100);
    assert_eq!(req.next_token(), Some("page-2"));
    let f = req.filters().unwrap();
    assert_eq!(pairs(f.record_state()), ["EQUALS ACTIVE"]);
    assert_eq!(pairs(f.workflow_status()), ["EQUALS NEW", "EQUALS NOTIFIED"]);
    assert_eq!(pairs(f.compliance_status()), ["NOT_EQUALS PASSED"]);
    assert!(f.updated_at().is_empty() && f.aws_account_id().is_empty(), "no other filter by default");

    assert_eq!(page.next_token.as_deref(), Some("page-3"));
    let got: Vec<(&str, &str, &str)> =
        page.findings.iter().map(|f| (f.id.as_str(), f.account_id.as_str(), f.region.as_str())).collect();
    assert_eq!(got, [("f-1", "111111111111", "eu-west-1"), ("f-2", "222222222222", "ap-south-1")]);
    assert_eq!(page.findings[0].control_id.as_deref(), Some("S3.8"));
    assert!(page.problems.is_empty(), "{:?}", page.problems);
}

#[tokio::test]
async fn a_refresh_asks_for_what_changed_since_whatever_its_state() {
    let seen: Arc<Mutex<Vec<GetFindingsInput>>> = Arc::default();
    let record = seen.clone();
    let rule = mock!(Client::get_findings)
        .match_requests(move |req| {
            record.lock().unwrap().push(req.clone());
            true
        })
        .then_output(|| GetFindingsOutput::builder().findings(finding(1, "111111111111", "eu-west-1")).build());
    let client = mock_client!(aws_sdk_securityhub, [&rule]);
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
    let filters = FindingFilters::changed_since(at("2026-11-21T11:55:00Z"), at("2026-11-21T12:00:00Z"));
    let page = get_findings_page(&client, &filters, Some("t-2".into()), "GetFindings in test").await.unwrap();
    assert_eq!(page.findings.len(), 1);
    assert_eq!(page.next_token, None);

    let seen = seen.lock().unwrap();
    let req = &seen[0];
    assert_eq!(req.max_results(), Some(100));
    assert_eq!(req.next_token(), Some("t-2"));
    let f = req.filters().unwrap();
    let updated: Vec<(Option<&str>, Option<&str>)> = f.updated_at().iter().map(|d| (d.start(), d.end())).collect();
    assert_eq!(updated, [(Some("2026-11-21T11:55:00.000Z"), Some("2026-11-22T12:00:00.000Z"))]);
    assert!(f.workflow_status().is_empty(), "resolved and suppressed findings must come back");
    assert!(f.compliance_status().is_empty(), "passed findings must come back");
    assert!(f.record_state().is_empty(), "archived findings must come back");
}

async fn error_for(status: u16, headers: &'static [(&'static str, &'static str)], body: &'static str) -> CloudError {
    let rule = mock!(Client::get_findings).then_http_response(move || {
        let mut resp = HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body));
        for (k, v) in headers {
            resp.headers_mut().insert(*k, *v);
        }
        resp
    });
    let client = mock_client!(aws_sdk_securityhub, [&rule]);
    let filters = AwsSettings::default().filters.to_sdk();
    get_findings_page(&client, &filters, None, "GetFindings in 111111111111/eu-west-1").await.expect_err("an error")
}

#[tokio::test]
async fn sdk_errors_map_to_source_states() {
    let json = &[("content-type", "application/json")];
    let e = error_for(
        401,
        &[("content-type", "application/json"), ("x-amzn-errortype", "InvalidAccessException")],
        r#"{"Code":"InvalidAccessException","Message":"Account 111111111111 is not subscribed to AWS Security Hub"}"#,
    )
    .await;
    assert!(matches!(e, CloudError::NotEnabled(_)), "{e:?}");
    let e = error_for(
        429,
        &[("content-type", "application/json"), ("x-amzn-errortype", "TooManyRequestsException")],
        r#"{"message":"Rate exceeded"}"#,
    )
    .await;
    assert!(matches!(e, CloudError::Throttled(_)), "{e:?}");
    let e = error_for(
        403,
        &[("content-type", "application/json"), ("x-amzn-errortype", "AccessDeniedException")],
        r#"{"Message":"not authorized to perform securityhub:GetFindings"}"#,
    )
    .await;
    assert!(matches!(e, CloudError::AccessDenied(ref m) if m.contains("securityhub:GetFindings")), "{e:?}");
    let e = error_for(400, json, r#"{"__type":"LimitExceededException","Message":"slow down"}"#).await;
    assert!(matches!(e, CloudError::Throttled(_)), "{e:?}");
    // moto answers operations it lacks with an HTML 404 page.
    let e = error_for(404, &[("content-type", "text/html")], "<!doctype html>\n<title>404 Not Found</title>").await;
    assert!(matches!(e, CloudError::Unsupported(ref m) if m.contains("not implemented")), "{e:?}");
    assert!(e.to_string().contains("GetFindings in 111111111111/eu-west-1"), "{e}");
}
