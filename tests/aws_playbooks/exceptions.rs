//! An exception limited to one control (`SecurityExceptionControls`) on a security group with two failing
//! controls: written through the adapter as the exception form writes it, read back live, it excepts only its own
//! control's finding. Exceptions on a KMS key and an IAM user except their KMS.4 and IAM.3 findings, keep the
//! resource's other tags, and their removal takes only the exception tags.

use super::*;
use aws_sdk_ec2::types::{IpPermission, IpRange};
use hubtriage::config::Config;
use hubtriage::policy::Verdict;
use hubtriage::triage::Triage;

fn group_finding(account: &str, group: &str, control: &str) -> hubtriage::model::Finding {
    let arn = format!("arn:aws:ec2:{REGION}:{account}:security-group/{group}");
    resource_finding(account, control, "AwsEc2SecurityGroup", &arn)
}

fn resource_finding(account: &str, control: &str, kind: &str, arn: &str) -> hubtriage::model::Finding {
    let json = serde_json::json!({
        "SchemaVersion": "2018-10-08",
        "Id": format!("arn:aws:securityhub:{REGION}:{account}:security-control/{control}/finding/{arn}"),
        "ProductArn": format!("arn:aws:securityhub:{REGION}::product/aws/securityhub"),
        "GeneratorId": format!("security-control/{control}"),
        "AwsAccountId": account,
        "Region": REGION,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "CreatedAt": "2026-11-01T10:00:00Z",
        "UpdatedAt": "2026-11-20T10:00:00Z",
        "Severity": {"Label": "HIGH"},
        "Title": format!("{control} failed"),
        "Description": "world-open port",
        "Compliance": {"Status": "FAILED", "SecurityControlId": control},
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "Resources": [{"Type": kind, "Id": arn, "Region": REGION}]
    });
    support::asff::read_one(&json)
}

#[test]
fn a_per_control_exception_silences_only_its_control() {
    const ACCOUNT: &str = "210000000006";
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let ec2 = sdk::ec2(&sdk::assumed_config(&endpoint, ACCOUNT).await, REGION);
        let group = support::ec2::create_group(&ec2, "ht-two-controls", "ssh and rdp", &[]).await;
        for port in [22, 3389] {
            let open = IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(port)
                .to_port(port)
                .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .build();
            ec2.authorize_security_group_ingress().group_id(&group).ip_permissions(open).send().await.unwrap();
        }
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let expiry = (chrono::Utc::now() + chrono::Duration::days(20)).format("%Y-%m-%d").to_string();
        let tags: BTreeMap<String, String> = [
            ("SecurityException", "bastion until the VPN lands"),
            ("SecurityExceptionExpiry", expiry.as_str()),
            ("SecurityExceptionOwner", "alice"),
            ("SecurityExceptionControls", "EC2.13"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let change =
            Change::TagResource { resource_type: "AwsEc2SecurityGroup".into(), resource_id: group.clone(), tags };
        sdk::apply(&backend, ACCOUNT, REGION, &change).await;

        let config = Config::default();
        let triage = Triage { policy: config.policy().unwrap(), playbooks: Playbooks::new(&config.playbooks) };
        let ssh = group_finding(ACCOUNT, &group, "EC2.13");
        let rdp = group_finding(ACCOUNT, &group, "EC2.14");
        let state = read(&backend, ACCOUNT, ssh.primary_resource().unwrap()).await;
        assert_eq!(state.tags().get("SecurityExceptionControls").map(String::as_str), Some("EC2.13"));
        let now = chrono::Utc::now();
        let ssh_decision = triage.assess(&ssh, Some(&state), now).decision;
        assert_eq!(ssh_decision.verdict, Verdict::Excepted, "{}", ssh_decision.reason);
        assert!(ssh_decision.reason.contains("for EC2.13"), "{}", ssh_decision.reason);
        let rdp_assessment = triage.assess(&rdp, Some(&state), now);
        assert_eq!(rdp_assessment.decision.verdict, Verdict::NeedsApproval, "{}", rdp_assessment.decision.reason);
        assert!(rdp_assessment.decision.reason.contains("covers only EC2.13"), "{}", rdp_assessment.decision.reason);
        assert!(rdp_assessment.plan.plan().is_some(), "EC2.14 still gets its plan");
    });
}

