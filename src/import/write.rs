//! Import, writing: a small structured writer that turns blocks, attributes,
//! values and comments into `.flyx` text in the layout of `examples/*.flyx`
//! (2-space indent, small blocks on one line). Its output is one String, so a
//! formatter can take it over unchanged.

/// A `.flyx` value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A quoted string, escaped as the grammar wants.
    Str(String),
    /// A string holding `${...}` references, written as given (only `"` and
    /// `\` in the literal parts are escaped by the caller).
    Interpolated(String),
    /// A number, written as given.
    Num(String),
    /// `true` or `false`.
    Bool(bool),
    /// A bare name, keyword, size, duration or reference: `sjc`, `512mb`, `api.url`.
    Bare(String),
    /// `[a, b]`.
    List(Vec<Value>),
    /// `{ a = 1, b = 2 }`.
    Map(Vec<(String, Value)>),
}

/// One line of a block.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// `key = value`.
    Attr(String, Value),
    /// A nested block.
    Block(Block),
    /// A `#` comment line.
    Comment(String),
}

/// `kind label { entries }`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Block {
    /// `service`, `http`, ...
    pub kind: String,
    /// The name after the kind, when there is one (written bare when it is a
    /// valid name, else quoted).
    pub label: Option<String>,
    /// What it holds, in order.
    pub entries: Vec<Entry>,
}

impl Block {
    /// A block with no label.
    pub fn new(kind: &str) -> Block {
        Block {
            kind: kind.to_string(),
            label: None,
            entries: Vec::new(),
        }
    }

    /// A block with a label.
    pub fn named(kind: &str, label: &str) -> Block {
        Block {
            kind: kind.to_string(),
            label: Some(label.to_string()),
            entries: Vec::new(),
        }
    }

    /// Adds `key = value`.
    pub fn attr(&mut self, key: &str, value: Value) {
        self.entries.push(Entry::Attr(key.to_string(), value));
    }

    /// Sets `key = value`: replaces the value of an attribute already
    /// there, else adds it.
    pub fn set(&mut self, key: &str, value: Value) {
        for entry in &mut self.entries {
            if let Entry::Attr(k, v) = entry
                && k == key
            {
                *v = value;
                return;
            }
        }
        self.attr(key, value);
    }

    /// Adds a nested block unless it is empty.
    pub fn block_if_any(&mut self, block: Block) {
        if !block.entries.is_empty() {
            self.entries.push(Entry::Block(block));
        }
    }

    /// Adds a nested block, even an empty one.
    pub fn block(&mut self, block: Block) {
        self.entries.push(Entry::Block(block));
    }

    /// Adds a comment line.
    pub fn comment(&mut self, text: &str) {
        self.entries.push(Entry::Comment(text.to_string()));
    }
}

/// The whole file: top-level comments and blocks, separated by blank lines.
pub fn file(header: &[String], blocks: &[Block]) -> String {
    let mut out = String::new();
    for line in header {
        out.push_str(&comment_line(line));
        out.push('\n');
    }
    for block in blocks {
        if !out.is_empty() {
            out.push('\n');
        }
        write_block(&mut out, block, 0);
    }
    out
}

/// Longest line a block is put on one line for.
const ONE_LINE: usize = 72;

fn write_block(out: &mut String, block: &Block, depth: usize) {
    let indent = "  ".repeat(depth);
    let head = head(block);
    if let Some(line) = one_line(block) {
        let candidate = format!("{indent}{head} {{ {line} }}");
        if candidate.chars().count() <= ONE_LINE + indent.len() {
            out.push_str(&candidate);
            out.push('\n');
            return;
        }
    }
    if block.entries.is_empty() {
        out.push_str(&format!("{indent}{head} {{}}\n"));
        return;
    }
    out.push_str(&format!("{indent}{head} {{\n"));
    let widths = run_widths(&block.entries);
    for (entry, width) in block.entries.iter().zip(widths) {
        match entry {
            Entry::Attr(key, value) => {
                let pad = width.saturating_sub(key.chars().count());
                out.push_str(&format!(
                    "{indent}  {key}{} = {}\n",
                    " ".repeat(pad),
                    value_text(value, depth + 1)
                ));
            }
            Entry::Block(inner) => write_block(out, inner, depth + 1),
            Entry::Comment(text) => {
                out.push_str(&format!("{indent}  {}\n", comment_line(text)));
            }
        }
    }
    out.push_str(&format!("{indent}}}\n"));
}

