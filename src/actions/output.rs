//! Where an action's output goes: streamed to the UI as `Msg::ActionOutput`, with the first lines kept for the
//! result and the audit log. Command output is bounded per run: the first [`MAX_LINES`] lines and [`MAX_BYTES`]
//! bytes are kept, the rest is counted and reported as cut.

use crate::engine::Msg;
use crate::model::sanitize;
use tokio::sync::mpsc::UnboundedSender;

/// Lines of a command's output kept per run.
pub const MAX_LINES: usize = 1000;
/// Bytes of a command's output kept per run.
pub const MAX_BYTES: usize = 256 * 1024;
/// Lines kept for the audit record.
pub const AUDIT_LINES: usize = 20;
/// Characters of output in the audit record.
pub const AUDIT_CHARS: usize = 2000;

/// The output of one action run.
pub struct Output<'a> {
    run: u64,
    tx: Option<&'a UnboundedSender<Msg>>,
    /// The first lines, for the audit record.
    head: Vec<String>,
}

impl<'a> Output<'a> {
    pub fn new(run: u64, tx: Option<&'a UnboundedSender<Msg>>) -> Self {
        Self { run, tx, head: Vec::new() }
    }

    /// Shows one line (made inert, on one line).
    pub fn line(&mut self, text: &str) {
        let text = sanitize::single_line(text);
        if self.head.len() < AUDIT_LINES {
            self.head.push(text.clone());
        }
        if let Some(tx) = self.tx {
            let _ = tx.send(Msg::ActionOutput { run: self.run, text });
        }
    }

    /// The first lines shown, joined on one line and bounded, for the audit record.
    pub fn head(&self) -> String {
        super::template::bounded(&self.head.join(" | "), AUDIT_CHARS)
    }

    /// A budget for one command's output.
    pub fn budget(&self) -> Budget {
        Budget::default()
    }
}

/// What one command may still show; counts what it could not.
#[derive(Debug, Default)]
pub struct Budget {
    lines: usize,
    bytes: usize,
    cut_lines: usize,
    cut_bytes: usize,
}

impl Budget {
    /// Whether a line of `len` bytes may be shown; counts it either way. The first refusal says so once.
    pub fn admit(&mut self, len: usize, out: &mut Output<'_>) -> bool {
        if self.cut_lines == 0 && self.lines < MAX_LINES && self.bytes + len <= MAX_BYTES {
            self.lines += 1;
            self.bytes += len + 1;
            return true;
        }
        if self.cut_lines == 0 {
            out.line(&format!("… output cut here (at most {MAX_LINES} lines or {MAX_BYTES} bytes are kept)"));
        }
        self.cut_lines += 1;
        self.cut_bytes += len + 1;
        false
    }

    /// What was cut, if anything: "1200 more lines (53000 bytes) not shown".
    pub fn cut(&self) -> Option<String> {
        (self.cut_lines > 0).then(|| {
            format!(
                "output cut after {} lines / {} bytes: {} more lines ({} bytes) not shown",
                self.lines, self.bytes, self.cut_lines, self.cut_bytes
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_keeps_the_first_lines_and_counts_the_rest() {
        let mut out = Output::new(1, None);
        let mut budget = out.budget();
        let shown = (0..1500).filter(|_| budget.admit(10, &mut out)).count();
        assert_eq!(shown, MAX_LINES);
        assert_eq!(
            budget.cut().as_deref(),
            Some("output cut after 1000 lines / 11000 bytes: 500 more lines (5500 bytes) not shown")
        );
        assert!(out.head().contains("output cut here"));
    }

    #[test]
    fn budget_bounds_bytes() {
        let mut out = Output::new(1, None);
        let mut budget = out.budget();
        let shown = (0..100).filter(|_| budget.admit(100 * 1024, &mut out)).count();
        assert_eq!(shown, 2);
        assert!(budget.cut().is_some_and(|c| c.contains("98 more lines")));
    }

    #[test]
    fn lines_are_made_inert() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut out = Output::new(7, Some(&tx));
        out.line("a\u{1b}]52;c;ZXZpbA==\u{7}b\nc");
        match rx.try_recv() {
            Ok(Msg::ActionOutput { run, text }) => assert_eq!((run, text.as_str()), (7, "ab c")),
            other => panic!("{other:?}"),
        }
    }
}
