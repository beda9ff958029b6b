//! The synthetic stack generator behind the benchmarks
//! (`cargo run --release --example synth -- N`) writes a valid stack, wired
//! like a real one: what the benchmarks measure is a build that succeeds.

#[path = "../benches/synth/mod.rs"]
mod synth;

use flyx::source::Sources;

#[test]
fn synthetic_stacks_check_clean_and_are_wired_like_real_ones() {
    for n in [3, 10, 200] {
        let (sources, file) = Sources::single("synth.flyx", synth::stack(n));
        let checked = flyx::check(&sources, file);
        assert!(
            checked.diagnostics.is_empty(),
            "synth {n}: {:#?}",
            checked.diagnostics
        );
        let topology = checked.topology.expect("a topology");
        let stack = &topology.stack;
        assert_eq!(stack.services.len(), n, "synth {n}");
        assert!(stack.services.iter().any(|s| !s.volumes.is_empty()));
        assert!(stack.services.iter().any(|s| !s.secrets.is_empty()));
        assert!(stack.services.iter().any(|s| !s.links.is_empty()));
        assert!(!stack.stores.is_empty());
        assert!(topology.levels.len() >= 3, "layers of services");
        if n >= 200 {
            let mut regions: Vec<&str> = topology
                .resolved
                .iter()
                .map(|r| r.primary_region.code())
                .collect();
            regions.sort_unstable();
            regions.dedup();
            assert!(regions.len() >= 3, "several regions: {regions:?}");
        }
    }
}
