//! Stage 3, check: the stack as Docker Compose runs it locally, every
//! decision `compose.yaml` needs (names, images, URLs, healthchecks, order),
//! so the emitter only writes it out.
//!
//! What each local container relies on, with the reference:
//! - `postgres:<major>` (17 by default; pgvector's and postgis's images are
//!   built on it): the official image keeps its data in
//!   `/var/lib/postgresql/data` (its `PGDATA` up to major 17; 18 moved it),
//!   creates `POSTGRES_DB` owned by `POSTGRES_USER` with `POSTGRES_PASSWORD`
//!   on first start, and ships `pg_isready`, `psql` and `createdb`
//!   (hub.docker.com/_/postgres, "Environment Variables" and "PGDATA").
//!   17 is the major Fly's Managed Postgres creates by default
//!   (flyctl-more.md section 1).
//! - `redis:7.4`: listens on 6379 on every interface without a password and
//!   ships `redis-cli` (hub.docker.com/_/redis).
//! - Healthcheck tools: only what flyx's own runtime templates put in the
//!   final image (src/emit/templates/: node and python images have their
//!   interpreter, the static image is nginx:alpine with busybox `wget`, rust
//!   images are debian-slim with bash and, when asked for, curl). A user's
//!   Dockerfile or image is unknown, so its Fly checks are not run locally.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use petgraph::visit::EdgeRef;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::emit::relative_from;
use crate::lower::schedule::CRONTAB_PATH;
use crate::model::{
    Check, CheckKind, FileContent, FileMount, Protocol, Runtime, Service, Source, StoreKind,
};
use crate::span::Span;
use crate::topology::{Node, ServiceId, StoreId, Topology};

use super::local::{REDIS_PORT, compose_name, primary_group};

/// The Postgres image local stores run, pinned to the major version Fly's
/// Managed Postgres creates by default.
pub const POSTGRES_IMAGE: &str = "postgres:17";
/// The Redis image local stores run, pinned to a minor release.
pub const REDIS_IMAGE: &str = "redis:7.4";
/// The local Postgres password: for development only, never used on Fly.
pub const DEV_PASSWORD: &str = "flyx-local-dev-only";
const POSTGRES_PORT: u16 = super::POSTGRES_PORT;

/// The environment variable a static site's nginx reads the host (and port)
/// of its proxy number `index` from: the Dockerfile sets the Fly value,
/// compose.yaml the local one, and nginx's entrypoint writes it into the
/// configuration at start (`/etc/nginx/templates`, envsubst).
pub fn proxy_host_var(index: usize) -> String {
    format!("FLYX_PROXY_{index}_HOST")
}

/// The variable holding proxy number `index`'s scheme (`http`, `https`).
pub fn proxy_scheme_var(index: usize) -> String {
    format!("FLYX_PROXY_{index}_SCHEME")
}

/// `NGINX_ENVSUBST_FILTER`: only these variables are substituted, so
/// nginx's own `$uri` or `$host` and any other variable stay as written
/// (nginxinc/docker-nginx-unprivileged entrypoint/20-envsubst-on-templates.sh).
pub const NGINX_ENV_FILTER: &str = "^(FLYX_PROXY_|NGINX_LOCAL_RESOLVERS)";

/// Everything `compose.yaml` holds, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct ComposeStack {
    /// The Compose project name: the flyx project, with `-<environment>`
    /// for an environment's build. Compose otherwise names the project after
    /// the folder (`fly`), and every stack would share containers and
    /// volumes such as `fly_db-data`.
    pub project: String,
    /// Services, then each service's release one-shot, then stores.
    pub services: Vec<ComposeService>,
    /// Named volumes, sorted.
    pub volumes: Vec<String>,
    /// Files compose.yaml mounts that flyx writes beside it, in path order.
    pub files: Vec<LocalFile>,
}

/// A file flyx writes in the output folder for Compose to mount: a
/// schedule's crontab, which Fly gets through fly.toml's `[[files]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalFile {
    /// Relative to the output folder: `<service>/crontab`.
    pub path: String,
    /// The text, without flyx's header.
    pub contents: String,
}

