//! The typed model: what the `.flyx` file declares, validated value by value by
//! the lowering stage. Names of other services are still names here; the check
//! stage resolves them and builds the graph.

use crate::fly::{CpuKind, Region};
use crate::span::{Span, Spanned};
use crate::syntax::ast::Duration;

/// A whole stack: the project, its services and its data stores.
#[derive(Clone, Debug, PartialEq)]
pub struct Stack {
    /// The `project` block.
    pub project: Project,
    /// Every service, in source order.
    pub services: Vec<Service>,
    /// Every managed data store, in source order.
    pub stores: Vec<Store>,
    /// The `ci github { }` block: a GitHub Actions workflow, when asked for.
    pub ci: Option<Ci>,
}

/// The `ci github { }` block: a deploy workflow with tests before it.
#[derive(Clone, Debug, PartialEq)]
pub struct Ci {
    /// The branch whose pushes test and deploy.
    pub branch: Spanned<String>,
    /// The test jobs, in source order.
    pub tests: Vec<CiTest>,
    /// The header.
    pub span: Span,
}

/// One `test NAME { dir = "."  run = "..." }` of a `ci` block.
#[derive(Clone, Debug, PartialEq)]
pub struct CiTest {
    /// The job's name.
    pub name: Spanned<String>,
    /// The folder it runs in, relative to the `.flyx` file's folder.
    pub dir: Spanned<String>,
    /// The shell command.
    pub run: Spanned<String>,
}

/// The `project` block: settings every service shares.
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    /// The project's name.
    pub name: Spanned<String>,
    /// Fly organization slug for `apps create --org`.
    pub org: String,
    /// Prefix of every app name: `<prefix>-<service>`; empty for none.
    pub prefix: String,
    /// Primary region of every service that names none.
    pub region: Option<Spanned<Region>>,
    /// VM of every service that declares none.
    pub vm: Option<Vm>,
    /// The header.
    pub span: Span,
}

/// One service: one Fly app.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// The name in the `.flyx` file, also its folder in the output.
    pub name: Spanned<String>,
    /// The Fly app name: the prefix and the name, or `app = "..."`.
    pub app: Spanned<String>,
    /// The primary region.
    pub region: Option<Spanned<Region>>,
    /// How many machines run, and where.
    pub count: Count,
    /// Where the image comes from.
    pub source: Source,
    /// The `http` block: `[http_service]`.
    pub http: Option<Http>,
    /// `port` blocks: raw TCP or UDP ports.
    pub ports: Vec<Port>,
    /// `check` blocks at service level: `[checks.NAME]`.
    pub checks: Vec<Check>,
    /// `vm` blocks: `[[vm]]`.
    pub vms: Vec<Vm>,
    /// `env` entries, in source order.
    pub env: Vec<EnvVar>,
    /// Secret names (values never appear in the source).
    pub secrets: Vec<Spanned<String>>,
    /// Links to other services and stores.
    pub links: Vec<Link>,
    /// `after = [api]`: services this one deploys after, with no link (no
    /// address, no traffic).
    pub after: Vec<Spanned<String>>,
    /// Volumes: `[[mounts]]`.
    pub volumes: Vec<Volume>,
    /// The `deploy` block.
    pub deploy: Deploy,
    /// `processes` entries: `[processes]`.
    pub processes: Vec<Process>,
    /// `kill_signal`.
    pub kill_signal: Option<Spanned<String>>,
    /// `kill_timeout`.
    pub kill_timeout: Option<Spanned<Duration>>,
    /// `swap`, in MB: `swap_size_mb`.
    pub swap_mb: Option<Spanned<u64>>,
    /// `console_command`.
    pub console_command: Option<Spanned<String>>,
    /// Whether other services must reach this one through `.flycast`.
    pub flycast: Option<Spanned<bool>>,
    /// `consul = true`: Fly's Consul is attached (`fly consul attach`), which
    /// sets the `FLY_CONSUL_URL` secret LiteFS reads for its lease.
    pub consul: Option<Spanned<bool>>,
    /// `static` blocks: `[[statics]]`.
    pub statics: Vec<Static>,
    /// `metrics` blocks: `[[metrics]]`.
    pub metrics: Vec<Metrics>,
    /// `restart` blocks: `[[restart]]`.
    pub restarts: Vec<Restart>,
    /// `file` blocks: `[[files]]`.
    pub files: Vec<FileMount>,
    /// `post_deploy` blocks: commands run after the deploy.
    pub post_deploy: Vec<PostDeploy>,
    /// `schedule` blocks: jobs supercronic runs in the `cron` process group.
    pub schedules: Vec<Schedule>,
    /// `entrypoint = ["/bin/sh", "-c"]`: `[experimental] entrypoint`, put in
    /// front of every process group's command (and the release command).
    pub entrypoint: Option<Spanned<Vec<String>>>,
    /// `exec = ["redis-server", "--x"]`: `[experimental] exec`, run instead of
    /// the image's ENTRYPOINT and CMD.
    pub exec: Option<Spanned<Vec<String>>>,
    /// `machine_config = "..."`: top-level `machine_config`, the JSON flyctl
    /// merges into every machine's config (multi-container machines).
    pub machine_config: Option<MachineConfig>,
    /// `local { env { ... }  unset = [...] }`: what differs under Compose.
    pub local: LocalOverrides,
    /// The header: `service api`.
    pub span: Span,
}

