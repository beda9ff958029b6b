//! Typed readings of literal values: each function checks one kind of value
//! where it is written and reports what is wrong with it.

use super::fields::Sink;
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::fly::{self, Region};
use crate::model::{Ref, RefAttr, Text, TextPart};
use crate::span::Spanned;
use crate::syntax::ast::{Duration, Reference, TemplatePart, Value, ValueKind};

/// Reports a value of the wrong type.
pub fn wrong_type(sink: &Sink, value: &Value, key: &str, expected: &str, example: &str) {
    sink.push(
        Diagnostic::new(
            Code::E0203,
            value.span,
            format!(
                "`{key}` must be {expected}, found {}",
                value.kind.type_name()
            ),
        )
        .label(format!("this is {}", value.kind.type_name()))
        .help(format!("write it like `{key} = {example}`")),
    );
}

/// A string without interpolation.
pub fn string(value: &Value, key: &str, sink: &Sink) -> Option<Spanned<String>> {
    match &value.kind {
        ValueKind::String(template) => match template.as_literal() {
            Some(text) => Some(Spanned::new(text, value.span)),
            None => {
                sink.push(
                    Diagnostic::new(
                        Code::E0203,
                        value.span,
                        format!("`{key}` cannot contain `${{...}}` references"),
                    )
                    .label("a reference is not allowed here")
                    .help("write the value literally; references work in `env`, build `args` and commands"),
                );
                None
            }
        },
        _ => {
            wrong_type(sink, value, key, "a string", "\"...\"");
            None
        }
    }
}

/// A string that may hold references, or a number or boolean written as text.
pub fn text(value: &Value, key: &str, sink: &Sink) -> Option<Text> {
    let parts = match &value.kind {
        ValueKind::String(template) => {
            let mut parts = Vec::new();
            for part in &template.parts {
                match part {
                    TemplatePart::Text(text) => parts.push(TextPart::Literal(text.clone())),
                    TemplatePart::Interpolation(reference) => {
                        parts.push(TextPart::Ref(reference_to(reference, sink)?));
                    }
                }
            }
            parts
        }
        ValueKind::Integer(n) => vec![TextPart::Literal(n.to_string())],
        ValueKind::Float(n) => vec![TextPart::Literal(n.to_string())],
        ValueKind::Bool(b) => vec![TextPart::Literal(b.to_string())],
        ValueKind::Reference(reference) if reference.parts.len() > 1 => {
            vec![TextPart::Ref(reference_to(reference, sink)?)]
        }
        _ => {
            wrong_type(
                sink,
                value,
                key,
                "a string or a reference such as `web.public_url`",
                "\"...\"",
            );
            return None;
        }
    };
    Some(Text {
        parts,
        span: value.span,
    })
}

/// The attributes a reference may name after the service.
const REF_ATTRS: &[&str] = &[
    "app",
    "host",
    "port",
    "ports",
    "url",
    "public_url",
    "public_host",
    "fly_dev_url",
    "fly_dev_host",
];

/// Reads `nats.host`, `web.public_url` or `nats.ports.client`.
pub fn reference_to(reference: &Reference, sink: &Sink) -> Option<Ref> {
    let parts = &reference.parts;
    let target = parts.first()?;
    let bad = |message: String, help: String| {
        sink.push(
            Diagnostic::new(Code::E0224, reference.span, message)
                .label("not something a reference can name")
                .help(help),
        );
        None
    };
    let Some(attr_name) = parts.get(1) else {
        return bad(
            format!(
                "`{}` names a service but not which of its attributes",
                target.name
            ),
            format!(
                "write `{0}.host`, `{0}.url`, `{0}.public_url` or another attribute",
                target.name
            ),
        );
    };
    let attr = match (attr_name.name.as_str(), parts.get(2)) {
        ("app", None) => RefAttr::App,
        ("host", None) => RefAttr::Host,
        ("port", None) => RefAttr::Port,
        ("url", None) => RefAttr::Url,
        ("public_url", None) => RefAttr::PublicUrl,
        ("public_host", None) => RefAttr::PublicHost,
        ("fly_dev_url", None) => RefAttr::FlyDevUrl,
        ("fly_dev_host", None) => RefAttr::FlyDevHost,
        ("ports", Some(port)) if parts.len() == 3 => {
            RefAttr::NamedPort(Spanned::new(port.name.clone(), port.span))
        }
        ("ports", _) => {
            return bad(
                format!("`{}` needs the name of a port", reference.dotted()),
                format!("write `{}.ports.NAME`, naming a `port` block", target.name),
            );
        }
        (name, None) => {
            let help = match did_you_mean(name, REF_ATTRS.iter().copied()) {
                Some(close) => format!("did you mean `{}.{close}`?", target.name),
                None => format!("a reference names one of: {}", REF_ATTRS.join(", ")),
            };
            return bad(
                format!("`{name}` is not an attribute a reference can name"),
                help,
            );
        }
        (_, Some(_)) => {
            return bad(
                format!("`{}` has too many parts", reference.dotted()),
                "a reference is `service.attribute`, or `service.ports.NAME`".into(),
            );
        }
    };
    Some(Ref {
        target: Spanned::new(target.name.clone(), target.span),
        attr,
        span: reference.span,
    })
}

