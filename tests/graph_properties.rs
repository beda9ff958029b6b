//! Properties of the deploy order over random link sets: for acyclic sets every
//! ordering edge points from a later level to an earlier one; for sets with a
//! cycle, the reported path is a real cycle of the input.

use std::collections::BTreeSet;

use flyx::diagnostic::Code;
use flyx::source::Sources;
use proptest::prelude::*;

/// A stack of `n` services `s0..s{n-1}` where `si` links to each `sj` in `links`.
fn stack(n: usize, links: &BTreeSet<(usize, usize)>) -> String {
    let mut text = String::from("project p {\n  region = ams\n}\n");
    for i in 0..n {
        let targets: Vec<String> = links
            .iter()
            .filter(|(from, _)| *from == i)
            .map(|(_, to)| format!("s{to}"))
            .collect();
        text.push_str(&format!(
            "service s{i} {{\n  image = \"x\"\n  http {{ port = 8080  public = true }}\n  links = [{}]\n}}\n",
            targets.join(", ")
        ));
    }
    text
}

fn check(text: &str) -> flyx::Checked {
    let (sources, file) = Sources::single("p.flyx", text.to_string());
    flyx::check(&sources, file)
}

/// Random edges between distinct services, pointing from higher to lower
/// numbers: always acyclic.
fn acyclic() -> impl Strategy<Value = (usize, BTreeSet<(usize, usize)>)> {
    (2usize..14).prop_flat_map(|n| {
        let edge = (1..n).prop_flat_map(|from| (Just(from), 0..from));
        (Just(n), prop::collection::btree_set(edge, 0..n * 2))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn every_edge_points_to_an_earlier_level((n, links) in acyclic()) {
        let checked = check(&stack(n, &links));
        prop_assert!(!checked.diagnostics.has_errors());
        let topology = checked.topology.expect("a topology");
        let mut level_of = vec![usize::MAX; n];
        for (level, services) in topology.levels.iter().enumerate() {
            for id in services {
                let name = &topology.service(*id).name.value;
                level_of[name[1..].parse::<usize>().expect("sN")] = level;
            }
        }
        prop_assert!(level_of.iter().all(|l| *l != usize::MAX), "every service has a level");
        for (from, to) in &links {
            prop_assert!(level_of[*from] > level_of[*to], "s{from} -> s{to}: {level_of:?}");
        }
        for services in &topology.levels {
            let names: Vec<&str> = services.iter().map(|id| topology.service(*id).name.value.as_str()).collect();
            let mut sorted = names.clone();
            sorted.sort_unstable();
            prop_assert_eq!(names, sorted, "each level is in name order");
        }
    }

    #[test]
    fn a_reported_cycle_is_a_real_cycle((n, mut links) in acyclic(), back in any::<prop::sample::Index>()) {
        // Close a cycle: pick an existing edge a -> b and add a path back b -> a.
        prop_assume!(!links.is_empty());
        let (a, b) = *back.get(&links.iter().copied().collect::<Vec<_>>());
        links.insert((b, a));
        let checked = check(&stack(n, &links));
        let cycles: Vec<String> = checked
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::E0302)
            .map(|d| d.message.clone())
            .collect();
        prop_assert!(!cycles.is_empty(), "a cycle is reported");
        for message in cycles {
            let path = message.split('`').nth(3).expect("the path is the second quoted part");
            let names: Vec<usize> = path.split(" -> ").map(|s| s[1..].parse().expect("sN")).collect();
            prop_assert_eq!(names.first(), names.last(), "the path closes: {}", path);
            for pair in names.windows(2) {
                prop_assert!(links.contains(&(pair[0], pair[1])), "{} is not an edge of the input ({})", path, message);
            }
        }
    }
}
