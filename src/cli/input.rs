//! Finding and reading the `.flyx` file a command works on.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::report::CliError;
use crate::diagnostic::Code;
use crate::source::{FileId, Sources};

/// A `.flyx` file read from disk.
pub struct Loaded {
    /// Where it is.
    pub path: PathBuf,
    /// How it is shown: relative to the current folder.
    pub name: String,
    /// Its text, as the root of a source set.
    pub sources: Sources,
    /// The root file's id.
    pub root: FileId,
}

/// Finds and reads the file a command works on. An error comes with the name
/// of the file it is about, when there is one.
pub fn load(file: Option<&Path>) -> Result<Loaded, (CliError, Option<String>)> {
    let path = locate(file).map_err(|e| (e, None))?;
    // Named as the loader names the files `use` reaches, so a module that
    // uses the root file is recognised as the root (an import cycle).
    let name = display_name(&super::write::absolute(&path));
    let text = read(&path).map_err(|e| (e, Some(name.clone())))?;
    let (sources, root) = Sources::single(name.clone(), Arc::<str>::from(text));
    Ok(Loaded {
        path,
        name,
        sources,
        root,
    })
}

/// The largest source file flyx reads.
pub const MAX_SOURCE_BYTES: u64 = 64 * 1024 * 1024;

/// The file to work on: the one given, or the single `*.flyx` in the current folder.
pub fn locate(file: Option<&Path>) -> Result<PathBuf, CliError> {
    if let Some(file) = file {
        return Ok(file.to_path_buf());
    }
    let cwd = std::env::current_dir()
        .map_err(|e| CliError::io(Code::E0401, format!("cannot read the current folder: {e}")))?;
    let mut found: Vec<PathBuf> = std::fs::read_dir(&cwd)
        .map_err(|e| CliError::io(Code::E0401, format!("cannot list `{}`: {e}", cwd.display())))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "flyx") && path.is_file())
        .collect();
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(CliError::io(
            Code::E0402,
            "no .flyx file in the current folder".to_string(),
        )
        .help("name the file: `flyx check stack.flyx`")),
        _ => {
            let names: Vec<String> = found
                .iter()
                .filter_map(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .collect();
            Err(CliError::io(
                Code::E0402,
                format!(
                    "several .flyx files in the current folder: {}",
                    names.join(", ")
                ),
            )
            .help(format!("name the one to use: `flyx check {}`", names[0])))
        }
    }
}

/// Reads a source file as UTF-8 text.
pub fn read(path: &Path) -> Result<String, CliError> {
    let shown = path.display();
    let metadata = std::fs::metadata(path).map_err(|e| {
        CliError::io(
            Code::E0401,
            format!("cannot read `{shown}`: {}", io_reason(&e)),
        )
    })?;
    if metadata.is_dir() {
        return Err(CliError::io(
            Code::E0401,
            format!("`{shown}` is a folder, not a .flyx file"),
        )
        .help("name a .flyx file inside it"));
    }
    if metadata.len() > MAX_SOURCE_BYTES {
        return Err(CliError::input(
            Code::E0403,
            format!(
                "`{shown}` is {} MB; flyx reads files up to {} MB",
                metadata.len() / (1024 * 1024),
                MAX_SOURCE_BYTES / (1024 * 1024)
            ),
        )
        .help("split the stack into modules"));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        CliError::io(
            Code::E0401,
            format!("cannot read `{shown}`: {}", io_reason(&e)),
        )
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let before = &bytes[..offset];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        // Every byte before `offset` is valid UTF-8, so this counts characters.
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        CliError::input(
            Code::E0403,
            format!(
                "`{shown}` is not UTF-8 text: byte 0x{:02x} at line {line}, column {column}",
                bytes[offset]
            ),
        )
        .help("save the file as UTF-8")
    })
}

/// The name a path is shown under: relative to the current folder when inside it.
pub fn display_name(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let relative = cwd
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    if relative.as_os_str().is_empty() {
        return ".".to_string();
    }
    relative.to_string_lossy().replace('\\', "/")
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => error.to_string(),
    }
}

/// Reads the files `use` lines name, relative to the file with the `use` line.
pub struct FsLoader;

impl crate::expand::Loader for FsLoader {
    fn load(&self, from: &str, path: &str) -> Result<(String, String), String> {
        let base = Path::new(from).parent().unwrap_or(Path::new(""));
        let target = super::write::absolute(&base.join(path));
        let text = read(&target).map_err(|e| e.message().to_string())?;
        Ok((display_name(&target), text))
    }
}

/// Loads the `.flyx` file, checks it (in environment `env` when given) and
/// reports the diagnostics; or reports why it cannot and gives the exit code.
pub fn load_and_check(
    file: Option<&Path>,
    env: Option<&str>,
    reporter: &mut super::report::Reporter,
) -> Result<(Loaded, crate::Checked), u8> {
    let loaded = match load(file) {
        Ok(loaded) => loaded,
        Err((error, file)) => return Err(reporter.error(&error, file.as_deref())),
    };
    let options = crate::CheckOptions {
        loader: &FsLoader,
        environment: env,
    };
    let checked = crate::check_with(&loaded.sources, loaded.root, &options);
    if let Err(error) = known_environment(&loaded, env, &checked) {
        return Err(reporter.error(&error, Some(&loaded.name)));
    }
    reporter.diagnostics(&checked.diagnostics, &checked.sources);
    Ok((loaded, checked))
}

/// [`load_and_check`] for a command that needs the checked topology: the
/// exit code when there is none (the diagnostics are already reported).
pub fn checked_topology(
    file: Option<&Path>,
    env: Option<&str>,
    reporter: &mut super::report::Reporter,
) -> Result<(Loaded, crate::topology::Topology), u8> {
    let (loaded, checked) = load_and_check(file, env, reporter)?;
    match checked.topology {
        Some(topology) => Ok((loaded, topology)),
        None => Err(super::EXIT_INPUT),
    }
}

/// `--env` must name an environment the stack declares (`known`, from the
/// check; empty when the file does not parse, whose errors say enough).
fn known_environment(
    loaded: &Loaded,
    env: Option<&str>,
    checked: &crate::Checked,
) -> Result<(), CliError> {
    let Some(env) = env else {
        return Ok(());
    };
    let known = &checked.environments;
    if known.iter().any(|k| k == env) || checked.diagnostics.has_errors() && known.is_empty() {
        return Ok(());
    }
    let help = if known.is_empty() {
        "the stack declares no environments; add `environment NAME { ... }`".to_string()
    } else if let Some(close) =
        crate::diagnostic::did_you_mean(env, known.iter().map(String::as_str))
    {
        format!(
            "did you mean `{close}`? The stack declares: {}",
            known.join(", ")
        )
    } else {
        format!("the stack declares: {}", known.join(", "))
    };
    Err(CliError::io(
        Code::E0408,
        format!("`{}` declares no environment `{env}`", loaded.name),
    )
    .help(help))
}