/// `true` or `false`.
pub fn boolean(value: &Value, key: &str, sink: &Sink) -> Option<Spanned<bool>> {
    match value.kind {
        ValueKind::Bool(b) => Some(Spanned::new(b, value.span)),
        _ => {
            wrong_type(sink, value, key, "`true` or `false`", "true");
            None
        }
    }
}

/// A port number, 1..65535.
pub fn port(value: &Value, key: &str, sink: &Sink) -> Option<Spanned<u16>> {
    let ValueKind::Integer(n) = value.kind else {
        wrong_type(sink, value, key, "a port number", "8080");
        return None;
    };
    match u16::try_from(n) {
        Ok(port) if port >= 1 => Some(Spanned::new(port, value.span)),
        _ => {
            sink.push(
                Diagnostic::new(
                    Code::E0207,
                    value.span,
                    format!("port {n} is outside 1..65535"),
                )
                .label("not a valid port")
                .help("use a port from 1 to 65535, for example 8080"),
            );
            None
        }
    }
}

/// A whole number in `min..=max`.
pub fn integer(value: &Value, key: &str, min: u64, max: u64, sink: &Sink) -> Option<Spanned<u64>> {
    let ValueKind::Integer(n) = value.kind else {
        wrong_type(sink, value, key, "a whole number", &min.max(1).to_string());
        return None;
    };
    match u64::try_from(n) {
        Ok(n) if (min..=max).contains(&n) => Some(Spanned::new(n, value.span)),
        _ => {
            sink.push(
                Diagnostic::new(
                    Code::E0218,
                    value.span,
                    format!("`{key}` is {n}, outside {min}..{max}"),
                )
                .label("out of range")
                .help(format!("use a value from {min} to {max}")),
            );
            None
        }
    }
}

/// A duration: `30s`, `5m`.
pub fn duration(value: &Value, key: &str, sink: &Sink) -> Option<Spanned<Duration>> {
    match value.kind {
        ValueKind::Duration(d) => Some(Spanned::new(d, value.span)),
        ValueKind::Integer(0) => Some(Spanned::new(Duration { millis: 0 }, value.span)),
        ValueKind::Integer(n) => {
            sink.push(
                Diagnostic::new(
                    Code::E0203,
                    value.span,
                    format!("`{key}` must be a duration with a unit, found the number {n}"),
                )
                .label("no unit")
                .help(format!(
                    "write `{key} = {n}s` for seconds; flyctl reads bare numbers as different units in different places"
                )),
            );
            None
        }
        _ => {
            wrong_type(sink, value, key, "a duration", "30s");
            None
        }
    }
}

/// A size in MB (binary units: `1gb` is 1024 MB).
pub fn megabytes(value: &Value, key: &str, sink: &Sink) -> Option<Spanned<u64>> {
    match value.kind {
        ValueKind::Size(size) => Some(Spanned::new(size.megabytes(), value.span)),
        ValueKind::Integer(n) => {
            sink.push(
                Diagnostic::new(
                    Code::E0203,
                    value.span,
                    format!("`{key}` must be a size with a unit, found the number {n}"),
                )
                .label("no unit")
                .help(format!("write `{key} = {n}mb`")),
            );
            None
        }
        _ => {
            wrong_type(sink, value, key, "a size", "512mb");
            None
        }
    }
}

