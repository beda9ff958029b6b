//! The passing side of every graph rule: each `tests/passing/<CODE>_<what>.flyx`
//! is the correct version of what `tests/errors/<CODE>_*` gets wrong. It must
//! check with no diagnostic at all, and its checked topology (deploy levels,
//! addresses, volumes, secrets, edges) is snapshotted.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use flyx::diagnostic::Code;
use flyx::diagnostic::render::{Style, to_text};
use flyx::source::Sources;
use flyx::topology::{Node, Topology};

fn passing() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/passing");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("tests/passing")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "flyx"))
        .collect();
    paths.sort();
    paths
}

/// The checked topology in a form a reviewer can read.
pub fn overview(topology: &Topology) -> String {
    let mut out = String::new();
    let name = |id: flyx::topology::ServiceId| topology.service(id).name.value.clone();
    out.push_str("deploy levels:\n");
    for (i, level) in topology.levels.iter().enumerate() {
        let names: Vec<String> = level.iter().map(|id| name(*id)).collect();
        let _ = writeln!(out, "  {i}: {}", names.join(", "));
    }
    out.push_str("services:\n");
    for id in topology.services_by_name() {
        let service = topology.service(id);
        let r = topology.resolved(id);
        let machines: Vec<String> = r
            .placements
            .iter()
            .map(|(reg, n)| format!("{reg}×{n}"))
            .collect();
        let _ = writeln!(
            out,
            "  {} (app {}, {}{}, primary {}, machines {})",
            service.name.value,
            service.app.value,
            if r.public { "public" } else { "private" },
            if r.flycast { ", flycast" } else { "" },
            r.primary_region,
            machines.join(" ")
        );
        for host in service.domains() {
            let _ = writeln!(out, "    domain {}", host.value);
        }
        for (k, v) in &r.env {
            let _ = writeln!(out, "    env {k} = {v}");
        }
        for (k, v) in &r.build_args {
            let _ = writeln!(out, "    build arg {k} = {v}");
        }
        for v in &r.volume_placements {
            let _ = writeln!(
                out,
                "    volume {} in {} ×{}",
                service.volumes[v.volume].name.value, v.region, v.count
            );
        }
        for a in &r.attachments {
            let _ = writeln!(
                out,
                "    attaches {} as {}{}",
                topology.store(a.store).name.value,
                a.secret,
                a.database
                    .as_ref()
                    .map_or(String::new(), |d| format!(" (database {d})"))
            );
        }
        for s in &r.post_deploy {
            let _ = writeln!(
                out,
                "    after deploy `{}` on {}: {}",
                s.name, s.app, s.command
            );
        }
        if !r.depends_on.is_empty() {
            let deps: Vec<String> = r.depends_on.iter().map(|d| name(*d)).collect();
            let _ = writeln!(out, "    deploys after {}", deps.join(", "));
        }
    }
    out.push_str("edges:\n");
    for edge in topology.graph.edge_indices() {
        let Some((a, b)) = topology.graph.edge_endpoints(edge) else {
            continue;
        };
        let weight = topology.graph[edge];
        let _ = writeln!(
            out,
            "  {} -> {}{} ({}{})",
            topology.node_name(topology.graph[a]),
            topology.node_name(topology.graph[b]),
            if matches!(topology.graph[b], Node::Store(_)) {
                " [store]"
            } else {
                ""
            },
            weight.traffic.describe(),
            if weight.orders_deploy {
                ", orders deploy"
            } else {
                ""
            }
        );
    }
    if !topology.secrets.is_empty() {
        out.push_str("secrets:\n");
        for (secret, services) in &topology.secrets {
            let names: Vec<String> = services.iter().map(|id| name(*id)).collect();
            let _ = writeln!(out, "  {secret} -> {}", names.join(", "));
        }
    }
    out
}

#[test]
fn every_passing_fixture_checks_clean() {
    for path in passing() {
        let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).expect("utf-8");
        let (sources, file) = Sources::single(file_name.clone(), text);
        let checked = flyx::check_every_environment(&sources, file, &flyx::expand::NoFiles);
        assert!(
            checked.diagnostics.is_empty(),
            "{file_name}:\n{}",
            to_text(&checked.diagnostics, &checked.sources, Style::plain())
        );
        let topology = checked.topology.expect("a topology");
        let mut text = overview(&topology);
        let environments =
            flyx::expand::environments(&flyx::syntax::parse(&sources, file).expect("parses"));
        for environment in environments {
            let options = flyx::CheckOptions {
                loader: &flyx::expand::NoFiles,
                environment: Some(&environment),
            };
            let checked = flyx::check_with(&sources, file, &options);
            text.push_str(&format!("\nenvironment {environment}:\n"));
            text.push_str(&overview(
                &checked.topology.expect("the environment checks"),
            ));
        }
        insta::with_settings!({
            snapshot_path => "snapshots/passing",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(file_name, text);
        });
    }
}

/// Every graph rule (E03xx and W03xx) has its passing fixture.
#[test]
fn every_graph_rule_has_a_passing_fixture() {
    let names: Vec<String> = passing()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy()[..5].to_string())
        .collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| c.starts_with("E03") || c.starts_with("W03"))
        .filter(|c| !names.iter().any(|n| n == c))
        .collect();
    assert!(missing.is_empty(), "no passing fixture for {missing:?}");
}

