//! The syntax tree: the file exactly as written, every node with its span,
//! its comments and the literal text of what was written (`1m30s`, `1GB`,
//! `0.50`, `"a\tb"`), so `crate::format` can print it back.

use crate::span::Span;

/// A parsed file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// `use` lines and blocks, in source order.
    pub items: Vec<Item>,
    /// Every `#` comment, in source order. The later stages ignore them; the
    /// formatter puts each back between the same pieces of syntax.
    pub comments: Vec<Comment>,
}

/// A `#` comment: from the `#` to the end of its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The text, `#` included, without the blanks, `\r` and line break after it.
    pub text: String,
    /// Where.
    pub span: Span,
}

/// One top-level item.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `use "./shared.flyx"` or `use nats`.
    Use(Use),
    /// `for shard in [p0, p1] { ... }`.
    For(ForLoop),
    /// `service api { ... }` and every other block.
    Block(Block),
}

/// `for NAME in LIST { blocks }`: the blocks once per item.
#[derive(Clone, Debug, PartialEq)]
pub struct ForLoop {
    /// The loop variable.
    pub var: Ident,
    /// The list it takes each value of.
    pub items: Value,
    /// Blocks and nested loops, in source order.
    pub body: Vec<Item>,
    /// The whole loop.
    pub span: Span,
}

/// A template parameter: `port = 8080`, or `start` with no default.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Its name.
    pub name: Ident,
    /// Its default value, if it has one.
    pub default: Option<Value>,
}

/// `from web(port = 3000)`: the template a block starts from.
#[derive(Clone, Debug, PartialEq)]
pub struct From {
    /// The template's name.
    pub template: Ident,
    /// The arguments, by parameter name.
    pub args: Vec<MapEntry>,
    /// The whole clause.
    pub span: Span,
}

/// A `use` line.
#[derive(Clone, Debug, PartialEq)]
pub struct Use {
    /// What is used: a path (written as a string) or a stdlib module name.
    pub target: UseTarget,
    /// The whole line.
    pub span: Span,
}

/// What a `use` line names.
#[derive(Clone, Debug, PartialEq)]
pub enum UseTarget {
    /// `use "./shared.flyx"`: a file relative to the using file.
    Path(String, Span),
    /// `use nats`: a stdlib module.
    Module(Ident),
}

/// A name as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The text.
    pub name: String,
    /// Where.
    pub span: Span,
    /// The string exactly as written, quotes and escapes included, when a
    /// key or a label was written as a string (`"X-Frame-Options"`);
    /// `None` when it was written as a bare name.
    pub written: Option<String>,
}

/// A block: `kind label { entries }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// `service` in `service api { }`.
    pub kind: Ident,
    /// `api` in `service api { }`; labels may be written as names or strings.
    pub label: Option<Ident>,
    /// A string label with `${...}` in it, before a loop fills it in.
    pub label_parts: Option<Template>,
    /// A template's parameters: `(port = 8080)`; `None` when there is no list.
    pub params: Option<Vec<Param>>,
    /// The template the block starts from.
    pub from: Option<From>,
    /// Attributes and nested blocks, in source order.
    pub entries: Vec<Entry>,
    /// From the kind to the closing brace.
    pub span: Span,
}

impl Block {
    /// The span of the block's header: kind and label.
    pub fn header(&self) -> Span {
        match &self.label {
            Some(label) => self.kind.span.to(label.span),
            None => self.kind.span,
        }
    }

    /// How the block is named in messages: `service \`api\`` or `http`.
    pub fn describe(&self) -> String {
        match &self.label {
            Some(label) => format!("{} `{}`", self.kind.name, label.name),
            None => format!("`{}`", self.kind.name),
        }
    }
}

/// One line of a block body.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// `key = value`.
    Attribute(Attribute),
    /// A nested block, boxed: most entries are attributes, which stay small.
    Block(Box<Block>),
}

impl Entry {
    /// The name of the attribute or the kind of the block.
    pub fn name(&self) -> &Ident {
        match self {
            Entry::Attribute(attribute) => &attribute.key,
            Entry::Block(block) => &block.kind,
        }
    }
}

/// `key = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    /// The name on the left.
    pub key: Ident,
    /// The value on the right.
    pub value: Value,
    /// The whole attribute.
    pub span: Span,
}

/// A value with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// What kind of value, and its content.
    pub kind: ValueKind,
    /// Where.
    pub span: Span,
    /// The literal exactly as written, for strings (quotes and escapes
    /// included), numbers, sizes and durations: `"a\tb"`, `0.50`, `1GB`,
    /// `1m30s`. `None` for booleans, references, lists and maps, which are
    /// printed from their structure. Lowering reads `kind`, never this.
    pub written: Option<String>,
}