impl Service {
    /// The custom domains of its `http` block, in source order.
    pub fn domains(&self) -> &[Spanned<String>] {
        self.http.as_ref().map_or(&[], |h| h.domains.as_slice())
    }
}

/// How many machines a service runs, and where.
#[derive(Clone, Debug, PartialEq)]
pub enum Count {
    /// Nothing said: one machine per process group in the primary region,
    /// and deploy.sh scales nothing.
    Default,
    /// `count = 2`: in the primary region, for every process group.
    Primary(Spanned<u32>),
    /// `count = { sjc = 2, ams = 1 }`, in region order, for every process group.
    PerRegion(Vec<(Spanned<Region>, Spanned<u32>)>),
    /// `count = { web = 2, beat = { sjc = 1 } }`: per process group, in group
    /// order; each group's count is `Primary` or `PerRegion`. Groups it does
    /// not name are left alone.
    PerGroup(Vec<(Spanned<String>, Count)>),
}

impl Count {
    /// Machines per region, in region order, of one process group, given the
    /// primary region; `None` when the count does not name the group (it
    /// keeps the one machine its first deploy gives it).
    pub fn of_group(&self, group: &str, primary: Region) -> Option<Vec<(Region, u32)>> {
        match self {
            Count::Default => None,
            Count::Primary(n) => Some(vec![(primary, n.value)]),
            Count::PerRegion(counts) => {
                Some(counts.iter().map(|(r, n)| (r.value, n.value)).collect())
            }
            Count::PerGroup(groups) => groups
                .iter()
                .find(|(name, _)| name.value == group)
                .and_then(|(_, count)| count.of_group(group, primary)),
        }
    }
}

/// Where a service's image comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// Nothing was said; the check stage reports it.
    Missing,
    /// `image = "nats:2.10-alpine"`: `[build] image`.
    Image(Spanned<String>),
    /// `build { dockerfile = ... }`: the user's own Dockerfile.
    Dockerfile(DockerBuild),
    /// `build { runtime = rust ... }`: flyx writes the Dockerfile.
    Runtime(RuntimeBuild),
    /// `build { builder = "heroku/builder:24" }`: Cloud Native Buildpacks.
    Buildpacks(BuildpacksBuild),
}

impl Source {
    /// The folder `fly deploy` builds in, relative to the `.flyx` file's
    /// folder; none for an image.
    pub fn context(&self) -> Option<&Spanned<String>> {
        match self {
            Source::Dockerfile(build) => Some(&build.context),
            Source::Runtime(build) => Some(&build.context),
            Source::Buildpacks(build) => Some(&build.context),
            Source::Image(_) | Source::Missing => None,
        }
    }

    /// The build's arguments, to add env values the build needs to.
    pub fn build_args_mut(&mut self) -> Option<&mut Vec<EnvVar>> {
        match self {
            Source::Dockerfile(build) => Some(&mut build.args),
            Source::Runtime(build) => Some(&mut build.args),
            Source::Buildpacks(build) => Some(&mut build.args),
            Source::Image(_) | Source::Missing => None,
        }
    }

    /// `[build.args]`: none for an image, or when nothing was said.
    pub fn build_args(&self) -> &[EnvVar] {
        match self {
            Source::Dockerfile(build) => &build.args,
            Source::Runtime(build) => &build.args,
            Source::Buildpacks(build) => &build.args,
            Source::Image(_) | Source::Missing => &[],
        }
    }
}

/// A build from the user's Dockerfile.
#[derive(Clone, Debug, PartialEq)]
pub struct DockerBuild {
    /// Build context, relative to the `.flyx` file's folder.
    pub context: Spanned<String>,
    /// The Dockerfile, relative to the `.flyx` file's folder.
    pub dockerfile: Spanned<String>,
    /// `build-target`.
    pub target: Option<Spanned<String>>,
    /// `[build.args]`.
    pub args: Vec<EnvVar>,
    /// `ignorefile`, relative to the `.flyx` file's folder.
    pub ignorefile: Option<Spanned<String>>,
    /// The `build` block.
    pub span: Span,
}

