//! Shared test helpers.

use serde_json::Value;
use std::path::PathBuf;

/// The shared corpus of real ASFF findings, read by path: `$HUBTRIAGE_ASFF_DIR`, else `../shared/asff` next to
/// the project, else `/work/shared/asff`.
pub fn asff_corpus() -> PathBuf {
    let candidates = [
        std::env::var_os("HUBTRIAGE_ASFF_DIR").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/asff")),
        Some(PathBuf::from("/work/shared/asff")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("SOURCES.md").is_file())
        .expect("the ASFF corpus: set HUBTRIAGE_ASFF_DIR or keep ../shared/asff beside the project")
}

/// Corpus finding objects (ProductArn and Resources).
#[allow(dead_code)] // not every test binary reads the corpus's findings one by one
pub fn corpus_findings() -> Vec<Value> {
    fn collect(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
            Value::Object(o) if o.contains_key("ProductArn") && o.contains_key("Resources") => out.push(v.clone()),
            Value::Object(o) => o.values().for_each(|i| collect(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut dirs = vec![asff_corpus()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                if let Ok(value) = serde_json::from_str::<Value>(&std::fs::read_to_string(&path).expect("read")) {
                    collect(&value, &mut out);
                }
            }
        }
    }
    assert!(out.len() > 100, "the corpus holds findings: {}", out.len());
    out
}
