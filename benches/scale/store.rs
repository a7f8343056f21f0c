//! The store at scale: N findings kept (as the paging tasks keep them, a page per transaction), then restarts in a
//! child process, as the TUI restarts: the store reopened, every stored finding read, assessed, passed through the
//! Store stage and merged into the table while frames are drawn; then a filter typed. Timed to the first frame
//! with rows and to the full table; resident set at the end.

use crate::corpus::Corpus;
use crate::ingest::triage;
use crate::listing::{app_with, key};
use crate::report::{ms, percentile, thousands, Report};
use crossterm::event::KeyCode;
use hubtriage::engine::cached::send_stored;
use hubtriage::engine::stage::{self, Subscribers};
use hubtriage::model::asff::read_owned_document;
use hubtriage::store::Store;
use hubtriage::ui::run::apply_messages;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// First argument of the child process.
pub const CHILD_ARG: &str = "--store-child";

/// Child runs: times count from the fastest run, memory from the largest.
const RUNS: usize = 3;

/// Targets by size: (full table, first frame, filter keystroke, resident MB).
struct Targets {
    full_ms: Option<f64>,
    first_frame_ms: Option<f64>,
    keystroke_ms: Option<f64>,
    resident_mb: f64,
}

fn targets(n: usize) -> Targets {
    if n >= 1_000_000 {
        Targets { full_ms: None, first_frame_ms: Some(3000.0), keystroke_ms: Some(100.0), resident_mb: 1200.0 }
    } else {
        Targets { full_ms: Some(1500.0), first_frame_ms: None, keystroke_ms: None, resident_mb: 250.0 }
    }
}

/// Writes `n` findings to a new store at `path` a page at a time; returns the time it took.
fn write(corpus: &Corpus, n: usize, path: &Path) -> Duration {
    let store = Store::open(path).expect("store");
    let now = chrono::Utc::now();
    let mut spent = Duration::ZERO;
    for start in (0..n).step_by(100) {
        let page = corpus.page(start..(start + 100).min(n), None);
        let findings = read_owned_document(page).findings;
        let started = Instant::now();
        store.upsert(&findings, now).expect("upsert");
        spent += started.elapsed();
    }
    spent
}

/// Where to keep the store between runs (to profile a restart alone): written once, reused after.
const KEEP_AT: &str = "HUBTRIAGE_BENCH_STORE";

