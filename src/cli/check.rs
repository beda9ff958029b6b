//! `flyx check [FILE]`: validate a stack and report every problem.

use std::path::PathBuf;

use super::report::{Format, Reporter};
use super::{EXIT_INPUT, EXIT_OK, GlobalArgs, input};

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
        let mut reporter = Reporter::new(global, self.format);
        let code = self.check(&mut reporter);
        reporter.finish();
        code
    }

    fn check(&self, reporter: &mut Reporter) -> u8 {
        let loaded = match input::load(self.file.as_deref()) {
            Ok(loaded) => loaded,
            Err((error, file)) => return reporter.error(&error, file.as_deref()),
        };
        let checked =
            crate::check_every_environment(&loaded.sources, loaded.root, &input::FsLoader);
        reporter.diagnostics(&checked.diagnostics, &checked.sources);
        let failed = checked.diagnostics.has_errors()
            || (self.deny_warnings && checked.diagnostics.warning_count() > 0);
        if failed {
            return EXIT_INPUT;
        }
        if reporter.is_text()
            && let Some(topology) = &checked.topology
        {
            let stack = &topology.stack;
            super::console::out(&format!(
                "{}: {} ok\n",
                loaded.name,
                count_of(stack.services.len(), stack.stores.len())
            ));
        }
        EXIT_OK
    }
}

fn count_of(services: usize, stores: usize) -> String {
    let services = if services == 1 {
        "1 service".to_string()
    } else {
        format!("{services} services")
    };
    match stores {
        0 => services,
        1 => format!("{services} and 1 data store"),
        n => format!("{services} and {n} data stores"),
    }
}
