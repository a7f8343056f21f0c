use super::*;

fn config() -> Config {
    let mut config = Config::default();
    config.notify.topic_arn = Some("arn:aws:sns:eu-west-1:111111111111:sec".into());
    config.aws.role_name = Some("Remediation".into());
    config
}

fn find<'a>(doc: &'a Value, sid: &str) -> &'a Value {
    doc["Statement"].as_array().expect("statements").iter().find(|s| s["Sid"] == sid).unwrap_or_else(|| {
        let sids: Vec<&Value> = doc["Statement"].as_array().into_iter().flatten().map(|s| &s["Sid"]).collect();
        panic!("no statement {sid}: {sids:?}")
    })
}

fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn playbook_changes_are_scoped_to_their_resources_in_the_callers_account() {
    let config = config();
    let playbooks = Playbooks::new(&config.playbooks);
    let doc = policy(&config, &playbooks);
    let bpa = find(&doc, "S3BucketBlockPublicAccess");
    assert_eq!(strings(&bpa["Action"]), ["s3:PutBucketPublicAccessBlock"]);
    assert_eq!(bpa["Resource"], "arn:aws:s3:::*");
    assert_eq!(bpa["Condition"]["StringEquals"]["aws:ResourceAccount"], "${aws:PrincipalAccount}");
    let reads = find(&doc, "S3BucketBlockPublicAccessRead");
    assert!(strings(&reads["Action"]).contains(&"s3:GetBucketPublicAccessBlock"), "{reads}");
    assert!(reads.get("Condition").is_none());
    let sg = find(&doc, "SgRevokeWorldOpenIngress");
    assert_eq!(sg["Resource"], "arn:aws:ec2:*:*:security-group/*");
    assert_eq!(find(&doc, "Ec2RequireImdsv2")["Resource"], "arn:aws:ec2:*:*:instance/*");
    let ebs = find(&doc, "EbsEncryptionByDefault");
    assert_eq!(ebs["Resource"], "*", "EBS encryption by default has no resource type");
    assert!(ebs.get("Condition").is_none());
    let updates = find(&doc, "UpdateFindingsAfterVerification");
    assert_eq!(strings(&updates["Action"]), ["securityhub:BatchUpdateFindings"]);
    assert_eq!(
        strings(&updates["Resource"]),
        ["arn:aws:securityhub:*:*:hub/default", "arn:aws:securityhub:*:*:hubv2/*"]
    );
    assert_eq!(find(&doc, "Notify")["Resource"], "arn:aws:sns:eu-west-1:111111111111:sec");
    assert_eq!(find(&doc, "AssumeRemediationRoleInEachAccount")["Resource"], "arn:aws:iam::*:role/Remediation");
    let every: Vec<&str> =
        doc["Statement"].as_array().into_iter().flatten().flat_map(|s| strings(&s["Action"])).collect();
    for data_loss in ["*", "s3:*", "ec2:*", "s3:DeleteBucket", "s3:DeleteObject", "ec2:TerminateInstances"] {
        assert!(!every.contains(&data_loss), "{data_loss} granted");
    }
}

#[test]
fn ec2_tag_changes_are_limited_to_the_exception_keys_and_never_keyless() {
    let mut config = config();
    config.exceptions.tags.owner_tag = "Owner".into();
    let doc = policy(&config, &Playbooks::new(&config.playbooks));
    let ec2 = find(&doc, "ManageExceptionTagsEc2Resources");
    assert_eq!(strings(&ec2["Action"]), ["ec2:CreateTags", "ec2:DeleteTags"]);
    assert_eq!(
        strings(&ec2["Condition"]["ForAllValues:StringEquals"]["aws:TagKeys"]),
        ["Owner", "SecurityException", "SecurityExceptionControls", "SecurityExceptionExpiry"]
    );
    assert_eq!(ec2["Condition"]["Null"]["aws:TagKeys"], "false");
    assert_eq!(ec2["Condition"]["StringEquals"]["aws:ResourceAccount"], "${aws:PrincipalAccount}");
    let s3 = find(&doc, "ManageExceptionTagsBuckets");
    assert_eq!(strings(&s3["Action"]), ["s3:PutBucketTagging"]);
    for (sid, actions) in [
        ("ManageExceptionTagsKmsKeys", ["kms:TagResource", "kms:UntagResource"]),
        ("ManageExceptionTagsIamUsers", ["iam:TagUser", "iam:UntagUser"]),
        ("ManageExceptionTagsIamRoles", ["iam:TagRole", "iam:UntagRole"]),
        ("ManageExceptionTagsRdsSnapshots", ["rds:AddTagsToResource", "rds:RemoveTagsFromResource"]),
        ("ManageExceptionTagsTrails", ["cloudtrail:AddTags", "cloudtrail:RemoveTags"]),
    ] {
        let statement = find(&doc, sid);
        assert_eq!(strings(&statement["Action"]), actions, "{sid}");
        assert_eq!(
            strings(&statement["Condition"]["ForAllValues:StringEquals"]["aws:TagKeys"]),
            ["Owner", "SecurityException", "SecurityExceptionControls", "SecurityExceptionExpiry"],
            "{sid}"
        );
        assert_eq!(statement["Condition"]["Null"]["aws:TagKeys"], "false", "{sid}");
        assert_eq!(statement["Condition"]["StringEquals"]["aws:ResourceAccount"], "${aws:PrincipalAccount}");
    }
    // Tags the playbooks already read are not allowed twice; with the playbooks off, the exceptions still read them.
    let sids: Vec<&str> =
        doc["Statement"].as_array().expect("statements").iter().filter_map(|s| s["Sid"].as_str()).collect();
    assert!(!sids.contains(&"ManageExceptionTagsReadKmsKeys"), "{sids:?}");
    let mut off = config.clone();
    off.playbooks.disabled = vec!["kms-key-rotation".into()];
    let without_kms = policy(&off, &Playbooks::new(&off.playbooks));
    assert_eq!(strings(&find(&without_kms, "ManageExceptionTagsReadKmsKeys")["Action"]), ["kms:ListResourceTags"]);
    let listing = find(&doc, "ManageExceptionTagsReadAllResources");
    assert_eq!(
        strings(&listing["Action"]),
        [
            "ec2:DescribeTags",
            "iam:ListRoles",
            "iam:ListUsers",
            "kms:ListKeys",
            "s3:ListAllMyBuckets",
            "tag:GetResources"
        ]
    );
}