/// A build with Cloud Native Buildpacks: no Dockerfile, a builder image that
/// detects the app (`[build] builder` and `buildpacks`).
#[derive(Clone, Debug, PartialEq)]
pub struct BuildpacksBuild {
    /// Build context, relative to the `.flyx` file's folder.
    pub context: Spanned<String>,
    /// The builder image: `[build] builder`.
    pub builder: Spanned<String>,
    /// The buildpacks to run, in order; empty means the builder's own order.
    pub buildpacks: Vec<Spanned<String>>,
    /// `[build.args]`: the builder passes them to the buildpacks as env.
    pub args: Vec<EnvVar>,
    /// `ignorefile`, relative to the `.flyx` file's folder.
    pub ignorefile: Option<Spanned<String>>,
    /// The `build` block.
    pub span: Span,
}

/// Where a machine config's JSON comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum MachineConfig {
    /// The JSON itself, checked to be an object.
    Inline(Spanned<String>),
    /// A `.json` file, relative to the `.flyx` file's folder.
    File(Spanned<String>),
}

/// A build whose Dockerfile flyx writes from a runtime template.
#[derive(Clone, Debug, PartialEq)]
pub struct RuntimeBuild {
    /// Which template.
    pub runtime: Spanned<Runtime>,
    /// Build context, relative to the `.flyx` file's folder.
    pub context: Spanned<String>,
    /// `[build.args]`, also declared as `ARG` in the Dockerfile: the `args`
    /// block, then the env values the build needs (`build_env`, `NEXT_PUBLIC_*`).
    pub args: Vec<EnvVar>,
    /// Debian packages the build stage installs (`packages`).
    pub packages: Vec<Spanned<String>>,
    /// Debian packages the runtime stage installs (`runtime_packages`).
    pub runtime_packages: Vec<Spanned<String>>,
    /// The runtime's options, with their defaults applied.
    pub config: RuntimeConfig,
    /// Static sites: paths nginx passes on to another service, so that the
    /// site and its API share one origin (`proxy NAME { path  to }`).
    pub proxies: Vec<Proxy>,
    /// The `build` block.
    pub span: Span,
}

/// `proxy api { path = "/api/"  to = backend.public_url }` in a static site's
/// build: nginx passes `/api/...` on to `to`, without the prefix.
#[derive(Clone, Debug, PartialEq)]
pub struct Proxy {
    /// The block's name.
    pub name: Spanned<String>,
    /// The path prefix, `/` at both ends.
    pub path: Spanned<String>,
    /// Where to: an `http://` or `https://` URL, usually a reference.
    pub to: Text,
    /// The block.
    pub span: Span,
}

/// The options of each runtime (docs/language.md, "Builds"), defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub enum RuntimeConfig {
    /// A cargo build of one binary.
    Rust {
        /// Rust toolchain version: the `rust` image tag.
        version: String,
        /// The binary to build and run (`cargo build --bin`).
        binary: String,
        /// The workspace package it belongs to (`cargo build -p`).
        package: Option<String>,
        /// Cargo features to enable.
        features: Vec<String>,
    },
    /// A Node.js app.
    Node {
        /// Node.js version: the `node` image tag.
        version: String,
        /// npm, pnpm or yarn; when not given, the lockfile decides.
        package_manager: Option<Spanned<PackageManager>>,
        /// The package.json script that builds the app, if any.
        build_script: Option<String>,
        /// The command that starts the app; the package manager's `start` by default.
        start: Option<Spanned<String>>,
        /// Whether the app is a Next.js `output: "standalone"` build.
        next_standalone: bool,
        /// The Next.js config file copied over `next.config.<ext>` before the build.
        next_config: Option<String>,
    },
    /// A Python app.
    Python {
        /// Python version: the `python` image tag.
        version: String,
        /// pip (requirements file) or uv (pyproject.toml and uv.lock).
        installer: PythonInstaller,
        /// The requirements file pip installs.
        requirements: String,
        /// A shell command run once the dependencies and the source are in
        /// place (`python manage.py collectstatic --noinput`).
        build_command: Option<Spanned<String>>,
        /// The command that starts the app (gunicorn, uvicorn, ...); `None`
        /// when `processes` gives every group a command.
        start: Option<Spanned<String>>,
    },
    /// A static Go binary.
    Go {
        /// Go version: the `golang` image tag.
        version: String,
        /// The package to build: `go build <package>`.
        package: String,
        /// The name of the binary.
        binary: String,
    },
    /// A single-page app built with Node.js and served by nginx.
    Static {
        /// Node.js version for the build.
        node_version: String,
        /// npm, pnpm or yarn; when not given, the lockfile decides.
        package_manager: Option<Spanned<PackageManager>>,
        /// The package.json script that builds the site.
        build_script: String,
        /// The folder the build writes the site to.
        output: String,
    },
}

