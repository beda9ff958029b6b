//! flyx compiles one `.flyx` file describing a multi-service Fly.io stack into
//! everything that deploys it.
//!
//! ```text
//! source text --syntax::parse--> ast::File      (pest, grammar/flyx.pest)
//!             --expand::expand--> ast::File     (use, templates, for, environments)
//!             --lower::lower---> model::Stack   (typed, every value checked)
//!             --check::check---> Topology       (petgraph: links, deploy order, addresses, Fly's rules)
//!             --emit::emit-----> Outputs        (fly.toml, Dockerfiles, deploy.sh, ARCHITECTURE.md)
//! ```
//!
//! The library is pure: text in, model or diagnostics out. Only `cli` touches
//! the disk, and it reads the files `use` lines name through an
//! [`expand::Loader`].

pub mod check;
pub mod cli;
pub mod cost;
pub mod diagnostic;
pub mod emit;
pub mod exercise;
pub mod expand;
pub mod fly;
#[doc(hidden)]
pub mod flyctl_rules;
pub mod format;
pub mod import;
pub mod lower;
pub mod model;
pub mod shell;
pub mod source;
pub mod span;
pub mod stdlib;
pub mod syntax;
pub mod topology;

mod environments;

pub use environments::check_every_environment;

use diagnostic::{Diagnostic, Diagnostics};
use expand::{Instance, Loader, NoFiles};
use source::{FileId, Sources};

/// The result of checking a file: the model when there is no error, and every
/// diagnostic (warnings included) either way.
#[derive(Debug)]
pub struct Checked {
    /// The checked topology, when no error was found.
    pub topology: Option<topology::Topology>,
    /// Everything found, errors and warnings.
    pub diagnostics: Diagnostics,
    /// The files diagnostics point into: the root, its modules, and a copy of
    /// each instantiated template.
    pub sources: Sources,
    /// The environments the root file declares, in source order (none when it
    /// does not parse).
    pub environments: Vec<String>,
}

/// How to check a file.
pub struct CheckOptions<'a> {
    /// Reads the files `use` lines name.
    pub loader: &'a dyn Loader,
    /// The environment to check, or none for the base stack.
    pub environment: Option<&'a str>,
}

/// Parses and checks one file, with stdlib modules but no other files, in its
/// base environment.
pub fn check(sources: &Sources, file: FileId) -> Checked {
    check_with(
        sources,
        file,
        &CheckOptions {
            loader: &NoFiles,
            environment: None,
        },
    )
}

/// Parses and checks one file.
pub fn check_with(sources: &Sources, file: FileId, options: &CheckOptions<'_>) -> Checked {
    let mut sources = sources.clone();
    let (topology, diagnostics, environments) = pipeline(&mut sources, file, options);
    Checked {
        topology,
        diagnostics,
        sources,
        environments,
    }
}

/// Every stage: the topology when nothing is wrong, every diagnostic, and the
/// environments the root file declares.
fn pipeline(
    sources: &mut Sources,
    file: FileId,
    options: &CheckOptions<'_>,
) -> (Option<topology::Topology>, Diagnostics, Vec<String>) {
    let ast = match syntax::parse(sources, file) {
        Ok(ast) => ast,
        Err(diagnostics) => return (None, diagnostics, Vec::new()),
    };
    let environments = expand::environments(&ast);
    let expand_options = expand::Options {
        loader: options.loader,
        environment: options.environment,
    };
    let (expanded, mut diagnostics) = expand::expand(sources, file, ast, &expand_options);
    let topology = expanded.file.as_ref().and_then(|expanded_file| {
        let (stack, found) = lower::lower(expanded_file, file);
        diagnostics.extend(found);
        stack.and_then(|stack| {
            let (topology, found) = check::check(stack);
            diagnostics.extend(found);
            topology
        })
    });
    let diagnostics = point_at_instantiations(diagnostics, &expanded.instances);
    (topology, diagnostics, environments)
}

/// A diagnostic inside a template's copy also points at the `from` that made
/// it, and a problem found more than once at the same place (in each copy of
/// a template, or in each pass of a loop) is reported once.
fn point_at_instantiations(diagnostics: Diagnostics, instances: &[Instance]) -> Diagnostics {
    let by_copy: std::collections::HashMap<FileId, usize> = instances
        .iter()
        .enumerate()
        .map(|(i, instance)| (instance.file, i))
        .collect();
    // The place in the template's own file that a place in a copy stands for.
    let original = |mut at: span::Span| {
        while let Some(&i) = by_copy.get(&at.file) {
            at.file = instances[i].original;
        }
        at
    };
    let mut out: Vec<(span::Span, Diagnostic)> = Vec::new();
    for mut diagnostic in diagnostics {
        // The copy's instantiation, then, for a template built on another,
        // each instantiation the copy was made for, out to the service.
        let mut next = by_copy.get(&diagnostic.primary.span.file).copied();
        while let Some(i) = next {
            diagnostic = annotate(diagnostic, &instances[i]);
            next = instances[i].parent;
        }
        let origin = original(diagnostic.primary.span);
        // A problem inside a template is reported once, however many services
        // start from it, with a label at each place it was instantiated.
        let same = out.iter_mut().find(|(at, seen)| {
            *at == origin && seen.code == diagnostic.code && seen.message == diagnostic.message
        });
        match same {
            Some((_, seen)) => {
                for label in diagnostic.secondary {
                    let at = original(label.span);
                    if !seen.secondary.iter().any(|l| original(l.span) == at) {
                        seen.secondary.push(label);
                    }
                }
            }
            None => out.push((origin, diagnostic)),
        }
    }
    let mut merged = Diagnostics::new();
    for (_, diagnostic) in out {
        merged.push(diagnostic);
    }
    merged
}

fn annotate(diagnostic: Diagnostic, instance: &Instance) -> Diagnostic {
    diagnostic.also(
        instance.at,
        format!(
            "in {}, which starts from template `{}` here",
            instance.declares, instance.template
        ),
    )
}
