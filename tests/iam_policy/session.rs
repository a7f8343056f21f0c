//! A session that does everything hubtriage can do to AWS, on moto through the recording proxy: connect and assume
//! the role, read findings, apply and roll back every playbook, apply a fix end to end (verify, update the finding,
//! notify), add, list (with and without the tagging API) and remove exceptions, and run every kind of custom action.
//! Resources are set up directly on moto (not through the proxy), so the proxy sees only the product's calls.

use crate::support::{asff, ec2, ocsf, s3, sdk};
use aws_sdk_ec2::types::{Filter, InstanceMetadataOptionsRequest, IpPermission, IpRange, UserIdGroupPair};
use hubtriage::actions::{ActionRunner, Polling};
use hubtriage::cloud::{Backend, SourceId};
use hubtriage::config::{Config, RemediationConfig};
use hubtriage::engine::audit::AuditLog;
use hubtriage::engine::exceptions::{ExceptionInput, ExceptionOp};
use hubtriage::engine::jobs::{ApplyRequest, JobState};
use hubtriage::engine::remediate::{Remediator, RemediatorSettings};
use hubtriage::model::{Finding, ResourceRef};
use hubtriage::playbook::{Basis, PlanOutcome, Playbooks, PublicAccessBlock};
use hubtriage::triage::Triage;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

/// The member account the session works in (through the role), and its region.
pub const ACCOUNT: &str = "222222222222";
pub const REGION: &str = "eu-west-1";
/// A region of the account where the new Security Hub is on: findings read through GetFindingsV2, updated through
/// BatchUpdateFindingsV2.
pub const V2_REGION: &str = "eu-central-1";
/// Topics in the base account: notifications and the `sns` action.
pub const NOTIFY_TOPIC: &str = "arn:aws:sns:eu-west-1:123456789012:ht-iam-notify";
pub const ONCALL_TOPIC: &str = "arn:aws:sns:eu-west-1:123456789012:ht-iam-oncall";
/// The buckets the session creates, all in [`ACCOUNT`].
pub const BUCKETS: [&str; 5] = ["ht-iam-s3-8", "ht-iam-s3-4", "ht-iam-s3-5", "ht-iam-apply", "ht-iam-exception"];

/// The configuration the session runs with and the policy is generated from: the role, a notification topic, and
/// a custom action of every kind (the automation passes a role).
pub fn config() -> Config {
    let text = format!(
        r#"
[aws]
role_name = "{role}"

[notify]
topic_arn = "{NOTIFY_TOPIC}"

[[actions]]
name = "show"
kind = "command"
argv = ["true", "{{id}}"]

[[actions]]
name = "page"
kind = "sns"
topic_arn = "{ONCALL_TOPIC}"

[[actions]]
name = "mark-notified"
kind = "workflow"
status = "NOTIFIED"
note = "seen by the on-call"

[[actions]]
name = "runbook"
kind = "ssm-automation"
document = "AWS-DisablePublicAccessForSecurityGroup"
parameters = {{ GroupId = ["{{resource_id}}"], AutomationAssumeRole = ["arn:aws:iam::{{account}}:role/HubtriageSsm"] }}
"#,
        role = sdk::ROLE
    );
    Config::parse(&text, std::path::Path::new("iam-session.toml")).unwrap()
}

fn resource(kind: &str, id: &str) -> ResourceRef {
    ResourceRef {
        kind: kind.into(),
        id: id.into(),
        region: Some(REGION.into()),
        tags: Default::default(),
        details: None,
    }
}

/// The resources the playbooks are driven on.
pub struct Fixtures {
    world_ssh_group: String,
    default_group: String,
    instance: String,
    services: super::session_services::ServiceFixtures,
}

/// An OCSF finding in [`V2_REGION`], seeded into the emulator (which turns the new Security Hub on there).
pub fn v2_finding(port: u16) -> Arc<Finding> {
    let json = ocsf::s3_8_ocsf(ACCOUNT, V2_REGION, "ht-iam-v2", "iam-v2");
    ocsf::seed(port, std::slice::from_ref(&json));
    Arc::new(ocsf::read_one(&json))
}

