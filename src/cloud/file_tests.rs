use super::*;
use crate::model::asff::read_document;
use serde_json::{json, Value};

pub(in crate::cloud) fn finding(n: usize) -> Value {
    json!({
        "SchemaVersion": "2018-10-08",
        "Id": format!("arn:aws:securityhub:eu-west-1:111111111111:security-control/S3.8/finding/{n:05}"),
        "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
        "GeneratorId": "security-control/S3.8",
        "AwsAccountId": "111111111111",
        "Region": "eu-west-1",
        "Title": format!("S3 general purpose buckets should block public access — é {n}"),
        "Severity": {"Label": "HIGH", "Normalized": 70},
        "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.8"},
        "Resources": [{"Type": "AwsS3Bucket", "Id": format!("arn:aws:s3:::bucket-{n}"), "Tags": {"env": "prod"}}]
    })
}

/// `{"Findings": [...]}` as the AWS CLI writes it: indented by four spaces.
pub(in crate::cloud) fn export(findings: &[Value]) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(&json!({ "Findings": findings }), &mut serializer).expect("json");
    String::from_utf8(out).expect("utf-8")
}

/// Small blocks and limits, so that a few kilobytes cross every boundary.
const SMALL: Limits = Limits { block: 1000, item: 3000, whole_document: 5000, keep_json: true };

fn write(dir: &tempfile::TempDir, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

fn ids(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(|f| f.id.to_string()).collect()
}

fn problems(batch: &Batch) -> Vec<String> {
    batch.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn an_export_read_in_small_blocks_reads_as_the_whole_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let findings: Vec<Value> = (0..300).map(finding).collect();
    let text = export(&findings);
    let path = write(&dir, "export.json", &text);
    let read = read_path_within(&path, SMALL);
    assert!(read.problems.is_empty(), "{:?}", problems(&read));
    let whole = read_document(&text);
    assert_eq!(ids(&read.findings), ids(&whole.findings));
    for (streamed, whole) in read.findings.iter().zip(&whole.findings) {
        assert_eq!(streamed.raw.text().expect("raw"), whole.raw.text().expect("raw"), "compact JSON, as received");
        assert!(streamed.raw.is_spilled(), "the JSON is moved to the spill file as it is read");
    }
}

#[test]
fn without_json_kept_the_export_reads_as_the_same_findings_with_no_json_of_their_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let findings: Vec<Value> = (0..300).map(finding).collect();
    let path = write(&dir, "export.json", export(&findings));
    let kept = read_path_within(&path, SMALL);
    let bare = read_path_within(&path, Limits { keep_json: false, ..SMALL });
    assert!(bare.problems.is_empty(), "{:?}", problems(&bare));
    assert_eq!(ids(&bare.findings), ids(&kept.findings));
    for (bare, kept) in bare.findings.iter().zip(&kept.findings) {
        let error = bare.raw.text().expect_err("no JSON kept");
        assert!(error.contains("does not keep"), "{error}");
        assert!(!bare.raw.is_spilled(), "nothing is written to the spill file");
        assert_eq!((&bare.title, &bare.control_id, &bare.resources), (&kept.title, &kept.control_id, &kept.resources));
    }
}

#[test]
fn empty_lists_bom_and_arrays_read_without_problems() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in [
        ("empty.json", "{\"Findings\": []}".to_owned()),
        ("empty-pretty.json", "{\n    \"Findings\": []\n}\n".to_owned()),
        ("empty-with-token.json", "{\"Findings\": [], \"NextToken\": null}".to_owned()),
    ] {
        let read = read_path_within(&write(&dir, name, text), SMALL);
        assert!(read.findings.is_empty() && read.problems.is_empty(), "{name}: {:?}", problems(&read));
    }
    let two: Vec<Value> = vec![finding(1), finding(2)];
    for (name, text, limits) in [
        ("bom-list.json", format!("\u{feff}{}", export(&two)), SMALL),
        ("bom-whole.json", format!("\u{feff}{}", serde_json::to_string(&finding(1)).expect("json")), Limits::default()),
        ("array.json", serde_json::to_string_pretty(&two).expect("json"), SMALL),
    ] {
        let read = read_path_within(&write(&dir, name, text), limits);
        assert!(read.problems.is_empty(), "{name}: {:?}", problems(&read));
        assert!(!read.findings.is_empty(), "{name}");
    }
}

#[test]
fn bad_items_are_named_with_their_place_and_the_others_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = export(&[finding(1), finding(2), finding(3)]).into_bytes();
    // Invalid UTF-8 inside the title of the second finding.
    let at = text.windows(5).position(|w| w == "é 2\"".as_bytes()).expect("the second title");
    text[at] = 0xff;
    let read = read_path_within(&write(&dir, "utf8.json", &text), SMALL);
    assert_eq!(read.findings.len(), 2, "{:?}", problems(&read));
    let problems = problems(&read);
    let line = text[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains(&format!("$.Findings[1], line {line}, column ")), "{problems:?}");
    assert!(problems[0].contains("not valid UTF-8"), "{problems:?}");

    let twice =
        export(&[finding(1), finding(2)]).replacen("\"SchemaVersion\"", "\"Id\": \"other\",\n    \"SchemaVersion\"", 1);
    let read = read_path_within(&write(&dir, "twice.json", twice), SMALL);
    assert_eq!(ids(&read.findings), [finding(2)["Id"].as_str().expect("id")]);
    assert!(super::tests::problems(&read)[0].contains("$.Findings[0]: key \"Id\" given twice"), "{:?}", read.problems);
}

