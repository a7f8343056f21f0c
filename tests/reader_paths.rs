//! The reader has two paths: GetFindings responses are read field by field from the text (the fast path, what
//! 100,000 findings take), every other shape through a parsed JSON tree. A list of findings in a file (the AWS CLI's
//! export) is read one item at a time, each by the fast path where it can. All must read every finding the same
//! way, whatever type each field has: checked on every finding of the ASFF corpus, and on each of them with fields
//! replaced by values of every other type.

use hubtriage::model::asff::{read_document, read_value, ReadOutcome};
use hubtriage::model::asff_items::FindingList;
use hubtriage::model::raw_json::RawJson;
use hubtriage::model::Finding;
use serde_json::{json, Value};

mod common;
use common::corpus_findings;

/// A finding with its raw JSON in one canonical form (the paths keep the text as received or as re-serialized).
fn canonical(mut f: Finding) -> Finding {
    let text = f.raw.text().expect("raw").into_owned();
    let value: Value = serde_json::from_str(&text).expect("raw is JSON");
    f.raw = RawJson::inline(value.to_string());
    for r in &mut f.resources {
        r.details = r.details().map(|d| d.to_string().into_boxed_str());
    }
    f
}

fn both_paths(finding: &Value) -> (ReadOutcome, ReadOutcome) {
    let general = read_value(&json!({ "Findings": [finding] }));
    let fast = read_document(
        &serde_json::to_string_pretty(&json!({ "Findings": [finding], "NextToken": "t" })).expect("json"),
    );
    (general, fast)
}

/// The finding as the item of an exported list: pretty-printed as the AWS CLI writes it.
fn item_path(finding: &Value) -> ReadOutcome {
    let text = serde_json::to_string_pretty(finding).expect("json");
    let read = FindingList::findings_member().read_item(0, &text).expect("valid JSON");
    assert!(read.foreign.is_none(), "a finding is not a foreign item");
    read.outcome
}

fn assert_same(finding: &Value, what: &str) {
    let (general, fast) = both_paths(finding);
    let item = item_path(finding);
    let general_findings: Vec<Finding> = general.findings.into_iter().map(canonical).collect();
    let fast_findings: Vec<Finding> = fast.findings.into_iter().map(canonical).collect();
    let item_findings: Vec<Finding> = item.findings.into_iter().map(canonical).collect();
    assert_eq!(general_findings, fast_findings, "{what}");
    assert_eq!(general_findings, item_findings, "{what}: as an item of a list");
    assert_eq!(general.problems, fast.problems, "{what}");
    assert_eq!(general.problems, item.problems, "{what}: as an item of a list");
}

/// `document` written as the AWS CLI writes it (indented by four spaces) to a file, and read by the file source.
fn read_as_file(document: &Value) -> hubtriage::cloud::file_stream::Batch {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("export.json");
    let mut text = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    serde::Serialize::serialize(document, &mut serde_json::Serializer::with_formatter(&mut text, formatter))
        .expect("json");
    std::fs::write(&path, text).expect("write");
    hubtriage::cloud::file::read_path(&path)
}

#[test]
fn the_corpus_exported_by_the_aws_cli_reads_as_its_tree_does() {
    let findings = corpus_findings();
    for document in [json!({ "Findings": findings, "NextToken": "t" }), json!(findings)] {
        let general = read_value(&document);
        let streamed = read_as_file(&document);
        assert_eq!(streamed.findings.len(), findings.len());
        let general_findings: Vec<Finding> = general.findings.into_iter().map(canonical).collect();
        let streamed_findings: Vec<Finding> = streamed.findings.into_iter().map(canonical).collect();
        assert!(general_findings == streamed_findings, "the same findings, in the same order");
        let general_problems: Vec<String> =
            general.problems.iter().map(|p| format!("{}: {}", p.location, p.reason)).collect();
        let streamed_problems: Vec<String> = streamed
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.location.as_deref().unwrap_or(""), p.reason))
            .collect();
        assert_eq!(general_problems, streamed_problems);
    }
}

#[test]
fn every_corpus_finding_reads_the_same_on_both_paths() {
    let findings = corpus_findings();
    for (i, f) in findings.iter().enumerate() {
        assert_same(f, &format!("corpus finding {i}"));
    }
    // The fast path was taken: the raw JSON is the compacted text as given, keys in their original order.
    let first = &findings[0];
    let (_, fast) = both_paths(first);
    let raw = fast.findings[0].raw.text().expect("raw").into_owned();
    assert_eq!(raw, serde_json::to_string(first).expect("json").replace("\n", ""));
}

