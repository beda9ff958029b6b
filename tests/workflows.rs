//! Every CI workflow flyx generates passes actionlint and `zizmor --offline`.

mod common;
use common::inputs;

use std::path::{Path, PathBuf};
use std::process::Command;

use flyx::emit::EmitOptions;
use flyx::source::Sources;

/// Writes each generated workflow into a fresh folder, as `.github/workflows/NAME`.
fn workflows(dir: &Path) -> Vec<PathBuf> {
    let mut written = Vec::new();
    for input in inputs() {
        let Ok(text) = std::fs::read_to_string(&input) else {
            continue;
        };
        let (sources, file) = Sources::single("stack.flyx", text);
        let Some(topology) = flyx::check(&sources, file).topology else {
            continue;
        };
        let Ok(outputs) = flyx::emit::emit(&topology, &EmitOptions::beside("stack.flyx")) else {
            continue;
        };
        for (path, file) in outputs.project_files() {
            let name = format!(
                "{}-{}",
                written.len(),
                path.rsplit('/').next().unwrap_or(path)
            );
            let target = dir.join(".github/workflows").join(name);
            std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            std::fs::write(&target, &file.contents).expect("write");
            written.push(target);
        }
    }
    written
}

/// Whether `tool` runs; when it does not, fails under CI and skips otherwise.
fn available(tool: &str) -> bool {
    if Command::new(tool).arg("--version").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{tool} is not installed, and CI is set"
    );
    eprintln!("{tool} is not installed; skipping (it runs in CI)");
    false
}

fn passes(tool: &str, args: &[&str], workflow: &Path) {
    let output = Command::new(tool)
        .args(args)
        .arg(workflow)
        .output()
        .unwrap_or_else(|e| panic!("{tool} runs: {e}"));
    assert!(
        output.status.success(),
        "{tool} on {}:\n{}{}\n{}",
        workflow.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        std::fs::read_to_string(workflow).unwrap_or_default()
    );
}

#[test]
fn the_ampel_example_writes_a_workflow() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(!workflows(dir.path()).is_empty());
}

#[test]
fn every_workflow_passes_actionlint() {
    if !available("actionlint") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for workflow in workflows(dir.path()) {
        passes("actionlint", &["-no-color"], &workflow);
    }
}

#[test]
fn every_workflow_passes_zizmor_offline() {
    if !available("zizmor") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for workflow in workflows(dir.path()) {
        passes("zizmor", &["--offline", "--no-progress"], &workflow);
    }
}
