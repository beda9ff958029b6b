//! Turns pest's errors into diagnostics in the user's words: "expected `}` to
//! close service `api`", not rule names.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::parser::{Rule, rule_name};
use super::scan::{self, Context};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::FileId;
use crate::span::Span;

/// Translates a pest error from parsing `text[offset..]`.
pub fn translate(file: FileId, text: &str, offset: usize, error: &Error<Rule>) -> Diagnostic {
    let position = offset
        + match error.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((start, _)) => start,
        };
    let expected: Vec<Rule> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let context = scan::context(file, text, position);
    let at = token_span(file, text, position);
    if expected.contains(&Rule::interp_close) {
        return Diagnostic::new(
            Code::E0101,
            at,
            format!(
                "expected `}}` to close `${{`, found {}",
                describe_found(text, at)
            ),
        )
        .label("unexpected here")
        .help("an interpolation holds one reference, like `${nats.host}`");
    }
    if let Some(quote) = context.open_string {
        return unterminated_string(quote);
    }
    if expected.contains(&Rule::close_brace)
        && let Some(diagnostic) = unclosed_block(file, text, position, &context)
    {
        return diagnostic;
    }
    unexpected(text, at, &expected, &context)
}

/// Where parsing can start again after an error at `position`: the next line that
/// starts at column 0 with a name (a top-level block or `use`).
pub fn resume_point(text: &str, position: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = position.min(bytes.len());
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            let next = i + 1;
            if next < bytes.len() && (bytes[next].is_ascii_alphabetic() || bytes[next] == b'_') {
                return Some(next);
            }
        }
        i += 1;
    }
    None
}

fn unterminated_string(quote: Span) -> Diagnostic {
    Diagnostic::new(Code::E0103, quote, "unterminated string")
        .label("this string is never closed")
        .help("close the string with `\"`; write `\\\"` for a quote inside it")
}

/// A `}` was expected: at the end of the file, or where a new top-level block
/// starts inside an open one.
fn unclosed_block(
    file: FileId,
    text: &str,
    position: usize,
    context: &Context,
) -> Option<Diagnostic> {
    let at_end = text[position..].trim().is_empty();
    if let Some(inner) = context.nested_top_level.first() {
        let outer = context
            .blocks
            .iter()
            .find(|b| b.header.start < inner.header.start)?;
        return Some(
            Diagnostic::new(
                Code::E0102,
                inner.header,
                format!(
                    "expected `}}` to close {} before {}",
                    outer.describe(),
                    inner.describe()
                ),
            )
            .label(format!(
                "{} starts here, inside {}",
                inner.describe(),
                outer.describe()
            ))
            .also(outer.header, format!("{} is opened here", outer.describe()))
            .help(format!("add `}}` at the end of {}", outer.describe())),
        );
    }
    if !at_end {
        return None;
    }
    let innermost = context.blocks.last()?;
    let end = text.trim_end().len();
    Some(
        Diagnostic::new(
            Code::E0102,
            Span::new(file, end, end),
            format!("expected `}}` to close {}", innermost.describe()),
        )
        .label("the file ends here")
        .also(
            innermost.header,
            format!("{} is opened here", innermost.describe()),
        )
        .help(format!("add `}}` at the end of {}", innermost.describe())),
    )
}

/// Any other error: say what was expected and what was found.
fn unexpected(text: &str, at: Span, expected: &[Rule], context: &Context) -> Diagnostic {
    let found = describe_found(text, at);
    let mut words: Vec<String> = Vec::new();
    for rule in expected {
        let word = match rule {
            Rule::close_brace => match context.blocks.last() {
                Some(block) => format!("`}}` to close {}", block.describe()),
                None => "`}`".to_string(),
            },
            other => rule_name(*other).to_string(),
        };
        if !words.contains(&word) {
            words.push(word);
        }
    }
    let previous = previous_word(text, at.start as usize);
    let message = match (words.as_slice(), previous) {
        ([], _) => format!("unexpected {found}"),
        (_, _) if expected.contains(&Rule::EOI) || context.blocks.is_empty() => {
            format!("expected a top-level block such as `service NAME {{ ... }}`, found {found}")
        }
        (words, Some(prev)) if expects_assign_or_block(expected) => {
            let _ = words;
            format!("expected `=` or `{{` after `{prev}`, found {found}")
        }
        (words, _) => format!("expected {}, found {found}", join_or(words)),
    };
    let help = help_for(expected, context, &found);
    Diagnostic::new(Code::E0101, at, message)
        .label("unexpected here")
        .maybe_help(help)
}

fn expects_assign_or_block(expected: &[Rule]) -> bool {
    expected.contains(&Rule::assign) && expected.contains(&Rule::open_brace)
}

fn help_for(expected: &[Rule], context: &Context, found: &str) -> Option<String> {
    if expects_assign_or_block(expected) {
        return Some(
            "attributes are written `name = value`; blocks are written `name { ... }`".into(),
        );
    }
    if expected.contains(&Rule::value) || expected.contains(&Rule::string) {
        return Some(
            "a value is a string (\"text\"), a number (8080), a size (512mb), a duration (30s), \
             a boolean, a list ([a, b]), a map ({ a = 1 }) or a name (sjc, nats.host)"
                .into(),
        );
    }
    if expected.contains(&Rule::close_bracket) {
        return Some("close the list with `]`; separate its items with `,`".into());
    }
    if found == "`}`" {
        return Some("remove the extra `}`".into());
    }
    if expected.contains(&Rule::EOI) || context.blocks.is_empty() {
        return Some(
            "the top level holds blocks such as `project NAME { ... }` and `service NAME { ... }`"
                .into(),
        );
    }
    None
}

/// The span of the token starting at `position` (one character, or empty at the end).
fn token_span(file: FileId, text: &str, position: usize) -> Span {
    let rest = &text[position.min(text.len())..];
    let Some(first) = rest.chars().next() else {
        return Span::new(file, position, position);
    };
    let len = if first.is_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
            .unwrap_or(rest.len())
    } else {
        first.len_utf8()
    };
    Span::new(file, position, position + len)
}

fn describe_found(text: &str, at: Span) -> String {
    if at.is_empty() {
        return "the end of the file".to_string();
    }
    let token = &text[at.range()];
    match token.chars().next() {
        Some('\n') => "the end of the line".to_string(),
        Some(c) if c.is_control() => format!("the character {c:?}"),
        _ => format!("`{token}`"),
    }
}

/// The word just before `position`, if the previous token is a word.
fn previous_word(text: &str, position: usize) -> Option<&str> {
    let before = text[..position.min(text.len())].trim_end();
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '-'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[start..];
    (!word.is_empty() && word.starts_with(|c: char| c.is_alphabetic() || c == '_')).then_some(word)
}

fn join_or(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
