//! Shared test helpers.

use std::path::PathBuf;

/// The shared corpus of real ASFF findings, read by path: `$HUBTRIAGE_ASFF_DIR`, else `../shared/asff` next to
/// the project, else `/work/shared/asff`.
pub fn asff_corpus() -> PathBuf {
    let candidates = [
        std::env::var_os("HUBTRIAGE_ASFF_DIR").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/asff")),
        Some(PathBuf::from("/work/shared/asff")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("SOURCES.md").is_file())
        .expect("the ASFF corpus: set HUBTRIAGE_ASFF_DIR or keep ../shared/asff beside the project")
}
