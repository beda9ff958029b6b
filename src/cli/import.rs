//! `flyx import PATH... [-o FILE]`: existing fly.toml files in, one `.flyx` out.

use std::path::{Path, PathBuf};

use super::report::{CliError, Format, Reporter};
use super::{EXIT_INPUT, EXIT_OK, GlobalArgs};
use crate::diagnostic::Code;
use crate::import::{self, Input, Options};

/// Import fly.toml files into one .flyx stack.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// fly.toml or fly.json files, or folders searched for them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The .flyx file to write; never overwritten unless --force.
    #[arg(short, long, default_value = "stack.flyx")]
    pub output: PathBuf,
    /// The region of apps whose file names none.
    #[arg(long)]
    pub region: Option<String>,
    /// The project's name; by default the first folder's name, else the first app's.
    #[arg(long)]
    pub project: Option<String>,
    /// The Fly organization the apps are in (deploy.sh looks them up there); `personal` by default.
    #[arg(long)]
    pub org: Option<String>,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// How to print problems: text for people, json for editors and CI.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

impl ImportArgs {
    /// Runs `flyx import` and returns the exit code.
    pub fn run(self, global: &GlobalArgs) -> u8 {
        let mut reporter = Reporter::new(global, self.format);
        let code = self.import(&mut reporter);
        reporter.finish();
        code
    }

    fn import(&self, reporter: &mut Reporter) -> u8 {
        if self.output.exists() && !self.force {
            let error = CliError::io(
                Code::E0404,
                format!(
                    "`{}` exists; flyx import does not overwrite it",
                    self.output.display()
                ),
            )
            .help("name another file with -o, or pass --force to replace it");
            return reporter.error(&error, None);
        }
        let files = match find_files(&self.paths) {
            Ok(files) => files,
            Err(error) => return reporter.error(&error, None),
        };
        let out_dir = absolute(self.output.parent().unwrap_or(Path::new("")));
        let mut inputs = Vec::new();
        for file in &files {
            let text = match std::fs::read_to_string(file) {
                Ok(text) => text,
                Err(e) => {
                    let error = CliError::io(
                        Code::E0401,
                        format!("cannot read `{}`: {e}", file.display()),
                    );
                    return reporter.error(&error, None);
                }
            };
            let folder = absolute(file.parent().unwrap_or(Path::new("")));
            inputs.push(Input {
                name: file.display().to_string(),
                dir: relative(&out_dir, &folder),
                text,
            });
        }
        let options = Options {
            project: self.project.clone().or_else(|| project_name(&self.paths)),
            region: self.region.clone(),
            org: self.org.clone(),
        };
        let imported = import::import(&inputs, &options);
        reporter.diagnostics(&imported.diagnostics, &imported.sources);
        let Some(text) = imported.flyx else {
            if reporter.is_text() {
                super::console::err("nothing written: fix the errors above and import again\n");
            }
            return EXIT_INPUT;
        };
        if let Err(e) = super::atomic::write(&self.output, &text) {
            let error = CliError::io(
                Code::E0405,
                format!("cannot write `{}`: {e}", self.output.display()),
            );
            return reporter.error(&error, None);
        }
        if reporter.is_text() {
            let mut report = String::new();
            for line in &imported.summary {
                report.push_str(&format!("imported {line}\n"));
            }
            if self.org.is_none() {
                report.push_str(
                    "org: personal; deploy.sh looks the apps up and creates them there, so pass \
                     --org ORG (or set `org` in the project) if they are in another organization\n",
                );
            }
            report.push_str(&format!(
                "wrote {} ({} app(s), {} warning(s) above say what was dropped or changed)\n",
                self.output.display(),
                imported.summary.len(),
                imported.diagnostics.warning_count()
            ));
            super::console::err(&report);
        }
        EXIT_OK
    }
}

/// Every fly.toml-like file the paths name, sorted, each once.
fn find_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            search(path, &mut found)?;
        } else if path.is_file() {
            found.push(path.clone());
        } else {
            return Err(CliError::io(
                Code::E0401,
                format!("`{}` does not exist", path.display()),
            ));
        }
    }
    found.sort();
    found.dedup();
    if found.is_empty() {
        return Err(CliError::io(
            Code::E0401,
            "no fly.toml or fly.json found in the paths given".into(),
        ));
    }
    Ok(found)
}

fn search(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| CliError::io(Code::E0401, format!("cannot list `{}`: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            // Hidden folders, dependencies and flyx's own output hold no app's config.
            if !name.starts_with('.') && !matches!(name.as_str(), "node_modules" | "target" | "fly")
            {
                search(&path, found)?;
            }
        } else if is_fly_config(&name) {
            found.push(path);
        }
    }
    Ok(())
}

/// `fly.toml`, `fly.json`, `fly.<env>.toml`, `<name>.fly.toml`.
fn is_fly_config(name: &str) -> bool {
    name == "fly.toml"
        || name == "fly.json"
        || (name.starts_with("fly.") && name.ends_with(".toml"))
        || name.ends_with(".fly.toml")
}

/// The first folder's name, for the project.
fn project_name(paths: &[PathBuf]) -> Option<String> {
    let first = paths.iter().find(|p| p.is_dir())?;
    absolute(first)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
}

fn absolute(path: &Path) -> PathBuf {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `to` relative to `from`, with `/` separators; `""` when they are the same
/// (an import's folder prefix, which `""` leaves out).
fn relative(from: &Path, to: &Path) -> String {
    match super::write::relative_path(from, to) {
        same if same == "." => String::new(),
        path => path,
    }
}
