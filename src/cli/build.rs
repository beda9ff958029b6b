//! `flyx build [FILE] [-o DIR] [--check] [--force]`: write every app's files.

use std::path::{Path, PathBuf};

use super::report::{CliError, Format, Reporter};
use super::write::{self, Change, Files, Owner, Plan, Scope};
use super::{EXIT_INPUT, EXIT_OK, GlobalArgs, input, project};
use crate::diagnostic::Code;
use crate::emit::{self, EmitOptions};

/// Write fly.toml, Dockerfiles and deploy.sh for every app.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The .flyx file; by default the only one in the current folder.
    pub file: Option<PathBuf>,
    /// Output folder; by default `fly/` beside the .flyx file.
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Write nothing; exit 1 listing every missing, stale or extra file.
    #[arg(long)]
    pub check: bool,
    /// Overwrite files that flyx did not generate.
    #[arg(long)]
    pub force: bool,
    /// How to print problems: text for people, json for editors and CI.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Fail on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Build this environment instead of the base stack; its files go to
    /// `fly/<ENV>/` unless `-o` says otherwise.
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
}

impl BuildArgs {
    /// Runs `flyx build` and returns the exit code.
    pub fn run(self, global: &GlobalArgs) -> u8 {
        let mut reporter = Reporter::new(global, self.format);
        let code = self.build(&mut reporter);
        reporter.finish();
        code
    }

    fn build(&self, reporter: &mut Reporter) -> u8 {
        let (mut loaded, checked) =
            match input::load_and_check(self.file.as_deref(), self.env.as_deref(), reporter) {
                Ok(both) => both,
                Err(code) => return code,
            };
        loaded.sources = checked.sources;
        let denied = self.deny_warnings && checked.diagnostics.warning_count() > 0;
        let Some(topology) = checked.topology.filter(|_| !denied) else {
            return EXIT_INPUT;
        };
        let out_dir = self.output_dir(&loaded.path);
        let source_name = file_name(&loaded.path);
        let project = write::absolute(&project_dir(&loaded.path));
        let file = Some(loaded.name.as_str());
        let templates = match project::template_overrides(&project, &mut loaded.sources) {
            Ok(templates) => templates,
            Err(error) => return reporter.error(&error, file),
        };
        let options = EmitOptions {
            project_from_output: write::relative_path(&out_dir, &project),
            output_from_project: write::relative_path(&project, &out_dir),
            source_name: source_name.clone(),
            detected: project::detect_package_managers(&project, &topology),
            templates,
            environment: self.env.clone(),
        };
        let owner = options.owner();
        let outputs = match emit::emit(&topology, &options) {
            Ok(outputs) => outputs,
            Err(diagnostics) => {
                reporter.diagnostics(&diagnostics, &loaded.sources);
                return EXIT_INPUT;
            }
        };
        let file = Some(loaded.name.as_str());
        let folders = [
            (out_dir.as_path(), outputs.files(), Scope::Output),
            (project.as_path(), outputs.project_files(), Scope::Project),
        ];
        let mut targets = Vec::new();
        for (dir, files, scope) in folders {
            match write::plan(dir, files, &owner, scope) {
                Ok(plan) => targets.push(Target {
                    dir,
                    shown: input::display_name(dir),
                    plan,
                    files,
                }),
                Err(e) => return reporter.error(&cannot_write(dir, &e), file),
            }
        }
        if self.check {
            return report_check(&targets);
        }
        if targets.iter().any(|t| !t.plan.foreign.is_empty()) && !self.force {
            return reporter.error(&refuse(&targets), file);
        }
        for target in &mut targets {
            if self.force {
                target.plan.take_over_foreign();
            }
            if let Err(e) = write::apply(target.dir, &target.plan, target.files) {
                let error = match e {
                    write::WriteError::Untouched(e) => cannot_write(target.dir, &e),
                    write::WriteError::Partly { changed, error } => {
                        partly_written(target.dir, changed, &error)
                    }
                };
                return reporter.error(&error, file);
            }
        }
        if reporter.is_text() {
            print_summary(&targets);
        }
        EXIT_OK
    }

