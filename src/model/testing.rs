//! Findings for unit tests.

use super::finding::*;

/// A failed control finding on one resource, with the given control, severity and account.
pub fn control_finding(control: &str, severity: Severity, account: &str, resource_type: &str) -> Finding {
    Finding {
        format: FindingFormat::Asff,
        id: format!("arn:aws:securityhub:eu-west-1:{account}:security-control/{control}/finding/1").into(),
        product_arn: "arn:aws:securityhub:eu-west-1::product/aws/securityhub".into(),
        finding_uid: None,
        product_name: "Security Hub".into(),
        generator_id: format!("security-control/{control}").into(),
        control_id: Some(control.into()),
        title: format!("{control} title").into(),
        description: "".into(),
        severity,
        account_id: account.into(),
        region: "eu-west-1".into(),
        resources: vec![ResourceRef {
            kind: resource_type.into(),
            id: "arn:aws:s3:::example-bucket".into(),
            region: None,
            tags: Default::default(),
            details: None,
        }],
        workflow_status: WorkflowStatus::New,
        record_state: RecordState::Active,
        compliance_status: Some(ComplianceStatus::Failed),
        created_at: None,
        updated_at: None,
        first_observed_at: None,
        types: vec!["Software and Configuration Checks/Industry and Regulatory Standards".into()],
        warnings: Vec::new(),
        raw: crate::model::raw_json::RawJson::inline("{}"),
    }
}
