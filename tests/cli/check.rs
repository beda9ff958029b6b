//! `flyx check`.

use super::{flyx, flyx_with_env, root, temp_with};

const VALID: &str = "project shop {\n  region = ams\n}\n\nservice api {\n  image = \"shop/api:1\"\n  http { port = 8080  public = true }\n}\n";

const INVALID: &str = "project shop {\n  region = amz\n}\n\nservice api {\n  image = \"shop/api:1\"\n  http { port = 80800 }\n}\n";

#[test]
fn a_valid_file_passes() {
    let run = flyx(&root(), &["check", "examples/ampel.flyx"]);
    insta::assert_snapshot!(run.overview(), @r"
    success: true
    exit_code: 0
    ----- stdout -----
    examples/ampel.flyx: 3 services and 2 data stores ok
    ----- stderr -----
    ");
}

#[test]
fn an_invalid_file_reports_every_problem_in_source_order() {
    let dir = temp_with(&[("shop.flyx", INVALID)]);
    let run = flyx(dir.path(), &["check", "shop.flyx"]);
    insta::assert_snapshot!(run.overview());
}

#[test]
fn json_gives_code_position_and_help() {
    let dir = temp_with(&[("shop.flyx", INVALID)]);
    let run = flyx(dir.path(), &["check", "--format", "json", "shop.flyx"]);
    assert_eq!(run.code, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert_eq!(json.as_array().map(Vec::len), Some(2));
    assert_eq!(json[0]["code"], "E0211");
    assert_eq!(json[0]["severity"], "error");
    assert_eq!(json[0]["file"], "shop.flyx");
    assert_eq!(
        (json[0]["line"].as_u64(), json[0]["column"].as_u64()),
        (Some(2), Some(12))
    );
    assert_eq!(
        (json[0]["end_line"].as_u64(), json[0]["end_column"].as_u64()),
        (Some(2), Some(15))
    );
    assert_eq!(json[0]["help"], "did you mean `ams`?");
    assert_eq!(json[1]["code"], "E0207");
    assert_eq!(json[1]["line"], 7);
    assert!(
        run.stderr.is_empty(),
        "JSON mode prints nothing on stderr: {}",
        run.stderr
    );
}

#[test]
fn json_of_a_valid_file_is_an_empty_list() {
    let dir = temp_with(&[("shop.flyx", VALID)]);
    let run = flyx(dir.path(), &["check", "--format", "json", "shop.flyx"]);
    assert_eq!((run.code, run.stdout.trim()), (0, "[]"));
}

#[test]
fn the_file_defaults_to_the_only_flyx_in_the_folder() {
    let dir = temp_with(&[("shop.flyx", VALID), ("notes.txt", "x")]);
    let run = flyx(dir.path(), &["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "shop.flyx: 1 service ok\n");
}

#[test]
fn no_flyx_file_is_a_usage_error() {
    let dir = temp_with(&[("notes.txt", "x")]);
    let run = flyx(dir.path(), &["check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0402"), "{}", run.stderr);
    assert!(
        run.stderr.contains("no .flyx file in the current folder"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_file_is_an_io_error() {
    let dir = temp_with(&[]);
    let run = flyx(dir.path(), &["check", "nope.flyx"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot read `nope.flyx`: no such file"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    let run = flyx(&root(), &["check", "--frobnicate"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--frobnicate"), "{}", run.stderr);
}

#[test]
fn warnings_pass_unless_denied() {
    let text = VALID.replace(
        "public = true }",
        "public = true\n    check slow { path = \"/\"  interval = 2m }\n  }",
    );
    let dir = temp_with(&[("shop.flyx", &text)]);
    let run = flyx(dir.path(), &["check", "shop.flyx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("W0201"), "{}", run.stderr);
    let denied = flyx(dir.path(), &["check", "--deny-warnings", "shop.flyx"]);
    assert_eq!(denied.code, 1);
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let dir = temp_with(&[("shop.flyx", INVALID)]);
    let piped = flyx_with_env(dir.path(), &["check", "shop.flyx"], &[]);
    assert!(
        !piped.stderr.contains('\u{1b}'),
        "no colour when stderr is not a terminal"
    );
    let forced = flyx_with_env(
        dir.path(),
        &["check", "--color", "always", "shop.flyx"],
        &[],
    );
    assert!(forced.stderr.contains('\u{1b}'), "colour when asked for");
    let no_color = flyx_with_env(
        dir.path(),
        &["check", "--color", "always", "shop.flyx"],
        &[("NO_COLOR", "1")],
    );
    assert!(!no_color.stderr.contains('\u{1b}'), "NO_COLOR wins");
}

#[test]
fn every_example_checks_clean() {
    for entry in std::fs::read_dir(root().join("examples")).expect("examples/") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "flyx") {
            continue;
        }
        let relative = path.strip_prefix(root()).expect("inside the repo");
        let run = flyx(
            &root(),
            &[
                "check",
                "--deny-warnings",
                relative.to_str().expect("utf-8"),
            ],
        );
        assert_eq!(run.code, 0, "{}:\n{}", relative.display(), run.stderr);
        assert!(
            run.stderr.is_empty(),
            "{}:\n{}",
            relative.display(),
            run.stderr
        );
    }
}
