//! The set of files a build produces, in memory, in path order.

use std::collections::BTreeMap;

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    /// The whole text.
    pub contents: String,
    /// Whether the file is a script to be made executable.
    pub executable: bool,
}

impl OutputFile {
    /// A plain text file.
    pub fn text(contents: String) -> Self {
        OutputFile {
            contents,
            executable: false,
        }
    }

    /// An executable script.
    pub fn script(contents: String) -> Self {
        OutputFile {
            contents,
            executable: true,
        }
    }
}

/// Generated files by path relative to the output folder (`api/fly.toml`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outputs {
    files: BTreeMap<String, OutputFile>,
    project_files: BTreeMap<String, OutputFile>,
}

impl Outputs {
    /// Adds a file.
    pub fn insert(&mut self, path: String, file: OutputFile) {
        self.files.insert(path, file);
    }

    /// Adds a file whose path is relative to the `.flyx` file's folder, not
    /// the output folder (the CI workflow).
    pub fn insert_in_project(&mut self, path: String, file: OutputFile) {
        self.project_files.insert(path, file);
    }

    /// The files relative to the `.flyx` file's folder, in path order.
    pub fn project_files(&self) -> &BTreeMap<String, OutputFile> {
        &self.project_files
    }

    /// The files relative to the output folder, in path order.
    pub fn files(&self) -> &BTreeMap<String, OutputFile> {
        &self.files
    }

    /// The files in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &OutputFile)> {
        self.files.iter()
    }

    /// The file at `path`.
    pub fn get(&self, path: &str) -> Option<&OutputFile> {
        self.files.get(path)
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Every file under a `//// path` header, in path order, then the files
    /// beside the `.flyx` file under `//// project: path`: one snapshot shows
    /// a whole build.
    pub fn overview(&self) -> String {
        let mut out = String::new();
        let beside = self
            .project_files
            .iter()
            .map(|(p, f)| (format!("project: {p}"), f));
        for (path, file) in self.files.iter().map(|(p, f)| (p.clone(), f)).chain(beside) {
            out.push_str("//// ");
            out.push_str(&path);
            if file.executable {
                out.push_str(" (executable)");
            }
            out.push('\n');
            out.push_str(&file.contents);
            if !file.contents.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }
}