#[test]
fn a_cut_or_damaged_list_keeps_what_came_before_and_says_where() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = export(&(0..20).map(finding).collect::<Vec<_>>());
    let cut = &text[..text.len() * 2 / 3];
    let read = read_path_within(&write(&dir, "cut.json", cut), SMALL);
    assert!(read.findings.len() >= 10, "{}", read.findings.len());
    let named = problems(&read);
    assert_eq!(named.len(), 1, "{named:?}");
    assert!(named[0].contains("ends inside the list (cut short?)"), "{named:?}");

    let (fifth, _) = text.match_indices("\"HIGH\"").nth(4).expect("a fifth finding");
    let damaged = format!("{}HIGH{}", &text[..fifth], &text[fifth + 6..]);
    let read = read_path_within(&write(&dir, "damaged.json", damaged), SMALL);
    assert_eq!(read.findings.len(), 4, "the findings before the damage");
    let named = problems(&read);
    assert_eq!(named.len(), 1, "{named:?}");
    assert!(named[0].contains("$.Findings[4], line "), "{named:?}");
    assert!(named[0].contains("not valid JSON: expected value; the rest of the file is not read"), "{named:?}");
}

#[test]
fn what_is_too_large_is_named_and_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut big = finding(2);
    big["Description"] = json!("x".repeat(4000));
    let read = read_path_within(&write(&dir, "big-item.json", export(&[finding(1), big, finding(3)])), SMALL);
    assert_eq!(read.findings.len(), 2);
    assert!(
        problems(&read)[0].contains("$.Findings[1], line 29, column 9: larger than 3 KB: not read"),
        "{:?}",
        problems(&read)
    );

    let events: Vec<Value> = (0..10).map(|n| json!({"detail": {"findings": [finding(n)]}})).collect();
    let read = read_path_within(&write(&dir, "events.json", json!({ "events": events }).to_string()), SMALL);
    assert!(read.findings.is_empty());
    assert!(
        problems(&read)[0].contains("larger than the 5 KB a document of this shape is read whole in"),
        "{:?}",
        problems(&read)
    );

    let read = read_path_within(&write(&dir, "zeros.json", vec![0u8; 10_000]), SMALL);
    assert_eq!(
        problems(&read),
        [format!("{}: not valid JSON: expected value at line 1 column 1", dir.path().join("zeros.json").display())]
    );
}

#[test]
fn text_after_the_document_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!("{}\n\n  x", export(&[finding(1)]));
    let line = text.lines().count();
    let read = read_path_within(&write(&dir, "after.json", text), SMALL);
    assert_eq!(read.findings.len(), 1);
    let expected = format!("line {line}, column 3: not valid JSON: text after the end of the document; not read");
    assert!(problems(&read)[0].ends_with(&expected), "{:?}", problems(&read));
}

#[tokio::test]
async fn pages_are_handed_over_as_the_files_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(&dir, "a.json", export(&(0..700).map(finding).collect::<Vec<_>>()));
    write(&dir, "b.json", export(&(700..1200).map(finding).collect::<Vec<_>>()));
    write(&dir, "c.json", "not json");
    let source = FileSource::open(dir.path());
    assert_eq!(source.files(), 3);
    let id = source.sources().remove(0);
    let (mut token, mut pages, mut findings, mut named) = (None, 0, 0, Vec::new());
    loop {
        let page = source.fetch_page(&id, token).await.expect("page");
        pages += 1;
        findings += page.findings.len();
        named.extend(page.problems);
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!((pages, findings), (3, 1200));
    assert_eq!(named.len(), 1, "{named:?}");
    assert!(named[0].contains("c.json: line 1, column 2: not valid JSON"), "{named:?}");
    let again = source.fetch_page(&id, None).await.expect("the files are read again from the start");
    assert_eq!(again.findings.len(), PAGE);
}

#[test]
fn the_ocsf_samples_read_in_small_blocks_as_whole_documents_and_a_v2_response_is_split_into_its_items() {
    let samples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/ocsf");
    let limits = Limits { block: 1000, item: 64 << 10, whole_document: 64 << 10, keep_json: true };
    let read = read_path_within(&samples, limits);
    assert!(read.problems.is_empty(), "{:?}", problems(&read));
    assert_eq!(read.findings.len(), 14, "every finding of the four files");
    assert!(read.findings.iter().all(|f| f.format == crate::model::FindingFormat::Ocsf && f.warnings.is_empty()));
    // The GetFindingsV2 response holds a finding larger than a block: read from its items, as the whole file reads.
    let response = samples.join("elastic-integrations__mock-config_getfindingsv2-response.json");
    let streamed = read_path_within(&response, limits);
    let whole = read_document(&std::fs::read_to_string(&response).expect("sample"));
    assert_eq!(ids(&streamed.findings), ids(&whole.findings));
    assert_eq!(streamed.findings.len(), 2);
    assert_eq!(streamed.findings[1].raw.text().expect("raw"), whole.findings[1].raw.text().expect("raw"));
}
