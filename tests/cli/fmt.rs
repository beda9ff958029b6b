//! `flyx fmt`.

use super::{flyx, root, temp_with};

const MESSY: &str = "project shop {\n    region = ams # where\n  org = \"shop\"\n}\nservice api {\n image = \"shop/api:1\"\n}\n";

const TIDY: &str = "project shop {\n  region = ams # where\n  org    = \"shop\"\n}\n\nservice api {\n  image = \"shop/api:1\"\n}\n";

fn read(dir: &tempfile::TempDir, name: &str) -> String {
    std::fs::read_to_string(dir.path().join(name)).expect("readable")
}

#[test]
fn rewrites_the_files_that_change_and_lists_them() {
    let dir = temp_with(&[("a.flyx", MESSY), ("b.flyx", TIDY)]);
    let run = flyx(dir.path(), &["fmt", "a.flyx", "b.flyx"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "a.flyx\n", "")
    );
    assert_eq!(read(&dir, "a.flyx"), TIDY);
    assert_eq!(read(&dir, "b.flyx"), TIDY);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("listable")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "no temporary file is left: {leftovers:?}"
    );
    let again = flyx(dir.path(), &["fmt", "a.flyx"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""));
}

#[test]
fn check_lists_what_would_change_writes_nothing_and_exits_1() {
    let dir = temp_with(&[
        ("a.flyx", MESSY),
        ("sub/deep/b.flyx", MESSY),
        ("sub/c.flyx", TIDY),
    ]);
    let run = flyx(dir.path(), &["fmt", "--check", "a.flyx", "sub"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (1, "a.flyx\nsub/deep/b.flyx\n")
    );
    assert_eq!(read(&dir, "a.flyx"), MESSY);
    assert_eq!(read(&dir, "sub/deep/b.flyx"), MESSY);
    let clean = flyx(dir.path(), &["fmt", "--check", "sub/c.flyx"]);
    assert_eq!((clean.code, clean.stdout.as_str()), (0, ""));
}

#[cfg(unix)]
#[test]
fn a_folder_search_skips_hidden_folders_target_and_links_to_folders() {
    let dir = temp_with(&[
        ("stacks/a.flyx", MESSY),
        ("stacks/.hidden/b.flyx", MESSY),
        ("stacks/target/c.flyx", MESSY),
    ]);
    std::os::unix::fs::symlink(dir.path().join("stacks"), dir.path().join("stacks/loop"))
        .expect("a link");
    let run = flyx(dir.path(), &["fmt", "--check", "stacks"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, "stacks/a.flyx\n"));
}

#[test]
fn without_a_file_it_takes_the_one_in_the_folder() {
    let dir = temp_with(&[("shop.flyx", MESSY)]);
    let run = flyx(dir.path(), &["fmt"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "shop.flyx\n"));
    assert_eq!(read(&dir, "shop.flyx"), TIDY);
    let empty = temp_with(&[]);
    let none = flyx(empty.path(), &["fmt"]);
    assert_eq!(none.code, 2);
    assert!(none.stderr.contains("E0402"), "{}", none.stderr);
}

#[test]
fn a_file_that_does_not_parse_is_left_untouched_with_its_diagnostics() {
    let broken = "service api {\n  image = \"x\"\n";
    let dir = temp_with(&[("bad.flyx", broken), ("good.flyx", MESSY)]);
    let run = flyx(dir.path(), &["fmt", "bad.flyx", "good.flyx"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("E0102") && run.stderr.contains("bad.flyx"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&dir, "bad.flyx"), broken);
    assert_eq!(
        read(&dir, "good.flyx"),
        TIDY,
        "the other files are formatted"
    );
}

#[test]
fn a_missing_file_is_a_usage_error() {
    let dir = temp_with(&[]);
    let run = flyx(dir.path(), &["fmt", "--check", "nowhere.flyx"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E0401"), "{}", run.stderr);
}

/// What the CI step runs: the repository's own stacks are formatted.
#[test]
fn the_repository_passes_fmt_check() {
    let run = flyx(
        &root(),
        &[
            "fmt",
            "--check",
            "examples",
            "stdlib",
            "tests/passing",
            "tests/cases",
        ],
    );
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
}
