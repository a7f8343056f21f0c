//! `command` actions: argv without a shell, stdin, environment, exit status, timeout, bounded output.

use super::{actions, finding, run_offline};
use std::time::{Duration, Instant};

/// A script that prints each argument it got on a line of its own, between angle brackets. It never evaluates them
/// (`printf %s`), so what it prints is exactly the argument vector the program received.
fn arg_printer(dir: &std::path::Path) -> String {
    let path = dir.join("args.sh");
    std::fs::write(&path, "#!/bin/sh\nfor a in \"$@\"; do printf '<%s>\\n' \"$a\"; done\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path.display().to_string()
}

#[tokio::test]
async fn shell_syntax_in_placeholders_reaches_the_program_as_plain_text_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let m = |n: &str| dir.path().join(n).display().to_string();
    let title = format!(
        "open $(touch {}) `touch {}` ; touch {} && touch {} | touch {} 'single' \"double\"\nsecond line $HOME",
        m("dollar"),
        m("backtick"),
        m("semicolon"),
        m("and"),
        m("pipe")
    );
    let finding = finding(&title);
    let script = arg_printer(dir.path());
    let toml = format!(
        "[[actions]]\nname = \"args\"\nkind = \"command\"\nargv = [{script:?}, \"{{title}}\", \"--id={{id}}\", \"{{resource_id}}\"]\n\
         [[actions]]\nname = \"echo\"\nkind = \"command\"\nargv = [\"/bin/echo\", \"{{title}}\"]\n"
    );
    let (outcome, lines) = run_offline(actions(&toml), "args", std::slice::from_ref(&finding)).await;
    assert_eq!(outcome.as_deref(), Ok("exit status 0"), "{lines:#?}");
    let got: Vec<&String> = lines.iter().filter(|l| l.starts_with('<')).collect();
    let expected_title = title.replace('\n', " ");
    assert_eq!(
        got,
        [&format!("<{expected_title}>"), &format!("<--id={}>", finding.id), &"<sg-0123456789abcdef0>".to_string()],
        "three arguments, the title one of them, verbatim"
    );

    let (outcome, lines) = run_offline(actions(&toml), "echo", std::slice::from_ref(&finding)).await;
    assert_eq!(outcome.as_deref(), Ok("exit status 0"));
    assert!(lines.contains(&expected_title), "echo printed the text as it is: {lines:#?}");
    for marker in ["dollar", "backtick", "semicolon", "and", "pipe"] {
        assert!(!dir.path().join(marker).exists(), "{marker}: a shell ran the value");
    }
}

#[tokio::test]
async fn the_finding_json_is_on_stdin_and_described_by_environment_variables() {
    let finding = finding("S3 buckets \u{1b}[31mshould\u{1b}[0m block public access");
    let toml = "[[actions]]\nname = \"cat\"\nkind = \"command\"\nargv = [\"cat\"]\n\
                [[actions]]\nname = \"env\"\nkind = \"command\"\nargv = [\"env\"]\n";
    let (outcome, lines) = run_offline(actions(toml), "cat", std::slice::from_ref(&finding)).await;
    assert!(outcome.is_ok(), "{outcome:?}");
    let json: serde_json::Value = serde_json::from_str(lines.iter().find(|l| l.starts_with('{')).unwrap()).unwrap();
    assert_eq!(json["Id"], &*finding.id);
    assert_eq!(json["Resources"][0]["Type"], "AwsEc2SecurityGroup");

    let (outcome, lines) = run_offline(actions(toml), "env", std::slice::from_ref(&finding)).await;
    assert!(outcome.is_ok(), "{outcome:?}");
    for expected in [
        format!("HUBTRIAGE_FINDING_ID={}", finding.id),
        "HUBTRIAGE_ACCOUNT=111111111111".to_string(),
        "HUBTRIAGE_REGION=eu-west-1".to_string(),
        "HUBTRIAGE_RESOURCE_ID=sg-0123456789abcdef0".to_string(),
        "HUBTRIAGE_RESOURCE_TYPE=AwsEc2SecurityGroup".to_string(),
        "HUBTRIAGE_CONTROL=EC2.19".to_string(),
        "HUBTRIAGE_SEVERITY=CRITICAL".to_string(),
        "HUBTRIAGE_TITLE=S3 buckets should block public access".to_string(),
        format!("HUBTRIAGE_PRODUCT_ARN={}", finding.product_arn),
        "HUBTRIAGE_ACTION=env".to_string(),
    ] {
        assert!(lines.contains(&expected), "{expected} missing from {lines:#?}");
    }
}

#[tokio::test]
async fn a_command_past_its_timeout_is_killed_and_says_so() {
    let toml = "[[actions]]\nname = \"slow\"\nkind = \"command\"\nargv = [\"sleep\", \"30\"]\ntimeout_seconds = 1\n";
    let started = Instant::now();
    let (outcome, _) = run_offline(actions(toml), "slow", &[finding("t")]).await;
    assert!(started.elapsed() < Duration::from_secs(5), "killed at the timeout, took {:?}", started.elapsed());
    let err = outcome.unwrap_err();
    assert!(err.contains("timed out after 1s"), "{err}");
}

#[tokio::test]
async fn exit_status_missing_programs_and_several_findings_are_reported() {
    let toml = "[[actions]]\nname = \"false\"\nkind = \"command\"\nargv = [\"false\"]\n\
                [[actions]]\nname = \"missing\"\nkind = \"command\"\nargv = [\"/nonexistent/hubtriage-tool\"]\n\
                [[actions]]\nname = \"true\"\nkind = \"command\"\nargv = [\"true\"]\n";
    let (outcome, _) = run_offline(actions(toml), "false", &[finding("t")]).await;
    assert!(outcome.unwrap_err().contains("exit status 1"));
    let (outcome, _) = run_offline(actions(toml), "missing", &[finding("t")]).await;
    assert!(outcome.unwrap_err().contains("cannot start \"/nonexistent/hubtriage-tool\""));
    let two = [finding_in_other("a"), finding("b")];
    let (outcome, lines) = run_offline(actions(toml), "true", &two).await;
    assert_eq!(outcome.as_deref(), Ok("all 2 runs succeeded"));
    assert_eq!(lines.iter().filter(|l| l.starts_with("── sg-")).count(), 2, "a heading per finding: {lines:#?}");
    let (outcome, _) = run_offline(actions(toml), "nope", &two).await;
    assert!(outcome.unwrap_err().contains("no action named 'nope'"));
}

fn finding_in_other(title: &str) -> std::sync::Arc<hubtriage::model::Finding> {
    super::finding_in("222222222222", "us-east-1", title)
}

#[tokio::test]
async fn output_is_bounded_and_the_cut_is_reported() {
    let toml = "[[actions]]\nname = \"seq\"\nkind = \"command\"\nargv = [\"seq\", \"1\", \"5000\"]\n";
    let (outcome, lines) = run_offline(actions(toml), "seq", &[finding("t")]).await;
    assert!(outcome.is_ok(), "{outcome:?}");
    assert!(lines.contains(&"1000".to_string()) && !lines.contains(&"1001".to_string()), "first 1000 lines kept");
    assert!(
        lines.iter().any(|l| l.contains("4000 more lines")),
        "the cut is reported: {:?}",
        &lines[lines.len() - 3..]
    );
}
