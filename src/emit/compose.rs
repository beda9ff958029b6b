//! Stage 4, emit: `compose.yaml`, every service of the topology run locally
//! under Docker Compose, stores as local containers.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::check::local::{REDIS_PORT, compose_name, primary_group};
use crate::model::{Check, CheckKind, Protocol, Runtime, Service, Source, StoreKind};
use crate::topology::{Node, ServiceId, StoreId, Topology};

use super::{EmitOptions, join_relative};

/// The Postgres image local stores run: the major version Fly's Managed
/// Postgres offers by default, pinned so every machine runs the same.
pub const POSTGRES_IMAGE: &str = "postgres:17";
/// The Redis image local stores run, pinned to a minor release.
pub const REDIS_IMAGE: &str = "redis:7.4";
/// The local Postgres password: for development only, never used on Fly.
pub const DEV_PASSWORD: &str = "flyx-local-dev-only";
const POSTGRES_PORT: u16 = crate::check::POSTGRES_PORT;

/// The whole `compose.yaml`.
pub fn render(topology: &Topology, options: &EmitOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", options.header());
    out.push_str(
        "# Local development: docker compose -f <this file> up\n\
         # Secret values come from the .env file in the project folder (flyx never writes it).\n\
         services:\n",
    );
    let mut volumes = BTreeSet::new();
    for id in topology.services_by_name() {
        render_service(&mut out, topology, id, options, &mut volumes);
    }
    for (index, store) in topology.stack.stores.iter().enumerate() {
        let _ = store;
        render_store(&mut out, topology, StoreId(index), &mut volumes);
    }
    if !volumes.is_empty() {
        out.push_str("volumes:\n");
        for volume in volumes {
            let _ = writeln!(out, "  {volume}: {{}}");
        }
    }
    out
}

/// A YAML double-quoted scalar with Compose's `$` interpolation escaped.
fn quote(value: &str) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "\"\"".to_string());
    json.replace('$', "$$")
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quote(i)).collect();
    format!("[{}]", quoted.join(", "))
}

