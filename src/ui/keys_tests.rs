//! The key tables: no key bound twice in one context, every binding with keys and help, help of a view made of its
//! own table and the global keys it does not override.

use super::*;
use crate::ui::components::{
    action_menu, apply, approval_text, approvals, audit, command_line, confirm, exception_form, exceptions, findings,
    help, jobs, output, overview, picker, query_line, sources,
};

/// Every table with its name.
const TABLES: [(&str, &[Binding]); 20] = [
    ("global", GLOBAL),
    ("findings", findings::KEYS),
    ("sources", sources::KEYS),
    ("jobs", jobs::KEYS),
    ("audit", audit::KEYS),
    ("exceptions", exceptions::KEYS),
    ("output", output::KEYS),
    ("approvals", approvals::KEYS),
    ("overview", overview::KEYS),
    ("help", help::KEYS),
    ("reading", apply::READING_KEYS),
    ("confirm", confirm::CONFIRM),
    ("confirm plan", confirm::CONFIRM_PLAN),
    ("exception form", exception_form::FORM_KEYS),
    ("exception confirm", exception_form::CONFIRM_KEYS),
    ("text form", approval_text::KEYS),
    ("action menu", action_menu::KEYS),
    ("query", query_line::KEYS),
    ("command", command_line::KEYS),
    ("picker", picker::KEYS),
];

#[test]
fn every_key_of_a_table_looks_up_its_own_binding() {
    for (name, table) in TABLES {
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
    let entries = help_entries(exceptions::KEYS, GLOBAL);
    assert_eq!(entries.len(), exceptions::KEYS.len() + GLOBAL.len() - 1, "r is the view's own");
    assert!(entries.iter().any(|b| b.help.starts_with("list the exceptions")));
    assert!(!entries.iter().any(|b| b.help.starts_with("refresh now")));
    let entries = help_entries(findings::KEYS, GLOBAL);
    assert!(std::ptr::eq(entries[0], &findings::KEYS[0]) && std::ptr::eq(entries[findings::KEYS.len()], &GLOBAL[0]));
}

#[test]
fn labels_name_every_key() {
    let quit = GLOBAL.iter().find(|b| b.action == Action::Quit).map(Binding::label);
    assert_eq!(quit.as_deref(), Some("q / Ctrl-C"));
    let down = findings::KEYS.iter().find(|b| b.action == Action::Down).map(Binding::label);
    assert_eq!(down.as_deref(), Some("j / ↓"));
    assert_eq!(Key::char(' ').label(), "space");
    assert_eq!(Key::of(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), Key::ctrl('c'));
}
