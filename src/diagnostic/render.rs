//! Rendering diagnostics: as miette reports for people, as JSON for editors and CI.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use serde::Serialize;

use super::{Diagnostic, Diagnostics, Severity};
use crate::source::{FileId, Sources};

/// A diagnostic bound to its source text, in the shape miette renders.
#[derive(Debug)]
pub struct Report {
    code: &'static str,
    severity: miette::Severity,
    message: String,
    help: Option<String>,
    source: NamedSource<Arc<str>>,
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
        for label in &diagnostic.secondary {
            if label.span.file == file {
                labels.push(labeled(&label.message, label.span, false));
            } else {
                related.push(Report {
                    code: diagnostic.code.as_str(),
                    severity: miette::Severity::Advice,
                    message: label.message.clone(),
                    help: None,
                    source: named_source(sources, label.span.file),
                    labels: vec![labeled("", label.span, true)],
                    related: Vec::new(),
                });
            }
        }
        Report {
            code: diagnostic.code.as_str(),
            severity: match diagnostic.severity() {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            message: diagnostic.message.clone(),
            help: diagnostic.help.clone(),
            source: named_source(sources, file),
            labels,
            related,
        }
    }
}

fn named_source(sources: &Sources, file: FileId) -> NamedSource<Arc<str>> {
    let source = sources.get(file);
    NamedSource::new(source.name.clone(), source.text.clone()).with_language("flyx")
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
        Some(&self.source)
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
