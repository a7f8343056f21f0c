//! Renders the real TUI on the simulated organisation into an SVG picture for the README.
//! Run through `scripts/screenshot`.

use hubtriage::cli::args::GlobalArgs;
use hubtriage::cli::collect::collect;
use hubtriage::session;
use hubtriage::ui::{App, Theme};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use ratatui::Terminal;
use std::fmt::Write as _;

const WIDTH: u16 = 160;
const HEIGHT: u16 = 46;
const CELL_W: f32 = 8.4;
const CELL_H: f32 = 17.0;

fn hex(color: Color, fallback: &str) -> String {
    match color {
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Black => "#000000".into(),
        Color::White => "#ffffff".into(),
        Color::Gray => "#c0c0c0".into(),
        Color::DarkGray => "#808080".into(),
        Color::LightRed => "#ff6b6b".into(),
        Color::LightGreen => "#8ae234".into(),
        Color::LightYellow => "#fce94f".into(),
        Color::LightCyan => "#34e2e2".into(),
        Color::LightMagenta => "#ad7fa8".into(),
        Color::Yellow => "#c4a000".into(),
        _ => fallback.into(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn svg(buffer: &Buffer, theme: &Theme) -> String {
    let (bg0, fg0) = (hex(theme.background, "#1e2127"), hex(theme.foreground, "#d7dae0"));
    let mut out = String::new();
    let (w, h) = (f32::from(WIDTH) * CELL_W, f32::from(HEIGHT) * CELL_H);
    let _ = writeln!(out, r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#);
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="{bg0}"/>"#);
    let _ = writeln!(
        out,
        r#"<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14px" xml:space="preserve">"#
    );
    for y in 0..HEIGHT {
        let mut x = 0;
        while x < WIDTH {
            let cell = &buffer[(x, y)];
            let (fg, bg, bold) = (cell.fg, cell.bg, cell.modifier.contains(ratatui::style::Modifier::BOLD));
            let start = x;
            let mut text = String::new();
            while x < WIDTH && buffer[(x, y)].fg == fg && buffer[(x, y)].bg == bg {
                text.push_str(buffer[(x, y)].symbol());
                x += 1;
            }
            let (px, py) = (f32::from(start) * CELL_W, f32::from(y) * CELL_H);
            let bg_hex = hex(bg, &bg0);
            if bg_hex != bg0 {
                let width = f32::from(x - start) * CELL_W;
                let _ = writeln!(out, r#"<rect x="{px}" y="{py}" width="{width}" height="{CELL_H}" fill="{bg_hex}"/>"#);
            }
            if !text.trim().is_empty() {
                let weight = if bold { r#" font-weight="bold""# } else { "" };
                let _ = writeln!(
                    out,
                    r#"<text x="{px}" y="{}" fill="{}"{weight}>{}</text>"#,
                    py + CELL_H * 0.78,
                    hex(fg, &fg0),
                    escape(&text)
                );
            }
        }
    }
    out.push_str("</g>\n</svg>\n");
    out
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let target = std::env::args().nth(1).unwrap_or_else(|| "assets/hubtriage-demo.svg".into());
    let args = GlobalArgs { demo: true, ..Default::default() };
    let config = session::load_config(&args)?;
    let triage = session::triage(&config)?;
    let backend = session::backend(&args)?;
    let collected = collect(&backend, &triage).await;
    let theme = Theme::load("dark", None).map_err(anyhow::Error::msg)?;
    let mut app = App::new(theme.clone(), backend.label.clone(), false);
    app.account_names = config.accounts.iter().filter_map(|(id, a)| Some((id.clone(), a.name.clone()?))).collect();
    for summary in &collected.sources {
        let status = hubtriage::engine::SourceStatus::Ok { findings: summary.findings, synced_at: chrono::Utc::now() };
        app.on_msg(hubtriage::engine::Msg::SourceState { source: summary.source.clone(), status });
    }
    app.add_rows(collected.rows);
    // Show a finding with a plan in the detail pane.
    while app.listing.selected_row().is_some_and(|r| r.plan().plan().is_none())
        && app.listing.selected + 1 < app.listing.visible_len()
    {
        app.listing.move_by(1);
    }
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT))?;
    terminal.draw(|f| hubtriage::ui::draw(f, &app))?;
    std::fs::write(&target, svg(terminal.backend().buffer(), &theme))?;
    println!("wrote {target}");
    Ok(())
}
