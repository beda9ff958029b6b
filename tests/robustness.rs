//! No input makes flyx panic: random bytes, and random single-character edits
//! of every example, all come back as a model or as diagnostics, and every
//! model is emitted and drawn (the same run as the fuzz target, `fuzz/`).

use flyx::diagnostic::render::{Style, to_json, to_text};
use flyx::source::Sources;
use proptest::prelude::*;

/// Checks `text` and renders whatever comes back, which is where a bad span
/// would panic.
fn check_and_render(text: &str) {
    let (sources, file) = Sources::single("fuzz.flyx", text);
    let checked = flyx::check(&sources, file);
    let _ = to_text(&checked.diagnostics, &checked.sources, Style::plain());
    let _ = to_json(&checked.diagnostics, &checked.sources);
    assert_eq!(
        checked.topology.is_some(),
        !checked.diagnostics.has_errors()
    );
}

fn examples() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut texts: Vec<String> = std::fs::read_dir(dir)
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "flyx"))
        .map(|p| std::fs::read_to_string(p).expect("utf-8 example"))
        .collect();
    texts.sort();
    texts
}

/// Characters that matter to the grammar, plus some that do not.
fn interesting_char() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::sample::select(vec![
            '{', '}', '[', ']', '"', '=', ',', '.', '$', '\\', '#', '\n', ' ', '-', '_', '0', '9',
            'a', 'z', 'A', 'Z', 'é', '\u{0}', '\u{1b}',
        ]),
        any::<char>(),
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    Delete,
    Insert(char),
    Replace(char),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        Just(Edit::Delete),
        interesting_char().prop_map(Edit::Insert),
        interesting_char().prop_map(Edit::Replace),
    ]
}

fn apply(text: &str, at: usize, edit: &Edit) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = at % (chars.len() + 1);
    let mut out: Vec<char> = chars[..at].to_vec();
    match edit {
        Edit::Delete => out.extend(chars.iter().skip(at + 1)),
        Edit::Insert(c) => {
            out.push(*c);
            out.extend(&chars[at..]);
        }
        Edit::Replace(c) => {
            out.push(*c);
            out.extend(chars.iter().skip(at + 1));
        }
    }
    out.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_and_render(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_grammar_soup_never_panics(chars in prop::collection::vec(interesting_char(), 0..300)) {
        check_and_render(&chars.into_iter().collect::<String>());
    }

    #[test]
    fn random_bytes_never_panic_anywhere(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        flyx::exercise::everything(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn single_edits_of_examples_never_panic(which in 0usize..64, at in 0usize..100_000, edit in edit()) {
        let examples = examples();
        let text = &examples[which % examples.len()];
        check_and_render(&apply(text, at, &edit));
    }
}

proptest! {
    // Slower: most edits still check, and are then emitted and drawn.
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    #[test]
    fn single_edits_of_examples_emit_and_draw_without_panicking(which in 0usize..64, at in 0usize..100_000, edit in edit()) {
        let examples = examples();
        let text = &examples[which % examples.len()];
        flyx::exercise::everything(&apply(text, at, &edit));
    }
}
