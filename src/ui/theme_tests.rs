//! Theme tests: every built-in theme parses, its tokens differ where they mean different things, and errors name
//! the field.

use super::*;

#[test]
fn every_builtin_theme_parses_and_differs() {
    let themes: Vec<Theme> = builtin_names().iter().map(|n| Theme::load(n, None).expect("theme")).collect();
    assert_eq!(themes.len(), 3);
    assert_ne!(themes[0].background, themes[1].background);
    assert_ne!(themes[1].severity(Severity::Critical), themes[2].severity(Severity::Critical));
    for t in &themes {
        let failed = t.job_state(&JobState::Failed("x".into()));
        assert_ne!(t.job_state(&JobState::Resolved), failed, "{}: success and failure differ", t.name);
        assert_ne!(t.job_state(&JobState::Applying), failed, "{}: running and failure differ", t.name);
        assert_ne!(t.job_state(&JobState::Applying), t.job_state(&JobState::Resolved), "{}", t.name);
        let [valid, soon, expired] = [ExceptionStatus::Valid, ExceptionStatus::ExpiringSoon, ExceptionStatus::Expired]
            .map(|s| t.exception(&s).fg);
        assert!(valid != soon && soon != expired && valid != expired, "{}: exception colours differ", t.name);
    }
}

#[test]
fn a_user_theme_without_exception_colours_still_loads() {
    let text = include_str!("../../themes/dark.toml");
    let old = text.split("[exception]").next().unwrap_or(text);
    let theme = Theme::parse(old).expect("theme without [exception]");
    assert_eq!(theme.exception(&ExceptionStatus::Expired).fg, Some(theme.error));
}

#[test]
fn unknown_theme_lists_the_builtin_ones() {
    let err = Theme::load("solarized", None).expect_err("unknown");
    assert!(err.contains("dark, light, high-contrast"), "{err}");
}

#[test]
fn bad_colour_names_the_field() {
    let text = include_str!("../../themes/dark.toml").replace("#ff5f5f", "blurple");
    let err = Theme::parse(&text).expect_err("bad colour");
    assert!(err.contains("severity.critical") && err.contains("blurple"), "{err}");
}
