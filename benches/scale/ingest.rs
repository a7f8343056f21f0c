//! Ingest CPU: GetFindings pages of 100 → normalized findings with their verdict, on one core, against a plain
//! `serde_json::Value` parse of the same bytes.

use crate::corpus::Corpus;
use crate::report::{thousands, Report};
use hubtriage::engine::ingest::{assess_page, spill_page};
use hubtriage::model::asff::read_owned_document;
use hubtriage::triage::Triage;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Rounds over the input, each timing every pass once (the passes interleaved, so the machine's slow spells fall on
/// all of them alike); each pass's fastest round counts.
const ROUNDS: usize = 7;

/// The triage of `config.example.toml`.
pub fn triage() -> Arc<Triage> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let config = hubtriage::config::Config::load_file(&path).expect("config.example.toml");
    Arc::new(Triage {
        policy: config.policy().expect("policy"),
        playbooks: hubtriage::playbook::Playbooks::new(&config.playbooks),
    })
}

/// Drops what a pass made, and has the allocator tidy up after it (glibc merges freed small blocks on the next large
/// request): outside the timing, so no pass pays for the one before it.
pub fn discard<T>(made: T) {
    drop(made);
    drop(black_box(Vec::<u8>::with_capacity(1 << 12)));
}

/// How long `pass` takes over `input`, and what it made (dropped by the caller, outside the timing).
pub fn timed<I, T>(input: I, pass: impl FnOnce(I) -> T) -> (Duration, T) {
    let started = Instant::now();
    let made = pass(input);
    (started.elapsed(), made)
}

/// One pass of the ingest pipeline over owned pages: read, normalize, verdict (the spill left out).
#[inline(never)]
pub fn pass(
    pages: Vec<String>,
    triage: &Arc<Triage>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<hubtriage::engine::Row> {
    pages.into_iter().flat_map(|page| assess_page(read_owned_document(page).findings, triage, now)).collect()
}

pub fn run(corpus: &Corpus, findings: usize, report: &mut Report) {
    let pages = corpus.pages(findings);
    let bytes: usize = pages.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    report.note("input: GetFindings pages of 100", format!("{} pages, {mb:.0} MB", pages.len()));
    let triage = triage();
    let now = chrono::Utc::now();

    // Each pass keeps what it made, as the product would: dropping it is not part of parsing. Pages arrive as owned
    // text, which the findings keep as their JSON until it is spilled. The ingest figure is the pipeline's own work
    // (read, normalize, verdict), timed on its own; the product also spills each page's JSON to disk before assessing
    // it, timed as a pass of its own (the spill's writes, and the pages it frees, are the spill's cost).
    let (mut floor, mut reader, mut ingest, mut with_spill, mut spill) =
        (Duration::MAX, Duration::MAX, Duration::MAX, Duration::MAX, Duration::ZERO);
    let mut parsed = 0;
    for _ in 0..ROUNDS {
        let (took, values) = timed(&pages, |pages| {
            pages.iter().map(|p| serde_json::from_str::<serde_json::Value>(p).expect("json")).collect::<Vec<_>>()
        });
        floor = floor.min(took);
        parsed = values.iter().filter_map(|v| v.get("Findings")?.as_array().map(Vec::len)).sum();
        discard(values);

        let (took, read) = timed(pages.clone(), |pages| {
            pages.into_iter().map(|page| read_owned_document(page).findings).collect::<Vec<_>>()
        });
        reader = reader.min(took);
        discard(read);

        let (took, rows) = timed(pages.clone(), |pages| pass(pages, &triage, now));
        assert_eq!(rows.len(), findings, "every generated finding is read");
        ingest = ingest.min(took);
        discard(rows);

        let (took, (rows, spilling)) = timed(pages.clone(), |pages| {
            let mut spilling = Duration::ZERO;
            let rows: Vec<_> = pages
                .into_iter()
                .flat_map(|page| {
                    let mut outcome = read_owned_document(page);
                    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems.first());
                    let started = Instant::now();
                    spill_page(&mut outcome.findings);
                    spilling += started.elapsed();
                    assess_page(outcome.findings, &triage, now)
                })
                .collect();
            (black_box(rows), spilling)
        });
        if took < with_spill {
            (with_spill, spill) = (took, spilling);
        }
        discard(rows);
    }
    let rate = |d: Duration| findings as f64 / d.as_secs_f64();
    report.note(
        "ingest floor: serde_json::Value parse only",
        format!("{}/s, {:.0} MB/s", thousands(rate(floor) * parsed as f64 / findings as f64), mb / floor.as_secs_f64()),
    );
    report.note("  of which: parse + normalize (reader)", format!("{}/s", thousands(rate(reader))));
    report.check(
        "ingest: parse + normalize + verdict (1 core)",
        format!("{}/s, {:.0} MB/s", thousands(rate(ingest)), mb / ingest.as_secs_f64()),
        "≥ 200,000/s",
        rate(ingest) >= 200_000.0,
    );
    report.note(
        "  then: JSON spilled to disk (a write per page)",
        format!("{:.0} MB/s; with it, {}/s", mb / spill.as_secs_f64(), thousands(rate(with_spill))),
    );
    report.note("ingest vs the Value floor", format!("{:.2}× its speed", floor.as_secs_f64() / ingest.as_secs_f64()));
}