/// The Node.js package managers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PackageManager {
    /// npm, with `package-lock.json`.
    Npm,
    /// pnpm, with `pnpm-lock.yaml`.
    Pnpm,
    /// Yarn 1 (classic), with `yarn.lock`.
    Yarn,
}

impl PackageManager {
    /// As written in the language.
    pub fn as_str(self) -> &'static str {
        match self {
            PackageManager::Npm => "npm",
            PackageManager::Pnpm => "pnpm",
            PackageManager::Yarn => "yarn",
        }
    }

    /// The lockfile that shows a project uses this manager.
    pub fn lockfile(self) -> &'static str {
        match self {
            PackageManager::Npm => "package-lock.json",
            PackageManager::Pnpm => "pnpm-lock.yaml",
            PackageManager::Yarn => "yarn.lock",
        }
    }
}

/// How Python dependencies are installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PythonInstaller {
    /// `pip install -r requirements.txt` into a virtualenv.
    Pip,
    /// `uv sync --frozen` from `pyproject.toml` and `uv.lock`.
    Uv,
}

/// The runtimes flyx writes Dockerfiles for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Runtime {
    /// Cargo, multi-stage.
    Rust,
    /// npm, pnpm or yarn.
    Node,
    /// pip or uv.
    Python,
    /// A static Go build.
    Go,
    /// A built single-page app served by nginx.
    Static,
}

/// The `http` block: `[http_service]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Http {
    /// `internal_port`.
    pub port: Spanned<u16>,
    /// Whether the service gets public IPs.
    pub public: Spanned<bool>,
    /// `force_https`.
    pub force_https: Option<Spanned<bool>>,
    /// Proxy settings shared with ports.
    pub proxy: ProxySettings,
    /// `tls_options`.
    pub tls: Option<TlsOptions>,
    /// `http_options`.
    pub options: Option<HttpOptions>,
    /// `[[http_service.checks]]`.
    pub checks: Vec<Check>,
    /// `domains = ["example.com"]`: custom hostnames, in source order. No
    /// fly.toml key: deploy.sh adds a certificate for each (`fly certs add`).
    pub domains: Vec<Spanned<String>>,
    /// The block.
    pub span: Span,
}

impl Http {
    /// The hostname `public_url` and `public_host` name: the first custom
    /// domain that is not a wildcard.
    pub fn primary_domain(&self) -> Option<&str> {
        self.domains
            .iter()
            .map(|d| d.value.as_str())
            .find(|d| !d.starts_with("*."))
    }
}

/// Settings of the Fly proxy, shared by `http` and `port`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ProxySettings {
    /// `auto_stop_machines`.
    pub auto_stop: Option<Spanned<AutoStop>>,
    /// `auto_start_machines`.
    pub auto_start: Option<Spanned<bool>>,
    /// `min_machines_running`.
    pub min_running: Option<Spanned<u32>>,
    /// `processes`.
    pub processes: Vec<Spanned<String>>,
    /// `concurrency`.
    pub concurrency: Option<Concurrency>,
}

impl ProxySettings {
    /// Whether idle machines are stopped or suspended.
    pub fn auto_stops(&self) -> bool {
        self.auto_stop
            .as_ref()
            .is_some_and(|a| a.value != AutoStop::Off)
    }
}

/// What the proxy does with idle machines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoStop {
    /// Keep them running.
    Off,
    /// Stop them.
    Stop,
    /// Suspend them.
    Suspend,
}

/// `concurrency`.
#[derive(Clone, Debug, PartialEq)]
pub struct Concurrency {
    /// `connections` or `requests`.
    pub kind: Option<ConcurrencyKind>,
    /// `soft_limit`.
    pub soft_limit: Option<u32>,
    /// `hard_limit`.
    pub hard_limit: Option<u32>,
    /// The block.
    pub span: Span,
}

/// How concurrency is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConcurrencyKind {
    /// Open connections.
    Connections,
    /// In-flight requests.
    Requests,
}

/// `tls_options`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TlsOptions {
    /// `alpn`.
    pub alpn: Vec<String>,
    /// `versions`.
    pub versions: Vec<String>,
    /// `default_self_signed`.
    pub default_self_signed: Option<bool>,
}

