//! Inputs generated from the real findings of the ASFF corpus: each generated finding is a corpus finding with a
//! fresh id, moved to one of 20 accounts × 5 regions (every ARN and field naming its account or region follows).

use hubtriage::model::asff::read_value;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Accounts the findings are spread over.
pub const ACCOUNTS: usize = 20;

/// Regions the findings are spread over.
pub const REGIONS: [&str; 5] = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];

/// Sources (account × region).
pub const SOURCES: usize = ACCOUNTS * REGIONS.len();

/// One corpus finding, compact, with what a generated copy replaces.
struct Template {
    text: String,
    account: String,
    region: String,
    /// `"Id":"…"` as it appears in `text`.
    id_field: String,
    id: String,
}

/// The corpus findings that read as open findings.
pub struct Corpus {
    dir: PathBuf,
    templates: Vec<Template>,
}

/// The account id of account number `n`.
pub fn account(n: usize) -> String {
    format!("{:012}", 300_000_000_000u64 + n as u64 * 1_000_003)
}

impl Corpus {
    /// Reads every `.json` file of the corpus directory: `$HUBTRIAGE_ASFF_DIR`, else `../shared/asff` beside the
    /// project, else `/work/shared/asff`.
    pub fn load() -> Self {
        let dir = [
            std::env::var_os("HUBTRIAGE_ASFF_DIR").map(PathBuf::from),
            Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/asff")),
            Some(PathBuf::from("/work/shared/asff")),
        ]
        .into_iter()
        .flatten()
        .find(|p| p.join("SOURCES.md").is_file())
        .expect("the ASFF corpus: set HUBTRIAGE_ASFF_DIR or keep ../shared/asff beside the project");
        let mut files = Vec::new();
        json_files(&dir, &mut files);
        files.sort();
        let mut templates = Vec::new();
        for file in files {
            let Ok(text) = std::fs::read_to_string(&file) else { continue };
            let Ok(value) = serde_json::from_str::<Value>(&text) else { continue };
            collect(&value, &mut templates);
        }
        assert!(!templates.is_empty(), "no usable finding in {}", dir.display());
        Self { dir, templates }
    }

    /// Where the corpus was read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many corpus findings the inputs are made of.
    pub fn templates(&self) -> usize {
        self.templates.len()
    }

    /// Generated finding number `i` as compact ASFF JSON: template `i % templates`, in source `i % SOURCES`.
    pub fn finding(&self, i: usize) -> String {
        let t = &self.templates[i % self.templates.len()];
        let source = i % SOURCES;
        let (account, region) = (account(source % ACCOUNTS), REGIONS[source / ACCOUNTS]);
        let moved = t.text.replace(&t.account, &account).replace(&t.region, region);
        let old_id = t.id_field.replace(&t.account, &account).replace(&t.region, region);
        let new_id = format!("{}-{i:06}", t.id.replace(&t.account, &account).replace(&t.region, region));
        let new_field = format!("\"Id\":{}", serde_json::to_string(&new_id).expect("string"));
        moved.replacen(&old_id, &new_field, 1)
    }

    /// A GetFindings response holding findings `indices`, with `next` as its NextToken.
    pub fn page(&self, indices: impl Iterator<Item = usize>, next: Option<&str>) -> String {
        let findings: Vec<String> = indices.map(|i| self.finding(i)).collect();
        let token = next.map(|t| format!(",\"NextToken\":\"{t}\"")).unwrap_or_default();
        format!("{{\"Findings\":[{}]{token}}}", findings.join(","))
    }

    /// `n` findings as GetFindings pages of 100.
    pub fn pages(&self, n: usize) -> Vec<String> {
        (0..n)
            .step_by(100)
            .map(|start| {
                let end = (start + 100).min(n);
                let next = (end < n).then(|| format!("page-{end}"));
                self.page(start..end, next.as_deref())
            })
            .collect()
    }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Every finding object inside `value` that the product reads as one open finding with an account and region.
fn collect(value: &Value, out: &mut Vec<Template>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        Value::Object(obj) if obj.contains_key("ProductArn") && obj.contains_key("Resources") => {
            let field = |k: &str| obj.get(k).and_then(Value::as_str).map(String::from);
            let (Some(id), Some(account), Some(region)) = (field("Id"), field("AwsAccountId"), field("Region")) else {
                return;
            };
            let read = read_value(value);
            if read.findings.len() != 1 || !read.findings[0].is_open() || account.len() != 12 {
                return;
            }
            let text = serde_json::to_string(value).expect("json");
            let id_field = format!("\"Id\":{}", serde_json::to_string(&id).expect("string"));
            if text.contains(&id_field) {
                out.push(Template { text, account, region, id_field, id });
            }
        }
        Value::Object(obj) => obj.values().for_each(|v| collect(v, out)),
        _ => {}
    }
}