#[test]
fn fields_of_any_type_read_the_same_on_both_paths() {
    let odd = [
        json!(null),
        json!(7),
        json!(-1.5),
        json!("x"),
        json!("  "),
        json!(true),
        json!([]),
        json!([1, "a"]),
        json!({}),
        json!({"a": 1}),
    ];
    let findings = corpus_findings();
    let mut cases = 0;
    for f in findings.iter().step_by(7) {
        let Value::Object(obj) = f else { continue };
        // Every top-level field, and the nested ones the reader looks into.
        let mut paths: Vec<Vec<String>> = obj.keys().map(|k| vec![k.clone()]).collect();
        for nested in [
            vec!["Severity", "Label"],
            vec!["Severity", "Normalized"],
            vec!["Workflow", "Status"],
            vec!["Compliance", "Status"],
            vec!["Compliance", "SecurityControlId"],
            vec!["ProductFields", "ControlId"],
            vec!["ProductFields", "aws/securityhub/ProductName"],
            vec!["FindingProviderFields", "Severity"],
        ] {
            paths.push(nested.into_iter().map(String::from).collect());
        }
        for path in paths {
            for value in &odd {
                let mut mutated = f.clone();
                let mut slot = &mut mutated;
                for key in &path {
                    if !slot.is_object() {
                        *slot = json!({});
                    }
                    slot = slot.as_object_mut().expect("object").entry(key.clone()).or_insert(Value::Null);
                }
                *slot = value.clone();
                assert_same(&mutated, &format!("{} = {value}", path.join(".")));
                cases += 1;
            }
        }
        // Resources: odd items, odd tags, odd details.
        for value in &odd {
            let mut mutated = f.clone();
            if let Some(resources) = mutated.get_mut("Resources").and_then(Value::as_array_mut) {
                resources.push(value.clone());
                if let Some(first) = resources.first_mut().and_then(Value::as_object_mut) {
                    first.insert("Tags".into(), value.clone());
                    first.insert("Details".into(), json!({ "AwsEc2SecurityGroup": value, "Other": value }));
                }
            }
            assert_same(&mutated, &format!("Resources with {value}"));
            cases += 1;
        }
    }
    assert!(cases > 1000, "{cases} cases");
}

#[test]
fn a_key_given_twice_is_read_as_the_general_path_reads_it() {
    // serde refuses duplicate fields where a JSON tree keeps the last one: the page falls back to the tree.
    let text = r#"{"Findings":[{"SchemaVersion":"2018-10-08","Id":"arn:aws:securityhub:eu-west-1:111111111111:x/1","Title":"a","Title":"b","ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/securityhub","AwsAccountId":"111111111111","Resources":[]}]}"#;
    let outcome = read_document(text);
    assert_eq!(outcome.findings.len(), 1, "{:?}", outcome.problems);
    assert_eq!(&*outcome.findings[0].title, "b");
}

#[test]
fn an_identity_key_given_twice_is_named_on_every_path() {
    // Which `Id` a reader keeps is the reader's choice (serde_json and Python the last, others the first): the
    // finding shown could be another than the one Security Hub holds, so it is named, not read.
    let once = r#"{"SchemaVersion":"2018-10-08","Id":"arn:aws:securityhub:eu-west-1:111111111111:x/1","ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/securityhub","AwsAccountId":"111111111111","Resources":[]}"#;
    for twice in [
        once.replace(r#""SchemaVersion""#, r#""Id":"a","SchemaVersion""#),
        once.replace(r#""AwsAccountId""#, r#""ProductArn":"p","AwsAccountId""#),
    ] {
        let page = read_document(&format!(r#"{{"Findings":[{twice}]}}"#));
        let lines = read_document(&format!("{twice}\n{twice}\n"));
        let item = FindingList::top_level().read_item(0, &twice).expect("valid JSON").outcome;
        for (outcome, location) in [(page, "$.Findings[0]"), (lines, "line 2"), (item, "$[0]")] {
            assert!(outcome.findings.is_empty(), "{twice}");
            let problem = outcome.problems.last().expect("named");
            assert_eq!(problem.location, location);
            assert!(problem.reason.contains("given twice"), "{}", problem.reason);
        }
    }
}

/// What the general path reads from `text` when it is one JSON value (`None` when it is not).
fn general_reading(text: &str) -> Option<ReadOutcome> {
    serde_json::from_str::<Value>(text).ok().map(|value| read_value(&value))
}

fn canonical_findings(outcome: ReadOutcome) -> Vec<Finding> {
    outcome.findings.into_iter().map(canonical).collect()
}

/// Characters that change what JSON text means, and a few that are only text.
const JSON_CHARS: &[char] =
    &['"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\n', '0', '9', '-', '.', 'e', 'u', 't', 'n', '/', '\u{1}', 'é'];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 3000, failure_persistence: None, ..proptest::prelude::ProptestConfig::default()
    })]

    /// The one-pass scanner checks the JSON it skips as strictly as a full parse: a page with one character
    /// changed, added or removed reads as the general path reads it — the same findings when it is still JSON,
    /// none when it is not.
    #[test]
    fn a_damaged_page_reads_as_the_general_path_reads_it(
        pick in 0usize..10_000,
        at in 0usize..1_000_000,
        edit in 0u8..3,
        char_index in 0usize..JSON_CHARS.len(),
    ) {
        static PAGES: std::sync::OnceLock<Vec<Vec<char>>> = std::sync::OnceLock::new();
        let pages = PAGES.get_or_init(|| {
            let page = |f: &Value| json!({ "Findings": [f, f], "NextToken": "t" }).to_string().chars().collect();
            corpus_findings().iter().map(page).collect()
        });
        let chars = &pages[pick % pages.len()];
        let at = at % chars.len();
        let mut damaged = chars.clone();
        match edit {
            0 => damaged[at] = JSON_CHARS[char_index],
            1 => damaged.insert(at, JSON_CHARS[char_index]),
            _ => { damaged.remove(at); }
        }
        let text: String = damaged.into_iter().collect();
        let read = read_document(&text);
        match general_reading(&text) {
            Some(general) => {
                proptest::prop_assert_eq!(canonical_findings(read), canonical_findings(general));
            }
            None => proptest::prop_assert!(read.findings.is_empty(), "findings read from text that is not JSON"),
        }
    }
}
