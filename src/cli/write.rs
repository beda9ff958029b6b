//! Writing a build to disk safely: only what changed, atomically, never over a
//! file flyx did not generate, and removing only flyx's own stale files.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use crate::emit::OutputFile;
use crate::emit::header::owner_of;

/// The generated files of one folder, by path relative to it.
pub type Files = BTreeMap<String, OutputFile>;

/// Which folder a plan is for, which decides where stale files are looked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The output folder (`fly/`): stack files and one folder per service.
    Output,
    /// The `.flyx` file's folder: the CI workflow in `.github/workflows/`.
    Project,
}

/// What a build would do to the output folder. Paths are relative to it and
/// name files of the build's [`Outputs`].
#[derive(Debug, Default)]
pub struct Plan {
    /// Files to write: missing or different.
    pub writes: Vec<(String, Change)>,
    /// Files already up to date.
    pub unchanged: Vec<String>,
    /// flyx's files from this source that the build no longer produces.
    pub removals: Vec<String>,
    /// Output paths holding files flyx did not generate (or generated from
    /// another source), and who made them.
    pub foreign: Vec<(String, Owner)>,
}

/// What is at an output path now, compared with what the build writes there.
enum Found {
    Missing,
    Same,
    Different,
    Foreign(Owner),
}

/// Why a file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// It does not exist yet.
    Missing,
    /// It exists with other content.
    Stale,
}

/// Who made an existing file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// Not flyx.
    Someone,
    /// flyx, from another `.flyx` file.
    OtherSource(String),
}

/// Compares the build with what is on disk under `dir`, reading the existing
/// files on several threads.
pub fn plan(dir: &Path, outputs: &Files, source_name: &str, scope: Scope) -> std::io::Result<Plan> {
    if dir.exists() && !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            "it is a file, not a folder",
        ));
    }
    let files: Vec<(&String, &OutputFile)> = outputs.iter().collect();
    // A folder that does not exist holds no file: no need to try each one.
    let folders: BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|(path, _)| dir.join(path).parent().map(Path::to_path_buf))
        .collect();
    let existing: BTreeSet<&Path> = folders
        .iter()
        .map(PathBuf::as_path)
        .filter(|f| f.is_dir())
        .collect();
    let found = crate::emit::parallel::map(&files, |(path, file)| {
        let on_disk = dir.join(path);
        match on_disk.parent() {
            Some(folder) if !existing.contains(folder) => Ok(Found::Missing),
            _ => compare(&on_disk, file, source_name),
        }
    });
    let mut plan = Plan::default();
    for ((path, _), found) in files.iter().zip(found) {
        let path = (*path).clone();
        match found? {
            Found::Missing => plan.writes.push((path, Change::Missing)),
            Found::Different => plan.writes.push((path, Change::Stale)),
            Found::Same => plan.unchanged.push(path),
            Found::Foreign(owner) => plan.foreign.push((path, owner)),
        }
    }
    let produced: BTreeSet<&str> = outputs.keys().map(String::as_str).collect();
    plan.removals = match scope {
        Scope::Output => generated_files(dir, source_name, &produced)?,
        Scope::Project => generated_workflows(dir, source_name, &produced),
    };
    Ok(plan)
}

fn compare(on_disk: &Path, file: &OutputFile, source_name: &str) -> std::io::Result<Found> {
    let bytes = match std::fs::read(on_disk) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Missing),
        Err(e) => return Err(e),
    };
    let existing = String::from_utf8_lossy(&bytes);
    Ok(match owner_of(&existing) {
        Some(from) if from == source_name => {
            if bytes == file.contents.as_bytes() && mode_matches(on_disk, file) {
                Found::Same
            } else {
                Found::Different
            }
        }
        Some(other) => Found::Foreign(Owner::OtherSource(other.to_string())),
        None => Found::Foreign(Owner::Someone),
    })
}

