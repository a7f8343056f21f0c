//! The report as Markdown: tables and text bars; every name from a finding or the config escaped.

use super::duration_words;
use super::figures::{Count, Figures};
use crate::policy::Verdict;
use crate::review::plan_markdown::text;
use std::fmt::Write;

/// Width of the longest bar, in blocks.
const BAR: usize = 30;

/// The whole report.
pub fn render(f: &Figures) -> String {
    let mut out = String::new();
    let _ = write_all(&mut out, f);
    out
}

fn write_all(out: &mut String, f: &Figures) -> std::fmt::Result {
    writeln!(out, "# hubtriage report\n")?;
    writeln!(
        out,
        "{} open findings at {}; history since {}.\n",
        f.findings,
        f.generated_at.format("%Y-%m-%d %H:%M UTC"),
        f.since.format("%Y-%m-%d")
    )?;
    writeln!(out, "## Severity × verdict\n")?;
    let verdicts: Vec<&str> = Verdict::ALL.iter().map(|v| v.name()).collect();
    writeln!(out, "| Severity | {} | Total |", verdicts.join(" | "))?;
    writeln!(out, "|---|{}---|", "---:|".repeat(verdicts.len()))?;
    for row in &f.severity_by_verdict {
        let cells: Vec<String> = verdicts.iter().map(|v| row.counts.get(v).copied().unwrap_or(0).to_string()).collect();
        writeln!(out, "| {} | {} | {} |", row.severity, cells.join(" | "), row.total)?;
    }
    writeln!(out)?;
    bars(out, "Top accounts", &f.top_accounts)?;
    bars(out, "Top controls", &f.top_controls)?;
    writeln!(out, "## Open findings over time\n")?;
    if f.open_over_time.is_empty() {
        writeln!(out, "No store: no history to draw.\n")?;
    } else {
        let max = f.open_over_time.iter().map(|d| d.open).max().unwrap_or(0);
        let spark: String = f.open_over_time.iter().map(|d| spark_char(d.open, max)).collect();
        writeln!(out, "`{spark}` (per day, {} to {}; {})\n", first_day(f), last_day(f), trend_source(f))?;
    }
    writeln!(out, "## Time to a verified safe state\n")?;
    if f.time_to_safe.is_empty() {
        writeln!(out, "No fix verified in this period.\n")?;
    } else {
        writeln!(out, "| Control | Fixes | Median | p90 |\n|---|---:|---:|---:|")?;
        for t in f.time_to_safe.iter().chain(f.time_to_safe_overall.iter()) {
            let (median, p90) = (duration_words(t.median_seconds), duration_words(t.p90_seconds));
            writeln!(out, "| {} | {} | {median} | {p90} |", text(&t.control), t.fixes)?;
        }
        writeln!(out)?;
    }
    writeln!(out, "## Recurrence\n")?;
    match f.reopened {
        Some(n) => writeln!(out, "- Findings that came back open after closing: {n}")?,
        None => writeln!(out, "- Findings that came back: unknown (no store)")?,
    }
    writeln!(out, "- Resources fixed more than once for the same control: {}", f.fixed_again.len())?;
    for r in &f.fixed_again {
        writeln!(
            out,
            "  - {} {} in {}/{}: {} times",
            text(&r.control),
            text(&r.resource),
            r.account_id,
            r.region,
            r.times
        )?;
    }
    writeln!(out)?;
    writeln!(out, "## Would auto-fix: {}\n", f.would_auto_fix.total)?;
    bars(out, "By control", &f.would_auto_fix.by_control)?;
    bars(out, "By account", &f.would_auto_fix.by_account)
}

fn first_day(f: &Figures) -> String {
    f.open_over_time.first().map(|d| d.day.to_string()).unwrap_or_default()
}

fn last_day(f: &Figures) -> String {
    f.open_over_time.last().map(|d| d.day.to_string()).unwrap_or_default()
}

/// One of eight block heights for `value` out of `max`.
fn spark_char(value: usize, max: usize) -> char {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    if max == 0 {
        return BLOCKS[0];
    }
    BLOCKS[(value * 7).div_ceil(max).min(7)]
}

fn bars(out: &mut String, title: &str, counts: &[Count]) -> std::fmt::Result {
    writeln!(out, "### {title}\n")?;
    if counts.is_empty() {
        return writeln!(out, "None.\n");
    }
    let max = counts.iter().map(|c| c.count).max().unwrap_or(1).max(1);
    writeln!(out, "| | Count | |\n|---|---:|---|")?;
    for c in counts {
        let width = (c.count * BAR).div_ceil(max);
        writeln!(out, "| {} | {} | {} |", text(&c.name), c.count, "█".repeat(width))?;
    }
    writeln!(out)
}

/// Where the open findings over time come from, in words.
pub fn trend_source(f: &Figures) -> &'static str {
    match f.open_over_time_from {
        "security-hub" => "Security Hub's own trend, GetFindingsTrendsV2",
        _ => "from the store's history",
    }
}
