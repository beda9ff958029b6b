//! Dockerfiles for services built from a runtime, with their `Dockerfile.dockerignore`
//! (and nginx's configuration for static sites), rendered from typed contexts.

use serde::Serialize;

use super::EmitOptions;
use super::templates::Templates;
use crate::check::compose::{NGINX_ENV_FILTER, proxy_host_var, proxy_scheme_var};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{PackageManager, PythonInstaller, RuntimeBuild, RuntimeConfig};
use crate::span::Spanned;
use crate::topology::{ProxyTarget, ServiceId, Topology};

/// The cargo-chef release the rust template installs.
pub const CARGO_CHEF_VERSION: &str = "0.1.71";
/// The uv image tag the python template copies uv from.
pub const UV_VERSION: &str = "0.8";
/// The nginx-unprivileged image tag the static template serves from.
pub const NGINX_VERSION: &str = "1.28";
/// Debian packages every rust build stage installs: openssl-sys (native-tls,
/// reqwest's default) finds OpenSSL through pkg-config.
pub const RUST_BUILD_PACKAGES: &[&str] = &["libssl-dev", "pkg-config"];
/// Debian packages every rust runtime stage installs: the OpenSSL that binary
/// links against, and the CA roots for outgoing TLS.
pub const RUST_RUNTIME_PACKAGES: &[&str] = &["ca-certificates", "libssl3"];
/// The delimiter of the heredoc that holds nginx.conf in the static Dockerfile.
const NGINX_CONF_END: &str = "NGINX_CONF";

/// One generated file beside the service's fly.toml.
pub struct Generated {
    /// File name: `Dockerfile`, `Dockerfile.dockerignore`.
    pub name: &'static str,
    /// Its text.
    pub contents: String,
}

/// What every runtime's template receives.
#[derive(Debug, Serialize)]
struct Common {
    /// The generated-file header line.
    header: String,
    /// The service's name.
    service: String,
    /// The Fly app name.
    app: String,
    /// Build argument names, declared with `ARG` (values come from fly.toml).
    args: Vec<String>,
    /// Ports the service listens on, for `EXPOSE`.
    ports: Vec<u16>,
    /// Volume mount paths, created and given to the unprivileged user.
    volumes: Vec<String>,
    /// Debian packages the build stage installs.
    packages: Vec<String>,
    /// Debian packages the runtime stage installs.
    runtime_packages: Vec<String>,
    /// supercronic, when the service has schedules.
    supercronic: Option<Supercronic>,
}

/// The supercronic release the runtime stage adds for `schedule` blocks.
#[derive(Debug, Serialize)]
struct Supercronic {
    version: &'static str,
    url: String,
    sha256: &'static str,
    path: &'static str,
}

/// The supercronic release flyx installs (https://github.com/aptible/supercronic/releases).
pub const SUPERCRONIC_VERSION: &str = "v0.2.49";
/// The SHA-256 of that release's `supercronic-linux-amd64`, as its release
/// notes publish it; BuildKit refuses a download that does not match.
pub const SUPERCRONIC_SHA256: &str =
    "a53ae236602c7338aba3fbaff40bda6300eae3b9fedb8261eb06cfe3724430c1";

