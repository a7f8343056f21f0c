//! Which files `--findings` reads: the file given, or the JSON files of a directory tree.
//!
//! A tree can hold links back to itself (`ln -s . again`): every directory is entered once, known by its device and
//! inode, so the walk ends whatever the links. Only regular files are read: a FIFO would block the reader forever and
//! a device such as `/dev/zero` never ends, so anything else with a JSON name is named as a problem and skipped.

use super::file::FileProblem;
use std::collections::HashSet;
use std::fs::Metadata;
use std::path::{Path, PathBuf};

/// The files to read, in order, and what could not be walked.
#[derive(Debug, Default)]
pub struct Walk {
    pub files: Vec<PathBuf>,
    pub problems: Vec<FileProblem>,
}

/// A file or directory, known whatever name or link it is reached through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Identity {
    device: u64,
    inode: u64,
}

#[cfg(unix)]
fn identity(meta: &Metadata) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    Some(Identity { device: meta.dev(), inode: meta.ino() })
}

#[cfg(not(unix))]
fn identity(_: &Metadata) -> Option<Identity> {
    None
}

/// Files a directory walk reads: JSON, JSON Lines and JSON kept under another suffix (`x.json.invalid`).
fn is_candidate(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !name.starts_with('.')
        && (name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".ndjson") || name.contains(".json."))
}

/// What a path is that is neither a directory nor a regular file, in words.
pub fn kind_of_special(meta: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
    }
    let _ = meta;
    "not a regular file"
}

/// Why a special file is skipped.
pub fn special_file_reason(meta: &Metadata) -> String {
    format!("{}, not a regular file: not read (it could block or never end)", kind_of_special(meta))
}

/// Walks `root`: the file itself, or the JSON files of the tree under it (links followed, each directory once),
/// in name order.
pub fn walk(root: &Path) -> Walk {
    let mut walk = Walk::default();
    let meta = match std::fs::metadata(root) {
        Ok(meta) => meta,
        Err(e) => {
            walk.problem(root, format!("cannot read: {e}"));
            return walk;
        }
    };
    if meta.is_file() {
        walk.files.push(root.to_path_buf());
        return walk;
    }
    if !meta.is_dir() {
        walk.problem(root, special_file_reason(&meta));
        return walk;
    }
    let mut entered: HashSet<Identity> = identity(&meta).into_iter().collect();
    let mut files_seen: HashSet<Identity> = HashSet::new();
    // Directories still to list, the next one last; a directory's entries are taken in name order, a
    // subdirectory's before the entries that follow it.
    let mut pending: Vec<Vec<PathBuf>> = vec![walk.list(root)];
    while let Some(level) = pending.last_mut() {
        let Some(path) = level.pop() else {
            pending.pop();
            continue;
        };
        let meta = match std::fs::metadata(&path) {
            Ok(meta) => meta,
            Err(e) => {
                // A dangling link, or an entry gone since the listing: named only when it would have been read.
                if is_candidate(&path) {
                    walk.problem(&path, format!("cannot read: {e}"));
                }
                continue;
            }
        };
        if meta.is_dir() {
            match identity(&meta) {
                Some(id) if !entered.insert(id) => {
                    tracing::debug!(path = %path.display(), "directory already walked (a link back into the tree)");
                }
                _ => pending.push(walk.list(&path)),
            }
        } else if !is_candidate(&path) {
            continue;
        } else if !meta.is_file() {
            walk.problem(&path, special_file_reason(&meta));
        } else if identity(&meta).is_some_and(|id| !files_seen.insert(id)) {
            tracing::debug!(path = %path.display(), "file already read under another name");
        } else {
            walk.files.push(path);
        }
    }
    walk
}

impl Walk {
    fn problem(&mut self, path: &Path, reason: String) {
        self.problems.push(FileProblem { file: path.to_path_buf(), location: None, reason });
    }

    /// The entries of a directory, the first in name order last (they are popped).
    fn list(&mut self, dir: &Path) -> Vec<PathBuf> {
        match std::fs::read_dir(dir) {
            Ok(entries) => {
                let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
                paths.sort_by(|a, b| b.cmp(a));
                paths
            }
            Err(e) => {
                self.problem(dir, format!("cannot list directory: {e}"));
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
#[path = "file_walk_tests.rs"]
mod tests;
