//! End-to-end tests of the `flyx` binary: exit code, stdout and stderr.

mod build;
mod check;
mod ci;
mod cost;
mod fmt;
mod graph;
mod hostile;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The result of one run, printed the way snapshots show it.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// `success / exit_code / ----- stdout ----- / ----- stderr -----`.
    pub fn overview(&self) -> String {
        format!(
            "success: {}\nexit_code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            self.code == 0,
            self.code,
            self.stdout,
            self.stderr
        )
    }
}

/// Runs `flyx ARGS` in `dir` with a cleared environment and no colour.
pub fn flyx(dir: &Path, args: &[&str]) -> Run {
    flyx_with_env(dir, args, &[("NO_COLOR", "1")])
}

/// Runs `flyx ARGS` in `dir` with a cleared environment plus `env`.
pub fn flyx_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_flyx"))
        .env_clear()
        .envs(env.iter().copied())
        .current_dir(dir)
        .args(args)
        .output()
        .expect("flyx runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh temporary folder holding `files`.
pub fn temp_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    dir
}
