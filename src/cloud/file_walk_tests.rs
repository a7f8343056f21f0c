use super::*;
use std::os::unix::fs::symlink;

fn names(walk: &Walk, root: &Path) -> Vec<String> {
    walk.files.iter().map(|f| f.strip_prefix(root).expect("under root").display().to_string()).collect()
}

#[test]
fn links_back_into_the_tree_are_followed_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir(root.join("sub")).expect("mkdir");
    std::fs::write(root.join("a.json"), "[]").expect("write");
    std::fs::write(root.join("sub/b.json"), "[]").expect("write");
    std::fs::write(root.join("notes.txt"), "x").expect("write");
    symlink(".", root.join("loop1")).expect("symlink");
    symlink(".", root.join("loop2")).expect("symlink");
    symlink("..", root.join("sub/up")).expect("symlink");
    symlink("a.json", root.join("z-link.json")).expect("symlink");
    let walk = walk(root);
    assert_eq!(names(&walk, root), ["a.json", "sub/b.json"], "each directory and file once, in name order");
    assert!(walk.problems.is_empty(), "{:?}", walk.problems);
}

#[test]
fn special_files_are_named_and_not_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let fifo = root.join("pipe.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    symlink("/dev/zero", root.join("zero.json")).expect("symlink");
    symlink("missing.json", root.join("dangling.json")).expect("symlink");
    symlink("/dev/null", root.join("ignored-not-json")).expect("symlink");
    let walk = walk(root);
    assert!(walk.files.is_empty(), "{:?}", walk.files);
    let problems: Vec<String> = walk.problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].contains("dangling.json: cannot read"), "{problems:?}");
    assert!(problems[1].contains("pipe.json: a named pipe (FIFO), not a regular file: not read"), "{problems:?}");
    assert!(problems[2].contains("zero.json: a character device, not a regular file"), "{problems:?}");
    let direct = super::walk(Path::new("/dev/zero"));
    assert!(direct.files.is_empty());
    assert!(direct.problems[0].to_string().contains("/dev/zero: a character device"), "{:?}", direct.problems);
}
