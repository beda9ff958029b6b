//! Every fly.toml flyx generates, from every example, passing fixture and case,
//! is held to two independent readings: SchemaStore's JSON schema, and serde
//! structs that mirror flyctl's own types and refuse unknown keys.

use flyx::flyctl_rules as flyctl;

use std::path::{Path, PathBuf};

use flyx::emit::EmitOptions;
use flyx::source::Sources;

/// Every `.flyx` input whose build the tests hold to flyctl's rules.
fn inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in ["examples", "tests/passing"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "flyx") {
                paths.push(path);
            }
        }
    }
    for entry in std::fs::read_dir(root.join("tests/cases")).expect("tests/cases") {
        paths.push(entry.expect("entry").path().join("input.flyx"));
    }
    paths.sort();
    paths
}

/// Every generated fly.toml, of the base stack and of every environment, as
/// `(input[/environment]: service, contents)`.
fn generated() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for path in inputs() {
        let text = std::fs::read_to_string(&path).expect("utf-8");
        let (sources, file) = Sources::single("input.flyx", text);
        let base = flyx::check(&sources, file);
        let environments = base.environments.clone();
        let mut checks = vec![(None, base)];
        for environment in &environments {
            let options = flyx::CheckOptions {
                loader: &flyx::expand::NoFiles,
                environment: Some(environment),
            };
            checks.push((
                Some(environment.as_str()),
                flyx::check_with(&sources, file, &options),
            ));
        }
        for (environment, checked) in checks {
            let Some(topology) = checked.topology else {
                continue;
            };
            let options = EmitOptions::beside_for("input.flyx", environment);
            let outputs = flyx::emit::emit(&topology, &options).expect("emits");
            let input = path
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(&path)
                .display()
                .to_string();
            let input = match environment {
                Some(environment) => format!("{input}/{environment}"),
                None => input,
            };
            for (name, file) in outputs.iter() {
                if name.ends_with("fly.toml") {
                    out.push((format!("{input}: {name}"), file.contents.clone()));
                }
            }
        }
    }
    assert!(
        out.len() > 30,
        "expected many generated files, found {}",
        out.len()
    );
    out
}

/// Where SchemaStore's schema is wrong about what flyctl reads. Each entry names
/// the instance path it applies to and why the schema, not flyx, is wrong
/// (`reference/flytoml.md` §5).
const SCHEMA_GAPS: &[(&str, &str, &str)] = &[
    (
        "/mounts",
        "scheduled_snapshots",
        "flyctl reads `mounts.scheduled_snapshots` (appconfig.Mount); the schema's mounts table forbids unknown keys and lacks it",
    ),
    (
        "/deploy",
        "release_command_timeout",
        "flyctl reads `deploy.release_command_timeout` (appconfig.Deploy, a fly.Duration); the schema's deploy table forbids unknown keys and lacks it",
    ),
    (
        "/vm",
        "shared-cpu-6x",
        "the schema's `vm.size` enum lists 9 presets; fly-go's MachinePresets also has shared-cpu-6x",
    ),
    (
        "/vm",
        "performance-12x",
        "the schema's `vm.size` enum lists 9 presets; fly-go's MachinePresets also has performance-6x, -10x, -12x and -14x",
    ),
];

/// SchemaStore's schema for fly.toml, kept byte-exact beside this file (see README.md there).
fn schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fly_toml/fly.schema.json");
    let text = std::fs::read_to_string(path).expect("fly.schema.json");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::draft7::new(&schema).expect("schema compiles")
}

fn to_json(toml_text: &str) -> serde_json::Value {
    let value: toml::Value = toml::from_str(toml_text).expect("flyx writes valid TOML");
    serde_json::to_value(value).expect("TOML converts to JSON")
}

