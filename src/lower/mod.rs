//! Stage 2, lowering: the syntax tree to the typed [`model::Stack`], checking
//! every value where it is written.
//!
//! One function per block kind, each reading its block with [`fields::Fields`],
//! which reports unknown and repeated entries. Lowering keeps going after a
//! problem, so one run reports them all.

mod build;
mod fields;
pub mod keywords;
mod network;
mod ops;
mod project;
mod service;
mod storage;
mod store;
pub mod values;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::model::{self, Stack};
use crate::span::Span;
use crate::syntax::ast::{self, Block, Item};

pub use fields::Sink;

/// The kinds of block the top level may hold.
const TOP_LEVEL: &[&str] = &["project", "service", "postgres", "redis"];

/// Kinds reserved for modules, templates and environments.
const RESERVED: &[&str] = &["template", "environment"];

/// Lowers a parsed file. Returns the stack when lowering found no error, and
/// every diagnostic either way.
pub fn lower(file: &ast::File) -> (Option<Stack>, Diagnostics) {
    let sink = Sink::default();
    let stack = lower_file(file, &sink);
    let diagnostics = sink.into_inner();
    let stack = (!diagnostics.has_errors()).then_some(stack).flatten();
    (stack, diagnostics)
}

fn lower_file(file: &ast::File, sink: &Sink) -> Option<Stack> {
    let mut projects = Vec::new();
    let mut services = Vec::new();
    let mut stores = Vec::new();
    for item in &file.items {
        match item {
            Item::Use(use_decl) => not_yet(sink, use_decl.span, "`use`"),
            Item::Block(block) => match block.kind.name.as_str() {
                "project" => projects.push(block),
                "service" => services.push(block),
                "postgres" | "redis" => stores.push(block),
                kind if RESERVED.contains(&kind) => {
                    not_yet(sink, block.kind.span, &format!("`{kind}`"))
                }
                _ => unknown_top_level(sink, block),
            },
        }
    }
    let project = project::lower_all(&projects, file_start(file), sink)?;
    let services: Vec<model::Service> = services
        .into_iter()
        .filter_map(|block| service::lower(block, &project, sink))
        .collect();
    let stores: Vec<model::Store> = stores
        .into_iter()
        .filter_map(|block| store::lower(block, &project, sink))
        .collect();
    duplicates(sink, &services, &stores);
    Some(Stack {
        project,
        services,
        stores,
    })
}

fn file_start(file: &ast::File) -> Span {
    match file.items.first() {
        Some(Item::Block(block)) => Span::new(block.span.file, 0, 0),
        Some(Item::Use(use_decl)) => Span::new(use_decl.span.file, 0, 0),
        None => Span::default(),
    }
}

fn not_yet(sink: &Sink, span: Span, what: &str) {
    sink.push(
        Diagnostic::new(
            Code::E0226,
            span,
            format!("{what} is not supported by this version of flyx"),
        )
        .label("reserved for modules, templates and environments")
        .help("write the declarations out in this file for now"),
    );
}

fn unknown_top_level(sink: &Sink, block: &Block) {
    let name = &block.kind.name;
    let help = match did_you_mean(name, TOP_LEVEL.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!("the top level holds: {}", TOP_LEVEL.join(", ")),
    };
    sink.push(
        Diagnostic::new(
            Code::E0201,
            block.kind.span,
            format!("unknown block `{name}` at the top level"),
        )
        .label("not a top-level block")
        .help(help),
    );
}

/// Services and stores share one namespace: links and references name either.
fn duplicates(sink: &Sink, services: &[model::Service], stores: &[model::Store]) {
    let names = services
        .iter()
        .map(|s| (&s.name, "service"))
        .chain(stores.iter().map(|s| (&s.name, s.kind.keyword())));
    let mut seen: std::collections::HashMap<&str, (Span, &str)> = std::collections::HashMap::new();
    for (name, kind) in names {
        match seen.get(name.value.as_str()) {
            Some((first, first_kind)) => sink.push(
                Diagnostic::new(
                    Code::E0205,
                    name.span,
                    format!("`{}` is declared twice", name.value),
                )
                .label(format!("{kind} `{}` declared again here", name.value))
                .also(*first, format!("first declared here as a {first_kind}"))
                .help("services and data stores share one namespace; rename one of them"),
            ),
            None => {
                seen.insert(&name.value, (name.span, kind));
            }
        }
    }
}

/// Requires a label on `block` (`service NAME { }`); reports and returns `None` without one.
fn required_label<'a>(block: &'a Block, sink: &Sink, example: &str) -> Option<&'a ast::Ident> {
    if block.label.is_none() {
        sink.push(
            Diagnostic::new(
                Code::E0223,
                block.kind.span,
                format!("`{}` needs a name", block.kind.name),
            )
            .label("no name given")
            .help(format!("write `{example}`")),
        );
    }
    block.label.as_ref()
}

/// Reports a label on a block that takes none (`http api { }`).
fn no_label(block: &Block, sink: &Sink) {
    if let Some(label) = &block.label {
        sink.push(
            Diagnostic::new(
                Code::E0223,
                label.span,
                format!("`{}` takes no name", block.kind.name),
            )
            .label("remove this name")
            .help(format!("write `{} {{ ... }}`", block.kind.name)),
        );
    }
}

/// Reports declarations of one kind that share a name within one block.
fn unique_names<'a, I>(sink: &Sink, what: &str, within: &str, names: I)
where
    I: IntoIterator<Item = &'a crate::span::Spanned<String>>,
{
    let mut seen: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
    for name in names {
        if let Some(first) = seen.get(name.value.as_str()) {
            sink.push(
                Diagnostic::new(
                    Code::E0205,
                    name.span,
                    format!("{what} `{}` is declared twice in {within}", name.value),
                )
                .label("declared again here")
                .also(*first, "first declared here")
                .help(format!("give each {what} its own name")),
            );
        } else {
            seen.insert(&name.value, name.span);
        }
    }
}
