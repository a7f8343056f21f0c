//! The one way hubtriage writes messages to the terminal outside the TUI: every line goes through the sanitizer.
//!
//! Messages echo what came from outside — a `--findings` or `--config` path, a config key or value, a command-line
//! argument, a file name, an AWS error — and any of it can hold an escape sequence (an OSC 52 clipboard write in a
//! file name is enough). Sanitizing here, where the text leaves the process, covers every message, including those
//! whose parts were never thought of as hostile. The library denies `eprintln!` elsewhere (`clippy::print_stderr`).

use crate::model::sanitize;
use std::io::Write;

/// Longest message written (characters); a clap usage message or help text is far shorter.
const MAX_MESSAGE_CHARS: usize = 65_536;

/// Writes `text` and a newline to stderr, made inert: escape sequences, controls and format characters removed,
/// newlines kept.
pub fn line(text: &str) {
    let text = sanitize::inert_lines(text, MAX_MESSAGE_CHARS);
    let mut stderr = std::io::stderr().lock();
    // Nowhere is left to report a failed write to stderr.
    let _ = writeln!(stderr, "{text}");
}

/// The same for stdout: help and version text, which clap renders from the arguments too.
pub fn stdout_line(text: &str) {
    let text = sanitize::inert_lines(text, MAX_MESSAGE_CHARS);
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
    let _ = stdout.flush();
}

/// `eprintln!` through the sanitizer: `inert_eprintln!("hubtriage: {path}: {e}")`.
#[macro_export]
macro_rules! inert_eprintln {
    ($($arg:tt)*) => {
        $crate::cli::stderr::line(&format!($($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use crate::model::sanitize;

    #[test]
    fn a_message_keeps_its_lines_and_loses_its_escapes() {
        let message =
            "error: invalid value 'x\u{1b}]52;c;ZXZpbA==\u{7}y\u{9d}52;c;abc\u{9c}' for '--format'\n\nUsage: x";
        let shown = sanitize::inert_lines(message, super::MAX_MESSAGE_CHARS);
        assert_eq!(shown, "error: invalid value 'xy' for '--format'\n\nUsage: x");
    }
}
