//! compose.yaml: every example's file is accepted by docker-compose 1.29.

use std::path::{Path, PathBuf};
use std::process::Command;

use flyx::source::Sources;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn inputs() -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "flyx"))
        .collect();
    for entry in std::fs::read_dir(root().join("tests/cases")).expect("cases") {
        inputs.push(entry.expect("entry").path().join("input.flyx"));
    }
    inputs.sort();
    inputs
}

fn compose_of(input: &Path) -> Option<String> {
    let text = std::fs::read_to_string(input).expect("utf-8");
    let (sources, file) = Sources::single("stack.flyx", text);
    let topology = flyx::check(&sources, file).topology?;
    let outputs =
        flyx::emit::emit(&topology, &flyx::emit::EmitOptions::beside("stack.flyx")).ok()?;
    Some(
        outputs
            .get("compose.yaml")
            .expect("compose.yaml")
            .contents
            .clone(),
    )
}

/// Creates the build contexts and `.env` docker-compose 1.29 insists exist.
fn lay_out(project: &Path, compose: &str) {
    let output = project.join("fly");
    std::fs::create_dir_all(&output).expect("fly/");
    std::fs::write(project.join(".env"), "").expect(".env");
    for line in compose.lines() {
        if let Some(context) = line.trim().strip_prefix("context: ") {
            let context = context.trim_matches('"');
            std::fs::create_dir_all(output.join(context)).expect("context");
        }
    }
    std::fs::write(output.join("compose.yaml"), compose).expect("write");
}

#[test]
fn every_compose_file_passes_docker_compose_config() {
    let available = Command::new("docker-compose")
        .arg("version")
        .output()
        .is_ok();
    if !available {
        assert!(
            std::env::var_os("CI").is_none(),
            "docker-compose is not installed, and CI is set"
        );
        eprintln!("docker-compose is not installed; skipping (it runs in CI)");
        return;
    }
    for input in inputs() {
        let Some(compose) = compose_of(&input) else {
            continue;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        lay_out(dir.path(), &compose);
        let output = Command::new("docker-compose")
            .arg("-f")
            .arg(dir.path().join("fly/compose.yaml"))
            .args(["config", "-q"])
            .output()
            .expect("docker-compose runs");
        assert!(
            output.status.success(),
            "{}:\n{}\n{compose}",
            input.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn private_addresses_are_compose_names_and_public_urls_localhost() {
    let compose = compose_of(&root().join("examples/ampel.flyx")).expect("ampel builds");
    assert!(
        compose.contains("DATABASE_URL: \"postgres://postgres:flyx-local-dev-only@db:5432/ampel\"")
    );
    assert!(compose.contains("VITE_API_URL: \"http://localhost:8080\""));
    assert!(
        compose.contains("\"127.0.0.1:8081:8080\""),
        "the second 8080 moves to 8081"
    );
    assert!(!compose.contains(".internal") && !compose.contains(".flycast"));
    assert!(compose.contains("condition: service_completed_successfully"));
}