/// A file bind-mounted read-only into a container, as fly.toml's
/// `[[files]]` puts it on the machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bind {
    /// Where the file comes from.
    pub source: BindSource,
    /// Its path in the container (`guest_path`).
    pub target: String,
}

/// Where a bind-mounted file is on the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BindSource {
    /// A project file (`local_path`), relative to the `.flyx` file's folder.
    Project(String),
    /// A file flyx writes ([`LocalFile`]), relative to the output folder.
    Output(String),
}

/// One Compose service.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ComposeService {
    /// Its name: a compose service name other services reach it at.
    pub name: String,
    /// Comment lines right after the name.
    pub notes: Vec<String>,
    /// Where its image comes from.
    pub source: ComposeSource,
    /// `entrypoint`, exec form.
    pub entrypoint: Option<Vec<String>>,
    /// `command`: a shell-form string.
    pub command: Option<String>,
    /// `command`: exec form.
    pub command_exec: Option<Vec<String>>,
    /// `environment`, sorted by name.
    pub environment: Vec<ComposeEnv>,
    /// Secret names read from `.env`; `env_file` when not empty.
    pub secrets: Vec<String>,
    /// `ports`: `127.0.0.1:<host>:<container>[/udp]`.
    pub ports: Vec<String>,
    /// `volumes`: `<named volume>:<mount path>`.
    pub volumes: Vec<String>,
    /// `volumes`: files mounted read-only, after the named volumes.
    pub binds: Vec<Bind>,
    /// `healthcheck`.
    pub healthcheck: Option<Healthcheck>,
    /// A comment in place of a healthcheck, saying why there is none.
    pub healthcheck_note: Option<String>,
    /// `depends_on`, sorted by name.
    pub depends_on: Vec<(String, Condition)>,
}

/// Where a Compose service's image comes from.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum ComposeSource {
    /// No image (the check stage rejects such a service before this).
    #[default]
    None,
    /// A pulled image.
    Image(String),
    /// An image built by `pack build` first.
    Pack {
        /// The local tag.
        image: String,
        /// The buildpacks builder.
        builder: String,
        /// The context, relative to the `.flyx` file's folder.
        context: String,
    },
    /// Built by Compose.
    Build {
        /// The context, relative to the `.flyx` file's folder.
        context: String,
        /// The Dockerfile.
        dockerfile: Dockerfile,
        /// The build stage.
        target: Option<String>,
        /// Build arguments with local addresses, in source order.
        args: Vec<(String, String)>,
    },
}

/// A Dockerfile a Compose build uses.
#[derive(Clone, Debug, PartialEq)]
pub enum Dockerfile {
    /// The project's own, relative to the context.
    Project(String),
    /// The one flyx writes for this service in the output folder.
    Generated {
        /// The flyx service it is written for.
        service: String,
    },
}

/// One `environment` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct ComposeEnv {
    /// The variable.
    pub name: String,
    /// Its value, as the process sees it.
    pub value: String,
    /// A comment line before it.
    pub note: Option<&'static str>,
}

/// A Compose healthcheck.
#[derive(Clone, Debug, PartialEq)]
pub struct Healthcheck {
    /// `test`, starting with `CMD`.
    pub test: Vec<String>,
    /// `interval`, Go duration.
    pub interval: Option<String>,
    /// `timeout`, Go duration.
    pub timeout: Option<String>,
    /// `start_period`, Go duration.
    pub start_period: Option<String>,
    /// `retries`.
    pub retries: Option<u32>,
}

/// A `depends_on` condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Condition {
    /// `service_started`: the target has no healthcheck.
    Started,
    /// `service_healthy`.
    Healthy,
    /// `service_completed_successfully`: a one-shot.
    Completed,
}

impl Condition {
    /// The Compose spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Started => "service_started",
            Condition::Healthy => "service_healthy",
            Condition::Completed => "service_completed_successfully",
        }
    }
}