/// `http_options`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct HttpOptions {
    /// `compress`.
    pub compress: Option<bool>,
    /// `h2_backend`.
    pub h2_backend: Option<bool>,
    /// `idle_timeout`, in seconds.
    pub idle_timeout: Option<u32>,
    /// `headers_read_timeout`, in seconds.
    pub headers_read_timeout: Option<u32>,
    /// `response.pristine`.
    pub pristine: Option<bool>,
    /// `response.headers`.
    pub response_headers: Vec<(String, String)>,
}

/// A `port` block: a raw TCP or UDP port.
#[derive(Clone, Debug, PartialEq)]
pub struct Port {
    /// The port's name, used in references (`nats.ports.client`).
    pub name: Spanned<String>,
    /// The port the process listens on.
    pub internal: Spanned<u16>,
    /// TCP or UDP.
    pub protocol: Protocol,
    /// Whether the port is reachable from the internet.
    pub public: Spanned<bool>,
    /// Ports the proxy listens on, with their handlers.
    pub listen: Vec<Listen>,
    /// Proxy settings.
    pub proxy: ProxySettings,
    /// `tcp_checks` and `http_checks`.
    pub checks: Vec<Check>,
    /// The block.
    pub span: Span,
}

/// A port the Fly proxy listens on: `[[services.ports]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Listen {
    /// `port`.
    pub port: Spanned<u16>,
    /// `handlers`.
    pub handlers: Vec<Spanned<Handler>>,
    /// `force_https`.
    pub force_https: Option<bool>,
    /// `tls_options` of this entry.
    pub tls: Option<TlsOptions>,
    /// `http_options` of this entry.
    pub options: Option<HttpOptions>,
    /// Where it was written.
    pub span: Span,
}

/// TCP or UDP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// `tcp`
    Tcp,
    /// `udp`
    Udp,
}

impl Protocol {
    /// As fly.toml writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }
}

/// A proxy handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Handler {
    /// `http`
    Http,
    /// `tls`
    Tls,
    /// `proxy_proto`
    ProxyProto,
    /// `pg_tls`
    PgTls,
    /// `edge_http`
    EdgeHttp,
}

impl Handler {
    /// As fly.toml writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Handler::Http => "http",
            Handler::Tls => "tls",
            Handler::ProxyProto => "proxy_proto",
            Handler::PgTls => "pg_tls",
            Handler::EdgeHttp => "edge_http",
        }
    }
}

/// A health check.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The check's name.
    pub name: Spanned<String>,
    /// HTTP or TCP.
    pub kind: CheckKind,
    /// `port` (service-level checks only).
    pub port: Option<Spanned<u16>>,
    /// `path`.
    pub path: Option<Spanned<String>>,
    /// `method`.
    pub method: Option<String>,
    /// `protocol`: `http` or `https`.
    pub protocol: Option<String>,
    /// `headers`.
    pub headers: Vec<(String, String)>,
    /// `tls_skip_verify`.
    pub tls_skip_verify: Option<bool>,
    /// `tls_server_name`.
    pub tls_server_name: Option<String>,
    /// `interval`.
    pub interval: Option<Spanned<Duration>>,
    /// `timeout`.
    pub timeout: Option<Spanned<Duration>>,
    /// `grace_period`.
    pub grace: Option<Spanned<Duration>>,
    /// `processes` (service-level checks only).
    pub processes: Vec<Spanned<String>>,
    /// The block.
    pub span: Span,
}

/// What a check does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckKind {
    /// Sends an HTTP request.
    Http,
    /// Opens a TCP connection.
    Tcp,
}

/// A `vm` block: `[[vm]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Vm {
    /// `size`: a preset.
    pub size: Option<Spanned<&'static str>>,
    /// `memory`, in MB.
    pub memory_mb: Option<Spanned<u64>>,
    /// `cpus`.
    pub cpus: Option<Spanned<u32>>,
    /// `cpu_kind`.
    pub cpu_kind: Option<Spanned<CpuKind>>,
    /// `processes`: empty means every group.
    pub processes: Vec<Spanned<String>>,
    /// The block.
    pub span: Span,
}

/// An environment variable, a build argument, or any text with references.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvVar {
    /// The name.
    pub name: Spanned<String>,
    /// The value.
    pub value: Text,
}

/// `local { env { ... }  unset = [...] }`: how a service's env differs when
/// it runs under Compose (`compose.yaml`) instead of on Fly. Only the local
/// stack reads it; fly.toml never does.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LocalOverrides {
    /// Variables set (or replaced) locally.
    pub env: Vec<EnvVar>,
    /// Variables of the service's `env` left out locally.
    pub unset: Vec<Spanned<String>>,
}

