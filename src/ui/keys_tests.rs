//! The key tables: no key bound twice in one context, every binding with keys and help, help of a view made of its
//! own table and the global keys it does not override.

use super::*;

/// Every table with its name.
const TABLES: [(&str, &[Binding]); 19] = [
    ("global", GLOBAL),
    ("findings", FINDINGS),
    ("sources", SOURCES),
    ("jobs", JOBS),
    ("audit", AUDIT),
    ("exceptions", EXCEPTIONS),
    ("output", OUTPUT),
    ("approvals", APPROVALS),
    ("overview", OVERVIEW),
    ("help", HELP),
    ("reading", READING),
    ("confirm", CONFIRM),
    ("confirm plan", CONFIRM_PLAN),
    ("exception form", EXCEPTION_FORM),
    ("exception confirm", EXCEPTION_CONFIRM),
    ("text form", TEXT_FORM),
    ("action menu", ACTION_MENU),
    ("query", QUERY),
    ("picker", PICKER),
];

#[test]
fn every_key_of_a_table_looks_up_its_own_binding() {
    for (name, table) in TABLES.into_iter().chain([("command", COMMAND)]) {
        for binding in table {
            assert!(!binding.keys.is_empty() && !binding.help.is_empty(), "{name}: {binding:?}");
            for key in binding.keys {
                assert_eq!(lookup(table, *key), Some(binding.action), "{name}: {} bound twice", key.label());
            }
        }
    }
}

#[test]
fn help_of_a_view_is_its_table_then_the_global_keys_it_does_not_override() {
    let entries = help_entries(EXCEPTIONS, GLOBAL);
    assert_eq!(entries.len(), EXCEPTIONS.len() + GLOBAL.len() - 1, "r is the view's own");
    assert!(entries.iter().any(|b| b.help.starts_with("list the exceptions")));
    assert!(!entries.iter().any(|b| b.help.starts_with("refresh now")));
    let findings = help_entries(FINDINGS, GLOBAL);
    assert!(std::ptr::eq(findings[0], &FINDINGS[0]) && std::ptr::eq(findings[FINDINGS.len()], &GLOBAL[0]));
}

#[test]
fn labels_name_every_key() {
    let quit = GLOBAL.iter().find(|b| b.action == Action::Quit).map(Binding::label);
    assert_eq!(quit.as_deref(), Some("q / Ctrl-C"));
    let down = FINDINGS.iter().find(|b| b.action == Action::Down).map(Binding::label);
    assert_eq!(down.as_deref(), Some("j / ↓"));
    assert_eq!(Key::char(' ').label(), "space");
    assert_eq!(Key::of(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), Key::ctrl('c'));
}