/// The whole local stack. `overridden` names the runtime templates the
/// project replaced: an image built from one of them may lack the tool a
/// healthcheck needs. `environment` is the build's `--env`.
pub fn plan(topology: &Topology, overridden: &[&str], environment: Option<&str>) -> ComposeStack {
    let planner = Planner {
        topology,
        overridden,
    };
    let mut services = Vec::new();
    for id in topology.services_by_name() {
        services.extend(planner.service(id));
    }
    for index in 0..topology.stack.stores.len() {
        services.extend(planner.store(StoreId(index)));
    }
    let volumes: BTreeSet<String> = services
        .iter()
        .flat_map(|s| &s.volumes)
        .filter_map(|mount| mount.split_once(':').map(|(name, _)| name.to_string()))
        .collect();
    let name = &topology.stack.project.name.value;
    let mut files: Vec<LocalFile> = topology
        .services_by_name()
        .into_iter()
        .filter_map(|id| crontab(topology.service(id)))
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    ComposeStack {
        project: environment.map_or_else(|| name.clone(), |env| format!("{name}-{env}")),
        services,
        volumes: volumes.into_iter().collect(),
        files,
    }
}

/// The crontab flyx wrote from a service's schedules (a `[[files]]` entry
/// at [`CRONTAB_PATH`]), as a file beside compose.yaml.
fn crontab(service: &Service) -> Option<LocalFile> {
    let file = crontab_file(service)?;
    let FileContent::Raw(text) = &file.content else {
        return None;
    };
    Some(LocalFile {
        path: crontab_path(service),
        contents: text.clone(),
    })
}

/// The schedules' `[[files]]` entry, if the service has schedules.
fn crontab_file(service: &Service) -> Option<&FileMount> {
    service.files.iter().find(|f| is_crontab(service, f))
}

/// Whether a `[[files]]` entry is the crontab flyx wrote from the schedules.
fn is_crontab(service: &Service, file: &FileMount) -> bool {
    !service.schedules.is_empty() && file.guest_path.value == CRONTAB_PATH
}

/// Where a service's crontab is written, relative to the output folder.
pub fn crontab_path(service: &Service) -> String {
    format!("{}/crontab", service.name.value)
}

/// The name of a service's release one-shot.
pub fn release_name(service: &Service) -> String {
    format!("{}-release", service.name.value)
}

/// The name of a Postgres store's database-creating one-shot.
pub fn init_name(store: &crate::model::Store) -> String {
    format!("{}-init", store.name.value)
}

struct Planner<'a> {
    topology: &'a Topology,
    overridden: &'a [&'a str],
}

