//! Exceptions limited to some controls (`SecurityExceptionControls`): on a bucket with two failing controls, the
//! exception silences only its own; renewing it for every control writes `*`; removing it removes that tag too.

use super::exception_tests::{fixture, resource, tags, ARTIFACTS, EU, STAGING};
use super::*;
use crate::cloud::SourceId;
use crate::config::ExceptionsConfig;
use crate::engine::exceptions::{ExceptionInput, ExceptionOp};
use crate::policy::Verdict;

fn add_for(controls: &str) -> ExceptionOp {
    ExceptionOp::Add(ExceptionInput {
        account_id: STAGING.into(),
        region: EU.into(),
        resource: resource("AwsS3Bucket", ARTIFACTS),
        reason: "vendor audit".into(),
        expires: "30d".into(),
        owner: String::new(),
        controls: controls.into(),
    })
}

#[tokio::test]
async fn a_per_control_exception_silences_only_its_control() {
    let f = fixture(false, ExceptionsConfig::default());
    let src = SourceId { account_id: STAGING.into(), region: EU.into() };
    let open_controls = |f: &super::exception_tests::Fx| {
        let mut found: Vec<Arc<Finding>> = f
            .org
            .findings(&src, false)
            .into_iter()
            .filter(|x| x.resources[0].id == ARTIFACTS && x.control_id.is_some())
            .map(Arc::new)
            .collect();
        found.sort_by(|a, b| a.control_id.cmp(&b.control_id));
        found
    };
    let findings = open_controls(&f);
    assert!(findings.iter().any(|x| x.control_id.as_deref() == Some("S3.8")), "S3.8 fails");
    let other =
        findings.iter().position(|x| x.control_id.as_deref() != Some("S3.8")).expect("a second failing control");
    let other_control = findings[other].control_id.clone().unwrap_or_default();

    let state = f.remediator.run_exception(1, add_for("S3.8"), None).await;
    assert_eq!(state, JobState::Verified);
    assert_eq!(
        tags(&f, "AwsS3Bucket", ARTIFACTS).await.get("SecurityExceptionControls").map(String::as_str),
        Some("S3.8")
    );
    let verdicts = |f: &super::exception_tests::Fx| {
        let findings = open_controls(f);
        let remediator = f.remediator.clone();
        async move {
            remediator
                .assess_all(findings.clone())
                .await
                .into_iter()
                .zip(&findings)
                .map(|(a, x)| (x.control_id.clone().unwrap_or_default(), a.result.expect("live").decision))
                .collect::<Vec<_>>()
        }
    };
    let decided = verdicts(&f).await;
    let of = |control: &str| decided.iter().find(|(c, _)| &**c == control).map(|(_, d)| d.clone()).expect("decided");
    let excepted = of("S3.8");
    assert_eq!(excepted.verdict, Verdict::Excepted, "{}", excepted.reason);
    assert!(excepted.reason.contains("for S3.8"), "{}", excepted.reason);
    let not = of(&other_control);
    assert_ne!(not.verdict, Verdict::Excepted, "{other_control}: {}", not.reason);
    assert!(not.reason.contains("covers only S3.8"), "{}", not.reason);

    // Renewed for every control: the controls tag says so, and both are excepted.
    f.remediator.run_exception(2, add_for(""), None).await;
    assert_eq!(
        tags(&f, "AwsS3Bucket", ARTIFACTS).await.get("SecurityExceptionControls").map(String::as_str),
        Some("*")
    );
    assert!(verdicts(&f).await.iter().all(|(_, d)| d.verdict == Verdict::Excepted));

    // Removed: all four tags go.
    let removal = ExceptionOp::Remove {
        account_id: STAGING.into(),
        region: EU.into(),
        resource: resource("AwsS3Bucket", ARTIFACTS),
    };
    f.remediator.run_exception(3, removal, None).await;
    let after = tags(&f, "AwsS3Bucket", ARTIFACTS).await;
    assert!(after.keys().all(|k| !k.starts_with("SecurityException")), "{after:?}");
}