/// The key width each entry aligns to: the widest key of its run of
/// consecutive short attributes (a block or a long value ends a run).
fn run_widths(entries: &[Entry]) -> Vec<usize> {
    let mut widths = vec![0; entries.len()];
    let mut start = 0;
    while start < entries.len() {
        let mut end = start;
        while end < entries.len()
            && matches!(&entries[end], Entry::Attr(_, value) if !is_long(value))
        {
            end += 1;
        }
        let width = entries[start..end]
            .iter()
            .filter_map(|e| match e {
                Entry::Attr(key, _) => Some(key.chars().count()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        for w in &mut widths[start..end] {
            *w = width;
        }
        start = end.max(start + 1);
    }
    widths
}

fn head(block: &Block) -> String {
    match &block.label {
        Some(label) if is_name(label) => format!("{} {label}", block.kind),
        Some(label) => format!("{} {}", block.kind, quote(label)),
        None => block.kind.clone(),
    }
}

/// The entries on one line, when the block is small and holds only short
/// attributes: `port = 8080  public = true`.
fn one_line(block: &Block) -> Option<String> {
    if block.entries.is_empty() || block.entries.len() > 4 {
        return None;
    }
    let mut parts = Vec::new();
    for entry in &block.entries {
        match entry {
            Entry::Attr(key, value) if !is_long(value) => {
                parts.push(format!("{key} = {}", value_text(value, 0)));
            }
            _ => return None,
        }
    }
    let line = parts.join("  ");
    (!line.contains('\n')).then_some(line)
}

/// A map or a long list goes on its own lines, not aligned with the rest.
fn is_long(value: &Value) -> bool {
    match value {
        Value::Map(entries) => !entries.is_empty(),
        Value::List(items) => items.len() > 4,
        Value::Str(s) | Value::Interpolated(s) => s.contains('\n') || s.chars().count() > 60,
        _ => false,
    }
}

fn value_text(value: &Value, depth: usize) -> String {
    match value {
        Value::Str(s) => quote(s),
        Value::Interpolated(s) => format!("\"{s}\""),
        Value::Num(n) => n.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Bare(b) => b.clone(),
        Value::List(items) => {
            let texts: Vec<String> = items.iter().map(|i| value_text(i, depth + 1)).collect();
            let one = format!("[{}]", texts.join(", "));
            if one.chars().count() <= ONE_LINE {
                return one;
            }
            let indent = "  ".repeat(depth + 1);
            let mut out = String::from("[\n");
            for text in texts {
                out.push_str(&format!("{indent}{text},\n"));
            }
            out.push_str(&format!("{}]", "  ".repeat(depth)));
            out
        }
        Value::Map(entries) => {
            if entries.is_empty() {
                return "{}".to_string();
            }
            let indent = "  ".repeat(depth + 1);
            let width = entries
                .iter()
                .map(|(k, _)| map_key(k).chars().count())
                .max()
                .unwrap_or(0);
            let mut out = String::from("{\n");
            for (key, value) in entries {
                let key = map_key(key);
                let pad = width - key.chars().count();
                out.push_str(&format!(
                    "{indent}{key}{} = {}\n",
                    " ".repeat(pad),
                    value_text(value, depth + 1)
                ));
            }
            out.push_str(&format!("{}}}", "  ".repeat(depth)));
            out
        }
    }
}

/// A map key is written bare when it is a name, else quoted.
fn map_key(key: &str) -> String {
    if is_name(key) {
        key.to_string()
    } else {
        quote(key)
    }
}

/// Whether `text` can be written bare: a letter or `_`, then letters, digits,
/// `_` and `-`, not ending in `-`.
pub fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !text.ends_with('-')
        && !matches!(text, "true" | "false")
}

/// A string literal: `"` and `\` escaped, `$` escaped so it never starts an
/// interpolation, control characters as escapes.
pub fn quote(text: &str) -> String {
    format!("\"{}\"", escape(text))
}

/// The inside of a string literal (see [`quote`]).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn comment_line(text: &str) -> String {
    if text.is_empty() {
        "#".to_string()
    } else {
        format!("# {}", text.replace('\n', " "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_blocks_go_on_one_line_and_big_ones_align() {
        let mut service = Block::named("service", "api");
        service.attr("image", Value::Str("nginx:1".into()));
        service.attr("kill_timeout", Value::Bare("30s".into()));
        let mut http = Block::new("http");
        http.attr("port", Value::Num("8080".into()));
        http.attr("public", Value::Bool(true));
        service.block(http);
        let text = file(&["imported".into()], &[service]);
        assert_eq!(
            text,
            "# imported\n\nservice api {\n  image        = \"nginx:1\"\n  kill_timeout = 30s\n  http { port = 8080  public = true }\n}\n"
        );
    }

    #[test]
    fn strings_escape_what_the_grammar_reads() {
        assert_eq!(quote("a\"b$c\\"), "\"a\\\"b\\$c\\\\\"");
        assert_eq!(
            head(&Block::named("check", "my check")),
            "check \"my check\""
        );
    }
}
