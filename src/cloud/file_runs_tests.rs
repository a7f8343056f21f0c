#![allow(clippy::unwrap_used)]

use super::*;
use crate::cloud::file::tests::export;
use crate::cloud::file::{read_path_within, FileProblem};
use crate::cloud::file_read::Limits;
use crate::model::Finding;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

#[test]
fn a_list_laid_out_one_item_per_indentation_has_a_layout() {
    assert_eq!(layout_of(b"\n    {\"Id\": 1}"), Some((Layout { indent: 4 }, 5)));
    assert_eq!(layout_of(b"  \r\n  \n   {"), Some((Layout { indent: 3 }, 10)));
    for other in [&b"{\"Id\": 1}"[..], b"\n{", b"\n\t{", b"\n    \"text\"", b"\n  \t  {", b"   "] {
        assert_eq!(layout_of(other), None, "{}", String::from_utf8_lossy(other));
    }
}

#[test]
fn an_item_ends_at_a_brace_alone_at_the_items_indentation_before_a_comma() {
    let layout = Layout { indent: 4 };
    let text =
        b"{\n      \"a\": {\n        \"b\": 1\n      },\n      \"c\": \"}\"\n    },\n    {\n      \"d\": 2\n    }\n  ]";
    let end = layout.last_item_end(text, 0).unwrap();
    assert_eq!(&text[end - 5..end + 2], b"\n    },", "the last closing brace before a comma at four spaces");
    assert_eq!(layout.last_item_end(text, end + 1), None, "the last item has no `,` after it");
    assert_eq!(Layout { indent: 6 }.last_item_end(text, 0), Some(text.iter().position(|&b| b == b'}').unwrap()));
    assert_eq!(Layout { indent: 2 }.last_item_end(text, 0), None);
}

/// Findings and problems of `path` cut in runs (small blocks: the file is many of them) and item by item (one block
/// holds the file), as text to compare.
fn both_ways(path: &Path, item: u64) -> [(Vec<String>, Vec<String>); 2] {
    let read = |block| {
        let batch = read_path_within(path, Limits { block, item, whole_document: 1 << 20, keep_json: true });
        let findings = batch.findings.iter().map(|f: &Finding| format!("{} {}", f.id, f.raw.text().unwrap())).collect();
        (findings, batch.problems.iter().map(FileProblem::to_string).collect())
    };
    [read(1000), read(1 << 24)]
}

/// A finding (as the file source's tests make them) whose `extra` members come first, as in a finding that starts
/// with a nested object.
fn finding(n: usize, extra: Value) -> Value {
    match (extra, crate::cloud::file::tests::finding(n)) {
        (Value::Object(mut extra), Value::Object(base)) => {
            extra.extend(base);
            Value::Object(extra)
        }
        (_, f) => f,
    }
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn the_asff_corpus_exported_reads_the_same_in_runs_as_item_by_item() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/asff");
    let mut findings = Vec::new();
    for file in crate::cloud::file_walk::walk(&corpus).files {
        let read = crate::model::asff::read_document(&std::fs::read_to_string(file).unwrap());
        findings.extend(read.findings.iter().map(|f| serde_json::from_str::<Value>(&f.raw.text().unwrap()).unwrap()));
    }
    assert!(findings.len() > 100, "the corpus: {}", findings.len());
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "export.json", export(&findings));
    let [runs, items] = both_ways(&path, 1 << 20);
    assert_eq!(runs.0.len(), findings.len(), "{:?}", runs.1);
    assert_eq!(runs, items);
}

#[test]
fn a_nested_brace_laid_out_as_an_item_end_is_read_again_item_by_item() {
    let dir = tempfile::tempdir().unwrap();
    let nested = |n| if n % 3 == 0 { json!({"Action": {"ActionType": "PORT_PROBE"}}) } else { json!({}) };
    let mut text = export(&(0..300).map(|n| finding(n, nested(n))).collect::<Vec<_>>());
    // Findings whose first member, an object, closes at the items' indentation before a `,`: the layout misleads
    // the cut where such a brace is the last one of a block (past the first 64 KB, blocks are 1,000 bytes).
    text = text.replace("\"PORT_PROBE\"\n            }", "\"PORT_PROBE\"\n        }");
    let [runs, items] = both_ways(&write(&dir, "misleading.json", &text), 1 << 20);
    assert_eq!(runs.0.len(), 300, "{:?}", runs.1);
    assert!(runs.1.is_empty(), "{:?}", runs.1);
    assert_eq!(runs, items);
}

#[test]
fn problems_in_runs_are_named_at_the_items_place_in_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut findings: Vec<Value> = (0..300).map(|n| finding(n, json!({}))).collect();
    for n in [33, 147, 251] {
        findings[n]["Title"] = json!("given twice");
    }
    findings[200] = json!({"Note": "not a finding"});
    let text = export(&findings).replace("\"Title\": \"given twice\"", "\"Id\": \"twice\", \"Title\": \"\"");
    let [runs, items] = both_ways(&write(&dir, "problems.json", text), 1 << 20);
    assert_eq!(runs, items);
    assert_eq!(runs.0.len(), 296, "{:?}", runs.1);
    let named = runs.1.join("\n");
    for n in [33, 147, 251] {
        assert!(named.contains(&format!("$.Findings[{n}]: key \"Id\" given twice")), "{named}");
    }
    assert!(named.contains("$.Findings[200]: object is not a Security Hub finding"), "{named}");
}

#[test]
fn damage_in_a_run_is_named_as_item_by_item_reading_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = export(&(0..300).map(|n| finding(n, json!({}))).collect::<Vec<_>>());
    let (at, _) = text.match_indices("\"HIGH\"").nth(137).unwrap();
    let damaged = format!("{}HIGH{}", &text[..at], &text[at + 6..]);
    let mut utf8 = text.clone().into_bytes();
    let title = utf8.windows(7).position(|w| w == "é 244\"".as_bytes()).unwrap();
    utf8[title] = 0xff;
    let oversized = text.replacen("é 129\"", &format!("é {}\"", "x".repeat(3000)), 1);
    for (name, bytes, item) in [
        ("damaged", damaged.into_bytes(), 1 << 20),
        ("utf8", utf8, 1 << 20),
        ("oversized", oversized.into_bytes(), 2000),
    ] {
        let [runs, items] = both_ways(&write(&dir, name, &bytes), item);
        assert_eq!(runs.1.len(), 1, "{name}: {:?}", runs.1);
        assert_eq!(runs, items, "{name}");
    }
}
