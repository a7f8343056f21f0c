//! One key table per view drives both dispatch and the `?` help: in every view each key help lists does what its
//! entry says, and the help overlay lists exactly the view's entries and the global keys it does not override.

use super::fixtures::press;
use super::{app, render, text};
use crossterm::event::KeyCode;
use hubtriage::ui::app::View;
use hubtriage::ui::components::help::KEYS as HELP;
use hubtriage::ui::keys::{Binding, Key, GLOBAL};

/// The views and the key that shows each.
const VIEWS: [(char, View); 8] = [
    ('1', View::Findings),
    ('2', View::Sources),
    ('3', View::Jobs),
    ('4', View::Audit),
    ('5', View::Exceptions),
    ('6', View::Output),
    ('7', View::Approvals),
    ('0', View::Overview),
];

/// The rows of the help box, inside its borders, without trailing blanks.
fn help_rows(screen: &str) -> Vec<String> {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let (top, left) = lines
        .iter()
        .enumerate()
        .find_map(|(y, l)| l.iter().collect::<String>().find("┌ Keys").map(|_| (y, l.iter().position(|c| *c == '┌'))))
        .map(|(y, x)| (y, x.expect("corner")))
        .expect("the help box");
    let right = (left + 1..lines[top].len()).find(|x| lines[top][*x] == '┐').expect("right corner");
    let mut rows: Vec<String> = lines[top + 1..]
        .iter()
        .take_while(|l| l[left] != '└')
        .map(|l| l[left + 1..right].iter().collect::<String>().trim_end().to_string())
        .collect();
    while rows.last().is_some_and(String::is_empty) {
        rows.pop();
    }
    rows
}

#[test]
fn in_every_view_each_key_help_lists_dispatches_to_its_action_and_help_lists_exactly_them() {
    let mut app = app("dark");
    for (digit, view) in VIEWS {
        press(&mut app, KeyCode::Char(digit));
        assert_eq!(app.view, view);
        // The view's table, then the global keys it does not override, read from the tables themselves.
        let own = app.views.get(view).keys();
        let bound_here = |k: &Key| own.iter().any(|b| b.binds(*k));
        let entries: Vec<&Binding> =
            own.iter().chain(GLOBAL.iter().filter(|g| !g.keys.iter().all(bound_here))).collect();
        for entry in own {
            for key in entry.keys {
                assert_eq!(app.action_of(*key), Some(entry.action), "{view:?}: {}", key.label());
            }
        }
        for entry in GLOBAL {
            for key in entry.keys.iter().filter(|k| !bound_here(k)) {
                assert_eq!(app.action_of(*key), Some(entry.action), "{view:?}: {}", key.label());
            }
        }
        assert_eq!(app.help_entries().len(), entries.len(), "{view:?}");
        press(&mut app, KeyCode::Char('?'));
        let mut expected: Vec<String> =
            entries.iter().map(|b| format!(" {:<14}{}", b.label(), b.help).trim_end().to_string()).collect();
        expected.push(HELP.iter().map(|b| format!(" {}: {}", b.label(), b.help)).collect());
        assert_eq!(help_rows(&text(&render(&app, 200, 50))), expected, "{view:?}");
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.mode, hubtriage::ui::app::Mode::Normal);
    }
}

#[test]
fn a_key_of_another_view_says_where_it_works() {
    let mut app = app("dark");
    press(&mut app, KeyCode::Char('3'));
    assert!(press(&mut app, KeyCode::Char('a')).is_empty());
    let status = app.status_message.clone().unwrap_or_default();
    assert!(status.starts_with("a: apply the marked (or selected) findings"), "{status}");
    assert!(status.ends_with("in the Findings view (1)"), "{status}");
    press(&mut app, KeyCode::Char('1'));
    press(&mut app, KeyCode::Char('y'));
    let status = app.status_message.clone().unwrap_or_default();
    assert!(status.ends_with("in the Approvals view (7)"), "{status}");
}

#[test]
fn on_a_short_screen_the_help_scrolls_and_its_own_keys_always_show() {
    let mut app = app("dark");
    press(&mut app, KeyCode::Char('?'));
    let entries = app.help_entries();
    let last = format!(" {:<14}{}", entries[entries.len() - 1].label(), entries[entries.len() - 1].help);
    let own: String = HELP.iter().map(|b| format!(" {}: {}", b.label(), b.help)).collect();
    let screen = text(&render(&app, 80, 24));
    assert!(screen.contains(own.trim()), "the help's own keys at 80×24:\n{screen}");
    assert!(screen.contains("0 above,") && screen.contains("below (j / k)"), "{screen}");
    assert!(!screen.contains(last.trim_end()), "the last entry is below the fold:\n{screen}");
    for _ in 0..entries.len() {
        press(&mut app, KeyCode::Char('j'));
    }
    let screen = text(&render(&app, 80, 24));
    assert!(screen.contains(last.trim_end()), "scrolled to the last entry:\n{screen}");
    assert!(screen.contains(", 0 below (j / k)") && screen.contains(own.trim()), "{screen}");
    press(&mut app, KeyCode::Char('k'));
    assert!(text(&render(&app, 80, 24)).contains(", 1 below (j / k)"));
    let tall = text(&render(&app, 200, 50));
    assert!(tall.contains(" Keys ") && !tall.contains("below (j / k)"), "everything fits at 200×50:\n{tall}");
}
