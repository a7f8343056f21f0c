//! Filter and sort over 100,000 findings: one keystroke of the free-text filter, one change of sort order, each
//! timed from the key to the view ready to draw.

use crate::corpus::Corpus;
use crate::ingest::triage;
use crate::report::{ms, percentile, Report};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use hubtriage::engine::ingest::assess_page;
use hubtriage::engine::Row;
use hubtriage::model::asff::read_document;
use hubtriage::ui::{App, Theme};
use std::time::{Duration, Instant};

/// Rows for `n` generated findings, read and assessed as the paging tasks do.
pub fn load_rows(corpus: &Corpus, n: usize) -> Vec<Row> {
    let triage = triage();
    let now = chrono::Utc::now();
    corpus.pages(n).iter().flat_map(|page| assess_page(read_document(page).findings, &triage, now)).collect()
}

/// An app showing `rows`, as after the initial load.
pub fn app_with(rows: Vec<Row>) -> App {
    let mut app = App::new(Theme::load("dark", None).expect("theme"), "benchmark".into(), false);
    app.add_rows(rows);
    app.table_height = 50 * 55 / 100 - 3;
    app
}

pub fn key(app: &mut App, code: KeyCode) {
    app.on_event(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// Time of one key, until the view is ready to draw.
fn timed_key(app: &mut App, code: KeyCode) -> Duration {
    let started = Instant::now();
    key(app, code);
    app.before_draw();
    started.elapsed()
}

pub fn run(rows: Vec<Row>, report: &mut Report) {
    let n = rows.len();
    let mut app = app_with(rows);
    let shown = app.listing.visible_len();
    report.note("findings in the table", format!("{n} loaded, {shown} shown"));

    // Typing a filter: the first keystrokes match nearly every row, later ones narrow it down.
    let mut keystrokes = Vec::new();
    for _ in 0..3 {
        key(&mut app, KeyCode::Char('/'));
        for c in "s3 bucket public".chars() {
            keystrokes.push(timed_key(&mut app, KeyCode::Char(c)));
        }
        for _ in 0.."s3 bucket public".len() {
            keystrokes.push(timed_key(&mut app, KeyCode::Backspace));
        }
        key(&mut app, KeyCode::Esc);
    }
    report.check(
        format!("filter keystroke over {n} (max of {})", keystrokes.len()),
        format!("{} (p50 {})", ms(percentile(&keystrokes, 100.0)), ms(percentile(&keystrokes, 50.0))),
        "< 30 ms",
        percentile(&keystrokes, 100.0) < Duration::from_millis(30),
    );

    // Every sort order, each way.
    let mut sorts = Vec::new();
    for _ in 0..2 {
        for _ in 0..7 {
            sorts.push(timed_key(&mut app, KeyCode::Char('o')));
            sorts.push(timed_key(&mut app, KeyCode::Char('O')));
        }
    }
    report.check(
        format!("sort over {n} (max of {})", sorts.len()),
        format!("{} (p50 {})", ms(percentile(&sorts, 100.0)), ms(percentile(&sorts, 50.0))),
        "< 30 ms",
        percentile(&sorts, 100.0) < Duration::from_millis(30),
    );
}
