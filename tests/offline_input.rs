//! `--findings` input that never ends or is not what it claims, as a user meets it: links back into the tree, a
//! FIFO, a device, a gigabyte file, invalid UTF-8, a key given twice, a byte-order mark, an empty export. Each ends
//! (within a bound, or the test fails) with the message the user sees and the exit status scripts rely on.

use assert_cmd::Command;
use serde_json::{json, Value};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::Duration;

/// Longer than any of these commands takes, far shorter than forever.
const BOUND: Duration = Duration::from_secs(60);

fn finding(n: usize) -> Value {
    json!({
        "SchemaVersion": "2018-10-08",
        "Id": format!("arn:aws:securityhub:eu-west-1:111111111111:security-control/S3.8/finding/{n}"),
        "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
        "GeneratorId": "security-control/S3.8",
        "AwsAccountId": "111111111111",
        "Region": "eu-west-1",
        "Title": "S3 general purpose buckets should block public access",
        "Severity": {"Label": "HIGH"},
        "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.8"},
        "Resources": [{"Type": "AwsS3Bucket", "Id": format!("arn:aws:s3:::bucket-{n}")}]
    })
}

/// `aws securityhub get-findings` output: `{"Findings": [...]}` indented by four spaces.
fn export(findings: &[Value]) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(&json!({ "Findings": findings }), &mut serializer).expect("json");
    String::from_utf8(out).expect("utf-8")
}

/// What a user sees from `hubtriage --findings PATH plan --format json`: the ids listed, stderr, the exit status.
fn plan(path: &Path) -> (Vec<String>, String, i32) {
    let home = tempfile::tempdir().expect("home");
    let output = Command::cargo_bin("hubtriage")
        .expect("binary")
        .env("HOME", home.path())
        .env("HUBTRIAGE_LOG", home.path().join("log"))
        .arg("--findings")
        .arg(path)
        .args(["plan", "--format", "json"])
        .timeout(BOUND)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let code = output.status.code().unwrap_or_else(|| panic!("ended by a signal (the {BOUND:?} bound?): {stderr}"));
    let entries: Vec<Value> = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is a JSON array ({e}): {}", String::from_utf8_lossy(&output.stdout)));
    let ids = entries.iter().map(|e| e["id"].as_str().unwrap_or_default().to_owned()).collect();
    (ids, stderr, code)
}

fn id(n: usize) -> String {
    finding(n)["Id"].as_str().expect("id").to_owned()
}

#[test]
fn links_back_into_the_tree_are_walked_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("export.json"), export(&[finding(1), finding(2)])).expect("write");
    symlink(".", dir.path().join("again")).expect("symlink");
    symlink(".", dir.path().join("and-again")).expect("symlink");
    let (ids, stderr, code) = plan(dir.path());
    assert_eq!(ids.len(), 2, "{stderr}");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_fifo_and_a_device_are_named_and_not_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("export.json"), export(&[finding(1)])).expect("write");
    let fifo = dir.path().join("pipe.json");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    symlink("/dev/zero", dir.path().join("zero.json")).expect("symlink");
    let (ids, stderr, code) = plan(dir.path());
    assert_eq!(ids, [id(1)]);
    assert!(stderr.contains("pipe.json: a named pipe (FIFO), not a regular file: not read"), "{stderr}");
    assert!(stderr.contains("zero.json: a character device, not a regular file: not read"), "{stderr}");
    assert_eq!(code, 2, "partial: some input was not read");

    let (ids, stderr, code) = plan(&fifo);
    assert!(ids.is_empty());
    assert!(stderr.contains("pipe.json: a named pipe (FIFO), not a regular file: not read"), "{stderr}");
    assert_eq!(code, 2);
    let (_, stderr, code) = plan(Path::new("/dev/zero"));
    assert!(stderr.contains("/dev/zero: a character device, not a regular file: not read"), "{stderr}");
    assert_eq!(code, 2);
}