/// Renders the files of one runtime-built service.
pub fn render(
    topology: &Topology,
    id: ServiceId,
    build: &RuntimeBuild,
    templates: &Templates,
    options: &EmitOptions,
) -> Result<Vec<Generated>, Diagnostic> {
    let service = topology.service(id);
    let common = common(topology, id, build, options);
    let detected = options.detected.get(&service.name.value).copied();
    let dockerfile = match &build.config {
        RuntimeConfig::Rust {
            version,
            binary,
            package,
            features,
        } => templates.render(
            "rust.Dockerfile.hbs",
            &RustContext {
                cargo_flags: cargo_flags(package.as_deref(), features),
                common,
                version: version.clone(),
                binary: binary.clone(),
                cargo_chef_version: CARGO_CHEF_VERSION,
            },
        )?,
        RuntimeConfig::Node {
            version,
            package_manager,
            build_script,
            start,
            next_standalone,
            next_config,
        } => {
            let manager = Manager::choose(package_manager.map(|p| p.value), detected);
            // The release command runs in this image on a temporary machine,
            // and often needs a dev dependency (`prisma migrate deploy`).
            let release = topology.resolved(id).release_command.is_some();
            let port = service.http.as_ref().map(|h| h.port.value);
            let start = start.as_ref().map_or_else(
                || format!("{} start", manager.kind.as_str()),
                |s| s.value.clone(),
            );
            let start_words = if *next_standalone {
                vec!["node".to_string(), "server.js".to_string()]
            } else {
                words(&start)
            };
            templates.render(
                "node.Dockerfile.hbs",
                &NodeContext {
                    version: version.clone(),
                    package_manager: manager.kind.as_str(),
                    corepack: manager.kind == PackageManager::Pnpm,
                    manifests: manager.manifests(),
                    install: manager.install(),
                    prune: (!*next_standalone && !release).then(|| manager.prune()),
                    keeps_dev_dependencies: !*next_standalone && release,
                    next_config: next_config.as_deref().map(next_config_command),
                    build_command: build_script.as_ref().map(|s| manager.run(s)),
                    start_display: start,
                    start: exec_form(&start_words),
                    next_standalone: *next_standalone,
                    port,
                    common,
                },
            )?
        }
        RuntimeConfig::Python {
            version,
            installer,
            requirements,
            build_command,
            start,
        } => {
            // Without `start`, every process group has a command, which
            // replaces CMD on Fly; CMD is the default group's (`app`, else the
            // first by name, as flyctl picks it), so that the image run on its
            // own (`docker run`) runs the app, not the base image's `python3`.
            let (start, first_group) = match start {
                Some(start) => (start.value.clone(), None),
                None => {
                    let first = crate::check::default_process(service)
                        .map(|p| (p.name.value.clone(), p.command.value.clone()));
                    let (group, command) = first.unwrap_or_default();
                    (command, Some(group))
                }
            };
            templates.render(
                "python.Dockerfile.hbs",
                &PythonContext {
                    version: version.clone(),
                    installer: match installer {
                        PythonInstaller::Pip => "pip",
                        PythonInstaller::Uv => "uv",
                    },
                    uv: *installer == PythonInstaller::Uv,
                    uv_version: UV_VERSION,
                    requirements: requirements.clone(),
                    build_command: build_command.as_ref().map(|c| c.value.clone()),
                    start: exec_form(&words(&start)),
                    start_display: start,
                    first_group,
                    common,
                },
            )?
        }
        RuntimeConfig::Go {
            version,
            package,
            binary,
        } => templates.render(
            "go.Dockerfile.hbs",
            &GoContext {
                version: version.clone(),
                package: package.clone(),
                binary: binary.clone(),
                common,
            },
        )?,
        RuntimeConfig::Static {
            node_version,
            package_manager,
            build_script,
            output,
        } => {
            let manager = Manager::choose(package_manager.map(|p| p.value), detected);
            let port = service.http.as_ref().map_or(8080, |h| h.port.value);
            let proxies: Vec<ProxyContext> = topology
                .resolved(id)
                .proxies
                .iter()
                .enumerate()
                .map(|(index, target)| ProxyContext::new(index, target))
                .collect();
            // Inside the Dockerfile, so a context without the output folder builds.
            let mut nginx_conf = templates.render(
                "nginx.conf.hbs",
                &NginxContext {
                    header: options.header(),
                    port,
                    proxies: proxies.clone(),
                },
            )?;
            if !nginx_conf.ends_with('\n') {
                nginx_conf.push('\n');
            }
            if nginx_conf.lines().any(|line| line == NGINX_CONF_END) {
                return Err(Diagnostic::new(
                    Code::E0406,
                    build.span,
                    format!("nginx.conf.hbs has a line `{NGINX_CONF_END}`, which ends the Dockerfile's heredoc"),
                )
                .label("the static runtime writes nginx.conf into the Dockerfile")
                .help("remove that line from flyx/dockerfiles/nginx.conf.hbs"));
            }
            templates.render(
                "static.Dockerfile.hbs",
                &StaticContext {
                    node_version: node_version.clone(),
                    package_manager: manager.kind.as_str(),
                    corepack: manager.kind == PackageManager::Pnpm,
                    manifests: manager.manifests(),
                    install: manager.install(),
                    build_command: manager.run(build_script),
                    output: output.trim_end_matches('/').to_string(),
                    nginx_version: NGINX_VERSION,
                    nginx_conf,
                    proxies,
                    env_filter: NGINX_ENV_FILTER,
                    common,
                },
            )?
        }
    };
    let dockerignore = templates.render(
        "dockerignore.hbs",
        &IgnoreContext {
            header: options.header(),
            env_ignores: env_ignores(&build.config),
            ignores: ignores(&build.config),
        },
    )?;
    Ok(vec![
        Generated {
            name: "Dockerfile",
            contents: dockerfile,
        },
        Generated {
            name: DOCKERIGNORE,
            contents: dockerignore,
        },
    ])
}

