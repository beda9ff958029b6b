//! `flyx fmt` (`flyx::format`): on every example, stdlib module and fixture it
//! is idempotent, keeps the tree (spans aside) and every comment, builds the
//! same files, and the repository's own `.flyx` files are already formatted.

use std::path::{Path, PathBuf};

#[path = "../benches/synth/mod.rs"]
mod synth;

use flyx::emit::{EmitOptions, Outputs};
use flyx::format::format_source;
use flyx::source::Sources;
use flyx::syntax;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `.flyx` files directly in `dir`, sorted.
fn flyx_files(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("a folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "flyx"))
        .collect();
    paths.sort();
    paths
}

/// Every case's `input.flyx`.
fn cases() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("tests/cases"))
        .expect("tests/cases")
        .map(|e| e.expect("entry").path().join("input.flyx"))
        .collect();
    paths.sort();
    paths
}

/// Every file that must be fmt-clean: examples, stdlib modules, passing
/// fixtures and cases.
fn clean_files() -> Vec<PathBuf> {
    let mut paths = flyx_files(&root().join("examples"));
    paths.extend(flyx_files(&root().join("stdlib")));
    paths.extend(flyx_files(&root().join("tests/passing")));
    paths.extend(cases());
    paths
}

/// Every error fixture that parses (its problem is past the syntax), as text.
fn parsing_error_fixtures() -> Vec<(PathBuf, String)> {
    flyx_files(&root().join("tests/errors"))
        .into_iter()
        .filter_map(|p| {
            let text = String::from_utf8(std::fs::read(&p).ok()?).ok()?;
            let (sources, file) = Sources::single("x.flyx", text.as_str());
            syntax::parse(&sources, file).ok()?;
            Some((p, text))
        })
        .collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("utf-8")
}

fn format(name: &str, text: &str) -> String {
    match format_source(name, text) {
        Ok(formatted) => formatted,
        Err(diagnostics) => panic!("{name} does not parse: {diagnostics:?}"),
    }
}

/// The tree's items with every span taken out, and its comments' texts.
fn span_free_tree(text: &str) -> (String, Vec<String>) {
    let (sources, file) = Sources::single("x.flyx", text);
    let tree = syntax::parse(&sources, file).expect("parses");
    let comments = tree.comments.iter().map(|c| c.text.clone()).collect();
    (without_spans(&format!("{:?}", tree.items)), comments)
}

/// `Span { file: .., start: .., end: .. }` replaced by `Span` in a Debug dump.
fn without_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find("Span { file:") {
        out.push_str(&rest[..at]);
        out.push_str("Span");
        let end = rest[at..].find('}').expect("a closing brace");
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Checks that formatting `text` is idempotent and keeps the tree and the comments.
fn assert_formatting_keeps_meaning(name: &str, text: &str) -> String {
    let formatted = format(name, text);
    let again = format(name, &formatted);
    assert_eq!(formatted, again, "{name}: fmt of fmt differs from fmt");
    let (before, before_comments) = span_free_tree(text);
    let (after, after_comments) = span_free_tree(&formatted);
    assert_eq!(before, after, "{name}: formatting changed the tree");
    assert_eq!(
        before_comments, after_comments,
        "{name}: formatting moved or lost comments"
    );
    formatted
}

#[test]
fn formatting_every_file_is_idempotent_and_keeps_the_tree_and_comments() {
    let mut files: Vec<(String, String)> = clean_files()
        .iter()
        .map(|p| (p.display().to_string(), read(p)))
        .collect();
    files.extend(
        parsing_error_fixtures()
            .into_iter()
            .map(|(p, text)| (p.display().to_string(), text)),
    );
    assert!(files.len() > 150, "the corpus was found ({})", files.len());
    for (name, text) in &files {
        assert_formatting_keeps_meaning(name, text);
    }
}

/// The text with its layout spoiled but its meaning kept: every line outside
/// a string indented by three more spaces, and every blank line doubled.
fn spoiled(text: &str) -> String {
    let in_string = string_spans(text);
    let mut out = String::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let inside = in_string.iter().any(|(s, e)| *s < at && at < *e);
        if !inside {
            out.push_str(if line.trim().is_empty() { "\n" } else { "   " });
        }
        out.push_str(line);
        at += line.len();
    }
    out
}

