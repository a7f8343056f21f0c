//! `--findings` at scale: the AWS CLI's export of 100,000 findings (one pretty-printed `{"Findings": [...]}`
//! document) read by the file source — in blocks, on every core — against a `serde_json::Value` parse of the same
//! file plus a walk over its findings (what a script's `json.load` does); and the resident set of a session holding
//! that file, in a child process as the TUI holds it.

use crate::corpus::Corpus;
use crate::ingest::triage;
use crate::listing::app_with;
use crate::report::{thousands, Report};
use hubtriage::cloud::file::{read_path, FileSource};
use hubtriage::engine::stage::{self, Subscribers};
use hubtriage::engine::{ingest, Msg, SourceStatus};
use hubtriage::ui::run::apply_messages;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// First argument of the child process.
pub const CHILD_ARG: &str = "--offline-child";

/// Rounds, each timing both readers once (interleaved); each counts at its fastest.
const ROUNDS: usize = 3;

/// The `Value` floor: parse the whole document, then visit every finding's `Id` (as `json.load` and a walk do).
fn value_floor(path: &Path) -> usize {
    let bytes = std::fs::read(path).expect("export");
    let value: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    let findings = value["Findings"].as_array().expect("Findings");
    findings.iter().filter(|f| f.get("Id").is_some()).count()
}

pub fn run(corpus: &Corpus, findings: usize, report: &mut Report) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("export.json");
    let bytes = crate::export::write(corpus, findings, &path);
    let mb = bytes as f64 / 1e6;
    report.note(
        "input: `aws securityhub get-findings` export",
        format!("1 file, {mb:.0} MB, {} findings", thousands(findings as f64)),
    );
    let (mut floor, mut streamed) = (Duration::MAX, Duration::MAX);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        assert_eq!(std::hint::black_box(value_floor(&path)), findings);
        floor = floor.min(started.elapsed());
        let started = Instant::now();
        let read = std::hint::black_box(read_path(&path));
        streamed = streamed.min(started.elapsed());
        assert_eq!(read.findings.len(), findings, "{:?}", read.problems.first());
        assert!(read.problems.is_empty(), "{:?}", read.problems.first());
    }
    let rate = |d: Duration| findings as f64 / d.as_secs_f64();
    report.note(
        "export floor: serde_json::Value parse + walk (1 core)",
        format!("{}/s, {:.0} MB/s", thousands(rate(floor)), mb / floor.as_secs_f64()),
    );
    report.check(
        "export read by the file source (all cores): read + normalize + spill",
        format!(
            "{}/s, {:.0} MB/s, {:.1}× the floor",
            thousands(rate(streamed)),
            mb / streamed.as_secs_f64(),
            floor.as_secs_f64() / streamed.as_secs_f64()
        ),
        "≥ 3× the floor",
        floor.as_secs_f64() / streamed.as_secs_f64() >= 3.0,
    );
    let exe = std::env::current_exe().expect("current exe");
    let output = std::process::Command::new(exe).arg(CHILD_ARG).arg(&path).output().expect("child");
    assert!(output.status.success(), "child failed: {}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    let get = |name: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
            .unwrap_or_else(|| panic!("{name} missing from the child's output: {text}"))
    };
    let rss = get("rss_mb");
    report.check(
        format!(
            "session holding the export: {} findings loaded in {:.2} s, resident (peak {:.0} MB)",
            get("findings"),
            get("load_ms") / 1000.0,
            get("peak_mb")
        ),
        format!("{rss:.0} MB"),
        "≤ 250 MB",
        rss <= 250.0 && get("findings") as usize == findings,
    );
}

/// `VmRSS` / `VmHWM` of this process, in MB.
/// The child: a session on the export, as the TUI runs one (the file source, the paging task, the app drawing a
/// frame every 16 ms), until every finding is loaded; then prints `name=value` lines.
pub fn child(args: &[String]) {
    let path = args.first().expect("export path");
    let runtime = hubtriage::runtime().expect("runtime");
    runtime.block_on(async move {
        let started = Instant::now();
        let source = Arc::new(FileSource::open(Path::new(path)));
        let mut app = app_with(Vec::new());
        let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
        let (ui_tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let tx = stage::spawn(ui_tx, Subscribers::default(), None);
        ingest::spawn_all(source, triage(), tx);
        let mut tick = tokio::time::interval(Duration::from_millis(16));
        let done = std::cell::Cell::new(false);
        while !done.get() {
            app.before_draw();
            terminal.draw(|frame| hubtriage::ui::draw(frame, &app)).expect("draw");
            tokio::select! {
                Some(msg) = rx.recv() => apply_messages(&mut app, msg, &mut rx, |msg| {
                    if let Msg::SourceState { status: SourceStatus::Ok { .. } | SourceStatus::Failed(_), .. } = msg {
                        done.set(true);
                    }
                }),
                _ = tick.tick() => {}
            }
        }
        app.before_draw();
        terminal.draw(|frame| hubtriage::ui::draw(frame, &app)).expect("draw");
        println!("findings={}", app.listing.all().len());
        println!("load_ms={}", started.elapsed().as_millis());
        println!("rss_mb={:.0}", crate::report::memory_mb("VmRSS:"));
        println!("peak_mb={:.0}", crate::report::memory_mb("VmHWM:"));
    });
}
