//! `flyx check [FILE]`: validate a stack and report every problem.

use std::path::PathBuf;
use std::sync::Arc;

use super::report::{Format, print_diagnostics};
use super::{EXIT_INPUT, EXIT_OK, GlobalArgs, input};
use crate::source::Sources;

/// Check a stack and report every problem.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The .flyx file; by default the only one in the current folder.
    pub file: Option<PathBuf>,
    /// How to print problems: text for people, json for editors and CI.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Fail on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

impl CheckArgs {
    /// Runs `flyx check` and returns the exit code.
    pub fn run(self, global: &GlobalArgs) -> u8 {
        let path = match input::locate(self.file.as_deref()) {
            Ok(path) => path,
            Err(error) => return error.report(global, self.format, None),
        };
        let name = input::display_name(&path);
        let text = match input::read(&path) {
            Ok(text) => text,
            Err(error) => return error.report(global, self.format, Some(&name)),
        };
        let (sources, root) = Sources::single(name.clone(), Arc::<str>::from(text));
        let checked = crate::check(&sources, root);
        print_diagnostics(&checked.diagnostics, &sources, global, self.format);
        let failed = checked.diagnostics.has_errors()
            || (self.deny_warnings && checked.diagnostics.warning_count() > 0);
        if failed {
            return EXIT_INPUT;
        }
        if self.format == Format::Text
            && let Some(topology) = &checked.topology
        {
            println!(
                "{name}: {} ok",
                count_of(
                    topology.stack.services.len(),
                    "service",
                    topology.stack.stores.len()
                )
            );
        }
        EXIT_OK
    }
}

fn count_of(services: usize, noun: &str, stores: usize) -> String {
    let services = if services == 1 {
        format!("1 {noun}")
    } else {
        format!("{services} {noun}s")
    };
    match stores {
        0 => services,
        1 => format!("{services} and 1 data store"),
        n => format!("{services} and {n} data stores"),
    }
}