pub fn run(corpus: &Corpus, n: usize, report: &mut Report) {
    let dir = tempfile::tempdir().expect("temp dir");
    let kept = std::env::var_os(KEEP_AT).map(|p| Path::new(&p).join(format!("store-{n}.sqlite3")));
    let path = kept.clone().unwrap_or_else(|| dir.path().join("store/bench.sqlite3"));
    if kept.is_none() || !path.exists() {
        let written = write(corpus, n, &path);
        report.note(
            format!("store: {} findings kept, a page per transaction", thousands(n as f64)),
            format!("{} ({}/s)", ms(written), thousands(n as f64 / written.as_secs_f64())),
        );
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(format!("{}-wal", path.display())).map(|m| m.len()).unwrap_or(0);
    report.note(format!("store: {} findings, file size", thousands(n as f64)), format!("{} MB", size / 1_000_000));
    let runs: Vec<ChildRun> = (0..RUNS).map(|_| ChildRun::of(&path)).collect();
    let best = |name: &str| runs.iter().map(|r| r.number(name)).fold(f64::MAX, f64::min);
    let most = |name: &str| runs.iter().map(|r| r.number(name)).fold(0.0, f64::max);
    let (full, first, keystroke, resident) =
        (best("load_ms"), best("first_frame_ms"), best("keystroke_max_ms"), most("rss_mb"));
    let rows = best("rows") as usize;
    let t = targets(n);
    let label = thousands(n as f64);
    let check = |target: Option<f64>, value: f64| target.is_none_or(|t| value <= t);
    report.check(
        format!("restart with {label} stored: first frame with rows / full table"),
        format!("{first:.0} ms / {full:.0} ms ({rows} rows)"),
        match (t.first_frame_ms, t.full_ms) {
            (Some(f), _) => format!("first frame ≤ {f:.0} ms"),
            (_, Some(f)) => format!("full table ≤ {f:.0} ms"),
            _ => String::new(),
        },
        check(t.first_frame_ms, first) && check(t.full_ms, full) && rows == n,
    );
    report.check(
        format!("restart with {label} stored: filter keystroke (slowest of 4) / resident"),
        format!("{keystroke:.0} ms / {resident:.0} MB"),
        match t.keystroke_ms {
            Some(k) => format!("≤ {k:.0} ms / ≤ {:.0} MB", t.resident_mb),
            None => format!("resident ≤ {:.0} MB", t.resident_mb),
        },
        check(t.keystroke_ms, keystroke) && resident <= t.resident_mb,
    );
}

/// What one child run printed.
struct ChildRun {
    text: String,
}

impl ChildRun {
    fn of(path: &Path) -> Self {
        let exe = std::env::current_exe().expect("bench binary");
        let out = std::process::Command::new(exe).arg(CHILD_ARG).arg(path).output().expect("child");
        assert!(out.status.success(), "store child: {}", String::from_utf8_lossy(&out.stderr));
        Self { text: String::from_utf8_lossy(&out.stdout).into_owned() }
    }

    fn number(&self, name: &str) -> f64 {
        self.text
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {}", self.text))
    }
}

/// The child: a restart from the store at `args[0]`, drawn at 200 × 50 every 16 ms as the TUI draws; prints
/// `name=value` lines.
pub fn child(args: &[String]) {
    let path = Path::new(args.first().expect("store path")).to_path_buf();
    let runtime = hubtriage::runtime().expect("runtime");
    runtime.block_on(async move {
        let started = Instant::now();
        let store = Arc::new(Store::open(&path).expect("store"));
        let info = store.info().expect("info");
        let stored: usize = info.iter().map(|s| s.findings).sum();
        let sources: Vec<_> = info.into_iter().map(|s| s.source).collect();
        let (ui_tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let tx = stage::spawn(ui_tx, Subscribers::default(), None);
        let triage = triage();
        tokio::task::spawn_blocking(move || send_stored(&store, &sources, &triage, &tx).expect("stored"));
        let mut app = app_with(Vec::new());
        let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
        let mut tick = tokio::time::interval(Duration::from_millis(16));
        let mut first_frame = None;
        loop {
            app.before_draw();
            terminal.draw(|frame| hubtriage::ui::draw(frame, &app)).expect("draw");
            let rows = app.listing.all().len();
            if rows > 0 && first_frame.is_none() {
                first_frame = Some(started.elapsed());
            }
            if rows >= stored {
                break;
            }
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(msg) => apply_messages(&mut app, msg, &mut rx, |_| {}),
                    None => break,
                },
                _ = tick.tick() => {}
            }
        }
        let loaded = started.elapsed();
        // A filter typed on the full table: each keystroke to its frame.
        let mut keystrokes = Vec::new();
        key(&mut app, KeyCode::Char('/'));
        for c in "s3.8".chars() {
            let t = Instant::now();
            key(&mut app, KeyCode::Char(c));
            app.before_draw();
            terminal.draw(|frame| hubtriage::ui::draw(frame, &app)).expect("draw");
            keystrokes.push(t.elapsed());
        }
        println!("rows={}", app.listing.all().len());
        println!("first_frame_ms={}", first_frame.unwrap_or(loaded).as_millis());
        println!("load_ms={}", loaded.as_millis());
        println!("keystroke_max_ms={}", percentile(&keystrokes, 100.0).as_millis());
        println!("rss_mb={:.0}", crate::report::memory_mb("VmRSS:"));
    });
}