/// Text that may hold references to other services: `"nats://${nats.host}:4222"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    /// Literal pieces and references, in order.
    pub parts: Vec<TextPart>,
    /// Where it was written.
    pub span: Span,
}

impl Text {
    /// Text without references.
    pub fn literal(text: impl Into<String>, span: Span) -> Text {
        Text {
            parts: vec![TextPart::Literal(text.into())],
            span,
        }
    }

    /// The references in the text.
    pub fn references(&self) -> impl Iterator<Item = &Ref> {
        self.parts.iter().filter_map(|p| match p {
            TextPart::Ref(r) => Some(r),
            TextPart::Literal(_) => None,
        })
    }
}

/// A piece of [`Text`].
#[derive(Clone, Debug, PartialEq)]
pub enum TextPart {
    /// Literal text.
    Literal(String),
    /// A reference, resolved by the check stage.
    Ref(Ref),
}

/// A reference to an attribute of a service or store: `nats.host`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref {
    /// The service or store.
    pub target: Spanned<String>,
    /// Which attribute.
    pub attr: RefAttr,
    /// The whole reference.
    pub span: Span,
}

/// The attributes of a service a reference can name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RefAttr {
    /// `.app`: the Fly app name. Needs no link.
    App,
    /// `.host`: the private host name. Needs a link.
    Host,
    /// `.port`: the private port. Needs a link.
    Port,
    /// `.ports.NAME`: a named private port. Needs a link.
    NamedPort(Spanned<String>),
    /// `.url`: the private HTTP URL. Needs a link.
    Url,
    /// `.public_url`: `https://<first custom domain>`, else
    /// `https://<app>.fly.dev`. Needs no link.
    PublicUrl,
    /// `.public_host`: the first custom domain, else `<app>.fly.dev`. Needs no link.
    PublicHost,
    /// `.fly_dev_url`: `https://<app>.fly.dev`, custom domains or not. Needs no link.
    FlyDevUrl,
    /// `.fly_dev_host`: `<app>.fly.dev`, custom domains or not. Needs no link.
    FlyDevHost,
}

impl RefAttr {
    /// Whether the reference is to a private address, which needs a link.
    pub fn is_private(&self) -> bool {
        matches!(
            self,
            RefAttr::Host | RefAttr::Port | RefAttr::NamedPort(_) | RefAttr::Url
        )
    }

    /// As written after the dot.
    pub fn describe(&self) -> String {
        match self {
            RefAttr::App => "app".into(),
            RefAttr::Host => "host".into(),
            RefAttr::Port => "port".into(),
            RefAttr::NamedPort(name) => format!("ports.{}", name.value),
            RefAttr::Url => "url".into(),
            RefAttr::PublicUrl => "public_url".into(),
            RefAttr::PublicHost => "public_host".into(),
            RefAttr::FlyDevUrl => "fly_dev_url".into(),
            RefAttr::FlyDevHost => "fly_dev_host".into(),
        }
    }
}

/// A link to another service or store.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The service or store linked to.
    pub target: Spanned<String>,
    /// Force `.flycast` or `.internal`.
    pub via: Option<Spanned<Via>>,
    /// Whether the linking service deploys after the target (default true).
    pub deploy_order: Spanned<bool>,
    /// For a store: the secret the connection string is attached as.
    pub secret: Option<Spanned<String>>,
    /// For Postgres: the database name.
    pub database: Option<Spanned<String>>,
    /// For Postgres: the database user the app connects as.
    pub user: Option<Spanned<String>>,
    /// For Managed Postgres: the user's role (writer unless asked).
    pub role: Option<Spanned<PgRole>>,
    /// For an unmanaged Fly Postgres app: attach as a superuser (off unless asked).
    pub superuser: Option<Spanned<bool>>,
    /// Where the link was written.
    pub span: Span,
}

/// How private traffic reaches a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Via {
    /// `<app>.flycast`: through the proxy, which can wake stopped machines.
    Flycast,
    /// `<app>.internal`: 6PN DNS straight to the machines.
    Internal,
}

impl Via {
    /// The domain suffix.
    pub fn domain(self) -> &'static str {
        match self {
            Via::Flycast => "flycast",
            Via::Internal => "internal",
        }
    }
}

