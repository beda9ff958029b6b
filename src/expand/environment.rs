//! Environments: `environment staging { ... }` overrides the project's
//! settings, changes services, adds some and leaves others out, for
//! `flyx build --env staging`.

use super::merge::merge;
use super::templates::{self, Instance, Templates};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::source::Sources;
use crate::syntax::ast::{Block, Entry, Item, ValueKind};

/// What an environment block may hold, besides `service`, `postgres` and `redis` blocks.
const SETTINGS: &[&str] = &["org", "prefix", "region", "exclude"];

/// The names of the environments a parsed root file declares, in source order.
pub fn environments(file: &crate::syntax::ast::File) -> Vec<String> {
    file.items
        .iter()
        .filter_map(|item| match item {
            Item::Block(b) if b.kind.name == "environment" => {
                b.label.as_ref().map(|l| l.name.clone())
            }
            _ => None,
        })
        .collect()
}

/// Checks every environment block's shape (names, duplicates, entries).
pub fn check_all(environments: &[Block], diagnostics: &mut Diagnostics) {
    let mut seen: Vec<&Block> = Vec::new();
    for block in environments {
        let Some(label) = &block.label else {
            diagnostics.push(
                Diagnostic::new(Code::E0223, block.kind.span, "`environment` needs a name")
                    .label("no name given")
                    .help("write `environment staging { ... }`"),
            );
            continue;
        };
        if let Some(first) = seen
            .iter()
            .find(|b| b.label.as_ref().is_some_and(|l| l.name == label.name))
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::E0205,
                    label.span,
                    format!("environment `{}` is declared twice", label.name),
                )
                .label("declared again here")
                .also(first.header(), "first declared here")
                .help("merge the two blocks"),
            );
        }
        seen.push(block);
        for entry in &block.entries {
            check_entry(entry, diagnostics);
        }
    }
}

fn check_entry(entry: &Entry, diagnostics: &mut Diagnostics) {
    match entry {
        Entry::Attribute(a) if SETTINGS.contains(&a.key.name.as_str()) => {}
        Entry::Block(b) if matches!(b.kind.name.as_str(), "service" | "postgres" | "redis" | "vm") => {}
        Entry::Attribute(a) => diagnostics.push(
            Diagnostic::new(Code::E0202, a.key.span, format!("unknown attribute `{}` in an environment", a.key.name))
                .label("not a setting an environment changes")
                .help(match did_you_mean(&a.key.name, SETTINGS.iter().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => "an environment sets org, prefix, region and exclude, and holds vm, service, postgres and redis blocks".into(),
                }),
        ),
        Entry::Block(b) => diagnostics.push(
            Diagnostic::new(Code::E0201, b.kind.span, format!("unknown block `{}` in an environment", b.kind.name))
                .label("not a block an environment holds")
                .help(match did_you_mean(&b.kind.name, ["service", "postgres", "redis", "vm"]) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => "an environment holds vm, service, postgres and redis blocks".into(),
                }),
        ),
    }
}

/// The blocks of the stack with environment `name` applied.
pub fn apply(
    mut blocks: Vec<Block>,
    environments: &[Block],
    name: &str,
    templates: &Templates,
    sources: &mut Sources,
    instances: &mut Vec<Instance>,
    diagnostics: &mut Diagnostics,
) -> Vec<Block> {
    check_all(environments, diagnostics);
    let Some(environment) = environments
        .iter()
        .find(|b| b.label.as_ref().is_some_and(|l| l.name == name))
    else {
        return blocks;
    };
    let mut settings: Vec<Entry> = Vec::new();
    let mut excluded = None;
    for entry in &environment.entries {
        match entry {
            Entry::Attribute(a) if a.key.name == "exclude" => excluded = Some(&a.value),
            Entry::Attribute(_) => settings.push(entry.clone()),
            Entry::Block(b) if b.kind.name == "vm" => settings.push(entry.clone()),
            Entry::Block(overlay) => {
                let Some(overlay) = templates::instantiate(
                    (**overlay).clone(),
                    templates,
                    sources,
                    instances,
                    diagnostics,
                ) else {
                    continue;
                };
                overlay_block(&mut blocks, overlay, diagnostics);
            }
        }
    }
    // Last, so it does not matter where in the block `exclude` is written.
    if let Some(value) = excluded {
        exclude(&mut blocks, value, diagnostics);
    }
    if let Some(project) = blocks.iter_mut().find(|b| b.kind.name == "project") {
        let base = std::mem::take(&mut project.entries);
        project.entries = merge(base, settings);
    }
    blocks
}