/// The three exception tags, expiring in 20 days.
fn exception_tags() -> BTreeMap<String, String> {
    let expiry = (chrono::Utc::now() + chrono::Duration::days(20)).format("%Y-%m-%d").to_string();
    [
        ("SecurityException", "vendor appliance"),
        ("SecurityExceptionExpiry", expiry.as_str()),
        ("SecurityExceptionOwner", "bob"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Reads the resource, and gives the verdict on its finding.
async fn verdict(backend: &Backend, account: &str, control: &str, r: &ResourceRef) -> (Verdict, String) {
    let config = Config::default();
    let triage = Triage { policy: config.policy().unwrap(), playbooks: Playbooks::new(&config.playbooks) };
    let finding = resource_finding(account, control, &r.kind, &r.id);
    let state = read(backend, account, r).await;
    let decision = triage.assess(&finding, Some(&state), chrono::Utc::now()).decision;
    (decision.verdict, decision.reason.to_string())
}

fn untag(kind: &str, id: &str) -> Change {
    Change::UntagResource {
        resource_type: kind.into(),
        resource_id: id.into(),
        keys: exception_tags().into_keys().collect(),
    }
}

#[test]
fn an_exception_on_a_kms_key_excepts_kms_4_and_keeps_its_other_tags() {
    const ACCOUNT: &str = "210000000007";
    let server = moto();
    let endpoint = server.endpoint();
    run(async move {
        let kms = kms(&sdk::assumed_config(&endpoint, ACCOUNT).await);
        let team = aws_sdk_kms::types::Tag::builder().tag_key("team").tag_value("data").build().unwrap();
        let key = kms.create_key().tags(team).send().await.unwrap().key_metadata().unwrap().key_id().to_string();
        let arn = format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{key}");
        let r = resource("AwsKmsKey", &arn);
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let (before, reason) = verdict(&backend, ACCOUNT, "KMS.4", &r).await;
        assert_ne!(before, Verdict::Excepted, "{reason}");

        let tag =
            Change::TagResource { resource_type: "AwsKmsKey".into(), resource_id: arn.clone(), tags: exception_tags() };
        assert_eq!(tag.operation(), "kms:TagResource");
        sdk::apply(&backend, ACCOUNT, REGION, &tag).await;
        let (after, reason) = verdict(&backend, ACCOUNT, "KMS.4", &r).await;
        assert_eq!(after, Verdict::Excepted, "{reason}");
        let tags =
            |out: aws_sdk_kms::operation::list_resource_tags::ListResourceTagsOutput| -> BTreeMap<String, String> {
                out.tags().iter().map(|t| (t.tag_key().to_string(), t.tag_value().to_string())).collect()
            };
        let all = tags(kms.list_resource_tags().key_id(&key).send().await.unwrap());
        assert_eq!(all.get("team").map(String::as_str), Some("data"), "{all:?}");
        assert_eq!(all.len(), 4, "{all:?}");

        sdk::apply(&backend, ACCOUNT, REGION, &untag("AwsKmsKey", &arn)).await;
        let rest = tags(kms.list_resource_tags().key_id(&key).send().await.unwrap());
        assert_eq!(rest, [("team".to_string(), "data".to_string())].into(), "only the exception tags are removed");
        let (restored, reason) = verdict(&backend, ACCOUNT, "KMS.4", &r).await;
        assert_eq!(restored, before, "{reason}");
    });
}

#[test]
fn an_exception_on_an_iam_user_excepts_iam_3_and_keeps_its_other_tags() {
    const ACCOUNT: &str = "210000000008";
    let server = moto();
    let (endpoint, port) = (server.endpoint(), server.port);
    run(async move {
        let iam = iam(&sdk::assumed_config(&endpoint, ACCOUNT).await);
        let team = aws_sdk_iam::types::Tag::builder().key("team").value("ops").build().unwrap();
        iam.create_user().user_name("legacy-ci").tags(team).send().await.unwrap();
        let key = iam.create_access_key().user_name("legacy-ci").send().await.unwrap();
        super::cases::date_key(port, ACCOUNT, key.access_key().unwrap().access_key_id(), 400, Some(1));
        let arn = format!("arn:aws:iam::{ACCOUNT}:user/legacy-ci");
        let r = resource("AwsIamUser", &arn);
        let backend = sdk::backend(&endpoint, &[ACCOUNT], &[REGION]).await;
        let (before, reason) = verdict(&backend, ACCOUNT, "IAM.3", &r).await;
        assert_ne!(before, Verdict::Excepted, "{reason}");

        let tag = Change::TagResource {
            resource_type: "AwsIamUser".into(),
            resource_id: arn.clone(),
            tags: exception_tags(),
        };
        assert_eq!(tag.operation(), "iam:TagUser");
        sdk::apply(&backend, ACCOUNT, REGION, &tag).await;
        let (after, reason) = verdict(&backend, ACCOUNT, "IAM.3", &r).await;
        assert_eq!(after, Verdict::Excepted, "{reason}");
        let tags = |out: aws_sdk_iam::operation::list_user_tags::ListUserTagsOutput| -> BTreeMap<String, String> {
            out.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()
        };
        let all = tags(iam.list_user_tags().user_name("legacy-ci").send().await.unwrap());
        assert_eq!(all.get("team").map(String::as_str), Some("ops"), "{all:?}");
        assert_eq!(all.len(), 4, "{all:?}");

        sdk::apply(&backend, ACCOUNT, REGION, &untag("AwsIamUser", &arn)).await;
        let rest = tags(iam.list_user_tags().user_name("legacy-ci").send().await.unwrap());
        assert_eq!(rest, [("team".to_string(), "ops".to_string())].into(), "only the exception tags are removed");
    });
}
