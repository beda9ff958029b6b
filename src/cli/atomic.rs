//! Writing one file atomically: written beside its place under a temporary
//! name, then renamed over it, so a failure never leaves half a file. Used by
//! `flyx graph -o`, `flyx fmt` and `flyx import`.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `text` to `path` atomically. A file already there keeps its
/// permissions.
pub fn write(path: &Path, text: &str) -> std::io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let temp = parent.join(format!(".{name}.flyx-{}.tmp", std::process::id()));
    let result = (|| {
        let permissions = std::fs::metadata(path).ok().map(|m| m.permissions());
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        if let Some(permissions) = permissions {
            std::fs::set_permissions(&temp, permissions)?;
        }
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
