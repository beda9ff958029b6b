//! The corpus round trip (issue 15, point 5): every real fly.toml in
//! `../shared/corpus/fly-toml/` is imported, the stack checked and built in
//! memory, and the fly.toml flyx writes compared with the original, both
//! normalised the way flyctl reads them. `docs/import.md` lists every file
//! that does not come back the same; the test fails when the two disagree.

#[path = "corpus_support/normalise.rs"]
mod normalise;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use flyx::emit::EmitOptions;
use flyx::import::{Input, Options, import};
use flyx::source::Sources;

/// The region given for files that name none (`--region`).
const REGION: &str = "iad";

/// The count of files that come back the same; the test fails if it falls.
const SAME_AT_LEAST: usize = 132;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Same,
    Differs(String),
    Broken(String),
    NotExpressible(String),
}

impl Outcome {
    fn kind(&self) -> &'static str {
        match self {
            Outcome::Same => "same",
            Outcome::Differs(_) => "differs",
            Outcome::Broken(_) => "broken",
            Outcome::NotExpressible(_) => "not expressible",
        }
    }

    fn why(&self) -> &str {
        match self {
            Outcome::Same => "",
            Outcome::Differs(w) | Outcome::Broken(w) | Outcome::NotExpressible(w) => w,
        }
    }
}

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/fly-toml");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn codes(diagnostics: &flyx::diagnostic::Diagnostics, errors_only: bool) -> String {
    let mut codes: Vec<&str> = diagnostics
        .iter()
        .filter(|d| !errors_only || d.is_error())
        .map(|d| d.code.as_str())
        .collect();
    codes.sort();
    codes.dedup();
    codes.join(",")
}

/// Imports, checks, builds and compares one file.
fn round_trip(path: &Path) -> Outcome {
    let text = std::fs::read_to_string(path).expect("utf-8");
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let inputs = [Input {
        name: name.clone(),
        dir: String::new(),
        text: text.clone(),
    }];
    // Files with no primary region are imported as `flyx import --region`
    // would with the region the user gives; the original reads as if it
    // named that region.
    let options = Options {
        region: Some(REGION.into()),
        ..Options::default()
    };
    let imported = import(&inputs, &options);
    let Some(flyx_text) = imported.flyx else {
        return Outcome::Broken(codes(&imported.diagnostics, true));
    };
    // What import writes is already in `flyx fmt`'s layout.
    assert_eq!(
        flyx::format::format_source("stack.flyx", &flyx_text).as_deref(),
        Ok(flyx_text.as_str()),
        "{name}: the import is not fmt-clean"
    );
    let (sources, file) = Sources::single("stack.flyx", flyx_text);
    let checked = flyx::check(&sources, file);
    let Some(topology) = checked.topology else {
        return Outcome::NotExpressible(codes(&checked.diagnostics, true));
    };
    let outputs = match flyx::emit::emit(&topology, &EmitOptions::beside("stack.flyx")) {
        Ok(outputs) => outputs,
        Err(d) => return Outcome::NotExpressible(codes(&d, true)),
    };
    let Some((toml_path, written)) = outputs.iter().find(|(p, _)| p.ends_with("/fly.toml")) else {
        return Outcome::Differs("no fly.toml written".into());
    };
    let written = written.contents.clone();
    let folder = format!("fly/{}", toml_path.trim_end_matches("/fly.toml"));
    let mut original =
        normalise::normalise(&text, "", Some(REGION)).expect("the original normalises");
    let rebuilt =
        normalise::normalise(&written, &folder, None).expect("flyx's fly.toml normalises");
    // A file with no `app` was deployed with `-a`: the import names it.
    if original["app"].is_null() {
        original["app"] = rebuilt["app"].clone();
    }
    match normalise::first_difference(&original, &rebuilt, "") {
        None => Outcome::Same,
        Some(d) => {
            let dropped = codes(&imported.diagnostics, false);
            Outcome::Differs(if dropped.is_empty() {
                d
            } else {
                format!("{d} (import: {dropped})")
            })
        }
    }
}

/// The table in docs/import.md between its markers: file → outcome.
fn documented() -> BTreeMap<String, String> {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/import.md"))
            .expect("docs/import.md");
    let start = docs
        .find("<!-- round-trip failures -->")
        .expect("start marker");
    let end = docs
        .find("<!-- end round-trip failures -->")
        .expect("end marker");
    docs[start..end]
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            (cells.len() >= 2 && cells[0].starts_with('`'))
                .then(|| (cells[0].trim_matches('`').to_string(), cells[1].to_string()))
        })
        .collect()
}

#[test]
fn the_corpus_round_trips() {
    let mut table = String::new();
    let mut failures = BTreeMap::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for path in corpus() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let outcome = round_trip(&path);
        *counts.entry(outcome.kind()).or_default() += 1;
        table.push_str(&format!(
            "| `{name}` | {} | {} |\n",
            outcome.kind(),
            outcome.why()
        ));
        if outcome != Outcome::Same {
            failures.insert(name, outcome.kind().to_string());
        }
    }
    println!("{table}\n{counts:?}");
    if std::env::var_os("FLYX_CORPUS_TABLE").is_some() {
        std::fs::write("/tmp/corpus-table.md", &table).expect("table written");
    }
    let same = counts.get("same").copied().unwrap_or(0);
    assert!(
        same >= SAME_AT_LEAST,
        "only {same} files round-trip, {SAME_AT_LEAST} did"
    );
    let docs = documented();
    let mut problems = Vec::new();
    for (file, kind) in &failures {
        match docs.get(file) {
            Some(d) if d == kind => {}
            Some(d) => problems.push(format!("{file}: docs say {d}, the test finds {kind}")),
            None => problems.push(format!("{file} ({kind}) is missing from docs/import.md")),
        }
    }
    for file in docs.keys() {
        if !failures.contains_key(file) {
            problems.push(format!(
                "{file} round-trips now: remove it from docs/import.md"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