/// Creates the buckets, topics, groups and instance directly on moto.
pub async fn set_up(moto_endpoint: &str) -> Fixtures {
    let assumed = sdk::assumed_config(moto_endpoint, ACCOUNT).await;
    let s3 = sdk::s3(&assumed, REGION);
    for bucket in BUCKETS {
        s3::create_bucket(&s3, bucket, REGION).await;
    }
    s3::put_public_access_block(
        &s3,
        "ht-iam-apply",
        PublicAccessBlock { block_public_acls: true, ..Default::default() },
    )
    .await;
    let sns = aws_sdk_sns::Client::from_conf(
        aws_sdk_sns::config::Builder::from(&sdk::base_config(moto_endpoint))
            .region(aws_config::Region::new(REGION))
            .build(),
    );
    for name in ["ht-iam-notify", "ht-iam-oncall"] {
        sns.create_topic().name(name).send().await.unwrap();
    }

    let ec2 = sdk::ec2(&assumed, REGION);
    let world_ssh_group = ec2::create_group(&ec2, "ht-iam-web", "web", &[("team", "web")]).await;
    let ssh = IpPermission::builder().ip_protocol("tcp").from_port(22).to_port(22);
    ec2.authorize_security_group_ingress()
        .group_id(&world_ssh_group)
        .ip_permissions(ssh.ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build()).build())
        .send()
        .await
        .unwrap();
    let vpc = ec2::default_vpc(&ec2).await;
    let groups = ec2
        .describe_security_groups()
        .filters(Filter::builder().name("vpc-id").values(&vpc).build())
        .filters(Filter::builder().name("group-name").values("default").build())
        .send()
        .await
        .unwrap();
    let default_group = groups.security_groups()[0].group_id().unwrap().to_string();
    // moto's default group has no ingress rule; on AWS it allows all traffic from itself.
    ec2.authorize_security_group_ingress()
        .group_id(&default_group)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("-1")
                .user_id_group_pairs(UserIdGroupPair::builder().group_id(&default_group).build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let instance = ec2::run_instance(&ec2, "legacy", |r| {
        r.metadata_options(
            InstanceMetadataOptionsRequest::builder()
                .http_tokens(aws_sdk_ec2::types::HttpTokensState::Optional)
                .build(),
        )
    })
    .await;
    let services = super::session_services::set_up(moto_endpoint).await;
    Fixtures { world_ssh_group, default_group, instance, services }
}

/// Reads, plans, applies every change and then every rollback change of `control`'s playbook; returns its name.
async fn fix_and_roll_back(backend: &Backend, playbooks: &Playbooks, control: &str, r: &ResourceRef) -> String {
    let resources = sdk::resources(backend);
    let playbook = playbooks.for_control(control).unwrap_or_else(|| panic!("no playbook for {control}"));
    let before = resources.read_state(ACCOUNT, REGION, r).await.unwrap_or_else(|e| panic!("{control}: {e}"));
    let plan = match playbook.plan(control, &before, Basis::Live) {
        Ok(PlanOutcome::Change(plan)) => plan,
        other => panic!("{control}: expected a change for {before:?}, got {other:?}"),
    };
    for change in plan.changes.iter().chain(&plan.rollback) {
        sdk::apply(backend, ACCOUNT, REGION, change).await;
    }
    playbook.name().to_string()
}

/// Every playbook, applied and rolled back; returns the names of the playbooks driven.
pub async fn every_playbook(backend: &Backend, fixtures: &Fixtures) -> BTreeSet<String> {
    let playbooks = Playbooks::new(&Default::default());
    let account = format!("AWS::::Account:{ACCOUNT}");
    let cases = [
        ("S3.1", resource("AwsAccount", &account)),
        ("S3.8", resource("AwsS3Bucket", "arn:aws:s3:::ht-iam-s3-8")),
        ("S3.4", resource("AwsS3Bucket", "arn:aws:s3:::ht-iam-s3-4")),
        ("S3.5", resource("AwsS3Bucket", "arn:aws:s3:::ht-iam-s3-5")),
        ("EC2.2", resource("AwsEc2SecurityGroup", &fixtures.default_group)),
        ("EC2.7", resource("AwsAccount", &account)),
        (
            "EC2.8",
            resource("AwsEc2Instance", &format!("arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{}", fixtures.instance)),
        ),
        (
            "EC2.13",
            resource(
                "AwsEc2SecurityGroup",
                &format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{}", fixtures.world_ssh_group),
            ),
        ),
    ];
    let mut driven = BTreeSet::new();
    let services = super::session_services::cases(&fixtures.services);
    for (control, r) in cases.iter().chain(&services) {
        driven.insert(fix_and_roll_back(backend, &playbooks, control, r).await);
    }
    driven
}

/// A remediator over `backend` with the session's settings.
fn remediator(backend: &Backend, config: &Config, dir: &std::path::Path) -> Arc<Remediator> {
    let triage = Arc::new(Triage { policy: config.policy().unwrap(), playbooks: Playbooks::new(&config.playbooks) });
    let settings = RemediatorSettings {
        read_only: false,
        exceptions: config.exceptions.clone(),
        notify: config.notify.clone(),
        remediation: RemediationConfig { verify_first_delay_ms: 10, ..Default::default() },
    };
    let audit = AuditLog::open(&dir.join("audit.jsonl")).unwrap();
    Remediator::new(backend, triage, audit, Vec::new(), settings).unwrap()
}

