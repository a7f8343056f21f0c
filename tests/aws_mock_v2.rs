//! What we send to BatchUpdateFindingsV2 and how we read its answer, through the real SDK with `aws-smithy-mocks`:
//! OCSF findings named by their `metadata.uid`, the status as its `StatusId`, the note as a `Comment` of at most 512
//! characters (none when empty), and every unprocessed finding reported with its reason.
#![allow(clippy::unwrap_used)]

use aws_sdk_securityhub::operation::batch_update_findings_v2::{
    BatchUpdateFindingsV2Input, BatchUpdateFindingsV2Output,
};
use aws_sdk_securityhub::types::{
    BatchUpdateFindingsV2ProcessedFinding, BatchUpdateFindingsV2UnprocessedFinding,
    BatchUpdateFindingsV2UnprocessedFindingErrorCode,
};
use aws_sdk_securityhub::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use hubtriage::cloud::aws::batch_update_findings_v2;
use hubtriage::cloud::{CloudError, FindingUpdate, UpdateReport};
use hubtriage::model::{FindingFormat, FindingKey, WorkflowStatus};
use std::sync::{Arc, Mutex};

/// An OCSF finding's key: (`metadata.product.uid`, `metadata.uid`).
fn key(n: usize) -> FindingKey {
    FindingKey {
        product_arn: "arn:aws:securityhub:eu-west-1::productv2/aws/securityhub".into(),
        id: format!("meta-{n}").into(),
    }
}

fn update(n: usize, status: WorkflowStatus, note: &str) -> FindingUpdate {
    FindingUpdate {
        findings: (1..=n).map(key).collect(),
        format: FindingFormat::Ocsf,
        status,
        note: note.into(),
        updated_by: "arn:aws:sts::123456789012:assumed-role/Ops/alice".into(),
    }
}

fn processed(n: usize) -> BatchUpdateFindingsV2ProcessedFinding {
    BatchUpdateFindingsV2ProcessedFinding::builder().metadata_uid(format!("meta-{n}")).build()
}

/// A mock of BatchUpdateFindingsV2 answering `output`, and every request it saw, in order.
fn recorded(
    output: fn() -> BatchUpdateFindingsV2Output,
) -> (Arc<Mutex<Vec<BatchUpdateFindingsV2Input>>>, aws_smithy_mocks::Rule) {
    let seen: Arc<Mutex<Vec<BatchUpdateFindingsV2Input>>> = Arc::default();
    let record = seen.clone();
    let rule = mock!(Client::batch_update_findings_v2)
        .match_requests(move |req| {
            record.lock().unwrap().push(req.clone());
            true
        })
        .then_output(output);
    (seen, rule)
}

#[tokio::test]
async fn batch_update_findings_v2_names_metadata_uids_with_status_id_and_a_bounded_comment() {
    let (seen, rule) = recorded(|| {
        BatchUpdateFindingsV2Output::builder()
            .processed_findings(processed(1))
            .processed_findings(processed(3))
            .unprocessed_findings(
                BatchUpdateFindingsV2UnprocessedFinding::builder()
                    .metadata_uid("meta-2")
                    .error_code(BatchUpdateFindingsV2UnprocessedFindingErrorCode::ResourceNotFoundException)
                    .error_message("The finding was not found")
                    .build(),
            )
            .build()
    });
    let client = mock_client!(aws_sdk_securityhub, [&rule]);
    let long = format!("hubtriage fixed this: {}", "é".repeat(600));
    let report = batch_update_findings_v2(&client, &update(3, WorkflowStatus::Resolved, &long), "test").await.unwrap();

    let req = seen.lock().unwrap()[0].clone();
    assert_eq!(req.metadata_uids(), ["meta-1", "meta-2", "meta-3"]);
    assert!(req.finding_identifiers().is_empty(), "MetadataUids and FindingIdentifiers are never both given");
    assert_eq!(req.status_id(), Some(4), "RESOLVED is OCSF status_id 4");
    let comment = req.comment().unwrap();
    assert_eq!(comment.chars().count(), 512, "Comment is at most 512 characters");
    assert!(comment.starts_with("hubtriage fixed this: éé") && comment.ends_with('…'), "{comment}");
    assert_eq!(req.severity_id(), None, "nothing else is changed");
    assert_eq!(
        report,
        UpdateReport {
            processed: vec!["meta-1".into(), "meta-3".into()],
            unprocessed: vec![("meta-2".into(), "ResourceNotFoundException: The finding was not found".into())],
        }
    );
}

#[tokio::test]
async fn every_status_maps_to_its_id_an_empty_note_sends_no_comment_and_more_than_100_are_refused() {
    let (seen, rule) = recorded(|| BatchUpdateFindingsV2Output::builder().build());
    let client = mock_client!(aws_sdk_securityhub, RuleMode::MatchAny, [&rule]);
    for status in [WorkflowStatus::New, WorkflowStatus::Notified, WorkflowStatus::Suppressed, WorkflowStatus::Resolved]
    {
        batch_update_findings_v2(&client, &update(1, status, "  "), "test").await.unwrap();
    }
    let sent: Vec<(Option<i32>, Option<String>)> =
        seen.lock().unwrap().iter().map(|r| (r.status_id(), r.comment().map(String::from))).collect();
    assert_eq!(sent, [(Some(1), None), (Some(2), None), (Some(3), None), (Some(4), None)]);

    let err = batch_update_findings_v2(&client, &update(101, WorkflowStatus::New, "x"), "test").await.expect_err("101");
    assert!(
        matches!(err, CloudError::Other(ref m) if m.contains("BatchUpdateFindingsV2") && m.contains("at most 100"))
    );
    assert_eq!(
        batch_update_findings_v2(&client, &update(0, WorkflowStatus::New, "x"), "t").await.unwrap(),
        UpdateReport::default()
    );
    assert_eq!(rule.num_calls(), 4, "nothing sent for 101 findings or for none");
}
