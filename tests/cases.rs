//! A case is a folder: `tests/cases/<behaviour>/input.flyx`. Its snapshot holds
//! every file `flyx build` would write, or the diagnostics when it fails.

use std::path::Path;

use flyx::diagnostic::render::{Style, to_text};
use flyx::emit::EmitOptions;
use flyx::source::Sources;

#[test]
fn cases() {
    insta::glob!("cases/*/input.flyx", |path| {
        let text = std::fs::read_to_string(path).expect("utf-8");
        let (sources, file) = Sources::single("input.flyx", text);
        let checked = flyx::check(&sources, file);
        let snapshot = match checked.topology {
            Some(topology) if !checked.diagnostics.has_errors() => {
                let warnings = to_text(&checked.diagnostics, &checked.sources, Style::plain());
                match flyx::emit::emit(&topology, &EmitOptions::beside("input.flyx")) {
                    Ok(outputs) => format!("{warnings}{}", outputs.overview()),
                    Err(problems) => to_text(&problems, &checked.sources, Style::plain()),
                }
            }
            _ => to_text(&checked.diagnostics, &checked.sources, Style::plain()),
        };
        insta::assert_snapshot!(snapshot);
    });
}

/// The folder names say what each case shows.
#[test]
fn case_folders_hold_an_input() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    for entry in std::fs::read_dir(dir).expect("tests/cases") {
        let path = entry.expect("entry").path();
        assert!(
            path.join("input.flyx").is_file(),
            "{} has no input.flyx",
            path.display()
        );
    }
}
