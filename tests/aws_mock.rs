//! What we send to GetFindings and BatchUpdateFindings and how we read their answers and errors, through the real SDK
//! with `aws-smithy-mocks`: moto ignores GetFindings filters, and an endpoint without BatchUpdateFindings answers
//! with an HTML 404 page (moto's own server does; the emulator the other tests use adds the operation), so the exact
//! request shapes and that answer are checked here.
#![allow(clippy::unwrap_used)]

use aws_sdk_securityhub::operation::batch_update_findings::{BatchUpdateFindingsInput, BatchUpdateFindingsOutput};
use aws_sdk_securityhub::operation::get_findings::{GetFindingsInput, GetFindingsOutput};
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingIdentifier, BatchUpdateFindingsUnprocessedFinding, Resource, Severity,
    SeverityLabel, StringFilter,
};
use aws_sdk_securityhub::Client;
use aws_smithy_mocks::{mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use hubtriage::cloud::aws::{batch_update_findings, get_findings_page, AwsSettings, FindingFilters, PAGE_SIZE};
use hubtriage::cloud::{CloudError, FindingUpdate, UpdateReport};
use hubtriage::model::{FindingKey, WorkflowStatus};
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

/// A `match_requests` filter that matches every request and keeps a copy of it, in order, in the list returned.
fn recording<I: Clone + Send + 'static>() -> (Arc<Mutex<Vec<I>>>, impl Fn(&I) -> bool + Send + Sync + 'static) {
    let seen: Arc<Mutex<Vec<I>>> = Arc::default();
    let record = seen.clone();
    let filter = move |req: &I| {
        record.lock().unwrap().push(req.clone());
        true
    };
    (seen, filter)
}

/// An HTTP answer with `headers`.
fn response(status: u16, headers: &[(&'static str, &'static str)], body: &'static str) -> HttpResponse {
    let mut resp = HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body));
    for (k, v) in headers {
        resp.headers_mut().insert(*k, *v);
    }
    resp
}

/// What moto answers operations it lacks with.
const MOTO_404: &str = "<!doctype html>\n<title>404 Not Found</title>";

fn pairs(list: &[StringFilter]) -> Vec<String> {
    list.iter().map(|f| format!("{} {}", f.comparison().unwrap().as_str(), f.value().unwrap())).collect()
}