/// A `volume` block: `[[mounts]]`, and volumes created by deploy.sh.
#[derive(Clone, Debug, PartialEq)]
pub struct Volume {
    /// The volume name (`source`).
    pub name: Spanned<String>,
    /// Where it is mounted (`destination`).
    pub mount: Spanned<String>,
    /// Size in GB (`initial_size`); 1 when not given.
    pub size_gb: Option<Spanned<u64>>,
    /// `snapshot_retention`, in days.
    pub snapshot_retention: Option<Spanned<u32>>,
    /// `scheduled_snapshots`.
    pub scheduled_snapshots: Option<bool>,
    /// The `auto_extend` block.
    pub auto_extend: Option<AutoExtend>,
    /// Regions to place volumes in; empty means every region the service runs in.
    pub regions: Vec<Spanned<Region>>,
    /// `processes`.
    pub processes: Vec<Spanned<String>>,
    /// The block.
    pub span: Span,
}

/// Automatic volume growth.
#[derive(Clone, Debug, PartialEq)]
pub struct AutoExtend {
    /// `auto_extend_size_threshold`, percent.
    pub threshold: Spanned<u32>,
    /// `auto_extend_size_increment`, GB.
    pub increment_gb: Spanned<u64>,
    /// `auto_extend_size_limit`, GB.
    pub limit_gb: Option<Spanned<u64>>,
    /// The block.
    pub span: Span,
}

/// The `deploy` block: `[deploy]`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Deploy {
    /// `strategy`.
    pub strategy: Option<Spanned<Strategy>>,
    /// `release_command`.
    pub release_command: Option<Text>,
    /// `wait_timeout`.
    pub wait_timeout: Option<Spanned<Duration>>,
    /// `release_command_timeout`.
    pub release_command_timeout: Option<Spanned<Duration>>,
    /// `max_unavailable`.
    pub max_unavailable: Option<Spanned<f64>>,
    /// The block, if written.
    pub span: Option<Span>,
}

/// A deploy strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// `rolling`
    Rolling,
    /// `immediate`
    Immediate,
    /// `canary`
    Canary,
    /// `bluegreen`
    Bluegreen,
}

impl Strategy {
    /// As fly.toml writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Rolling => "rolling",
            Strategy::Immediate => "immediate",
            Strategy::Canary => "canary",
            Strategy::Bluegreen => "bluegreen",
        }
    }
}

/// A process group: `[processes]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Process {
    /// The group name.
    pub name: Spanned<String>,
    /// The command; empty means the image's CMD.
    pub command: Spanned<String>,
}

/// A `static` block: `[[statics]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Static {
    /// `guest_path`.
    pub guest_path: Spanned<String>,
    /// `url_prefix`.
    pub url_prefix: Spanned<String>,
    /// The block.
    pub span: Span,
}

/// A `metrics` block: `[[metrics]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Metrics {
    /// `port`.
    pub port: Spanned<u16>,
    /// `path`.
    pub path: String,
    /// `https`.
    pub https: Option<bool>,
    /// `processes`.
    pub processes: Vec<Spanned<String>>,
    /// The block.
    pub span: Span,
}

/// A `restart` block: `[[restart]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Restart {
    /// `policy`.
    pub policy: RestartPolicy,
    /// `retries`.
    pub retries: Option<u32>,
    /// `processes`.
    pub processes: Vec<Spanned<String>>,
    /// The block.
    pub span: Span,
}

/// When machines restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestartPolicy {
    /// `always`
    Always,
    /// `never`
    Never,
    /// `on-failure`
    OnFailure,
}

impl RestartPolicy {
    /// As fly.toml writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            RestartPolicy::Always => "always",
            RestartPolicy::Never => "never",
            RestartPolicy::OnFailure => "on-failure",
        }
    }
}

/// A `file` block: `[[files]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FileMount {
    /// `guest_path`.
    pub guest_path: Spanned<String>,
    /// Where the content comes from.
    pub content: FileContent,
    /// `processes`.
    pub processes: Vec<Spanned<String>>,
    /// The block.
    pub span: Span,
}

/// The content of a `file` block.
#[derive(Clone, Debug, PartialEq)]
pub enum FileContent {
    /// `local_path`: a file next to the `.flyx` file.
    Local(Spanned<String>),
    /// `secret`: the value of a secret.
    Secret(Spanned<String>),
    /// `raw_value`: literal text.
    Raw(String),
}

/// A `post_deploy` block: a command run on a machine after the deploy.
#[derive(Clone, Debug, PartialEq)]
pub struct PostDeploy {
    /// The step's name.
    pub name: Spanned<String>,
    /// The service whose machine runs it; the declaring service if `None`.
    pub on: Option<Spanned<String>>,
    /// The command, run with `ssh console -C`.
    pub command: Text,
    /// The block.
    pub span: Span,
}