/// Files under `dir` where flyx writes them (see [`crate::emit::is_output_path`])
/// generated from `source_name` that the build does not produce, sorted.
fn generated_files(
    dir: &Path,
    source_name: &str,
    produced: &BTreeSet<&str>,
) -> std::io::Result<Vec<String>> {
    let mut found = Vec::new();
    let Ok(top) = std::fs::read_dir(dir) else {
        return Ok(found);
    };
    let mut entries: Vec<PathBuf> = top.filter_map(Result::ok).map(|e| e.path()).collect();
    let mut nested = Vec::new();
    for entry in &entries {
        if entry.is_dir()
            && let Ok(inner) = std::fs::read_dir(entry)
        {
            nested.extend(inner.filter_map(Result::ok).map(|e| e.path()));
        }
    }
    entries.extend(nested);
    for path in entries {
        let Ok(relative) = path.strip_prefix(dir) else {
            continue;
        };
        let relative = relative.to_string_lossy().replace('\\', "/");
        if produced.contains(relative.as_str())
            || !crate::emit::is_output_path(&relative)
            || !path.is_file()
        {
            continue;
        }
        if owner_of(&head_of(&path)) == Some(source_name) {
            found.push(relative);
        }
    }
    found.sort();
    Ok(found)
}

/// Workflows in `dir/.github/workflows/` named as flyx names them (see
/// [`crate::emit::is_project_output_path`]), generated from `source_name`,
/// that the build does not produce, sorted.
fn generated_workflows(dir: &Path, source_name: &str, produced: &BTreeSet<&str>) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir.join(".github/workflows")) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = format!(".github/workflows/{name}");
            let ours = crate::emit::is_project_output_path(&relative)
                && !produced.contains(relative.as_str())
                && entry.path().is_file()
                && owner_of(&head_of(&entry.path())) == Some(source_name);
            ours.then_some(relative)
        })
        .collect();
    found.sort();
    found
}

/// The first bytes of a file, where flyx's header would be.
fn head_of(path: &Path) -> String {
    use std::io::Read as _;
    let mut head = Vec::with_capacity(512);
    if let Ok(file) = std::fs::File::open(path) {
        let _ = file.take(512).read_to_end(&mut head);
    }
    String::from_utf8_lossy(&head).into_owned()
}

#[cfg(unix)]
fn mode_matches(path: &Path, file: &OutputFile) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| (m.permissions().mode() & 0o111 != 0) == file.executable)
}

#[cfg(not(unix))]
fn mode_matches(_path: &Path, _file: &OutputFile) -> bool {
    true
}

impl Plan {
    /// Overwrite the files flyx did not generate, as `--force` asks.
    pub fn take_over_foreign(&mut self) {
        for (path, _) in std::mem::take(&mut self.foreign) {
            self.writes.push((path, Change::Stale));
        }
    }
}

/// Why a plan could not be carried out, and whether anything changed.
#[derive(Debug)]
pub enum WriteError {
    /// Nothing in the output folder changed.
    Untouched(std::io::Error),
    /// Some files were already replaced or removed when this happened.
    Partly {
        /// How many files had changed.
        changed: usize,
        /// What went wrong.
        error: std::io::Error,
    },
}

/// Carries out a plan: every new file is written to a temporary file first, and
/// only when all of them are written are they renamed into place. A failure
/// before that leaves the previous output untouched; one after it (a rename or
/// a removal refused) leaves no temporary file and says how much changed.
pub fn apply(dir: &Path, plan: &Plan, outputs: &Files) -> Result<(), WriteError> {
    let mut created = Vec::new();
    let staged = match stage_all(dir, plan, outputs, &mut created) {
        Ok(staged) => staged,
        Err(e) => {
            // Leave no trace: the folders this build made go too.
            for folder in created.iter().rev() {
                let _ = std::fs::remove_dir(folder);
            }
            return Err(WriteError::Untouched(e));
        }
    };
    // Every file is written; each rename into place is atomic and quick.
    let renamed =
        crate::emit::parallel::map(&staged, |(temp, target)| std::fs::rename(temp, target));
    let mut changed = 0;
    let mut failure = None;
    for ((temp, _), result) in staged.iter().zip(renamed) {
        match result {
            Ok(()) => changed += 1,
            Err(e) => {
                let _ = std::fs::remove_file(temp);
                failure = failure.or(Some(e));
            }
        }
    }
    if let Some(error) = failure {
        return Err(WriteError::Partly { changed, error });
    }
    for path in &plan.removals {
        let target = dir.join(path);
        if let Err(error) = std::fs::remove_file(&target) {
            return Err(WriteError::Partly { changed, error });
        }
        changed += 1;
        if let Some(parent) = target.parent()
            && parent != dir
        {
            // Only succeeds when the folder is now empty.
            let _ = std::fs::remove_dir(parent);
        }
    }
    Ok(())
}

