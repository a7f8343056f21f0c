//! Files only their owner may read: the audit log and the log file hold operator identities, account ids and the
//! before-state of resources. They are created 0600, in directories created 0700; an existing file that others may
//! read is narrowed to 0600. Directories hubtriage did not create (such as the parent of `HUBTRIAGE_LOG=/tmp/x`)
//! are left as they are. Elsewhere than Unix the platform's defaults apply.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Mode of the files: read and write for the owner only.
pub const FILE_MODE: u32 = 0o600;
/// Mode of the directories hubtriage creates: the owner only.
pub const DIR_MODE: u32 = 0o700;

/// An opened private file, and the mode it had when others could read it (it was narrowed to [`FILE_MODE`]).
#[derive(Debug)]
pub struct PrivateFile {
    pub file: File,
    /// `Some(old mode)` when the file existed with a wider mode and was narrowed.
    pub narrowed_from: Option<u32>,
    /// Why an existing file with a wider mode could not be narrowed (not its owner), if so.
    pub narrow_failed: Option<String>,
}

/// Creates `dir` and its missing parents, each new one with [`DIR_MODE`]; existing ones are left alone.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir)
}

/// Opens `path` for appending (and reading), creating it with [`FILE_MODE`] and its directory with [`DIR_MODE`];
/// an existing file others may read or write is narrowed to [`FILE_MODE`].
pub fn open_append(path: &Path) -> io::Result<PrivateFile> {
    if let Some(dir) = path.parent() {
        create_dir_all(dir)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true).read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    let file = options.open(path)?;
    let (narrowed_from, narrow_failed) = narrow(&file);
    Ok(PrivateFile { file, narrowed_from, narrow_failed })
}

/// Narrows an open file to [`FILE_MODE`] when group or others have any permission on it.
#[cfg(unix)]
fn narrow(file: &File) -> (Option<u32>, Option<String>) {
    use std::os::unix::fs::PermissionsExt;
    let metadata = match file.metadata() {
        Ok(m) => m,
        Err(e) => return (None, Some(format!("cannot read its mode: {e}"))),
    };
    let mode = metadata.permissions().mode() & 0o7777;
    // Devices and pipes (`/dev/null`, a named pipe) are not ours to change.
    if !metadata.is_file() || mode & 0o077 == 0 {
        return (None, None);
    }
    match file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE)) {
        Ok(()) => (Some(mode), None),
        Err(e) => (None, Some(format!("it is mode {mode:o} and could not be narrowed to {FILE_MODE:o}: {e}"))),
    }
}

#[cfg(not(unix))]
fn narrow(_file: &File) -> (Option<u32>, Option<String>) {
    (None, None)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn new_files_are_0600_in_new_directories_0700() {
        let root = tempfile::tempdir().expect("tempdir");
        let path = root.path().join("a/b/audit.jsonl");
        let opened = open_append(&path).expect("open");
        assert_eq!(opened.narrowed_from, None);
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&root.path().join("a/b")), 0o700);
        assert_eq!(mode(&root.path().join("a")), 0o700);
    }

    #[test]
    fn a_wider_existing_file_is_narrowed_and_an_existing_directory_is_left_alone() {
        let root = tempfile::tempdir().expect("tempdir");
        std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod dir");
        let path = root.path().join("hubtriage.log");
        std::fs::write(&path, b"old\n").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let opened = open_append(&path).expect("open");
        assert_eq!(opened.narrowed_from, Some(0o644));
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(root.path()), 0o755, "a directory hubtriage did not create keeps its mode");
        assert_eq!(std::fs::read(&path).expect("read"), b"old\n", "the content is kept");
    }
}