#[test]
fn base_and_member_halves_split_the_whole() {
    let config = config();
    let playbooks = Playbooks::new(&config.playbooks);
    let sids = |who| -> Vec<String> {
        policy_for(&config, &playbooks, who)["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["Sid"].as_str().map(String::from))
            .collect()
    };
    let (all, base, member) = (sids(PolicyFor::All), sids(PolicyFor::Base), sids(PolicyFor::Member));
    assert_eq!(base, ["CallerIdentity", "Notify", "AssumeRemediationRoleInEachAccount"]);
    assert!(member.contains(&"ReadFindings".to_string()) && !member.contains(&"Notify".to_string()), "{member:?}");
    assert_eq!(base.len() + member.len(), all.len());

    let which = find(&policy(&config, &playbooks), "FindWhichSecurityHub").clone();
    assert_eq!(strings(&which["Action"]), ["securityhub:DescribeSecurityHubV2"]);
    assert_eq!(which["Resource"], "arn:aws:securityhub:*:*:hubv2/*");
    let count = find(&policy(&config, &playbooks), "CountFindings").clone();
    assert_eq!(strings(&count["Action"]), ["securityhub:GetAdhocInsightResults"]);
    let mut cspm = config.clone();
    cspm.aws.api = crate::cloud::ApiChoice::Cspm;
    let cspm_only = policy_for(&cspm, &playbooks, PolicyFor::All).to_string();
    assert!(!cspm_only.contains("DescribeSecurityHubV2") && !cspm_only.contains("GetAdhocInsightResults"));

    let mut aggregated = config.clone();
    aggregated.aws.aggregator_region = Some("eu-west-1".into());
    let base = policy_for(&aggregated, &playbooks, PolicyFor::Base);
    assert!(base["Statement"].as_array().into_iter().flatten().any(|s| s["Sid"] == "ReadFindings"));
}

#[test]
fn the_document_is_the_same_every_time_and_sorted_inside_statements() {
    let config = config();
    let playbooks = Playbooks::new(&config.playbooks);
    let doc = policy(&config, &playbooks);
    assert_eq!(doc, policy(&config, &playbooks));
    assert_eq!(doc["Version"], "2012-10-17");
    for statement in doc["Statement"].as_array().expect("statements") {
        for key in ["Action", "Resource"] {
            let values = strings(&statement[key]);
            let mut sorted = values.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(values, sorted, "{statement}");
        }
    }
}

#[test]
fn a_lock_table_is_granted_its_three_item_calls_to_the_base_identity_only() {
    let mut config = config();
    let playbooks = Playbooks::new(&config.playbooks);
    let without = policy(&config, &playbooks);
    assert!(!without.to_string().contains("dynamodb"), "no table, no DynamoDB: {without}");
    config.coordination.table = Some("hubtriage-leases".into());
    config.coordination.region = Some("eu-west-1".into());
    let doc = policy(&config, &playbooks);
    let leases = find(&doc, "LeasesOnResources");
    assert_eq!(
        strings(&leases["Action"]),
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:UpdateItem"]
    );
    assert_eq!(leases["Resource"], "arn:aws:dynamodb:eu-west-1:*:table/hubtriage-leases");
    let member = policy_for(&config, &playbooks, PolicyFor::Member);
    assert!(!member.to_string().contains("dynamodb"), "the member role takes no lease: {member}");
}

#[test]
fn disabled_playbooks_drop_out_of_the_policy() {
    let mut config = config();
    let all = policy(&config, &Playbooks::new(&config.playbooks)).to_string();
    assert!(all.contains("ec2:ModifyInstanceMetadataOptions"), "{all}");
    config.playbooks.disabled = vec!["ec2-require-imdsv2".into()];
    let narrowed = policy(&config, &Playbooks::new(&config.playbooks));
    let text = narrowed.to_string();
    assert!(!text.contains("ec2:ModifyInstanceMetadataOptions"), "{text}");
    assert!(!text.contains("Ec2RequireImdsv2"), "{text}");
    assert!(text.contains("s3:PutBucketPublicAccessBlock"), "the others stay: {text}");
    config.playbooks.disabled.clear();
    config.playbooks.enabled = Some(vec!["s3-bucket-block-public-access".into()]);
    let only = policy(&config, &Playbooks::new(&config.playbooks)).to_string();
    assert!(only.contains("s3:PutBucketPublicAccessBlock") && !only.contains("RevokeSecurityGroupIngress"), "{only}");
}
