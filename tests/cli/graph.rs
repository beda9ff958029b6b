//! `flyx graph`.

use super::{flyx, root, temp_with};

#[test]
fn draws_boxes_on_stdout_by_default() {
    let run = flyx(&root(), &["graph", "examples/medio.flyx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("┌──────────────┐"), "{}", run.stdout);
    assert!(run.stdout.contains("│ backend      │"), "{}", run.stdout);
}

#[test]
fn the_charset_and_format_flags_choose_the_drawing() {
    let plain = flyx(
        &root(),
        &["graph", "examples/medio.flyx", "--charset", "ascii"],
    );
    assert!(
        plain.stdout.is_ascii() && plain.stdout.contains("| backend      |"),
        "{}",
        plain.stdout
    );
    let mermaid = flyx(
        &root(),
        &["graph", "examples/medio.flyx", "--format", "mermaid"],
    );
    assert!(mermaid.stdout.starts_with("flowchart TD\n"));
    let dot = flyx(
        &root(),
        &["graph", "examples/medio.flyx", "--format", "dot"],
    );
    assert!(dot.stdout.contains("digraph \"medio\" {"));
}

#[test]
fn the_output_file_extension_chooses_the_format() {
    let dir = temp_with(&[]);
    let stack = root().join("examples/ampel.flyx");
    let stack = stack.to_str().expect("utf-8");
    for (name, start) in [
        ("a.svg", "<svg "),
        ("a.dot", "// Generated"),
        ("a.mmd", "flowchart TD"),
    ] {
        let run = flyx(dir.path(), &["graph", stack, "-o", name]);
        assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
        let written = std::fs::read_to_string(dir.path().join(name)).expect("written");
        assert!(written.starts_with(start), "{name}: {written}");
    }
}

#[test]
fn an_invalid_stack_is_reported_and_not_drawn() {
    let dir = temp_with(&[("shop.flyx", "project shop {\n  region = amz\n}\n")]);
    let run = flyx(dir.path(), &["graph"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("E0211"), "{}", run.stderr);
}