/// The typed literals of the language.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    /// `"text ${ref} text"`.
    String(Template),
    /// `8080`, `-1`.
    Integer(i64),
    /// `0.33`.
    Float(f64),
    /// `true`, `false`.
    Bool(bool),
    /// `512mb`, `10gb`.
    Size(Size),
    /// `30s`, `1m30s`.
    Duration(Duration),
    /// `sjc`, `nats`, `nats.host`.
    Reference(Reference),
    /// `[a, b]`.
    List(Vec<Value>),
    /// `{ sjc = 2, ams = 1 }`.
    Map(Vec<MapEntry>),
}

impl ValueKind {
    /// How the type is named in "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ValueKind::String(_) => "a string",
            ValueKind::Integer(_) => "a number",
            ValueKind::Float(_) => "a number",
            ValueKind::Bool(_) => "a boolean",
            ValueKind::Size(_) => "a size",
            ValueKind::Duration(_) => "a duration",
            ValueKind::Reference(r) if r.parts.len() == 1 => "a name",
            ValueKind::Reference(_) => "a reference",
            ValueKind::List(_) => "a list",
            ValueKind::Map(_) => "a map",
        }
    }
}

/// One `key = value` entry of a map.
#[derive(Clone, Debug, PartialEq)]
pub struct MapEntry {
    /// The key.
    pub key: Ident,
    /// The value.
    pub value: Value,
}

/// A string with interpolations.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Template {
    /// Literal text and `${...}` references, in order.
    pub parts: Vec<TemplatePart>,
}

impl Template {
    /// The text when the string has no interpolation.
    pub fn as_literal(&self) -> Option<String> {
        let mut text = String::new();
        for part in &self.parts {
            match part {
                TemplatePart::Text(t) => text.push_str(t),
                TemplatePart::Interpolation(_) => return None,
            }
        }
        Some(text)
    }
}

/// A piece of a string.
#[derive(Clone, Debug, PartialEq)]
pub enum TemplatePart {
    /// Literal text, escapes already decoded.
    Text(String),
    /// `${nats.host}`.
    Interpolation(Reference),
}

/// A dotted name: `nats.host`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The names between the dots.
    pub parts: Vec<Ident>,
    /// The whole reference.
    pub span: Span,
}

impl Reference {
    /// The reference as written: `nats.host`.
    pub fn dotted(&self) -> String {
        let names: Vec<&str> = self.parts.iter().map(|p| p.name.as_str()).collect();
        names.join(".")
    }
}

/// A size as written: a count and a binary unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// The number before the unit.
    pub amount: u64,
    /// The unit.
    pub unit: SizeUnit,
}

/// The units a size may be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SizeUnit {
    /// `kb`
    Kilobytes,
    /// `mb`
    Megabytes,
    /// `gb`
    Gigabytes,
    /// `tb`
    Terabytes,
}

impl Size {
    /// The size in megabytes (binary: `1gb` is 1024 MB), rounded down.
    pub fn megabytes(self) -> u64 {
        match self.unit {
            SizeUnit::Kilobytes => self.amount / 1024,
            SizeUnit::Megabytes => self.amount,
            SizeUnit::Gigabytes => self.amount.saturating_mul(1024),
            SizeUnit::Terabytes => self.amount.saturating_mul(1024 * 1024),
        }
    }

    /// The size in whole gigabytes, if it is a whole number of them.
    pub fn whole_gigabytes(self) -> Option<u64> {
        match self.unit {
            SizeUnit::Gigabytes => Some(self.amount),
            SizeUnit::Terabytes => Some(self.amount.saturating_mul(1024)),
            _ => None,
        }
    }
}

/// A duration in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    /// Total milliseconds.
    pub millis: u64,
}

impl Duration {
    /// A duration of `seconds`.
    pub const fn seconds(seconds: u64) -> Duration {
        Duration {
            millis: seconds * 1000,
        }
    }

    /// Whole seconds, rounded down.
    pub fn as_seconds(self) -> u64 {
        self.millis / 1000
    }

    /// The duration as Go's `time.ParseDuration` reads it, in the largest units
    /// that fit: `30s`, `5m`, `1m30s`, `500ms`, `1h0m0s` is written `1h`.
    pub fn to_go(self) -> String {
        if self.millis == 0 {
            return "0s".to_string();
        }
        let mut rest = self.millis;
        let mut out = String::new();
        for (unit, size) in [("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            if rest >= size {
                out.push_str(&format!("{}{unit}", rest / size));
                rest %= size;
            }
        }
        out
    }
}
