//! Lowers where a service's image comes from: `image`, or a `build` block with
//! the user's Dockerfile or a runtime flyx writes one for.

use super::fields::{Fields, Sink};
use super::no_label;
use super::service::text_entries;
use super::values::{self, Keyword};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::model::{
    DockerBuild, PackageManager, PythonInstaller, Runtime, RuntimeBuild, RuntimeConfig, Source,
};
use crate::span::Spanned;
use crate::syntax::ast::{Block, Entry};

/// The options each runtime takes in its `build` block (see docs/language.md).
pub fn runtime_options(runtime: Runtime) -> &'static [&'static str] {
    match runtime {
        Runtime::Rust => &["version", "binary", "package", "features"],
        Runtime::Node => &[
            "version",
            "package_manager",
            "build_script",
            "start",
            "next_standalone",
        ],
        Runtime::Python => &["version", "installer", "requirements", "start"],
        Runtime::Go => &["version", "package", "binary"],
        Runtime::Static => &["node_version", "package_manager", "build_script", "output"],
    }
}

/// Attributes of `build` other than runtime options.
const BUILD_ATTRIBUTES: &[&str] = &["context", "dockerfile", "target", "runtime"];

/// Reads `image = "..."` or `build { ... }` from a service named `service`.
pub fn lower(f: &mut Fields<'_>, service: &str) -> Source {
    let sink = f.sink();
    let image = f.string("image");
    let build = f.block("build");
    match (image, build) {
        (Some(image), Some(build)) => {
            sink.push(
                Diagnostic::new(
                    Code::E0219,
                    build.kind.span,
                    "a service has either `image` or `build`, not both",
                )
                .label("a build is declared here")
                .also(image.span, "an image is declared here")
                .help("remove `image` to build from source, or `build` to deploy the image"),
            );
            Source::Image(image)
        }
        (Some(image), None) => Source::Image(image),
        (None, Some(build)) => lower_build(build, service, sink),
        (None, None) => Source::Missing,
    }
}

/// Lowers `build { context = "."  dockerfile = "..." }` or `build { runtime = rust ... }`.
fn lower_build(block: &Block, service: &str, sink: &Sink) -> Source {
    no_label(block, sink);
    let runtime = block.entries.iter().find_map(|entry| match entry {
        Entry::Attribute(a) if a.key.name == "runtime" => Some(&a.value),
        _ => None,
    });
    match runtime {
        Some(value) => match values::keyword::<Runtime>(value, "runtime", sink) {
            Some(runtime) => lower_runtime_build(block, runtime, service, sink),
            None => Source::Missing,
        },
        None => lower_docker_build(block, sink),
    }
}

fn lower_docker_build(block: &Block, sink: &Sink) -> Source {
    let mut f = Fields::new(block, sink);
    let context = f.string("context");
    let dockerfile = f.string("dockerfile");
    let target = f.string("target");
    let args = f
        .block("args")
        .map(|b| lower_args(b, sink))
        .unwrap_or_default();
    f.attr("runtime");
    f.finish();
    let Some(dockerfile) = dockerfile else {
        sink.push(
            Diagnostic::new(
                Code::E0206,
                block.kind.span,
                "`build` needs a `dockerfile` or a `runtime`",
            )
            .label("nothing to build from")
            .help("add `dockerfile = \"Dockerfile\"`, or `runtime = node` for flyx to write one"),
        );
        return Source::Missing;
    };
    Source::Dockerfile(DockerBuild {
        context: context.unwrap_or_else(|| Spanned::new(".".into(), block.kind.span)),
        dockerfile,
        target,
        args,
        span: block.span,
    })
}

fn lower_runtime_build(
    block: &Block,
    runtime: Spanned<Runtime>,
    service: &str,
    sink: &Sink,
) -> Source {
    let mut f = Fields::new(block, sink);
    f.attr("runtime");
    let context = f.string("context");
    let target = f.string("target");
    let args = f
        .block("args")
        .map(|b| lower_args(b, sink))
        .unwrap_or_default();
    if let Some(dockerfile) = f.string("dockerfile") {
        sink.push(
            Diagnostic::new(
                Code::E0219,
                dockerfile.span,
                "a build has either `dockerfile` or `runtime`, not both",
            )
            .label("your own Dockerfile")
            .also(runtime.span, "flyx writes one for this runtime")
            .help("remove `runtime` to use your Dockerfile, or `dockerfile` to let flyx write it"),
        );
    }
    let config = runtime_config(&mut f, runtime, service);
    report_foreign_options(block, runtime.value, sink);
    f.finish_quietly(BUILD_ATTRIBUTES.iter().chain(all_options()).copied());
    if let Some(target) = target {
        sink.push(
            Diagnostic::new(
                Code::E0219,
                target.span,
                "`target` names a stage of your own Dockerfile",
            )
            .label("flyx writes this Dockerfile's stages itself")
            .help("remove `target`, or use `dockerfile = ...` with your own Dockerfile"),
        );
    }
    let Some(config) = config else {
        return Source::Missing;
    };
    Source::Runtime(RuntimeBuild {
        runtime,
        context: context.unwrap_or_else(|| Spanned::new(".".into(), block.kind.span)),
        args,
        config,
        span: block.span,
    })
}

