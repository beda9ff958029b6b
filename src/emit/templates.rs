//! The handlebars templates flyx renders Dockerfiles and their companions from:
//! built into the binary from `stdlib/dockerfiles/`, each replaceable by a
//! project's own. Compiled once per build, strict, with HTML escaping off.

use std::sync::Arc;

use handlebars::Handlebars;
use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::FileId;
use crate::span::Span;

/// Every template, by the file name a project uses to replace it.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "rust.Dockerfile.hbs",
        include_str!("../../stdlib/dockerfiles/rust.Dockerfile.hbs"),
    ),
    (
        "node.Dockerfile.hbs",
        include_str!("../../stdlib/dockerfiles/node.Dockerfile.hbs"),
    ),
    (
        "python.Dockerfile.hbs",
        include_str!("../../stdlib/dockerfiles/python.Dockerfile.hbs"),
    ),
    (
        "go.Dockerfile.hbs",
        include_str!("../../stdlib/dockerfiles/go.Dockerfile.hbs"),
    ),
    (
        "static.Dockerfile.hbs",
        include_str!("../../stdlib/dockerfiles/static.Dockerfile.hbs"),
    ),
    (
        "nginx.conf.hbs",
        include_str!("../../stdlib/dockerfiles/nginx.conf.hbs"),
    ),
    (
        "dockerignore.hbs",
        include_str!("../../stdlib/dockerfiles/dockerignore.hbs"),
    ),
];

/// Templates a project cannot replace.
const INTERNAL: &[(&str, &str)] = &[
    ("deploy.sh.hbs", include_str!("templates/deploy.sh.hbs")),
    (
        "deploy.sh.service.hbs",
        include_str!("templates/deploy.sh.service.hbs"),
    ),
];

/// The folder, beside the `.flyx` file, where a project puts its own templates.
pub const OVERRIDE_DIR: &str = "flyx/dockerfiles";

/// A project's replacement for a built-in template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateOverride {
    /// Which template it replaces: a name from [`BUILTIN`].
    pub name: String,
    /// The file it was read from, for diagnostics.
    pub file: FileId,
    /// Its text.
    pub text: Arc<str>,
}

/// The compiled templates of one build.
pub struct Templates {
    registry: Handlebars<'static>,
    overrides: Vec<TemplateOverride>,
}

impl Templates {
    /// Compiles the built-in templates, with the project's replacements.
    pub fn new(overrides: &[TemplateOverride]) -> Result<Templates, Diagnostics> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        let mut diagnostics = Diagnostics::new();
        for (name, text) in INTERNAL {
            if let Err(error) = registry.register_template_string(name, *text) {
                let reason = syntax_reason(error.reason());
                diagnostics.push(template_error(None, name, error.pos(), &reason));
            }
        }
        for (name, text) in BUILTIN {
            let custom = overrides.iter().find(|o| o.name == *name);
            let source: &str = custom.map_or(text, |o| &o.text);
            if let Err(error) = registry.register_template_string(name, source) {
                let reason = syntax_reason(error.reason());
                diagnostics.push(template_error(custom, name, error.pos(), &reason));
            }
        }
        if diagnostics.is_empty() {
            Ok(Templates {
                registry,
                overrides: overrides.to_vec(),
            })
        } else {
            Err(diagnostics)
        }
    }

    /// Renders template `name` from a typed context.
    pub fn render<T: Serialize>(&self, name: &str, context: &T) -> Result<String, Diagnostic> {
        let rendered = self.registry.render(name, context).map(|mut text| {
            // handlebars starts every output with 8 KB of room; a stack of
            // thousands of Dockerfiles would keep all of it.
            text.shrink_to_fit();
            text
        });
        rendered.map_err(|error| {
            let custom = self.overrides.iter().find(|o| o.name == name);
            let at = error.line_no.zip(error.column_no);
            let reason = match error.reason() {
                handlebars::RenderErrorReason::MissingVariable(Some(field)) => {
                    format!("`{field}` is not a field this template receives")
                }
                other => other.to_string(),
            };
            template_error(custom, name, at, &reason)
        })
    }
}

/// What is wrong with a template's syntax, without the parser's rule names.
fn syntax_reason(reason: &handlebars::TemplateErrorReason) -> String {
    use handlebars::TemplateErrorReason as Reason;
    match reason {
        Reason::InvalidSyntax(_) => {
            "invalid handlebars syntax (an unclosed `{{#block}}` or a stray `{{`?)".to_string()
        }
        other => other.to_string(),
    }
}

/// An error in a template: in the project's own file, with a span at the line
/// handlebars names; in a built-in one, a bug of flyx's, said as such.
fn template_error(
    custom: Option<&TemplateOverride>,
    name: &str,
    at: Option<(usize, usize)>,
    reason: &str,
) -> Diagnostic {
    let Some(custom) = custom else {
        return Diagnostic::new(
            Code::E0406,
            Span::default(),
            format!("flyx's built-in template `{name}` failed: {reason}"),
        )
        .help("this is a bug in flyx; please report it with the .flyx file");
    };
    let offset = at.map_or(0, |(line, column)| offset_of(&custom.text, line, column));
    let end = custom.text[offset..]
        .find('\n')
        .map_or(custom.text.len(), |n| offset + n);
    let line = at.map_or(String::new(), |(line, _)| format!(" at line {line}"));
    Diagnostic::new(
        Code::E0406,
        Span::new(custom.file, offset, end.max(offset)),
        format!("template `{OVERRIDE_DIR}/{name}` fails{line}: {reason}"),
    )
    .label("here")
    .help("fix the template, or delete it to use flyx's built-in one; docs/language.md lists the fields each template receives")
}

/// The byte offset of a 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line_text = text[start.min(text.len())..]
        .split('\n')
        .next()
        .unwrap_or("");
    let within: usize = line_text
        .chars()
        .take(column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    (start + within).min(text.len())
}
