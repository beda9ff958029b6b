//! Reading a block's attributes by name. Every name asked for is remembered, so
//! whatever is left over at the end is reported as unknown, with "did you mean".

use std::cell::RefCell;

use super::values;
use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::fly::Region;
use crate::model::Text;
use crate::span::{Span, Spanned};
use crate::syntax::ast::{Attribute, Block, Duration, Entry, Value};

/// Where lowering collects its diagnostics; shared by every reader.
#[derive(Default)]
pub struct Sink(RefCell<Diagnostics>);

impl Sink {
    /// Reports a problem.
    pub fn push(&self, diagnostic: Diagnostic) {
        self.0.borrow_mut().push(diagnostic);
    }

    /// Everything reported.
    pub fn into_inner(self) -> Diagnostics {
        self.0.into_inner()
    }

    /// Whether any error was reported so far.
    pub fn has_errors(&self) -> bool {
        self.0.borrow().has_errors()
    }
}

/// Reads the entries of one block.
pub struct Fields<'a> {
    block: &'a Block,
    sink: &'a Sink,
    used: Vec<bool>,
    attributes: Vec<&'static str>,
    blocks: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    /// A reader over `block`'s entries.
    pub fn new(block: &'a Block, sink: &'a Sink) -> Self {
        Fields {
            block,
            sink,
            used: vec![false; block.entries.len()],
            attributes: Vec::new(),
            blocks: Vec::new(),
        }
    }

    /// The sink diagnostics go to.
    pub fn sink(&self) -> &'a Sink {
        self.sink
    }

    /// The block being read.
    pub fn block_span(&self) -> Span {
        self.block.span
    }

    /// The attribute `name`, if written. Writing it twice is reported.
    pub fn attr(&mut self, name: &'static str) -> Option<&'a Attribute> {
        self.attributes.push(name);
        let mut first: Option<&'a Attribute> = None;
        for (index, entry) in self.block.entries.iter().enumerate() {
            let Entry::Attribute(attribute) = entry else {
                continue;
            };
            if attribute.key.name != name {
                continue;
            }
            self.used[index] = true;
            match first {
                None => first = Some(attribute),
                Some(earlier) => self.sink.push(
                    Diagnostic::new(
                        Code::E0204,
                        attribute.key.span,
                        format!("`{name}` is written twice in {}", self.block.describe()),
                    )
                    .label("written again here")
                    .also(earlier.key.span, "first written here")
                    .help(format!("remove one of the two `{name}` lines")),
                ),
            }
        }
        first
    }

    /// Reads a required attribute with `read`, and reports it when it is not written
    /// at all (a written but invalid value is reported by `read` alone).
    pub fn required<T>(
        &mut self,
        name: &'static str,
        example: &str,
        read: impl FnOnce(&mut Self, &'static str) -> Option<T>,
    ) -> Option<T> {
        let written = self
            .block
            .entries
            .iter()
            .any(|e| matches!(e, Entry::Attribute(a) if a.key.name == name));
        let value = read(self, name);
        if !written {
            missing(
                self.sink,
                self.block.kind.span,
                name,
                &self.block.describe(),
                example,
            );
        }
        value
    }

    /// The value of attribute `name`, if written.
    pub fn value(&mut self, name: &'static str) -> Option<&'a Value> {
        self.attr(name).map(|a| &a.value)
    }

    /// Every nested block of kind `kind`.
    pub fn blocks(&mut self, kind: &'static str) -> Vec<&'a Block> {
        self.blocks.push(kind);
        let mut found = Vec::new();
        for (index, entry) in self.block.entries.iter().enumerate() {
            if let Entry::Block(block) = entry
                && block.kind.name == kind
            {
                self.used[index] = true;
                found.push(&**block);
            }
        }
        found
    }

    /// The nested block of kind `kind`, which may appear at most once.
    pub fn block(&mut self, kind: &'static str) -> Option<&'a Block> {
        let found = self.blocks(kind);
        for extra in found.iter().skip(1) {
            self.sink.push(
                Diagnostic::new(
                    Code::E0204,
                    extra.kind.span,
                    format!("`{kind}` is written twice in {}", self.block.describe()),
                )
                .label("written again here")
                .also(found[0].kind.span, "first written here")
                .help(format!("merge the two `{kind}` blocks into one")),
            );
        }
        found.first().copied()
    }

    /// Like [`Fields::finish`], but leaves entries named in `reported` alone:
    /// the caller has already said what is wrong with them.
    pub fn finish_quietly<'n>(mut self, reported: impl IntoIterator<Item = &'n str>) {
        let reported: Vec<&str> = reported.into_iter().collect();
        for (index, entry) in self.block.entries.iter().enumerate() {
            if reported.contains(&entry.name().name.as_str()) {
                self.used[index] = true;
            }
        }
        self.finish();
    }

    /// Reports every entry that no one asked for.
    pub fn finish(self) {
        for (index, entry) in self.block.entries.iter().enumerate() {
            if !self.used[index] {
                self.sink.push(self.unknown(entry));
            }
        }
    }

    fn unknown(&self, entry: &Entry) -> Diagnostic {
        let name = &entry.name().name;
        let span = entry.name().span;
        let within = self.block.describe();
        match entry {
            Entry::Attribute(_) if self.blocks.contains(&name.as_str()) => Diagnostic::new(
                Code::E0202,
                span,
                format!("`{name}` is a block, not an attribute"),
            )
            .label("written as an attribute")
            .help(format!("write `{name} {{ ... }}` without `=`")),
            Entry::Block(_) if self.attributes.contains(&name.as_str()) => Diagnostic::new(
                Code::E0201,
                span,
                format!("`{name}` is an attribute, not a block"),
            )
            .label("written as a block")
            .help(format!("write `{name} = ...`")),
            Entry::Attribute(_) => Diagnostic::new(
                Code::E0202,
                span,
                format!("unknown attribute `{name}` in {within}"),
            )
            .label("not an attribute of this block")
            .help(suggestion(name, &self.attributes, &self.blocks)),
            Entry::Block(_) => Diagnostic::new(
                Code::E0201,
                span,
                format!("unknown block `{name}` in {within}"),
            )
            .label("not a block this one can hold")
            .help(suggestion(name, &self.blocks, &self.attributes)),
        }
    }

    /// A string attribute, without interpolation.
    pub fn string(&mut self, name: &'static str) -> Option<Spanned<String>> {
        let sink = self.sink;
        self.value(name).and_then(|v| values::string(v, name, sink))
    }

    /// A string attribute that may hold references: `"nats://${nats.host}:4222"`.
    pub fn text(&mut self, name: &'static str) -> Option<Text> {
        let sink = self.sink;
        self.value(name).and_then(|v| values::text(v, name, sink))
    }

    /// A boolean attribute.
    pub fn bool(&mut self, name: &'static str) -> Option<Spanned<bool>> {
        let sink = self.sink;
        self.value(name)
            .and_then(|v| values::boolean(v, name, sink))
    }

    /// A port number, 1..65535.
    pub fn port(&mut self, name: &'static str) -> Option<Spanned<u16>> {
        let sink = self.sink;
        self.value(name).and_then(|v| values::port(v, name, sink))
    }

    /// A whole number in `min..=max`.
    pub fn integer(&mut self, name: &'static str, min: u64, max: u64) -> Option<Spanned<u64>> {
        let sink = self.sink;
        self.value(name)
            .and_then(|v| values::integer(v, name, min, max, sink))
    }

    /// A whole number in `min..=max`, as `u32`.
    pub fn count(&mut self, name: &'static str, min: u32, max: u32) -> Option<Spanned<u32>> {
        self.integer(name, u64::from(min), u64::from(max))
            .map(|n| Spanned::new(n.value as u32, n.span))
    }

    /// A duration.
    pub fn duration(&mut self, name: &'static str) -> Option<Spanned<Duration>> {
        let sink = self.sink;
        self.value(name)
            .and_then(|v| values::duration(v, name, sink))
    }

    /// A size in MB.
    pub fn megabytes(&mut self, name: &'static str) -> Option<Spanned<u64>> {
        let sink = self.sink;
        self.value(name)
            .and_then(|v| values::megabytes(v, name, sink))
    }

    /// A size in whole GB.
    pub fn gigabytes(&mut self, name: &'static str) -> Option<Spanned<u64>> {
        let sink = self.sink;
        self.value(name)
            .and_then(|v| values::gigabytes(v, name, sink))
    }

    /// A region code.
    pub fn region(&mut self, name: &'static str) -> Option<Spanned<Region>> {
        let sink = self.sink;
        self.value(name).and_then(|v| values::region(v, name, sink))
    }

    /// One of a fixed set of keywords.
    pub fn keyword<K: values::Keyword>(&mut self, name: &'static str) -> Option<Spanned<K>> {
        let sink = self.sink;
        self.value(name)
            .and_then(|v| values::keyword(v, name, sink))
    }

    /// A name, written bare or as a string: `TLS_KEY`, `"TLS_KEY"`.
    pub fn name(&mut self, name: &'static str) -> Option<Spanned<String>> {
        let sink = self.sink;
        self.value(name).and_then(|v| values::name(v, name, sink))
    }

    /// Whether the block writes attribute `name` (valid or not).
    pub fn has(&self, name: &str) -> bool {
        self.block
            .entries
            .iter()
            .any(|e| matches!(e, Entry::Attribute(a) if a.key.name == name))
    }

    /// A list of names or strings: `[nats, restate]`.
    pub fn names(&mut self, name: &'static str) -> Vec<Spanned<String>> {
        let sink = self.sink;
        self.value(name)
            .map(|v| values::names(v, name, sink))
            .unwrap_or_default()
    }

    /// A list of strings: `["h2", "http/1.1"]`.
    pub fn strings(&mut self, name: &'static str) -> Vec<Spanned<String>> {
        self.names(name)
    }

    /// A map of names to strings: `{ "X-Frame-Options" = "DENY" }`.
    pub fn string_map(&mut self, name: &'static str) -> Vec<(String, String)> {
        let sink = self.sink;
        self.value(name)
            .map(|v| values::string_map(v, name, sink))
            .unwrap_or_default()
    }
}

fn suggestion(name: &str, same_kind: &[&'static str], other_kind: &[&'static str]) -> String {
    if let Some(close) = did_you_mean(name, same_kind.iter().copied()) {
        return format!("did you mean `{close}`?");
    }
    if let Some(close) = did_you_mean(name, other_kind.iter().copied()) {
        return format!("did you mean `{close}`?");
    }
    let mut known: Vec<&str> = same_kind.to_vec();
    known.sort_unstable();
    known.dedup();
    if known.is_empty() {
        "this block takes no entries of this kind".to_string()
    } else {
        format!("expected one of: {}", known.join(", "))
    }
}

/// Reports a missing required attribute.
fn missing(sink: &Sink, at: Span, name: &str, within: &str, example: &str) {
    sink.push(
        Diagnostic::new(Code::E0206, at, format!("{within} needs `{name}`"))
            .label(format!("`{name}` is missing"))
            .help(format!("add `{example}`")),
    );
}
