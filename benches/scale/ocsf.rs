//! OCSF ingest (the new Security Hub): GetFindingsV2 pages of 100 generated from the real OCSF findings of
//! `../shared/ocsf`, read, normalized and given their verdict on one core, against a plain `serde_json::Value`
//! parse of the same bytes — the figure next to ASFF's, with the same target.

use crate::corpus::{account, ACCOUNTS, REGIONS, SOURCES};
use crate::ingest::{discard, timed, triage};
use crate::report::{thousands, Report};
use hubtriage::engine::ingest::assess_page;
use hubtriage::model::{read_any, read_any_document, FindingFormat};
use serde::Serialize;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

/// Rounds over the input; each pass's fastest round counts.
const ROUNDS: usize = 7;

/// One OCSF finding, compact, with the values a generated copy replaces.
struct Template {
    text: String,
    account: String,
    region: String,
    uid: String,
}

/// Every OCSF finding of the shared samples, whatever their shape (lines, responses, events).
fn templates() -> Vec<Template> {
    let dir = [
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/ocsf")),
        Some(PathBuf::from("/work/shared/ocsf")),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.join("SOURCES.md").is_file())
    .expect("the OCSF samples: keep ../shared/ocsf beside the project");
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).expect("ocsf dir").flatten().map(|e| e.path()).collect();
    files.sort();
    for file in files.iter().filter(|p| p.extension().is_some_and(|x| x == "json" || x == "ndjson")) {
        let text = std::fs::read_to_string(file).expect("sample");
        let values: Vec<Value> = match serde_json::from_str::<Value>(&text) {
            Ok(v) => vec![v],
            Err(_) => text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect(),
        };
        for v in &values {
            collect(v, &mut out);
        }
    }
    assert!(!out.is_empty(), "no OCSF finding in {}", dir.display());
    out
}

fn collect(value: &Value, out: &mut Vec<Template>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        Value::Object(obj) if obj.contains_key("finding_info") && obj.contains_key("metadata") => {
            let at =
                |path: &[&str]| path.iter().try_fold(value, |v, k| v.get(k)).and_then(Value::as_str).map(String::from);
            let (Some(account), Some(region), Some(uid)) =
                (at(&["cloud", "account", "uid"]), at(&["cloud", "region"]), at(&["metadata", "uid"]))
            else {
                return;
            };
            let text = serde_json::to_string(value).expect("json");
            if read_any(&text).findings.len() == 1 && account.len() == 12 {
                out.push(Template { text, account, region, uid });
            }
        }
        Value::Object(obj) => obj.values().for_each(|v| collect(v, out)),
        _ => {}
    }
}

/// Generated finding `i`, compact: a sample with a fresh uid, in one of the benchmark's accounts and regions.
fn finding(templates: &[Template], i: usize) -> String {
    let t = &templates[i % templates.len()];
    let source = i % SOURCES;
    let (acct, region) = (account(source % ACCOUNTS), REGIONS[source / ACCOUNTS]);
    let moved = t.text.replacen(&t.uid, &format!("{}-{i:07}", t.uid), 1);
    moved.replace(&t.account, &acct).replace(&t.region, region)
}

/// `n` findings as GetFindingsV2 pages of 100, spread over the benchmark's accounts and regions.
fn pages(templates: &[Template], n: usize) -> Vec<String> {
    let finding = |i: usize| finding(templates, i);
    (0..n)
        .step_by(100)
        .map(|start| {
            let end = (start + 100).min(n);
            let items: Vec<String> = (start..end).map(finding).collect();
            let next = if end < n { format!(",\"NextToken\":\"page-{end}\"") } else { String::new() };
            format!("{{\"Findings\":[{}]{next}}}", items.join(","))
        })
        .collect()
}

pub fn run(findings: usize, report: &mut Report) {
    let templates = templates();
    let pages = pages(&templates, findings);
    let mb = pages.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    report.note(
        "input: GetFindingsV2 pages of 100 (OCSF)",
        format!("{} pages, {mb:.0} MB, from {} sample findings", pages.len(), templates.len()),
    );
    let (triage, now) = (triage(), chrono::Utc::now());
    let (mut floor, mut reader, mut ingest) = (Duration::MAX, Duration::MAX, Duration::MAX);
    for _ in 0..ROUNDS {
        let (took, values) = timed(&pages, |pages| {
            pages.iter().map(|p| serde_json::from_str::<Value>(p).expect("json")).collect::<Vec<_>>()
        });
        floor = floor.min(took);
        discard(values);
        let (took, read) = timed(pages.clone(), |pages| {
            pages.into_iter().map(|page| read_any_document(page).findings).collect::<Vec<_>>()
        });
        reader = reader.min(took);
        discard(read);
        let (took, rows) = timed(pages.clone(), |pages| {
            pages
                .into_iter()
                .flat_map(|page| assess_page(read_any_document(page).findings, &triage, now))
                .collect::<Vec<_>>()
        });
        assert_eq!(rows.len(), findings, "every generated finding is read");
        assert!(rows.iter().all(|r| r.finding.format == FindingFormat::Ocsf));
        ingest = ingest.min(took);
        discard(rows);
    }
    let rate = |d: Duration| findings as f64 / d.as_secs_f64();
    report.note("OCSF ingest floor: serde_json::Value parse only", format!("{}/s", thousands(rate(floor))));
    report.note("  of which: parse + normalize (reader)", format!("{}/s", thousands(rate(reader))));
    report.check(
        "OCSF ingest: parse + normalize + verdict (1 core)",
        format!("{}/s, {:.0} MB/s", thousands(rate(ingest)), mb / ingest.as_secs_f64()),
        "≥ 200,000/s",
        rate(ingest) >= 200_000.0,
    );
    report.note(
        "OCSF ingest vs the Value floor",
        format!("{:.2}× its speed", floor.as_secs_f64() / ingest.as_secs_f64()),
    );
}

/// `export-ocsf PATH [findings]`: the findings of [`pages`] as one GetFindingsV2 export, indented by four spaces as
/// `aws securityhub get-findings-v2 > f.json` writes it (one finding generated at a time).
pub fn export(args: &[String]) {
    use std::io::Write;
    let path = args.first().expect("usage: export-ocsf PATH [findings]");
    let findings = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(crate::FINDINGS);
    let templates = templates();
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    out.write_all(b"{\n    \"Findings\": [").expect("write the export");
    for i in 0..findings {
        let value: Value = serde_json::from_str(&finding(&templates, i)).expect("json");
        let mut text = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        value.serialize(&mut serde_json::Serializer::with_formatter(&mut text, formatter)).expect("json");
        // The finding sits two levels in: each of its lines is indented by eight more spaces.
        let text = String::from_utf8(text).expect("utf-8").replace('\n', "\n        ");
        let sep = if i == 0 { "\n        " } else { ",\n        " };
        write!(out, "{sep}{text}").expect("write the export");
    }
    out.write_all(b"\n    ]\n}\n").expect("write the export");
    out.flush().expect("write the export");
    eprintln!("{path}: {findings} OCSF findings, as `aws securityhub get-findings-v2` writes them");
}

/// The OCSF ingest alone (read, normalize, verdict) over `findings` findings, `passes` times: for a profiler.
pub fn profile(findings: usize, passes: usize) {
    let pages = pages(&templates(), findings);
    let (triage, now) = (triage(), chrono::Utc::now());
    for _ in 0..passes {
        let rows: Vec<_> = pages
            .clone()
            .into_iter()
            .flat_map(|page| assess_page(read_any_document(page).findings, &triage, now))
            .collect();
        std::hint::black_box(rows);
    }
}