fn common(
    topology: &Topology,
    id: ServiceId,
    build: &RuntimeBuild,
    options: &EmitOptions,
) -> Common {
    let service = topology.service(id);
    let rust = matches!(build.config, RuntimeConfig::Rust { .. });
    let mut ports: Vec<u16> = service
        .http
        .iter()
        .map(|h| h.port.value)
        .chain(service.ports.iter().map(|p| p.internal.value))
        .collect();
    ports.sort_unstable();
    ports.dedup();
    Common {
        header: options.header(),
        service: service.name.value.clone(),
        app: service.app.value.clone(),
        args: topology
            .resolved(id)
            .build_args
            .iter()
            .map(|(k, _)| k.clone())
            .collect(),
        ports,
        volumes: service
            .volumes
            .iter()
            .map(|v| v.mount.value.clone())
            .collect(),
        packages: with_defaults(&build.packages, rust.then_some(RUST_BUILD_PACKAGES)),
        runtime_packages: with_defaults(
            &build.runtime_packages,
            rust.then_some(RUST_RUNTIME_PACKAGES),
        ),
        supercronic: (!service.schedules.is_empty()).then(|| Supercronic {
            version: SUPERCRONIC_VERSION,
            url: format!(
                "https://github.com/aptible/supercronic/releases/download/{SUPERCRONIC_VERSION}/supercronic-linux-amd64"
            ),
            sha256: SUPERCRONIC_SHA256,
            path: crate::lower::schedule::SUPERCRONIC,
        }),
    }
}

/// The runtime's own packages, then the stack's, each once, sorted.
fn with_defaults(declared: &[Spanned<String>], defaults: Option<&[&str]>) -> Vec<String> {
    let mut packages: Vec<String> = defaults
        .unwrap_or_default()
        .iter()
        .map(|p| p.to_string())
        .chain(declared.iter().map(|p| p.value.clone()))
        .collect();
    packages.sort();
    packages.dedup();
    packages
}

#[derive(Debug, Serialize)]
struct RustContext {
    #[serde(flatten)]
    common: Common,
    version: String,
    binary: String,
    cargo_flags: String,
    cargo_chef_version: &'static str,
}

#[derive(Debug, Serialize)]
struct NodeContext {
    #[serde(flatten)]
    common: Common,
    version: String,
    package_manager: &'static str,
    corepack: bool,
    manifests: String,
    install: String,
    prune: Option<String>,
    keeps_dev_dependencies: bool,
    next_config: Option<String>,
    build_command: Option<String>,
    start_display: String,
    start: String,
    next_standalone: bool,
    port: Option<u16>,
}

#[derive(Debug, Serialize)]
struct PythonContext {
    #[serde(flatten)]
    common: Common,
    version: String,
    installer: &'static str,
    uv: bool,
    uv_version: &'static str,
    requirements: String,
    build_command: Option<String>,
    start_display: String,
    start: String,
    first_group: Option<String>,
}

