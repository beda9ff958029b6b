//! Printing what a command found: diagnostics as text or JSON, and errors that
//! are about files rather than their contents.

use std::io::IsTerminal;

use super::{ColorChoice, EXIT_INPUT, EXIT_USAGE, GlobalArgs};
use crate::diagnostic::render::{self, JsonDiagnostic, Style};
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

/// A problem with a file itself (missing, unreadable, not text), not its contents.
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

    /// Adds a help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Prints the error and returns its exit code.
    pub fn report(&self, global: &GlobalArgs, format: Format, file: Option<&str>) -> u8 {
        match format {
            Format::Text => {
                let style = Style {
                    color: use_color(global.color),
                    width: terminal_width(),
                };
                eprint!(
                    "{}",
                    render::sourceless_to_text(
                        self.code,
                        &self.message,
                        self.help.as_deref(),
                        style
                    )
                );
            }
            Format::Json => {
                let json = serde_json::json!([{
                    "code": self.code.as_str(),
                    "severity": "error",
                    "message": self.message,
                    "file": file,
                    "line": null,
                    "column": null,
                    "end_line": null,
                    "end_column": null,
                    "help": self.help,
                }]);
                println!("{json:#}");
            }
        }
        self.exit
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

/// Prints diagnostics: text on stderr, or a JSON array on stdout.
pub fn print_diagnostics(
    diagnostics: &Diagnostics,
    sources: &Sources,
    global: &GlobalArgs,
    format: Format,
) {
    match format {
        Format::Text => {
            if diagnostics.is_empty() {
                return;
            }
            let style = Style {
                color: use_color(global.color),
                width: terminal_width(),
            };
            eprint!("{}", render::to_text(diagnostics, sources, style));
        }
        Format::Json => {
            let items: Vec<JsonDiagnostic> = render::to_json(diagnostics, sources);
            match serde_json::to_string_pretty(&items) {
                Ok(json) => println!("{json}"),
                Err(e) => eprintln!("cannot print diagnostics as JSON: {e}"),
            }
        }
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w: &usize| *w >= 40)
        .unwrap_or(100)
}
