//! `hubtriage audit verify [--audit-log PATH]`: walks the audit log's hash chain and says whether it holds (exit 0)
//! or names the first changed, missing, reordered or torn record by line number (exit 1).

use super::{EXIT_ERROR, EXIT_OK};
use crate::engine::audit_verify::{verify_file, ChainReport};
use std::path::Path;

/// Breaks listed in full; the rest are counted.
const LISTED: usize = 20;

/// Verifies the log at `path`, prints the report on stdout (an unreadable log on stderr), returns the exit status.
/// `copy` is where records are copied to (`s3://…`), if anywhere: it anchors the last record.
pub fn verify(path: &Path, copy: Option<&str>) -> i32 {
    match verify_file(path) {
        Ok(report) => {
            print!("{}", describe(path, &report, copy));
            if report.holds() {
                EXIT_OK
            } else {
                EXIT_ERROR
            }
        }
        Err(e) => {
            crate::inert_eprintln!("hubtriage: cannot verify: {e}");
            EXIT_ERROR
        }
    }
}

/// The report in words, one statement a line.
pub fn describe(path: &Path, report: &ChainReport, copy: Option<&str>) -> String {
    let mut out = String::new();
    let path = path.display();
    if report.holds() {
        match report.last {
            Some((line, seq)) => out.push_str(&format!(
                "audit log {path}: the chain holds: {} chained record(s), sequence up to {seq} (line {line})\n",
                report.chained
            )),
            None => out.push_str(&format!("audit log {path}: the chain holds: no chained record yet\n")),
        }
    } else {
        let first = &report.breaks[0];
        out.push_str(&format!(
            "audit log {path}: the chain does not hold: {} break(s); the first at line {} ({})\n",
            report.breaks.len(),
            first.line,
            first.kind.word()
        ));
        for b in report.breaks.iter().take(LISTED) {
            out.push_str(&format!("{b}\n"));
        }
        if report.breaks.len() > LISTED {
            out.push_str(&format!("… and {} more\n", report.breaks.len() - LISTED));
        }
    }
    if report.legacy > 0 {
        out.push_str(&format!(
            "{} record(s) at the start (lines before the first chained record) predate the chain and are not covered\n",
            report.legacy
        ));
    }
    if report.last.is_some() {
        match copy {
            Some(copy) => out.push_str(&format!(
                "nothing in the file vouches for the last record: compare it with its copy in {copy}\n"
            )),
            None => out.push_str(
                "nothing in the file vouches for the last record: with [audit] s3_bucket set, every record is also \
                 copied to a write-once bucket\n",
            ),
        }
    }
    out
}
