//! Cutting a large list of findings into runs of items by its layout, as the AWS CLI prints it (`indent=4`): each
//! item on lines of its own, its closing `}` alone at its indentation and followed by the `,` before the next one.
//!
//! A raw line break is never inside a JSON string, so such a `}` is structure, not text; only its depth is a guess
//! (a finding could indent a nested object as its items are). The reading thread looks back from the end of each
//! block for the last such `}`, and the worker reading the run checks that it holds exactly whole items. That check
//! is exact: read from an item's start, a run either reads as whole items up to its end or does not, and one that
//! does not is read again item by item (see `file_outbox`). Every byte is still read once, by the worker's scanner
//! (which checks it is JSON), instead of twice.

use super::file_outbox::Outbox;
use super::file_read::{Blocks, Limits};
use super::file_stream::Work;
use crate::model::asff_items::FindingList;

/// How the items of a list are laid out: the indentation of their opening and closing braces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Layout {
    indent: usize,
}

/// How cutting in runs ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Runs {
    /// The runs end before the item at (or after whitespace from) `at`: the rest is cut item by item.
    Ended { at: u64 },
    /// The reading stopped or is to be rewound.
    Stopped,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// The layout of a list from the text just after its `[`, when its first item is an object on a line of its own,
/// indented by spaces; and the offset of that item in `text`.
pub(super) fn layout_of(text: &[u8]) -> Option<(Layout, usize)> {
    let first = text.iter().position(|&b| !is_space(b))?;
    let line_start = text[..first].iter().rposition(|&b| b == b'\n')? + 1;
    let indent = first - line_start;
    let spaces_only = text[line_start..first].iter().all(|&b| b == b' ');
    (text[first] == b'{' && indent > 0 && spaces_only).then_some((Layout { indent }, first))
}

impl Layout {
    /// The index in `text` of the last `}` that, by the layout, ends an item another follows: on a line of its own
    /// at the items' indentation, followed by `,`. Only `}` at `from` or after are looked at.
    fn last_item_end(&self, text: &[u8], from: usize) -> Option<usize> {
        let mut before = text.len();
        while let Some(at) = text.get(from..before)?.iter().rposition(|&b| b == b'}').map(|i| from + i) {
            let line_start = at.checked_sub(self.indent)?;
            let ends_item = text.get(at + 1) == Some(&b',')
                && line_start.checked_sub(1).is_some_and(|newline| text[newline] == b'\n')
                && text[line_start..at].iter().all(|&b| b == b' ');
            if ends_item {
                return Some(at);
            }
            before = at;
        }
        None
    }
}

/// Cuts the list whose first item starts at `first` into runs, each up to the last item end of a block by the
/// layout, and sends them to the workers. Stops at an item the layout does not end within the limit of an item's
/// size, or at the last item (no `,` follows it): the rest is for the item-by-item cut.
pub(super) fn read_runs(
    blocks: &mut Blocks,
    list: &FindingList,
    first: u64,
    layout: Layout,
    limits: &Limits,
    outbox: &mut Outbox,
) -> std::io::Result<Runs> {
    let mut start = first;
    // Item ends are looked for from here on: the bytes before were looked at already.
    let mut searched = first;
    loop {
        // The whitespace before the next item, as far as it is in memory.
        start += blocks.from(start).iter().take_while(|&&b| is_space(b)).count() as u64;
        searched = searched.max(start);
        let text = blocks.from(start);
        let from = usize::try_from(searched - start).unwrap_or(usize::MAX);
        match layout.last_item_end(text, from) {
            Some(end) => {
                let range = start..start + end as u64 + 1;
                let work = Work::Run {
                    list: list.clone(),
                    block: blocks.block.clone(),
                    base: blocks.base,
                    range,
                    max_item: limits.item,
                    keep_json: limits.keep_json,
                };
                if !outbox.work(work) {
                    return Ok(Runs::Stopped);
                }
                // Past the `,`.
                start += end as u64 + 2;
                searched = start;
            }
            None if !outbox.go_on() => return Ok(Runs::Stopped),
            None if blocks.at_end || blocks.end() - start > limits.item => return Ok(Runs::Ended { at: start }),
            None => {
                // An item end may lie across the end of the block: it is looked for again with the bytes that follow.
                searched = blocks.end().saturating_sub(layout.indent as u64 + 2).max(start);
                blocks.keep_from(start, limits.block, outbox);
                blocks.fill(limits.block)?;
            }
        }
    }
}

#[cfg(test)]
#[path = "file_runs_tests.rs"]
mod tests;