impl Planner<'_> {
    /// A service's Compose services: one per process group, then its release.
    fn service(&self, id: ServiceId) -> Vec<ComposeService> {
        let topology = self.topology;
        let service = topology.service(id);
        let resolved = topology.resolved(id);
        let primary = primary_group(service);
        let release = resolved.local.release_command.clone();
        let mut depends = self.depends_on(id);
        if release.is_some() {
            depends.push((release_name(service), Condition::Completed));
            depends.sort();
        }
        let source = source(topology, id);
        let environment = self.environment(id);
        let mut out = Vec::new();
        for group in &resolved.process_groups {
            let name = compose_name(service, group);
            let primary_group = group == &primary;
            let (healthcheck, healthcheck_note) = if primary_group {
                match self.healthcheck(service) {
                    Some(check) => (Some(check), None),
                    None if has_checks(service) => (
                        None,
                        Some(
                            "Fly health checks not run locally: the image may lack the tool they need"
                                .to_string(),
                        ),
                    ),
                    None => (None, None),
                }
            } else {
                (None, None)
            };
            let (entrypoint, command) = command(service, group);
            out.push(ComposeService {
                notes: if primary_group {
                    fly_only(service)
                } else {
                    Vec::new()
                },
                source: source.clone(),
                entrypoint,
                command,
                environment: environment.clone(),
                secrets: secret_names(service),
                ports: ports(topology, id, &name),
                volumes: mounts(service, group, &resolved.default_group),
                binds: binds(service, group),
                healthcheck,
                healthcheck_note,
                depends_on: depends.clone(),
                name,
                command_exec: None,
            });
        }
        if let Some(command) = release {
            let name = release_name(service);
            out.push(ComposeService {
                notes: vec![
                    "release_command: runs once before the app starts, as on every Fly deploy"
                        .to_string(),
                ],
                binds: binds(service, &resolved.default_group),
                source,
                command: Some(command),
                environment,
                secrets: secret_names(service),
                depends_on: depends.into_iter().filter(|(n, _)| n != &name).collect(),
                name,
                ..ComposeService::default()
            });
        }
        out
    }

    /// The env a service's containers get: its own with local addresses,
    /// and each attached store's local URL under the secret name it reads.
    fn environment(&self, id: ServiceId) -> Vec<ComposeEnv> {
        let topology = self.topology;
        let mut env: BTreeMap<String, String> =
            topology.resolved(id).local.env.iter().cloned().collect();
        for (index, proxy) in topology.resolved(id).local.proxies.iter().enumerate() {
            env.insert(proxy_host_var(index), proxy.host.clone());
            env.insert(proxy_scheme_var(index), proxy.scheme.clone());
        }
        for attachment in &topology.resolved(id).attachments {
            env.insert(
                attachment.secret.clone(),
                store_url(topology, attachment.store, attachment.database.as_deref()),
            );
        }
        env.into_iter()
            .map(|(name, value)| ComposeEnv {
                name,
                value,
                note: None,
            })
            .collect()
    }

    /// The Compose services a service waits for: the services it deploys
    /// after, and its stores (and their init one-shot).
    fn depends_on(&self, id: ServiceId) -> Vec<(String, Condition)> {
        let topology = self.topology;
        let mut out = BTreeMap::new();
        let node = topology.service_nodes[id.0];
        for edge in topology.graph.edges(node) {
            match topology.graph[edge.target()] {
                Node::Service(target) if edge.weight().orders_deploy => {
                    let service = topology.service(target);
                    let condition = if self.healthcheck(service).is_some() {
                        Condition::Healthy
                    } else {
                        Condition::Started
                    };
                    out.insert(service.name.value.clone(), condition);
                }
                Node::Store(store) => {
                    out.insert(topology.store(store).name.value.clone(), Condition::Healthy);
                    if needs_init(topology, store) {
                        out.insert(init_name(topology.store(store)), Condition::Completed);
                    }
                }
                Node::Service(_) => {}
            }
        }
        out.into_iter().collect()
    }

    /// The Compose healthcheck for the service's first Fly check, when its
    /// image has a tool to run it and the check is a plain GET or a TCP
    /// connect.
    fn healthcheck(&self, service: &Service) -> Option<Healthcheck> {
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
        let probe = self.probe(service, check.kind)?;
        let path = check.path.as_ref().map_or("/", |p| p.value.as_str());
        let mut test = vec!["CMD".to_string()];
        test.extend(probe_command(check.kind, probe, port, path)?);
        let go = |d: Option<crate::span::Spanned<crate::syntax::ast::Duration>>| {
            d.map(|d| d.value.to_go())
        };
        Some(Healthcheck {
            test,
            interval: go(check.interval),
            timeout: go(check.timeout),
            start_period: go(check.grace),
            retries: None,
        })
    }

    /// Which tool the image of a service has to probe it: known only for
    /// flyx's own runtime templates, not replaced by the project.
    fn probe(&self, service: &Service, kind: CheckKind) -> Option<Probe> {
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
        if self.overridden.iter().any(|t| t.starts_with(template)) {
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

    /// A store's Compose services: the container, and for a Postgres store
    /// with several databases the one-shot that creates the others.
    fn store(&self, id: StoreId) -> Vec<ComposeService> {
        let topology = self.topology;
        let store = topology.store(id);
        let name = store.name.value.clone();
        match &store.kind {
            StoreKind::Postgres(postgres) => {
                let databases = databases(topology, id);
                let first = databases.first().map_or("postgres", String::as_str);
                let local = local_postgres(postgres);
                let mut out = vec![ComposeService {
                    notes: local.notes.clone(),
                    source: ComposeSource::Image(local.image.clone()),
                    environment: vec![
                        env("POSTGRES_DB", first, None),
                        env(
                            "POSTGRES_PASSWORD",
                            DEV_PASSWORD,
                            Some("development only: never a Fly password"),
                        ),
                        env("POSTGRES_USER", "postgres", None),
                    ],
                    volumes: vec![format!("{name}-data:/var/lib/postgresql/data")],
                    healthcheck: Some(ready_check(&[
                        "pg_isready",
                        "-h",
                        "127.0.0.1",
                        "-U",
                        "postgres",
                    ])),
                    name: name.clone(),
                    ..ComposeService::default()
                }];
                if needs_init(topology, id) {
                    let used = used_databases(topology, id);
                    out.push(init_service(store, &local, &databases, &used));
                }
                out
            }
            StoreKind::Redis(_) => vec![ComposeService {
                name,
                source: ComposeSource::Image(REDIS_IMAGE.to_string()),
                healthcheck: Some(ready_check(&["redis-cli", "ping"])),
                ..ComposeService::default()
            }],
        }
    }
}

/// Extensions the official Postgres image ships (its contrib modules), so
/// every local image has them (postgresql.org/docs/current/contrib.html).
const CONTRIB: &[&str] = &[
    "amcheck",
    "autoinc",
    "bloom",
    "btree_gin",
    "btree_gist",
    "citext",
    "cube",
    "dblink",
    "dict_int",
    "dict_xsyn",
    "earthdistance",
    "file_fdw",
    "fuzzystrmatch",
    "hstore",
    "insert_username",
    "intagg",
    "intarray",
    "isn",
    "lo",
    "ltree",
    "moddatetime",
    "pageinspect",
    "pg_buffercache",
    "pg_freespacemap",
    "pg_prewarm",
    "pg_stat_statements",
    "pg_surgery",
    "pg_trgm",
    "pg_visibility",
    "pg_walinspect",
    "pgcrypto",
    "pgrowlocks",
    "pgstattuple",
    "plpgsql",
    "postgres_fdw",
    "refint",
    "seg",
    "sslinfo",
    "tablefunc",
    "tcn",
    "tsm_system_rows",
    "tsm_system_time",
    "unaccent",
    "xml2",
];

/// The extensions PostGIS's image adds.
const POSTGIS: &[&str] = &[
    "postgis",
    "postgis_raster",
    "postgis_topology",
    "postgis_tiger_geocoder",
    "address_standardizer",
];

/// How a local Postgres runs: its image, the extensions it can create in
/// every database (as deploy.sh enables them on Fly), and what it lacks.
struct LocalPostgres {
    image: String,
    extensions: Vec<String>,
    notes: Vec<String>,
}

/// The image a local Postgres runs: the Managed cluster's major version,
/// with its extensions when one image has them all. `pgvector/pgvector:pgN`
/// and `postgis/postgis:N-3.5` are built on the official image (same data
/// folder, same tools, the same contrib modules; hub.docker.com/r/pgvector/pgvector,
/// hub.docker.com/r/postgis/postgis); no image has both.
fn local_postgres(postgres: &crate::model::Postgres) -> LocalPostgres {
    let crate::model::Postgres::Managed(managed) = postgres else {
        return LocalPostgres {
            image: POSTGRES_IMAGE.to_string(),
            extensions: Vec::new(),
            notes: Vec::new(),
        };
    };
    let version = managed.version.value;
    let all: Vec<&str> = managed
        .extensions
        .iter()
        .map(|e| e.value.as_str())
        .collect();
    let vector = all.contains(&"vector");
    let postgis = all.iter().any(|e| POSTGIS.contains(e));
    // The image, and the extensions it adds to the contrib modules.
    let (image, adds): (String, &[&str]) = match (vector, postgis) {
        (true, false) => (format!("pgvector/pgvector:pg{version}"), &["vector"]),
        (false, true) => (format!("postgis/postgis:{version}-3.5"), POSTGIS),
        _ => (format!("postgres:{version}"), &[]),
    };
    let has = |e: &str| CONTRIB.contains(&e) || adds.contains(&e);
    let missing: Vec<&str> = all.iter().copied().filter(|e| !has(e)).collect();
    let notes = if missing.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "on Fly only: extensions {}: no one image has them all",
            missing.join(", ")
        )]
    };
    LocalPostgres {
        image,
        extensions: all
            .into_iter()
            .filter(|e| has(e))
            .map(str::to_string)
            .collect(),
        notes,
    }
}

