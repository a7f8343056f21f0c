use super::*;
use std::collections::BTreeMap;

fn bucket(tags: &[(&str, &str)]) -> ResourceState {
    ResourceState::S3Bucket(BucketState {
        name: "acme-logs".into(),
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        public_access_block: BucketPublicAccessBlock::NotConfigured,
        encryption: None,
        encryption_kms_key: None,
        policy: None,
        tags: tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        unread: crate::playbook::BucketParts::NONE,
    })
}

fn account() -> ResourceState {
    ResourceState::Account(AccountState {
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        s3_public_access_block: BucketPublicAccessBlock::NotConfigured,
        ebs_encryption_by_default: Some(false),
        public_ebs_snapshots: None,
    })
}

fn group() -> ResourceState {
    let rule = SecurityGroupRule {
        rule_id: Some("sgr-1".into()),
        protocol: "-1".into(),
        from_port: -1,
        to_port: -1,
        cidr_ipv4: Some("0.0.0.0/0".into()),
        cidr_ipv6: None,
        referenced_group: None,
        description: None,
        is_egress: false,
    };
    ResourceState::SecurityGroup(SecurityGroupState {
        group_id: "sg-1".into(),
        group_name: "default".into(),
        vpc_id: None,
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        rules: vec![rule.clone(), SecurityGroupRule { is_egress: true, rule_id: Some("sgr-2".into()), ..rule }],
        tags: BTreeMap::new(),
    })
}

fn instance() -> ResourceState {
    ResourceState::Instance(InstanceState {
        instance_id: "i-1".into(),
        account_id: "111111111111".into(),
        region: "eu-west-1".into(),
        http_tokens: Some("optional".into()),
        http_endpoint: None,
        tags: BTreeMap::new(),
    })
}

fn planned(playbooks: &Playbooks, control: &str, state: &ResourceState) -> Plan {
    match playbooks.plan(control, state, Basis::Live) {
        Some(Ok(PlanOutcome::Change(p))) => p,
        other => panic!("{control}: expected a change, got {other:?}"),
    }
}

#[test]
fn every_designed_control_has_a_playbook_for_its_resource_type() {
    let playbooks = Playbooks::new(&PlaybookSettings::default());
    for (control, resource_type) in [
        ("S3.1", "AwsAccount"),
        ("S3.2", "AwsS3Bucket"),
        ("S3.3", "AwsS3Bucket"),
        ("S3.4", "AwsS3Bucket"),
        ("S3.5", "AwsS3Bucket"),
        ("S3.8", "AwsS3Bucket"),
        ("S3.17", "AwsS3Bucket"),
        ("EC2.2", "AwsEc2SecurityGroup"),
        ("EC2.7", "AwsAccount"),
        ("EC2.8", "AwsEc2Instance"),
        ("EC2.13", "AwsEc2SecurityGroup"),
        ("EC2.19", "AwsEc2SecurityGroup"),
        ("EC2.54", "AwsEc2SecurityGroup"),
    ] {
        let playbook = playbooks.for_control(control).unwrap_or_else(|| panic!("no playbook for {control}"));
        assert_eq!(playbook.resource_type(), resource_type, "{control}");
    }
    assert!(playbooks.plan("IAM.6", &account(), Basis::Live).is_none());
    let names: std::collections::BTreeSet<&str> = playbooks.iter().map(|p| p.name()).collect();
    assert_eq!(names.len(), playbooks.iter().count(), "names are unique");
}

#[test]
fn iam_actions_cover_every_change_and_rollback() {
    let playbooks = Playbooks::new(&PlaybookSettings::default());
    for (control, state) in [
        ("S3.1", account()),
        ("S3.2", bucket(&[])),
        ("S3.4", bucket(&[])),
        ("S3.17", bucket(&[])),
        ("S3.5", bucket(&[])),
        ("EC2.2", group()),
        ("EC2.19", group()),
        ("EC2.7", account()),
        ("EC2.8", instance()),
    ] {
        let plan = planned(&playbooks, control, &state);
        let actions = playbooks.for_control(control).map(|p| p.iam_actions()).unwrap_or_default();
        assert!(!plan.changes.is_empty() && !plan.rollback.is_empty(), "{control}");
        for change in plan.changes.iter().chain(&plan.rollback) {
            assert!(
                actions.contains(&change.operation()),
                "{control}: {} missing from {actions:?}",
                change.operation()
            );
        }
        assert!(
            actions.iter().any(|a| a.contains(":Get") || a.contains(":Describe")),
            "{control}: the state read needs a permission too"
        );
    }
}