/// Check decides each service's private address and default process group,
/// and the emitters read them from the topology.
#[test]
fn check_decides_the_private_path_and_the_default_group() {
    let text = r#"
project shop {
  region = ams
}

service search {
  image = "shop/search:1"
  http { port = 7700  auto_stop = stop }
}

service nats {
  image = "nats:2.10-alpine"
  port client { internal = 4222 }
}

service jobs {
  image = "shop/jobs:1"
  processes {
    worker = "bin/jobs"
    cron   = "bin/cron"
  }
}

service api {
  image = "shop/api:1"
  http { port = 8080  public = true }
  links = [nats]
}
"#;
    let (sources, file) = flyx::source::Sources::single("stack.flyx", text.to_string());
    let topology = flyx::check(&sources, file).topology.expect("checks");
    let resolved = |name: &str| {
        let id = topology
            .service_ids()
            .find(|id| topology.service(*id).name.value == name)
            .expect("declared");
        topology.resolved(id).clone()
    };
    use flyx::model::Via;
    // Nothing links to search, but it stops when idle: only flycast wakes it.
    assert_eq!(resolved("search").private_via, Some(Via::Flycast));
    assert_eq!(resolved("nats").private_via, Some(Via::Internal));
    assert_eq!(resolved("jobs").private_via, None);
    assert_eq!(resolved("jobs").default_group, "cron");
    assert_eq!(resolved("api").default_group, "app");
    assert!(resolved("api").public && !resolved("api").dedicated_ipv4);
    assert!(!resolved("nats").public && !resolved("nats").dedicated_ipv4);
    let outputs =
        flyx::emit::emit(&topology, &flyx::emit::EmitOptions::beside("stack.flyx")).expect("emits");
    let architecture = &outputs.get("ARCHITECTURE.md").expect("written").contents;
    assert!(
        architecture.contains("`shop-search.flycast` (private)"),
        "{architecture}"
    );
    assert!(
        architecture.contains("`shop-nats.internal` (private)"),
        "{architecture}"
    );
}

/// The codes `text` gets from check.
fn codes_of(text: &str) -> Vec<Code> {
    let (sources, file) = Sources::single("stack.flyx", text.to_string());
    flyx::check(&sources, file)
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect()
}

/// E0327 asks whether every machine of the step's target can be stopped: a
/// process group no proxy section serves keeps running, and so does a group
/// with `min_running = 1`.
#[test]
fn a_post_deploy_step_needs_a_target_that_keeps_a_machine() {
    let stack = |http: &str, processes: &str| {
        format!(
            "project shop {{\n  region = ams\n}}\n\nservice api {{\n  image = \"shop/api:1\"\n  {processes}\n  http {{ port = 8080  public = true  {http} }}\n  post_deploy migrate {{ command = \"bin/migrate\" }}\n}}\n"
        )
    };
    let stops = codes_of(&stack("auto_stop = suspend", ""));
    assert!(stops.contains(&Code::E0327), "{stops:?}");
    let explicit_zero = codes_of(&stack("auto_stop = stop  min_running = 0", ""));
    assert!(explicit_zero.contains(&Code::E0327), "{explicit_zero:?}");
    let kept = codes_of(&stack("auto_stop = stop  min_running = 1", ""));
    assert!(kept.is_empty(), "{kept:?}");
    let never_stops = codes_of(&stack("", ""));
    assert!(never_stops.is_empty(), "{never_stops:?}");
    let worker_runs = codes_of(&stack(
        "auto_stop = stop  processes = [web]",
        "processes {\n    web    = \"bin/web\"\n    worker = \"bin/jobs\"\n  }",
    ));
    assert!(worker_runs.is_empty(), "{worker_runs:?}");
}

/// The shared IPv4 carries HTTP on 80 and HTTPS on 443 only: a public port
/// written as those gets no dedicated IPv4, anything else does (flyctl's
/// `DetermineIPType`, `internal/appconfig/config.go`).
#[test]
fn only_ports_the_shared_ipv4_cannot_carry_get_a_dedicated_one() {
    let dedicated = |port: &str| {
        let text = format!(
            "project shop {{\n  region = ams\n}}\n\nservice edge {{\n  image = \"shop/edge:1\"\n  {port}\n}}\n"
        );
        let (sources, file) = flyx::source::Sources::single("stack.flyx", text);
        let topology = flyx::check(&sources, file).topology.expect("checks");
        let id = topology.service_ids().next().expect("one service");
        topology.resolved(id).dedicated_ipv4
    };
    let web =
        "listen { port = 80  handlers = [http] }  listen { port = 443  handlers = [tls, http] }";
    assert!(!dedicated(&format!(
        "port web {{ internal = 8080  public = true  {web} }}"
    )));
    assert!(!dedicated(
        "port web { internal = 8080  public = true  external = 443  handlers = [http, tls] }"
    ));
    assert!(dedicated(
        "port web { internal = 8080  public = true  external = 443  handlers = [tls] }"
    ));
    assert!(dedicated(
        "port db { internal = 5432  public = true  external = 5432 }"
    ));
    assert!(dedicated(
        "port dns { internal = 53  protocol = udp  public = true  external = 53 }"
    ));
}
