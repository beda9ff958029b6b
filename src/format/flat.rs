//! Formatting: pieces of syntax rendered on one line, as written.

use super::source::Source;
use crate::syntax::ast::*;

/// A key or label as written: a bare name, or the string with its quotes.
pub fn key(ident: &Ident) -> String {
    ident.written.clone().unwrap_or_else(|| ident.name.clone())
}

/// A string, number, size, duration, boolean or reference as written.
pub fn scalar(value: &Value) -> String {
    if let Some(written) = &value.written {
        return written.clone();
    }
    match &value.kind {
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Reference(r) => r.dotted(),
        ValueKind::Integer(n) => n.to_string(),
        ValueKind::Float(x) => x.to_string(),
        ValueKind::Size(s) => format!("{}mb", s.megabytes()),
        ValueKind::Duration(d) => d.to_go(),
        ValueKind::String(_) | ValueKind::List(_) | ValueKind::Map(_) => String::new(),
    }
}

/// Whether a list or map may go on one line: it was written on one, without comments.
fn may_be_flat(value: &Value, source: &Source<'_>) -> bool {
    source.one_line(value.span) && !source.has_comment_in(value.span)
}

/// The value on one line: `[a, b]`, `{ a = 1, b = 2 }`, `[]`, `{}`; `None` for
/// a list or map written over several lines or with comments in it.
pub fn value(value: &Value, source: &Source<'_>) -> Option<String> {
    match &value.kind {
        ValueKind::List(items) => {
            if !may_be_flat(value, source) {
                return None;
            }
            let items: Option<Vec<String>> = items.iter().map(|v| self::value(v, source)).collect();
            Some(format!("[{}]", items?.join(", ")))
        }
        ValueKind::Map(entries) => {
            if !may_be_flat(value, source) {
                return None;
            }
            if entries.is_empty() {
                return Some("{}".to_string());
            }
            let entries = pairs(entries, source)?;
            Some(format!("{{ {} }}", entries.join(", ")))
        }
        _ => Some(scalar(value)),
    }
}

/// `key = value` for each entry, each on one line.
fn pairs(entries: &[MapEntry], source: &Source<'_>) -> Option<Vec<String>> {
    entries
        .iter()
        .map(|e| {
            Some(format!(
                "{} = {}",
                key(&e.key),
                self::value(&e.value, source)?
            ))
        })
        .collect()
}

/// The block on one line: `http { port = 8080  public = true }`, `x {}`.
pub fn block(block: &Block, source: &Source<'_>) -> Option<String> {
    let mut text = header(block, source)?;
    if block.entries.is_empty() {
        text.push_str(" {}");
        return Some(text);
    }
    let entries: Option<Vec<String>> = block.entries.iter().map(|e| entry(e, source)).collect();
    text.push_str(&format!(" {{ {} }}", entries?.join("  ")));
    Some(text)
}

fn entry(entry: &Entry, source: &Source<'_>) -> Option<String> {
    match entry {
        Entry::Attribute(a) => {
            let value = value(&a.value, source)?;
            (!value.contains('\n')).then(|| format!("{} = {value}", key(&a.key)))
        }
        Entry::Block(b) => block(b, source),
    }
}

/// `kind label(params) from template(args)` on one line.
fn header(block: &Block, source: &Source<'_>) -> Option<String> {
    let mut text = block.kind.name.clone();
    if let Some(label) = &block.label {
        text.push(' ');
        text.push_str(&key(label));
    }
    if let Some(params) = &block.params {
        text.push_str(&params_with(params, source)?);
    }
    if let Some(from) = &block.from {
        text.push_str(" from ");
        text.push_str(&from.template.name);
        if source.slice(from.span).ends_with(')') {
            text.push_str(&args_with(&from.args, source)?);
        }
    }
    Some(text)
}

fn params_with(params: &[Param], source: &Source<'_>) -> Option<String> {
    let params: Option<Vec<String>> = params
        .iter()
        .map(|p| match &p.default {
            Some(default) => Some(format!("{} = {}", p.name.name, value(default, source)?)),
            None => Some(p.name.name.clone()),
        })
        .collect();
    Some(format!("({})", params?.join(", ")))
}

fn args_with(args: &[MapEntry], source: &Source<'_>) -> Option<String> {
    Some(format!("({})", pairs(args, source)?.join(", ")))
}

/// A template's parameters on one line: `(port = 8080, start)`.
pub fn params(params: &[Param], source: &Source<'_>) -> Option<String> {
    params_with(params, source)
}

/// A `from` clause's arguments on one line: `(port = 3000)`.
pub fn args(args: &[MapEntry], source: &Source<'_>) -> Option<String> {
    args_with(args, source)
}

/// The column widths when every item of a list is a map written on one line
/// with the same keys, in the same order (at least two items and two keys):
/// the width of each `key = value,` cell but the last.
pub fn table_widths(items: &[Value], source: &Source<'_>) -> Option<Vec<usize>> {
    if items.len() < 2 {
        return None;
    }
    let mut rows = Vec::new();
    for item in items {
        let ValueKind::Map(entries) = &item.kind else {
            return None;
        };
        if !may_be_flat(item, source) || entries.len() < 2 {
            return None;
        }
        rows.push((entries, pairs(entries, source)?));
    }
    let keys =
        |entries: &[MapEntry]| -> Vec<String> { entries.iter().map(|e| key(&e.key)).collect() };
    let first_keys = keys(rows[0].0);
    if rows.iter().any(|(entries, _)| keys(entries) != first_keys) {
        return None;
    }
    let columns = first_keys.len() - 1;
    let widths = (0..columns)
        .map(|j| {
            rows.iter()
                .map(|(_, cells)| cells[j].chars().count() + 1)
                .max()
                .unwrap_or(0)
        })
        .collect();
    Some(widths)
}

/// One map of a table: `{ name = "base",      region = sjc }`.
pub fn table_row(entries: &[MapEntry], widths: &[usize], source: &Source<'_>) -> String {
    let cells = pairs(entries, source).unwrap_or_default();
    let mut row = String::from("{ ");
    for (j, cell) in cells.iter().enumerate() {
        match widths.get(j) {
            Some(width) => {
                let cell = format!("{cell},");
                row.push_str(&format!("{cell:<width$} "));
            }
            None => row.push_str(cell),
        }
    }
    row.push_str(" }");
    row
}
