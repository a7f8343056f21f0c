//! A JSON array of many items written as `serde_json::to_writer_pretty` writes it, byte for byte, with the items
//! serialised on every core: `plan --format json` over 100,000 findings prints about 100 MB, and escaping that much
//! text on one thread was the slowest part of the command once the input was read.

use serde::Serialize;
use serde_json::ser::Formatter;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};

/// Items serialised together, as one piece of work.
const CHUNK: usize = 1_000;

/// Indentation per level, as `serde_json`'s pretty printer.
const INDENT: &[u8] = b"  ";

/// `serde_json`'s `PrettyFormatter`, starting at a given depth (an item of an array starts one level in).
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    fn at(depth: usize) -> Self {
        Self { depth, has_value: false }
    }

    fn indent<W: ?Sized + Write>(&self, out: &mut W) -> io::Result<()> {
        (0..self.depth).try_for_each(|_| out.write_all(INDENT))
    }

    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            self.indent(out)?;
        }
        out.write_all(bracket)
    }

    fn next_line<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(out)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.next_line(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.next_line(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// An item of an array [`write_array`] writes: through [`ser::write_pretty`] unless the type writes itself faster.
pub trait PrettyItem: Serialize {
    /// Writes the item as `serde_json`'s pretty printer writes it as an item of an array (one level in), or refuses
    /// (and nothing is kept of what it wrote: the item is then written through `serde_json`).
    fn write_item(&self, out: &mut Vec<u8>) -> Result<(), Unsupported> {
        ser::write_pretty(out, self, 1)
    }
}

pub use ser::{write_escaped, write_pretty, Unsupported};

/// Items `range` of `len`, each made by `item` and serialised as the items of a pretty-printed array, into `out`
/// (emptied first). Each item is written by [`PrettyItem::write_item`], or through `serde_json` when it holds what
/// that does not write.
fn chunk_text<T: PrettyItem>(
    range: std::ops::Range<usize>,
    item: &(impl Fn(usize) -> T + Sync),
    mut out: Vec<u8>,
) -> io::Result<Vec<u8>> {
    out.clear();
    for i in range {
        out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        out.extend_from_slice(INDENT);
        let (value, start) = (item(i), out.len());
        if value.write_item(&mut out).is_err() {
            out.truncate(start);
            let mut serializer = serde_json::Serializer::with_formatter(&mut out, Pretty::at(1));
            value.serialize(&mut serializer).map_err(io::Error::other)?;
        }
    }
    Ok(out)
}

/// Writes the array of items `0..len` (item `i` made by `item(i)`) to `out` exactly as
/// `serde_json::to_writer_pretty` writes a `Vec` of them, serialising on `threads` threads.
pub fn write_array<T: PrettyItem>(
    out: &mut impl Write,
    len: usize,
    threads: usize,
    item: impl Fn(usize) -> T + Sync,
) -> io::Result<()> {
    if len == 0 {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    let chunks = len.div_ceil(CHUNK);
    let next = AtomicUsize::new(0);
    // Buffers written out, to be filled again: fresh megabytes cost page faults, growing ones copies.
    let spare = Mutex::new(Vec::<Vec<u8>>::new());
    let (tx, rx) = mpsc::channel::<(usize, io::Result<Vec<u8>>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, chunks) {
            let (tx, next, item, spare) = (tx.clone(), &next, &item, &spare);
            scope.spawn(move || loop {
                let chunk = next.fetch_add(1, Ordering::Relaxed);
                if chunk >= chunks {
                    return;
                }
                let buffer = spare.lock().unwrap_or_else(|p| p.into_inner()).pop().unwrap_or_default();
                let text = chunk_text(chunk * CHUNK..((chunk + 1) * CHUNK).min(len), item, buffer);
                if tx.send((chunk, text)).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        // Chunks come back in any order: each is written once those before it are.
        let (mut pending, mut written) = (BTreeMap::new(), 0);
        for (chunk, text) in rx {
            pending.insert(chunk, text);
            while let Some(text) = pending.remove(&written) {
                match text.and_then(|text| out.write_all(&text).map(|()| text)) {
                    Ok(text) => {
                        // One spare per thread: chunks finished ahead of the writer are not all kept.
                        let mut spare = spare.lock().unwrap_or_else(|p| p.into_inner());
                        if spare.len() < threads {
                            spare.push(text);
                        }
                    }
                    Err(e) => {
                        // The workers stop at their next send.
                        next.store(chunks, Ordering::Relaxed);
                        return Err(e);
                    }
                }
                written += 1;
            }
        }
        Ok(())
    })?;
    out.write_all(b"\n]")
}

#[path = "json_pretty_ser.rs"]
mod ser;

#[cfg(test)]
#[path = "json_pretty_tests.rs"]
mod tests;
