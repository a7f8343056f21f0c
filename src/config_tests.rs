use super::*;

fn parse(text: &str) -> Result<Config, String> {
    Config::parse(text, Path::new("/etc/hubtriage/config.toml")).map_err(|e| e.to_string())
}

#[test]
fn example_config_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let config = Config::load_file(&path).expect("config.example.toml is valid");
    assert!(!config.policy.rules.is_empty());
    assert!(!config.accounts.is_empty());
    config.policy().expect("policy builds");
}

#[test]
fn empty_config_means_defaults() {
    let config = parse("").expect("valid");
    assert_eq!(config, Config::default());
    assert_eq!(config.exceptions.tags.reason_tag, "SecurityException");
}

#[test]
fn unknown_key_names_the_key_the_line_and_the_file() {
    let err = parse("theme = \"dark\"\n[policy]\ndefault_verdikt = \"manual\"\n").expect_err("invalid");
    assert!(err.contains("/etc/hubtriage/config.toml"), "{err}");
    assert!(err.contains("default_verdikt"), "{err}");
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn bad_verdict_and_severity_values_are_named() {
    let err = parse("[[policy.rules]]\nname = \"x\"\nverdict = \"fix-it\"\n").expect_err("invalid");
    assert!(err.contains("fix-it") && err.contains("line 3"), "{err}");
    let err = parse("[[policy.rules]]\nname = \"x\"\nverdict = \"manual\"\nseverities = [\"SEVERE\"]\n")
        .expect_err("invalid");
    assert!(err.contains("SEVERE"), "{err}");
}

#[test]
fn rules_cannot_give_excepted() {
    let err = parse("[[policy.rules]]\nname = \"x\"\nverdict = \"excepted\"\n").expect_err("invalid");
    assert!(err.contains("policy.rules[0]"), "{err}");
}

#[test]
fn bad_time_zone_and_account_id_are_named() {
    let err = parse(
        "[[policy.change_windows]]\nname = \"bh\"\naccount_classes = [\"prod\"]\ndays = [\"mon\"]\nstart = \"09:00\"\nend = \"18:00\"\ntime_zone = \"Europe/Berln\"\n",
    )
    .expect_err("invalid");
    assert!(err.contains("policy.change_windows[0]") && err.contains("Europe/Berln"), "{err}");
    let err = parse("[accounts.\"12345\"]\nclass = \"prod\"\n").expect_err("invalid");
    assert!(err.contains("accounts.\"12345\""), "{err}");
}

#[test]
fn exception_lengths_are_checked() {
    let err = parse("[exceptions]\ndefault_days = 120\nmax_days = 90\n").expect_err("invalid");
    assert!(err.contains("exceptions.default_days"), "{err}");
}

#[test]
fn missing_file_is_reported_with_its_path() {
    let err = Config::load_file(Path::new("/nonexistent/hubtriage.toml")).expect_err("missing");
    assert!(err.to_string().contains("/nonexistent/hubtriage.toml"));
}

#[test]
fn remediation_notify_and_playbook_values_are_checked() {
    let bad = |text: &str| Config::parse(text, Path::new("c.toml")).expect_err(text).to_string();
    assert!(bad("[notify]\ntopic_arn = \"my-topic\"").contains("notify.topic_arn"));
    assert!(bad("[notify.topics]\nprod = \"arn:aws:sqs:eu-west-1:1:q\"").contains("notify.topics.prod"));
    assert!(bad("[remediation]\nverify_attempts = 0").contains("remediation.verify_attempts"));
    assert!(bad("[playbooks]\nauthorized_public_ports = [70000]").contains("playbooks.authorized_public_ports"));
    assert!(bad("[remediation]\nverify_attemps = 3").contains("verify_attemps"));
    let ok = Config::parse("[notify.topics]\nprod = \"arn:aws:sns:eu-west-1:111111111111:sec\"", Path::new("c.toml"))
        .expect("valid");
    assert_eq!(ok.notify.topic_for("prod"), Some("arn:aws:sns:eu-west-1:111111111111:sec"));
    assert_eq!(ok.notify.topic_for("sandbox"), None);
}

#[test]
fn the_api_its_v2_pace_and_the_organisation_scope_are_read_and_checked() {
    let ok = parse(
        "[aws]\napi = \"v2\"\nget_findings_v2_rate = 2.5\naggregator_region = \"eu-west-1\"\n\
         organization_scope = [\"o-abcd1234567890\", \"ou-ab12-cd345678\"]\n",
    )
    .expect("valid");
    assert_eq!(ok.aws.api, crate::cloud::ApiChoice::V2);
    assert_eq!((ok.aws.get_findings_v2_rate, ok.aws.get_findings_v2_burst), (2.5, 6));
    assert_eq!(Config::default().aws.api, crate::cloud::ApiChoice::Auto);
    let err = parse("[aws]\napi = \"v3\"\n").expect_err("invalid");
    assert!(err.contains("v3") && err.contains("line 2"), "{err}");
    let err = parse("[aws]\nget_findings_v2_burst = 0\n").expect_err("invalid");
    assert!(err.contains("aws.get_findings_v2_burst"), "{err}");
    let err =
        parse("[aws]\naggregator_region = \"eu-west-1\"\norganization_scope = [\"r-ab12\"]\n").expect_err("invalid");
    assert!(err.contains("aws.organization_scope[0]") && err.contains("r-ab12"), "{err}");
    let err = parse("[aws]\norganization_scope = [\"o-abcd1234567890\"]\n").expect_err("invalid");
    assert!(err.contains("needs aws.aggregator_region"), "{err}");
}
