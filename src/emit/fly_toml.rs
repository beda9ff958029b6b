//! `fly.toml`, one per app, through typed serde structs written with the `toml`
//! crate. Field order is section order: app and region, build, deploy, env,
//! processes, http_service, services, checks, mounts, vm, then the rest. Values
//! follow the safe profile of `reference/flytoml.md` §8: durations as strings
//! with units, integers where flyctl wants integers, every env value quoted.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::SerializeMap;

use super::{EmitOptions, join_relative, relative_from};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{
    AutoStop, Check, CheckKind, Concurrency, ConcurrencyKind, FileContent, Http, HttpOptions,
    MachineConfig, Port, ProxySettings, Service, Source, TlsOptions, Vm,
};
use crate::span::Spanned;
use crate::syntax::ast::Duration;
use crate::topology::{Resolved, ServiceId, Topology};

/// Renders the fly.toml of one service, or an error when the serializer
/// refuses the config: a bug in flyx, which must fail the build rather than
/// write a fly.toml flyctl would misread.
pub fn render(
    topology: &Topology,
    id: ServiceId,
    options: &EmitOptions,
) -> Result<String, Diagnostic> {
    let config = config(topology, id, options);
    let service = topology.service(id);
    serialize(&options.header(), &config).map_err(|reason| {
        Diagnostic::new(
            Code::E0409,
            service.name.span,
            format!(
                "flyx could not write the fly.toml of `{}`: {reason}",
                service.name.value
            ),
        )
        .label("the fly.toml of this service")
        .help("this is a bug in flyx; please report it with the .flyx file")
    })
}

/// The header line, a blank line, then the TOML of `config`.
fn serialize<T: Serialize>(header: &str, config: &T) -> Result<String, String> {
    let body = toml::to_string(config).map_err(|e| e.to_string())?;
    Ok(format!("{header}\n\n{body}"))
}

/// An ordered string map: keys stay in the order they were written.
#[derive(Debug, Default, PartialEq)]
struct Ordered(Vec<(String, String)>);

impl Ordered {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Ordered {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

#[derive(Debug, Serialize)]
struct Config {
    app: String,
    primary_region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    kill_signal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kill_timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    swap_size_mb: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    console_command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    machine_config: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    experimental: Option<Experimental>,
    #[serde(skip_serializing_if = "Option::is_none")]
    build: Option<Build>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deploy: Option<Deploy>,
    #[serde(skip_serializing_if = "Ordered::is_empty")]
    env: Ordered,
    #[serde(skip_serializing_if = "Ordered::is_empty")]
    processes: Ordered,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_service: Option<HttpService>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    services: Vec<ServiceSection>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    checks: BTreeMap<String, TopLevelCheck>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mounts: Vec<Mount>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vm: Vec<VmSection>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    statics: Vec<StaticSection>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    metrics: Vec<MetricsSection>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    restart: Vec<RestartSection>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    files: Vec<FileSection>,
}

/// `[experimental]`: only the machine's start command, which flyctl still
/// reads from here (`appconfig.Experimental`).
#[derive(Debug, Serialize)]
struct Experimental {
    #[serde(skip_serializing_if = "Option::is_none")]
    entrypoint: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exec: Option<Vec<String>>,
}

#[derive(Debug, Default, Serialize)]
struct Build {
    #[serde(skip_serializing_if = "Option::is_none")]
    builder: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    buildpacks: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dockerfile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ignorefile: Option<String>,
    #[serde(rename = "build-target", skip_serializing_if = "Option::is_none")]
    build_target: Option<String>,
    #[serde(skip_serializing_if = "Ordered::is_empty")]
    args: Ordered,
}

#[derive(Debug, Serialize)]
struct Deploy {
    #[serde(skip_serializing_if = "Option::is_none")]
    strategy: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    release_command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    release_command_timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    wait_timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_unavailable: Option<f64>,
}

#[derive(Debug, Serialize)]
struct HttpService {
    internal_port: u16,
    force_https: bool,
    auto_stop_machines: &'static str,
    auto_start_machines: bool,
    min_machines_running: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    processes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    concurrency: Option<ConcurrencySection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_options: Option<TlsSection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_options: Option<HttpOptionsSection>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checks: Vec<ServiceCheck>,
}

#[derive(Debug, Serialize)]
struct ConcurrencySection {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hard_limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    soft_limit: Option<u32>,
}

#[derive(Debug, Serialize)]
struct TlsSection {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    alpn: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    versions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_self_signed: Option<bool>,
}

#[derive(Debug, Serialize)]
struct HttpOptionsSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    compress: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    h2_backend: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    idle_timeout: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headers_read_timeout: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<ResponseSection>,
}

#[derive(Debug, Serialize)]
struct ResponseSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    pristine: Option<bool>,
    #[serde(skip_serializing_if = "Ordered::is_empty")]
    headers: Ordered,
}

