//! Lowers where a service's image comes from: `image`, or a `build` block with
//! the user's Dockerfile or a runtime flyx writes one for.

use super::fields::{Fields, Sink};
use super::no_label;
use super::service::text_entries;
use super::values::{self, Keyword};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::model::{DockerBuild, OptionValue, Runtime, RuntimeBuild, Source};
use crate::span::Spanned;
use crate::syntax::ast::{Block, Entry, ValueKind};

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

/// Reads `image = "..."` or `build { ... }` from a service.
pub fn lower(f: &mut Fields<'_>) -> Source {
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
        (None, Some(build)) => lower_build(build, sink),
        (None, None) => Source::Missing,
    }
}

/// Lowers `build { context = "."  dockerfile = "..." }` or `build { runtime = rust ... }`.
fn lower_build(block: &Block, sink: &Sink) -> Source {
    no_label(block, sink);
    let runtime = block.entries.iter().find_map(|entry| match entry {
        Entry::Attribute(a) if a.key.name == "runtime" => Some(&a.value),
        _ => None,
    });
    match runtime {
        Some(value) => match values::keyword::<Runtime>(value, "runtime", sink) {
            Some(runtime) => lower_runtime_build(block, runtime, sink),
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

fn lower_runtime_build(block: &Block, runtime: Spanned<Runtime>, sink: &Sink) -> Source {
    let allowed = runtime_options(runtime.value);
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
    let mut options = Vec::new();
    for name in allowed {
        if let Some(value) = f.value(name)
            && let Some(option) = option_value(value, name, sink)
        {
            options.push((Spanned::new(name.to_string(), value.span), option));
        }
    }
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
    Source::Runtime(RuntimeBuild {
        runtime,
        context: context.unwrap_or_else(|| Spanned::new(".".into(), block.kind.span)),
        args,
        options,
        span: block.span,
    })
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

fn option_value(value: &crate::syntax::ast::Value, name: &str, sink: &Sink) -> Option<OptionValue> {
    match &value.kind {
        ValueKind::Bool(b) => Some(OptionValue::Bool(*b)),
        ValueKind::List(_) => Some(OptionValue::List(
            values::names(value, name, sink)
                .into_iter()
                .map(|s| s.value)
                .collect(),
        )),
        ValueKind::Integer(n) => Some(OptionValue::Text(n.to_string())),
        ValueKind::Float(n) => Some(OptionValue::Text(n.to_string())),
        _ => values::name(value, name, sink).map(|s| OptionValue::Text(s.value)),
    }
}

/// Lowers `args { VITE_API_URL = api.public_url }`: build arguments.
fn lower_args(block: &Block, sink: &Sink) -> Vec<crate::model::EnvVar> {
    no_label(block, sink);
    text_entries(block, sink, "args")
}
