//! The lower-case text each row is searched in, kept in one buffer (no allocation per row; a scan reads memory
//! in order). A replaced row's old text is left behind and reclaimed once it outweighs the live text.

/// Bytes per chunk of the buffer: chunks are filled and never moved, so growing costs no copy and wastes at most
/// one chunk (a single growing string would double, copying and leaving up to half of itself unused).
const CHUNK: usize = 1 << 20;

/// Searchable text per row.
#[derive(Default)]
pub(super) struct TextIndex {
    chunks: Vec<String>,
    /// Chunk, start and length of each row's text.
    spans: Vec<(u32, u32, u32)>,
    live: usize,
    garbage: usize,
}

impl TextIndex {
    /// Sets the text of row `i` (the next row, or a replacement of an existing one).
    pub fn set(&mut self, i: usize, lower: &str) {
        let span = self.append(lower);
        self.live += lower.len();
        if i < self.spans.len() {
            self.garbage += self.spans[i].2 as usize;
            self.live -= self.spans[i].2 as usize;
            self.spans[i] = span;
        } else {
            self.spans.push(span);
        }
        if self.garbage > CHUNK && self.garbage > self.live {
            self.compact();
        }
    }

    fn append(&mut self, text: &str) -> (u32, u32, u32) {
        let fits = self.chunks.last().is_some_and(|c| c.len() + text.len() <= c.capacity());
        if !fits {
            self.chunks.push(String::with_capacity(CHUNK.max(text.len())));
        }
        let chunk = self.chunks.len() - 1;
        let buffer = &mut self.chunks[chunk];
        let start = buffer.len();
        buffer.push_str(text);
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (narrow(chunk), narrow(start), narrow(text.len()))
    }

    pub fn get(&self, i: usize) -> &str {
        let (chunk, start, len) = self.spans[i];
        let start = start as usize;
        &self.chunks[chunk as usize][start..start + len as usize]
    }

    fn compact(&mut self) {
        let old = std::mem::take(self);
        for i in 0..old.spans.len() {
            let span = self.append(old.get(i));
            self.spans.push(span);
        }
        self.live = old.live;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaced_text_is_found_and_old_text_reclaimed() {
        let mut index = TextIndex::default();
        index.set(0, "open bucket");
        index.set(1, "security group");
        index.set(0, "closed bucket");
        assert!(!index.get(0).contains("open"));
        assert!(index.get(0).contains("closed") && index.get(0).contains("bucket"));
        let big = "x".repeat(1 << 20);
        for _ in 0..4 {
            index.set(1, &big);
        }
        let held: usize = index.chunks.iter().map(String::len).sum();
        assert!(held < 3 * (1 << 20), "old text reclaimed: {held}");
        assert_eq!(index.get(0), "closed bucket");
        assert_eq!(index.get(1), big);
    }
}
