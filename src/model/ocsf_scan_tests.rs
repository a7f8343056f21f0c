//! The one-pass OCSF reader against the tree reader: the same finding from every sample, from every member of a
//! finding replaced by a value of every type, and from hostile text (escapes, controls, unicode) — through the
//! reader alone and through the page and list readers that use it. What it leaves to the tree is counted.

use super::{read, starts_like_ocsf};
use crate::model::asff_items::FindingList;
use crate::model::json_scan::Scanner;
use crate::model::ocsf::{is_finding_like, normalize, normalize_scanned};
use crate::model::raw_json::RawJson;
use crate::model::read::Envelope;
use crate::model::{read_any, read_any_document, read_any_value, Finding, ReadOutcome};
use proptest::prelude::*;
use serde_json::{json, Value};

fn samples_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/ocsf")
}

/// Every OCSF finding object of every sample file, whatever its shape.
fn sample_findings() -> Vec<Value> {
    fn collect(value: &Value, out: &mut Vec<Value>) {
        match value {
            Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            Value::Object(obj) if is_finding_like(obj) => out.push(value.clone()),
            Value::Object(obj) => obj.values().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(samples_dir()).expect("samples").flatten().map(|e| e.path()).collect();
    files.sort();
    for file in files.iter().filter(|p| p.extension().is_some_and(|x| x == "json" || x == "ndjson")) {
        let text = std::fs::read_to_string(file).expect("sample");
        match serde_json::from_str::<Value>(&text) {
            Ok(value) => collect(&value, &mut out),
            Err(_) => text.lines().for_each(|l| collect(&serde_json::from_str(l).expect("a JSON line"), &mut out)),
        }
    }
    out
}

fn ndjson_line(n: usize) -> Value {
    let text =
        std::fs::read_to_string(samples_dir().join("elastic-integrations__test-findings.ndjson")).expect("ndjson");
    serde_json::from_str(text.lines().nth(n).expect("line")).expect("json")
}

/// The finding in `text` through the one-pass reader, `None` when it leaves it to the tree.
fn one_pass(text: &str) -> Option<Result<Finding, String>> {
    let mut s = Scanner::new(text);
    let fields = read(&mut s).filter(|_| s.at_end())?;
    Some(normalize_scanned(&fields, RawJson::inline(text), &Envelope::default()))
}

/// The finding in `text` through its whole tree.
fn from_tree(text: &str) -> Result<Finding, String> {
    let value: Value = serde_json::from_str(text).expect("json");
    normalize(&value, RawJson::inline(text), &Envelope::default())
}

/// Findings with their raw JSON in one form (the readers keep the text as received or as re-serialized).
fn canonical(outcome: ReadOutcome) -> (Vec<Finding>, Vec<crate::model::ReadProblem>) {
    let findings = outcome
        .findings
        .into_iter()
        .map(|mut f| {
            let value: Value = serde_json::from_str(&f.raw.text().expect("raw")).expect("raw is JSON");
            f.raw = RawJson::inline(value.to_string());
            f
        })
        .collect();
    (findings, outcome.problems)
}

/// `finding` read as a GetFindingsV2 page, as an item of an exported list and as the tree reads it: all the same.
fn assert_readers_agree(finding: &Value, what: &str) {
    // A member the page reader does not know sends the whole document down the general path, the tree's.
    let tree = canonical(read_any(&format!(r#"{{"Findings":[{finding}],"x":1}}"#)));
    let page = canonical(read_any_document(format!(r#"{{"Findings":[{finding}],"NextToken":"t"}}"#)));
    assert_eq!(page, tree, "{what}: as a page");
    let pretty = serde_json::to_string_pretty(finding).expect("json");
    let list = FindingList::findings_member();
    let mut item = list.read_item(0, &pretty).expect("valid JSON");
    if let Some(reason) = item.foreign {
        item.outcome.problems.push(list.foreign_items(&[0], 1, &reason));
    }
    assert_eq!(canonical(item.outcome), tree, "{what}: as an item of a list");
}

#[test]
fn every_sample_finding_is_read_in_one_pass_exactly_as_from_its_tree() {
    let samples = sample_findings();
    assert!(samples.len() >= 14, "{} sample findings", samples.len());
    let mut left_to_the_tree = 0;
    for (i, value) in samples.iter().enumerate() {
        for text in [value.to_string(), serde_json::to_string_pretty(value).expect("json")] {
            assert!(starts_like_ocsf(&Scanner::new(&text)), "sample {i}");
            match one_pass(&text) {
                Some(read) => assert_eq!(read, from_tree(&text), "sample {i}"),
                None => left_to_the_tree += 1,
            }
        }
        assert_readers_agree(value, &format!("sample {i}"));
    }
    assert_eq!(left_to_the_tree, 0, "the one-pass reader takes every real finding");
}

/// Every JSON pointer into `value`, the root aside.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(obj) => obj.iter().map(|(k, v)| (format!("{at}/{k}"), v)).collect(),
        Value::Array(items) => items.iter().enumerate().map(|(i, v)| (format!("{at}/{i}"), v)).collect(),
        _ => Vec::new(),
    };
    for (pointer, child) in children {
        out.push(pointer.clone());
        pointers(child, pointer, out);
    }
}

/// `value` with the member at `pointer` replaced (`Some`) or removed (`None`).
fn with(value: &Value, pointer: &str, new: Option<&Value>) -> Value {
    let mut out = value.clone();
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
    match (out.pointer_mut(parent).expect("parent"), new) {
        (Value::Object(obj), Some(new)) => _ = obj.insert(key.to_owned(), new.clone()),
        (Value::Object(obj), None) => _ = obj.remove(key),
        (Value::Array(items), new) => {
            let i: usize = key.parse().expect("index");
            match new {
                Some(new) => items[i] = new.clone(),
                None => _ = items.remove(i),
            }
        }
        _ => unreachable!("a pointer's parent is a container"),
    }
    out
}

#[test]
fn any_member_of_any_type_reads_as_the_tree_reads_it_and_odd_ones_are_left_to_the_tree() {
    let odd: Vec<Value> = serde_json::from_str(
        r#"[null, true, 0, -1, -0.0, 4, 4.0, 1.5, 1e300, 12345678901234567890, -123456789012345678901, 1758273447903,
            "", "  ", "x", "4", "arn:aws:s3:::b", "global", "\u001b[31mx\u009b", [], ["a", 1, null], [{}],
            [{"name": "n"}], [{"name": "n", "value": 1}], {}, {"uid": "u", "name": "n"}, {"awsS3BucketDetails": {"a": 1}}]"#,
    )
    .expect("json");
    let (mut taken, mut left) = (0, 0);
    for base in [ndjson_line(1), ndjson_line(4)] {
        let mut at = Vec::new();
        pointers(&base, String::new(), &mut at);
        for pointer in &at {
            for new in odd.iter().map(Some).chain([None]) {
                let value = with(&base, pointer, new);
                let text = value.to_string();
                let what = format!("{pointer} = {new:?}");
                match one_pass(&text) {
                    Some(read) => {
                        taken += 1;
                        assert_eq!(read, from_tree(&text), "{what}");
                    }
                    None => left += 1,
                }
                assert_readers_agree(&value, &what);
            }
        }
    }
    // Most changes are to members the reader skips or reads as given; a member of another type than expected (and
    // a finding no longer a finding) is the tree's.
    assert!(taken > 2 * left && left > 200, "taken {taken}, left to the tree {left}");
}

#[test]
fn what_the_one_pass_reader_leaves_to_the_tree_reads_as_the_tree_reads_it() {
    let base = ndjson_line(1).to_string();
    let odd = [
        base.replacen(r#""title":"#, r#""ti\u0074le":"#, 1),
        base.replacen(r#""severity_id":3"#, r#""severity_id":3,"severity_id":2"#, 1),
        base.replacen(r#""uid":"d1bc"#, r#""uid":"other","uid":"d1bc"#, 1),
        base.replacen(r#""class_uid":2003"#, r#""class_uid":2003,"ProductArn":"arn:aws:securityhub:::product/x""#, 1),
        base.replacen(r#""severity_id":3"#, r#""severity_id":3.0"#, 1),
        base.replacen(r#""severity_id":3"#, r#""severity_id":-0"#, 1),
        base.replacen(r#""cloud":{"#, r#""cloud":null,"x":{"#, 1),
    ];
    for (i, text) in odd.iter().enumerate() {
        assert_ne!(text, &base, "change {i} was made");
        assert!(one_pass(text).is_none(), "change {i} is left to the tree");
        let page = canonical(read_any_document(format!(r#"{{"Findings":[{text}]}}"#)));
        let tree = canonical(read_any(&format!(r#"{{"Findings":[{text}],"x":1}}"#)));
        assert_eq!(page, tree, "change {i}");
        assert_eq!(page.0.len() + page.1.len(), 1, "change {i}: read or named");
    }
}

#[test]
fn resource_details_and_odd_resources_are_read_in_one_pass() {
    let text = r#"{"metadata":{"uid":"m-1","product":{"uid":"arn:aws:securityhub:eu-west-1::productv2/aws/securityhub"}},
        "finding_info":{"uid":"f-1","title":"S3 general purpose buckets should block public access"},
        "cloud":{"account":{"uid":"111111111111"},"region":"eu-west-1"},"compliance":{"control":"S3.8","status":"Fail"},
        "severity_id":4,"status_id":1,"class_uid":2003,"observables":[{"name":"x","value":"y"}],
        "resources":[{"type":"AWS::S3::Bucket","uid":"b","uid_alt":"arn:aws:s3:::b","region":"eu-west-1",
            "owner":{"account":{"uid":"111111111111"},"name":"o"},"tags":[{"name":"env","value":"prod"},{"name":"e"}],
            "data":{"awsS3BucketDetails":{"publicAccessBlockConfiguration":{"blockPublicAcls":false}},"other":[1,2,3]}},
          "not an object", {"type":"AWS::EC2::SecurityGroup","uid":"sg-1","data":{"AwsEc2SecurityGroup":{"groupId":"sg-1"}}}]}"#;
    let read = one_pass(text).expect("the one-pass reader takes it").expect("a finding");
    assert_eq!(read, from_tree(text).expect("a finding"));
    assert_eq!(read.resources.len(), 2);
    assert_eq!(
        read.resources[0].details.as_deref(),
        Some(r#"{"AwsS3Bucket":{"PublicAccessBlockConfiguration":{"BlockPublicAcls":false}}}"#)
    );
    assert_eq!(read.resources[0].tags.get("e").map(String::as_str), Some(""));
    assert!(read.warnings.iter().any(|w| w == "resources[1] is not an object; ignored"), "{:?}", read.warnings);
}

#[test]
fn details_written_from_the_text_are_the_trees_and_odd_ones_are_read_as_trees() {
    let base = ndjson_line(1);
    let parts = [
        r#"{"awsS3BucketDetails":{"name":"b","n":[1,-2,[],{},[[true,false,null]]],"é日":{"ünï":"🦀 / \u00e9"}},"x":1}"#,
        r#"{"AwsS3Bucket":{"sseAlgorithm":"a","SseAlgorithm":"b"},"awsEc2InstanceDetails":{"k":1,"k":2}}"#,
        r#"{"AwsEc2SecurityGroupDetails":{"n":1.5,"m":1e2,"z":-0,"big":12345678901234567890,"s":"a\"b"},"awsS3Bucket":7}"#,
        r#"{"awsEc2Instance":{"a":1},"AwsEc2InstanceDetails":{"b":2},"awsS3BucketDetails":{"c":{"d":[{"e":"f"}]}}}"#,
    ];
    for (i, data) in parts.iter().enumerate() {
        let mut value = base.clone();
        value["resources"][0]["data"] = serde_json::from_str(data).expect("json");
        let text = value.to_string().replacen(&value["resources"][0]["data"].to_string(), data, 1);
        assert!(text.contains(data), "part {i} kept as written");
        let read = one_pass(&text).expect("taken in one pass").expect("a finding");
        assert!(read.resources[0].details.is_some(), "part {i}");
        assert_eq!(read, from_tree(&text).expect("a finding"), "part {i}");
    }
}

#[test]
fn a_page_tells_the_formats_apart_whichever_member_comes_first() {
    let asff = json!({"aws_note": "lowercase first", "SchemaVersion": "2018-10-08", "Id": "asff-1",
        "ProductArn": "arn:aws:securityhub:us-east-2::product/aws/securityhub", "GeneratorId": "security-control/S3.8",
        "AwsAccountId": "123456789012", "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b"}]});
    let ocsf = ndjson_line(1).to_string().replacen('{', r#"{"Zzz":"uppercase first","#, 1);
    assert!(!starts_like_ocsf(&Scanner::new(&ocsf)));
    let page = format!(r#"{{"Findings":[{asff},{ocsf}]}}"#);
    let outcome = read_any_document(page.clone());
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    let formats: Vec<_> = outcome.findings.iter().map(|f| f.format).collect();
    assert_eq!(formats, [crate::model::FindingFormat::Asff, crate::model::FindingFormat::Ocsf]);
    let tree = read_any_value(&serde_json::from_str(&page).expect("json"));
    assert_eq!(canonical(outcome), canonical(tree));
}

/// Text as hostile as a finding can carry: controls, escape sequences, bidi and zero-width characters, quotes,
/// backslashes, characters beyond the BMP, spaces around.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 ./:-]{0,12}",
        Just("\u{1b}]52;c;Y3VybA==\u{7}".to_owned()),
        Just("\u{1b}[31m".to_owned()),
        Just("\u{9b}2J".to_owned()),
        Just("\u{202e}\u{200b}\u{2028}".to_owned()),
        Just("\"\\/\n\r\t\u{0}\u{1f}\u{7f}".to_owned()),
        Just("é日本🦀\u{e0041}".to_owned()),
        Just("  ".to_owned()),
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
}

/// The text members a hostile string is put in.
const TEXT_MEMBERS: [&str; 18] = [
    "/metadata/uid",
    "/metadata/product/uid",
    "/metadata/product/name",
    "/finding_info/uid",
    "/finding_info/title",
    "/finding_info/desc",
    "/finding_info/types/0",
    "/finding_info/created_time_dt",
    "/cloud/account/uid",
    "/cloud/region",
    "/compliance/control",
    "/compliance/status",
    "/severity",
    "/status",
    "/class_name",
    "/resources/0/type",
    "/resources/0/uid_alt",
    "/resources/0/owner/account/uid",
];

/// A JSON string literal of `text` with every char but plain ASCII letters written as a `\u` escape.
fn escaped_literal(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c.is_ascii_alphanumeric() {
            true => out.push(c),
            false => c.encode_utf16(&mut [0; 2]).iter().for_each(|u| out.push_str(&format!("\\u{u:04x}"))),
        }
    }
    out + "\""
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn hostile_text_is_read_and_made_inert_in_one_pass_exactly_as_from_the_tree(
        member in 0..TEXT_MEMBERS.len(),
        text in hostile_text(),
        tag in (hostile_text(), hostile_text()),
        escaped in any::<bool>(),
    ) {
        let mut value = with(&ndjson_line(7), TEXT_MEMBERS[member], Some(&Value::from("\u{1}PLACE\u{1}")));
        value["resources"][0]["tags"][0] = json!({"name": tag.0, "value": tag.1});
        let literal = match escaped {
            true => escaped_literal(&text),
            false => Value::from(text.as_str()).to_string(),
        };
        let json = value.to_string().replacen(r#""\u0001PLACE\u0001""#, &literal, 1);
        let read = one_pass(&json);
        prop_assert!(read.is_some(), "text of any content is read in one pass");
        prop_assert_eq!(read.expect("read"), from_tree(&json));
        let value: Value = serde_json::from_str(&json).expect("json");
        assert_readers_agree(&value, TEXT_MEMBERS[member]);
    }
}
