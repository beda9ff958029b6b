//! `flyx fmt [FILE...] [--check]`: rewrite `.flyx` files in the canonical
//! layout (`crate::format`), or, with `--check`, list the ones that would change.

use std::path::{Path, PathBuf};

use super::report::{CliError, Format, Reporter};
use super::{EXIT_INPUT, EXIT_OK, EXIT_USAGE, GlobalArgs, input};
use crate::diagnostic::Code;
use crate::source::Sources;

/// Rewrite .flyx files in the canonical layout.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// .flyx files, or folders to search for them (hidden folders, `target`
    /// and links to folders are skipped); by default the only .flyx file in
    /// the current folder.
    pub files: Vec<PathBuf>,
    /// Write nothing: list the files that would change and exit 1 if any would.
    #[arg(long)]
    pub check: bool,
}

/// What happened to one file.
enum Outcome {
    /// Already formatted.
    Clean,
    /// Rewritten, or (with `--check`) would be.
    Changed,
    /// Not formatted: it does not parse, or cannot be read or written; the exit code.
    Failed(u8),
}

impl FmtArgs {
    /// Runs `flyx fmt` and returns the exit code.
    pub fn run(self, global: &GlobalArgs) -> u8 {
        let mut reporter = Reporter::new(global, Format::Text);
        let paths = match self.targets() {
            Ok(paths) => paths,
            Err(error) => return reporter.error(&error, None),
        };
        let mut code = EXIT_OK;
        for path in &paths {
            let name = input::display_name(path);
            let failed = match self.one(path, &name, &mut reporter) {
                Outcome::Clean => None,
                Outcome::Changed => {
                    super::console::out(&format!("{name}\n"));
                    self.check.then_some(EXIT_INPUT)
                }
                Outcome::Failed(exit) => Some(exit),
            };
            code = code.max(failed.unwrap_or(EXIT_OK));
        }
        reporter.finish();
        code
    }

    /// The files to format: those named, the `.flyx` files in the folders
    /// named, or the one the other commands would pick.
    fn targets(&self) -> Result<Vec<PathBuf>, CliError> {
        if self.files.is_empty() {
            return Ok(vec![input::locate(None)?]);
        }
        let mut paths = Vec::new();
        for file in &self.files {
            if file.is_dir() {
                flyx_files_in(file, &mut paths).map_err(|e| {
                    CliError::io(
                        Code::E0401,
                        format!("cannot list `{}`: {e}", file.display()),
                    )
                })?;
            } else {
                paths.push(file.clone());
            }
        }
        Ok(paths)
    }

    /// Formats one file, reporting why not when it cannot.
    fn one(&self, path: &Path, name: &str, reporter: &mut Reporter) -> Outcome {
        let text = match input::read(path) {
            Ok(text) => text,
            Err(error) => return Outcome::Failed(reporter.error(&error, Some(name))),
        };
        let (sources, file) = Sources::single(name, text.as_str());
        let formatted = match crate::format::format_file(&sources, file) {
            Ok(formatted) => formatted,
            Err(diagnostics) => {
                reporter.diagnostics(&diagnostics, &sources);
                return Outcome::Failed(EXIT_INPUT);
            }
        };
        if formatted == text {
            return Outcome::Clean;
        }
        if !self.check
            && let Err(e) = super::atomic::write(path, &formatted)
        {
            let error = CliError::io(Code::E0405, format!("cannot write `{name}`: {e}"))
                .help("check the file's and the folder's permissions");
            reporter.error(&error, Some(name));
            return Outcome::Failed(EXIT_USAGE);
        }
        Outcome::Changed
    }
}

/// Adds the `*.flyx` files under `dir` to `found`, in name order, skipping
/// hidden folders, `target` and symbolic links to folders.
fn flyx_files_in(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let skipped = name
            .as_deref()
            .is_none_or(|n| n.starts_with('.') || n == "target");
        let linked = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        if path.is_dir() {
            // A linked folder could lead back up the tree: not followed.
            if !skipped && !linked {
                flyx_files_in(&path, found)?;
            }
        } else if path.extension().is_some_and(|ext| ext == "flyx") && path.is_file() {
            found.push(path);
        }
    }
    Ok(())
}