#[tokio::test]
async fn get_findings_carries_our_filters_page_size_and_token() {
    let (seen, record) = recording::<GetFindingsInput>();
    let rule = mock!(Client::get_findings).match_requests(record).then_output(|| {
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
    let got: Vec<(&str, &str, &str)> = page.findings.iter().map(|f| (&*f.id, &*f.account_id, &*f.region)).collect();
    assert_eq!(got, [("f-1", "111111111111", "eu-west-1"), ("f-2", "222222222222", "ap-south-1")]);
    assert_eq!(page.findings[0].control_id.as_deref(), Some("S3.8"));
    assert!(page.problems.is_empty(), "{:?}", page.problems);
}

#[tokio::test]
async fn a_refresh_asks_for_what_changed_since_whatever_its_state() {
    let (seen, record) = recording::<GetFindingsInput>();
    let rule = mock!(Client::get_findings)
        .match_requests(record)
        .then_output(|| GetFindingsOutput::builder().findings(finding(1, "111111111111", "eu-west-1")).build());
    let client = mock_client!(aws_sdk_securityhub, [&rule]);
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
    let filters = FindingFilters::changed_since(at("2026-11-21T11:55:00Z"));
    let page = get_findings_page(&client, &filters, Some("t-2".into()), "GetFindings in test").await.unwrap();
    assert_eq!(page.findings.len(), 1);
    assert_eq!(page.next_token, None);

    let seen = seen.lock().unwrap();
    let req = &seen[0];
    assert_eq!(req.max_results(), Some(100));
    assert_eq!(req.next_token(), Some("t-2"));
    let f = req.filters().unwrap();
    let updated: Vec<(Option<&str>, Option<&str>)> = f.updated_at().iter().map(|d| (d.start(), d.end())).collect();
    assert_eq!(updated, [(Some("2026-11-21T11:55:00.000Z"), Some("2027-11-22T11:55:00.000Z"))]);
    assert!(f.workflow_status().is_empty(), "resolved and suppressed findings must come back");
    assert!(f.compliance_status().is_empty(), "passed findings must come back");
    assert!(f.record_state().is_empty(), "archived findings must come back");
}

async fn error_for(status: u16, headers: &'static [(&'static str, &'static str)], body: &'static str) -> CloudError {
    let rule = mock!(Client::get_findings).then_http_response(move || response(status, headers, body));
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
    let e = error_for(404, &[("content-type", "text/html")], MOTO_404).await;
    assert!(matches!(e, CloudError::Unsupported(ref m) if m.contains("not implemented")), "{e:?}");
    assert!(e.to_string().contains("GetFindings in 111111111111/eu-west-1"), "{e}");
}

fn key(n: usize) -> FindingKey {
    FindingKey {
        product_arn: format!("arn:aws:securityhub:eu-west-1::product/vendor/p{n}").into(),
        id: format!("arn:aws:securityhub:eu-west-1:111111111111:finding/f-{n}").into(),
    }
}

fn identifier(n: usize) -> AwsSecurityFindingIdentifier {
    let k = key(n);
    AwsSecurityFindingIdentifier::builder().id(k.id.as_ref()).product_arn(k.product_arn.as_ref()).build()
}

#[tokio::test]
async fn batch_update_findings_sends_ids_status_and_a_bounded_note_and_reads_what_was_not_processed() {
    let (seen, record) = recording::<BatchUpdateFindingsInput>();
    let rule = mock!(Client::batch_update_findings).match_requests(record).then_output(|| {
        BatchUpdateFindingsOutput::builder()
            .processed_findings(identifier(1))
            .processed_findings(identifier(3))
            .unprocessed_findings(
                BatchUpdateFindingsUnprocessedFinding::builder()
                    .finding_identifier(identifier(2))
                    .error_code("FindingNotFound")
                    .error_message("Finding not found")
                    .build(),
            )
            .build()
    });
    let client = mock_client!(aws_sdk_securityhub, [&rule]);
    let update = FindingUpdate {
        findings: vec![key(1), key(2), key(3)],
        format: Default::default(),
        status: WorkflowStatus::Resolved,
        note: format!("hubtriage fixed this: {}", "é".repeat(600)),
        updated_by: "arn:aws:sts::123456789012:assumed-role/Ops/alice".into(),
    };
    let report =
        batch_update_findings(&client, &update, "BatchUpdateFindings in 111111111111/eu-west-1").await.unwrap();

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    let sent: Vec<(&str, &str)> =
        req.finding_identifiers().iter().map(|i| (i.id().unwrap(), i.product_arn().unwrap())).collect();
    let wanted: Vec<FindingKey> = (1..=3).map(key).collect();
    assert_eq!(sent, wanted.iter().map(|k| (k.id.as_ref(), k.product_arn.as_ref())).collect::<Vec<_>>());
    assert_eq!(req.workflow().and_then(|w| w.status()).map(|s| s.as_str()), Some("RESOLVED"));
    let note = req.note().unwrap();
    let text = note.text().unwrap();
    assert_eq!(text.chars().count(), 512, "Note.Text is at most 512 characters");
    assert!(text.starts_with("hubtriage fixed this: éé") && text.ends_with('…'), "{text}");
    assert_eq!(note.updated_by(), Some("arn:aws:sts::123456789012:assumed-role/Ops/alice"));
    assert!(req.severity().is_none() && req.verification_state().is_none(), "nothing else is changed");

    assert_eq!(
        report,
        UpdateReport {
            processed: vec![key(1).id.to_string(), key(3).id.to_string()],
            unprocessed: vec![(key(2).id.to_string(), "FindingNotFound: Finding not found".into())],
        }
    );
}

#[tokio::test]
async fn batch_update_findings_refuses_more_than_100_and_sends_nothing_for_none() {
    let rule = mock!(Client::batch_update_findings).then_output(|| BatchUpdateFindingsOutput::builder().build());
    let client = mock_client!(aws_sdk_securityhub, [&rule]);
    let update = |n: usize| FindingUpdate {
        findings: (0..n).map(key).collect(),
        format: Default::default(),
        status: WorkflowStatus::Notified,
        note: String::new(),
        updated_by: String::new(),
    };
    let err = batch_update_findings(&client, &update(101), "BatchUpdateFindings in test").await.expect_err("101");
    assert!(matches!(err, CloudError::Other(ref m) if m.contains("101") && m.contains("at most 100")), "{err:?}");
    assert_eq!(batch_update_findings(&client, &update(0), "test").await.unwrap(), UpdateReport::default());
    assert_eq!(rule.num_calls(), 0, "nothing was sent");
    batch_update_findings(&client, &update(100), "test").await.unwrap();
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn batch_update_findings_without_a_note_sends_none_and_the_html_404_of_moto_is_reported_as_unavailable() {
    let (seen, record) = recording::<BatchUpdateFindingsInput>();
    let ok = mock!(Client::batch_update_findings)
        .match_requests(record)
        .then_output(|| BatchUpdateFindingsOutput::builder().processed_findings(identifier(1)).build());
    let client = mock_client!(aws_sdk_securityhub, [&ok]);
    let update = FindingUpdate {
        findings: vec![key(1)],
        format: Default::default(),
        status: WorkflowStatus::Suppressed,
        note: "  ".into(),
        updated_by: "me".into(),
    };
    batch_update_findings(&client, &update, "test").await.unwrap();
    let req = seen.lock().unwrap()[0].clone();
    assert!(req.note().is_none(), "Security Hub rejects an empty Note.Text");
    assert_eq!(req.workflow().and_then(|w| w.status()).map(|s| s.as_str()), Some("SUPPRESSED"));

    let html = mock!(Client::batch_update_findings)
        .then_http_response(|| response(404, &[("content-type", "text/html")], MOTO_404));
    let client = mock_client!(aws_sdk_securityhub, [&html]);
    let err = batch_update_findings(&client, &update, "BatchUpdateFindings of 1 finding(s) in 111111111111/eu-west-1")
        .await
        .expect_err("404");
    assert!(matches!(err, CloudError::Unsupported(_)), "{err:?}");
    assert!(err.to_string().contains("BatchUpdateFindings of 1 finding(s) in 111111111111/eu-west-1"), "{err}");
    assert!(err.to_string().contains("not implemented"), "{err}");
}
