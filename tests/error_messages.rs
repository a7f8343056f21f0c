//! What hubtriage echoes back in its messages — a `--findings`, `--config` or `--audit-log` path, a config key or
//! value, a line of the config file, a command-line argument, a file that cannot be read — reaches the terminal
//! inert: an OSC 52 clipboard write in its 7-bit (`ESC ] … BEL`) or 8-bit (`U+009D … U+009C`) form, a zero-width
//! space or a bidi override in any of them comes out as neither, and the message still says what and where.
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;
use std::path::Path;

/// Both forms of an OSC 52 clipboard write, a zero-width space and a right-to-left override.
const EVIL: &str = "x\u{1b}]52;c;ZXZpbA==\u{7}y\u{9d}52;c;ZXZpbA==\u{9c}z\u{200b}\u{202e}";
/// What is left of it.
const INERT: &str = "xyz";

fn hubtriage(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("hubtriage").unwrap();
    cmd.env("HOME", home).env("HUBTRIAGE_LOG", home.join("hubtriage.log")).timeout(std::time::Duration::from_secs(60));
    cmd
}

/// The exit status and stderr of a run, which must hold no escape, control or format character. (A value quoted
/// with `{:?}` may still show its payload as escaped text, `\u{1b}]52;…`: inert, and honest about what it holds.)
fn run(cmd: &mut Command) -> (Option<i32>, String) {
    let output = cmd.output().unwrap();
    for (name, stream) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let text = String::from_utf8_lossy(stream);
        let bad: Vec<char> = text
            .chars()
            .filter(|c| (c.is_control() && *c != '\n') || matches!(c, '\u{200b}' | '\u{202e}' | '\u{9d}' | '\u{9c}'))
            .collect();
        assert!(bad.is_empty(), "{name} holds {bad:?}:\n{text}");
    }
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_findings_path_that_does_not_exist_is_named_inert() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("exported-{EVIL}.json"));
    let (code, stderr) = run(hubtriage(dir.path()).arg("--findings").arg(&path).arg("plan"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(&format!("--findings {}", dir.path().join(format!("exported-{INERT}.json")).display())));
    assert!(stderr.contains("no such file or directory"), "{stderr}");
    assert!(!stderr.contains("ZXZpbA"), "the sequences went with their payload: {stderr}");
}

#[test]
fn a_config_path_that_cannot_be_read_is_named_inert() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("config-{EVIL}.toml"));
    let (code, stderr) = run(hubtriage(dir.path()).arg("--config").arg(&path).args(["--demo", "plan"]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(&format!("config-{INERT}.toml")), "{stderr}");
}

#[test]
fn config_values_keys_and_lines_quoted_in_errors_are_inert() {
    let dir = tempfile::tempdir().unwrap();
    let escaped = |s: &str| s.chars().map(|c| format!("\\u{:04X}", c as u32)).collect::<String>();
    let cases = [
        // A value echoed by the validation (the topic ARN).
        format!("[notify]\ntopic_arn = \"{}\"\n", escaped(EVIL)),
        // A value echoed by serde (an unknown verdict).
        format!("[policy]\ndefault_verdict = \"{}\"\n", escaped(EVIL)),
        // An unknown key, quoted.
        format!("\"{}\" = 1\n", escaped(EVIL)),
        // A line quoted by the TOML error: raw escape characters are not allowed in a comment.
        format!("theme = \"dark\" # {EVIL}\n"),
    ];
    for (i, text) in cases.iter().enumerate() {
        let path = dir.path().join(format!("config-{i}-{EVIL}.toml"));
        std::fs::write(&path, text).unwrap();
        let (code, stderr) = run(hubtriage(dir.path()).arg("--config").arg(&path).args(["--demo", "plan"]));
        assert_eq!(code, Some(1), "case {i}: {stderr}");
        assert!(stderr.contains(&format!("config-{i}-{INERT}.toml")), "case {i}: the file is named: {stderr}");
        assert!(stderr.contains("line 1") || stderr.contains("line 2"), "case {i}: the line is named: {stderr}");
    }
}

#[test]
fn an_audit_log_path_that_cannot_be_opened_is_named_inert() {
    let dir = tempfile::tempdir().unwrap();
    // A file where a directory should be: the log's directory cannot be made.
    std::fs::write(dir.path().join("blocker"), "").unwrap();
    let path = dir.path().join("blocker").join(format!("audit-{EVIL}")).join("audit.jsonl");
    let (code, stderr) = run(hubtriage(dir.path()).arg("--audit-log").arg(&path).args(["--demo", "plan"]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains(&format!("audit-{INERT}")), "{stderr}");
}

#[test]
fn a_usage_error_quoting_a_hostile_argument_is_inert_and_exits_with_the_usage_status() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = run(hubtriage(dir.path()).args(["--demo", "plan", "--format", EVIL]));
    assert_eq!(code, Some(64), "the usage status (EX_USAGE), not 2 (partial): {stderr}");
    assert!(stderr.contains(&format!("invalid value '{INERT}' for '--format <FORMAT>'")), "{stderr}");
    assert!(stderr.contains("[possible values: table, json, md]"), "the rest of the message is kept: {stderr}");
    let (code, stderr) = run(hubtriage(dir.path()).arg(format!("--no-such-flag-{EVIL}")));
    assert_eq!(code, Some(64), "{stderr}");
    // clap names the flag up to its `=` (inside the OSC 52 here), which leaves that OSC unterminated: it goes.
    assert!(stderr.contains("unexpected argument '--no-such-flag-x' found"), "{stderr}");
    assert!(stderr.contains("Usage: hubtriage"), "the usage is still shown: {stderr}");
}

#[test]
fn help_still_prints_on_stdout_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let output = hubtriage(dir.path()).arg("--help").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Usage: hubtriage") && stdout.contains("--findings"), "{stdout}");
}

#[test]
fn a_file_that_cannot_be_read_is_named_inert() {
    let dir = tempfile::tempdir().unwrap();
    let findings = dir.path().join("findings");
    std::fs::create_dir(&findings).unwrap();
    std::fs::write(findings.join(format!("broken-{EVIL}.json")), "{ not json").unwrap();
    let (code, stderr) = run(hubtriage(dir.path()).arg("--findings").arg(&findings).arg("plan"));
    assert_eq!(code, Some(2), "partial: {stderr}");
    assert!(stderr.contains(&format!("broken-{INERT}.json")), "{stderr}");
}
