//! Hostile input: a huge file, very deep nesting, a very long line, invalid
//! UTF-8, a file that is a folder, an output folder that cannot be written.
//! Each gets a clear diagnostic with its code, a non-zero exit, and leaves no
//! output behind.

use std::path::Path;

use super::{Run, flyx, temp_with};

const STACK: &str = "project shop {\n  region = ams\n}\n\nservice api {\n  image = \"shop/api:1\"\n  http { port = 8080  public = true }\n}\n\nservice web {\n  image = \"shop/web:1\"\n  http { port = 3000  public = true }\n}\n";

/// Every path under `dir`, sorted, relative, folders with a trailing `/`.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("readable").flatten() {
            let path = entry.path();
            let relative = path
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                out.push(format!("{relative}/"));
                stack.push(path);
            } else {
                out.push(relative);
            }
        }
    }
    out.sort();
    out
}

/// `flyx build` on `dir`, which must fail with `code`, leave the folder as it
/// was, and say what went wrong in a bounded amount of text.
fn build_fails(dir: &Path, args: &[&str], code: &str, exit: i32) -> Run {
    let before = tree(dir);
    let run = flyx(dir, args);
    assert_eq!(run.code, exit, "{}", run.stderr);
    assert!(
        run.stderr.contains(code),
        "expected {code}:\n{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stderr.len() < 4_000,
        "a short report, not {} bytes",
        run.stderr.len()
    );
    assert_eq!(tree(dir), before, "the build left something behind");
    run
}

#[test]
fn a_huge_file_is_refused_before_it_is_read() {
    let dir = temp_with(&[]);
    let file = std::fs::File::create(dir.path().join("huge.flyx")).expect("create");
    // Sparse: 65 MB on paper, nothing on disk.
    file.set_len(65 * 1024 * 1024).expect("grow");
    let run = build_fails(dir.path(), &["build", "huge.flyx"], "E0403", 1);
    assert!(run.stderr.contains("64 MB"), "{}", run.stderr);
}

#[test]
fn very_deep_nesting_is_a_diagnostic_not_a_stack_overflow() {
    let deep = format!(
        "{PROJECT}service api {{\n  env {{ A = {} }}\n}}\n",
        "[".repeat(200_000)
    );
    let dir = temp_with(&[("deep.flyx", &deep)]);
    build_fails(dir.path(), &["build", "deep.flyx"], "E0106", 1);
}

const PROJECT: &str = "project shop {\n  region = ams\n}\n";

#[test]
fn an_error_on_a_very_long_line_is_reported_without_drawing_the_line() {
    let long = format!(
        "{PROJECT}service api {{ image = \"shop/api:1\" env {{ X = \"{}\" }} imgae = \"x\" }}\n",
        "a".repeat(2_000_000)
    );
    let dir = temp_with(&[("long.flyx", &long)]);
    let run = build_fails(dir.path(), &["build", "long.flyx"], "E0202", 1);
    assert!(run.stderr.contains("long.flyx:4:"), "{}", run.stderr);
    assert!(run.stderr.contains("too long to show"), "{}", run.stderr);
}

#[test]
fn a_very_long_line_beside_an_error_is_not_drawn_either() {
    let long = format!(
        "{PROJECT}service api {{\n  image = \"shop/api:1\"\n  env {{ X = \"{}\" }}\n  imgae = \"x\"\n}}\n",
        "a".repeat(2_000_000)
    );
    let dir = temp_with(&[("long.flyx", &long)]);
    let run = build_fails(dir.path(), &["build", "long.flyx"], "E0202", 1);
    assert!(run.stderr.contains("long.flyx:7:3"), "{}", run.stderr);
}

#[test]
fn a_valid_very_long_line_builds() {
    let long = format!(
        "{PROJECT}service api {{ image = \"shop/api:1\"  http {{ port = 8080  public = true }}  env {{ X = \"{}\" }} }}\n",
        "a".repeat(1_000_000)
    );
    let dir = temp_with(&[("long.flyx", &long)]);
    let run = flyx(dir.path(), &["build", "long.flyx"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let fly_toml = std::fs::read_to_string(dir.path().join("fly/api/fly.toml")).expect("written");
    assert!(fly_toml.contains(&"a".repeat(1_000_000)));
}

#[test]
fn invalid_utf8_is_refused() {
    let dir = temp_with(&[]);
    let mut bytes = STACK.as_bytes().to_vec();
    bytes.extend_from_slice(b"# \xff\xfe not text\n");
    std::fs::write(dir.path().join("bad.flyx"), bytes).expect("write");
    let run = build_fails(dir.path(), &["build", "bad.flyx"], "E0403", 1);
    assert!(
        run.stderr.contains("byte 0xff at line 14, column 3"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_folder_named_like_a_file_is_refused() {
    let dir = temp_with(&[]);
    std::fs::create_dir(dir.path().join("stack.flyx")).expect("mkdir");
    build_fails(dir.path(), &["build", "stack.flyx"], "E0401", 2);
}

#[test]
fn an_output_folder_that_cannot_be_created_leaves_nothing() {
    let dir = temp_with(&[("stack.flyx", STACK)]);
    // Nobody, root included, can make a folder in /proc.
    let run = build_fails(
        dir.path(),
        &["build", "stack.flyx", "-o", "/proc/flyx-cannot-write-here"],
        "E0405",
        2,
    );
    assert!(
        run.stderr.contains("/proc/flyx-cannot-write-here"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_output_that_fails_half_way_leaves_nothing_it_made() {
    // `web` can be written, `api` cannot: a file holds its folder's name.
    // Neither web's folder nor any temporary file may stay behind.
    let dir = temp_with(&[("stack.flyx", STACK), ("fly/api", "not a folder\n")]);
    let run = build_fails(dir.path(), &["build", "stack.flyx"], "E0405", 2);
    assert!(run.stderr.contains("`api`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("a file is in the way"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_output_path_that_is_a_file_is_refused() {
    let dir = temp_with(&[("stack.flyx", STACK), ("out", "a file\n")]);
    let run = build_fails(
        dir.path(),
        &["build", "stack.flyx", "-o", "out"],
        "E0405",
        2,
    );
    assert!(
        run.stderr.contains("a file, not a folder"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_reader_that_closes_the_pipe_early_causes_no_panic() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    // Many diagnostics, so the JSON is far larger than a pipe's buffer.
    let mut text = String::from("project p {\n  region = ams\n}\n");
    for i in 0..2000 {
        text.push_str(&format!("service s{i} {{ image = \"x\"  region = amz }}\n"));
    }
    let dir = temp_with(&[("stack.flyx", &text)]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_flyx"))
        .args(["check", "--format", "json", "stack.flyx"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("flyx runs");
    let mut first = [0u8; 16];
    let mut stdout = child.stdout.take().expect("stdout");
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let output = child.wait_with_output().expect("flyx ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        output.status.code(),
        Some(1),
        "the input's errors decide the exit"
    );
}