/// A check of `[[http_service.checks]]` or `[[services.http_checks]]`.
#[derive(Debug, Serialize)]
struct ServiceCheck {
    #[serde(skip_serializing_if = "Option::is_none")]
    grace_period: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    protocol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_skip_verify: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_server_name: Option<String>,
    #[serde(skip_serializing_if = "Ordered::is_empty")]
    headers: Ordered,
}

#[derive(Debug, Serialize)]
struct ServiceSection {
    protocol: &'static str,
    internal_port: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_stop_machines: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_start_machines: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_machines_running: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    processes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    concurrency: Option<ConcurrencySection>,
    ports: Vec<PortSection>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tcp_checks: Vec<ServiceCheck>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    http_checks: Vec<ServiceCheck>,
}

#[derive(Debug, Serialize)]
struct PortSection {
    port: u16,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    handlers: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    force_https: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_options: Option<TlsSection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_options: Option<HttpOptionsSection>,
}

#[derive(Debug, Serialize)]
struct TopLevelCheck {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grace_period: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    protocol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_skip_verify: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_server_name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    processes: Vec<String>,
    #[serde(skip_serializing_if = "Ordered::is_empty")]
    headers: Ordered,
}

#[derive(Debug, Serialize)]
struct Mount {
    source: String,
    destination: String,
    initial_size: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    snapshot_retention: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_snapshots: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_extend_size_threshold: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_extend_size_increment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_extend_size_limit: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    processes: Vec<String>,
}

#[derive(Debug, Serialize)]
struct VmSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    memory: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpus: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpu_kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    processes: Vec<String>,
}

#[derive(Debug, Serialize)]
struct StaticSection {
    guest_path: String,
    url_prefix: String,
}

#[derive(Debug, Serialize)]
struct MetricsSection {
    port: u16,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    https: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    processes: Vec<String>,
}

#[derive(Debug, Serialize)]
struct RestartSection {
    policy: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    retries: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    processes: Vec<String>,
}

#[derive(Debug, Serialize)]
struct FileSection {
    guest_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    local_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw_value: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    processes: Vec<String>,
}

/// What decides the `processes` of a section.
struct Groups<'a> {
    /// Whether the service declares `[processes]`: then every section names
    /// its groups, as flyctl requires of services and is clearer for the rest.
    declared: bool,
    default: &'a str,
}

impl Groups<'_> {
    fn of(&self, processes: &[Spanned<String>]) -> Vec<String> {
        if !processes.is_empty() {
            return processes.iter().map(|p| p.value.clone()).collect();
        }
        if self.declared {
            vec![self.default.to_string()]
        } else {
            Vec::new()
        }
    }
}

