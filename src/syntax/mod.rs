//! Stage 1, syntax: source text to a syntax tree with spans (pest, `grammar/flyx.pest`).

pub mod ast;
mod build;
mod errors;
mod parser;
mod scan;

pub use parser::{Rule, rule_name};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Sources};
use crate::span::Span;
use pest::Parser as _;

/// How deeply blocks, maps and lists may nest. Real stacks need five or six
/// levels; the limit keeps hostile input from exhausting the stack.
pub const MAX_DEPTH: usize = 32;

/// At most this many syntax errors are reported for one file.
const MAX_SYNTAX_ERRORS: usize = 20;

/// Files at least this large are parsed in two halves at once (see
/// [`parse_in_halves`]); smaller ones take less time than a thread costs.
const PARALLEL_FROM_BYTES: usize = 256 * 1024;

/// Parses one file into a syntax tree, or reports every syntax error found.
pub fn parse(sources: &Sources, file: FileId) -> Result<ast::File, Diagnostics> {
    let text = &sources.get(file).text;
    check_depth(file, text)?;
    let items = if text.len() >= PARALLEL_FROM_BYTES
        && let Some(items) = parse_in_halves(file, text)
    {
        items
    } else {
        parse_in_order(file, text)?
    };
    Ok(ast::File {
        items,
        comments: scan::comments(file, text),
    })
}

/// Parses one piece (top-level item) after another, recovering after a syntax
/// error at the next line that starts a block, so one run reports several.
fn parse_in_order(file: FileId, text: &str) -> Result<Vec<ast::Item>, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let mut items = Vec::new();
    let mut offset = 0;
    while offset <= text.len() && diagnostics.len() < MAX_SYNTAX_ERRORS {
        match parser::FlyxParser::parse(Rule::piece, &text[offset..]) {
            Ok(pairs) => {
                let Some(piece) = pairs.peek() else {
                    break;
                };
                let end = piece.as_span().end();
                let finished = piece
                    .into_inner()
                    .next()
                    .is_none_or(|inner| inner.as_rule() == Rule::EOI);
                let (piece_items, problems) = build::file(file, offset, pairs);
                items.extend(piece_items);
                diagnostics.extend(problems);
                if finished {
                    break;
                }
                offset += end;
            }
            Err(error) => {
                let diagnostic = errors::translate(file, text, offset, &error);
                let position = diagnostic.primary.span.end as usize;
                diagnostics.push(diagnostic);
                match errors::resume_point(text, position) {
                    Some(next) => offset = next,
                    None => break,
                }
            }
        }
    }
    if diagnostics.has_errors() {
        Err(diagnostics)
    } else {
        Ok(items)
    }
}

/// Parses a large, valid file on two threads: the second half from a line
/// near the middle that looks like the start of a top-level block, while the
/// first half is parsed up to it. The guess is checked: only if the first
/// half's last item ends right before that line (blanks and comments between)
/// are the halves joined; a wrong guess, or any syntax error, returns `None`
/// and the caller parses the file in one go, reporting errors in order.
fn parse_in_halves(file: FileId, text: &str) -> Option<Vec<ast::Item>> {
    let split = split_point(text)?;
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| parse_pieces(file, text, split, text.len()));
        let first = parse_pieces(file, text, 0, split);
        (first, second.join().ok().flatten())
    });
    let mut items = first?;
    items.extend(second?);
    Some(items)
}

/// The start of the first line after the middle of `text` that begins with a
/// letter: most likely a top-level `service`, `postgres`, ... block.
fn split_point(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = text.len() / 2;
    while at + 1 < bytes.len() {
        let newline = at + bytes[at..].iter().position(|b| *b == b'\n')?;
        if bytes.get(newline + 1).is_some_and(u8::is_ascii_alphabetic) {
            return Some(newline + 1);
        }
        at = newline + 1;
    }
    None
}

/// Items from `start` to exactly `end` (blanks and comments may follow the
/// last one), or `None` on a syntax error or an item running past `end`.
fn parse_pieces(file: FileId, text: &str, start: usize, end: usize) -> Option<Vec<ast::Item>> {
    let mut items = Vec::new();
    let mut offset = start;
    while !scan::only_blanks_and_comments(&text[offset..end]) {
        let pairs = parser::FlyxParser::parse(Rule::piece, &text[offset..]).ok()?;
        let piece = pairs.peek()?;
        let length = piece.as_span().end();
        let (piece_items, problems) = build::file(file, offset, pairs);
        if !problems.is_empty() || piece_items.is_empty() {
            return None;
        }
        items.extend(piece_items);
        offset += length;
        if offset > end {
            return None;
        }
    }
    Some(items)
}

/// Refuses files that nest deeper than [`MAX_DEPTH`], before pest recurses into them.
fn check_depth(file: FileId, text: &str) -> Result<(), Diagnostic> {
    let Some(at) = scan::too_deep(text, MAX_DEPTH) else {
        return Ok(());
    };
    Err(Diagnostic::new(
        Code::E0106,
        Span::new(file, at, at + 1),
        format!("blocks, lists and maps nest more than {MAX_DEPTH} levels deep"),
    )
    .label(format!("level {} starts here", MAX_DEPTH + 1))
    .help("flatten the structure: real stacks need no more than a few levels"))
}

