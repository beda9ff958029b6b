//! Source files: the text the compiler reads, named so diagnostics can point into it.

use std::sync::{Arc, OnceLock};

/// Identifies one file in a [`Sources`] set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// One source file: the name it is shown under, and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Shown in diagnostics and generated headers, e.g. `examples/ampel.flyx`.
    pub name: String,
    /// The whole text.
    pub text: Arc<str>,
    /// Byte offsets where lines start, computed the first time a position is
    /// asked for: finding a line is then a binary search, not a scan.
    line_starts: Arc<OnceLock<Vec<usize>>>,
}

impl SourceFile {
    /// Byte offsets of the first byte of every line; the first is 0. Lines
    /// end at `\n`, `\r\n` or a lone `\r`, as miette draws them.
    pub fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let bytes = self.text.as_bytes();
            let breaks = bytes.iter().enumerate().filter_map(|(i, b)| match b {
                b'\n' => Some(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => Some(i + 1),
                _ => None,
            });
            std::iter::once(0).chain(breaks).collect()
        })
    }

    /// The 0-based line holding byte `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_starts()
            .partition_point(|start| *start <= offset)
            .saturating_sub(1)
    }

    /// The byte range of 0-based line `line`, without its line break.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let starts = self.line_starts();
        let start = starts.get(line).copied().unwrap_or(self.text.len());
        let end = starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        start..end.max(start)
    }
}

/// Every file a compilation reads: the root file, then what it `use`s.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// An empty set.
    pub fn new() -> Self {
        Sources::default()
    }

    /// A set holding one file, which becomes `FileId(0)`.
    pub fn single(name: impl Into<String>, text: impl Into<Arc<str>>) -> (Self, FileId) {
        let mut sources = Sources::new();
        let id = sources.add(name, text);
        (sources, id)
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: Arc::default(),
        });
        id
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, id: FileId, offset: usize) -> (usize, usize) {
        let file = self.get(id);
        let text = &file.text;
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = file.line_index(offset);
        let line_start = file.line_starts()[line];
        let column = text[line_start..offset].chars().count() + 1;
        (line + 1, column)
    }
}

/// The largest char boundary at or below `offset`.
fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_end_at_newlines_crlf_and_lone_carriage_returns() {
        let (sources, file) = Sources::single("t.flyx", "a\rb\r\nc\nd");
        let at = |offset| sources.line_column(file, offset);
        assert_eq!(at(0), (1, 1));
        assert_eq!(at(2), (2, 1));
        assert_eq!(at(5), (3, 1));
        assert_eq!(at(7), (4, 1));
        assert_eq!(sources.get(file).line_starts(), [0, 2, 5, 7]);
    }
}