/// Reads the options of `runtime` and applies their defaults.
fn runtime_config(
    f: &mut Fields<'_>,
    runtime: Spanned<Runtime>,
    service: &str,
) -> Option<RuntimeConfig> {
    let text = |f: &mut Fields<'_>, name: &'static str, default: &str| {
        f.name(name)
            .map_or_else(|| default.to_string(), |v| v.value)
    };
    Some(match runtime.value {
        Runtime::Rust => RuntimeConfig::Rust {
            version: text(f, "version", defaults::RUST),
            binary: text(f, "binary", service),
            package: f.name("package").map(|p| p.value),
            features: f.names("features").into_iter().map(|s| s.value).collect(),
        },
        Runtime::Node => {
            let version = text(f, "version", defaults::NODE);
            let package_manager = f.keyword::<PackageManager>("package_manager");
            let build_script = f.name("build_script").map(|s| s.value);
            let start = f.string("start");
            let next_standalone = f.bool("next_standalone").is_some_and(|b| b.value);
            RuntimeConfig::Node {
                version,
                package_manager,
                // A standalone server exists only after `next build`.
                build_script: build_script.or_else(|| next_standalone.then(|| "build".to_string())),
                start,
                next_standalone,
            }
        }
        Runtime::Python => {
            let version = text(f, "version", defaults::PYTHON);
            let installer = f
                .keyword::<PythonInstaller>("installer")
                .map_or(PythonInstaller::Pip, |i| i.value);
            let requirements = text(f, "requirements", "requirements.txt");
            let start = f.required("start", "start = \"gunicorn app:app\"", |f, n| f.string(n))?;
            RuntimeConfig::Python {
                version,
                installer,
                requirements,
                start,
            }
        }
        Runtime::Go => RuntimeConfig::Go {
            version: text(f, "version", defaults::GO),
            package: text(f, "package", "."),
            binary: text(f, "binary", service),
        },
        Runtime::Static => RuntimeConfig::Static {
            node_version: text(f, "node_version", defaults::NODE),
            package_manager: f.keyword::<PackageManager>("package_manager"),
            build_script: text(f, "build_script", "build"),
            output: text(f, "output", "dist"),
        },
    })
}

/// The versions a runtime uses when the `.flyx` file names none.
pub mod defaults {
    /// The `rust` image tag.
    pub const RUST: &str = "1.95";
    /// The `node` image tag.
    pub const NODE: &str = "24";
    /// The `python` image tag.
    pub const PYTHON: &str = "3.13";
    /// The `golang` image tag.
    pub const GO: &str = "1.25";
}

fn all_options() -> impl Iterator<Item = &'static &'static str> {
    Runtime::ALL
        .iter()
        .flat_map(|(_, runtime)| runtime_options(*runtime).iter())
}

/// Options of another runtime get their own message: they exist, just not here.
fn report_foreign_options(block: &Block, runtime: Runtime, sink: &Sink) {
    let allowed = runtime_options(runtime);
    for entry in &block.entries {
        let Entry::Attribute(attribute) = entry else {
            continue;
        };
        let name = attribute.key.name.as_str();
        if allowed.contains(&name) || BUILD_ATTRIBUTES.contains(&name) {
            continue;
        }
        if all_options().any(|o| *o == name) {
            let help = match did_you_mean(name, allowed.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!(
                    "the {} runtime takes: {}",
                    runtime.as_str(),
                    allowed.join(", ")
                ),
            };
            sink.push(
                Diagnostic::new(
                    Code::E0202,
                    attribute.key.span,
                    format!(
                        "`{name}` is not an option of the {} runtime",
                        runtime.as_str()
                    ),
                )
                .label("belongs to another runtime")
                .help(help),
            );
        }
    }
}

/// Lowers `args { VITE_API_URL = api.public_url }`: build arguments.
fn lower_args(block: &Block, sink: &Sink) -> Vec<crate::model::EnvVar> {
    no_label(block, sink);
    text_entries(block, sink, "args")
}
