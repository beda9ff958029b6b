//! A forgiving scan of the raw text, used when the parser fails: it finds which
//! blocks are open at a position, whether the position is inside a string, and
//! how deeply the file nests; and, for a file that parsed, where its comments
//! are. It never fails.

use super::ast::Comment;
use crate::source::FileId;
use crate::span::Span;

/// A block whose `{` has been seen but not its `}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenBlock {
    /// `service` in `service api {`.
    pub kind: String,
    /// `api` in `service api {`.
    pub label: Option<String>,
    /// The header, from the kind to the `{`.
    pub header: Span,
    /// Whether the header starts a line at column 0 (as top-level blocks do).
    pub at_line_start: bool,
}

impl OpenBlock {
    /// `service \`api\`` or `` `http` ``.
    pub fn describe(&self) -> String {
        match &self.label {
            Some(label) => format!("{} `{}`", self.kind, label),
            None => format!("`{}`", self.kind),
        }
    }
}

/// What the scan found at a position.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// Open blocks, outermost first (maps and lists are not included).
    pub blocks: Vec<OpenBlock>,
    /// The opening quote of the string the position is inside, if any.
    pub open_string: Option<Span>,
    /// Blocks that started at column 0 while another block was still open:
    /// the first one is where a `}` was probably forgotten.
    pub nested_top_level: Vec<OpenBlock>,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String, usize, usize),
    Punct(u8, usize),
    Other,
}

#[derive(Clone, Debug)]
enum Frame {
    Block(OpenBlock),
    Group,
}

/// Scans `text` up to byte `upto`.
pub fn context(file: FileId, text: &str, upto: usize) -> Context {
    let bytes = text.as_bytes();
    let upto = upto.min(bytes.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut tokens: Vec<Token> = Vec::new();
    let mut context = Context::default();
    let mut i = 0;
    while i < upto {
        let b = bytes[i];
        match b {
            b'#' => i = skip_line(bytes, i),
            b'"' => match skip_string(bytes, i) {
                Some(end) if end <= upto => {
                    tokens.push(Token::Other);
                    i = end;
                }
                _ => {
                    context.open_string = Some(Span::new(file, i, i + 1));
                    break;
                }
            },
            b'{' => {
                let frame = classify_brace(text, &tokens, &stack, i, file);
                if let Frame::Block(block) = &frame
                    && block.at_line_start
                    && stack.iter().any(|f| matches!(f, Frame::Block(_)))
                {
                    context.nested_top_level.push(block.clone());
                }
                stack.push(frame);
                tokens.push(Token::Punct(b, i));
                i += 1;
            }
            b'[' => {
                stack.push(Frame::Group);
                tokens.push(Token::Punct(b, i));
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                tokens.push(Token::Punct(b, i));
                i += 1;
            }
            b'=' | b',' => {
                tokens.push(Token::Punct(b, i));
                i += 1;
            }
            _ if is_word_byte(b) => {
                let start = i;
                while i < upto && (is_word_byte(bytes[i]) || bytes[i] == b'.') {
                    i += 1;
                }
                tokens.push(Token::Word(text[start..i].to_string(), start, i));
            }
            _ if b.is_ascii_whitespace() => i += 1,
            _ => {
                tokens.push(Token::Other);
                i += 1;
            }
        }
    }
    context.blocks = stack
        .into_iter()
        .filter_map(|frame| match frame {
            Frame::Block(block) => Some(block),
            Frame::Group => None,
        })
        .collect();
    context
}

/// The offset of the first `{` or `[` nested deeper than `limit`, ignoring
/// comments and string contents.
pub fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                i = skip_line(bytes, i);
                continue;
            }
            b'"' => {
                i = skip_string(bytes, i).unwrap_or(bytes.len());
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Every `#` comment outside strings, in order (the grammar's `COMMENT` is
/// silent, so the parse tree does not have them). Blanks and a `\r` at the
/// end of the line are not part of the comment.
pub fn comments(file: FileId, text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                let mut end = skip_line(bytes, i);
                while end > i + 1 && matches!(bytes[end - 1], b'\r' | b' ' | b'\t') {
                    end -= 1;
                }
                found.push(Comment {
                    text: text[i..end].to_string(),
                    span: Span::new(file, i, end),
                });
                i = skip_line(bytes, i);
            }
            b'"' => i = skip_string(bytes, i).unwrap_or(bytes.len()),
            _ => i += 1,
        }
    }
    found
}

