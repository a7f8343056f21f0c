//! `plan --out FILE --format md`: the plan file rendered for people (a pull request, a change ticket). Every text a
//! finding carries is sanitised and escaped, so it reads as text and never as Markdown or HTML.

use super::plan_file::{PlanDocument, PlannedFinding};
use crate::model::sanitize::single_line;
use crate::policy::Verdict;
use std::fmt::Write;

/// The whole document as Markdown.
pub fn render(document: &PlanDocument) -> String {
    let mut out = String::new();
    let _ = write_header(&mut out, document);
    let applicable: Vec<&PlannedFinding> = document.applicable().collect();
    let _ = writeln!(out, "## Changes ({})\n", applicable.len());
    if applicable.is_empty() {
        out.push_str("No finding has a plan that policy allows to apply.\n\n");
    }
    for entry in &applicable {
        let _ = write_change(&mut out, entry);
    }
    let others: Vec<&PlannedFinding> = document.findings.iter().filter(|f| !f.is_applicable()).collect();
    let _ = writeln!(out, "## Not changed ({})\n", others.len());
    if !others.is_empty() {
        out.push_str("| Verdict | Control | Resource | Account / region | Why |\n|---|---|---|---|---|\n");
        for f in others {
            let why = match &f.plan {
                None if f.plan_status != "planned" => format!("{} ({})", f.reason, f.plan_status),
                _ => f.reason.clone(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} / {} | {} |",
                f.verdict,
                text(f.control_id.as_deref().unwrap_or("-")),
                text(f.resource_id.as_deref().unwrap_or("-")),
                text(&f.account_id),
                text(&f.region),
                text(&why)
            );
        }
        out.push('\n');
    }
    out
}

fn write_header(out: &mut String, d: &PlanDocument) -> std::fmt::Result {
    writeln!(out, "# hubtriage plan\n")?;
    writeln!(out, "| | |\n|---|---|")?;
    writeln!(out, "| Made | {} by {} |", d.created_at.to_rfc3339(), text(&d.created_by))?;
    writeln!(
        out,
        "| Against | {} — account {}, endpoint {} |",
        text(&d.scope.source),
        text(&d.scope.account),
        text(&d.scope.endpoint)
    )?;
    writeln!(out, "| Policy digest | `{}` |", code(&d.policy_digest))?;
    writeln!(out, "| Incident mode | {} |", if d.incident_mode { "on (change windows lifted)" } else { "off" })?;
    writeln!(out, "| hubtriage | {} (plan schema {}) |", text(&d.hubtriage_version), d.schema)?;
    writeln!(out, "| Checksum | `{}` |", code(&d.checksum))?;
    let count = |v: Verdict| d.findings.iter().filter(|f| f.verdict == v).count();
    let counts: Vec<String> =
        Verdict::ALL.iter().map(|v| format!("{} {v}", count(*v))).filter(|c| !c.starts_with("0 ")).collect();
    writeln!(out, "| Findings | {} ({}) |\n", d.findings.len(), counts.join(", "))
}

fn write_change(out: &mut String, f: &PlannedFinding) -> std::fmt::Result {
    let Some(plan) = &f.plan else { return Ok(()) };
    writeln!(
        out,
        "### {} {} — {}\n",
        text(f.control_id.as_deref().unwrap_or("-")),
        text(f.resource_id.as_deref().unwrap_or("-")),
        f.verdict
    )?;
    writeln!(out, "- Account / region: {} / {}", text(&f.account_id), text(&f.region))?;
    writeln!(out, "- Finding: {} — {}", text(&f.id), text(&f.title))?;
    writeln!(out, "- Why: {}", text(&f.reason))?;
    writeln!(
        out,
        "- Plan: {} (playbook `{}`, state fingerprint `{}`, from {} state)\n",
        text(&plan.summary),
        code(&plan.playbook),
        code(&plan.fingerprint),
        plan.basis.name()
    )?;
    writeln!(out, "| Step | Before | After |\n|---|---|---|")?;
    for step in &plan.steps {
        writeln!(out, "| {} | {} | {} |", text(&step.action), text(&step.before), text(&step.after))?;
    }
    out.push('\n');
    for warning in &plan.warnings {
        writeln!(out, "> **Warning:** {}\n", text(warning))?;
    }
    write_block(out, "AWS CLI", &plan.cli)?;
    write_block(out, "Rollback", &plan.rollback_cli)
}

fn write_block(out: &mut String, title: &str, lines: &[String]) -> std::fmt::Result {
    // Whole lines (a bucket policy can be long), control characters and escape sequences removed.
    let lines: Vec<String> = lines.iter().map(|l| crate::model::sanitize::multi_line(l, 1 << 20)).collect();
    let fence = fence_for(&lines);
    writeln!(out, "{title}:\n\n{fence}sh")?;
    for line in &lines {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "{fence}\n")
}

/// A code fence longer than any run of backticks in `lines`, so no line can close it.
fn fence_for(lines: &[String]) -> String {
    let longest = lines.iter().flat_map(|l| l.split(|c| c != '`').map(str::len)).max().unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

/// Text from a finding or the config, sanitised and escaped: Markdown and HTML characters are shown literally.
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in single_line(value).chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' | '&' | '(' | ')') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text inside an inline code span: sanitised, backticks replaced (a span cannot escape them).
fn code(value: &str) -> String {
    single_line(value).replace('`', "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_text_cannot_make_markdown_or_html_or_close_a_fence() {
        assert_eq!(text("[click](http://x) <img src=x>"), r"\[click\]\(http://x\) \<img src=x\>");
        assert_eq!(text("a|b\x1b[31m"), r"a\|b");
        assert_eq!(fence_for(&["aws s3 ``` x".into()]), "````");
        assert_eq!(fence_for(&["plain".into()]), "```");
        assert_eq!(code("x`y"), "x'y");
    }
}
