//! Every stage at once, for the fuzzer (`fuzz/`) and its regression tests:
//! text in, every diagnostic rendered and every output generated.

use crate::diagnostic::render::{Style, to_json, to_text};
use crate::emit::graph::{Charset, Format};
use crate::emit::{EmitOptions, graph};
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
        Ok(outputs) => exercised.files = outputs.len(),
        Err(problems) => {
            let _ = to_text(&problems, &checked.sources, Style::plain());
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
