//! Formatting (`flyx fmt`): a file that parses, printed back in the one
//! canonical layout with every comment and every literal as written.
//!
//! The printer reads the syntax tree ([`crate::syntax::ast`]), which keeps the
//! comments ([`File::comments`]) and the text of each literal and quoted name,
//! and the original text only for where lines break: whether a block, list or
//! map was written on one line, where blank lines were, and which line a
//! comment is on. The layout rules are in `docs/language.md`, "Formatting".
//! The result parses to the same tree (spans and comments aside), so it
//! builds byte-identical files, and formatting it again changes nothing.

mod flat;
mod printer;
mod source;
#[cfg(test)]
mod tests;

use crate::diagnostic::Diagnostics;
use crate::source::{FileId, Sources};
use crate::syntax::{self, ast::File};

/// Lines longer than this are broken where the layout allows: a block, list
/// or map written on one line stays on one line only if it fits.
pub const MAX_WIDTH: usize = 100;

/// Formats the text of one `.flyx` file, named `name` in diagnostics.
///
/// Returns the formatted text (empty for a file with nothing in it, else
/// ending with one line break), or the syntax errors when the text does not
/// parse; render those with [`crate::diagnostic::render`] against
/// `Sources::single(name, text)`, the source set this parses.
///
/// ```
/// let text = "service api {\n    image = \"x\"   # the image\n  http { port = 8080 }\n}\n";
/// let formatted = flyx::format::format_source("stack.flyx", text).unwrap();
/// assert_eq!(formatted, "service api {\n  image = \"x\"   # the image\n  http { port = 8080 }\n}\n");
/// ```
pub fn format_source(name: &str, text: &str) -> Result<String, Diagnostics> {
    let (sources, file) = Sources::single(name, text);
    format_file(&sources, file)
}

/// Formats file `file` of `sources`, or returns its syntax errors.
pub fn format_file(sources: &Sources, file: FileId) -> Result<String, Diagnostics> {
    let tree = syntax::parse(sources, file)?;
    Ok(print(&tree, &sources.get(file).text))
}

/// Prints a tree parsed from `text` in the canonical layout.
pub fn print(tree: &File, text: &str) -> String {
    printer::Printer::new(text, &tree.comments).file(tree)
}
