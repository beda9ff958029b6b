//! Stage 2, expansion: `use`, templates, `for` loops and environments turn the
//! parsed files into one flat file of `project`, `service`, `postgres` and
//! `redis` blocks, which the lowering stage reads as if it were written so.
//!
//! ```text
//! root file + used modules --load--> templates, blocks, loops
//!   --for--> blocks --from--> blocks --environment--> one flat file
//! ```

mod environment;
mod merge;
mod modules;
mod templates;
mod vars;

pub use environment::environments;
pub use modules::{Loader, NoFiles};
pub use templates::Instance;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Sources};
use crate::syntax::ast::{self, Block, ForLoop, Item, ValueKind};
use vars::{Bindings, substitute_block};

/// What expansion needs besides the root file.
pub struct Options<'a> {
    /// Reads the files `use` lines name.
    pub loader: &'a dyn Loader,
    /// The environment to apply, or none for the base stack.
    pub environment: Option<&'a str>,
}

/// The flat file, and where each template copy came from.
pub struct Expanded {
    /// `project`, `service`, `postgres` and `redis` blocks only; `None` when
    /// expansion found an error.
    pub file: Option<ast::File>,
    /// Every template instantiation, by the file its copy lives in, made
    /// before any error too, so diagnostics can point at them.
    pub instances: Vec<Instance>,
}

/// Expands the root file. Modules and template copies are added to `sources`.
pub fn expand(
    sources: &mut Sources,
    root: FileId,
    root_ast: ast::File,
    options: &Options<'_>,
) -> (Expanded, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let modules = modules::load_all(sources, root, root_ast, options.loader, &mut diagnostics);
    let mut templates = templates::Templates::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut environments: Vec<Block> = Vec::new();
    for module in modules {
        let is_root = module.file == root;
        for item in module.ast.items {
            match item {
                Item::Use(_) => {}
                Item::For(for_loop) => {
                    blocks.extend(unroll(&for_loop, &Bindings::new(), &mut diagnostics))
                }
                Item::Block(block) => match block.kind.name.as_str() {
                    "template" => declare_template(&block, &mut templates, &mut diagnostics),
                    "environment" if is_root => environments.push(block),
                    "project" | "environment" if !is_root => {
                        diagnostics.push(root_only(&block));
                    }
                    _ => blocks.push(block),
                },
            }
        }
    }
    let mut instances = Vec::new();
    let mut expanded = Vec::with_capacity(blocks.len());
    for block in blocks {
        let Some(block) = unbound_label(block, &mut diagnostics) else {
            continue;
        };
        if let Some(block) =
            templates::instantiate(block, &templates, sources, &mut instances, &mut diagnostics)
        {
            expanded.push(block);
        }
    }
    let blocks = expanded;
    let blocks = match options.environment {
        Some(name) => environment::apply(
            blocks,
            &environments,
            name,
            &templates,
            sources,
            &mut instances,
            &mut diagnostics,
        ),
        None => {
            environment::check_all(&environments, &mut diagnostics);
            blocks
        }
    };
    for block in &blocks {
        report_unbound_labels(block, &mut diagnostics);
    }
    let file = (!diagnostics.has_errors()).then(|| ast::File {
        items: blocks.into_iter().map(Item::Block).collect(),
        comments: Vec::new(),
    });
    (Expanded { file, instances }, diagnostics)
}

/// Registers `template NAME(...) { }`.
fn declare_template(
    block: &Block,
    templates: &mut templates::Templates,
    diagnostics: &mut Diagnostics,
) {
    let Some(label) = &block.label else {
        diagnostics.push(
            Diagnostic::new(Code::E0223, block.kind.span, "`template` needs a name")
                .label("no name given")
                .help("write `template NAME(param = default) { ... }`"),
        );
        return;
    };
    if let Some(first) = templates.get(&label.name) {
        diagnostics.push(
            Diagnostic::new(
                Code::E0205,
                label.span,
                format!("template `{}` is declared twice", label.name),
            )
            .label("declared again here")
            .also(first.block.header(), "first declared here")
            .help("give each template its own name"),
        );
        return;
    }
    let params = block.params.as_deref().unwrap_or_default();
    for (i, param) in params.iter().enumerate() {
        if let Some(first) = params[..i].iter().find(|p| p.name.name == param.name.name) {
            diagnostics.push(
                Diagnostic::new(
                    Code::E0205,
                    param.name.span,
                    format!(
                        "template `{}` declares parameter `{}` twice",
                        label.name, param.name.name
                    ),
                )
                .label("declared again here")
                .also(first.name.span, "first declared here")
                .help("give each parameter its own name"),
            );
        }
    }
    templates.insert(
        label.name.clone(),
        templates::Template {
            block: block.clone(),
        },
    );
}

