//! The lower-case text each row is searched in, kept in one buffer (no allocation per row; a scan reads memory
//! in order). A replaced row's old text is left behind and reclaimed once it outweighs the live text.

/// Searchable text per row.
#[derive(Default)]
pub(super) struct TextIndex {
    text: String,
    spans: Vec<(usize, u32)>,
    garbage: usize,
}

impl TextIndex {
    /// Sets the text of row `i` (the next row, or a replacement of an existing one).
    pub fn set(&mut self, i: usize, lower: &str) {
        let span = (self.text.len(), u32::try_from(lower.len()).unwrap_or(u32::MAX));
        self.text.push_str(&lower[..span.1 as usize]);
        if i < self.spans.len() {
            self.garbage += self.spans[i].1 as usize;
            self.spans[i] = span;
        } else {
            self.spans.push(span);
        }
        if self.garbage > (1 << 20) && self.garbage > self.text.len() / 2 {
            self.compact();
        }
    }

    pub fn get(&self, i: usize) -> &str {
        let (start, len) = self.spans[i];
        &self.text[start..start + len as usize]
    }

    /// Whether row `i` holds every word.
    pub fn matches(&self, i: usize, words: &[String]) -> bool {
        let text = self.get(i);
        words.iter().all(|w| text.contains(w.as_str()))
    }

    fn compact(&mut self) {
        let mut text = String::with_capacity(self.text.len() - self.garbage);
        for span in &mut self.spans {
            let (start, len) = *span;
            *span = (text.len(), len);
            text.push_str(&self.text[start..start + len as usize]);
        }
        self.text = text;
        self.garbage = 0;
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
        assert!(!index.matches(0, &["open".into()]));
        assert!(index.matches(0, &["closed".into(), "bucket".into()]));
        let big = "x".repeat(1 << 20);
        for _ in 0..4 {
            index.set(1, &big);
        }
        assert!(index.text.len() < 3 * (1 << 20), "old text reclaimed: {}", index.text.len());
        assert_eq!(index.get(0), "closed bucket");
        assert_eq!(index.get(1), big);
    }
}