/// Byte ranges of the string literals, found from the text: a string that
/// spans lines must not be reindented.
fn string_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                spans.push((start, i + 1));
                i += 1;
            }
            _ => i += 1,
        }
    }
    spans
}

#[test]
fn a_spoiled_layout_formats_back_to_the_same_text() {
    for path in clean_files() {
        let text = read(&path);
        let name = path.display().to_string();
        let spoiled = spoiled(&text);
        assert_ne!(spoiled, text);
        assert_eq!(format(&name, &spoiled), format(&name, &text), "{name}");
    }
}

/// Every `.flyx` of the repository is formatted: what `flyx fmt --check` checks.
#[test]
fn the_repository_is_fmt_clean() {
    let unformatted: Vec<String> = clean_files()
        .iter()
        .filter(|p| {
            let text = read(p);
            format(&p.display().to_string(), &text) != text
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        unformatted.is_empty(),
        "run `flyx fmt` on: {}",
        unformatted.join(", ")
    );
}

/// What building `text` gives: every file, or the diagnostics' messages.
fn build(name: &str, text: &str, environment: Option<&str>) -> Result<Outputs, Vec<String>> {
    let (sources, file) = Sources::single(name, text);
    let options = flyx::CheckOptions {
        loader: &flyx::expand::NoFiles,
        environment,
    };
    let checked = flyx::check_with(&sources, file, &options);
    let messages = || {
        checked
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect()
    };
    let Some(topology) = &checked.topology else {
        return Err(messages());
    };
    flyx::emit::emit(
        topology,
        &EmitOptions::beside_for(name.to_string(), environment),
    )
    .map_err(|_| messages())
}

#[test]
fn formatted_examples_and_cases_build_byte_identical_files() {
    let mut paths = flyx_files(&root().join("examples"));
    paths.extend(cases());
    for path in paths {
        let name = "stack.flyx";
        let text = read(&path);
        let formatted = format(name, &spoiled(&text));
        let (sources, file) = Sources::single(name, text.as_str());
        let mut environments = vec![None];
        environments.extend(
            flyx::check(&sources, file)
                .environments
                .into_iter()
                .map(Some),
        );
        for environment in &environments {
            let before = build(name, &text, environment.as_deref());
            let after = build(name, &formatted, environment.as_deref());
            assert_eq!(before, after, "{} ({environment:?})", path.display());
        }
    }
}

/// The benchmarks' generated stacks, large ones included (parsed in two
/// halves): formatting keeps their meaning and builds the same files.
#[test]
fn formatting_generated_stacks_keeps_their_meaning_and_builds() {
    for n in [3, 200, 1000] {
        let text = synth::stack(n);
        let formatted = assert_formatting_keeps_meaning(&format!("synth {n}"), &text);
        if n <= 200 {
            assert_eq!(
                build("s.flyx", &text, None),
                build("s.flyx", &formatted, None)
            );
        }
    }
}

mod edits {
    use proptest::prelude::*;

    /// Characters that matter to the layout.
    fn layout_char() -> impl Strategy<Value = char> {
        prop::sample::select(vec![
            '\n', ' ', '#', '{', '}', '[', ']', ',', '=', '"', 'a', '1', '(', ')',
        ])
    }

    /// `text` with `c` inserted at `at` (in characters), or, for `None`, the
    /// character there deleted.
    fn edit(text: &str, at: usize, c: Option<char>) -> String {
        let chars: Vec<char> = text.chars().collect();
        let at = at % (chars.len() + 1);
        let rest = if c.is_some() {
            at
        } else {
            (at + 1).min(chars.len())
        };
        chars[..at]
            .iter()
            .copied()
            .chain(c)
            .chain(chars[rest..].iter().copied())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        /// An example with one character inserted or deleted anywhere: when it
        /// still parses, formatting it is idempotent and keeps the tree and comments.
        #[test]
        fn formatting_an_edited_example_keeps_its_meaning(
            example in 0usize..10,
            at in any::<usize>(),
            c in prop_oneof![layout_char().prop_map(Some), Just(None)],
        ) {
            let paths = super::flyx_files(&super::root().join("examples"));
            let text = super::read(&paths[example % paths.len()]);
            let edited = edit(&text, at, c);
            if flyx::format::format_source("e.flyx", &edited).is_ok() {
                super::assert_formatting_keeps_meaning("e.flyx", &edited);
            }
        }
    }
}