fn env(name: &str, value: &str, note: Option<&'static str>) -> ComposeEnv {
    ComposeEnv {
        name: name.to_string(),
        value: value.to_string(),
        note,
    }
}

/// A store's readiness probe, polled every 2 s for a minute. Postgres is
/// probed over TCP: during its first start the image's entrypoint runs a
/// temporary server on the unix socket only, which a socket probe would
/// take for the real one (hub.docker.com/_/postgres, "Initialization
/// scripts").
fn ready_check(command: &[&str]) -> Healthcheck {
    let mut test = vec!["CMD".to_string()];
    test.extend(command.iter().map(|c| (*c).to_string()));
    Healthcheck {
        test,
        interval: Some("2s".to_string()),
        timeout: None,
        start_period: None,
        retries: Some(30),
    }
}

/// What a store's init one-shot creates, for its comment.
fn init_does(databases: &[String], local: &LocalPostgres) -> String {
    let mut parts = Vec::new();
    if databases.len() > 1 {
        parts.push("the other databases the links name".to_string());
    }
    if !local.extensions.is_empty() {
        parts.push(format!("the extensions {}", local.extensions.join(", ")));
    }
    parts.join(" and ")
}

/// Whether a Postgres store gets the one-shot that prepares it: databases
/// besides the first to create, or extensions to create in each.
fn needs_init(topology: &Topology, store: StoreId) -> bool {
    let StoreKind::Postgres(postgres) = &topology.store(store).kind else {
        return false;
    };
    databases(topology, store).len() > 1 || !local_postgres(postgres).extensions.is_empty()
}