fn config(topology: &Topology, id: ServiceId, options: &EmitOptions) -> Config {
    let service = topology.service(id);
    let resolved = topology.resolved(id);
    let groups = Groups {
        declared: !service.processes.is_empty(),
        default: &resolved.default_group,
    };
    Config {
        app: service.app.value.clone(),
        primary_region: resolved.primary_region.code().to_string(),
        kill_signal: service.kill_signal.as_ref().map(|s| s.value.clone()),
        kill_timeout: service.kill_timeout.map(|t| t.value.to_go()),
        swap_size_mb: service.swap_mb.map(|s| s.value),
        console_command: service.console_command.as_ref().map(|c| c.value.clone()),
        machine_config: machine_config(service),
        experimental: experimental(service),
        build: build(service, resolved, options),
        deploy: deploy(service, resolved),
        env: Ordered(resolved.env.clone()),
        processes: Ordered(
            service
                .processes
                .iter()
                .map(|p| (p.name.value.clone(), p.command.value.clone()))
                .collect(),
        ),
        http_service: service.http.as_ref().map(|h| http_service(h, &groups)),
        services: port_sections(service, resolved, &groups),
        checks: service
            .checks
            .iter()
            .map(|c| {
                let port = c
                    .port
                    .map(|p| p.value)
                    .or(service.http.as_ref().map(|h| h.port.value));
                (c.name.value.clone(), top_level_check(c, port, &groups))
            })
            .collect(),
        mounts: service.volumes.iter().map(|v| mount(v, &groups)).collect(),
        vm: vms(topology, service, resolved),
        statics: service
            .statics
            .iter()
            .map(|s| StaticSection {
                guest_path: s.guest_path.value.clone(),
                url_prefix: s.url_prefix.value.clone(),
            })
            .collect(),
        metrics: service
            .metrics
            .iter()
            .map(|m| MetricsSection {
                port: m.port.value,
                path: m.path.clone(),
                https: m.https,
                processes: groups.of(&m.processes),
            })
            .collect(),
        restart: service
            .restarts
            .iter()
            .map(|r| RestartSection {
                policy: r.policy.as_str(),
                retries: r.retries,
                processes: groups.of(&r.processes),
            })
            .collect(),
        files: service
            .files
            .iter()
            .map(|f| file(service, f, &groups))
            .collect(),
    }
}

/// `[build]`: the image, or the Dockerfile relative to this fly.toml's folder.
fn build(service: &Service, resolved: &Resolved, options: &EmitOptions) -> Option<Build> {
    let args = Ordered(resolved.build_args.clone());
    match &service.source {
        Source::Missing => None,
        Source::Image(image) => Some(Build {
            image: Some(image.value.clone()),
            ..Build::default()
        }),
        Source::Dockerfile(docker) => Some(Build {
            dockerfile: Some(from_fly_toml(&docker.dockerfile.value, options)),
            ignorefile: docker
                .ignorefile
                .as_ref()
                .map(|i| from_fly_toml(&i.value, options)),
            build_target: docker.target.as_ref().map(|t| t.value.clone()),
            args,
            ..Build::default()
        }),
        Source::Buildpacks(packs) => Some(Build {
            builder: Some(packs.builder.value.clone()),
            buildpacks: packs.buildpacks.iter().map(|b| b.value.clone()).collect(),
            ignorefile: packs
                .ignorefile
                .as_ref()
                .map(|i| from_fly_toml(&i.value, options)),
            args,
            ..Build::default()
        }),
        Source::Runtime(_) => Some(Build {
            dockerfile: Some("Dockerfile".into()),
            ignorefile: Some(super::dockerfile::DOCKERIGNORE.into()),
            args,
            ..Build::default()
        }),
    }
}

/// A path written relative to the `.flyx` file's folder, as flyctl reads the
/// paths of `[build]`: relative to the fly.toml's folder.
fn from_fly_toml(path: &str, options: &EmitOptions) -> String {
    join_relative(&["..", &options.project_from_output, path])
}

