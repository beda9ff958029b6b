//! flyx compiles one `.flyx` file describing a multi-service Fly.io stack into
//! everything that deploys it.
//!
//! ```text
//! source text --syntax::parse--> ast::File      (pest, grammar/flyx.pest)
//!             --lower::lower---> model::Stack   (typed, every value checked)
//!             --check::check---> Topology       (petgraph: links, deploy order, addresses, Fly's rules)
//! ```
//!
//! The library is pure: text in, model or diagnostics out. Only `cli` touches
//! the disk.

pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod emit;
pub mod fly;
pub mod lower;
pub mod model;
pub mod shell;
pub mod source;
pub mod span;
pub mod syntax;
pub mod topology;

use diagnostic::Diagnostics;
use source::{FileId, Sources};

/// The result of checking a file: the model when there is no error, and every
/// diagnostic (warnings included) either way.
#[derive(Debug)]
pub struct Checked {
    /// The checked topology, when no error was found.
    pub topology: Option<topology::Topology>,
    /// Everything found, errors and warnings.
    pub diagnostics: Diagnostics,
}

/// Parses and checks one file.
pub fn check(sources: &Sources, file: FileId) -> Checked {
    let ast = match syntax::parse(sources, file) {
        Ok(ast) => ast,
        Err(diagnostics) => {
            return Checked {
                topology: None,
                diagnostics,
            };
        }
    };
    let (stack, mut diagnostics) = lower::lower(&ast);
    let Some(stack) = stack else {
        return Checked {
            topology: None,
            diagnostics,
        };
    };
    let (topology, found) = check::check(stack);
    diagnostics.extend(found);
    Checked {
        topology,
        diagnostics,
    }
}
