//! Render tests of the Overview (`0`): the figures of the findings on screen at 80×24 and 200×50, dark and light;
//! the store's history drawn once it arrives; the history asked for when the view opens.

use super::fixtures::press;
use super::{app, render, text};
use chrono::{Duration, Utc};
use crossterm::event::KeyCode;
use hubtriage::engine::Msg;
use hubtriage::store::Lifetime;
use hubtriage::ui::app::Effect;

#[test]
fn the_overview_shows_counts_bars_and_outcomes_at_both_sizes_and_themes() {
    for theme in ["dark", "light"] {
        let mut app = app(theme);
        let open = app.listing.all().iter().filter(|r| r.finding.is_open()).count();
        let effects = press(&mut app, KeyCode::Char('0'));
        assert!(
            effects.iter().any(|e| matches!(e, Effect::LoadHistory { .. })),
            "opening the Overview asks for the store's history: {effects:?}"
        );
        let auto_fix =
            app.listing.all().iter().filter(|r| r.decision.verdict.name() == "auto-fix" && r.finding.is_open()).count();
        for (w, h) in [(80, 24), (200, 50)] {
            let screen = text(&render(&app, w, h));
            assert!(screen.contains(&format!("{open} open findings")), "{theme} {w}×{h}:\n{screen}");
            assert!(screen.contains(&format!("Would auto-fix: {auto_fix}")), "{theme} {w}×{h}:\n{screen}");
            assert!(screen.contains("Top controls") && screen.contains("Top accounts"), "{screen}");
            assert!(screen.contains("CRITICAL") && screen.contains("approve"), "{screen}");
            assert!(screen.contains("Time to a verified safe state"), "{screen}");
        }
        let before = text(&render(&app, 200, 50));
        assert!(before.contains("reading the store's history"), "{before}");
        let now = Utc::now();
        let lifetimes = vec![
            Lifetime { first_seen: now - Duration::days(10), closed_at: None },
            Lifetime { first_seen: now - Duration::days(3), closed_at: Some(now - Duration::days(1)) },
        ];
        app.on_msg(Msg::History { lifetimes: Some(lifetimes), reopened: Some(4) });
        let after = text(&render(&app, 200, 50));
        assert!(after.contains("now 1 · 4 reopened"), "the trend and what came back: {after}");
    }
}
