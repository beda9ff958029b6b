//! Helpers the test binaries that read every example and case share.

use std::path::PathBuf;

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every example and every case's input, sorted.
pub fn inputs() -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "flyx"))
        .collect();
    for entry in std::fs::read_dir(root().join("tests/cases")).expect("tests/cases") {
        inputs.push(entry.expect("entry").path().join("input.flyx"));
    }
    inputs.sort();
    inputs
}
