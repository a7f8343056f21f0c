//! The report as one self-contained HTML file: inline CSS, charts as inline SVG, no script, nothing fetched. Every
//! text is sanitised and HTML-escaped, so nothing a finding carries can become markup.

use super::duration_words;
use super::figures::{Count, Figures};
use crate::model::sanitize::single_line;
use crate::policy::Verdict;
use std::fmt::Write;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24;max-width:70rem}\
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}td,th{border:1px solid #d0d7de;padding:0.25rem 0.6rem}\
td.n{text-align:right}th{background:#f6f8fa}h2{margin-top:2rem}rect.bar{fill:#0969da}rect.auto{fill:#1a7f37}\
polyline{fill:none;stroke:#cf222e;stroke-width:2}";

/// The whole report.
pub fn render(f: &Figures) -> String {
    let mut out = String::new();
    let _ = write_all(&mut out, f);
    out
}

fn write_all(out: &mut String, f: &Figures) -> std::fmt::Result {
    write!(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")?;
    write!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    )?;
    writeln!(out, "<title>hubtriage report</title><style>{STYLE}</style></head><body>")?;
    writeln!(out, "<h1>hubtriage report</h1>")?;
    writeln!(
        out,
        "<p>{} open findings at {}; history since {}.</p>",
        f.findings,
        f.generated_at.format("%Y-%m-%d %H:%M UTC"),
        f.since.format("%Y-%m-%d")
    )?;
    writeln!(out, "<h2>Severity × verdict</h2><table><tr><th>Severity</th>")?;
    for v in Verdict::ALL {
        write!(out, "<th>{}</th>", v.name())?;
    }
    writeln!(out, "<th>Total</th></tr>")?;
    for row in &f.severity_by_verdict {
        write!(out, "<tr><td>{}</td>", row.severity)?;
        for v in Verdict::ALL {
            write!(out, "<td class=\"n\">{}</td>", row.counts.get(v.name()).copied().unwrap_or(0))?;
        }
        writeln!(out, "<td class=\"n\">{}</td></tr>", row.total)?;
    }
    writeln!(out, "</table>")?;
    bar_chart(out, "Top accounts", &f.top_accounts, "bar")?;
    bar_chart(out, "Top controls", &f.top_controls, "bar")?;
    writeln!(out, "<h2>Open findings over time</h2>")?;
    if f.open_over_time.is_empty() {
        writeln!(out, "<p>No store: no history to draw.</p>")?;
    } else {
        line_chart(out, f)?;
        writeln!(out, "<p>{}</p>", super::markdown::trend_source(f))?;
    }
    writeln!(out, "<h2>Time to a verified safe state</h2>")?;
    if f.time_to_safe.is_empty() {
        writeln!(out, "<p>No fix verified in this period.</p>")?;
    } else {
        writeln!(out, "<table><tr><th>Control</th><th>Fixes</th><th>Median</th><th>p90</th></tr>")?;
        for t in f.time_to_safe.iter().chain(f.time_to_safe_overall.iter()) {
            writeln!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&t.control),
                t.fixes,
                duration_words(t.median_seconds),
                duration_words(t.p90_seconds)
            )?;
        }
        writeln!(out, "</table>")?;
    }
    writeln!(out, "<h2>Recurrence</h2><ul>")?;
    match f.reopened {
        Some(n) => writeln!(out, "<li>Findings that came back open after closing: {n}</li>")?,
        None => writeln!(out, "<li>Findings that came back: unknown (no store)</li>")?,
    }
    writeln!(out, "<li>Resources fixed more than once for the same control: {}<ul>", f.fixed_again.len())?;
    for r in &f.fixed_again {
        writeln!(
            out,
            "<li>{} {} in {}/{}: {} times</li>",
            escape(&r.control),
            escape(&r.resource),
            escape(&r.account_id),
            escape(&r.region),
            r.times
        )?;
    }
    writeln!(out, "</ul></li></ul>")?;
    writeln!(out, "<h2>Would auto-fix: {}</h2>", f.would_auto_fix.total)?;
    bar_chart(out, "By control", &f.would_auto_fix.by_control, "auto")?;
    bar_chart(out, "By account", &f.would_auto_fix.by_account, "auto")?;
    writeln!(out, "</body></html>")
}

/// A horizontal bar chart: one row per name, its bar and its count.
fn bar_chart(out: &mut String, title: &str, counts: &[Count], class: &str) -> std::fmt::Result {
    writeln!(out, "<h3>{title}</h3>")?;
    if counts.is_empty() {
        return writeln!(out, "<p>None.</p>");
    }
    let max = counts.iter().map(|c| c.count).max().unwrap_or(1).max(1);
    let (label, bar, height) = (320, 360, 22);
    writeln!(
        out,
        "<svg role=\"img\" aria-label=\"{}\" width=\"{}\" height=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(title),
        label + bar + 60,
        counts.len() * height
    )?;
    for (i, c) in counts.iter().enumerate() {
        let y = i * height;
        let width = (c.count * bar).div_ceil(max);
        writeln!(
            out,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text><rect class=\"{class}\" x=\"{label}\" y=\"{}\" \
             width=\"{width}\" height=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            y + 15,
            escape(&clip(&c.name, 48)),
            y + 4,
            height - 8,
            label + width + 6,
            y + 15,
            c.count
        )?;
    }
    writeln!(out, "</svg>")
}

/// Open findings per day as a line.
fn line_chart(out: &mut String, f: &Figures) -> std::fmt::Result {
    let days = &f.open_over_time;
    let max = days.iter().map(|d| d.open).max().unwrap_or(0).max(1);
    let (width, height) = (720usize, 160usize);
    let step = if days.len() > 1 { width / (days.len() - 1) } else { 0 };
    let points: Vec<String> = days
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{},{}", i * step, height - (d.open * (height - 10)) / max))
        .collect();
    writeln!(
        out,
        "<svg role=\"img\" aria-label=\"open findings per day\" width=\"{width}\" height=\"{height}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><polyline points=\"{}\"/></svg>",
        points.join(" ")
    )?;
    let (first, last) = (days.first(), days.last());
    if let (Some(first), Some(last)) = (first, last) {
        writeln!(out, "<p>{}: {} open · {}: {} open · highest {max}</p>", first.day, first.open, last.day, last.open)?;
    }
    Ok(())
}

fn clip(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(chars - 1).collect();
    cut.push('…');
    cut
}

/// Sanitised and HTML-escaped.
fn escape(text: &str) -> String {
    let mut out = String::new();
    for c in single_line(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