fn render_service(
    out: &mut String,
    topology: &Topology,
    id: ServiceId,
    options: &EmitOptions,
    volumes: &mut BTreeSet<String>,
) {
    let service = topology.service(id);
    let resolved = topology.resolved(id);
    let primary = primary_group(service);
    let release = resolved
        .local
        .release_command
        .as_ref()
        .map(|command| (format!("{}-release", service.name.value), command.clone()));
    let depends = depends_on(
        topology,
        id,
        options,
        release.as_ref().map(|r| r.0.as_str()),
    );
    for group in &resolved.process_groups {
        let name = compose_name(service, group);
        let _ = writeln!(out, "  {name}:");
        if group == &primary {
            fly_only_comment(out, service);
        }
        build(out, topology, id, options);
        command(out, service, group);
        environment(out, topology, id, options);
        let ports: Vec<String> = resolved
            .local
            .ports
            .iter()
            .filter(|p| p.compose_service == name)
            .map(|p| {
                let udp = if p.protocol == Protocol::Udp {
                    "/udp"
                } else {
                    ""
                };
                format!("127.0.0.1:{}:{}{udp}", p.host, p.container)
            })
            .collect();
        if !ports.is_empty() {
            out.push_str("    ports:\n");
            for port in ports {
                let _ = writeln!(out, "      - {}", quote(&port));
            }
        }
        let mounted: Vec<String> = service
            .volumes
            .iter()
            .filter(|v| {
                v.processes.is_empty() && group == &resolved.default_group
                    || v.processes.iter().any(|p| &p.value == group)
            })
            .map(|v| {
                let volume = format!("{}-{}", service.name.value, v.name.value);
                volumes.insert(volume.clone());
                format!("{volume}:{}", v.mount.value)
            })
            .collect();
        if !mounted.is_empty() {
            out.push_str("    volumes:\n");
            for mount in mounted {
                let _ = writeln!(out, "      - {}", quote(&mount));
            }
        }
        if group == &primary {
            match healthcheck(service, options) {
                Some(test) => {
                    out.push_str(&test);
                }
                None if has_checks(service) => {
                    out.push_str("    # Fly health checks not run locally: the image may lack the tool they need\n");
                }
                None => {}
            }
        }
        depends_block(out, &depends);
    }
    if let Some((name, command)) = release {
        let _ = writeln!(out, "  {name}:");
        out.push_str(
            "    # release_command: runs once before the app starts, as on every Fly deploy\n",
        );
        build(out, topology, id, options);
        let _ = writeln!(out, "    command: {}", quote(&command));
        environment(out, topology, id, options);
        let own: Vec<(String, &'static str)> = depends
            .iter()
            .filter(|(target, _)| target != &name)
            .cloned()
            .collect();
        depends_block(out, &own);
    }
}

/// What Fly gives a service that Compose cannot, as a comment.
fn fly_only_comment(out: &mut String, service: &Service) {
    let mut missing = Vec::new();
    if !service.statics.is_empty() {
        missing.push("statics");
    }
    if !service.files.is_empty() {
        missing.push("[[files]]");
    }
    if !service.metrics.is_empty() {
        missing.push("metrics");
    }
    if crate::check::auto_stops(service) {
        missing.push("auto_stop");
    }
    if !service.domains().is_empty() {
        missing.push("domains");
    }
    if !missing.is_empty() {
        let _ = writeln!(out, "    # on Fly only: {}", missing.join(", "));
    }
}

fn build(out: &mut String, topology: &Topology, id: ServiceId, options: &EmitOptions) {
    let service = topology.service(id);
    let args = &topology.resolved(id).local.build_args;
    let from_output = |path: &str| join_relative(&[&options.project_from_output, path]);
    let (context, dockerfile, target) = match &service.source {
        Source::Image(image) => {
            let _ = writeln!(out, "    image: {}", quote(&image.value));
            return;
        }
        Source::Buildpacks(build) => {
            let _ = writeln!(
                out,
                "    # a buildpacks build: first run `pack build {}:local --builder {} --path {}`",
                service.app.value,
                build.builder.value,
                from_output(&build.context.value)
            );
            let _ = writeln!(
                out,
                "    image: {}",
                quote(&format!("{}:local", service.app.value))
            );
            return;
        }
        Source::Missing => return,
        Source::Dockerfile(build) => (
            &build.context.value,
            relative_from(&build.context.value, &build.dockerfile.value),
            build.target.as_ref().map(|t| t.value.clone()),
        ),
        Source::Runtime(build) => (
            &build.context.value,
            relative_from(
                &build.context.value,
                &format!(
                    "{}/{}/Dockerfile",
                    options.output_from_project, service.name.value
                ),
            ),
            None,
        ),
    };
    out.push_str("    build:\n");
    let _ = writeln!(out, "      context: {}", quote(&from_output(context)));
    let _ = writeln!(out, "      dockerfile: {}", quote(&dockerfile));
    if let Some(target) = target {
        let _ = writeln!(out, "      target: {}", quote(&target));
    }
    if !args.is_empty() {
        out.push_str("      args:\n");
        for (name, value) in args {
            let _ = writeln!(out, "        {name}: {}", quote(value));
        }
    }
}

/// `path` (relative to the project) from the folder `dir` (relative to the
/// project), climbing out of `dir` as far as needed.
fn relative_from(dir: &str, path: &str) -> String {
    let dir = join_relative(&[dir]);
    let path = join_relative(&[path]);
    if dir == "." {
        return path;
    }
    let dir_parts: Vec<&str> = dir.split('/').collect();
    let path_parts: Vec<&str> = path.split('/').collect();
    let shared = dir_parts
        .iter()
        .zip(&path_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<&str> = vec![".."; dir_parts.len() - shared];
    parts.extend(&path_parts[shared..]);
    join_relative(&parts)
}

fn command(out: &mut String, service: &Service, group: &str) {
    if let Some(exec) = &service.exec {
        let _ = writeln!(out, "    entrypoint: {}", list(&exec.value));
        return;
    }
    if let Some(entrypoint) = &service.entrypoint {
        let _ = writeln!(out, "    entrypoint: {}", list(&entrypoint.value));
    }
    if let Some(process) = service
        .processes
        .iter()
        .find(|p| p.name.value == group && !p.command.value.is_empty())
    {
        let _ = writeln!(out, "    command: {}", quote(&process.command.value));
    }
}

fn environment(out: &mut String, topology: &Topology, id: ServiceId, options: &EmitOptions) {
    let service = topology.service(id);
    let mut env: BTreeMap<String, String> =
        topology.resolved(id).local.env.iter().cloned().collect();
    for attachment in &topology.resolved(id).attachments {
        env.insert(
            attachment.secret.clone(),
            store_url(topology, attachment.store, attachment.database.as_deref()),
        );
    }
    if !env.is_empty() {
        out.push_str("    environment:\n");
        for (name, value) in &env {
            let _ = writeln!(out, "      {name}: {}", quote(value));
        }
    }
    if !service.secrets.is_empty() {
        let names: Vec<&str> = service.secrets.iter().map(|s| s.value.as_str()).collect();
        let _ = writeln!(out, "    # secrets from .env: {}", names.join(", "));
        out.push_str("    env_file:\n");
        let path = join_relative(&[&options.project_from_output, ".env"]);
        let _ = writeln!(out, "      - {}", quote(&path));
    }
}

/// The local URL of a store, with the development-only credentials.
fn store_url(topology: &Topology, store: StoreId, database: Option<&str>) -> String {
    let store = topology.store(store);
    match &store.kind {
        StoreKind::Postgres(_) => format!(
            "postgres://postgres:{DEV_PASSWORD}@{}:{POSTGRES_PORT}/{}",
            store.name.value,
            database.unwrap_or("postgres")
        ),
        StoreKind::Redis(_) => format!("redis://{}:{REDIS_PORT}", store.name.value),
    }
}

/// The databases the links to a Postgres store create, sorted.
fn databases(topology: &Topology, store: StoreId) -> Vec<String> {
    let names: BTreeSet<String> = topology
        .resolved
        .iter()
        .flat_map(|r| &r.attachments)
        .filter(|a| a.store == store)
        .filter_map(|a| a.database.clone())
        .collect();
    names.into_iter().collect()
}

fn init_name(topology: &Topology, store: StoreId) -> Option<String> {
    (databases(topology, store).len() > 1)
        .then(|| format!("{}-init", topology.store(store).name.value))
}

/// The Compose services a service waits for, with the condition.
fn depends_on(
    topology: &Topology,
    id: ServiceId,
    options: &EmitOptions,
    release: Option<&str>,
) -> Vec<(String, &'static str)> {
    let mut out = BTreeMap::new();
    let node = topology.service_nodes[id.0];
    for edge in topology.graph.edges(node) {
        use petgraph::visit::EdgeRef;
        match topology.graph[edge.target()] {
            Node::Service(target) if edge.weight().orders_deploy => {
                let service = topology.service(target);
                let condition = if healthcheck(service, options).is_some() {
                    "service_healthy"
                } else {
                    "service_started"
                };
                out.insert(service.name.value.clone(), condition);
            }
            Node::Store(store) => {
                out.insert(topology.store(store).name.value.clone(), "service_healthy");
                if let Some(init) = init_name(topology, store) {
                    out.insert(init, "service_completed_successfully");
                }
            }
            Node::Service(_) => {}
        }
    }
    if let Some(release) = release {
        out.insert(release.to_string(), "service_completed_successfully");
    }
    out.into_iter().collect()
}

fn depends_block(out: &mut String, depends: &[(String, &'static str)]) {
    if depends.is_empty() {
        return;
    }
    out.push_str("    depends_on:\n");
    for (name, condition) in depends {
        let _ = writeln!(out, "      {name}:\n        condition: {condition}");
    }
}

fn has_checks(service: &Service) -> bool {
    !service.checks.is_empty()
        || service.http.iter().any(|h| !h.checks.is_empty())
        || service.ports.iter().any(|p| !p.checks.is_empty())
}

/// The first Fly check of the primary group, with the port it probes.
fn first_check(service: &Service) -> Option<(&Check, u16)> {
    let http = service
        .http
        .iter()
        .flat_map(|h| h.checks.iter().map(move |c| (c, h.port.value)));
    let ports = service
        .ports
        .iter()
        .flat_map(|p| p.checks.iter().map(move |c| (c, p.internal.value)));
    let primary = primary_group(service);
    let own = service
        .checks
        .iter()
        .filter(|c| c.processes.is_empty() || c.processes.iter().any(|p| p.value == primary))
        .filter_map(|c| Some((c, c.port?.value)));
    http.chain(ports).chain(own).next()
}

/// Which probe the image of a service can run: known only for flyx's own
/// runtime templates, not replaced by the project.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Probe {
    Wget,
    Curl,
    Node,
    Python,
    Bash,
}

fn probe(service: &Service, options: &EmitOptions, kind: CheckKind) -> Option<Probe> {
    let Source::Runtime(build) = &service.source else {
        return None;
    };
    let runtime = build.runtime.value;
    let template = match runtime {
        Runtime::Rust => "rust",
        Runtime::Node => "node",
        Runtime::Python => "python",
        Runtime::Go => "go",
        Runtime::Static => "static",
    };
    if options
        .templates
        .iter()
        .any(|t| t.name.starts_with(template))
    {
        return None;
    }
    let curl = build.runtime_packages.iter().any(|p| p.value == "curl");
    match (runtime, kind) {
        (Runtime::Static, CheckKind::Http) => Some(Probe::Wget),
        (Runtime::Node, _) => Some(Probe::Node),
        (Runtime::Python, _) => Some(Probe::Python),
        (Runtime::Rust, CheckKind::Http) if curl => Some(Probe::Curl),
        (Runtime::Rust, CheckKind::Tcp) => Some(Probe::Bash),
        _ => None,
    }
}

/// The Compose healthcheck for the service's first Fly check, when its image
/// has a tool to run it and the check is a plain GET or a TCP connect.
fn healthcheck(service: &Service, options: &EmitOptions) -> Option<String> {
    let (check, port) = first_check(service)?;
    let plain = check
        .method
        .as_deref()
        .is_none_or(|m| m.eq_ignore_ascii_case("GET"))
        && check.headers.is_empty()
        && check.protocol.as_deref().is_none_or(|p| p == "http");
    if !plain {
        return None;
    }
    let probe = probe(service, options, check.kind)?;
    let path = check.path.as_ref().map_or("/", |p| p.value.as_str());
    let url = format!("http://127.0.0.1:{port}{path}");
    let test: Vec<String> = match (check.kind, probe) {
        (CheckKind::Http, Probe::Wget) => vec![
            "wget".into(),
            "-q".into(),
            "-O".into(),
            "/dev/null".into(),
            url,
        ],
        (CheckKind::Http, Probe::Curl) => vec![
            "curl".into(),
            "-fsS".into(),
            "-o".into(),
            "/dev/null".into(),
            url,
        ],
        (CheckKind::Http, Probe::Node) => vec![
            "node".into(),
            "-e".into(),
            format!("fetch('{url}').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"),
        ],
        (CheckKind::Http, Probe::Python) => vec![
            "python".into(),
            "-c".into(),
            format!("import urllib.request; urllib.request.urlopen('{url}', timeout=5)"),
        ],
        (CheckKind::Tcp, Probe::Node) => vec![
            "node".into(),
            "-e".into(),
            format!(
                "require('net').connect({port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))"
            ),
        ],
        (CheckKind::Tcp, Probe::Python) => vec![
            "python".into(),
            "-c".into(),
            format!("import socket; socket.create_connection(('127.0.0.1', {port}), 5)"),
        ],
        (CheckKind::Tcp, Probe::Bash) => vec![
            "bash".into(),
            "-c".into(),
            format!(":</dev/tcp/127.0.0.1/{port}"),
        ],
        _ => return None,
    };
    let mut out = String::from("    healthcheck:\n");
    let mut test_line = vec!["CMD".to_string()];
    test_line.extend(test);
    let _ = writeln!(out, "      test: {}", list(&test_line));
    for (key, value) in [
        ("interval", check.interval),
        ("timeout", check.timeout),
        ("start_period", check.grace),
    ] {
        if let Some(value) = value {
            let _ = writeln!(out, "      {key}: {}", value.value.to_go());
        }
    }
    Some(out)
}

fn render_store(
    out: &mut String,
    topology: &Topology,
    id: StoreId,
    volumes: &mut BTreeSet<String>,
) {
    let store = topology.store(id);
    let name = &store.name.value;
    let _ = writeln!(out, "  {name}:");
    match &store.kind {
        StoreKind::Postgres(_) => {
            let databases = databases(topology, id);
            let _ = writeln!(out, "    image: {POSTGRES_IMAGE}");
            out.push_str("    environment:\n");
            let first = databases.first().map_or("postgres", String::as_str);
            let _ = writeln!(out, "      POSTGRES_DB: {}", quote(first));
            let _ = writeln!(out, "      # development only: never a Fly password");
            let _ = writeln!(out, "      POSTGRES_PASSWORD: {}", quote(DEV_PASSWORD));
            let _ = writeln!(out, "      POSTGRES_USER: \"postgres\"");
            let volume = format!("{name}-data");
            let _ = writeln!(
                out,
                "    volumes:\n      - {}",
                quote(&format!("{volume}:/var/lib/postgresql/data"))
            );
            volumes.insert(volume);
            let _ = writeln!(
                out,
                "    healthcheck:\n      test: [\"CMD\", \"pg_isready\", \"-U\", \"postgres\"]\n      interval: 2s\n      retries: 30"
            );
            if let Some(init) = init_name(topology, id) {
                let script = format!(
                    "set -e; for db in {}; do psql -tAc \"SELECT 1 FROM pg_database WHERE datname = '$db'\" | grep -q 1 || createdb \"$db\"; done",
                    databases[1..].join(" ")
                );
                let _ = writeln!(out, "  {init}:");
                out.push_str(
                    "    # creates the other databases the links name; safe to run again\n",
                );
                let _ = writeln!(out, "    image: {POSTGRES_IMAGE}");
                let _ = writeln!(
                    out,
                    "    command: {}",
                    list(&["sh".into(), "-c".into(), script])
                );
                out.push_str("    environment:\n");
                let _ = writeln!(out, "      PGHOST: {}", quote(name));
                let _ = writeln!(out, "      PGPASSWORD: {}", quote(DEV_PASSWORD));
                out.push_str("      PGUSER: \"postgres\"\n");
                depends_block(out, &[(name.clone(), "service_healthy")]);
            }
        }
        StoreKind::Redis(_) => {
            let _ = writeln!(out, "    image: {REDIS_IMAGE}");
            let _ = writeln!(
                out,
                "    healthcheck:\n      test: [\"CMD\", \"redis-cli\", \"ping\"]\n      interval: 2s\n      retries: 30"
            );
        }
    }
}
