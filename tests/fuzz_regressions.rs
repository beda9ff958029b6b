//! What the fuzzer found, kept: every input in `fuzz/regressions/` once made
//! flyx panic or hang. Each now runs through the whole pipeline (the fuzz
//! target's own function) and must come back with a model or diagnostics.

use std::path::Path;
use std::time::{Duration, Instant};

#[test]
fn every_fuzz_finding_runs_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("fuzz/regressions/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "flyx"))
        .collect();
    inputs.sort();
    assert!(
        !inputs.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    for path in inputs {
        let bytes = std::fs::read(&path).expect("readable");
        let text = String::from_utf8_lossy(&bytes);
        let started = Instant::now();
        let result = std::panic::catch_unwind(|| flyx::exercise::everything(&text));
        assert!(result.is_ok(), "{} panics", path.display());
        // Generous: a hang, not a slow machine, is what this catches.
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{} takes {:?}",
            path.display(),
            started.elapsed()
        );
    }
}