/// `machine_config`: inline JSON as written, or the file's path from the
/// folder flyctl runs in. flyctl opens the path from its working directory
/// (`config.ParseConfig`), and `fly deploy CONTEXT` changes into the build
/// context; deploy.sh runs an image's deploy from the project's folder.
fn machine_config(service: &Service) -> Option<String> {
    match service.machine_config.as_ref()? {
        MachineConfig::Inline(json) => Some(json.value.clone()),
        MachineConfig::File(path) => {
            let context = service.source.context().map_or(".", |c| c.value.as_str());
            Some(relative_from(context, &path.value))
        }
    }
}

/// `[experimental] entrypoint` and `exec`, when the service sets them.
fn experimental(service: &Service) -> Option<Experimental> {
    let section = Experimental {
        entrypoint: service.entrypoint.as_ref().map(|e| e.value.clone()),
        exec: service.exec.as_ref().map(|e| e.value.clone()),
    };
    (section.entrypoint.is_some() || section.exec.is_some()).then_some(section)
}

fn deploy(service: &Service, resolved: &Resolved) -> Option<Deploy> {
    let deploy = &service.deploy;
    let section = Deploy {
        strategy: deploy.strategy.map(|s| s.value.as_str()),
        release_command: resolved.release_command.clone(),
        release_command_timeout: deploy.release_command_timeout.map(|t| t.value.to_go()),
        wait_timeout: deploy.wait_timeout.map(|w| w.value.to_go()),
        max_unavailable: deploy.max_unavailable.map(|m| m.value),
    };
    let empty = section.strategy.is_none()
        && section.release_command.is_none()
        && section.release_command_timeout.is_none()
        && section.wait_timeout.is_none()
        && section.max_unavailable.is_none();
    (!empty).then_some(section)
}

fn http_service(http: &Http, groups: &Groups<'_>) -> HttpService {
    let proxy = &http.proxy;
    HttpService {
        internal_port: http.port.value,
        force_https: http.force_https.map_or(http.public.value, |f| f.value),
        auto_stop_machines: auto_stop(proxy.auto_stop.map_or(AutoStop::Off, |a| a.value)),
        auto_start_machines: proxy.auto_start.is_none_or(|a| a.value),
        min_machines_running: proxy.min_running.map_or(0, |m| m.value),
        processes: groups.of(&proxy.processes),
        concurrency: proxy.concurrency.as_ref().map(concurrency),
        tls_options: http.tls.as_ref().map(tls),
        http_options: http.options.as_ref().map(http_options),
        checks: http.checks.iter().map(service_check).collect(),
    }
}

/// flyctl reads a boolean or a word; the schema takes only the words.
fn auto_stop(mode: AutoStop) -> &'static str {
    match mode {
        AutoStop::Off => "off",
        AutoStop::Stop => "stop",
        AutoStop::Suspend => "suspend",
    }
}

fn concurrency(c: &Concurrency) -> ConcurrencySection {
    ConcurrencySection {
        kind: c.kind.map(|k| match k {
            ConcurrencyKind::Connections => "connections",
            ConcurrencyKind::Requests => "requests",
        }),
        hard_limit: c.hard_limit,
        soft_limit: c.soft_limit,
    }
}

fn tls(t: &TlsOptions) -> TlsSection {
    TlsSection {
        alpn: t.alpn.clone(),
        versions: t.versions.clone(),
        default_self_signed: t.default_self_signed,
    }
}

fn http_options(o: &HttpOptions) -> HttpOptionsSection {
    let response =
        (o.pristine.is_some() || !o.response_headers.is_empty()).then(|| ResponseSection {
            pristine: o.pristine,
            headers: Ordered(o.response_headers.clone()),
        });
    HttpOptionsSection {
        compress: o.compress,
        h2_backend: o.h2_backend,
        idle_timeout: o.idle_timeout,
        headers_read_timeout: o.headers_read_timeout,
        response,
    }
}

fn go(duration: Option<Spanned<Duration>>) -> Option<String> {
    duration.map(|d| d.value.to_go())
}