/// A size in whole GB: `10gb`.
pub fn gigabytes(value: &Value, key: &str, sink: &Sink) -> Option<Spanned<u64>> {
    match value.kind {
        ValueKind::Size(size) => match size.whole_gigabytes() {
            Some(gb) => Some(Spanned::new(gb, value.span)),
            None => {
                sink.push(
                    Diagnostic::new(
                        Code::E0221,
                        value.span,
                        format!("`{key}` must be a whole number of gigabytes"),
                    )
                    .label("Fly sizes volumes in whole GB")
                    .help(format!("write `{key} = 1gb` or more")),
                );
                None
            }
        },
        _ => {
            wrong_type(sink, value, key, "a size in gigabytes", "10gb");
            None
        }
    }
}

/// A current region code.
pub fn region(value: &Value, key: &str, sink: &Sink) -> Option<Spanned<Region>> {
    let code = match &value.kind {
        ValueKind::Reference(r) if r.parts.len() == 1 => r.parts[0].name.clone(),
        ValueKind::String(t) => t.as_literal()?,
        _ => {
            wrong_type(sink, value, key, "a region code", "sjc");
            return None;
        }
    };
    region_code(&code, value.span, sink)
}

/// Checks a region code written at `span`.
pub fn region_code(code: &str, span: crate::span::Span, sink: &Sink) -> Option<Spanned<Region>> {
    if let Some(region) = Region::parse(code) {
        return Some(Spanned::new(region, span));
    }
    let diagnostic = match fly::replacement_region(code) {
        Some(new) => Diagnostic::new(Code::E0212, span, format!("region `{code}` is deprecated"))
            .label("Fly no longer places machines here")
            .help(format!("use `{new}`, the region that replaced `{code}`")),
        None => {
            let help = match did_you_mean(code, fly::REGIONS.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("Fly's regions are: {}", fly::REGIONS.join(", ")),
            };
            Diagnostic::new(Code::E0211, span, format!("unknown region `{code}`"))
                .label("not a Fly region")
                .help(help)
        }
    };
    sink.push(diagnostic);
    None
}

/// A fixed set of words an attribute may take, written as a name or a string.
pub trait Keyword: Copy + 'static {
    /// How the set is named in messages: "a deploy strategy".
    const WHAT: &'static str;
    /// Every word and its meaning.
    const ALL: &'static [(&'static str, Self)];
}

/// One of the words of `K`.
pub fn keyword<K: Keyword>(value: &Value, key: &str, sink: &Sink) -> Option<Spanned<K>> {
    let word = match &value.kind {
        ValueKind::Reference(r) if r.parts.len() == 1 => r.parts[0].name.clone(),
        ValueKind::String(t) => t.as_literal()?,
        _ => {
            wrong_type(sink, value, key, K::WHAT, K::ALL[0].0);
            return None;
        }
    };
    if let Some((_, k)) = K::ALL.iter().find(|(w, _)| *w == word) {
        return Some(Spanned::new(*k, value.span));
    }
    let words: Vec<&str> = K::ALL.iter().map(|(w, _)| *w).collect();
    let help = match did_you_mean(&word, words.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!("use one of: {}", words.join(", ")),
    };
    sink.push(
        Diagnostic::new(
            Code::E0217,
            value.span,
            format!("`{word}` is not {} for `{key}`", K::WHAT),
        )
        .label(format!("expected one of: {}", words.join(", ")))
        .help(help),
    );
    None
}

/// A list of names or strings.
pub fn names(value: &Value, key: &str, sink: &Sink) -> Vec<Spanned<String>> {
    let ValueKind::List(items) = &value.kind else {
        wrong_type(sink, value, key, "a list", "[a, b]");
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| name(item, key, sink))
        .collect()
}

/// A single name or string.
pub fn name(value: &Value, key: &str, sink: &Sink) -> Option<Spanned<String>> {
    match &value.kind {
        ValueKind::Reference(r) if r.parts.len() == 1 => {
            Some(Spanned::new(r.parts[0].name.clone(), value.span))
        }
        ValueKind::String(_) => string(value, key, sink),
        _ => {
            wrong_type(sink, value, key, "a name", "name");
            None
        }
    }
}

/// A map of keys to strings (numbers and booleans are written as text).
pub fn string_map(value: &Value, key: &str, sink: &Sink) -> Vec<(String, String)> {
    let ValueKind::Map(entries) = &value.kind else {
        wrong_type(sink, value, key, "a map", "{ NAME = \"value\" }");
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let text = match &entry.value.kind {
                ValueKind::Integer(n) => n.to_string(),
                ValueKind::Bool(b) => b.to_string(),
                _ => string(&entry.value, &entry.key.name, sink)?.value,
            };
            Some((entry.key.name.clone(), text))
        })
        .collect()
}