#[derive(Debug, Serialize)]
struct GoContext {
    #[serde(flatten)]
    common: Common,
    version: String,
    package: String,
    binary: String,
}

#[derive(Debug, Serialize)]
struct StaticContext {
    #[serde(flatten)]
    common: Common,
    node_version: String,
    package_manager: &'static str,
    corepack: bool,
    manifests: String,
    install: String,
    build_command: String,
    output: String,
    nginx_version: &'static str,
    nginx_conf: String,
    /// With proxies, nginx.conf is a template nginx's entrypoint fills in.
    proxies: Vec<ProxyContext>,
    env_filter: &'static str,
}

#[derive(Debug, Serialize)]
struct NginxContext {
    header: String,
    port: u16,
    proxies: Vec<ProxyContext>,
}

#[derive(Clone, Debug, Serialize)]
struct ProxyContext {
    path: String,
    url: String,
    /// The variables nginx's entrypoint fills in from the environment
    /// (`envsubst`): the Dockerfile sets them to the Fly values, compose.yaml
    /// to the local ones.
    host_var: String,
    scheme_var: String,
    /// `${FLYX_PROXY_0_HOST}`: how nginx.conf names them.
    host_ref: String,
    scheme_ref: String,
    /// Host and port on Fly.
    host: String,
    /// `http` or `https` on Fly.
    scheme: String,
    /// A regex matching the path prefix, and what replaces it.
    pattern: String,
    base: String,
}

