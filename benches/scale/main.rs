//! Benchmarks at scale: 100,000 findings spread over 20 accounts × 5 regions, generated from the ASFF corpus in
//! `../shared/asff` (or `HUBTRIAGE_ASFF_CORPUS`) with fresh ids. Release build:
//!
//! ```text
//! cargo bench --bench scale                 # every benchmark
//! cargo bench --bench scale -- ingest frame # some of them (ingest, ocsf, fetch, frame, listing, store, stream, offline)
//! ```
//!
//! Each benchmark prints its figures and the target it is held to; the run fails (exit 1) when a target is missed.

mod corpus;
mod export;
mod fetch;
mod frame;
mod ingest;
mod listing;
mod ocsf;
mod offline;
mod report;
mod store;
mod stream;

use report::Report;

/// The allocator of the `hubtriage` binary (`src/main.rs`): the time and memory figures are the product's.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Findings the benchmarks load.
const FINDINGS: usize = 100_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--bench")).collect();
    if args.first().map(String::as_str) == Some(stream::CHILD_ARG) {
        stream::child(&args[1..]);
        return;
    }
    if args.first().map(String::as_str) == Some(store::CHILD_ARG) {
        store::child(&args[1..]);
        return;
    }
    if args.first().map(String::as_str) == Some(offline::CHILD_ARG) {
        offline::child(&args[1..]);
        return;
    }
    if args.first().map(String::as_str) == Some("export") {
        export::command(&args[1..]);
        return;
    }
    if args.first().map(String::as_str) == Some("export-ocsf") {
        ocsf::export(&args[1..]);
        return;
    }
    if args.first().map(String::as_str) == Some("profile-ocsf") {
        // The OCSF ingest alone, for a profiler: `profile-ocsf [findings] [passes]`.
        let number = |i: usize, default: usize| args.get(i).and_then(|n| n.parse().ok()).unwrap_or(default);
        ocsf::profile(number(1, FINDINGS), number(2, 5));
        return;
    }
    if args.first().map(String::as_str) == Some("profile-ingest") {
        // For a profiler: the ingest pipeline alone (read, normalize, verdict), over and over:
        // `profile-ingest [findings] [passes]`; under callgrind, `--toggle-collect=*ingest::pass*` counts it alone.
        let number = |i: usize, default: usize| args.get(i).and_then(|n| n.parse().ok()).unwrap_or(default);
        let pages = corpus::Corpus::load().pages(number(1, FINDINGS));
        let (triage, now) = (ingest::triage(), chrono::Utc::now());
        for _ in 0..number(2, 5) {
            std::hint::black_box(ingest::pass(pages.clone(), &triage, now));
        }
        return;
    }
    let wanted = |name: &str| args.is_empty() || args.iter().any(|a| a == name);
    let mut report = Report::default();
    let corpus = std::sync::Arc::new(corpus::Corpus::load());
    eprintln!(
        "corpus: {} findings from {}; generating {FINDINGS} over {} accounts × {} regions",
        corpus.templates(),
        corpus.dir().display(),
        corpus::ACCOUNTS,
        corpus::REGIONS.len()
    );
    if wanted("ingest") {
        ingest::run(&corpus, FINDINGS, &mut report);
    }
    if wanted("ocsf") {
        ocsf::run(FINDINGS, &mut report);
    }
    if wanted("fetch") {
        fetch::run(&corpus, &mut report);
    }
    if wanted("frame") || wanted("listing") {
        let rows = listing::load_rows(&corpus, FINDINGS);
        if wanted("frame") {
            frame::run(&rows, &mut report);
            frame::overview(&rows, &mut report);
            frame::grouped(&rows, &mut report);
        }
        if wanted("listing") {
            listing::run(rows, &mut report);
        }
    }
    if wanted("store") {
        store::run(&corpus, FINDINGS, &mut report);
    }
    // A million stored findings: asked for by name only (writing them takes minutes).
    if args.iter().any(|a| a == "store-1m") {
        store::run(&corpus, 1_000_000, &mut report);
    }
    if wanted("stream") || wanted("memory") {
        stream::run(FINDINGS, &mut report);
    }
    if wanted("offline") {
        offline::run(&corpus, FINDINGS, &mut report);
    }
    report.print();
    if report.failed() {
        std::process::exit(1);
    }
}
