//! Line and column of a byte offset of a file read in pieces: counted only when a problem needs a location, reading
//! the file again from the last offset located (problems arrive in the order of the file, so each byte is counted
//! once at most).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where a byte is, as editors number lines and columns (from 1; columns in bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineColumn {
    pub line: u64,
    pub column: u64,
}

impl std::fmt::Display for LineColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Locates offsets of one file.
pub struct Locator {
    path: PathBuf,
    file: Option<File>,
    /// Bytes counted so far.
    counted: u64,
    /// Line of the byte at `counted`, and the offset its line starts at.
    line: u64,
    line_start: u64,
}

impl Locator {
    pub fn new(path: &Path) -> Self {
        Self { path: path.to_path_buf(), file: None, counted: 0, line: 1, line_start: 0 }
    }

    /// The line and column of `offset`; `None` when the file cannot be read again.
    pub fn locate(&mut self, offset: u64) -> Option<LineColumn> {
        if offset < self.counted || self.file.is_none() {
            self.file = Some(File::open(&self.path).ok()?);
            (self.counted, self.line, self.line_start) = (0, 1, 0);
        }
        let file = self.file.as_mut()?;
        let mut buffer = vec![0u8; 1 << 16];
        while self.counted < offset {
            let want = usize::try_from(offset - self.counted).unwrap_or(usize::MAX).min(buffer.len());
            let got = file.read(&mut buffer[..want]).ok()?;
            if got == 0 {
                break;
            }
            for (i, _) in buffer[..got].iter().enumerate().filter(|(_, &b)| b == b'\n') {
                self.line += 1;
                self.line_start = self.counted + i as u64 + 1;
            }
            self.counted += got as u64;
        }
        Some(LineColumn { line: self.line, column: offset.saturating_sub(self.line_start) + 1 })
    }
}

/// Line and column of `offset` in `text` held in memory.
pub fn locate_in(text: &[u8], offset: usize) -> LineColumn {
    let before = &text[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    LineColumn { line, column: (before.len() - line_start) as u64 + 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_located_in_order_and_out_of_order() {
        let text = b"{\n  \"a\": 1,\n\n  \"b\": [\xff]\n}\n";
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f.json");
        std::fs::write(&path, text).expect("write");
        let mut locator = Locator::new(&path);
        for offset in [0usize, 1, 2, 9, 12, 19, 3, 25] {
            assert_eq!(locator.locate(offset as u64), Some(locate_in(text, offset)), "offset {offset}");
        }
        assert_eq!(locate_in(text, 20), LineColumn { line: 4, column: 8 });
        assert_eq!(locate_in(text, 0), LineColumn { line: 1, column: 1 });
    }
}