/// Creates the folders the writes need and writes every file under a
/// temporary name; on failure, removes what it wrote. `created` gets the
/// folders it made, outermost first.
fn stage_all(
    dir: &Path,
    plan: &Plan,
    outputs: &Files,
    created: &mut Vec<PathBuf>,
) -> std::io::Result<Vec<(PathBuf, PathBuf)>> {
    create_folder(dir, dir, created)?;
    let folders: BTreeSet<PathBuf> = plan
        .writes
        .iter()
        .filter_map(|(path, _)| dir.join(path).parent().map(Path::to_path_buf))
        .filter(|folder| folder != dir)
        .collect();
    let folders: Vec<PathBuf> = folders.into_iter().collect();
    // A folder deeper down (`.github/workflows`) gets its parents first.
    for folder in &folders {
        if let Some(parent) = folder.parent().filter(|p| *p != dir) {
            create_folder(dir, parent, created)?;
        }
    }
    // Service folders sit right in `dir`, which exists now: one mkdir each.
    let made = crate::emit::parallel::map(&folders, |folder| match std::fs::create_dir(folder) {
        Ok(()) => Ok(Some(folder.clone())),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && folder.is_dir() => Ok(None),
        Err(e) => Err(cannot_create(dir, folder, &e)),
    });
    let mut failure = None;
    for result in made {
        match result {
            Ok(made) => created.extend(made),
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    if let Some(e) = failure {
        return Err(e);
    }
    let suffix = format!(".flyx-{}.tmp", std::process::id());
    let results = crate::emit::parallel::map(&plan.writes, |(path, _)| {
        let target = dir.join(path);
        let file = outputs.get(path).ok_or_else(|| {
            std::io::Error::other(format!("{path} is not an output of this build"))
        })?;
        stage(&target, file, &suffix)
            .map(|temp| (temp, target))
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot write `{path}`: {e}")))
    });
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(pair) => staged.push(pair),
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    if let Some(e) = failure {
        for (temp, _) in &staged {
            let _ = std::fs::remove_file(temp);
        }
        return Err(e);
    }
    Ok(staged)
}

/// Creates `folder` and whatever of its parents is missing, recording each
/// folder made, outermost first.
fn create_folder(dir: &Path, folder: &Path, created: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let missing: Vec<&Path> = folder
        .ancestors()
        .take_while(|f| !f.as_os_str().is_empty() && !f.is_dir())
        .collect();
    for f in missing.into_iter().rev() {
        std::fs::create_dir(f).map_err(|e| cannot_create(dir, f, &e))?;
        created.push(f.to_path_buf());
    }
    Ok(())
}

/// Why `folder` could not be made, naming it relative to `dir` when inside.
fn cannot_create(dir: &Path, folder: &Path, error: &std::io::Error) -> std::io::Error {
    let shown = match folder.strip_prefix(dir) {
        Ok(inside) if !inside.as_os_str().is_empty() => inside,
        _ => folder,
    };
    let why = if folder.exists() {
        "a file is in the way".to_string()
    } else {
        error.to_string()
    };
    std::io::Error::new(
        error.kind(),
        format!("cannot create the folder `{}`: {why}", shown.display()),
    )
}

/// Writes `file` beside `target`, in a folder that exists, under a temporary
/// name ending in `suffix`, and returns that name.
fn stage(target: &Path, file: &OutputFile, suffix: &str) -> std::io::Result<PathBuf> {
    let parent = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let temp = parent.join(format!(".{name}{suffix}"));
    let result = (|| {
        let mut out = std::fs::File::create(&temp)?;
        out.write_all(file.contents.as_bytes())?;
        // Plain files get the mode the umask gives, as from any editor; a
        // script is made executable whatever the umask says.
        if file.executable {
            set_executable(&temp)?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(temp),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

#[cfg(unix)]
fn set_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn set_executable(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// The path from folder `from` to folder `to`, both absolute, with `/`.
pub fn relative_path(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// `path` made absolute against the current folder, with `.` and `..` removed.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_between_folders() {
        assert_eq!(relative_path(Path::new("/p/fly"), Path::new("/p")), "..");
        assert_eq!(relative_path(Path::new("/p"), Path::new("/p")), ".");
        assert_eq!(
            relative_path(Path::new("/out/x"), Path::new("/p/q")),
            "../../p/q"
        );
    }
}
