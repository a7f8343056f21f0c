//! Custom action runs of the session: their streamed output and how each ended, as the Output view shows them.

use crate::model::sanitize;
use chrono::{DateTime, Utc};

/// Lines kept per run; later ones are counted, not kept, so a chatty command cannot fill memory.
pub const MAX_LINES_PER_RUN: usize = 5_000;

/// One run of a custom action.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRun {
    pub run: u64,
    pub action: String,
    /// How many findings it runs on.
    pub findings: usize,
    pub started_at: DateTime<Utc>,
    /// Output lines, each on one line (sanitized).
    pub lines: Vec<String>,
    /// Lines not kept beyond `MAX_LINES_PER_RUN`.
    pub dropped: usize,
    /// `None` while running: the summary, or why it failed.
    pub outcome: Option<Result<String, String>>,
}

/// Every run of the session, oldest first.
#[derive(Debug, Clone, Default)]
pub struct ActionRuns {
    pub runs: Vec<ActionRun>,
    last_run: u64,
}

impl ActionRuns {
    /// Records a run about to start; returns its id.
    pub fn start(&mut self, action: &str, findings: usize) -> u64 {
        self.last_run += 1;
        self.runs.push(ActionRun {
            run: self.last_run,
            action: sanitize::single_line(action),
            findings,
            started_at: Utc::now(),
            lines: Vec::new(),
            dropped: 0,
            outcome: None,
        });
        self.last_run
    }

    /// The run with this id; one the app did not start (none should exist) is recorded as it arrives.
    fn run_mut(&mut self, run: u64) -> &mut ActionRun {
        match self.runs.iter().position(|r| r.run == run) {
            Some(i) => &mut self.runs[i],
            None => {
                self.last_run = self.last_run.max(run);
                let action = format!("run #{run}");
                self.runs.push(ActionRun {
                    run,
                    action,
                    findings: 0,
                    started_at: Utc::now(),
                    lines: Vec::new(),
                    dropped: 0,
                    outcome: None,
                });
                let last = self.runs.len() - 1;
                &mut self.runs[last]
            }
        }
    }

    /// A chunk of output: one line or several.
    pub fn output(&mut self, run: u64, text: &str) {
        let r = self.run_mut(run);
        for line in text.strip_suffix('\n').unwrap_or(text).split('\n') {
            if r.lines.len() < MAX_LINES_PER_RUN {
                r.lines.push(sanitize::single_line(line.strip_suffix('\r').unwrap_or(line)));
            } else {
                r.dropped += 1;
            }
        }
    }

    /// The run ended.
    pub fn finish(&mut self, run: u64, outcome: Result<String, String>) -> &ActionRun {
        let r = self.run_mut(run);
        r.outcome = Some(outcome.map(|s| sanitize::single_line(&s)).map_err(|e| sanitize::single_line(&e)));
        r
    }

    /// Runs not yet ended.
    pub fn running(&self) -> usize {
        self.runs.iter().filter(|r| r.outcome.is_none()).count()
    }

    /// Lines the Output view draws (a heading, the output and a blank line per run).
    pub fn line_count(&self) -> usize {
        self.runs.iter().map(|r| r.lines.len() + 2 + usize::from(r.dropped > 0)).sum()
    }
}
