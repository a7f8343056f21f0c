//! Live plans of security groups and instances against moto, counted at a proxy: the groups and instances of a page
//! of findings are read together (one DescribeSecurityGroups, one DescribeSecurityGroupRules, one
//! DescribeInstances), each finding still gets the plan a read of its resource alone gives, and a group that is gone
//! or an id that is not a group id is an error for its findings only.

use super::support::asff::control_asff;
use super::support::ec2::{create_group, run_instance};
use super::support::moto::moto;
use super::support::proxy;
use super::support::seed::import_findings;
use super::ROLE;
use aws_sdk_ec2::types::{IpPermission, IpRange};
use hubtriage::cli::collect::collect;
use hubtriage::playbook::Basis;
use hubtriage::triage::PlanStatus;
use serde_json::Value;
use std::sync::{Arc, Mutex};

const ACCOUNT: &str = "858585858585";
const REGION: &str = "eu-west-1";
const GONE: &str = "sg-0123456789abcdef0";
const NOT_A_GROUP: &str = "sg-0123,sg-4567";

/// The EC2 action of a request (`DescribeSecurityGroups`, …), when it is one.
fn ec2_action(req: &super::support::http::IncomingRequest) -> Option<String> {
    let body = String::from_utf8_lossy(&req.body);
    let action = body.split('&').find_map(|pair| pair.strip_prefix("Action="))?;
    action.starts_with("Describe").then(|| action.to_string())
}

#[test]
fn the_groups_and_instances_of_a_page_are_read_together_and_each_finding_keeps_its_own_plan() {
    let server = moto();
    let port = server.port;
    let actions = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = actions.clone();
    let fault = proxy::start(
        port,
        Arc::new(move |req| {
            if let Some(action) = ec2_action(req) {
                log.lock().unwrap().push(action);
            }
            None
        }),
    );
    let (endpoint, through) = (server.endpoint(), fault.endpoint());
    let seen = actions.clone();
    let (collected, alone, together) = super::support::sdk::run(async move {
        let ec2 = super::support::sdk::ec2(&super::support::sdk::assumed_config(&endpoint, ACCOUNT).await, REGION);
        let mut groups = Vec::new();
        for n in 0..4 {
            let id = create_group(&ec2, &format!("ht-batch-{n}"), "batched reads", &[("team", "web")]).await;
            let ssh = IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .build();
            ec2.authorize_security_group_ingress().group_id(&id).ip_permissions(ssh).send().await.unwrap();
            groups.push(id);
        }
        let mut instances = Vec::new();
        for n in 0..3 {
            instances.push(run_instance(&ec2, &format!("ht-batch-{n}"), |r| r).await);
        }
        let arn = |kind: &str, id: &str| format!("arn:aws:ec2:{REGION}:{ACCOUNT}:{kind}/{id}");
        let mut findings: Vec<Value> = Vec::new();
        for (n, group) in groups.iter().chain([&GONE.to_string(), &NOT_A_GROUP.to_string()]).enumerate() {
            for copy in 0..2 {
                let resource = arn("security-group", group);
                findings.push(control_asff(
                    "EC2.13",
                    ACCOUNT,
                    REGION,
                    ("AwsEc2SecurityGroup", &resource),
                    &format!("g{n}-{copy}"),
                ));
            }
        }
        for (n, instance) in instances.iter().enumerate() {
            let resource = arn("instance", instance);
            findings.push(control_asff("EC2.8", ACCOUNT, REGION, ("AwsEc2Instance", &resource), &format!("i{n}")));
        }
        tokio::task::spawn_blocking(move || import_findings(port, ROLE, ACCOUNT, REGION, &findings)).await.unwrap();
        let backend = super::support::sdk::backend(&through, &[ACCOUNT], &[REGION]).await;
        let triage = Arc::new(hubtriage::session::triage(&hubtriage::config::Config::default()).unwrap());
        let collected = collect(&backend, &triage).await;
        let together = seen.lock().unwrap().clone();
        // Each finding again, its resource read on its own.
        let resources = backend.resources.clone().expect("live reads");
        let mut alone = Vec::new();
        for row in &collected.rows {
            alone.push(hubtriage::engine::live_plan::assess_live(resources.as_ref(), &triage, &row.finding).await);
        }
        (collected, alone, together)
    });

    assert_eq!(collected.rows.len(), 15);
    for ((row, error), alone) in collected.rows.iter().zip(&collected.live_errors).zip(&alone) {
        let resource = &row.finding.primary_resource().unwrap().id;
        if resource.ends_with(GONE) || resource.ends_with(NOT_A_GROUP) {
            let error = error.as_deref().unwrap_or_else(|| panic!("{resource} read without error"));
            assert!(error.contains("not found: security group"), "{error}");
            assert!(alone.is_err(), "{resource} read alone: {alone:?}");
            continue;
        }
        assert_eq!(error, &None, "{resource}");
        match row.plan() {
            PlanStatus::Planned(plan) => assert_eq!(plan.basis, Basis::Live, "{resource}"),
            other => panic!("{resource}: {other:?}"),
        }
        let alone = alone.as_ref().unwrap_or_else(|e| panic!("{resource} read alone: {e}"));
        assert_eq!((&row.decision, row.plan()), (&alone.decision, &alone.plan), "{resource}: together vs alone");
    }
    // One call of each for the whole page (the id that is not a group id is never sent).
    for action in ["DescribeSecurityGroups", "DescribeSecurityGroupRules", "DescribeInstances"] {
        assert_eq!(together.iter().filter(|a| *a == action).count(), 1, "{action}: {together:?}");
    }
    let alone = actions.lock().unwrap().len() - together.len();
    assert_eq!(alone, 8 * 2 + 2 * 2 + 3, "read alone, each group costs two calls and each instance one");
}