/// Every database the apps connect to: the links' databases, and
/// `postgres` for a link that names none.
fn used_databases(topology: &Topology, store: StoreId) -> Vec<String> {
    let mut names: BTreeSet<String> = databases(topology, store).into_iter().collect();
    let unnamed = topology
        .resolved
        .iter()
        .flat_map(|r| &r.attachments)
        .any(|a| a.store == store && a.database.is_none());
    if unnamed || names.is_empty() {
        names.insert("postgres".to_string());
    }
    names.into_iter().collect()
}

/// The one-shot that prepares a Postgres store: it creates the databases
/// after the first (`POSTGRES_DB`), then the cluster's extensions in every
/// database the apps use, as deploy.sh enables them on Fly (`CASCADE`: one
/// such as `earthdistance` needs `cube` first, whatever order they are
/// listed in). Each step checks first, so it is safe to run again.
fn init_service(
    store: &crate::model::Store,
    local: &LocalPostgres,
    databases: &[String],
    used: &[String],
) -> ComposeService {
    let name = &store.name.value;
    let mut steps = vec!["set -e".to_string()];
    if databases.len() > 1 {
        steps.push(format!(
            "for db in {}; do psql -tAc \"SELECT 1 FROM pg_database WHERE datname = '$db'\" | grep -q 1 || createdb \"$db\"; done",
            databases[1..].join(" ")
        ));
    }
    if !local.extensions.is_empty() {
        let creates: Vec<String> = local
            .extensions
            .iter()
            .map(|e| format!("-c 'CREATE EXTENSION IF NOT EXISTS {e} CASCADE'"))
            .collect();
        steps.push(format!(
            "for db in {}; do psql -v ON_ERROR_STOP=1 -d \"$db\" {}; done",
            used.join(" "),
            creates.join(" ")
        ));
    }
    ComposeService {
        name: init_name(store),
        notes: vec![format!(
            "creates {}; safe to run again",
            init_does(databases, local)
        )],
        source: ComposeSource::Image(local.image.clone()),
        command_exec: Some(vec!["sh".into(), "-c".into(), steps.join("; ")]),
        environment: vec![
            env("PGHOST", name, None),
            env("PGPASSWORD", DEV_PASSWORD, None),
            env("PGUSER", "postgres", None),
        ],
        depends_on: vec![(name.clone(), Condition::Healthy)],
        ..ComposeService::default()
    }
}