#[test]
fn gigabyte_files_end_with_a_problem_not_with_the_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Sparse: a gigabyte on paper, nothing on disk.
    let sparse = |name: &str, start: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, start).expect("write");
        std::fs::OpenOptions::new().write(true).open(&path).expect("open").set_len(1 << 30).expect("set_len");
        path
    };
    let (_, stderr, code) = plan(&sparse("zeros.json", ""));
    assert!(stderr.contains("zeros.json: not valid JSON: expected value at line 1 column 1"), "{stderr}");
    assert_eq!(code, 2);
    let (_, stderr, code) = plan(&sparse("records.json", "{\"Records\": ["));
    assert!(
        stderr.contains("records.json: 1024 MB: larger than the 64 MB a document of this shape is read whole in"),
        "{stderr}"
    );
    assert_eq!(code, 2);
    let (_, stderr, code) = plan(&sparse("list.json", "{\"Findings\": [\n"));
    assert!(stderr.contains("list.json: $.Findings, line 2, column 1: not valid JSON"), "{stderr}");
    assert_eq!(code, 2);
}

#[test]
fn an_empty_export_is_no_findings_and_no_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("empty.json");
    std::fs::write(&path, "{\n    \"Findings\": []\n}\n").expect("write");
    let (ids, stderr, code) = plan(&path);
    assert!(ids.is_empty());
    let named: Vec<&str> =
        stderr.lines().filter(|l| l.contains("empty.json") && !l.contains(": 0 findings in")).collect();
    assert!(named.is_empty(), "no problem named: {stderr}");
    assert!(stderr.contains("hubtriage: 0 findings"), "{stderr}");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bom.json");
    std::fs::write(&path, format!("\u{feff}{}", export(&[finding(1)]))).expect("write");
    let single = dir.path().join("single.json");
    std::fs::write(&single, format!("\u{feff}{}", finding(2))).expect("write");
    let (ids, stderr, code) = plan(dir.path());
    assert_eq!(ids.len(), 2, "{stderr}");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn invalid_utf8_is_named_with_its_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = export(&[finding(1), finding(2)]).into_bytes();
    let at = bytes.windows(7).rposition(|w| w == b"bucket-").expect("second bucket");
    bytes[at] = 0xff;
    std::fs::write(dir.path().join("export.json"), &bytes).expect("write");
    let mut whole = finding(3).to_string().into_bytes();
    whole.extend_from_slice(b"\n");
    let title = whole.windows(5).position(|w| w == b"block").expect("title");
    whole[title] = 0xc3;
    std::fs::write(dir.path().join("single.json"), &whole).expect("write");
    let (ids, stderr, code) = plan(dir.path());
    assert_eq!(ids, [id(1)], "{stderr}");
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let column = at - bytes[..at].iter().rposition(|&b| b == b'\n').expect("a line before");
    let place = format!("export.json: $.Findings[1], line {line}, column {column}: not valid UTF-8");
    assert!(stderr.contains(&place), "{place} in {stderr}");
    assert!(stderr.contains(&format!("single.json: line 1, column {}: not valid UTF-8", title + 1)), "{stderr}");
    assert_eq!(code, 2);
}

#[test]
fn an_identity_key_given_twice_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let twice_id = export(&[finding(1), finding(2)]).replacen(
        "\"SchemaVersion\"",
        &format!("\"Id\": {:?},\n            \"SchemaVersion\"", id(9)),
        1,
    );
    std::fs::write(dir.path().join("export.json"), twice_id).expect("write");
    let mut other = finding(3);
    other["ProductArn"] = json!("arn:aws:securityhub:eu-west-1::product/aws/securityhub");
    let twice_arn = serde_json::to_string(&json!([other])).expect("json").replacen(
        "\"ProductArn\"",
        "\"ProductArn\":\"arn:aws:securityhub:eu-west-1::product/other/other\",\"ProductArn\"",
        1,
    );
    std::fs::write(dir.path().join("array.json"), format!("{twice_arn}\n")).expect("write");
    let (ids, stderr, code) = plan(dir.path());
    assert_eq!(ids, [id(2)], "{stderr}");
    assert!(stderr.contains("export.json: $.Findings[0]: key \"Id\" given twice"), "{stderr}");
    assert!(stderr.contains("array.json: $[0]: key \"ProductArn\" given twice"), "{stderr}");
    assert_eq!(code, 2);
}
