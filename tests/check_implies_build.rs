//! `flyx check` passing means `flyx build` succeeds: generated stacks, valid
//! or close to it, go through `flyx::exercise::everything`, which asserts that
//! a stack that checks is emitted (emit refuses only what check cannot see)
//! and that every fly.toml parses and passes the flyctl rules
//! (`flyx::flyctl_rules`).

#[path = "../benches/synth/mod.rs"]
mod synth;

use std::fmt::Write as _;

use proptest::prelude::*;

/// Commands, some of which no shell splits: check must refuse those.
const COMMANDS: &[&str] = &[
    "bin/server",
    "sh -c 'bin/migrate && bin/seed'",
    "gunicorn 'app:create_app()' --bind [::]:8000",
    "sh -c 'unclosed",
    "ends with a backslash \\\\",
    "",
    "   ",
];

/// One generated service.
#[derive(Clone, Debug)]
struct Spec {
    source: usize,
    command: usize,
    http: usize,
    min_running: Option<u32>,
    processes: bool,
    group_vm: bool,
    release: Option<usize>,
    step: bool,
    link: bool,
    start: usize,
    release_timeout: bool,
}

/// How a generated service's machines start, some of which check must refuse
/// with some sources (`exec` beside processes or a runtime).
const STARTS: &[&str] = &[
    "",
    "  entrypoint = [\"/usr/bin/tini\", \"--\"]",
    "  exec = [\"bin/server\", \"--port\", \"8080\"]",
    "  machine_config = \"{\\\"containers\\\": [{\\\"name\\\": \\\"app\\\"}]}\"",
    "  machine_config = \"config/machine.json\"",
    "  machine_config = \"[]\"",
];

fn spec() -> impl Strategy<Value = Spec> {
    (
        0usize..8,
        0..COMMANDS.len(),
        0usize..4,
        prop::option::of(0u32..2),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(0..COMMANDS.len()),
        any::<bool>(),
        any::<bool>(),
        (0..STARTS.len(), any::<bool>()),
    )
        .prop_map(
            |(
                source,
                command,
                http,
                min_running,
                processes,
                group_vm,
                release,
                step,
                link,
                (start, release_timeout),
            )| Spec {
                source,
                command,
                http,
                min_running,
                processes,
                group_vm,
                release,
                step,
                link,
                start,
                release_timeout,
            },
        )
}

/// A `.flyx` stack from the specs: a project VM, and services that use the
/// rules check moved out of emit (start commands, VMs per group, steps).
fn stack(specs: &[Spec], project_vm: bool) -> String {
    let mut out = String::from("project gen {\n  region = ams\n");
    if project_vm {
        out.push_str("  vm { size = \"shared-cpu-2x\"  memory = 1gb }\n");
    }
    out.push_str("}\n\n");
    for (i, spec) in specs.iter().enumerate() {
        service(&mut out, i, spec);
    }
    out
}

fn service(out: &mut String, i: usize, spec: &Spec) {
    let command = serde_json::to_string(COMMANDS[spec.command]).unwrap_or_default();
    let _ = writeln!(out, "service s{i} {{");
    let source = match spec.source {
        0 => "  image = \"gen/app:1\"".to_string(),
        1 => format!("  build {{ runtime = node  start = {command} }}"),
        2 => format!("  build {{ runtime = python  start = {command} }}"),
        3 => format!("  build {{ runtime = rust  binary = \"s{i}\" }}"),
        4 => "  build { runtime = go }".to_string(),
        5 => "  build { runtime = static  output = \"dist\" }".to_string(),
        6 => "  build { context = \"app\"  builder = \"heroku/builder:24\"  buildpacks = [\"heroku/nodejs\"]  ignorefile = \"app/.ignore\" }".to_string(),
        _ => "  build { dockerfile = \"docker/Dockerfile\"  ignorefile = \"docker/ignore\" }".to_string(),
    };
    let _ = writeln!(out, "{source}");
    let groups = if spec.processes {
        let _ = writeln!(
            out,
            "  processes {{\n    web    = {command}\n    worker = \"bin/jobs\"\n  }}"
        );
        "  processes = [web]"
    } else {
        ""
    };
    let min = spec
        .min_running
        .map_or(String::new(), |m| format!("  min_running = {m}"));
    match spec.http {
        0 => {}
        1 => {
            let _ = writeln!(out, "  http {{ port = 8080  public = true{groups}{min} }}");
        }
        2 => {
            let _ = writeln!(
                out,
                "  http {{ port = 8080  public = true  auto_stop = stop{groups}{min} }}"
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "  http {{ port = 8080  auto_stop = suspend{groups}{min} }}"
            );
        }
    }
    if spec.processes && spec.group_vm {
        let _ = writeln!(out, "  vm {{ processes = [worker]  memory = 2gb }}");
    }
    let timeout = if spec.release_timeout {
        "  release_command_timeout = 10m"
    } else {
        ""
    };
    if let Some(release) = spec.release {
        let release = serde_json::to_string(COMMANDS[release]).unwrap_or_default();
        let _ = writeln!(out, "  deploy {{ release_command = {release}{timeout} }}");
    } else if spec.release_timeout {
        let _ = writeln!(out, "  deploy {{{timeout} }}");
    }
    let _ = writeln!(out, "{}", STARTS[spec.start]);
    if spec.step {
        let _ = writeln!(out, "  post_deploy warm {{ command = \"bin/warm\" }}");
    }
    if spec.link && i > 0 {
        let _ = writeln!(out, "  links = [s{}]", i - 1);
    }
    let _ = writeln!(out, "}}\n");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn a_generated_stack_that_checks_builds(specs in prop::collection::vec(spec(), 1..6), project_vm in any::<bool>()) {
        flyx::exercise::everything(&stack(&specs, project_vm));
    }

    #[test]
    fn a_synthetic_stack_that_checks_builds(n in 3usize..40) {
        let exercised = flyx::exercise::everything(&synth::stack(n));
        prop_assert!(exercised.files > 0, "synth {n} did not build");
    }
}

/// The generator is not vacuous: it writes stacks that check and build, and
/// stacks that check refuses.
#[test]
fn the_generator_writes_both_valid_and_refused_stacks() {
    let plain = Spec {
        source: 1,
        command: 0,
        http: 1,
        min_running: None,
        processes: true,
        group_vm: true,
        release: Some(1),
        step: true,
        link: false,
        start: 0,
        release_timeout: true,
    };
    let built = flyx::exercise::everything(&stack(std::slice::from_ref(&plain), true));
    assert!(
        built.files > 0,
        "{}",
        stack(std::slice::from_ref(&plain), true)
    );
    let broken = Spec {
        command: 3,
        ..plain
    };
    let refused = flyx::exercise::everything(&stack(&[broken], true));
    assert_eq!(refused.files, 0);
    assert!(refused.diagnostics > 0);
    // A buildpacks build that starts through an entrypoint and a machine
    // config file builds; `exec` beside its process groups does not.
    let packs = Spec {
        source: 6,
        start: 1,
        ..plain.clone()
    };
    let machine = Spec {
        start: 4,
        processes: false,
        ..packs.clone()
    };
    let built = flyx::exercise::everything(&stack(&[packs.clone(), machine], true));
    assert!(built.files > 0);
    let exec = Spec { start: 2, ..packs };
    assert_eq!(flyx::exercise::everything(&stack(&[exec], true)).files, 0);
}
