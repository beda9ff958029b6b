//! Dockerfiles for services built from a runtime, with their `.dockerignore`
//! (and nginx's configuration for static sites), rendered from typed contexts.

use serde::Serialize;

use super::templates::Templates;
use super::{EmitOptions, join_relative};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{PackageManager, PythonInstaller, RuntimeBuild, RuntimeConfig, Service};
use crate::topology::{ServiceId, Topology};

/// The cargo-chef release the rust template installs.
pub const CARGO_CHEF_VERSION: &str = "0.1.71";
/// The uv image tag the python template copies uv from.
pub const UV_VERSION: &str = "0.8";
/// The nginx-unprivileged image tag the static template serves from.
pub const NGINX_VERSION: &str = "1.28";

/// One generated file beside the service's fly.toml.
pub struct Generated {
    /// File name: `Dockerfile`, `.dockerignore`, `nginx.conf`.
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
}

/// Renders the files of one runtime-built service.
pub fn render(
    topology: &Topology,
    id: ServiceId,
    build: &RuntimeBuild,
    templates: &Templates,
    options: &EmitOptions,
) -> Result<Vec<Generated>, Diagnostic> {
    let service = topology.service(id);
    let common = common(topology, id, options);
    let detected = options.detected.get(&service.name.value).copied();
    let mut files = Vec::new();
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
        } => {
            let manager = Manager::choose(package_manager.map(|p| p.value), detected);
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
                    prune: manager.prune(),
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
            start,
        } => templates.render(
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
                start_display: start.value.clone(),
                start: exec_form(&words(&start.value)),
                common,
            },
        )?,
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
            let nginx_conf = nginx_conf_path(service, build, options)?;
            files.push(Generated {
                name: "nginx.conf",
                contents: templates.render(
                    "nginx.conf.hbs",
                    &NginxContext {
                        header: options.header(),
                        port,
                    },
                )?,
            });
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
                    common,
                },
            )?
        }
    };
    files.push(Generated {
        name: "Dockerfile",
        contents: dockerfile,
    });
    files.push(Generated {
        name: ".dockerignore",
        contents: templates.render(
            "dockerignore.hbs",
            &IgnoreContext {
                header: options.header(),
                ignores: ignores(&build.config),
            },
        )?,
    });
    Ok(files)
}

fn common(topology: &Topology, id: ServiceId, options: &EmitOptions) -> Common {
    let service = topology.service(id);
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
    }
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
    prune: String,
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
    start_display: String,
    start: String,
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
}

#[derive(Debug, Serialize)]
struct NginxContext {
    header: String,
    port: u16,
}

#[derive(Debug, Serialize)]
struct IgnoreContext {
    header: String,
    ignores: Vec<&'static str>,
}

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

/// `["node", "dist/server.js"]`: the exec form, so the process gets signals.
fn exec_form(words: &[String]) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| serde_json::to_string(w).unwrap_or_else(|_| "\"\"".into()))
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// What each runtime keeps out of its build context, besides the common list.
fn ignores(config: &RuntimeConfig) -> Vec<&'static str> {
    match config {
        RuntimeConfig::Rust { .. } => vec!["target"],
        RuntimeConfig::Node { .. } => vec!["node_modules", "npm-debug.log*", ".next"],
        RuntimeConfig::Python { .. } => vec!["__pycache__", "*.pyc", ".venv", ".pytest_cache"],
        RuntimeConfig::Go { .. } => vec!["*.test"],
        RuntimeConfig::Static { .. } => vec!["node_modules", "npm-debug.log*"],
    }
}

/// The path of the generated nginx.conf inside the service's build context, so
/// the Dockerfile can copy it; an error when the output folder is outside it.
fn nginx_conf_path(
    service: &Service,
    build: &RuntimeBuild,
    options: &EmitOptions,
) -> Result<String, Diagnostic> {
    let context = join_relative(&[&build.context.value]);
    let from_context = join_relative(&[
        &relative_from(&context),
        &options.output_from_project,
        &service.name.value,
        "nginx.conf",
    ]);
    if context.starts_with("..") || from_context.starts_with("..") {
        return Err(Diagnostic::new(
            Code::E0407,
            build.context.span,
            format!(
                "the build context of `{}` does not contain the output folder `{}`",
                service.name.value, options.output_from_project
            ),
        )
        .label("the Dockerfile copies the generated nginx.conf from inside this context")
        .help("build from a folder that contains the output (`context = \".\"`), or write the output inside the context with `-o`"));
    }
    Ok(from_context)
}

/// The way back from a folder inside the project: `web/app` gives `../..`.
fn relative_from(folder: &str) -> String {
    let depth = folder
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .count();
    vec![".."; depth].join("/")
}