/// Where a service's image comes from locally: the same Dockerfile, context
/// and build arguments (with local addresses) as on Fly, or the same image.
fn source(topology: &Topology, id: ServiceId) -> ComposeSource {
    let service = topology.service(id);
    let args = topology.resolved(id).local.build_args.clone();
    match &service.source {
        Source::Missing => ComposeSource::None,
        Source::Image(image) => ComposeSource::Image(image.value.clone()),
        Source::Buildpacks(build) => ComposeSource::Pack {
            image: format!("{}:local", service.app.value),
            builder: build.builder.value.clone(),
            context: build.context.value.clone(),
        },
        Source::Dockerfile(build) => ComposeSource::Build {
            context: build.context.value.clone(),
            dockerfile: Dockerfile::Project(relative_from(
                &build.context.value,
                &build.dockerfile.value,
            )),
            target: build.target.as_ref().map(|t| t.value.clone()),
            args,
        },
        Source::Runtime(build) => ComposeSource::Build {
            context: build.context.value.clone(),
            dockerfile: Dockerfile::Generated {
                service: service.name.value.clone(),
            },
            target: None,
            args,
        },
    }
}

/// The entrypoint and command of one process group's container.
fn command(service: &Service, group: &str) -> (Option<Vec<String>>, Option<String>) {
    if let Some(exec) = &service.exec {
        return (Some(exec.value.clone()), None);
    }
    let entrypoint = service.entrypoint.as_ref().map(|e| e.value.clone());
    let command = service
        .processes
        .iter()
        .find(|p| p.name.value == group && !p.command.value.is_empty())
        .map(|p| p.command.value.clone());
    (entrypoint, command)
}

fn secret_names(service: &Service) -> Vec<String> {
    service.secrets.iter().map(|s| s.value.clone()).collect()
}

/// The ports one Compose service publishes on the host's loopback.
fn ports(topology: &Topology, id: ServiceId, compose_service: &str) -> Vec<String> {
    topology
        .resolved(id)
        .local
        .ports
        .iter()
        .filter(|p| p.compose_service == compose_service)
        .map(|p| {
            let udp = if p.protocol == Protocol::Udp {
                "/udp"
            } else {
                ""
            };
            format!("127.0.0.1:{}:{}{udp}", p.host, p.container)
        })
        .collect()
}

/// The named volumes one process group mounts.
fn mounts(service: &Service, group: &str, default_group: &str) -> Vec<String> {
    service
        .volumes
        .iter()
        .filter(|v| {
            v.processes.is_empty() && group == default_group
                || v.processes.iter().any(|p| p.value == group)
        })
        .map(|v| format!("{}-{}:{}", service.name.value, v.name.value, v.mount.value))
        .collect()
}

/// Whether a `[[files]]` entry is on one process group's machines: every
/// group's when it names none (flyctl puts such files on every machine).
fn file_on_group(file: &FileMount, group: &str) -> bool {
    file.processes.is_empty() || file.processes.iter().any(|p| p.value == group)
}

/// The `[[files]]` one process group gets that Compose can mount: project
/// files (`local_path`) and the schedules' crontab.
fn binds(service: &Service, group: &str) -> Vec<Bind> {
    service
        .files
        .iter()
        .filter(|f| file_on_group(f, group))
        .filter_map(|f| {
            let source = match &f.content {
                FileContent::Local(path) => BindSource::Project(path.value.clone()),
                FileContent::Raw(_) if is_crontab(service, f) => {
                    BindSource::Output(crontab_path(service))
                }
                FileContent::Raw(_) | FileContent::Secret(_) => return None,
            };
            Some(Bind {
                source,
                target: f.guest_path.value.clone(),
            })
        })
        .collect()
}

/// `[[files]]` Compose cannot mount: a secret's value, or a `raw_value`
/// the user wrote (flyx writes no file it cannot put its header in).
fn unmounted_files(service: &Service) -> Vec<&str> {
    service
        .files
        .iter()
        .filter(|f| match &f.content {
            FileContent::Local(_) => false,
            FileContent::Raw(_) => !is_crontab(service, f),
            FileContent::Secret(_) => true,
        })
        .map(|f| f.guest_path.value.as_str())
        .collect()
}

