//! Rendering diagnostics: as miette reports for people, as JSON for editors and CI.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

use super::{Diagnostic, Diagnostics, Severity};
use crate::source::{FileId, SourceFile, Sources};
use std::sync::Arc;

/// Lines longer than this are not drawn: a snippet of a minified or generated
/// line would flood the terminal. The diagnostic says where instead.
const LONGEST_LINE_SHOWN: usize = 1000;

/// Labels more than this many lines apart are drawn as separate excerpts, each
/// with its own line numbers, instead of one snippet of every line between.
const SEPARATE_EXCERPTS_AFTER: usize = 6;

/// What [`Excerpt`] adds to an excerpt's line count so that miette merges two
/// labels' excerpts exactly when they are at most [`SEPARATE_EXCERPTS_AFTER`]
/// lines apart: miette reads one line of context on each side of a label, so
/// two excerpts of labels `d` lines apart are `d - 3` lines from touching.
const MERGE_SLACK: usize = SEPARATE_EXCERPTS_AFTER - 3;

/// A diagnostic bound to its source text, in the shape miette renders.
#[derive(Debug)]
pub struct Report {
    code: &'static str,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    /// The file to draw the labels in, unless a line is too long to draw.
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    /// Binds `diagnostic` to the files it points into. Labels in other files than
    /// the primary one become related reports, so each shows its own file.
    pub fn new(diagnostic: &Diagnostic, sources: &Sources) -> Report {
        let file = diagnostic.primary.span.file;
        let mut labels = vec![labeled(
            &diagnostic.primary.message,
            diagnostic.primary.span,
            true,
        )];
        let mut related = Vec::new();
        // A template's copies share their file's name and text: labels in
        // any of them are drawn in the one snippet.
        let same_file = |other: FileId| {
            other == file || {
                let (a, b) = (sources.get(other), sources.get(file));
                a.name == b.name && Arc::ptr_eq(&a.text, &b.text)
            }
        };
        for label in &diagnostic.secondary {
            if same_file(label.span.file) {
                labels.push(labeled(&label.message, label.span, false));
            } else {
                related.push(Report::shown(
                    diagnostic.code.as_str(),
                    miette::Severity::Advice,
                    label.message.clone(),
                    None,
                    sources,
                    label.span,
                    vec![labeled("", label.span, true)],
                ));
            }
        }
        let severity = match diagnostic.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        };
        let mut report = Report::shown(
            diagnostic.code.as_str(),
            severity,
            diagnostic.message.clone(),
            diagnostic.help.clone(),
            sources,
            diagnostic.primary.span,
            labels,
        );
        report.related = related;
        report
    }

    /// A report drawing `labels` in the file of `at`; or, when one of their
    /// lines is too long to draw, saying where `at` is instead.
    fn shown(
        code: &'static str,
        severity: miette::Severity,
        message: String,
        help: Option<String>,
        sources: &Sources,
        at: crate::span::Span,
        labels: Vec<LabeledSpan>,
    ) -> Report {
        let file = sources.get(at.file);
        // Every line miette would draw: each label's lines and one around.
        let longest = labels
            .iter()
            .flat_map(|l| {
                let first = file.line_index(l.offset()).saturating_sub(1);
                let last = file.line_index(l.offset() + l.len()) + 1;
                first..=last
            })
            .map(|line| file.line_range(line).len())
            .max()
            .unwrap_or(0);
        let (message, source, labels) = if longest > LONGEST_LINE_SHOWN {
            let (line, column) = sources.line_column(at.file, at.start as usize);
            let message = format!(
                "{message} (at {}:{line}:{column}; a line there has {longest} bytes, too long to show)",
                file.name
            );
            (message, None, Vec::new())
        } else {
            (message, Some(Excerpt::of(file)), labels)
        };
        Report {
            code,
            severity,
            message,
            help,
            source,
            labels,
            related: Vec::new(),
        }
    }
}

/// A file's text as miette reads it: only the lines around a span, found
/// through the file's line index, so drawing many reports on a huge file stays
/// fast.
#[derive(Debug)]
struct Excerpt {
    file: SourceFile,
}

