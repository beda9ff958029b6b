//! Builds the syntax tree from pest's pairs, one function per grammar rule. Literal
//! problems the grammar lets through on purpose (bad escapes, unknown units,
//! numbers too large) are reported here.

use pest::iterators::{Pair, Pairs};

use super::ast::*;
use super::parser::Rule;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::FileId;
use crate::span::Span;

struct Builder {
    file: FileId,
    offset: usize,
    diagnostics: Diagnostics,
}

/// Builds the items of a file parsed from `text[offset..]`.
pub fn file(file: FileId, offset: usize, mut pairs: Pairs<'_, Rule>) -> (Vec<Item>, Diagnostics) {
    let mut builder = Builder {
        file,
        offset,
        diagnostics: Diagnostics::new(),
    };
    let mut items = Vec::new();
    if let Some(root) = pairs.next() {
        for pair in root.into_inner() {
            if let Some(item) = builder.item(pair) {
                items.push(item);
            }
        }
    }
    (items, builder.diagnostics)
}

impl Builder {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        Span::from_pest(self.file, pair.as_span(), self.offset)
    }

    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Builds a top-level item, or an item of a loop's body.
    fn item(&mut self, pair: Pair<'_, Rule>) -> Option<Item> {
        match pair.as_rule() {
            Rule::use_decl => Some(Item::Use(self.use_decl(pair))),
            Rule::for_loop => Some(Item::For(self.for_loop(pair))),
            Rule::block => Some(Item::Block(self.block(pair))),
            _ => None,
        }
    }

    /// Builds `for shard in [p0, p1] { ... }`.
    fn for_loop(&mut self, pair: Pair<'_, Rule>) -> ForLoop {
        let span = self.span(&pair);
        let mut var = None;
        let mut items = None;
        let mut body = Vec::new();
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => var = Some(self.ident(inner)),
                Rule::value => items = Some(self.value(inner)),
                _ => body.extend(self.item(inner)),
            }
        }
        ForLoop {
            var: var.unwrap_or_else(|| unnamed(span)),
            items: items.unwrap_or(valueless(ValueKind::List(Vec::new()), span)),
            body,
            span,
        }
    }

    /// Builds `(port = 8080, start)`.
    fn params(&mut self, pair: Pair<'_, Rule>) -> Vec<Param> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::param)
            .map(|p| {
                let mut inner = p.into_inner();
                let name = inner
                    .next()
                    .map(|i| self.ident(i))
                    .unwrap_or(unnamed(Span::default()));
                let default = inner
                    .find(|i| i.as_rule() == Rule::value)
                    .map(|v| self.value(v));
                Param { name, default }
            })
            .collect()
    }

    /// Builds `from web(port = 3000)`.
    fn starts_from(&mut self, pair: Pair<'_, Rule>) -> From {
        let span = self.span(&pair);
        let mut template = unnamed(span);
        let mut args = Vec::new();
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => template = self.ident(inner),
                Rule::args => {
                    args = inner
                        .into_inner()
                        .filter(|p| p.as_rule() == Rule::map_entry)
                        .map(|p| self.map_entry(p))
                        .collect();
                }
                _ => {}
            }
        }
        From {
            template,
            args,
            span,
        }
    }

    /// Builds `use "./file.flyx"` or `use module`.
    fn use_decl(&mut self, pair: Pair<'_, Rule>) -> Use {
        let span = self.span(&pair);
        let target = pair
            .into_inner()
            .find(|p| matches!(p.as_rule(), Rule::string | Rule::ident))
            .map(|p| match p.as_rule() {
                Rule::ident => UseTarget::Module(self.ident(p)),
                _ => {
                    let target_span = self.span(&p);
                    let text = self.plain_string(p);
                    UseTarget::Path(text, target_span)
                }
            })
            .unwrap_or_else(|| UseTarget::Path(String::new(), span));
        Use { target, span }
    }

    /// Builds `kind label { entries }`.
    fn block(&mut self, pair: Pair<'_, Rule>) -> Block {
        let span = self.span(&pair);
        let mut kind = None;
        let mut label = None;
        let mut label_parts = None;
        let mut params = None;
        let mut from = None;
        let mut entries = Vec::new();
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::ident => kind = Some(self.ident(inner)),
                Rule::label => {
                    let (ident, parts) = self.label(inner);
                    label = Some(ident);
                    label_parts = parts;
                }
                Rule::params => params = Some(self.params(inner)),
                Rule::from_clause => from = Some(self.starts_from(inner)),
                Rule::attribute => entries.push(Entry::Attribute(self.attribute(inner))),
                Rule::block => entries.push(Entry::Block(Box::new(self.block(inner)))),
                _ => {}
            }
        }
        Block {
            kind: kind.unwrap_or_else(|| unnamed(span)),
            label,
            label_parts,
            params,
            from,
            entries,
            span,
        }
    }

    /// Builds a block label, written as a name or a string. A string with
    /// `${...}` in it keeps its parts for a loop to fill in; its name is the
    /// text as written.
    fn label(&mut self, pair: Pair<'_, Rule>) -> (Ident, Option<Template>) {
        let span = self.span(&pair);
        let raw = pair.as_str().trim().to_string();
        let written = raw.trim_matches('"').to_string();
        match pair.into_inner().next() {
            Some(inner) if inner.as_rule() == Rule::string => {
                let template = self.string(inner);
                match template.as_literal() {
                    Some(name) => (
                        Ident {
                            name,
                            span,
                            written: Some(raw),
                        },
                        None,
                    ),
                    None => (
                        Ident {
                            name: written,
                            span,
                            written: Some(raw),
                        },
                        Some(template),
                    ),
                }
            }
            Some(inner) => (self.ident(inner), None),
            None => (unnamed(span), None),
        }
    }

    /// Builds a name, or a string used as a name (labels and keys).
    fn key(&mut self, pair: Pair<'_, Rule>) -> Ident {
        let span = self.span(&pair);
        match pair.into_inner().next() {
            Some(inner) if inner.as_rule() == Rule::string => {
                let written = Some(inner.as_str().to_string());
                let name = self.plain_string(inner);
                Ident {
                    name,
                    span,
                    written,
                }
            }
            Some(inner) => self.ident(inner),
            None => unnamed(span),
        }
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
            written: None,
        }
    }

    /// Builds `key = value`.
    fn attribute(&mut self, pair: Pair<'_, Rule>) -> Attribute {
        let span = self.span(&pair);
        let mut key = None;
        let mut value = None;
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::key => key = Some(self.key(inner)),
                Rule::value => value = Some(self.value(inner)),
                _ => {}
            }
        }
        Attribute {
            key: key.unwrap_or_else(|| unnamed(span)),
            value: value.unwrap_or(valueless(ValueKind::Bool(false), span)),
            span,
        }
    }

    /// Builds any value.
    fn value(&mut self, pair: Pair<'_, Rule>) -> Value {
        let span = self.span(&pair);
        let Some(inner) = pair.into_inner().next() else {
            return valueless(ValueKind::Bool(false), span);
        };
        let written = matches!(
            inner.as_rule(),
            Rule::string | Rule::number | Rule::size | Rule::duration
        )
        .then(|| inner.as_str().to_string());
        let kind = match inner.as_rule() {
            Rule::string => ValueKind::String(self.string(inner)),
            Rule::boolean => ValueKind::Bool(inner.as_str() == "true"),
            Rule::number => self.number(inner),
            Rule::size => self.size(inner),
            Rule::duration => self.duration(inner),
            Rule::malformed => self.malformed(inner),
            Rule::reference => ValueKind::Reference(self.reference(inner)),
            Rule::list => ValueKind::List(
                inner
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::value)
                    .map(|p| self.value(p))
                    .collect(),
            ),
            Rule::map => ValueKind::Map(
                inner
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::map_entry)
                    .map(|p| self.map_entry(p))
                    .collect(),
            ),
            _ => ValueKind::Bool(false),
        };
        Value {
            kind,
            span,
            written,
        }
    }

    /// Builds `key = value` inside a map.
    fn map_entry(&mut self, pair: Pair<'_, Rule>) -> MapEntry {
        let span = self.span(&pair);
        let mut key = unnamed(span);
        let mut value = valueless(ValueKind::Bool(false), span);
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::key => key = self.key(inner),
                Rule::value => value = self.value(inner),
                _ => {}
            }
        }
        MapEntry { key, value }
    }

    /// Builds `nats.host`.
    fn reference(&self, pair: Pair<'_, Rule>) -> Reference {
        let span = self.span(&pair);
        let parts = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::ident)
            .map(|p| self.ident(p))
            .collect();
        Reference { parts, span }
    }

    /// Builds a string with its interpolations, decoding escapes.
    fn string(&mut self, pair: Pair<'_, Rule>) -> Template {
        let mut parts: Vec<TemplatePart> = Vec::new();
        for inner in pair.into_inner() {
            match inner.as_rule() {
                Rule::text => push_text(&mut parts, inner.as_str()),
                Rule::escape => {
                    let decoded = self.escape(&inner);
                    push_text(&mut parts, &decoded);
                }
                Rule::interpolation => {
                    if let Some(reference) =
                        inner.into_inner().find(|p| p.as_rule() == Rule::reference)
                    {
                        parts.push(TemplatePart::Interpolation(self.reference(reference)));
                    }
                }
                _ => {}
            }
        }
        Template { parts }
    }

    /// A string used where no interpolation makes sense (labels, keys, `use`).
    fn plain_string(&mut self, pair: Pair<'_, Rule>) -> String {
        let span = self.span(&pair);
        let template = self.string(pair);
        match template.as_literal() {
            Some(text) => text,
            None => {
                self.error(
                    Diagnostic::new(Code::E0203, span, "a name cannot contain `${...}`")
                        .label("interpolation is not allowed here")
                        .help("write the name literally"),
                );
                String::new()
            }
        }
    }

    fn escape(&mut self, pair: &Pair<'_, Rule>) -> String {
        let text = pair.as_str();
        let decoded = match text {
            "\\\"" => "\"",
            "\\\\" => "\\",
            "\\n" => "\n",
            "\\t" => "\t",
            "\\r" => "\r",
            "\\$" => "$",
            _ => {
                self.error(
                    Diagnostic::new(
                        Code::E0104,
                        self.span(pair),
                        format!("unknown escape `{text}` in a string"),
                    )
                    .label("not an escape flyx knows")
                    .help(
                        "the escapes are \\\", \\\\, \\n, \\t, \\r and \\$; \
                         write \\\\ for a literal backslash",
                    ),
                );
                text
            }
        };
        decoded.to_string()
    }

    /// Builds `8080`, `-1` or `0.33`.
    fn number(&mut self, pair: Pair<'_, Rule>) -> ValueKind {
        let text = pair.as_str();
        if text.contains('.') {
            return match text.parse::<f64>() {
                Ok(value) => ValueKind::Float(value),
                Err(_) => self.bad_number(&pair, "this number cannot be read"),
            };
        }
        match text.parse::<i64>() {
            Ok(value) => ValueKind::Integer(value),
            Err(_) => self.bad_number(&pair, "this number is too large"),
        }
    }

    /// Builds `512mb`.
    fn size(&mut self, pair: Pair<'_, Rule>) -> ValueKind {
        let text = pair.as_str();
        let digits_end = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let unit = match text[digits_end..].to_ascii_lowercase().as_str() {
            "kb" => SizeUnit::Kilobytes,
            "mb" => SizeUnit::Megabytes,
            "gb" => SizeUnit::Gigabytes,
            _ => SizeUnit::Terabytes,
        };
        match text[..digits_end].parse::<u64>() {
            Ok(amount) => ValueKind::Size(Size { amount, unit }),
            Err(_) => self.bad_number(&pair, "this size is too large"),
        }
    }

    /// Builds `30s` or `1m30s`.
    fn duration(&mut self, pair: Pair<'_, Rule>) -> ValueKind {
        match parse_duration(pair.as_str()) {
            Some(millis) => ValueKind::Duration(Duration { millis }),
            None => self.bad_number(&pair, "this duration is too long"),
        }
    }

    /// Reports something that starts like a number but is not one.
    fn malformed(&mut self, pair: Pair<'_, Rule>) -> ValueKind {
        let text = pair.as_str();
        let span = self.span(&pair);
        let letters_at = text
            .find(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '-')
            .unwrap_or(text.len());
        let (number, suffix) = text.split_at(letters_at.max(1));
        let diagnostic = if number.contains('.') && is_unit(suffix) {
            Diagnostic::new(
                Code::E0105,
                span,
                format!("`{text}` is not a whole number of `{suffix}`"),
            )
            .label("sizes and durations are whole numbers")
            .help("use a smaller unit, for example `1536mb` instead of `1.5gb` or `90s` instead of `1.5m`")
        } else if number.matches('.').count() > 1 {
            Diagnostic::new(Code::E0105, span, format!("`{text}` is not a number"))
                .label("more than one decimal point")
                .help("to write a version or an address, quote it: \"1.2.3\"")
        } else {
            Diagnostic::new(
                Code::E0105,
                span,
                format!("unknown unit `{suffix}` in `{text}`"),
            )
            .label("not a unit flyx knows")
            .help("sizes take kb, mb, gb or tb (`512mb`); durations take ms, s, m or h (`30s`, `1m30s`)")
        };
        self.error(diagnostic);
        ValueKind::Integer(0)
    }

    fn bad_number(&mut self, pair: &Pair<'_, Rule>, why: &str) -> ValueKind {
        self.error(
            Diagnostic::new(
                Code::E0105,
                self.span(pair),
                format!("`{}` cannot be read: {why}", pair.as_str()),
            )
            .label(why.to_string())
            .help("use a smaller number or a larger unit"),
        );
        ValueKind::Integer(0)
    }
}