#[cfg(test)]
mod tests {
    use super::ast::*;
    use super::*;

    fn parse_text(text: &str) -> Result<File, Diagnostics> {
        let (sources, file) = Sources::single("t.flyx", text);
        parse(&sources, file)
    }

    /// A stack of `n` services, with a multi-line string whose lines look
    /// like top-level blocks around the middle when `decoy` is set.
    fn big_stack(n: usize, decoy: bool) -> String {
        let mut text = String::from("project p {\n  region = ams\n}\n");
        for i in 0..n {
            text.push_str(&format!(
                "\n# service {i}\nservice s{i} {{\n  image = \"x:{i}\"\n"
            ));
            if decoy && i == n / 2 - 10 {
                text.push_str("  console_command = \"\n");
                for k in 0..600 {
                    text.push_str(&format!("service fake{k} {{\n"));
                }
                text.push_str("\"\n");
            }
            text.push_str("  env { A = \"1\" }\n}\n");
        }
        text
    }

    #[test]
    fn parsing_in_halves_gives_the_same_tree_as_parsing_in_order() {
        for decoy in [false, true] {
            let text = big_stack(400, decoy);
            let file = FileId(0);
            let in_order = parse_in_order(file, &text).expect("parses");
            let split = split_point(&text).expect("a split point");
            // With the decoy, the guess lands inside the string.
            assert_eq!(text[split..].starts_with("service fake"), decoy);
            match parse_in_halves(file, &text) {
                Some(items) => assert_eq!(items, in_order, "decoy: {decoy}"),
                None => assert!(decoy, "a clean file splits"),
            }
            assert_eq!(parse_text(&text).expect("parses").items, in_order);
        }
    }

    #[test]
    fn the_split_point_starts_a_line_with_a_letter() {
        let text = big_stack(50, false);
        let at = split_point(&text).expect("a split point");
        assert!(at >= text.len() / 2);
        assert_eq!(&text.as_bytes()[at - 1..at], b"\n");
        assert!(text.as_bytes()[at].is_ascii_alphabetic());
        assert_eq!(split_point("no newline at all"), None);
    }

    #[test]
    fn a_syntax_error_in_either_half_is_reported_in_order() {
        let mut text = big_stack(5000, false);
        assert!(text.len() > PARALLEL_FROM_BYTES);
        let middle = text.len() * 3 / 4;
        let at = middle + text[middle..].find("image").expect("an image");
        text.replace_range(at..at + 5, "image image");
        let (sources, file) = Sources::single("t.flyx", text);
        let diagnostics = parse(&sources, file).expect_err("an error");
        assert_eq!(diagnostics.len(), 1);
    }

    fn first_block(text: &str) -> Block {
        match parse_text(text).expect("parses").items.remove(0) {
            Item::Block(block) => block,
            _ => panic!("expected a block"),
        }
    }

    fn value_of(text: &str) -> ValueKind {
        let block = first_block(&format!("x {{ v = {text} }}"));
        match &block.entries[0] {
            Entry::Attribute(a) => a.value.kind.clone(),
            Entry::Block(_) => panic!("expected an attribute"),
        }
    }

    fn codes(text: &str) -> Vec<Code> {
        parse_text(text)
            .expect_err("fails")
            .iter()
            .map(|d| d.code)
            .collect()
    }

    #[test]
    fn blocks_have_kind_label_and_entries() {
        let block = first_block("service api {\n  image = \"x\"\n  http { port = 8080 }\n}");
        assert_eq!(block.kind.name, "service");
        assert_eq!(block.label.as_ref().map(|l| l.name.as_str()), Some("api"));
        assert_eq!(block.entries.len(), 2);
        assert!(matches!(&block.entries[1], Entry::Block(b) if b.kind.name == "http"));
        assert_eq!((block.span.start, block.kind.span.end), (0, 7));
    }

    #[test]
    fn labels_may_be_strings() {
        let block = first_block("check \"health\" { }");
        assert_eq!(block.label.map(|l| l.name), Some("health".to_string()));
    }

    #[test]
    fn attributes_need_no_separator() {
        let block = first_block("http { port = 8080  public = true min_running = 1 }");
        assert_eq!(block.entries.len(), 3);
    }

    #[test]
    fn typed_literals() {
        assert_eq!(value_of("8080"), ValueKind::Integer(8080));
        assert_eq!(value_of("-1"), ValueKind::Integer(-1));
        assert_eq!(value_of("0.33"), ValueKind::Float(0.33));
        assert_eq!(value_of("true"), ValueKind::Bool(true));
        assert_eq!(
            value_of("512mb"),
            ValueKind::Size(Size {
                amount: 512,
                unit: SizeUnit::Megabytes
            })
        );
        assert_eq!(
            value_of("10GB"),
            ValueKind::Size(Size {
                amount: 10,
                unit: SizeUnit::Gigabytes
            })
        );
        assert_eq!(
            value_of("1m30s"),
            ValueKind::Duration(Duration { millis: 90_000 })
        );
        assert_eq!(
            value_of("500ms"),
            ValueKind::Duration(Duration { millis: 500 })
        );
    }

