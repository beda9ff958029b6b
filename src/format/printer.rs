//! Formatting: prints a syntax tree in the canonical layout, putting every
//! comment back between the same pieces of syntax (rules in `docs/language.md`,
//! "Formatting").

use super::MAX_WIDTH;
use super::flat;
use super::source::Source;
use crate::syntax::ast::*;

/// One piece of a body: a line of a file, block, loop, list, map or parameter list.
#[derive(Clone, Copy)]
pub(super) enum Elem<'a> {
    Item(&'a Item),
    Entry(&'a Entry),
    Value(&'a Value),
    Pair(&'a MapEntry),
    Param(&'a Param),
}

impl Elem<'_> {
    /// Where the piece starts and ends in the source.
    fn span(&self) -> (usize, usize) {
        let span = match self {
            Elem::Item(Item::Use(u)) => u.span,
            Elem::Item(Item::For(f)) => f.span,
            Elem::Item(Item::Block(b)) => b.span,
            Elem::Entry(Entry::Attribute(a)) => a.span,
            Elem::Entry(Entry::Block(b)) => b.span,
            Elem::Value(v) => v.span,
            Elem::Pair(p) => p.key.span.to(p.value.span),
            Elem::Param(p) => match &p.default {
                Some(default) => p.name.span.to(default.span),
                None => p.name.span,
            },
        };
        (span.start as usize, span.end as usize)
    }

    /// The key and value of a `key = value` piece.
    fn key_value(&self) -> Option<(&Ident, &Value)> {
        match self {
            Elem::Entry(Entry::Attribute(a)) => Some((&a.key, &a.value)),
            Elem::Pair(p) => Some((&p.key, &p.value)),
            _ => None,
        }
    }

    fn is_use(&self) -> bool {
        matches!(self, Elem::Item(Item::Use(_)))
    }
}

/// How a body is laid out.
struct Body {
    /// Indentation level of its pieces.
    level: usize,
    /// The opening token's offset, `None` for the file itself.
    open: Option<usize>,
    /// The closing token's offset (the end of the text for the file).
    close: usize,
    /// Whether each piece ends with a comma (lists, maps, parameters).
    commas: bool,
    /// Whether this is the file: a blank line between items.
    top: bool,
    /// Column widths when the pieces are one-line maps printed as a table.
    table: Option<Vec<usize>>,
}

/// Prints one tree.
pub(super) struct Printer<'a> {
    pub(super) source: Source<'a>,
    comments: &'a [Comment],
    next: usize,
    out: String,
}

impl<'a> Printer<'a> {
    pub(super) fn new(text: &'a str, comments: &'a [Comment]) -> Self {
        Printer {
            source: Source::new(text, comments),
            comments,
            next: 0,
            out: String::new(),
        }
    }

    /// Prints the file and returns the text.
    pub(super) fn file(mut self, file: &File) -> String {
        let elems: Vec<Elem<'_>> = file.items.iter().map(Elem::Item).collect();
        let body = Body {
            level: 0,
            open: None,
            close: self.source.len(),
            commas: false,
            top: true,
            table: None,
        };
        self.body(&elems, &body);
        // Never lose a comment, even one the layout did not reach.
        while let Some(comment) = self.take_before(usize::MAX) {
            self.out.push_str(&comment.text);
            self.newline();
        }
        let text = self.out.trim_end();
        if text.is_empty() {
            String::new()
        } else {
            format!("{text}\n")
        }
    }

    // -----------------------------------------------------------------------
    // Output
    // -----------------------------------------------------------------------

    fn push(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn newline(&mut self) {
        let trimmed = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(trimmed);
        self.out.push('\n');
    }

    fn indent(&mut self, level: usize) {
        for _ in 0..level {
            self.out.push_str("  ");
        }
    }

    /// The current output column, in characters.
    fn column(&self) -> usize {
        let line_start = self.out.rfind('\n').map_or(0, |at| at + 1);
        self.out[line_start..].chars().count()
    }

    /// How many spaces start the current output line.
    fn line_indentation(&self) -> usize {
        let line_start = self.out.rfind('\n').map_or(0, |at| at + 1);
        let line = &self.out[line_start..];
        line.len() - line.trim_start_matches(' ').len()
    }

    // -----------------------------------------------------------------------
    // Comments
    // -----------------------------------------------------------------------

    /// The next unprinted comment if it starts before `limit`, consumed.
    fn take_before(&mut self, limit: usize) -> Option<&'a Comment> {
        let comment = self.comments.get(self.next)?;
        if (comment.span.start as usize) < limit {
            self.next += 1;
            Some(comment)
        } else {
            None
        }
    }

    /// The next unprinted comment if it starts before `limit` on source line `line`.
    fn take_on_line(&mut self, line: usize, limit: usize) -> Option<&'a Comment> {
        let comment = self.comments.get(self.next)?;
        let start = comment.span.start as usize;
        if start < limit && self.source.line(start) == line {
            self.next += 1;
            Some(comment)
        } else {
            None
        }
    }

    /// Ends the current line with a comment: one space after the code, or,
    /// when it was aligned (more than one space before it), as far from the
    /// line's indentation as it was written, if the code leaves room.
    fn trailing(&mut self, comment: &Comment) {
        let start = comment.span.start as usize;
        let column = self.column();
        let from_indentation = self
            .source
            .column(start)
            .saturating_sub(self.source.indentation(start));
        let wanted = self.line_indentation() + from_indentation;
        if self.source.gap_before(start) > 1 && wanted > column {
            self.push(&" ".repeat(wanted - column));
        } else {
            self.push(" ");
        }
        self.push(&comment.text);
    }

    /// Comments inside a piece, before `at`, where no line is expected (between
    /// a key and its value, say): each ends the line, and the piece goes on
    /// on the next one, indented one more level.
    fn inline_comments(&mut self, at: usize, level: usize) {
        while let Some(comment) = self.take_before(at) {
            self.trailing(comment);
            self.newline();
            self.indent(level + 1);
        }
    }

    // -----------------------------------------------------------------------
    // Bodies
    // -----------------------------------------------------------------------

    /// Prints pieces one a line, with the comments between them, after the
    /// opening token and up to (not including) the closing one.
    fn body(&mut self, elems: &[Elem<'_>], body: &Body) {
        let mut last_end = None;
        if let Some(open) = body.open {
            let limit = elems.first().map_or(body.close, |e| e.span().0);
            self.trailing_on(open, limit);
            self.newline();
        }
        let pads = self.alignment(elems, body.level);
        for (i, elem) in elems.iter().enumerate() {
            let (start, end) = elem.span();
            let forced = body.top && i > 0 && !self.grouped(&elems[i - 1], elem);
            let (after_comments, commented) =
                self.comment_lines(start, last_end, forced, body.level);
            self.separate(after_comments, start, forced && !commented);
            self.indent(body.level);
            self.elem(elem, body, pads[i]);
            if body.commas {
                self.push(",");
            }
            let limit = elems.get(i + 1).map_or(body.close, |e| e.span().0);
            last_end = Some(
                self.trailing_on(end.saturating_sub(1), limit)
                    .unwrap_or(end),
            );
            self.newline();
        }
        self.comment_lines(body.close, last_end, false, body.level);
    }

    /// Prints the comments before `before` on their own lines, the first
    /// after a blank line when `forced`; returns where the last one ends
    /// (or `last_end` if there is none) and whether there was one.
    fn comment_lines(
        &mut self,
        before: usize,
        mut last_end: Option<usize>,
        forced: bool,
        level: usize,
    ) -> (Option<usize>, bool) {
        let mut printed = false;
        while let Some(comment) = self.take_before(before) {
            self.separate(last_end, comment.span.start as usize, forced && !printed);
            self.own_line(comment, level);
            last_end = Some(comment.span.end as usize);
            printed = true;
        }
        (last_end, printed)
    }

    /// Ends the current line with the comment written after byte `at` on its
    /// line, if one starts before `limit`; returns where it ends.
    fn trailing_on(&mut self, at: usize, limit: usize) -> Option<usize> {
        let comment = self.take_on_line(self.source.line(at), limit)?;
        self.trailing(comment);
        Some(comment.span.end as usize)
    }

    /// Whether two top-level items may go on consecutive lines: both are
    /// `use` lines, or both print on one line and were written on
    /// consecutive lines (`postgres db {}` over `redis cache {}`).
    fn grouped(&self, before: &Elem<'_>, after: &Elem<'_>) -> bool {
        if before.is_use() && after.is_use() {
            return true;
        }
        self.one_liner(before) && self.one_liner(after) && self.adjacent(before, after)
    }

    /// Whether a top-level block prints on one line.
    fn one_liner(&self, elem: &Elem<'_>) -> bool {
        let Elem::Item(Item::Block(block)) = elem else {
            return false;
        };
        self.flat_block(block)
            .is_some_and(|text| text.chars().count() <= MAX_WIDTH)
    }

    /// A blank line before the next piece when one is due or was written.
    fn separate(&mut self, last_end: Option<usize>, next: usize, forced: bool) {
        if let Some(end) = last_end
            && (forced || self.source.blank_between(end, next))
        {
            self.newline();
        }
    }

    fn own_line(&mut self, comment: &Comment, level: usize) {
        self.indent(level);
        self.push(&comment.text);
        self.newline();
    }

    /// For each piece, the width its key is padded to so the `=` of
    /// consecutive one-line `key = value` pieces line up; `None` for the rest.
    fn alignment(&self, elems: &[Elem<'_>], level: usize) -> Vec<Option<usize>> {
        let mut pads = vec![None; elems.len()];
        let mut run: Vec<usize> = Vec::new();
        for (i, elem) in elems.iter().enumerate() {
            let aligned = self.one_line_key_value(elem, level);
            let joined = i > 0 && !run.is_empty() && self.adjacent(&elems[i - 1], elem);
            if !(aligned.is_some() && joined) {
                self.close_run(&run, elems, &mut pads);
                run.clear();
            }
            if aligned.is_some() {
                run.push(i);
            }
        }
        self.close_run(&run, elems, &mut pads);
        pads
    }

    fn close_run(&self, run: &[usize], elems: &[Elem<'_>], pads: &mut [Option<usize>]) {
        let width = run
            .iter()
            .filter_map(|i| elems[*i].key_value())
            .map(|(key, _)| flat::key(key).chars().count())
            .max();
        for i in run {
            pads[*i] = width;
        }
    }

    /// The key's width when `elem` is a `key = value` printed on one line.
    fn one_line_key_value(&self, elem: &Elem<'_>, level: usize) -> Option<usize> {
        let (key, value) = elem.key_value()?;
        let key_width = flat::key(key).chars().count();
        let text = self.flat_value_at(value, level * 2 + key_width + 3)?;
        (!text.contains('\n')).then_some(key_width)
    }

    /// Whether two pieces are in one paragraph: nothing but comment lines
    /// between them, no blank line. A comment line does not break the `=`
    /// alignment (people align a block's keys across the comments in it).
    fn adjacent(&self, before: &Elem<'_>, after: &Elem<'_>) -> bool {
        let (_, end) = before.span();
        let (start, _) = after.span();
        let end_line = self.source.line(end.saturating_sub(1));
        let start_line = self.source.line(start);
        let first = self
            .comments
            .partition_point(|c| (c.span.start as usize) < end);
        let mut comment_lines: Vec<usize> = self.comments[first..]
            .iter()
            .map(|c| c.span.start as usize)
            .take_while(|at| *at < start)
            .map(|at| self.source.line(at))
            .filter(|line| *line != end_line)
            .collect();
        comment_lines.dedup();
        start_line <= end_line + 1 + comment_lines.len()
    }

    // -----------------------------------------------------------------------
    // Pieces
    // -----------------------------------------------------------------------

    fn elem(&mut self, elem: &Elem<'_>, body: &Body, pad: Option<usize>) {
        let level = body.level;
        match elem {
            Elem::Item(Item::Use(u)) => self.use_line(u, level),
            Elem::Item(Item::For(f)) => self.for_loop(f, level),
            Elem::Item(Item::Block(b)) => self.block(b, level),
            Elem::Entry(Entry::Block(b)) => self.block(b, level),
            Elem::Entry(Entry::Attribute(a)) => self.key_value(&a.key, &a.value, level, pad),
            Elem::Pair(p) => self.key_value(&p.key, &p.value, level, pad),
            Elem::Param(p) => {
                self.push(&p.name.name);
                if let Some(default) = &p.default {
                    self.inline_comments(default.span.start as usize, level);
                    self.push(" = ");
                    let column = self.column();
                    self.value(default, level, column);
                }
            }
            Elem::Value(v) => match (&body.table, &v.kind) {
                (Some(widths), ValueKind::Map(entries)) => {
                    let row = flat::table_row(entries, widths, &self.source);
                    self.push(&row);
                }
                _ => self.value(v, level, level * 2),
            },
        }
    }

    fn use_line(&mut self, line: &Use, level: usize) {
        self.push("use ");
        match &line.target {
            UseTarget::Path(_, span) => {
                self.inline_comments(span.start as usize, level);
                let written = self.source.slice(*span);
                self.push(written);
            }
            UseTarget::Module(name) => {
                self.inline_comments(name.span.start as usize, level);
                self.push(&name.name);
            }
        }
    }

    fn key_value(&mut self, key: &Ident, value: &Value, level: usize, pad: Option<usize>) {
        let key_text = flat::key(key);
        let key_width = key_text.chars().count();
        self.push(&key_text);
        self.inline_comments(value.span.start as usize, level);
        if let Some(width) = pad {
            self.push(&" ".repeat(width.saturating_sub(key_width)));
        }
        self.push(" = ");
        self.value(value, level, level * 2 + key_width + 3);
    }

    fn for_loop(&mut self, f: &ForLoop, level: usize) {
        self.push("for ");
        self.inline_comments(f.var.span.start as usize, level);
        self.push(&f.var.name);
        self.inline_comments(f.items.span.start as usize, level);
        self.push(" in ");
        let column = self.column();
        self.value(&f.items, level, column);
        let close = (f.span.end as usize).saturating_sub(1);
        let open = self
            .source
            .next_is(f.items.span.end as usize, b'{')
            .unwrap_or(close);
        self.inline_comments(open, level);
        let elems: Vec<Elem<'_>> = f.body.iter().map(Elem::Item).collect();
        self.braced(&elems, level, open, close);
    }

    /// ` { pieces }`, or ` {}` when there is nothing in it.
    fn braced(&mut self, elems: &[Elem<'_>], level: usize, open: usize, close: usize) {
        if elems.is_empty() && !self.source.has_comment(open, close) {
            self.push(" {}");
            return;
        }
        self.push(" {");
        let body = Body {
            level: level + 1,
            open: Some(open),
            close,
            commas: false,
            top: false,
            table: None,
        };
        self.body(elems, &body);
        self.indent(level);
        self.push("}");
    }

    fn block(&mut self, block: &Block, level: usize) {
        if let Some(text) = self.flat_block(block)
            && level * 2 + text.chars().count() <= MAX_WIDTH
        {
            self.push(&text);
            return;
        }
        self.header(block, level);
        let close = (block.span.end as usize).saturating_sub(1);
        let after_header = self.header_end(block);
        let open = self.source.next_is(after_header, b'{').unwrap_or(close);
        self.inline_comments(open, level);
        let elems: Vec<Elem<'_>> = block.entries.iter().map(Elem::Entry).collect();
        self.braced(&elems, level, open, close);
    }

    /// The block on one line, if it was written on one line without comments.
    fn flat_block(&self, block: &Block) -> Option<String> {
        if !self.source.one_line(block.span) || self.source.has_comment_in(block.span) {
            return None;
        }
        flat::block(block, &self.source)
    }

    /// `kind label(params) from template(args)`, parameters and arguments on
    /// one line when they were written so.
    fn header(&mut self, block: &Block, level: usize) {
        self.push(&block.kind.name);
        if let Some(label) = &block.label {
            self.inline_comments(label.span.start as usize, level);
            self.push(" ");
            self.push(&flat::key(label));
        }
        if let Some(params) = &block.params {
            let (open, close) = self.params_parens(block);
            self.inline_comments(open, level);
            let elems: Vec<Elem<'_>> = params.iter().map(Elem::Param).collect();
            let flat = flat::params(params, &self.source);
            self.parenthesized(&elems, level, open, close, flat);
        }
        if let Some(from) = &block.from {
            self.inline_comments(from.span.start as usize, level);
            self.push(" from ");
            self.inline_comments(from.template.span.start as usize, level);
            self.push(&from.template.name);
            if let Some((open, close)) = self.args_parens(from) {
                self.inline_comments(open, level);
                let elems: Vec<Elem<'_>> = from.args.iter().map(Elem::Pair).collect();
                let flat = flat::args(&from.args, &self.source);
                self.parenthesized(&elems, level, open, close, flat);
            }
        }
    }

    /// `(a, b)` on one line when written so, else one piece a line.
    fn parenthesized(
        &mut self,
        elems: &[Elem<'_>],
        level: usize,
        open: usize,
        close: usize,
        flat: Option<String>,
    ) {
        let uncommented = !self.source.has_comment(open, close);
        let one_line = self.source.line(open) == self.source.line(close);
        if uncommented
            && (one_line || elems.is_empty())
            && let Some(text) = flat
        {
            self.push(&text);
            return;
        }
        self.push("(");
        let body = Body {
            level: level + 1,
            open: Some(open),
            close,
            commas: true,
            top: false,
            table: None,
        };
        self.body(elems, &body);
        self.indent(level);
        self.push(")");
    }

    /// The offsets of a template's `(` and `)`.
    fn params_parens(&self, block: &Block) -> (usize, usize) {
        let after_name = block.label.as_ref().unwrap_or(&block.kind).span.end as usize;
        let open = self.source.next_token(after_name);
        let last_end = block
            .params
            .iter()
            .flatten()
            .map(|p| Elem::Param(p).span().1)
            .max()
            .unwrap_or(open + 1);
        let mut close = self.source.next_token(last_end);
        if self.source.byte(close) == Some(b',') {
            close = self.source.next_token(close + 1);
        }
        (open, close)
    }

    /// The offsets of the `(` and `)` after a `from` template, if written.
    fn args_parens(&self, from: &From) -> Option<(usize, usize)> {
        let open = self.source.next_is(from.template.span.end as usize, b'(')?;
        let close = (from.span.end as usize).saturating_sub(1);
        (self.source.byte(close) == Some(b')')).then_some((open, close))
    }

    /// Where the header ends: after the label, parameters or `from` clause.
    fn header_end(&self, block: &Block) -> usize {
        if let Some(from) = &block.from {
            return from.span.end as usize;
        }
        if block.params.is_some() {
            return self.params_parens(block).1 + 1;
        }
        block.header().end as usize
    }

    // -----------------------------------------------------------------------
    // Values
    // -----------------------------------------------------------------------

    /// The value on one line if it may be and fits when it starts at `column`.
    fn flat_value_at(&self, value: &Value, column: usize) -> Option<String> {
        let text = flat::value(value, &self.source)?;
        let fits = column + text.chars().count() <= MAX_WIDTH;
        let container = matches!(value.kind, ValueKind::List(_) | ValueKind::Map(_));
        (fits || !container).then_some(text)
    }

    /// Prints a value starting at `column`: on one line when it may be,
    /// else one item a line with trailing commas.
    fn value(&mut self, value: &Value, level: usize, column: usize) {
        if let Some(text) = self.flat_value_at(value, column) {
            self.push(&text);
            return;
        }
        let (open, close) = (
            value.span.start as usize,
            (value.span.end as usize).saturating_sub(1),
        );
        match &value.kind {
            ValueKind::List(items) => {
                let elems: Vec<Elem<'_>> = items.iter().map(Elem::Value).collect();
                let table = flat::table_widths(items, &self.source);
                self.delimited(&elems, level, (open, close), ("[", "]"), table);
            }
            ValueKind::Map(entries) => {
                let elems: Vec<Elem<'_>> = entries.iter().map(Elem::Pair).collect();
                self.delimited(&elems, level, (open, close), ("{", "}"), None);
            }
            _ => self.push(&flat::scalar(value)),
        }
    }

    fn delimited(
        &mut self,
        elems: &[Elem<'_>],
        level: usize,
        (open, close): (usize, usize),
        (left, right): (&str, &str),
        table: Option<Vec<usize>>,
    ) {
        if elems.is_empty() && !self.source.has_comment(open, close) {
            self.push(left);
            self.push(right);
            return;
        }
        self.push(left);
        let body = Body {
            level: level + 1,
            open: Some(open),
            close,
            commas: true,
            top: false,
            table,
        };
        self.body(elems, &body);
        self.indent(level);
        self.push(right);
    }
}