/// A name where the parse left none (never for a file that parsed).
fn unnamed(span: Span) -> Ident {
    Ident {
        name: String::new(),
        span,
        written: None,
    }
}

/// A value where the parse left none (never for a file that parsed).
fn valueless(kind: ValueKind, span: Span) -> Value {
    Value {
        kind,
        span,
        written: None,
    }
}

fn push_text(parts: &mut Vec<TemplatePart>, text: &str) {
    if let Some(TemplatePart::Text(last)) = parts.last_mut() {
        last.push_str(text);
    } else {
        parts.push(TemplatePart::Text(text.to_string()));
    }
}

fn is_unit(suffix: &str) -> bool {
    matches!(
        suffix.to_ascii_lowercase().as_str(),
        "kb" | "mb" | "gb" | "tb" | "ms" | "s" | "m" | "h"
    )
}

/// Milliseconds in a compound duration like `1m30s`, or `None` on overflow.
fn parse_duration(text: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits_end = rest.find(|c: char| !c.is_ascii_digit())?;
        let amount: u64 = rest[..digits_end].parse().ok()?;
        rest = &rest[digits_end..];
        let (scale, len) = if rest.starts_with("ms") {
            (1, 2)
        } else if rest.starts_with('s') {
            (1000, 1)
        } else if rest.starts_with('m') {
            (60_000, 1)
        } else {
            (3_600_000, 1)
        };
        total = total.checked_add(amount.checked_mul(scale)?)?;
        rest = &rest[len..];
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations_add_up() {
        assert_eq!(parse_duration("30s"), Some(30_000));
        assert_eq!(parse_duration("1m30s"), Some(90_000));
        assert_eq!(parse_duration("500ms"), Some(500));
        assert_eq!(parse_duration("2h"), Some(7_200_000));
        assert_eq!(parse_duration("99999999999999999999h"), None);
    }
}