impl ProxyContext {
    fn new(index: usize, target: &ProxyTarget) -> ProxyContext {
        ProxyContext {
            path: target.path.clone(),
            url: target.url.clone(),
            host_var: proxy_host_var(index),
            scheme_var: proxy_scheme_var(index),
            host_ref: format!("${{{}}}", proxy_host_var(index)),
            scheme_ref: format!("${{{}}}", proxy_scheme_var(index)),
            host: target.host.clone(),
            scheme: target.scheme.clone(),
            pattern: format!("^{}(.*)$", target.path.replace('.', "\\.")),
            base: target.base.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
struct IgnoreContext {
    header: String,
    env_ignores: Vec<&'static str>,
    ignores: Vec<&'static str>,
}

/// The generated ignore file's name. BuildKit, which Fly's remote and Depot
/// builders use, reads `<Dockerfile>.dockerignore` beside the Dockerfile (or a
/// `.dockerignore` at the context's root) and never flyctl's `ignorefile`,
/// which only the classic builder applies; fly.toml names it for that one.
pub const DOCKERIGNORE: &str = "Dockerfile.dockerignore";

/// What the CLI found in a service's build context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detected {
    /// This manager's lockfile.
    Lockfile(PackageManager),
    /// No lockfile at all.
    NoLockfile,
}

/// The package manager a Node build uses, and how it is called.
struct Manager {
    kind: PackageManager,
    lockfile: bool,
}

impl Manager {
    /// The attribute wins; then the lockfile in the build context; then npm.
    fn choose(declared: Option<PackageManager>, detected: Option<Detected>) -> Manager {
        match (declared, detected) {
            (Some(kind), Some(Detected::NoLockfile)) => Manager {
                kind,
                lockfile: false,
            },
            (Some(kind), _) => Manager {
                kind,
                lockfile: true,
            },
            (None, Some(Detected::Lockfile(kind))) => Manager {
                kind,
                lockfile: true,
            },
            (None, Some(Detected::NoLockfile)) => Manager {
                kind: PackageManager::Npm,
                lockfile: false,
            },
            (None, None) => Manager {
                kind: PackageManager::Npm,
                lockfile: true,
            },
        }
    }

    fn manifests(&self) -> String {
        if self.lockfile {
            format!("package.json {}", self.kind.lockfile())
        } else {
            "package.json".to_string()
        }
    }

    /// Installs every dependency, exactly as locked when there is a lockfile.
    fn install(&self) -> String {
        match (self.kind, self.lockfile) {
            (PackageManager::Npm, true) => "npm ci".into(),
            (PackageManager::Npm, false) => "npm install".into(),
            (PackageManager::Pnpm, true) => "pnpm install --frozen-lockfile".into(),
            (PackageManager::Pnpm, false) => "pnpm install".into(),
            (PackageManager::Yarn, true) => "yarn install --frozen-lockfile".into(),
            (PackageManager::Yarn, false) => "yarn install".into(),
        }
    }

    /// Removes the development dependencies after the build. Yarn means Yarn 1,
    /// which the `node` images ship; pnpm comes from corepack.
    fn prune(&self) -> String {
        match self.kind {
            PackageManager::Npm => "npm prune --omit=dev".into(),
            PackageManager::Pnpm => "pnpm prune --prod".into(),
            PackageManager::Yarn => {
                "yarn install --production --ignore-scripts --prefer-offline".into()
            }
        }
    }

    fn run(&self, script: &str) -> String {
        format!("{} run {script}", self.kind.as_str())
    }
}

fn cargo_flags(package: Option<&str>, features: &[String]) -> String {
    let mut flags = String::new();
    if let Some(package) = package {
        flags.push_str(&format!(" --package {package}"));
    }
    if !features.is_empty() {
        flags.push_str(&format!(" --features {}", features.join(",")));
    }
    flags
}

/// A start command split into words. Check refused every `start` that does
/// not split into at least one word (E0317), so this never comes out empty.
fn words(command: &str) -> Vec<String> {
    crate::shell::split_words(command).unwrap_or_default()
}

/// Puts the stack's Next.js config in the place of Next's own: Next reads the
/// first of `next.config.js`, `.mjs`, `.ts` it finds, so the others go.
fn next_config_command(config: &str) -> String {
    let extension = config.rsplit_once('.').map_or("js", |(_, e)| e);
    let target = format!("next.config.{extension}");
    let others: Vec<String> = crate::lower::NEXT_CONFIG_EXTENSIONS
        .iter()
        .map(|e| format!("next.config.{e}"))
        .filter(|name| *name != target)
        .collect();
    if config == target {
        format!("rm -f {}", others.join(" "))
    } else {
        format!(
            "rm -f {} {target} && cp {config} {target}",
            others.join(" ")
        )
    }
}

/// `["node", "dist/server.js"]`: the exec form, so the process gets signals.
fn exec_form(words: &[String]) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| serde_json::to_string(w).unwrap_or_else(|_| "\"\"".into()))
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// Which dotenv files stay out of the context. A static site's build (Vite)
/// reads `.env` and `.env.production` at build time for the public `VITE_*`
/// values they are meant to hold, and only its built folder reaches the
/// image: only the `*.local` files, which hold a developer's secrets, stay
/// out. Every other build, Next.js included (its standalone output copies
/// `.env` files into the image), leaves every dotenv file out but
/// `.env.example`; Next's public values come as build arguments instead.
fn env_ignores(config: &RuntimeConfig) -> Vec<&'static str> {
    if matches!(config, RuntimeConfig::Static { .. }) {
        vec!["**/.env*.local"]
    } else {
        vec!["**/.env", "**/.env.*", "!**/.env.example"]
    }
}

/// What each runtime keeps out of its build context, besides the common list.
/// `**/` matches at any depth; Rust's `target` is the workspace's, at the root
/// only, so a source folder named `target` is still sent.
fn ignores(config: &RuntimeConfig) -> Vec<&'static str> {
    match config {
        RuntimeConfig::Rust { .. } => vec!["/target"],
        RuntimeConfig::Node { .. } => vec!["**/node_modules", "**/npm-debug.log*", "**/.next"],
        RuntimeConfig::Python { .. } => {
            vec!["**/__pycache__", "**/*.pyc", "**/.venv", "**/.pytest_cache"]
        }
        RuntimeConfig::Go { .. } => vec!["**/*.test"],
        RuntimeConfig::Static { .. } => vec!["**/node_modules", "**/npm-debug.log*"],
    }
}
