//! Every example builds, and every file it generates is snapshotted.

use std::path::{Path, PathBuf};

use flyx::emit::{EmitOptions, Outputs};
use flyx::source::Sources;

/// Every `examples/*.flyx`, sorted.
pub fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "flyx"))
        .collect();
    paths.sort();
    paths
}

/// Builds one file in memory, as `flyx build` would beside it.
pub fn build(path: &Path) -> Outputs {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).expect("utf-8");
    let (sources, file) = Sources::single(name.clone(), text);
    let checked = flyx::check(&sources, file);
    assert!(
        checked.diagnostics.is_empty(),
        "{name} has diagnostics: {:?}",
        checked.diagnostics
    );
    let topology = checked.topology.expect("a topology");
    flyx::emit::emit(&topology, &EmitOptions::beside(name)).expect("emits")
}

#[test]
fn every_example_builds_and_its_files_are_snapshotted() {
    for path in examples() {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let outputs = build(&path);
        assert!(!outputs.is_empty());
        insta::with_settings!({
            snapshot_path => "snapshots/examples",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, outputs.overview());
        });
    }
}

#[test]
fn builds_are_byte_identical() {
    for path in examples() {
        assert_eq!(build(&path), build(&path), "{}", path.display());
    }
}
