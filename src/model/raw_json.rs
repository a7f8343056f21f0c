//! The finding as received (compact JSON), for the detail view, custom actions and notifications.
//!
//! A hundred thousand findings carry about 300 MB of JSON, more than everything else about them together, and it
//! is read one finding at a time. Once a finding is ingested its JSON moves to the session's spill file: a
//! temporary file that is removed from the directory as soon as it is created (so it never outlives the process
//! and no other process can open it by name), written sequentially and read back by offset. Where no such file can
//! be made, the JSON stays in memory.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// Bytes gathered before they are written to the spill file in one call.
const WRITE_CHUNK: usize = 1 << 20;

/// A finding's JSON: in memory, at an offset of the spill file, or kept elsewhere (the store).
#[derive(Clone)]
pub struct RawJson(Repr);

/// Where JSON kept outside the process is read back from, by the number it was kept under.
pub trait RawSource: Send + Sync {
    fn read_raw(&self, number: i64) -> Result<String, String>;
}

#[derive(Clone)]
enum Repr {
    Inline(Box<str>),
    /// A part of a text many findings share: the GetFindings page they came in.
    InPage {
        page: Arc<String>,
        start: u32,
        len: u32,
    },
    Spilled {
        offset: u64,
        len: u32,
    },
    Kept {
        source: Arc<dyn RawSource>,
        number: i64,
    },
    /// Not kept: the command that read the finding never shows or sends its JSON (`plan`, `report`).
    NotKept,
}

impl RawJson {
    /// JSON kept in memory (a `String` is taken without a copy).
    pub fn inline(text: impl Into<Box<str>>) -> Self {
        Self(Repr::Inline(text.into()))
    }

    /// The JSON at `range` of `page`, a text other findings share (no copy). Inline when the range is not one
    /// of the page.
    pub fn in_page(page: &Arc<String>, range: std::ops::Range<usize>) -> Self {
        match (page.get(range.clone()), u32::try_from(range.start), u32::try_from(range.len())) {
            (Some(_), Ok(start), Ok(len)) => Self(Repr::InPage { page: page.clone(), start, len }),
            (text, ..) => Self::inline(text.unwrap_or_default()),
        }
    }

    /// JSON kept in `source` under `number`, read back when asked for (nothing of it in memory).
    pub fn kept(source: Arc<dyn RawSource>, number: i64) -> Self {
        Self(Repr::Kept { source, number })
    }

    /// No JSON: for commands that never show or send it, so reading a large export neither copies nor spills it.
    pub fn not_kept() -> Self {
        Self(Repr::NotKept)
    }

    /// Moves the JSON to the spill file when there is one (it stays in memory otherwise). JSON in a page moves with
    /// its page: the page is written once, for the first of its findings.
    pub fn spill(&mut self) {
        let Some(file) = spill_file() else { return };
        self.0 = match &self.0 {
            Repr::Inline(text) => match (u32::try_from(text.len()), file.append(text.as_bytes())) {
                (Ok(len), Some(offset)) => Repr::Spilled { offset, len },
                _ => return,
            },
            Repr::InPage { page, start, len } => match file.append_page(page) {
                Some(offset) => Repr::Spilled { offset: offset + u64::from(*start), len: *len },
                None => return,
            },
            Repr::Spilled { .. } | Repr::Kept { .. } | Repr::NotKept => return,
        };
    }

    /// Whether the JSON is in the spill file.
    pub fn is_spilled(&self) -> bool {
        matches!(self.0, Repr::Spilled { .. })
    }

    /// The JSON text, read back from the spill file if it is there.
    pub fn text(&self) -> Result<Cow<'_, str>, String> {
        match &self.0 {
            Repr::Inline(text) => Ok(Cow::Borrowed(text)),
            Repr::InPage { page, start, len } => {
                let (start, len) = (*start as usize, *len as usize);
                page.get(start..start + len).map(Cow::Borrowed).ok_or_else(|| "the JSON is outside its page".into())
            }
            Repr::Spilled { offset, len } => {
                let file = spill_file().ok_or("the spill file is gone")?;
                let bytes = file.read(*offset, *len as usize).map_err(|e| format!("reading the spill file: {e}"))?;
                String::from_utf8(bytes).map(Cow::Owned).map_err(|_| "the spill file holds invalid text".into())
            }
            Repr::Kept { source, number } => source.read_raw(*number).map(Cow::Owned),
            Repr::NotKept => Err("this command does not keep the findings' JSON".into()),
        }
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Inline(text) => write!(f, "RawJson({} bytes in memory)", text.len()),
            Repr::InPage { len, .. } => write!(f, "RawJson({len} bytes of a page in memory)"),
            Repr::Spilled { offset, len } => write!(f, "RawJson({len} bytes at {offset} in the spill file)"),
            Repr::Kept { number, .. } => write!(f, "RawJson(kept as {number})"),
            Repr::NotKept => write!(f, "RawJson(not kept)"),
        }
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.text().ok() == other.text().ok()
    }
}

