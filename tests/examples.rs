//! Every example builds, and every file it generates is snapshotted.

use std::path::{Path, PathBuf};

use flyx::emit::{EmitOptions, Outputs};
use flyx::source::Sources;
use flyx::{CheckOptions, expand::NoFiles};

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

/// The environments an example declares.
fn environments(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("utf-8");
    let (sources, file) = Sources::single("stack.flyx", text);
    flyx::check(&sources, file).environments
}

/// Builds one file in memory, as `flyx build [--env ENV]` would beside it.
pub fn build(path: &Path, environment: Option<&str>) -> Outputs {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).expect("utf-8");
    let (sources, file) = Sources::single(name.clone(), text);
    let options = CheckOptions {
        loader: &NoFiles,
        environment,
    };
    let checked = flyx::check_with(&sources, file, &options);
    assert!(
        checked.diagnostics.is_empty(),
        "{name} ({environment:?}) has diagnostics: {:?}",
        checked.diagnostics
    );
    let topology = checked.topology.expect("a topology");
    let emit_options = EmitOptions::beside_for(name, environment);
    flyx::emit::emit(&topology, &emit_options).expect("emits")
}

#[test]
fn every_example_builds_and_its_files_are_snapshotted() {
    for path in examples() {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut builds = vec![(stem.clone(), None)];
        for environment in environments(&path) {
            builds.push((format!("{stem}.{environment}"), Some(environment)));
        }
        for (name, environment) in builds {
            let outputs = build(&path, environment.as_deref());
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
}

#[test]
fn builds_are_byte_identical() {
    for path in examples() {
        assert_eq!(build(&path, None), build(&path, None), "{}", path.display());
    }
}

/// Stale files are found by the shape of their path, so every file a build
/// writes must have that shape.
#[test]
fn every_output_path_has_the_shape_stale_files_are_found_by() {
    for path in examples() {
        for (output, _) in build(&path, None).iter() {
            assert!(
                flyx::emit::is_output_path(output),
                "{output} of {}",
                path.display()
            );
        }
    }
}
