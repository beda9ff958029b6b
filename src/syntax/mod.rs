//! Stage 1, syntax: source text to a syntax tree with spans (pest, `grammar/flyx.pest`).

pub mod ast;
mod build;
mod errors;
mod parser;
mod scan;

pub use parser::{Rule, rule_name};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Sources};
use crate::span::Span;
use pest::Parser as _;

/// How deeply blocks, maps and lists may nest. Real stacks need five or six
/// levels; the limit keeps hostile input from exhausting the stack.
pub const MAX_DEPTH: usize = 32;

/// At most this many syntax errors are reported for one file.
const MAX_SYNTAX_ERRORS: usize = 20;

/// Parses one file into a syntax tree, or reports every syntax error found.
pub fn parse(sources: &Sources, file: FileId) -> Result<ast::File, Diagnostics> {
    let text = &sources.get(file).text;
    check_depth(file, text)?;
    let mut diagnostics = Diagnostics::new();
    let mut items = Vec::new();
    let mut offset = 0;
    while offset <= text.len() && diagnostics.len() < MAX_SYNTAX_ERRORS {
        match parser::FlyxParser::parse(Rule::file, &text[offset..]) {
            Ok(pairs) => {
                let (file_items, problems) = build::file(file, offset, pairs);
                items.extend(file_items);
                diagnostics.extend(problems);
                break;
            }
            Err(error) => {
                let diagnostic = errors::translate(file, text, offset, &error);
                let position = diagnostic.primary.span.end as usize;
                diagnostics.push(diagnostic);
                match errors::resume_point(text, position) {
                    Some(next) => offset = next,
                    None => break,
                }
            }
        }
    }
    if diagnostics.has_errors() {
        Err(diagnostics)
    } else {
        Ok(ast::File { items })
    }
}

/// Refuses files that nest deeper than [`MAX_DEPTH`], before pest recurses into them.
fn check_depth(file: FileId, text: &str) -> Result<(), Diagnostic> {
    let (depth, at) = scan::max_depth(text);
    if depth <= MAX_DEPTH {
        return Ok(());
    }
    Err(Diagnostic::new(
        Code::E0106,
        Span::new(file, at, at + 1),
        format!("brackets nest {depth} levels deep, more than the {MAX_DEPTH} flyx reads"),
    )
    .label(format!("level {} starts here", MAX_DEPTH + 1))
    .help("flatten the structure: real stacks need no more than a few levels"))
}