#[test]
fn infrastructure_as_code_tags_add_a_warning() {
    let playbooks = Playbooks::new(&PlaybookSettings::default());
    let p = planned(&playbooks, "S3.2", &bucket(&[("aws:cloudformation:stack-name", "logging")]));
    assert_eq!(
        p.warnings.last().map(String::as_str),
        Some("resource is managed by infrastructure as code (tag aws:cloudformation:stack-name=logging): this fix will drift from the code; consider changing the code instead")
    );
    let p = planned(&playbooks, "S3.2", &bucket(&[("aws:cloudformation:logical-id", "Logs")]));
    assert!(p.warnings.iter().any(|w| w.contains("tag aws:cloudformation:logical-id=Logs")), "{:?}", p.warnings);
    let p = planned(&playbooks, "S3.2", &bucket(&[("ManagedBy", "terraform\u{1b}[2J")]));
    assert!(
        p.warnings.iter().any(|w| w.contains("tag ManagedBy=terraform") && !w.contains('\u{1b}')),
        "{:?}",
        p.warnings
    );
    let p = planned(&playbooks, "S3.2", &bucket(&[("team", "data")]));
    assert!(!p.warnings.iter().any(|w| w.contains("infrastructure as code")), "{:?}", p.warnings);

    let custom =
        Playbooks::new(&PlaybookSettings { iac_tag_keys: vec!["pulumi:project".into()], ..Default::default() });
    let p = planned(&custom, "S3.2", &bucket(&[("pulumi:project", "core"), ("ManagedBy", "x")]));
    assert!(p.warnings.iter().any(|w| w.contains("tag pulumi:project=core")), "{:?}", p.warnings);
}

#[test]
fn compliant_outcomes_and_errors_pass_through_unchanged() {
    let playbooks = Playbooks::new(&PlaybookSettings::default());
    let tagged = ResourceState::S3Bucket(match bucket(&[("terraform", "true")]) {
        ResourceState::S3Bucket(b) => BucketState { encryption: Some("AES256".into()), ..b },
        _ => unreachable!(),
    });
    assert!(matches!(playbooks.plan("S3.4", &tagged, Basis::Live), Some(Ok(PlanOutcome::AlreadyCompliant(_)))));
    assert!(matches!(playbooks.plan("EC2.8", &tagged, Basis::Live), Some(Err(PlanError::WrongResource { .. }))));
}

#[test]
fn settings_read_from_toml_and_validate() {
    let settings: PlaybookSettings = toml::from_str(
        "authorized_public_ports = [443]\ns3_kms_key_id = \"alias/security\"\niac_tag_keys = [\"pulumi:project\"]",
    )
    .expect("toml");
    assert_eq!(settings.s3_kms_key_id.as_deref(), Some("alias/security"));
    assert_eq!(settings.iac_tag_keys, ["pulumi:project"]);
    assert_eq!(settings.validate(), Ok(()));
    let defaults: PlaybookSettings = toml::from_str("").expect("toml");
    assert_eq!(defaults, PlaybookSettings::default());
    assert!(defaults.iac_tag_keys.contains(&"aws:cloudformation:stack-name".to_string()));
    assert_eq!(defaults.s3_kms_key_id, None);
    let blank = PlaybookSettings { s3_kms_key_id: Some(" ".into()), ..Default::default() };
    assert!(blank.validate().is_err_and(|e| e.starts_with("playbooks.s3_kms_key_id")));
    let port = PlaybookSettings { authorized_public_ports: vec![70000], ..Default::default() };
    assert!(port.validate().is_err_and(|e| e.contains("70000")));
}

#[test]
fn each_control_finds_its_playbook_enabled_or_switched_off() {
    let every = Playbooks::new(&PlaybookSettings::default());
    let names: Vec<&str> = every.all.iter().map(|(p, _)| p.name()).collect();
    // Every other playbook switched off: a control is found through the one list it is in.
    let disabled: Vec<String> = names.iter().step_by(2).map(|n| n.to_string()).collect();
    let half = Playbooks::new(&PlaybookSettings { disabled: disabled.clone(), ..Default::default() });
    let mut controls = 0;
    for (playbook, _) in &every.all {
        for &control in playbook.controls() {
            controls += 1;
            let first = every.all.iter().find(|(p, _)| p.controls().contains(&control)).map(|(p, _)| p.name());
            assert_eq!(every.for_control(control).map(|p| p.name()), first, "{control}");
            assert!(every.disabled_for(control).is_none(), "{control}");
            let off = disabled.iter().any(|d| Some(d.as_str()) == first);
            let (on_name, off_name) = (half.for_control(control).map(|p| p.name()), half.disabled_for(control));
            assert_eq!(on_name.is_some(), !off, "{control}");
            assert_eq!(off_name.map(|p| p.name()), first.filter(|_| off), "{control}");
        }
    }
    assert!(controls > 10, "{controls} controls");
    for unknown in ["S3.999", "", "s3.8", "S3.8 ", "CloudFront.1"] {
        assert!(every.for_control(unknown).is_none() && every.disabled_for(unknown).is_none(), "{unknown:?}");
    }
}
