//! Variables of loops and template parameters: substituting their values into a
//! copy of the syntax tree, and moving a copy's spans into another file.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::source::FileId;
use crate::span::Span;
use crate::syntax::ast::*;

/// Variable names and their values.
pub type Bindings = BTreeMap<String, Value>;

/// Replaces every use of a bound variable in `entries`: a bare name (`port`),
/// a field of a bound map (`chain.rpc`), or an interpolation (`"${port}"`).
pub fn substitute_entries(entries: &mut [Entry], bindings: &Bindings, problems: &mut Diagnostics) {
    for entry in entries {
        match entry {
            Entry::Attribute(attribute) => {
                substitute_value(&mut attribute.value, bindings, problems)
            }
            Entry::Block(block) => substitute_block(block, bindings, problems),
        }
    }
}

/// Substitutes into a block: its label, its template arguments and its entries.
pub fn substitute_block(block: &mut Block, bindings: &Bindings, problems: &mut Diagnostics) {
    if let Some(parts) = &block.label_parts {
        let mut template = parts.clone();
        substitute_template(&mut template, bindings, problems);
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
            substitute_value(&mut arg.value, bindings, problems);
        }
    }
    substitute_entries(&mut block.entries, bindings, problems);
}

/// Substitutes into one value.
pub fn substitute_value(value: &mut Value, bindings: &Bindings, problems: &mut Diagnostics) {
    match &mut value.kind {
        ValueKind::Reference(reference) => {
            if let Some(bound) = lookup(reference, bindings, problems) {
                value.kind = bound.kind;
            }
        }
        ValueKind::String(template) => substitute_template(template, bindings, problems),
        ValueKind::List(items) => items
            .iter_mut()
            .for_each(|i| substitute_value(i, bindings, problems)),
        ValueKind::Map(entries) => entries
            .iter_mut()
            .for_each(|e| substitute_value(&mut e.value, bindings, problems)),
        _ => {}
    }
}

fn substitute_template(template: &mut Template, bindings: &Bindings, problems: &mut Diagnostics) {
    let mut parts = Vec::with_capacity(template.parts.len());
    for part in std::mem::take(&mut template.parts) {
        match part {
            TemplatePart::Interpolation(reference) => {
                match lookup(&reference, bindings, problems) {
                    Some(bound) => match bound.kind {
                        ValueKind::String(inner) => parts.extend(inner.parts),
                        ValueKind::Reference(r) if r.parts.len() > 1 => {
                            parts.push(TemplatePart::Interpolation(r))
                        }
                        ValueKind::List(_) | ValueKind::Map(_) => {
                            problems.push(not_in_text(&reference, &bound));
                            parts.push(TemplatePart::Text(String::new()));
                        }
                        other => parts.push(TemplatePart::Text(as_text(&other))),
                    },
                    None => parts.push(TemplatePart::Interpolation(reference)),
                }
            }
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

fn not_in_text(reference: &Reference, bound: &Value) -> Diagnostic {
    Diagnostic::new(
        Code::E0231,
        reference.span,
        format!(
            "`{}` is {}, which cannot go inside a string",
            reference.dotted(),
            bound.kind.type_name()
        ),
    )
    .label("not text")
    .help("use one of its fields, such as `${item.name}`, or a value that is text")
}

/// The value a reference names: a variable, or a field of a map variable.
/// `None` when its first name is not a variable (a service reference), or
/// when it names a field the variable does not have, which is reported.
fn lookup(reference: &Reference, bindings: &Bindings, problems: &mut Diagnostics) -> Option<Value> {
    let first = reference.parts.first()?;
    let bound = bindings.get(&first.name)?;
    let field = match reference.parts.as_slice() {
        [_] => return Some(bound.clone()),
        [_, field] => field,
        [_, _, extra, ..] => {
            problems.push(
                Diagnostic::new(
                    Code::E0231,
                    extra.span,
                    format!("`{}` goes one field deep at most", first.name),
                )
                .label("a field of a field")
                .help(format!("write `{}.FIELD`", first.name)),
            );
            return None;
        }
        [] => return None,
    };
    let ValueKind::Map(entries) = &bound.kind else {
        problems.push(
            Diagnostic::new(
                Code::E0231,
                field.span,
                format!(
                    "`{}` is {}, which has no fields",
                    first.name,
                    bound.kind.type_name()
                ),
            )
            .label("no such field")
            .help(format!("write `{}` alone", first.name)),
        );
        return None;
    };
    match entries.iter().find(|e| e.key.name == field.name) {
        Some(entry) => Some(entry.value.clone()),
        None => {
            let keys = entries.iter().map(|e| e.key.name.as_str());
            let help = match did_you_mean(&field.name, keys) {
                Some(close) => format!("did you mean `{}.{close}`?", first.name),
                None => format!(
                    "its fields are: {}",
                    entries
                        .iter()
                        .map(|e| e.key.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            problems.push(
                Diagnostic::new(
                    Code::E0231,
                    field.span,
                    format!("`{}` has no field `{}`", first.name, field.name),
                )
                .label("not a field of this item")
                .help(help),
            );
            None
        }
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
