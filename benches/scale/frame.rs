//! Frame time: the findings view at 200×50 with 100 and with 100,000 findings, the selection moving every frame.

use crate::listing::{app_with, key};
use crate::report::{ms, percentile, Report};
use crossterm::event::KeyCode;
use hubtriage::engine::Row;
use hubtriage::ui::{views, App};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::{Duration, Instant};

/// Frames drawn per case.
const FRAMES: usize = 600;

/// Per-frame times: move the selection, prepare the view, draw it.
fn frames(app: &mut App) -> Vec<Duration> {
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    (0..FRAMES)
        .map(|i| {
            key(app, if i % 80 < 40 { KeyCode::Down } else { KeyCode::Up });
            let started = Instant::now();
            app.before_draw();
            terminal
                .draw(|frame| {
                    app.table_height = (frame.area().height as usize * 55 / 100).saturating_sub(3);
                    views::draw(frame, app);
                })
                .expect("draw");
            started.elapsed()
        })
        .collect()
}

pub fn run(rows: &[Row], report: &mut Report) {
    let mut results = Vec::new();
    for n in [100, rows.len()] {
        let mut app = app_with(rows[..n].to_vec());
        frames(&mut app); // warm-up
        let samples = frames(&mut app);
        let (p50, p99) = (percentile(&samples, 50.0), percentile(&samples, 99.0));
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
