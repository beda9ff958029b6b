//! Templates: `template web(port = 8080) { ... }` declares a reusable shape;
//! `service api from web(port = 3000) { ... }` copies it, fills in its
//! parameters and merges the service's own entries over it.
//!
//! Each instantiation copies the template into a file of its own in the
//! source set (same name, same text), so a diagnostic inside the copy points
//! at the template's line, and [`Instance`] records where it was instantiated.

use std::collections::BTreeMap;

use super::merge::merge;
use super::vars::{Bindings, move_entries, substitute_entries, substitute_value};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::source::{FileId, Sources};
use crate::span::Span;
use crate::syntax::ast::{Block, Entry};

/// How deeply templates may build on templates.
const MAX_DEPTH: usize = 16;

/// A template and the file it was declared in.
#[derive(Clone)]
pub struct Template {
    /// The `template NAME(...) { }` block.
    pub block: Block,
}

/// Where a copy of a template was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// The copy's file.
    pub file: FileId,
    /// The file the template was copied from.
    pub original: FileId,
    /// The `from NAME(...)` that made it.
    pub at: Span,
    /// What the instantiating block declares: `service \`api\``.
    pub declares: String,
    /// The template's name.
    pub template: String,
    /// For a copy made while instantiating another template's base (`api`
    /// in `template api from web`): the instance of that other template.
    pub parent: Option<usize>,
}

/// Templates by name.
pub type Templates = BTreeMap<String, Template>;

/// Expands `block` if it starts from a template; leaves it as it is otherwise.
pub fn instantiate(
    block: Block,
    templates: &Templates,
    sources: &mut Sources,
    instances: &mut Vec<Instance>,
    diagnostics: &mut Diagnostics,
) -> Option<Block> {
    instantiate_at(block, templates, sources, instances, diagnostics, 0)
}

fn instantiate_at(
    mut block: Block,
    templates: &Templates,
    sources: &mut Sources,
    instances: &mut Vec<Instance>,
    diagnostics: &mut Diagnostics,
    depth: usize,
) -> Option<Block> {
    let Some(from) = block.from.take() else {
        return Some(block);
    };
    let Some(template) = templates.get(&from.template.name) else {
        let help = match did_you_mean(&from.template.name, templates.keys().map(String::as_str)) {
            Some(close) => format!("did you mean `{close}`?"),
            None if templates.is_empty() => {
                "declare it with `template NAME { ... }`, or `use` the module that has it".into()
            }
            None => format!(
                "the templates in scope are: {}",
                templates.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        };
        diagnostics.push(
            Diagnostic::new(
                Code::E0228,
                from.template.span,
                format!("there is no template `{}`", from.template.name),
            )
            .label("not a template in scope")
            .help(help),
        );
        return None;
    };
    if depth >= MAX_DEPTH {
        diagnostics.push(
            Diagnostic::new(
                Code::E0229,
                from.span,
                format!("template `{}` builds on itself", from.template.name),
            )
            .label("templates starting from each other in a circle")
            .help("a template may start from another, but not from one that starts from it"),
        );
        return None;
    }
    let bindings = bind(template, &from, diagnostics)?;
    // The template's own base first, then a private copy of the result. The
    // base's arguments may use this template's parameters: fill them in.
    let mut base = template.block.clone();
    base.params = None;
    if let Some(base_from) = &mut base.from {
        for arg in &mut base_from.args {
            substitute_value(&mut arg.value, &bindings, diagnostics);
        }
    }
    let first_inner = instances.len();
    let base = instantiate_at(base, templates, sources, instances, diagnostics, depth + 1)?;
    let original = template.block.span.file;
    let source = sources.get(original).clone();
    let copy = sources.add(source.name, source.text);
    let mut entries: Vec<Entry> = base.entries;
    move_entries(&mut entries, original, copy);
    substitute_entries(&mut entries, &bindings, diagnostics);
    instances.push(Instance {
        file: copy,
        original,
        at: from.span,
        declares: block.describe(),
        template: from.template.name.clone(),
        parent: None,
    });
    let this = instances.len() - 1;
    for inner in &mut instances[first_inner..this] {
        inner.parent = inner.parent.or(Some(this));
    }
    block.entries = merge(entries, std::mem::take(&mut block.entries));
    Some(block)
}

/// Binds every parameter: the argument, else the default. Reports unknown and
/// missing arguments.
fn bind(
    template: &Template,
    from: &crate::syntax::ast::From,
    diagnostics: &mut Diagnostics,
) -> Option<Bindings> {
    let params = template.block.params.clone().unwrap_or_default();
    let name = &from.template.name;
    let mut ok = true;
    for (i, arg) in from.args.iter().enumerate() {
        if let Some(first) = from.args[..i].iter().find(|a| a.key.name == arg.key.name) {
            ok = false;
            diagnostics.push(
                Diagnostic::new(
                    Code::E0229,
                    arg.key.span,
                    format!("`{}` is given twice to template `{name}`", arg.key.name),
                )
                .label("given again here")
                .also(first.key.span, "first given here")
                .help("give each argument once"),
            );
            continue;
        }
        if !params.iter().any(|p| p.name.name == arg.key.name) {
            ok = false;
            let help =
                match did_you_mean(&arg.key.name, params.iter().map(|p| p.name.name.as_str())) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None if params.is_empty() => format!("`{name}` takes no parameters"),
                    None => format!(
                        "`{name}` takes: {}",
                        params
                            .iter()
                            .map(|p| p.name.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
            diagnostics.push(
                Diagnostic::new(
                    Code::E0229,
                    arg.key.span,
                    format!("template `{name}` has no parameter `{}`", arg.key.name),
                )
                .label("not a parameter of this template")
                .also(template.block.header(), "the template is declared here")
                .help(help),
            );
        }
    }
    let mut bindings = Bindings::new();
    for param in &params {
        let value = from
            .args
            .iter()
            .find(|a| a.key.name == param.name.name)
            .map(|a| a.value.clone())
            .or_else(|| param.default.clone());
        match value {
            Some(value) => {
                bindings.insert(param.name.name.clone(), value);
            }
            None => {
                ok = false;
                diagnostics.push(
                    Diagnostic::new(
                        Code::E0229,
                        from.span,
                        format!("template `{name}` needs `{}`", param.name.name),
                    )
                    .label(format!("no `{}` given", param.name.name))
                    .also(param.name.span, "this parameter has no default")
                    .help(format!("write `from {name}({} = ...)`", param.name.name)),
                );
            }
        }
    }
    ok.then_some(bindings)
}
