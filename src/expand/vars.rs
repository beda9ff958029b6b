//! Variables of loops and template parameters: substituting their values into a
//! copy of the syntax tree, and moving a copy's spans into another file.

use std::collections::BTreeMap;

use crate::source::FileId;
use crate::span::Span;
use crate::syntax::ast::*;

/// Variable names and their values.
pub type Bindings = BTreeMap<String, Value>;

/// Replaces every use of a bound variable in `entries`: a bare name (`port`),
/// a field of a bound map (`chain.rpc`), or an interpolation (`"${port}"`).
pub fn substitute_entries(entries: &mut [Entry], bindings: &Bindings) {
    for entry in entries {
        match entry {
            Entry::Attribute(attribute) => substitute_value(&mut attribute.value, bindings),
            Entry::Block(block) => substitute_block(block, bindings),
        }
    }
}

/// Substitutes into a block: its label, its template arguments and its entries.
pub fn substitute_block(block: &mut Block, bindings: &Bindings) {
    if let Some(parts) = &block.label_parts {
        let mut template = parts.clone();
        substitute_template(&mut template, bindings);
        if let Some(name) = template.as_literal() {
            if let Some(label) = &mut block.label {
                label.name = name;
            }
            block.label_parts = None;
        } else {
            block.label_parts = Some(template);
        }
    }
    if let Some(from) = &mut block.from {
        for arg in &mut from.args {
            substitute_value(&mut arg.value, bindings);
        }
    }
    substitute_entries(&mut block.entries, bindings);
}

/// Substitutes into one value.
pub fn substitute_value(value: &mut Value, bindings: &Bindings) {
    match &mut value.kind {
        ValueKind::Reference(reference) => {
            if let Some(bound) = lookup(reference, bindings) {
                value.kind = bound.kind;
            }
        }
        ValueKind::String(template) => substitute_template(template, bindings),
        ValueKind::List(items) => items.iter_mut().for_each(|i| substitute_value(i, bindings)),
        ValueKind::Map(entries) => entries
            .iter_mut()
            .for_each(|e| substitute_value(&mut e.value, bindings)),
        _ => {}
    }
}

fn substitute_template(template: &mut Template, bindings: &Bindings) {
    let mut parts = Vec::with_capacity(template.parts.len());
    for part in std::mem::take(&mut template.parts) {
        match part {
            TemplatePart::Interpolation(reference) => match lookup(&reference, bindings) {
                Some(bound) => match bound.kind {
                    ValueKind::String(inner) => parts.extend(inner.parts),
                    ValueKind::Reference(r) if r.parts.len() > 1 => {
                        parts.push(TemplatePart::Interpolation(r))
                    }
                    other => parts.push(TemplatePart::Text(as_text(&other))),
                },
                None => parts.push(TemplatePart::Interpolation(reference)),
            },
            text => parts.push(text),
        }
    }
    // Join neighbouring text pieces, so a fully substituted string is literal.
    for part in parts {
        match (template.parts.last_mut(), part) {
            (Some(TemplatePart::Text(last)), TemplatePart::Text(text)) => last.push_str(&text),
            (_, part) => template.parts.push(part),
        }
    }
}

/// The value a reference names: a variable, or a field of a map variable.
fn lookup(reference: &Reference, bindings: &Bindings) -> Option<Value> {
    let first = reference.parts.first()?;
    let bound = bindings.get(&first.name)?;
    match (reference.parts.len(), &bound.kind) {
        (1, _) => Some(bound.clone()),
        (2, ValueKind::Map(entries)) => entries
            .iter()
            .find(|e| e.key.name == reference.parts[1].name)
            .map(|e| e.value.clone()),
        _ => None,
    }
}

/// A scalar value as text, as written: names, numbers, sizes, durations.
pub fn as_text(kind: &ValueKind) -> String {
    match kind {
        ValueKind::String(t) => t.as_literal().unwrap_or_default(),
        ValueKind::Integer(n) => n.to_string(),
        ValueKind::Float(n) => n.to_string(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Reference(r) => r.dotted(),
        ValueKind::Size(size) => {
            let unit = match size.unit {
                SizeUnit::Kilobytes => "kb",
                SizeUnit::Megabytes => "mb",
                SizeUnit::Gigabytes => "gb",
                SizeUnit::Terabytes => "tb",
            };
            format!("{}{unit}", size.amount)
        }
        ValueKind::Duration(d) => d.to_go(),
        ValueKind::List(_) | ValueKind::Map(_) => String::new(),
    }
}

/// Moves every span of `entries` that lies in `from` into `to`.
pub fn move_entries(entries: &mut [Entry], from: FileId, to: FileId) {
    for entry in entries {
        match entry {
            Entry::Attribute(attribute) => {
                move_ident(&mut attribute.key, from, to);
                move_value(&mut attribute.value, from, to);
                move_span(&mut attribute.span, from, to);
            }
            Entry::Block(block) => move_block(block, from, to),
        }
    }
}

/// Moves a block's spans from one file to another.
pub fn move_block(block: &mut Block, from: FileId, to: FileId) {
    move_ident(&mut block.kind, from, to);
    if let Some(label) = &mut block.label {
        move_ident(label, from, to);
    }
    move_span(&mut block.span, from, to);
    if let Some(clause) = &mut block.from {
        move_ident(&mut clause.template, from, to);
        move_span(&mut clause.span, from, to);
        for arg in &mut clause.args {
            move_ident(&mut arg.key, from, to);
            move_value(&mut arg.value, from, to);
        }
    }
    move_entries(&mut block.entries, from, to);
}

fn move_value(value: &mut Value, from: FileId, to: FileId) {
    move_span(&mut value.span, from, to);
    match &mut value.kind {
        ValueKind::Reference(r) => move_reference(r, from, to),
        ValueKind::String(t) => {
            for part in &mut t.parts {
                if let TemplatePart::Interpolation(r) = part {
                    move_reference(r, from, to);
                }
            }
        }
        ValueKind::List(items) => items.iter_mut().for_each(|i| move_value(i, from, to)),
        ValueKind::Map(entries) => entries.iter_mut().for_each(|e| {
            move_ident(&mut e.key, from, to);
            move_value(&mut e.value, from, to);
        }),
        _ => {}
    }
}

fn move_reference(reference: &mut Reference, from: FileId, to: FileId) {
    move_span(&mut reference.span, from, to);
    for part in &mut reference.parts {
        move_ident(part, from, to);
    }
}

fn move_ident(ident: &mut Ident, from: FileId, to: FileId) {
    move_span(&mut ident.span, from, to);
}

fn move_span(span: &mut Span, from: FileId, to: FileId) {
    if span.file == from {
        span.file = to;
    }
}
