//! Render tests of the Overview (`0`): the figures of the findings on screen at 80×24 and 200×50, dark and light;
//! the store's history drawn once it arrives; the history asked for when the view opens.

use super::fixtures::press;
use super::{app, render, text};
use chrono::{Duration, Utc};
use crossterm::event::KeyCode;
use hubtriage::cloud::trends::TrendPoint;
use hubtriage::engine::trend::TrendRead;
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
        assert!(before.contains("reading the history"), "{before}");
        let now = Utc::now();
        let lifetimes = vec![
            Lifetime { first_seen: now - Duration::days(10), closed_at: None },
            Lifetime { first_seen: now - Duration::days(3), closed_at: Some(now - Duration::days(1)) },
        ];
        app.on_msg(Msg::History { lifetimes: Some(lifetimes), reopened: Some(4), trend: Box::default() });
        let after = text(&render(&app, 200, 50));
        assert!(after.contains("now 1 · 4 reopened"), "the trend and what came back: {after}");
    }
}

#[test]
fn security_hubs_own_trend_is_drawn_instead_of_the_store_and_a_source_it_could_not_read_is_named() {
    let mut app = app("dark");
    press(&mut app, KeyCode::Char('0'));
    let today = Utc::now();
    let point = |days: i64, high: u64| TrendPoint { at: today - Duration::days(days), high, ..TrendPoint::default() };
    let trend = TrendRead {
        points: Some(vec![point(2, 40), point(1, 30), point(0, 17)]),
        problems: vec!["111111111111/eu-west-1: access denied \u{1b}[31m".into()],
    };
    let lifetimes = vec![Lifetime { first_seen: today - Duration::days(10), closed_at: None }];
    app.on_msg(Msg::History { lifetimes: Some(lifetimes), reopened: None, trend: Box::new(trend) });
    let screen = text(&render(&app, 200, 50));
    assert!(screen.contains("now 17 · Security Hub trend"), "the trend's last point, not the store's 1:\n{screen}");
    assert!(screen.contains("Security Hub trend: cannot read 111111111111/eu-west-1"), "{screen}");
    assert!(!screen.contains('\u{1b}'));
}