/// The session's spill file: `None` when none could be made (every JSON then stays in memory).
fn spill_file() -> Option<&'static SpillFile> {
    static FILE: OnceLock<Option<SpillFile>> = OnceLock::new();
    FILE.get_or_init(SpillFile::create).as_ref()
}

struct SpillFile {
    state: Mutex<SpillState>,
}

struct SpillState {
    file: std::fs::File,
    /// Bytes written to the file.
    written: u64,
    /// Bytes appended after `written`, not yet written.
    pending: Vec<u8>,
    /// A write failed: nothing more is appended.
    broken: bool,
    /// The page appended last and its offset: its other findings are already in the file. Weak: the page's text
    /// is freed with its last finding (the weak reference keeps its address from being reused meanwhile).
    last_page: Option<(Weak<String>, u64)>,
}

impl SpillFile {
    fn create() -> Option<Self> {
        match tempfile::tempfile() {
            Ok(file) => Some(Self {
                state: Mutex::new(SpillState { file, written: 0, pending: Vec::new(), broken: false, last_page: None }),
            }),
            Err(e) => {
                tracing::warn!(error = %e, "no spill file; finding JSON stays in memory");
                None
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SpillState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends `bytes`; their offset, or `None` when the file cannot take more.
    fn append(&self, bytes: &[u8]) -> Option<u64> {
        self.lock().append(bytes)
    }

    /// Appends `page` unless it was the last appended; its offset.
    fn append_page(&self, page: &Arc<String>) -> Option<u64> {
        let mut state = self.lock();
        if let Some((last, offset)) = &state.last_page {
            if std::ptr::eq(last.as_ptr(), Arc::as_ptr(page)) {
                return Some(*offset);
            }
        }
        let offset = state.append(page.as_bytes())?;
        state.last_page = Some((Arc::downgrade(page), offset));
        Some(offset)
    }

    fn read(&self, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        let state = self.lock();
        let mut out = vec![0; len];
        if offset >= state.written {
            let start = (offset - state.written) as usize;
            let pending = state.pending.get(start..start + len).ok_or(std::io::ErrorKind::UnexpectedEof)?;
            out.copy_from_slice(pending);
        } else {
            read_at(&state.file, &mut out, offset)?;
        }
        Ok(out)
    }
}

impl SpillState {
    fn append(&mut self, bytes: &[u8]) -> Option<u64> {
        if self.broken {
            return None;
        }
        let offset = self.written + self.pending.len() as u64;
        if bytes.len() >= WRITE_CHUNK / 4 {
            // Large enough to write as it is, without a copy (after what is pending).
            self.write(None)?;
            self.write(Some(bytes))?;
        } else {
            self.pending.extend_from_slice(bytes);
            if self.pending.len() >= WRITE_CHUNK {
                self.write(None)?;
            }
        }
        Some(offset)
    }

    /// Writes `bytes`, or what is pending.
    fn write(&mut self, bytes: Option<&[u8]>) -> Option<()> {
        use std::io::Write;
        let data = bytes.unwrap_or(&self.pending);
        if let Err(e) = self.file.write_all(data) {
            tracing::warn!(error = %e, "the spill file cannot be written; finding JSON stays in memory");
            // What was appended but not written stays readable from `pending`.
            self.broken = true;
            return None;
        }
        self.written += data.len() as u64;
        if bytes.is_none() {
            self.pending.clear();
        }
        Some(())
    }
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = file;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spilled_json_reads_back_whole_from_many_threads() {
        let texts: Vec<String> =
            (0..3000).map(|i| format!("{{\"Id\":\"finding-{i}\",\"Title\":\"{}\"}}", "é".repeat(i % 700))).collect();
        let spilled: Vec<RawJson> = std::thread::scope(|scope| {
            let handles: Vec<_> = texts
                .chunks(500)
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|t| {
                                let mut raw = RawJson::inline(t.as_str());
                                raw.spill();
                                raw
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().expect("thread")).collect()
        });
        assert!(spilled.iter().all(RawJson::is_spilled), "this machine can make a temporary file");
        for (raw, text) in spilled.iter().zip(&texts) {
            assert_eq!(raw.text().expect("readable"), text.as_str());
        }
    }
}