/// Whether `text` holds nothing the grammar reads: blanks and `#` comments.
pub fn only_blanks_and_comments(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => i = skip_line(bytes, i),
            _ => return false,
        }
    }
    true
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn skip_line(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i] != b'\n' {
        i += 1;
    }
    i
}

/// The offset just past the string starting at `start`, or `None` if it never closes.
fn skip_string(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Decides whether the `{` at `at` opens a block (and which) or a map.
fn classify_brace(text: &str, tokens: &[Token], stack: &[Frame], at: usize, file: FileId) -> Frame {
    if matches!(stack.last(), Some(Frame::Group)) {
        return Frame::Group;
    }
    let n = tokens.len();
    let word = |k: usize| match tokens.get(k) {
        Some(Token::Word(w, s, _)) => Some((w.clone(), *s)),
        _ => None,
    };
    let is_value_position = |k: usize| matches!(tokens.get(k), Some(Token::Punct(b'=', _)));
    if n == 0 || matches!(tokens.last(), Some(Token::Punct(b'=' | b',' | b'[', _))) {
        return Frame::Group;
    }
    let Some((last, last_start)) = word(n - 1) else {
        // `"label" {`: a string label after a kind.
        return match n.checked_sub(2).and_then(word) {
            Some((kind, start)) => block(text, file, kind, None, start, at),
            None => Frame::Group,
        };
    };
    match n.checked_sub(2).and_then(word) {
        Some((kind, start)) if !(n >= 3 && is_value_position(n - 3)) => {
            block(text, file, kind, Some(last), start, at)
        }
        _ => block(text, file, last, None, last_start, at),
    }
}

fn block(
    text: &str,
    file: FileId,
    kind: String,
    label: Option<String>,
    start: usize,
    brace: usize,
) -> Frame {
    let at_line_start = start == 0 || text.as_bytes()[start - 1] == b'\n';
    Frame::Block(OpenBlock {
        kind,
        label,
        header: Span::new(file, start, brace + 1),
        at_line_start,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_open_blocks() {
        let text = "service api {\n  http {\n    port = 8080\n";
        let ctx = context(FileId(0), text, text.len());
        let names: Vec<String> = ctx.blocks.iter().map(OpenBlock::describe).collect();
        assert_eq!(names, ["service `api`", "`http`"]);
    }

    #[test]
    fn maps_are_not_blocks() {
        let text = "service api {\n  count = { sjc = 2 ";
        let ctx = context(FileId(0), text, text.len());
        assert_eq!(ctx.blocks.len(), 1);
    }

    #[test]
    fn notices_an_open_string() {
        let text = "service api { image = \"nats";
        let ctx = context(FileId(0), text, text.len());
        assert_eq!(ctx.open_string.map(|s| s.start), Some(22));
    }

    #[test]
    fn notices_a_top_level_block_inside_another() {
        let text = "service api {\n  image = \"x\"\nservice web {\n}\n";
        let ctx = context(FileId(0), text, text.len());
        assert_eq!(ctx.nested_top_level[0].describe(), "service `web`");
        assert_eq!(ctx.blocks[0].describe(), "service `api`");
    }

    #[test]
    fn finds_comments_outside_strings() {
        let text = "# a \t\r\nx { s = \"# not \\\" # one\" } # b\n#";
        let found: Vec<String> = comments(FileId(0), text)
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert_eq!(found, ["# a", "# b", "#"]);
    }

    #[test]
    fn measures_depth_outside_strings() {
        assert_eq!(too_deep("a { b = [ \"{{{{\" ] }", 2), None);
        assert_eq!(too_deep("a { b = [ [ ] ] }", 2), Some(10));
        assert_eq!(too_deep("# {{{{\nx", 0), None);
    }
}
