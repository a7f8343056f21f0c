//! Frame time: the findings view at 200×50 with 100 and with 100,000 findings, the selection moving every frame;
//! the same grouped by control and by resource.

use crate::listing::{app_with, key};
use crate::report::{ms, percentile, Report};
use crossterm::event::KeyCode;
use hubtriage::engine::Row;
use hubtriage::ui::App;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::{Duration, Instant};

/// Frames drawn per case.
const FRAMES: usize = 600;

/// One frame: move the selection (frame `i` of a back-and-forth walk), prepare the view, draw it.
fn frame(app: &mut App, terminal: &mut Terminal<TestBackend>, i: usize) -> Duration {
    key(app, if i % 80 < 40 { KeyCode::Down } else { KeyCode::Up });
    let started = Instant::now();
    app.before_draw();
    terminal
        .draw(|frame| {
            app.table_height = (frame.area().height as usize * 55 / 100).saturating_sub(3);
            hubtriage::ui::draw(frame, app);
        })
        .expect("draw");
    started.elapsed()
}

pub fn run(rows: &[Row], report: &mut Report) {
    // Both sizes draw in turn, frame by frame, so the machine's slow spells fall on both alike.
    let sizes = [100, rows.len()];
    let mut cases: Vec<_> = sizes
        .iter()
        .map(|&n| (app_with(rows[..n].to_vec()), Terminal::new(TestBackend::new(200, 50)).expect("terminal")))
        .collect();
    let mut samples = vec![Vec::with_capacity(FRAMES); sizes.len()];
    for measured in [false, true] {
        for i in 0..FRAMES {
            for ((app, terminal), samples) in cases.iter_mut().zip(&mut samples) {
                let took = frame(app, terminal, i);
                if measured {
                    samples.push(took);
                }
            }
        }
    }
    let mut results = Vec::new();
    for (n, samples) in sizes.iter().zip(&samples) {
        let (p50, p99) = (percentile(samples, 50.0), percentile(samples, 99.0));
        report.check(
            format!("frame 200×50, {n} findings: p50 / p99"),
            format!("{} / {}", ms(p50), ms(p99)),
            "p99 < 8 ms",
            p99 < Duration::from_millis(8),
        );
        results.push((p50, p99));
    }
    let ratio = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64().max(1e-9);
    let (small, large) = (results[0], results[1]);
    let (r50, r99) = (ratio(small.0, large.0), ratio(small.1, large.1));
    report.check(
        format!("frame ratio {} / 100 findings (p50, p99)", rows.len()),
        format!("{r50:.2} / {r99:.2}"),
        "≤ 1.5",
        r50 <= 1.5 && r99 <= 1.5,
    );
}

/// The Overview at 200×50 with every finding: the figures computed when it opens (and on `r`), then frames that
/// only lay them out.
pub fn overview(rows: &[Row], report: &mut Report) {
    let mut app = app_with(rows.to_vec());
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let mut computes = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        key(&mut app, KeyCode::Char('0'));
        key(&mut app, KeyCode::Char('r'));
        computes.push(started.elapsed() / 2);
    }
    let mut samples = Vec::with_capacity(FRAMES);
    for _ in 0..FRAMES {
        let started = Instant::now();
        app.before_draw();
        terminal.draw(|frame| hubtriage::ui::draw(frame, &app)).expect("draw");
        samples.push(started.elapsed());
    }
    report.check(
        format!("overview {} findings: figures computed (open / r), median", rows.len()),
        ms(percentile(&computes, 50.0)),
        "-",
        true,
    );
    let (p50, p99) = (percentile(&samples, 50.0), percentile(&samples, 99.0));
    report.check(
        format!("overview frame 200×50, {} findings: p50 / p99", rows.len()),
        format!("{} / {}", ms(p50), ms(p99)),
        "p99 < 8 ms",
        p99 < Duration::from_millis(8),
    );
}

/// The findings view grouped by control (every group open) and by resource (folded) at 200×50 with every finding:
/// grouping once (`b`, `b`), then frames with the selection moving. Groups are built when the listing changes, so
/// a frame only lays out its window.
pub fn grouped(rows: &[Row], report: &mut Report) {
    let mut by_control = app_with(rows.to_vec());
    let started = Instant::now();
    key(&mut by_control, KeyCode::Char('b'));
    let grouping = started.elapsed();
    key(&mut by_control, KeyCode::Char('Z'));
    let mut by_resource = app_with(rows.to_vec());
    key(&mut by_resource, KeyCode::Char('b'));
    key(&mut by_resource, KeyCode::Char('b'));
    report.check(format!("grouping {} findings by control (b): once", rows.len()), ms(grouping), "-", true);
    let mut cases = [
        ("by control, open", by_control, Terminal::new(TestBackend::new(200, 50)).expect("terminal")),
        ("by resource, folded", by_resource, Terminal::new(TestBackend::new(200, 50)).expect("terminal")),
    ];
    let mut samples = vec![Vec::with_capacity(FRAMES); cases.len()];
    for measured in [false, true] {
        for i in 0..FRAMES {
            for ((_, app, terminal), samples) in cases.iter_mut().zip(&mut samples) {
                let took = frame(app, terminal, i);
                if measured {
                    samples.push(took);
                }
            }
        }
    }
    for ((name, app, _), samples) in cases.iter().zip(&samples) {
        let (p50, p99) = (percentile(samples, 50.0), percentile(samples, 99.0));
        report.check(
            format!(
                "grouped frame 200×50, {} findings {name} ({} groups): p50 / p99",
                rows.len(),
                app.listing.group_count()
            ),
            format!("{} / {}", ms(p50), ms(p99)),
            "p99 < 8 ms",
            p99 < Duration::from_millis(8),
        );
    }
}
