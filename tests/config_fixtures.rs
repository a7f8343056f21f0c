//! Every file in tests/fixtures/config/ is an invalid config; the `.expected` file next to it holds the exact error a
//! user sees on stderr (with `{path}` for the fixture's path): the key, the file and the line. Nothing else runs.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn each_invalid_config_gives_its_exact_error_and_exit_status_1() {
    let home = tempfile::tempdir().expect("home");
    let files = fixtures();
    assert!(files.len() >= 19, "fixtures: {files:?}");
    let mut mismatches = Vec::new();
    for file in &files {
        let output = Command::cargo_bin("hubtriage")
            .expect("binary")
            .env("HOME", home.path())
            .env("HUBTRIAGE_LOG", home.path().join("log"))
            .args(["--demo", "--config"])
            .arg(file)
            .arg("plan")
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr).trim_end().to_string();
        let expected_file = file.with_extension("expected");
        let expected = std::fs::read_to_string(&expected_file)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_file.display()))
            .trim_end()
            .replace("{path}", &file.display().to_string());
        if output.status.code() != Some(1) || stderr != expected || !output.stdout.is_empty() {
            mismatches.push(format!(
                "{}: exit {:?}\n  expected: {expected}\n  got:      {stderr}",
                file.display(),
                output.status.code()
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
