//! The stdlib: every module compiles, and every example in stdlib/README.md is
//! a stack that checks without a diagnostic and builds.

use std::path::Path;

use flyx::emit::EmitOptions;
use flyx::source::Sources;

/// The ```flyx blocks of a markdown file.
fn flyx_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```flyx") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

fn readme() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("stdlib/README.md");
    std::fs::read_to_string(path).expect("stdlib/README.md")
}

#[test]
fn every_readme_example_checks_clean_and_builds() {
    let blocks = flyx_blocks(&readme());
    assert!(blocks.len() >= 9, "only {} examples", blocks.len());
    for block in blocks {
        let (sources, file) = Sources::single("example.flyx", block.clone());
        let checked = flyx::check(&sources, file);
        assert!(
            checked.diagnostics.is_empty(),
            "{block}\n{:#?}",
            checked.diagnostics
        );
        let topology = checked.topology.expect("a topology");
        flyx::emit::emit(&topology, &EmitOptions::beside("example.flyx"))
            .unwrap_or_else(|e| panic!("{block}\n{e:#?}"));
    }
}

#[test]
fn every_module_is_documented_with_an_example_that_uses_it() {
    let readme = readme();
    let blocks = flyx_blocks(&readme);
    for (name, _) in flyx::stdlib::MODULES {
        assert!(
            readme.contains(&format!("\n## {name}\n")),
            "stdlib/README.md has no section for `{name}`"
        );
        assert!(
            blocks.iter().any(|b| b.contains(&format!("use {name}\n"))),
            "no example uses `{name}`"
        );
    }
}

#[test]
fn every_module_file_is_embedded_and_every_embedded_module_is_a_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("stdlib");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("stdlib/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "flyx"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = flyx::stdlib::MODULES
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    embedded.sort();
    assert_eq!(on_disk, embedded);
    for (name, text) in flyx::stdlib::MODULES {
        let file = std::fs::read_to_string(dir.join(format!("{name}.flyx"))).expect("module");
        assert_eq!(file, *text, "{name}.flyx");
    }
}