/// A `schedule` block: a command run on a timetable, by supercronic, in the
/// `cron` process group the lowering gives the service.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// The job's name, written above its crontab line.
    pub name: Spanned<String>,
    /// The timetable as a crontab writes it: five fields or an `@` macro, UTC.
    pub cron: Spanned<String>,
    /// The command, run with the service's env and secrets.
    pub command: Spanned<String>,
    /// The block.
    pub span: Span,
}

/// A managed data store: a node services link to.
#[derive(Clone, Debug, PartialEq)]
pub struct Store {
    /// The name in the `.flyx` file.
    pub name: Spanned<String>,
    /// The Fly app or database name.
    pub app: Spanned<String>,
    /// Where it runs.
    pub region: Option<Spanned<Region>>,
    /// Postgres or Redis, with their settings.
    pub kind: StoreKind,
    /// The header.
    pub span: Span,
}

/// What kind of store.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreKind {
    /// Fly Postgres: Managed (`fly mpg create`) or legacy (`fly postgres create`).
    Postgres(Postgres),
    /// Upstash Redis (`fly redis create`).
    Redis(Redis),
}

impl StoreKind {
    /// `postgres` or `redis`.
    pub fn keyword(&self) -> &'static str {
        match self {
            StoreKind::Postgres(_) => "postgres",
            StoreKind::Redis(_) => "redis",
        }
    }

    /// The secret a link attaches when it names none.
    pub fn default_secret(&self) -> &'static str {
        match self {
            StoreKind::Postgres(_) => "DATABASE_URL",
            StoreKind::Redis(_) => "REDIS_URL",
        }
    }
}

/// Postgres settings: Managed Postgres (the default) or a legacy cluster.
#[derive(Clone, Debug, PartialEq)]
pub enum Postgres {
    /// Fly Managed Postgres (`fly mpg create`): Fly runs it.
    Managed(ManagedPostgres),
    /// An unmanaged Fly Postgres app (`fly postgres create`): you run it.
    Legacy(LegacyPostgres),
}

/// Fly Managed Postgres settings.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagedPostgres {
    /// `--plan`: basic, starter, launch or scale.
    pub plan: Spanned<MpgPlan>,
    /// `--volume-size`, GB.
    pub volume_gb: Spanned<u64>,
    /// `--pg-major-version`: 16 or 17.
    pub version: Spanned<u32>,
    /// Extensions enabled in every attached database (`fly mpg databases
    /// extensions enable`); `postgis` also asks for it at creation.
    pub extensions: Vec<Spanned<String>>,
}

impl ManagedPostgres {
    /// Whether the cluster is created with PostGIS support.
    pub fn postgis(&self) -> bool {
        self.extensions.iter().any(|e| e.value == "postgis")
    }
}

/// A Managed Postgres plan, as `fly mpg create --plan` takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MpgPlan {
    /// 2 shared CPUs, 1 GB.
    Basic,
    /// 2 shared CPUs, 2 GB.
    Starter,
    /// 2 performance CPUs, 8 GB.
    Launch,
    /// 4 performance CPUs, 32 GB.
    Scale,
}

impl MpgPlan {
    /// The flag value.
    pub fn as_str(self) -> &'static str {
        match self {
            MpgPlan::Basic => "basic",
            MpgPlan::Starter => "starter",
            MpgPlan::Launch => "launch",
            MpgPlan::Scale => "scale",
        }
    }
}

/// The role an app's Managed Postgres user gets (`fly mpg users create --role`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PgRole {
    /// May change the schema: what an app that runs its own migrations needs.
    SchemaAdmin,
    /// Reads and writes rows.
    Writer,
    /// Reads rows.
    Reader,
}

impl PgRole {
    /// The flag value.
    pub fn as_str(self) -> &'static str {
        match self {
            PgRole::SchemaAdmin => "schema_admin",
            PgRole::Writer => "writer",
            PgRole::Reader => "reader",
        }
    }
}

/// Legacy (unmanaged) Fly Postgres settings.
#[derive(Clone, Debug, PartialEq)]
pub struct LegacyPostgres {
    /// `--vm-size`.
    pub vm_size: Spanned<&'static str>,
    /// `--vm-memory`, MB, when not the preset's.
    pub memory_mb: Option<Spanned<u64>>,
    /// `--volume-size`, GB.
    pub volume_gb: Spanned<u64>,
    /// `--initial-cluster-size`.
    pub cluster_size: Spanned<u32>,
    /// `--enable-backups`.
    pub backups: bool,
}

/// Upstash Redis settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Redis {
    /// `--enable-eviction` or `--disable-eviction`.
    pub eviction: bool,
    /// `--plan`.
    pub plan: Option<Spanned<String>>,
    /// Read replica regions: `--replica-regions`.
    pub replicas: Vec<Spanned<Region>>,
}
