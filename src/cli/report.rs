//! Printing what a command found: diagnostics, and errors about files rather
//! than their contents. Text goes to stderr as it is found; JSON is gathered
//! and printed on stdout as one array when the command ends.

use std::io::IsTerminal;

use super::{ColorChoice, EXIT_INPUT, EXIT_USAGE, GlobalArgs};
use crate::diagnostic::render::{self, Style};
use crate::diagnostic::{Code, Diagnostics};
use crate::source::Sources;

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// For people: source excerpts with labels.
    #[default]
    Text,
    /// For editors and CI: a JSON array.
    Json,
}

/// A problem with a file itself (missing, unreadable, not writable), not its contents.
#[derive(Debug)]
pub struct CliError {
    code: Code,
    message: String,
    help: Option<String>,
    exit: u8,
}

impl CliError {
    /// A usage or I/O problem: exit code 2.
    pub fn io(code: Code, message: String) -> Self {
        CliError {
            code,
            message,
            help: None,
            exit: EXIT_USAGE,
        }
    }

    /// A problem with the input itself: exit code 1.
    pub fn input(code: Code, message: String) -> Self {
        CliError {
            code,
            message,
            help: None,
            exit: EXIT_INPUT,
        }
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Adds a help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Prints what one command run finds, in the format it was asked for.
pub struct Reporter {
    format: Format,
    style: Style,
    json: Vec<serde_json::Value>,
}

impl Reporter {
    /// A reporter for one run.
    pub fn new(global: &GlobalArgs, format: Format) -> Self {
        Reporter {
            format,
            style: Style {
                color: use_color(global.color),
                width: terminal_width(),
            },
            json: Vec::new(),
        }
    }

    /// Whether people are reading (text) rather than programs (JSON).
    pub fn is_text(&self) -> bool {
        self.format == Format::Text
    }

    /// Reports diagnostics: rendered on stderr now, or kept for the JSON array.
    pub fn diagnostics(&mut self, diagnostics: &Diagnostics, sources: &Sources) {
        match self.format {
            Format::Text if diagnostics.is_empty() => {}
            Format::Text => super::console::err(&render::to_text(diagnostics, sources, self.style)),
            Format::Json => self.json.extend(
                render::to_json(diagnostics, sources)
                    .into_iter()
                    .filter_map(|d| serde_json::to_value(d).ok()),
            ),
        }
    }

    /// Reports a file-level error and returns its exit code.
    pub fn error(&mut self, error: &CliError, file: Option<&str>) -> u8 {
        match self.format {
            Format::Text => super::console::err(&render::sourceless_to_text(
                error.code,
                &error.message,
                error.help.as_deref(),
                self.style,
            )),
            Format::Json => self.json.push(serde_json::json!({
                "code": error.code.as_str(),
                "severity": "error",
                "message": error.message,
                "file": file,
                "line": null,
                "column": null,
                "end_line": null,
                "end_column": null,
                "help": error.help,
            })),
        }
        error.exit
    }

    /// Prints the JSON array, when JSON was asked for.
    pub fn finish(self) {
        if self.format == Format::Json {
            match serde_json::to_string_pretty(&self.json) {
                Ok(json) => super::console::out(&format!("{json}\n")),
                Err(e) => super::console::err(&format!("cannot print diagnostics as JSON: {e}\n")),
            }
        }
    }
}

/// Whether to colour output on stderr.
pub fn use_color(choice: ColorChoice) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Never => false,
        ColorChoice::Always => !no_color,
        ColorChoice::Auto => !no_color && std::io::stderr().is_terminal(),
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w: &usize| *w >= 40)
        .unwrap_or(100)
}
