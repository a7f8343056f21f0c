//! Whole-screen render tests: every view, the help overlay and each dialog drawn at 80×24 and 200×50 in the dark
//! and the light theme, compared cell by cell — the text of every cell and its colours and modifiers — with the
//! screens kept in `tests/fixtures/screens/`. A changed screen fails with the first line that differs; run with
//! `HUBTRIAGE_UPDATE_SCREENS=1` to write the new screens, then read every changed file before committing it.
//!
//! The scenes are built from the corpus fixtures with fixed times (jobs started in the future show an age of `0s`,
//! runs and requests carry fixed dates), so a screen does not change with the clock.

use super::render;
use super::screen_scenes::{scene, SCENES};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::path::{Path, PathBuf};

/// The two sizes every screen is drawn at: the smallest terminal people use, and a large one.
const SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];
const THEMES: [&str; 2] = ["dark", "light"];
/// Set to rewrite the expected screens from what is drawn now.
const UPDATE: &str = "HUBTRIAGE_UPDATE_SCREENS";

fn screens_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/screens")
}

/// The name of the `i`-th style in a screen's legend.
fn style_name(i: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    match LETTERS.get(i) {
        Some(c) => (*c as char).to_string(),
        None => format!("[{i}]"),
    }
}

/// The screen as text: every row of cells, then every row's styles as runs (`a12 b3`: 12 cells of style a, then 3
/// of style b), then the legend naming each style's foreground, background and modifiers.
pub fn snapshot(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut styles: Vec<(Color, Color, Modifier)> = Vec::new();
    let mut text = String::new();
    let mut runs = String::new();
    for y in 0..area.height {
        let mut row: Vec<(usize, usize)> = Vec::new();
        for x in 0..area.width {
            let cell = &buffer[(x, y)];
            text.push_str(cell.symbol());
            let style = (cell.fg, cell.bg, cell.modifier);
            let i = styles.iter().position(|s| *s == style).unwrap_or_else(|| {
                styles.push(style);
                styles.len() - 1
            });
            match row.last_mut() {
                Some((s, n)) if *s == i => *n += 1,
                _ => row.push((i, 1)),
            }
        }
        text.push('\n');
        let row: Vec<String> = row.iter().map(|(s, n)| format!("{}{n}", style_name(*s))).collect();
        runs.push_str(&row.join(" "));
        runs.push('\n');
    }
    let legend: Vec<String> = styles
        .iter()
        .enumerate()
        .map(|(i, (fg, bg, modifier))| format!("{} fg={fg:?} bg={bg:?} mod={modifier:?}", style_name(i)))
        .collect();
    format!("{text}--- styles\n{runs}--- legend\n{}\n", legend.join("\n"))
}

/// Compares `actual` with the expected screen `name`, or writes it when asked to.
fn compare(name: &str, actual: &str) -> Result<(), String> {
    let path = screens_dir().join(format!("{name}.txt"));
    if std::env::var_os(UPDATE).is_some() {
        std::fs::create_dir_all(screens_dir()).map_err(|e| e.to_string())?;
        std::fs::write(&path, actual).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e} (run with {UPDATE}=1 to write it, then read it)", path.display()))?;
    if expected == actual {
        return Ok(());
    }
    let drawn = std::env::temp_dir().join(format!("hubtriage-screen-{name}.txt"));
    let _ = std::fs::write(&drawn, actual);
    let (line, want, got) = expected
        .lines()
        .zip(actual.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| (i + 1, a.to_string(), b.to_string()))
        .unwrap_or((expected.lines().count().min(actual.lines().count()) + 1, "(end)".into(), "(end)".into()));
    Err(format!(
        "screen {name} differs at line {line} (drawn screen in {}):\n expected: {want}\n drawn:    {got}",
        drawn.display()
    ))
}

#[test]
fn every_view_dialog_and_the_help_match_their_screens_at_both_sizes_and_themes() {
    let mut failures = Vec::new();
    for name in SCENES {
        for theme in THEMES {
            let app = scene(name, theme);
            for (w, h) in SIZES {
                let screen = format!("{name}.{theme}.{w}x{h}");
                if let Err(e) = compare(&screen, &snapshot(&render(&app, w, h))) {
                    failures.push(e);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} screen(s) differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_dark_and_light_screens_differ_in_colour_only() {
    for name in SCENES {
        for (w, h) in SIZES {
            let [dark, light] = THEMES.map(|theme| snapshot(&render(&scene(name, theme), w, h)));
            let text = |s: &str| s.split("--- styles").next().unwrap_or_default().to_string();
            assert_eq!(text(&dark), text(&light), "{name} {w}×{h}: the theme changes no text");
            assert_ne!(dark, light, "{name} {w}×{h}: each theme paints its own colours");
        }
    }
}

#[test]
fn a_snapshot_names_each_cells_colours() {
    let mut buffer = Buffer::empty(ratatui::layout::Rect::new(0, 0, 3, 1));
    buffer[(1, 0)].set_symbol("x").set_fg(Color::Red);
    let shot = snapshot(&buffer);
    let legend = "a fg=Reset bg=Reset mod=NONE\nb fg=Red bg=Reset mod=NONE\n";
    assert_eq!(shot, format!(" x \n--- styles\na1 b1 a1\n--- legend\n{legend}"));
}
