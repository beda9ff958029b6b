//! Formatting: what the printer asks of the original text: lines, columns,
//! blank lines, and where the punctuation the tree does not keep is.

use crate::span::Span;
use crate::syntax::ast::Comment;

/// The text a tree was parsed from, with its line starts and comments.
pub struct Source<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    comments: &'a [Comment],
}

impl<'a> Source<'a> {
    /// Indexes `text`, whose comments are `comments` (in order).
    pub fn new(text: &'a str, comments: &'a [Comment]) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        Source {
            text,
            line_starts,
            comments,
        }
    }

    /// The text's length in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// The line (from 0) byte `at` is on; a line break belongs to the line it ends.
    pub fn line(&self, at: usize) -> usize {
        self.line_starts.partition_point(|start| *start <= at) - 1
    }

    /// The column (in characters, from 0) of byte `at`.
    pub fn column(&self, at: usize) -> usize {
        let start = self.line_starts[self.line(at)];
        self.text.get(start..at).map_or(0, |s| s.chars().count())
    }

    /// How many spaces and tabs start the line byte `at` is on.
    pub fn indentation(&self, at: usize) -> usize {
        let start = self.line_starts[self.line(at)];
        let line = self.text.get(start..).unwrap_or("");
        line.len() - line.trim_start_matches([' ', '\t']).len()
    }

    /// How many spaces and tabs come right before byte `at`.
    pub fn gap_before(&self, at: usize) -> usize {
        let before = self.text.get(..at).unwrap_or("");
        before.len() - before.trim_end_matches([' ', '\t']).len()
    }

    /// Whether `span` starts and ends on the same line.
    pub fn one_line(&self, span: Span) -> bool {
        let (start, end) = (span.start as usize, span.end as usize);
        self.line(start) == self.line(end.saturating_sub(1).max(start))
    }

    /// Whether at least one empty line separates byte `end` (the end of one
    /// piece) from byte `start` (the start of the next), with only blanks between.
    pub fn blank_between(&self, end: usize, start: usize) -> bool {
        self.line(start) >= self.line(end) + 2
    }

    /// Whether a comment starts in `start..end`.
    pub fn has_comment(&self, start: usize, end: usize) -> bool {
        let first = self
            .comments
            .partition_point(|c| (c.span.start as usize) < start);
        self.comments
            .get(first)
            .is_some_and(|c| (c.span.start as usize) < end)
    }

    /// Whether a comment starts in `span`.
    pub fn has_comment_in(&self, span: Span) -> bool {
        self.has_comment(span.start as usize, span.end as usize)
    }

    /// The byte at `at`, if any.
    pub fn byte(&self, at: usize) -> Option<u8> {
        self.text.as_bytes().get(at).copied()
    }

    /// The text of `span`.
    pub fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// The offset of the first byte at or after `at` that is neither blank
    /// nor part of a comment.
    pub fn next_token(&self, mut at: usize) -> usize {
        let bytes = self.text.as_bytes();
        while at < bytes.len() {
            match bytes[at] {
                b' ' | b'\t' | b'\r' | b'\n' => at += 1,
                b'#' => {
                    while at < bytes.len() && bytes[at] != b'\n' {
                        at += 1;
                    }
                }
                _ => break,
            }
        }
        at
    }

    /// The offset of the next token after `at` if it is `byte`.
    pub fn next_is(&self, at: usize, byte: u8) -> Option<usize> {
        let next = self.next_token(at);
        (self.byte(next) == Some(byte)).then_some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_columns_and_blank_lines() {
        let text = "ab\n\ncd é x\n";
        let source = Source::new(text, &[]);
        assert_eq!(source.line(0), 0);
        assert_eq!(source.line(2), 0);
        assert_eq!(source.line(4), 2);
        assert_eq!(source.column(text.find('x').unwrap_or(0)), 5);
        assert!(source.blank_between(2, 4));
        assert!(!source.blank_between(0, 2));
        assert_eq!(source.next_token(2), 4);
        assert_eq!(source.gap_before(text.find('x').unwrap_or(0)), 1);
    }
}