    #[test]
    fn true_prefixed_names_are_names() {
        assert!(matches!(value_of("trueish"), ValueKind::Reference(r) if r.dotted() == "trueish"));
    }

    #[test]
    fn references_keep_their_parts() {
        let ValueKind::Reference(r) = value_of("nats.ports.client") else {
            panic!("expected a reference");
        };
        assert_eq!(r.dotted(), "nats.ports.client");
        assert_eq!(r.parts.len(), 3);
    }

    #[test]
    fn strings_decode_escapes_and_split_interpolations() {
        let ValueKind::String(t) = value_of(r#""nats://${ nats.host }:4222 \"q\" \$x""#) else {
            panic!("expected a string");
        };
        assert_eq!(t.parts.len(), 3);
        assert_eq!(t.parts[0], TemplatePart::Text("nats://".into()));
        assert!(matches!(&t.parts[1], TemplatePart::Interpolation(r) if r.dotted() == "nats.host"));
        assert_eq!(t.parts[2], TemplatePart::Text(":4222 \"q\" $x".into()));
        assert_eq!(t.as_literal(), None);
    }

    #[test]
    fn a_lone_dollar_is_text() {
        let ValueKind::String(t) = value_of("\"psql $DATABASE_URL\"") else {
            panic!("expected a string");
        };
        assert_eq!(t.as_literal().as_deref(), Some("psql $DATABASE_URL"));
    }

    #[test]
    fn lists_and_maps() {
        let ValueKind::List(items) = value_of("[a, \"b\", 3,]") else {
            panic!("expected a list");
        };
        assert_eq!(items.len(), 3);
        let ValueKind::Map(entries) = value_of("{ sjc = 2, ams = 1 fra = 3 }") else {
            panic!("expected a map");
        };
        let keys: Vec<&str> = entries.iter().map(|e| e.key.name.as_str()).collect();
        assert_eq!(keys, ["sjc", "ams", "fra"]);
    }

    #[test]
    fn comments_are_kept_beside_the_items() {
        let text = "# top\nservice api { # here\n  image = \"x\" # there\n}\n";
        let file = parse_text(text).expect("parses");
        let Item::Block(block) = &file.items[0] else {
            panic!("expected a block");
        };
        assert_eq!(block.entries.len(), 1);
        let comments: Vec<&str> = file.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(comments, ["# top", "# here", "# there"]);
        assert_eq!(&text[file.comments[1].span.range()], "# here");
    }

    #[test]
    fn literals_keep_what_was_written() {
        for written in [
            "1m30s",
            "90s",
            "1GB",
            "1024mb",
            "0.50",
            "-1",
            r#""a\tb \$x""#,
        ] {
            let block = first_block(&format!("x {{ v = {written} }}"));
            let Entry::Attribute(a) = &block.entries[0] else {
                panic!("expected an attribute");
            };
            assert_eq!(a.value.written.as_deref(), Some(written));
        }
        let block = first_block("x \"a-${b}\" { \"K-1\" = c  k = d }");
        assert_eq!(
            block.label.and_then(|l| l.written).as_deref(),
            Some("\"a-${b}\"")
        );
        let keys: Vec<Option<&str>> = block
            .entries
            .iter()
            .map(|e| e.name().written.as_deref())
            .collect();
        assert_eq!(keys, [Some("\"K-1\""), None]);
    }

    #[test]
    fn use_lines_parse() {
        let file = parse_text("use \"./shared.flyx\"\nuse nats\n").expect("parses");
        assert!(
            matches!(&file.items[0], Item::Use(u) if matches!(&u.target, UseTarget::Path(p, _) if p == "./shared.flyx"))
        );
        assert!(
            matches!(&file.items[1], Item::Use(u) if matches!(&u.target, UseTarget::Module(m) if m.name == "nats"))
        );
    }

    #[test]
    fn syntax_errors_have_codes() {
        assert_eq!(codes("service api {"), [Code::E0102]);
        assert_eq!(codes("service api { image = \"x }"), [Code::E0103]);
        assert_eq!(codes("x { s = \"\\q\" }"), [Code::E0104]);
        assert_eq!(codes("x { m = 10xb }"), [Code::E0105]);
        assert_eq!(codes("x { m = 99999999999999999999 }"), [Code::E0105]);
        assert_eq!(
            codes(&format!("x {{ v = {}{} }}", "[".repeat(40), "]".repeat(40))),
            [Code::E0106]
        );
    }

    #[test]
    fn parsing_resumes_at_the_next_top_level_block() {
        let found = codes("service a {\n  port 1\n}\nservice b {\n  x = \n}\n");
        assert_eq!(found, [Code::E0101, Code::E0101]);
    }

    #[test]
    fn multibyte_text_before_an_error_is_handled() {
        assert_eq!(codes("#𘷳\né"), [Code::E0101]);
        assert_eq!(codes("service é { }").len(), 1);
    }
}