/// Merges a `service NAME { }` of the environment into the service of that
/// name, or adds it when the base has none. A service block that adds a
/// service but gives it nothing to deploy (no `image`, no `build`) changes
/// one: when no service has its name, that is the error, with the closest name.
fn overlay_block(blocks: &mut Vec<Block>, overlay: Block, diagnostics: &mut Diagnostics) {
    let name = overlay.label.as_ref().map(|l| l.name.clone());
    let existing = blocks.iter_mut().find(|b| {
        b.kind.name == overlay.kind.name && b.label.as_ref().map(|l| &l.name) == name.as_ref()
    });
    match existing {
        Some(block) => {
            let base = std::mem::take(&mut block.entries);
            block.entries = merge(base, overlay.entries);
        }
        None if overlay.kind.name == "service" && !deploys_something(&overlay) => {
            diagnostics.push(unknown_overlay(blocks, &overlay));
        }
        None => blocks.push(overlay),
    }
}

/// Whether a service block says what to deploy, as a new service must.
fn deploys_something(block: &Block) -> bool {
    block.entries.iter().any(|entry| match entry {
        Entry::Attribute(a) => a.key.name == "image",
        Entry::Block(b) => b.kind.name == "build",
    })
}

/// E0301 for an overlay of a service the stack does not declare.
fn unknown_overlay(blocks: &[Block], overlay: &Block) -> Diagnostic {
    let name = overlay.label.as_ref().map_or("", |l| l.name.as_str());
    let services = blocks
        .iter()
        .filter(|b| b.kind.name == "service")
        .filter_map(|b| b.label.as_ref().map(|l| l.name.as_str()));
    let help = match did_you_mean(name, services) {
        Some(close) => format!("did you mean `{close}`?"),
        None => "to add a service in this environment only, give it an `image` or a `build`".into(),
    };
    Diagnostic::new(
        Code::E0301,
        overlay.label.as_ref().map_or(overlay.kind.span, |l| l.span),
        format!("the environment changes service `{name}`, which is not declared"),
    )
    .label("no service has this name")
    .help(help)
}

/// `exclude = [worker, cache]`: the stack without them.
fn exclude(
    blocks: &mut Vec<Block>,
    value: &crate::syntax::ast::Value,
    diagnostics: &mut Diagnostics,
) {
    let ValueKind::List(items) = &value.kind else {
        diagnostics.push(
            Diagnostic::new(
                Code::E0203,
                value.span,
                format!("`exclude` must be a list, found {}", value.kind.type_name()),
            )
            .label("not a list")
            .help("write `exclude = [worker]`"),
        );
        return;
    };
    for item in items {
        let name = match &item.kind {
            ValueKind::Reference(r) if r.parts.len() == 1 => r.dotted(),
            ValueKind::String(text) if text.as_literal().is_some() => {
                text.as_literal().unwrap_or_default()
            }
            other => {
                diagnostics.push(
                    Diagnostic::new(
                        Code::E0203,
                        item.span,
                        format!(
                            "`exclude` lists services and stores by name, found {}",
                            other.type_name()
                        ),
                    )
                    .label("not the name of a service or store")
                    .help("write `exclude = [worker, cache]`"),
                );
                continue;
            }
        };
        let before = blocks.len();
        blocks.retain(|b| {
            !(matches!(b.kind.name.as_str(), "service" | "postgres" | "redis")
                && b.label.as_ref().is_some_and(|l| l.name == name))
        });
        if blocks.len() == before {
            let names = blocks
                .iter()
                .filter(|b| b.kind.name != "project")
                .filter_map(|b| b.label.as_ref().map(|l| l.name.as_str()));
            diagnostics.push(
                Diagnostic::new(
                    Code::E0301,
                    item.span,
                    format!("`exclude` names `{name}`, which is not declared"),
                )
                .label("no service or store has this name")
                .maybe_help(did_you_mean(&name, names).map(|c| format!("did you mean `{c}`?"))),
            );
        }
    }
}