    fn output_dir(&self, source: &Path) -> PathBuf {
        match (&self.output, &self.env) {
            (Some(dir), _) => write::absolute(dir),
            (None, Some(env)) => write::absolute(&project_dir(source).join("fly").join(env)),
            (None, None) => write::absolute(&project_dir(source).join("fly")),
        }
    }
}

fn project_dir(source: &Path) -> PathBuf {
    match source.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| "stack.flyx".into(), |n| n.to_string_lossy().into_owned())
}

fn cannot_write(dir: &Path, error: &std::io::Error) -> CliError {
    CliError::io(
        Code::E0405,
        format!("cannot write the output in `{}`: {error}", input::display_name(dir)),
    )
    .help("check that the folder is writable, or choose another one with `-o DIR`; nothing was changed")
}

fn partly_written(dir: &Path, changed: usize, error: &std::io::Error) -> CliError {
    CliError::io(
        Code::E0405,
        format!(
            "cannot finish writing the output in `{}`: {error}",
            input::display_name(dir)
        ),
    )
    .help(format!(
        "{changed} files were already replaced or removed; fix the cause and run `flyx build` again, which finishes the job"
    ))
}

/// One folder a build writes in, and what it would do there.
struct Target<'a> {
    dir: &'a Path,
    shown: String,
    plan: Plan,
    files: &'a Files,
}

fn refuse(targets: &[Target<'_>]) -> CliError {
    let lines: Vec<String> = targets
        .iter()
        .flat_map(|t| t.plan.foreign.iter().map(move |f| (t.shown.as_str(), f)))
        .map(|(shown, (path, owner))| match owner {
            Owner::Someone => format!("{shown}/{path} (not generated by flyx)"),
            Owner::OtherSource(other) => format!("{shown}/{path} (generated from {other})"),
        })
        .collect();
    CliError::input(
        Code::E0404,
        format!(
            "refusing to overwrite files flyx did not generate: {}",
            lines.join(", ")
        ),
    )
    .help(
        "move them away, choose another folder with `-o DIR`, or pass `--force` to overwrite them",
    )
}

fn report_check(targets: &[Target<'_>]) -> u8 {
    let mut problems = Vec::new();
    for Target { shown, plan, .. } in targets {
        for (path, change) in &plan.writes {
            let what = match change {
                Change::Missing => "missing",
                Change::Stale => "stale",
            };
            problems.push(format!("{what}: {shown}/{path}"));
        }
        for path in &plan.removals {
            problems.push(format!("extra: {shown}/{path}"));
        }
        for (path, _) in &plan.foreign {
            problems.push(format!("not generated by flyx: {shown}/{path}"));
        }
    }
    let shown = &targets[0].shown;
    if problems.is_empty() {
        let unchanged: usize = targets.iter().map(|t| t.plan.unchanged.len()).sum();
        super::console::out(&format!("{shown}: {unchanged} files up to date\n"));
        return EXIT_OK;
    }
    for problem in &problems {
        super::console::out(&format!("{problem}\n"));
    }
    super::console::err(&format!(
        "{shown} is out of date: run `flyx build` and commit the result\n"
    ));
    EXIT_INPUT
}

fn print_summary(targets: &[Target<'_>]) {
    use std::io::Write as _;
    // One write for thousands of lines, not one per line; a closed stdout
    // (`| head`) is not an error worth reporting after the files are written.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let (mut written, mut unchanged, mut removed) = (0, 0, 0);
    for Target { shown, plan, .. } in targets {
        for (path, change) in &plan.writes {
            let what = match change {
                Change::Missing => "created",
                Change::Stale => "updated",
            };
            let _ = writeln!(out, "{what} {shown}/{path}");
        }
        for path in &plan.removals {
            let _ = writeln!(out, "removed {shown}/{path}");
        }
        written += plan.writes.len();
        unchanged += plan.unchanged.len();
        removed += plan.removals.len();
    }
    let _ = writeln!(
        out,
        "{}: {written} written, {unchanged} unchanged, {removed} removed",
        targets[0].shown
    );
    let _ = out.flush();
}
