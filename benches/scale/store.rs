//! The store at scale: 100,000 findings kept (as the paging tasks keep them, page by page), then a restart: the store
//! reopened and every stored finding read, assessed and merged into the table, timed until the table holds them all.

use crate::corpus::Corpus;
use crate::ingest::triage;
use crate::report::{ms, Report};
use hubtriage::cloud::SourceId;
use hubtriage::engine::cached::send_stored;
use hubtriage::model::asff::read_owned_document;
use hubtriage::store::Store;
use hubtriage::ui::{App, Theme};
use std::time::Instant;

/// The restart target of the Store stage.
const RESTART_TARGET_MS: f64 = 1500.0;

pub fn run(corpus: &Corpus, n: usize, report: &mut Report) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("store/bench.sqlite3");
    let store = Store::open(&path).expect("store");
    let now = chrono::Utc::now();
    let started = Instant::now();
    let mut sources = std::collections::BTreeSet::new();
    for page in corpus.pages(n) {
        let findings = read_owned_document(page).findings;
        sources
            .extend(findings.iter().map(|f| SourceId { account_id: f.account_id.clone(), region: f.region.clone() }));
        store.upsert(&findings, now).expect("upsert");
    }
    let written = started.elapsed();
    drop(store);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(format!("{}-wal", path.display())).map(|m| m.len()).unwrap_or(0);
    report.note(
        format!("store: {n} findings kept, a page per transaction"),
        format!("{} ({:.0}/s), {} MB", ms(written), n as f64 / written.as_secs_f64(), size / 1_000_000),
    );

    let sources: Vec<SourceId> = sources.into_iter().collect();
    let triage = triage();
    let started = Instant::now();
    let store = Store::open(&path).expect("reopen");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut app = App::new(Theme::load("dark", None).expect("theme"), "benchmark".into(), false);
    let (store, sources, triage) = (&store, &sources, &triage);
    std::thread::scope(|scope| {
        // As the TUI does it: the store read off the UI thread, pages merged as they arrive.
        scope.spawn(move || send_stored(store, sources, triage, &tx).expect("send stored"));
        while let Some(msg) = rx.blocking_recv() {
            app.on_msg(msg);
        }
    });
    app.before_draw();
    let restart = started.elapsed();
    let shown = app.listing.all().len();
    report.check(
        format!("restart with {n} stored findings: all in the table"),
        format!("{} ({shown} rows)", ms(restart)),
        format!("≤ {RESTART_TARGET_MS:.0} ms"),
        restart.as_secs_f64() * 1000.0 <= RESTART_TARGET_MS && shown == n,
    );
}
