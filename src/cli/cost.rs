//! `flyx cost [FILE] [--env ENV] [--format text|json]`: the monthly estimate
//! of a stack from Fly.io's published prices. Writes nothing.

use std::path::PathBuf;

use super::report::{CliError, Format, Reporter};
use super::{EXIT_OK, GlobalArgs, input};
use crate::cost::{self, Prices};
use crate::diagnostic::Code;

/// How to print the estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CostFormat {
    /// A table for people.
    Text,
    /// JSON for programs; the total is `total_usd_per_month`.
    Json,
}

/// Estimate what a stack costs a month on Fly.io.
#[derive(Debug, clap::Args)]
pub struct CostArgs {
    /// The .flyx file; by default the only one in the current folder.
    pub file: Option<PathBuf>,
    /// Estimate this environment instead of the base stack.
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// How to print the estimate; problems always go to stderr as text.
    #[arg(long, value_enum, default_value_t = CostFormat::Text)]
    pub format: CostFormat,
}

impl CostArgs {
    /// Runs `flyx cost` and returns the exit code.
    pub fn run(self, global: &GlobalArgs) -> u8 {
        let mut reporter = Reporter::new(global, Format::Text);
        let code = self.estimate(&mut reporter);
        reporter.finish();
        code
    }

    fn estimate(&self, reporter: &mut Reporter) -> u8 {
        let (loaded, topology) =
            match input::checked_topology(self.file.as_deref(), self.env.as_deref(), reporter) {
                Ok(both) => both,
                Err(code) => return code,
            };
        let estimate = cost::estimate(&topology, &Prices::builtin(), self.env.as_deref());
        let printed = match self.format {
            CostFormat::Text => cost::to_text(&estimate),
            CostFormat::Json => match serde_json::to_string_pretty(&cost::to_json(&estimate)) {
                Ok(json) => format!("{json}\n"),
                Err(e) => {
                    let error = CliError::io(Code::E0409, format!("cannot print JSON: {e}"));
                    return reporter.error(&error, Some(&loaded.name));
                }
            },
        };
        super::console::out(&printed);
        EXIT_OK
    }
}