fn service_check(check: &Check) -> ServiceCheck {
    ServiceCheck {
        grace_period: go(check.grace),
        interval: go(check.interval),
        timeout: go(check.timeout),
        method: (check.kind == CheckKind::Http)
            .then(|| check.method.clone().unwrap_or_else(|| "GET".into())),
        path: check.path.as_ref().map(|p| p.value.clone()),
        protocol: check.protocol.clone(),
        tls_skip_verify: check.tls_skip_verify,
        tls_server_name: check.tls_server_name.clone(),
        headers: Ordered(check.headers.clone()),
    }
}

/// `[checks.NAME]`, with the port written out even where flyctl would take the
/// `http_service` port by default.
fn top_level_check(check: &Check, port: Option<u16>, groups: &Groups<'_>) -> TopLevelCheck {
    let http = check.kind == CheckKind::Http;
    TopLevelCheck {
        kind: if http { "http" } else { "tcp" },
        port,
        grace_period: go(check.grace),
        interval: go(check.interval),
        timeout: go(check.timeout),
        method: http.then(|| check.method.clone().unwrap_or_else(|| "GET".into())),
        path: check.path.as_ref().map(|p| p.value.clone()),
        protocol: check.protocol.clone(),
        tls_skip_verify: check.tls_skip_verify,
        tls_server_name: check.tls_server_name.clone(),
        processes: groups.of(&check.processes),
        headers: Ordered(check.headers.clone()),
    }
}

/// `[[services]]` for the ports the proxy must know: public ones, and every
/// port of a service reached through flycast. A private port reached over
/// `.internal` needs no proxy, so it gets no section.
fn port_sections(
    service: &Service,
    resolved: &Resolved,
    groups: &Groups<'_>,
) -> Vec<ServiceSection> {
    service
        .ports
        .iter()
        .filter(|port| needs_proxy(port, resolved))
        .map(|port| port_section(port, groups))
        .collect()
}

fn needs_proxy(port: &Port, resolved: &Resolved) -> bool {
    port.public.value
        || resolved.flycast
        || !port.listen.is_empty()
        || !port.checks.is_empty()
        || proxy_settings_given(&port.proxy)
}

fn proxy_settings_given(proxy: &ProxySettings) -> bool {
    proxy.auto_stop.is_some()
        || proxy.auto_start.is_some()
        || proxy.min_running.is_some()
        || proxy.concurrency.is_some()
}

fn port_section(port: &Port, groups: &Groups<'_>) -> ServiceSection {
    let proxy = &port.proxy;
    let ports = if port.listen.is_empty() {
        vec![PortSection {
            port: port.internal.value,
            handlers: Vec::new(),
            force_https: None,
            tls_options: None,
            http_options: None,
        }]
    } else {
        port.listen
            .iter()
            .map(|l| PortSection {
                port: l.port.value,
                handlers: l.handlers.iter().map(|h| h.value.as_str()).collect(),
                force_https: l.force_https,
                tls_options: l.tls.as_ref().map(tls),
                http_options: l.options.as_ref().map(http_options),
            })
            .collect()
    };
    let (http_checks, tcp_checks): (Vec<&Check>, Vec<&Check>) =
        port.checks.iter().partition(|c| c.kind == CheckKind::Http);
    ServiceSection {
        protocol: port.protocol.as_str(),
        internal_port: port.internal.value,
        auto_stop_machines: proxy.auto_stop.map(|a| auto_stop(a.value)),
        auto_start_machines: proxy.auto_start.map(|a| a.value),
        min_machines_running: proxy.min_running.map(|m| m.value),
        processes: groups.of(&proxy.processes),
        concurrency: proxy.concurrency.as_ref().map(concurrency),
        ports,
        tcp_checks: tcp_checks.into_iter().map(service_check).collect(),
        http_checks: http_checks.into_iter().map(service_check).collect(),
    }
}

