//! Ingest CPU: GetFindings pages of 100 → normalized findings with their verdict, on one core, against a plain
//! `serde_json::Value` parse of the same bytes.

use crate::corpus::Corpus;
use crate::report::{thousands, Report};
use hubtriage::engine::ingest::assess_page;
use hubtriage::model::asff::read_document;
use hubtriage::triage::Triage;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Passes over the input; the fastest counts (the others absorb warm-up and noise).
const PASSES: usize = 3;

/// The triage of `config.example.toml`.
pub fn triage() -> Triage {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let config = hubtriage::config::Config::load_file(&path).expect("config.example.toml");
    Triage {
        policy: config.policy().expect("policy"),
        playbooks: hubtriage::playbook::Playbooks::new(&config.playbooks),
    }
}

fn best(mut pass: impl FnMut() -> usize) -> (Duration, usize) {
    (0..PASSES)
        .map(|_| {
            let started = Instant::now();
            let n = pass();
            (started.elapsed(), n)
        })
        .min()
        .expect("passes")
}

pub fn run(corpus: &Corpus, findings: usize, report: &mut Report) {
    let pages = corpus.pages(findings);
    let bytes: usize = pages.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    report.note("input: GetFindings pages of 100", format!("{} pages, {mb:.0} MB", pages.len()));
    let triage = triage();
    let now = chrono::Utc::now();

    let (floor, parsed) = best(|| {
        pages
            .iter()
            .map(|p| match black_box(serde_json::from_str::<serde_json::Value>(p).expect("json")) {
                serde_json::Value::Object(page) => page.get("Findings").and_then(|f| f.as_array()).map_or(0, Vec::len),
                _ => 0,
            })
            .sum::<usize>()
    });
    let (split, _) = best(|| {
        pages
            .iter()
            .map(|p| {
                #[derive(serde::Deserialize)]
                struct Page<'a> {
                    #[serde(borrow, rename = "Findings")]
                    findings: Vec<&'a serde_json::value::RawValue>,
                }
                black_box(serde_json::from_str::<Page>(p).expect("page").findings.len())
            })
            .sum::<usize>()
    });
    let (reader, _) = best(|| pages.iter().map(|page| black_box(read_document(page)).findings.len()).sum::<usize>());
    let (ours, read) = best(|| {
        pages
            .iter()
            .map(|page| {
                let outcome = read_document(page);
                assert!(outcome.problems.is_empty(), "{:?}", outcome.problems.first());
                black_box(assess_page(outcome.findings, &triage, now)).len()
            })
            .sum()
    });
    assert_eq!(read, findings, "every generated finding is read");
    let rate = |d: Duration| findings as f64 / d.as_secs_f64();
    report.note(
        "ingest floor: serde_json::Value parse only",
        format!("{}/s, {:.0} MB/s", thousands(rate(floor) * parsed as f64 / findings as f64), mb / floor.as_secs_f64()),
    );
    report.note("  of which: finding boundaries (RawValue scan)", format!("{}/s", thousands(rate(split))));
    report.note("  of which: parse + normalize (reader)", format!("{}/s", thousands(rate(reader))));
    report.check(
        "ingest: parse + normalize + verdict (1 core)",
        format!("{}/s, {:.0} MB/s", thousands(rate(ours)), mb / ours.as_secs_f64()),
        "≥ 200,000/s",
        rate(ours) >= 200_000.0,
    );
    report.note("ingest vs the Value floor", format!("{:.2}× its speed", floor.as_secs_f64() / ours.as_secs_f64()));
}