impl Excerpt {
    fn of(file: &SourceFile) -> Excerpt {
        Excerpt { file: file.clone() }
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text: &str = &self.file.text;
        let start = span.offset();
        let end = start + span.len();
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        // The lines miette asks for, and one more on each side, as a window
        // that starts at a line start; miette reads the window as usual.
        let first = self.file.line_index(start);
        let last = self.file.line_index(end.saturating_sub(1).max(start));
        let first_shown = first.saturating_sub(before + 1);
        let from = self.file.line_starts()[first_shown];
        let to = self
            .file
            .line_starts()
            .get(last + after + 2)
            .copied()
            .unwrap_or(text.len());
        let window = &text[from..to];
        let inner = window.read_span(
            &SourceSpan::new((start - from).into(), span.len()),
            before,
            after,
        )?;
        let shown = SourceSpan::new((inner.span().offset() + from).into(), inner.span().len());
        let first_line = inner.line() + first_shown;
        let last_line = self.file.line_index(
            (shown.offset() + shown.len())
                .saturating_sub(1)
                .max(shown.offset()),
        );
        Ok(Box::new(MietteSpanContents::new_named(
            self.file.name.clone(),
            inner.data(),
            shown,
            first_line,
            inner.column(),
            // miette merges two labels' excerpts when the first one's line
            // plus this count reaches the second one's first line. Counted
            // as miette does (from the start of the file), labels far down a
            // file always merged into one long snippet; counted as the
            // excerpt's own lines plus a slack, labels merge only when close.
            last_line.saturating_sub(first_line) + 1 + MERGE_SLACK,
        )))
    }
}

fn labeled(message: &str, span: crate::span::Span, primary: bool) -> LabeledSpan {
    let text = (!message.is_empty()).then(|| message.to_string());
    if primary {
        LabeledSpan::new_primary_with_span(text, span)
    } else {
        LabeledSpan::new_with_span(text, span)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

/// How to draw reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// Whether to use colour.
    pub color: bool,
    /// Width to wrap at.
    pub width: usize,
}

impl Style {
    /// No colour, 80 columns: what tests snapshot.
    pub fn plain() -> Style {
        Style {
            color: false,
            width: 80,
        }
    }
}

/// Renders every diagnostic, in source order, followed by a one-line summary.
pub fn to_text(diagnostics: &Diagnostics, sources: &Sources, style: Style) -> String {
    let handler = handler(style);
    let mut out = String::new();
    for diagnostic in diagnostics.sorted() {
        let report = Report::new(diagnostic, sources);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&diagnostic.message);
            out.push('\n');
        }
    }
    out.push_str(&summary(diagnostics));
    out
}

/// `2 errors, 1 warning`, or an empty string when there is nothing to say.
pub fn summary(diagnostics: &Diagnostics) -> String {
    let errors = diagnostics.error_count();
    let warnings = diagnostics.warning_count();
    let mut parts = Vec::new();
    if errors > 0 {
        parts.push(plural(errors, "error"));
    }
    if warnings > 0 {
        parts.push(plural(warnings, "warning"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}\n", parts.join(", "))
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// One diagnostic as `flyx check --format json` prints it.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct JsonDiagnostic {
    /// Stable code, e.g. `E0201`.
    pub code: &'static str,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// The message.
    pub message: String,
    /// The file the primary span is in.
    pub file: String,
    /// 1-based line of the start.
    pub line: usize,
    /// 1-based column (in characters) of the start.
    pub column: usize,
    /// 1-based line of the end.
    pub end_line: usize,
    /// 1-based column (in characters) one past the end.
    pub end_column: usize,
    /// What to do about it, if flyx knows.
    pub help: Option<String>,
}

/// The diagnostics in source order as JSON objects.
pub fn to_json(diagnostics: &Diagnostics, sources: &Sources) -> Vec<JsonDiagnostic> {
    diagnostics
        .sorted()
        .into_iter()
        .map(|d| {
            let span = d.primary.span;
            let (line, column) = sources.line_column(span.file, span.start as usize);
            let (end_line, end_column) = sources.line_column(span.file, span.end as usize);
            JsonDiagnostic {
                code: d.code.as_str(),
                severity: d.severity().as_str(),
                message: d.message.clone(),
                file: sources.get(span.file).name.clone(),
                line,
                column,
                end_line,
                end_column,
                help: d.help.clone(),
            }
        })
        .collect()
}

/// A problem with no source to point into, such as an unreadable file.
#[derive(Debug)]
struct Sourceless<'a> {
    code: &'static str,
    message: &'a str,
    help: Option<&'a str>,
}

impl fmt::Display for Sourceless<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for Sourceless<'_> {}

impl miette::Diagnostic for Sourceless<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.code))
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
}

/// Renders a problem that has no source span, in the same style as the others.
pub fn sourceless_to_text(
    code: super::Code,
    message: &str,
    help: Option<&str>,
    style: Style,
) -> String {
    let report = Sourceless {
        code: code.as_str(),
        message,
        help,
    };
    let mut out = String::new();
    if handler(style).render_report(&mut out, &report).is_err() {
        out = format!("error[{code}]: {message}\n");
    }
    out
}

fn handler(style: Style) -> GraphicalReportHandler {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
}