fn mount(volume: &crate::model::Volume, groups: &Groups<'_>) -> Mount {
    let extend = volume.auto_extend.as_ref();
    Mount {
        source: volume.name.value.clone(),
        destination: volume.mount.value.clone(),
        initial_size: format!("{}gb", volume.size_gb.map_or(1, |s| s.value)),
        snapshot_retention: volume.snapshot_retention.map(|s| s.value),
        scheduled_snapshots: volume.scheduled_snapshots,
        auto_extend_size_threshold: extend.map(|e| e.threshold.value),
        auto_extend_size_increment: extend.map(|e| format!("{}gb", e.increment_gb.value)),
        auto_extend_size_limit: extend.and_then(|e| e.limit_gb.map(|l| format!("{}gb", l.value))),
        processes: groups.of(&volume.processes),
    }
}

/// The service's `vm` blocks, or the project's when it has none. When every
/// service block names its groups, the groups none names keep the project's
/// VM in an entry of their own: flyctl gives a group the entry that names it,
/// else one without `processes`, else Fly's 256 MB default
/// (`ComputeForGroup` in flyctl's `internal/appconfig/processgroups.go`).
fn vms(topology: &Topology, service: &Service, resolved: &Resolved) -> Vec<VmSection> {
    let project = topology.stack.project.vm.as_ref();
    crate::check::compute::vm_sections(project, service, &resolved.process_groups)
        .into_iter()
        .map(|section| vm_section(section.vm, section.processes))
        .collect()
}

fn vm_section(vm: &Vm, processes: Vec<String>) -> VmSection {
    VmSection {
        size: vm.size.map(|s| s.value),
        memory: vm.memory_mb.map(|m| memory(m.value)),
        cpus: vm.cpus.map(|c| c.value),
        cpu_kind: vm.cpu_kind.map(|k| k.value.as_str()),
        processes,
    }
}

/// Memory as fly.toml reads it: `"512mb"`, or `"2gb"` when it is whole gigabytes.
fn memory(mb: u64) -> String {
    if mb.is_multiple_of(1024) {
        format!("{}gb", mb / 1024)
    } else {
        format!("{mb}mb")
    }
}

fn file(service: &Service, f: &crate::model::FileMount, groups: &Groups<'_>) -> FileSection {
    let (local_path, secret_name, raw_value) = match &f.content {
        FileContent::Local(path) => (
            Some(crate::check::flyctl_local_path(service, &path.value)),
            None,
            None,
        ),
        FileContent::Secret(name) => (None, Some(name.value.clone()), None),
        FileContent::Raw(text) => (None, None, Some(text.clone())),
    };
    FileSection {
        guest_path: f.guest_path.value.clone(),
        local_path,
        secret_name,
        raw_value,
        processes: groups.of(&f.processes),
    }
}

#[cfg(test)]
mod tests {
    use super::{relative_from, serialize};

    #[test]
    fn a_machine_config_path_is_written_from_the_build_context() {
        assert_eq!(relative_from(".", "config/edge.json"), "config/edge.json");
        assert_eq!(relative_from("./", "./edge.json"), "edge.json");
        assert_eq!(
            relative_from("dispatch", "config/d.json"),
            "../config/d.json"
        );
        assert_eq!(relative_from("apps/api", "apps/api/m.json"), "m.json");
        assert_eq!(
            relative_from("apps/api", "apps/web/m.json"),
            "../web/m.json"
        );
        assert_eq!(relative_from("apps/api/", "m.json"), "../../m.json");
    }

    #[test]
    fn a_serializer_failure_is_an_error_not_a_comment() {
        // A bare number is no TOML document: the serializer refuses it.
        let refused = serialize("# header", &42u8);
        assert!(refused.is_err(), "{refused:?}");
    }

    #[test]
    fn a_config_is_written_after_the_header() {
        let mut table = std::collections::BTreeMap::new();
        table.insert("app", "shop-api");
        assert_eq!(
            serialize("# header", &table),
            Ok("# header\n\napp = \"shop-api\"\n".to_string())
        );
    }
}