#[test]
fn every_generated_fly_toml_matches_the_schema() {
    let validator = schema();
    let mut failures = Vec::new();
    for (name, contents) in generated() {
        for error in validator.iter_errors(&to_json(&contents)) {
            let path = error.instance_path().to_string();
            let message = error.to_string();
            let known = SCHEMA_GAPS.iter().any(|(at, what, _)| {
                path.starts_with(at)
                    && (message.contains(what) || error.instance().to_string().contains(what))
            });
            if !known {
                failures.push(format!("{name}: {path}: {message}"));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The gaps above are real: each one is exercised by some generated file, so
/// the list cannot hide anything that does not happen.
#[test]
fn every_named_schema_gap_occurs() {
    let validator = schema();
    let all: Vec<String> = generated()
        .iter()
        .flat_map(|(_, contents)| {
            validator
                .iter_errors(&to_json(contents))
                .map(|e| format!("{} {} {}", e.instance_path(), e, e.instance()))
                .collect::<Vec<_>>()
        })
        .collect();
    for (at, what, why) in SCHEMA_GAPS {
        assert!(
            all.iter().any(|e| e.starts_with(at) && e.contains(what)),
            "schema gap `{at}` `{what}` ({why}) no longer occurs; remove it from SCHEMA_GAPS"
        );
    }
}

#[test]
fn every_generated_fly_toml_decodes_as_flyctl_reads_it() {
    let mut failures = Vec::new();
    for (name, contents) in generated() {
        if let Err(e) = flyctl::decode(&contents) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_aisopod_example_says_what_the_seed_says() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/aisopod.flyx");
    let text = std::fs::read_to_string(path).expect("utf-8");
    let (sources, file) = Sources::single("aisopod.flyx", text);
    let topology = flyx::check(&sources, file).topology.expect("checks");
    let outputs = flyx::emit::emit(&topology, &EmitOptions::beside("aisopod.flyx")).expect("emits");
    let config = flyctl::decode(&outputs.get("aisopod/fly.toml").expect("written").contents)
        .expect("decodes");
    // The seed's fly.toml, key by key.
    assert_eq!(config.app, "aisopod");
    assert_eq!(config.primary_region.as_deref(), Some("iad"));
    let env = config.env.expect("[env]");
    assert_eq!(
        env.get("AISOPOD_CONFIG").map(String::as_str),
        Some("/data/config/aisopod.json")
    );
    let http = config.http_service.expect("[http_service]");
    assert_eq!(http.internal_port, Some(18789));
    assert_eq!(http.force_https, Some(true));
    assert_eq!(
        http.auto_stop_machines
            .as_ref()
            .map(flyctl::AutoStop::as_str),
        Some("stop")
    );
    assert_eq!(http.auto_start_machines, Some(true));
    assert_eq!(http.min_machines_running, Some(0));
    let vm = &config.vm.expect("[[vm]]")[0];
    assert_eq!(vm.size.as_deref(), Some("shared-cpu-1x"));
    assert_eq!(vm.memory.as_ref().map(flyctl::Memory::megabytes), Some(512));
    let mount = &config.mounts.expect("[[mounts]]")[0];
    assert_eq!(
        (mount.source.as_str(), mount.destination.as_str()),
        ("aisopod_data", "/data")
    );
    // Corrected: the seed's unnamed `[[checks]]` array becomes a named check.
    let checks = config.checks.expect("[checks]");
    let health = checks.get("health").expect("[checks.health]");
    assert_eq!(health.kind, "http");
    assert_eq!(health.port, Some(18789));
    assert_eq!(health.path.as_deref(), Some("/health"));
    assert_eq!(health.method.as_deref(), Some("GET"));
    assert_eq!(health.interval.as_deref(), Some("30s"));
    assert_eq!(health.timeout.as_deref(), Some("5s"));
    assert_eq!(health.grace_period.as_deref(), Some("10s"));
    // The seed's Dockerfile sits beside its fly.toml at the project root.
    assert_eq!(
        config.build.expect("[build]").dockerfile.as_deref(),
        Some("../../Dockerfile")
    );
}

/// The fly.toml of `service`, generated from `text`.
fn fly_toml_of(text: &str, service: &str) -> flyctl::Config {
    let (sources, file) = Sources::single("stack.flyx", text.to_string());
    let topology = flyx::check(&sources, file).topology.expect("checks");
    let outputs = flyx::emit::emit(&topology, &EmitOptions::beside("stack.flyx")).expect("emits");
    let path = format!("{service}/fly.toml");
    flyctl::decode(&outputs.get(&path).expect("written").contents).expect("decodes")
}

/// The `[[vm]]` flyctl picks for a group: the entry naming it, else one
/// without `processes` (`ComputeForGroup` in flyctl's processgroups.go).
fn vm_for<'a>(config: &'a flyctl::Config, group: &str) -> Option<&'a flyctl::Compute> {
    let vms = config.vm.as_ref()?;
    vms.iter()
        .find(|vm| {
            vm.processes
                .as_ref()
                .is_some_and(|p| p.iter().any(|g| g == group))
        })
        .or_else(|| {
            vms.iter()
                .find(|vm| vm.processes.as_ref().is_none_or(Vec::is_empty))
        })
}

#[test]
fn a_vm_block_for_one_group_keeps_the_project_vm_for_the_others() {
    let config = fly_toml_of(
        r#"
project shop {
  region = ams
  vm { size = "shared-cpu-2x"  memory = 1gb }
}

service rails {
  image = "shop/rails:1"
  http { port = 3000  public = true  processes = [web] }
  processes {
    web    = "bin/rails server"
    worker = "bin/jobs"
  }
  vm { processes = [worker]  memory = 2gb }
}
"#,
        "rails",
    );
    let web = vm_for(&config, "web").expect("web has a [[vm]]");
    assert_eq!(web.size.as_deref(), Some("shared-cpu-2x"));
    assert_eq!(
        web.memory.as_ref().map(flyctl::Memory::megabytes),
        Some(1024)
    );
    let worker = vm_for(&config, "worker").expect("worker has a [[vm]]");
    assert_eq!(
        worker.memory.as_ref().map(flyctl::Memory::megabytes),
        Some(2048)
    );
}

#[test]
fn a_service_vm_for_every_group_adds_no_project_entry() {
    let config = fly_toml_of(
        r#"
project shop {
  region = ams
  vm { size = "shared-cpu-2x"  memory = 1gb }
}

service rails {
  image = "shop/rails:1"
  http { port = 3000  public = true  processes = [web] }
  processes {
    web    = "bin/rails server"
    worker = "bin/jobs"
  }
  vm { memory = 512mb }
  vm { processes = [worker]  memory = 2gb }
}
"#,
        "rails",
    );
    assert_eq!(config.vm.as_ref().map(Vec::len), Some(2));
    let web = vm_for(&config, "web").expect("web has a [[vm]]");
    assert_eq!(
        web.memory.as_ref().map(flyctl::Memory::megabytes),
        Some(512)
    );
}
