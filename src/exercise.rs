//! Every stage at once, for the fuzzer (`fuzz/`) and its regression tests:
//! text in, every diagnostic rendered and every output generated.

use crate::diagnostic::Code;
use crate::diagnostic::render::{Style, to_json, to_text};
use crate::emit::graph::{Charset, Format};
use crate::emit::{EmitOptions, Outputs, graph};
use crate::expand::NoFiles;
use crate::source::Sources;

/// What one run produced, for a test to look at.
#[derive(Debug, Default)]
pub struct Exercised {
    /// Diagnostics found, errors and warnings.
    pub diagnostics: usize,
    /// Files `flyx build` would write, when the stack checks.
    pub files: usize,
}

/// Checks `text` with every environment, renders the diagnostics for people
/// and as JSON, and when the stack is valid emits every file and every
/// drawing. Any panic on the way is a bug in flyx.
pub fn everything(text: &str) -> Exercised {
    let (sources, file) = Sources::single("fuzz.flyx", text);
    let checked = crate::check_every_environment(&sources, file, &NoFiles);
    let _ = to_text(&checked.diagnostics, &checked.sources, Style::plain());
    let _ = to_json(&checked.diagnostics, &checked.sources);
    let mut exercised = Exercised {
        diagnostics: checked.diagnostics.len(),
        files: 0,
    };
    let Some(topology) = checked.topology else {
        return exercised;
    };
    let options = EmitOptions::beside("fuzz.flyx");
    match crate::emit::emit(&topology, &options) {
        Ok(outputs) => {
            exercised.files = outputs.len();
            assert_flyctl_reads(&outputs);
        }
        Err(problems) => {
            let text = to_text(&problems, &checked.sources, Style::plain());
            assert_emit_may_refuse(&problems, &text);
        }
    }
    let header = options.header();
    for format in [
        Format::Ascii(Charset::Unicode),
        Format::Ascii(Charset::Ascii),
        Format::Mermaid,
        Format::Dot,
        Format::Svg,
    ] {
        let _ = graph::render(&topology, format, &header);
    }
    exercised
}

/// A stack that checks must build: with the built-in templates emit refuses
/// nothing, so any refusal of a checked stack is a rule in the wrong place,
/// which is a bug. (A project's own Dockerfile templates can still fail to
/// render, E0406; this assertion runs without them.)
pub fn assert_emit_may_refuse(problems: &crate::diagnostic::Diagnostics, rendered: &str) {
    let misplaced: Vec<Code> = problems.iter().map(|d| d.code).collect();
    assert!(
        misplaced.is_empty(),
        "flyx check passed but flyx build refused it ({misplaced:?}):\n{rendered}"
    );
}

/// Every generated fly.toml parses as TOML and passes the flyctl rules.
pub fn assert_flyctl_reads(outputs: &Outputs) {
    for (path, file) in outputs.iter() {
        if path.ends_with("fly.toml")
            && let Err(problem) = crate::flyctl_rules::decode(&file.contents)
        {
            panic!(
                "flyx wrote a {path} flyctl would refuse: {problem}\n{}",
                file.contents
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::assert_emit_may_refuse;
    use crate::diagnostic::{Code, Diagnostic, Diagnostics};
    use crate::span::Span;

    fn one(code: Code) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        diagnostics.push(Diagnostic::new(code, Span::default(), "refused"));
        diagnostics
    }

    #[test]
    #[should_panic(expected = "flyx check passed but flyx build refused it")]
    fn a_rule_left_in_emit_fails_the_assertion() {
        assert_emit_may_refuse(&one(Code::E0317), "");
    }

    #[test]
    fn a_build_that_refuses_nothing_passes() {
        assert_emit_may_refuse(&Diagnostics::new(), "");
    }
}
