//! The AWS CLI's own export of generated findings: `aws securityhub get-findings > f.json` writes one
//! `{"Findings": [...]}` document, indented by four spaces (the CLI's `json.dumps(response, indent=4,
//! ensure_ascii=False)`). Written one finding at a time, so 100,000 of them never sit in memory together.
//!
//! ```text
//! cargo bench --bench scale -- export /tmp/export.json 100000
//! ```

use crate::corpus::Corpus;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;
use std::cell::Cell;
use std::io::Write;
use std::path::Path;

/// `{"Findings": [finding 0, …, finding n-1]}`, each finding generated as it is written.
struct Export<'a> {
    corpus: &'a Corpus,
    findings: usize,
}

struct Findings<'a>(&'a Export<'a>);

impl Serialize for Export<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("Findings", &Findings(self))?;
        map.end()
    }
}

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.findings))?;
        for i in 0..self.0.findings {
            let finding: serde_json::Value = serde_json::from_str(&self.0.corpus.finding(i)).expect("corpus json");
            seq.serialize_element(&finding)?;
        }
        seq.end()
    }
}

/// Writes `findings` generated findings to `path` as the AWS CLI exports them; its size in bytes.
pub fn write(corpus: &Corpus, findings: usize, path: &Path) -> u64 {
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let written = Cell::new(0u64);
    let mut out = Counting { inner: std::io::BufWriter::with_capacity(1 << 20, file), written: &written };
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    Export { corpus, findings }.serialize(&mut serializer).expect("write the export");
    writeln!(out).expect("write the export");
    out.inner.flush().expect("write the export");
    written.get()
}

/// A writer that counts what passes through it.
struct Counting<'a, W> {
    inner: W,
    written: &'a Cell<u64>,
}

impl<W: Write> Write for Counting<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written.set(self.written.get() + n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `export PATH [findings]`: writes the export and says what it wrote.
pub fn command(args: &[String]) {
    let path = args.first().expect("usage: export PATH [findings]");
    let findings = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(crate::FINDINGS);
    let corpus = Corpus::load();
    let bytes = write(&corpus, findings, Path::new(path));
    eprintln!(
        "{path}: {findings} findings, {:.0} MB, as `aws securityhub get-findings` writes them",
        bytes as f64 / 1e6
    );
}
