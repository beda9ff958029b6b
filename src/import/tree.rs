//! Import, reading: a fly.toml parsed into a tree that keeps every value's byte
//! span, so diagnostics point at the file, line and column they are about.

use std::collections::BTreeMap;

use toml::de::{DeTable, DeValue};

/// One TOML value with the bytes it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What it is.
    pub kind: Kind,
    /// Byte range in the file (for a key's value, the value's range).
    pub span: (usize, usize),
    /// The byte range of the key that introduced it, when there is one.
    pub key_span: (usize, usize),
}

/// The value of a node.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A date or time: fly.toml has none, kept as text.
    Other(String),
    /// An array.
    Array(Vec<Node>),
    /// A table; keys as written, ordered by name (flyctl's map is unordered).
    Table(BTreeMap<String, Node>),
}

impl Node {
    /// Parses a whole file, or gives the parser's message and where it points.
    pub fn parse(text: &str) -> Result<Node, (String, (usize, usize))> {
        match DeTable::parse(text) {
            Ok(table) => {
                let span = table.span();
                Ok(Node {
                    kind: Kind::Table(from_table(table.get_ref())),
                    span: (span.start, span.end),
                    key_span: (0, 0),
                })
            }
            Err(error) => {
                let span = error.span().map_or((0, 0), |s| (s.start, s.end));
                Err((error.message().to_string(), span))
            }
        }
    }

    /// The table's entry `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Table(map) => map.get(key),
            _ => None,
        }
    }

    /// The string, when it is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, when it is one.
    pub fn as_int(&self) -> Option<i64> {
        match &self.kind {
            Kind::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The boolean, when it is one.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The table's entries, when it is one.
    pub fn as_table(&self) -> Option<&BTreeMap<String, Node>> {
        match &self.kind {
            Kind::Table(map) => Some(map),
            _ => None,
        }
    }

    /// The items of an array; a table alone counts as one item, the way
    /// flyctl's patches read `[services]` and `[[services]]` alike
    /// (`internal/appconfig/patches.go: ensureArrayOfMap`).
    pub fn items(&self) -> Vec<&Node> {
        match &self.kind {
            Kind::Array(items) => items.iter().collect(),
            Kind::Table(_) => vec![self],
            _ => Vec::new(),
        }
    }

    /// The value as flyctl's `%v` prints it in `[env]` (`patches.go: patchEnv`).
    pub fn display(&self) -> String {
        match &self.kind {
            Kind::Str(s) => s.clone(),
            Kind::Int(i) => i.to_string(),
            Kind::Float(f) => f.to_string(),
            Kind::Bool(b) => b.to_string(),
            Kind::Other(s) => s.clone(),
            Kind::Array(items) => {
                let inner: Vec<String> = items.iter().map(Node::display).collect();
                format!("[{}]", inner.join(" "))
            }
            Kind::Table(_) => "map[...]".to_string(),
        }
    }

    /// The strings of an array of strings (a lone string is one item).
    pub fn strings(&self) -> Option<Vec<String>> {
        match &self.kind {
            Kind::Str(s) => Some(vec![s.clone()]),
            Kind::Array(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => None,
        }
    }
}

fn from_table(table: &DeTable<'_>) -> BTreeMap<String, Node> {
    table
        .iter()
        .map(|(key, value)| {
            let mut node = from_value(value.get_ref(), value.span());
            let k = key.span();
            node.key_span = (k.start, k.end);
            (key.get_ref().to_string(), node)
        })
        .collect()
}

fn from_value(value: &DeValue<'_>, span: std::ops::Range<usize>) -> Node {
    let kind = match value {
        DeValue::String(s) => Kind::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Kind::Int(n),
            Err(_) => Kind::Other(i.as_str().to_string()),
        },
        DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
            Ok(n) => Kind::Float(n),
            Err(_) => Kind::Other(f.as_str().to_string()),
        },
        DeValue::Boolean(b) => Kind::Bool(*b),
        DeValue::Datetime(d) => Kind::Other(d.to_string()),
        DeValue::Array(items) => Kind::Array(
            items
                .iter()
                .map(|item| from_value(item.get_ref(), item.span()))
                .collect(),
        ),
        DeValue::Table(table) => Kind::Table(from_table(table)),
    };
    Node {
        kind,
        span: (span.start, span.end),
        key_span: (span.start, span.end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_values_and_keys() {
        let text = "app = \"x\"\n[[services]]\ninternal_port = 8080\n";
        let root = Node::parse(text).unwrap();
        let port = &root.get("services").unwrap().items()[0];
        let port = port.get("internal_port").unwrap();
        assert_eq!(port.as_int(), Some(8080));
        assert_eq!(&text[port.span.0..port.span.1], "8080");
        assert_eq!(&text[port.key_span.0..port.key_span.1], "internal_port");
    }
}
