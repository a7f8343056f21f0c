//! An exception limited to one control (`SecurityExceptionControls`) on a security group with two failing
//! controls: written through the adapter as the exception form writes it, read back live, it excepts only its own
//! control's finding.

use super::*;
use aws_sdk_ec2::types::{IpPermission, IpRange};
use hubtriage::config::Config;
use hubtriage::policy::Verdict;
use hubtriage::triage::Triage;

fn group_finding(account: &str, group: &str, control: &str) -> hubtriage::model::Finding {
    let json = serde_json::json!({
        "SchemaVersion": "2018-10-08",
        "Id": format!("arn:aws:securityhub:{REGION}:{account}:security-control/{control}/finding/{group}"),
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
        "Resources": [{"Type": "AwsEc2SecurityGroup", "Id": format!("arn:aws:ec2:{REGION}:{account}:security-group/{group}"), "Region": REGION}]
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
