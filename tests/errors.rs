//! One failing fixture per diagnostic code, run through the real binary.
//!
//! Each fixture in `tests/errors/` is named `<CODE>_<what>`: a `.flyx` file
//! (checked as a file), or a folder, copied to a temporary folder and used as
//! the current folder. A folder may hold an `args` file with the command to run
//! (`build stack.flyx`); the default is `check`. A first line
//! `# expect: CODE at LINE:COL` gives the position the first diagnostic must
//! point at. The test checks the exit code, the JSON output's code and
//! position, and snapshots the text a person sees.

use std::path::{Path, PathBuf};
use std::process::Command;

use flyx::diagnostic::Code;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/errors exists")
        .map(|e| e.expect("readable entry").path())
        .collect();
    paths.sort();
    paths
}

fn fixture_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

fn code_of(path: &Path) -> String {
    fixture_name(path)[..5].to_string()
}

/// The exit code a fixture's code implies.
fn expected_exit(code: &str) -> i32 {
    match code {
        c if c.starts_with('W') => 0,
        "E0401" | "E0402" | "E0405" | "E0408" => 2,
        _ => 1,
    }
}

/// `(line, column)` from the fixture's `# expect:` line, if it has one.
fn expected_position(path: &Path) -> Option<(u64, u64)> {
    if path.is_dir() {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let first = String::from_utf8_lossy(&bytes).lines().next()?.to_string();
    let at = first.split(" at ").nth(1)?;
    let (line, column) = at.trim().split_once(':')?;
    Some((line.parse().ok()?, column.parse().ok()?))
}

fn run(path: &Path, args: &[&str]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_flyx"));
    command.env_clear().env("NO_COLOR", "1");
    if path.is_dir() && path.extension().is_none_or(|e| e != "flyx") {
        let copy = tempfile::tempdir().expect("tempdir");
        copy_dir(path, copy.path());
        let subcommand =
            std::fs::read_to_string(path.join("args")).unwrap_or_else(|_| "check".into());
        command
            .current_dir(copy.path())
            .args(subcommand.split_whitespace())
            .args(args);
        return command.output().expect("flyx runs");
    }
    command
        .arg("check")
        .args(args)
        .current_dir(path.parent().unwrap())
        .arg(path.file_name().unwrap());
    command.output().expect("flyx runs")
}

/// Copies a fixture folder, leaving out its `args` file.
fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("fixture folder") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&path, &target);
        } else if path.file_name().is_some_and(|n| n != "args") {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

#[test]
fn every_fixture_reports_its_code_at_its_position() {
    let mut failures = Vec::new();
    for path in fixtures() {
        let name = fixture_name(&path);
        let code = code_of(&path);
        let output = run(&path, &["--format", "json"]);
        let exit = output.status.code().unwrap_or(-1);
        if exit != expected_exit(&code) {
            failures.push(format!(
                "{name}: exit {exit}, expected {}",
                expected_exit(&code)
            ));
        }
        let json: serde_json::Value = match serde_json::from_slice(&output.stdout) {
            Ok(json) => json,
            Err(e) => {
                failures.push(format!("{name}: stdout is not JSON ({e})"));
                continue;
            }
        };
        let first = &json[0];
        if first["code"] != code.as_str() {
            failures.push(format!(
                "{name}: first code is {}, expected {code}",
                first["code"]
            ));
            continue;
        }
        if let Some((line, column)) = expected_position(&path)
            && (first["line"] != line || first["column"] != column)
        {
            failures.push(format!(
                "{name}: reported at {}:{}, expected {line}:{column}",
                first["line"], first["column"]
            ));
        }
        if first["help"].is_null() {
            failures.push(format!("{name}: no help line"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_fixture_renders_for_people() {
    for path in fixtures() {
        let output = run(&path, &["--color", "never"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        insta::with_settings!({
            snapshot_path => "snapshots/errors",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(fixture_name(&path), stderr);
        });
    }
}

/// The codes of the fixtures in `tests/import/` (`<CODE>_<what>.toml`).
fn import_fixture_codes() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import");
    std::fs::read_dir(dir)
        .expect("tests/import exists")
        .map(|e| fixture_name(&e.expect("readable entry").path()))
        .filter(|name| name.ends_with(".toml") && name.len() > 5)
        .map(|name| name[..5].to_string())
        .collect()
}

/// Codes no input can trigger: flyx's own bugs, tested by unit tests instead.
const UNTRIGGERABLE: &[&str] = &["E0409"];

/// Every code has a fixture and a section in docs/diagnostics.md, and every
/// fixture and section names a code that exists.
#[test]
fn codes_fixtures_and_docs_agree() {
    let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let mut fixture_codes: Vec<String> = fixtures().iter().map(|p| code_of(p)).collect();
    // `flyx import`'s codes (E05xx, W05xx) point into fly.toml files: their
    // fixtures are TOML files in tests/import/, run by tests/import.rs.
    fixture_codes.extend(import_fixture_codes());
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md"))
            .expect("docs/diagnostics.md exists");
    let doc_codes: Vec<String> = docs
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter_map(|l| l.get(..5))
        .map(str::to_string)
        .collect();
    let mut problems = Vec::new();
    let retired: Vec<&str> = Code::RETIRED.iter().map(|c| c.as_str()).collect();
    for code in &codes {
        let has_fixture = fixture_codes.iter().any(|f| f == code);
        if retired.contains(code) {
            if has_fixture {
                problems.push(format!("{code} is no longer emitted but has a fixture"));
            }
            if !docs.contains(&format!("## {code}: no longer emitted")) {
                problems.push(format!(
                    "{code} is retired: its section must say `## {code}: no longer emitted`"
                ));
            }
        } else if !has_fixture && !UNTRIGGERABLE.contains(code) {
            problems.push(format!("{code} has no fixture in tests/errors/"));
        }
        if !doc_codes.iter().any(|d| d == code) {
            problems.push(format!(
                "{code} has no `## {code}` section in docs/diagnostics.md"
            ));
        }
    }
    for code in fixture_codes.iter().chain(doc_codes.iter()) {
        if !codes.contains(&code.as_str()) {
            problems.push(format!("{code} is not a code flyx has"));
        }
    }
    let mut sorted = doc_codes.clone();
    sorted.sort();
    if sorted != doc_codes {
        problems.push("docs/diagnostics.md lists the codes out of order".into());
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn there_are_at_least_forty_invalid_inputs() {
    let errors = fixtures()
        .iter()
        .filter(|p| code_of(p).starts_with('E'))
        .count();
    assert!(errors >= 40, "only {errors} failing fixtures");
}