/// What Fly gives a service that Compose does not, as a comment.
fn fly_only(service: &Service) -> Vec<String> {
    let mut missing = Vec::new();
    if !service.statics.is_empty() {
        missing.push("statics".to_string());
    }
    let files = unmounted_files(service);
    if !files.is_empty() {
        missing.push(format!("[[files]] {}", files.join(" ")));
    }
    if !service.metrics.is_empty() {
        missing.push("metrics".to_string());
    }
    if super::auto_stops(service) {
        missing.push("auto_stop".to_string());
    }
    if !service.domains().is_empty() {
        missing.push("domains".to_string());
    }
    if service.consul.is_some_and(|c| c.value) {
        missing.push("consul (FLY_CONSUL_URL)".to_string());
    }
    if missing.is_empty() {
        Vec::new()
    } else {
        vec![format!("on Fly only: {}", missing.join(", "))]
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

/// A tool a runtime template's final image has.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Probe {
    Wget,
    Curl,
    Node,
    Python,
    Bash,
}

/// The command that probes `port` (and `path`) from inside the container.
fn probe_command(kind: CheckKind, probe: Probe, port: u16, path: &str) -> Option<Vec<String>> {
    let url = format!("http://127.0.0.1:{port}{path}");
    let words = |words: &[&str], last: String| {
        let mut out: Vec<String> = words.iter().map(|w| (*w).to_string()).collect();
        out.push(last);
        out
    };
    Some(match (kind, probe) {
        (CheckKind::Http, Probe::Wget) => words(&["wget", "-q", "-O", "/dev/null"], url),
        (CheckKind::Http, Probe::Curl) => words(&["curl", "-fsS", "-o", "/dev/null"], url),
        (CheckKind::Http, Probe::Node) => words(
            &["node", "-e"],
            format!("fetch('{url}').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"),
        ),
        (CheckKind::Http, Probe::Python) => words(
            &["python", "-c"],
            format!("import urllib.request; urllib.request.urlopen('{url}', timeout=5)"),
        ),
        (CheckKind::Tcp, Probe::Node) => words(
            &["node", "-e"],
            format!(
                "require('net').connect({port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))"
            ),
        ),
        (CheckKind::Tcp, Probe::Python) => words(
            &["python", "-c"],
            format!("import socket; socket.create_connection(('127.0.0.1', {port}), 5)"),
        ),
        (CheckKind::Tcp, Probe::Bash) => {
            words(&["bash", "-c"], format!(":</dev/tcp/127.0.0.1/{port}"))
        }
        _ => return None,
    })
}

/// Every Compose service `compose.yaml` will hold must have its own name:
/// a process group's `<service>-<group>`, a release one-shot's
/// `<service>-release` or a store's `<store>-init` can be taken by another
/// service or store.
pub fn unique_names(topology: &Topology, diagnostics: &mut Diagnostics) {
    let mut seen: HashMap<String, (Span, String)> = HashMap::new();
    for (name, span, what) in planned_names(topology) {
        match seen.get(&name) {
            Some((first, first_what)) => diagnostics.push(
                Diagnostic::new(
                    Code::E0332,
                    span,
                    format!("two Compose services are named `{name}`"),
                )
                .label(format!("{what} runs locally as `{name}`"))
                .also(*first, format!("{first_what} already runs as `{name}`"))
                .help("rename one of the services, stores or process groups"),
            ),
            None => {
                seen.insert(name, (span, what));
            }
        }
    }
}

/// Each Compose service name with the source it comes from.
fn planned_names(topology: &Topology) -> Vec<(String, Span, String)> {
    let mut out = Vec::new();
    for id in topology.service_ids() {
        let service = topology.service(id);
        let resolved = topology.resolved(id);
        for group in &resolved.process_groups {
            let span = service
                .processes
                .iter()
                .find(|p| &p.name.value == group)
                .map_or(service.name.span, |p| p.name.span);
            let name = compose_name(service, group);
            let what = if name == service.name.value {
                format!("service `{name}`")
            } else {
                format!("process group `{group}` of `{}`", service.name.value)
            };
            out.push((name, span, what));
        }
        if let Some(command) = &service.deploy.release_command {
            let what = format!("the release command of `{}`", service.name.value);
            out.push((release_name(service), command.span, what));
        }
    }
    for index in 0..topology.stack.stores.len() {
        let store = topology.store(StoreId(index));
        let what = format!("store `{}`", store.name.value);
        out.push((store.name.value.clone(), store.name.span, what.clone()));
        if needs_init(topology, StoreId(index)) {
            let what = format!("the database setup of {what}");
            out.push((init_name(store), store.name.span, what));
        }
    }
    out
}