fn root_only(block: &Block) -> Diagnostic {
    Diagnostic::new(
        Code::E0230,
        block.kind.span,
        format!(
            "`{}` belongs in the root file, not in a module",
            block.kind.name
        ),
    )
    .label("a module holds templates, services and stores")
    .help(format!(
        "move the `{}` block into the file you run flyx on",
        block.kind.name
    ))
}

/// The blocks of a `for` loop, once per item, with the loop variable filled in.
fn unroll(for_loop: &ForLoop, outer: &Bindings, diagnostics: &mut Diagnostics) -> Vec<Block> {
    let mut items = for_loop.items.clone();
    vars::substitute_value(&mut items, outer, diagnostics);
    let ValueKind::List(values) = items.kind else {
        diagnostics.push(
            Diagnostic::new(
                Code::E0231,
                for_loop.items.span,
                format!(
                    "`for {}` needs a list, found {}",
                    for_loop.var.name,
                    for_loop.items.kind.type_name()
                ),
            )
            .label("not a list")
            .help(format!(
                "write `for {} in [a, b, c] {{ ... }}`",
                for_loop.var.name
            )),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for value in values {
        let mut bindings = outer.clone();
        bindings.insert(for_loop.var.name.clone(), value);
        for item in &for_loop.body {
            match item {
                Item::Block(block)
                    if matches!(
                        block.kind.name.as_str(),
                        "project" | "environment" | "template"
                    ) =>
                {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::E0231,
                            block.kind.span,
                            format!("`{}` cannot be repeated by a `for` loop", block.kind.name),
                        )
                        .label("declared once, at the top level")
                        .help(format!(
                            "move the `{}` block out of the loop; loops repeat services and stores",
                            block.kind.name
                        )),
                    );
                }
                Item::Block(block) => {
                    let mut copy = block.clone();
                    substitute_block(&mut copy, &bindings, diagnostics);
                    out.push(copy);
                }
                Item::For(inner) => out.extend(unroll(inner, &bindings, diagnostics)),
                Item::Use(u) => diagnostics.push(
                    Diagnostic::new(
                        Code::E0231,
                        u.span,
                        "`use` cannot be repeated inside a `for` loop",
                    )
                    .label("a module is used once")
                    .help("move the `use` line to the top level"),
                ),
            }
        }
    }
    out
}

/// A top-level block whose label still holds `${...}` names a variable no
/// loop binds: reported, and left out.
fn unbound_label(block: Block, diagnostics: &mut Diagnostics) -> Option<Block> {
    if block.label_parts.is_none() {
        return Some(block);
    }
    report_unbound(&block, diagnostics);
    None
}

/// Reports `block` and every block nested in it whose label still holds
/// `${...}` once loops, templates and the environment are applied.
fn report_unbound_labels(block: &Block, diagnostics: &mut Diagnostics) {
    report_unbound(block, diagnostics);
    for entry in &block.entries {
        if let ast::Entry::Block(nested) = entry {
            report_unbound_labels(nested, diagnostics);
        }
    }
}

fn report_unbound(block: &Block, diagnostics: &mut Diagnostics) {
    let Some(parts) = &block.label_parts else {
        return;
    };
    let unbound: Vec<String> = parts
        .parts
        .iter()
        .filter_map(|p| match p {
            ast::TemplatePart::Interpolation(r) => Some(r.dotted()),
            ast::TemplatePart::Text(_) => None,
        })
        .collect();
    let span = block.label.as_ref().map_or(block.kind.span, |l| l.span);
    diagnostics.push(
        Diagnostic::new(
            Code::E0231,
            span,
            format!(
                "the name of {} uses `${{{}}}`, which no `for` loop binds",
                block.kind.name,
                unbound.join("}`, `${")
            ),
        )
        .label("only loop variables may fill in a name")
        .help("put the block inside `for NAME in [...] { ... }`, or write the name literally"),
    );
}