fn exception(resource: ResourceRef) -> ExceptionInput {
    ExceptionInput {
        account_id: ACCOUNT.into(),
        region: REGION.into(),
        resource,
        reason: "vendor scanner".into(),
        expires: "10d".into(),
        owner: "alice".into(),
        controls: String::new(),
    }
}

/// The findings read, a fix end to end, exceptions, and every custom action. `deny_tagging_api` is set while the
/// exceptions are listed a second time, so the listing without the tagging API runs too.
pub async fn engine(
    backend: &Backend,
    fixtures: &Fixtures,
    v2_finding: Arc<Finding>,
    deny_tagging_api: &std::sync::atomic::AtomicBool,
) {
    use std::sync::atomic::Ordering;
    let config = config();
    let dir = tempfile::tempdir().unwrap();
    let remediator = remediator(backend, &config, dir.path());
    let source = SourceId { account_id: ACCOUNT.into(), region: REGION.into() };
    backend.findings.fetch_page(&source, None).await.unwrap();
    let v2_source = SourceId { account_id: ACCOUNT.into(), region: V2_REGION.into() };
    let v2_page = backend.findings.fetch_page(&v2_source, None).await.unwrap();
    assert!(v2_page.findings.iter().any(|f| f.id == v2_finding.id), "read through GetFindingsV2");
    let counts = backend.findings.open_counts(&v2_source).await.unwrap();
    assert!(counts.is_some_and(|c| c.by_control.contains_key("S3.8")), "counted by GetFindingStatisticsV2");

    let finding: Arc<Finding> =
        Arc::new(asff::read_one(&asff::s3_8_asff(ACCOUNT, REGION, "ht-iam-apply", "ht-iam-apply")));
    let preview = remediator.assess_all(vec![finding.clone()]).await;
    let plan = preview[0].result.as_ref().unwrap().plan.plan().cloned().expect("a live plan");
    let request =
        ApplyRequest { findings: vec![finding.clone()], control_id: "S3.8".into(), approved: Some(plan), origin: None };
    let state = remediator.run_apply(1, request, None).await;
    assert!(matches!(state, JobState::Resolved), "{state:?}");

    let bucket = resource("AwsS3Bucket", "arn:aws:s3:::ht-iam-exception");
    let group = resource(
        "AwsEc2SecurityGroup",
        &format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{}", fixtures.world_ssh_group),
    );
    // KMS keys and IAM users too (TagResource/UntagResource, TagUser/UntagUser; IAM always listed by IAM's calls).
    let key = resource("AwsKmsKey", &format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{}", fixtures.services.key));
    let user = resource("AwsIamUser", &format!("arn:aws:iam::{ACCOUNT}:user/{}", fixtures.services.user));
    for r in [&bucket, &group, &key, &user] {
        let state = remediator.run_exception(2, ExceptionOp::Add(exception(r.clone())), None).await;
        assert!(matches!(state, JobState::Verified), "{}: {state:?}", r.kind);
    }
    for deny in [false, true] {
        deny_tagging_api.store(deny, Ordering::SeqCst);
        let (entries, problems) = remediator.list_exceptions(std::slice::from_ref(&source), chrono::Utc::now()).await;
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(entries.len(), 4, "tagging API denied: {deny}: {entries:?}");
    }
    deny_tagging_api.store(false, Ordering::SeqCst);
    for r in [&bucket, &group, &key, &user] {
        let op = ExceptionOp::Remove { account_id: ACCOUNT.into(), region: REGION.into(), resource: r.clone() };
        let state = remediator.run_exception(3, op, None).await;
        assert!(matches!(state, JobState::Verified), "{}: {state:?}", r.kind);
    }
    // RDS snapshots and trails: AddTagsToResource/RemoveTagsFromResource, AddTags/RemoveTags.
    for r in super::session_services::tag_targets(&fixtures.services) {
        let state = remediator.run_exception(2, ExceptionOp::Add(exception(r.clone())), None).await;
        assert!(matches!(state, JobState::Verified), "{}: {state:?}", r.kind);
        let op = ExceptionOp::Remove { account_id: ACCOUNT.into(), region: REGION.into(), resource: r.clone() };
        let state = remediator.run_exception(3, op, None).await;
        assert!(matches!(state, JobState::Verified), "{}: {state:?}", r.kind);
    }

    let polling = Polling {
        first_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(10),
        total: Duration::from_secs(10),
    };
    let runner = ActionRunner::new(config.actions.clone(), Some(remediator.clone())).with_polling(polling);
    for action in ["show", "page", "mark-notified", "runbook"] {
        let outcome = runner.run(4, action, std::slice::from_ref(&finding), None).await;
        assert!(outcome.is_ok(), "{action}: {outcome:?}");
    }
    let outcome = runner.run(5, "mark-notified", &[v2_finding], None).await;
    assert!(outcome.is_ok(), "an OCSF finding marked notified: {outcome:?}");
}
