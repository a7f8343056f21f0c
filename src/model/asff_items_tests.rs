use super::*;
use crate::model::asff::read_document;
use serde_json::json;

fn finding(id: &str) -> Value {
    json!({
        "SchemaVersion": "2018-10-08",
        "Id": id,
        "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
        "GeneratorId": "security-control/S3.8",
        "AwsAccountId": "111111111111",
        "Title": "Block public access",
        "Severity": {"Label": "HIGH"},
        "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::b"}]
    })
}

/// Reads every item of `items` one at a time as the list `list`, as the file reader does.
fn read_items(list: &FindingList, items: &[Value]) -> ReadOutcome {
    let mut outcome = ReadOutcome::default();
    let (mut foreign, mut first_reason) = (Vec::new(), None);
    for (i, item) in items.iter().enumerate() {
        let text = serde_json::to_string_pretty(item).expect("json");
        let read = list.read_item(i, &text).expect("valid item");
        outcome.findings.extend(read.outcome.findings);
        outcome.problems.extend(read.outcome.problems);
        if let Some(reason) = read.foreign {
            foreign.push(i);
            first_reason.get_or_insert(reason);
        }
    }
    if let Some(reason) = first_reason {
        outcome.problems.push(list.foreign_items(&foreign, items.len(), &reason));
    }
    outcome
}

#[test]
fn items_read_one_at_a_time_as_the_whole_document_reads_them() {
    let mut twice = finding("x").to_string();
    twice.insert_str(1, "\"Id\":\"first\",");
    let items = vec![
        finding("a"),
        json!({"Name": "not a finding", "Other": 1}),
        json!([finding("nested")]),
        json!({"wrapper": {"Findings": [finding("deep")]}}),
        json!({"Id": "b", "ProductArn": "p", "Title": "t"}),
        json!(7),
        serde_json::from_str::<Value>(&twice).expect("json"),
        json!({"Name": "another"}),
    ];
    for (list, document) in
        [(FindingList::findings_member(), json!({ "Findings": items })), (FindingList::top_level(), json!(items))]
    {
        let one_by_one = read_items(&list, &items);
        let whole = read_document(&serde_json::to_string_pretty(&document).expect("json"));
        let ids = |o: &ReadOutcome| o.findings.iter().map(|f| f.id.to_string()).collect::<Vec<_>>();
        assert_eq!(ids(&one_by_one), ids(&whole), "{list:?}");
        assert_eq!(one_by_one.problems, whole.problems, "{list:?}");
    }
}

#[test]
fn an_item_given_its_id_twice_is_named_and_not_read() {
    let mut text = serde_json::to_string_pretty(&finding("second")).expect("json");
    text.insert_str(1, "\n    \"Id\": \"first\",");
    let read = FindingList::findings_member().read_item(4, &text).expect("valid JSON");
    assert!(read.outcome.findings.is_empty());
    assert_eq!(read.outcome.problems.len(), 1);
    assert_eq!(read.outcome.problems[0].location, "$.Findings[4]");
    assert!(read.outcome.problems[0].reason.contains("key \"Id\" given twice"), "{:?}", read.outcome.problems);
}

#[test]
fn a_pretty_printed_finding_keeps_its_compact_json() {
    let text = serde_json::to_string_pretty(&finding("a")).expect("json");
    let read = FindingList::top_level().read_item(0, &text).expect("valid");
    let raw = read.outcome.findings[0].raw.text().expect("raw").into_owned();
    assert_eq!(raw, finding("a").to_string());
}

#[test]
fn an_item_that_is_not_json_is_the_error_serde_gives() {
    let err = FindingList::top_level().read_item(0, "{\"Id\": \"a\",\n \"x\": tru}").expect_err("not JSON");
    assert_eq!((err.line(), err.column()), (2, 10));
}

#[test]
fn members_after_the_list_are_read_and_a_finding_shaped_document_is_named() {
    let rest = format!(", \"NextToken\": \"t\", \"Wrapped\": {{\"Findings\": [{}]}}\n}}", finding("w"));
    let read = read_members_after_findings(&rest).expect("valid");
    assert_eq!(read.findings.len(), 1);
    assert!(read.problems.is_empty(), "{:?}", read.problems);
    let read = read_members_after_findings(", \"ProductArn\": \"p\", \"Title\": \"t\"}").expect("valid");
    assert!(read.findings.is_empty());
    assert!(read.problems[0].reason.contains("only the list was read"), "{:?}", read.problems);
    assert!(read_members_after_findings(", \"NextToken\": }").is_err());
}
