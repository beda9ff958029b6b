//! Lowers where a service's image comes from: `image`, or a `build` block with
//! the user's Dockerfile or a runtime flyx writes one for.

use super::fields::{Fields, Sink};
use super::no_label;
use super::service::text_entries;
use super::values::{self, Keyword};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::model::{
    BuildpacksBuild, DockerBuild, PackageManager, Proxy, PythonInstaller, Runtime, RuntimeBuild,
    RuntimeConfig, Source,
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
            "next_config",
        ],
        Runtime::Python => &[
            "version",
            "installer",
            "requirements",
            "build_command",
            "start",
        ],
        Runtime::Go => &["version", "package", "binary"],
        Runtime::Static => &["node_version", "package_manager", "build_script", "output"],
    }
}

/// Attributes of `build` other than runtime options.
const BUILD_ATTRIBUTES: &[&str] = &[
    "context",
    "dockerfile",
    "target",
    "runtime",
    "build_env",
    "packages",
    "runtime_packages",
    "builder",
    "buildpacks",
    "ignorefile",
];

/// Where a service's image comes from, and the env names its build needs.
pub struct Lowered {
    /// The image, or how to build it.
    pub source: Source,
    /// `build_env = [NAME, ...]`: env values passed to the build as well.
    pub build_env: Vec<Spanned<String>>,
}

/// Reads `image = "..."` or `build { ... }` from a service named `service`.
pub fn lower(f: &mut Fields<'_>, service: &str) -> Lowered {
    let sink = f.sink();
    let image = f.string("image");
    let build = f.block("build");
    let build_env = build.map(|b| read_build_env(b, sink)).unwrap_or_default();
    let source = lower_source(image, build, service, sink);
    Lowered { source, build_env }
}

/// Reads `build_env = [INTERNAL_API_URL, ...]` from a `build` block.
fn read_build_env(block: &Block, sink: &Sink) -> Vec<Spanned<String>> {
    block
        .entries
        .iter()
        .find_map(|entry| match entry {
            Entry::Attribute(a) if a.key.name == "build_env" => {
                Some(values::names(&a.value, "build_env", sink))
            }
            _ => None,
        })
        .unwrap_or_default()
}

fn lower_source(
    image: Option<Spanned<String>>,
    build: Option<&Block>,
    service: &str,
    sink: &Sink,
) -> Source {
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
    let buildpacks = block.entries.iter().any(|entry| {
        matches!(entry, Entry::Attribute(a) if a.key.name == "builder" || a.key.name == "buildpacks")
    });
    match runtime {
        Some(value) => match values::keyword::<Runtime>(value, "runtime", sink) {
            Some(runtime) => lower_runtime_build(block, runtime, service, sink),
            None => Source::Missing,
        },
        None if buildpacks => lower_buildpacks_build(block, sink),
        None => lower_docker_build(block, sink),
    }
}

/// Lowers `build { builder = "heroku/builder:24"  buildpacks = [...] }`: a
/// Cloud Native Buildpacks build, with no Dockerfile.
fn lower_buildpacks_build(block: &Block, sink: &Sink) -> Source {
    let mut f = Fields::new(block, sink);
    let context = f.string("context");
    let builder = f.required("builder", "builder = \"heroku/builder:24\"", |f, name| {
        f.string(name)
    });
    let buildpacks = f.strings("buildpacks");
    let args = f
        .block("args")
        .map(|b| lower_args(b, sink))
        .unwrap_or_default();
    let ignorefile = f.string("ignorefile").filter(|p| ignorefile_ok(p, sink));
    for name in ["dockerfile", "target"] {
        if let Some(attribute) = f.attr(name) {
            not_with_builder(attribute.key.span, name, builder.as_ref(), sink);
        }
    }
    f.attr("build_env");
    f.finish();
    super::unique_names(sink, "buildpack", "`buildpacks`", buildpacks.iter());
    let buildpacks: Vec<Spanned<String>> = buildpacks
        .into_iter()
        .filter(|b| image_name_ok(b, "buildpack", sink))
        .collect();
    let Some(builder) = builder.filter(|b| image_name_ok(b, "builder", sink)) else {
        return Source::Missing;
    };
    Source::Buildpacks(BuildpacksBuild {
        context: context.unwrap_or_else(|| Spanned::new(".".into(), block.kind.span)),
        builder,
        buildpacks,
        args,
        ignorefile,
        span: block.span,
    })
}

/// `dockerfile` or `target` beside `builder`: buildpacks never read a Dockerfile.
fn not_with_builder(
    at: crate::span::Span,
    name: &str,
    builder: Option<&Spanned<String>>,
    sink: &Sink,
) {
    let mut diagnostic = Diagnostic::new(
        Code::E0219,
        at,
        format!("a buildpacks build has no Dockerfile, so no `{name}`"),
    )
    .label("a Dockerfile setting");
    if let Some(builder) = builder {
        diagnostic = diagnostic.also(builder.span, "the buildpacks builder detects the app");
    }
    sink.push(diagnostic.help(
        "remove `builder` and `buildpacks` to build your Dockerfile, or this line to build with buildpacks",
    ));
}

/// A builder image or buildpack reference: something `pack build` can
/// pull or resolve, so at least not empty and without spaces.
fn image_name_ok(name: &Spanned<String>, what: &str, sink: &Sink) -> bool {
    let text = name.value.as_str();
    if !text.is_empty() && !text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return true;
    }
    sink.push(
        Diagnostic::new(
            Code::E0247,
            name.span,
            format!("`{text}` is not a {what} name"),
        )
        .label("an image reference, without spaces")
        .help(match what {
            "builder" => "name the builder image, e.g. \"heroku/builder:24\" or \"paketobuildpacks/builder-jammy-base\"",
            _ => "name each buildpack by image or id, e.g. \"heroku/nodejs\" or \"gcr.io/paketo-buildpacks/nodejs\"",
        }),
    );
    false
}

/// flyctl hands `ignorefile` only to its classic Docker builder; the Depot
/// builder `fly deploy --remote-only` uses by default sends the context to
/// BuildKit, which reads `<Dockerfile>.dockerignore` beside the Dockerfile or
/// `.dockerignore` at the context's root (flyctl `internal/build/imgsrc`:
/// `resolver.go` picks Depot, only `dockerfile_builder.go` reads the file).
fn depot_ignores(ignorefile: &Spanned<String>, dockerfile: &Spanned<String>, sink: &Sink) {
    sink.push(
        Diagnostic::new(
            Code::W0203,
            ignorefile.span,
            "Fly's Depot builder does not read `ignorefile`",
        )
        .label("written to fly.toml, applied only by flyctl's classic builder")
        .also(dockerfile.span, "BuildKit reads the ignore file named after this Dockerfile")
        .help(format!(
            "to apply it on every builder, name it `{}.dockerignore` beside the Dockerfile (or `.dockerignore` at the context's root) and remove `ignorefile`",
            dockerfile.value
        )),
    );
}

/// `ignorefile = ".dockerignore.fly"`: a path relative to the `.flyx` file.
/// flyctl joins even a `/...` path to the fly.toml's folder, so an absolute
/// path would not mean what it says.
fn ignorefile_ok(path: &Spanned<String>, sink: &Sink) -> bool {
    let problem = if path.value.trim().is_empty() {
        "it is empty"
    } else if path.value.starts_with('/') {
        "it is absolute, and flyctl reads every path relative to the fly.toml's folder"
    } else {
        return true;
    };
    sink.push(
        Diagnostic::new(
            Code::E0246,
            path.span,
            format!("`ignorefile` cannot be `{}`: {problem}", path.value),
        )
        .label("a path relative to the .flyx file")
        .help("write the path from the .flyx file's folder, e.g. \"docker/api.dockerignore\"; flyx rewrites it for the fly.toml"),
    );
    false
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
    let ignorefile = f.string("ignorefile").filter(|p| ignorefile_ok(p, sink));
    f.attr("runtime");
    f.attr("build_env");
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
    if let Some(ignorefile) = &ignorefile {
        depot_ignores(ignorefile, &dockerfile, sink);
    }
    Source::Dockerfile(DockerBuild {
        context: context.unwrap_or_else(|| Spanned::new(".".into(), block.kind.span)),
        dockerfile,
        target,
        args,
        ignorefile,
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
    for name in ["builder", "buildpacks", "ignorefile"] {
        if let Some(attribute) = f.attr(name) {
            not_with_runtime(attribute.key.span, name, runtime, sink);
        }
    }
    f.attr("build_env");
    let packages = read_packages(&mut f, "packages", sink);
    let runtime_packages = read_packages(&mut f, "runtime_packages", sink);
    no_runtime_packages(runtime, &runtime_packages, sink);
    let config = runtime_config(&mut f, runtime, service);
    let proxies = read_proxies(&mut f, runtime, sink);
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
        packages,
        runtime_packages,
        config,
        proxies,
        span: block.span,
    })
}

/// `builder`, `buildpacks` or `ignorefile` beside `runtime`: flyx writes the
/// Dockerfile and its ignore file itself.
fn not_with_runtime(at: crate::span::Span, name: &str, runtime: Spanned<Runtime>, sink: &Sink) {
    let (message, help) = if name == "ignorefile" {
        (
            "a runtime build has the ignore file flyx writes, so no `ignorefile`".to_string(),
            "remove `ignorefile`: flyx writes Dockerfile.dockerignore beside the Dockerfile; or use your own Dockerfile",
        )
    } else {
        (
            format!("a build has either `runtime` or buildpacks (`{name}`), not both"),
            "remove `runtime` to build with buildpacks, or `builder` and `buildpacks` to let flyx write a Dockerfile",
        )
    };
    sink.push(
        Diagnostic::new(Code::E0219, at, message)
            .label(format!("`{name}` is written here"))
            .also(runtime.span, "flyx writes a Dockerfile for this runtime")
            .help(help),
    );
}

/// Reads `proxy NAME { path = "/api/"  to = ... }` blocks: a static site only.
fn read_proxies(f: &mut Fields<'_>, runtime: Spanned<Runtime>, sink: &Sink) -> Vec<Proxy> {
    let blocks = f.blocks("proxy");
    if runtime.value != Runtime::Static {
        for block in &blocks {
            sink.push(
                Diagnostic::new(
                    Code::E0202,
                    block.kind.span,
                    format!(
                        "`proxy` applies to `runtime = static`, and this build is `{}`",
                        runtime.value.as_str()
                    ),
                )
                .label("only the static runtime's nginx passes paths on")
                .help("remove `proxy`; the app itself can forward requests"),
            );
        }
        return Vec::new();
    }
    blocks
        .into_iter()
        .filter_map(|block| read_proxy(block, sink))
        .collect()
}

fn read_proxy(block: &Block, sink: &Sink) -> Option<Proxy> {
    let label = super::required_label(block, sink, "proxy NAME { path = \"/api/\"  to = ... }");
    let mut f = Fields::new(block, sink);
    let path = f.required("path", "path = \"/api/\"", |f, name| f.string(name));
    let to = f.required("to", "to = backend.public_url", |f, name| f.text(name));
    f.finish();
    let (label, path, to) = (label?, path?, to?);
    let safe = path.value.len() > 1
        && path.value.starts_with('/')
        && path.value.ends_with('/')
        && path
            .value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-_.~".contains(c));
    if !safe {
        sink.push(
            Diagnostic::new(
                Code::E0236,
                path.span,
                format!("`{}` is not a path nginx can pass on", path.value),
            )
            .label("a proxied path")
            .help("write a prefix with `/` at both ends, of letters, digits, `-`, `_`, `.` and `~`: `\"/api/\"`"),
        );
        return None;
    }
    Some(Proxy {
        name: Spanned::new(label.name.clone(), label.span),
        path,
        to,
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
            let next_config = f
                .string("next_config")
                .filter(|c| next_config_ok(c, f.sink()))
                .map(|c| c.value);
            RuntimeConfig::Node {
                version,
                package_manager,
                // A standalone server exists only after `next build`.
                build_script: build_script.or_else(|| next_standalone.then(|| "build".to_string())),
                start,
                next_standalone,
                next_config,
            }
        }
        Runtime::Python => {
            let version = text(f, "version", defaults::PYTHON);
            let installer = f
                .keyword::<PythonInstaller>("installer")
                .map_or(PythonInstaller::Pip, |i| i.value);
            let requirements = text(f, "requirements", "requirements.txt");
            let build_command = f.string("build_command");
            // Required unless `processes` gives every group a command: the
            // service lowering knows, and says so (E0206).
            let start = f.string("start");
            RuntimeConfig::Python {
                version,
                installer,
                requirements,
                build_command,
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

/// Reads `packages = ["libssl-dev", "pkg-config"]`: Debian package names, each
/// optionally pinned (`name=version`), checked so a bad one is a diagnostic
/// and never a broken `apt-get install` line.
fn read_packages(f: &mut Fields<'_>, name: &'static str, sink: &Sink) -> Vec<Spanned<String>> {
    let mut out: Vec<Spanned<String>> = Vec::new();
    for package in f.strings(name) {
        if let Some(problem) = package_problem(&package.value) {
            sink.push(
                Diagnostic::new(
                    Code::E0234,
                    package.span,
                    format!("`{}` is not a Debian package name: {problem}", package.value),
                )
                .label("apt-get installs this in the Dockerfile")
                .help("write the name as `apt-cache search` shows it, e.g. \"libssl-dev\", optionally pinned as \"libssl-dev=3.0.17-1~deb12u2\""),
            );
        } else if !out.iter().any(|p| p.value == package.value) {
            out.push(package);
        }
    }
    out
}

/// What is wrong with a package name, if anything. Debian policy: lowercase
/// letters, digits, `+`, `-` and `.`, at least two characters, starting with a
/// letter or digit; a version is letters, digits and `.+~:-`.
fn package_problem(text: &str) -> Option<&'static str> {
    let (name, version) = match text.split_once('=') {
        Some((name, version)) => (name, Some(version)),
        None => (text, None),
    };
    if name.len() < 2 {
        return Some("a name has at least two characters");
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return Some("a name starts with a lowercase letter or a digit");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c))
    {
        return Some("a name has only lowercase letters, digits, `+`, `-` and `.`");
    }
    match version {
        Some("") => Some("the version after `=` is empty"),
        Some(v)
            if !v.starts_with(|c: char| c.is_ascii_digit())
                || !v
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".+~:-".contains(c)) =>
        {
            Some("a version starts with a digit and has only letters, digits and `.+~:-`")
        }
        _ => None,
    }
}

/// `runtime_packages` needs apt in the runtime image: go runs on distroless,
/// static on nginx's Alpine image.
fn no_runtime_packages(runtime: Spanned<Runtime>, packages: &[Spanned<String>], sink: &Sink) {
    let image = match runtime.value {
        Runtime::Go => "gcr.io/distroless/static-debian12 (no package manager)",
        Runtime::Static => "nginxinc/nginx-unprivileged on Alpine (no apt)",
        Runtime::Rust | Runtime::Node | Runtime::Python => return,
    };
    if let Some(first) = packages.first() {
        sink.push(
            Diagnostic::new(
                Code::E0235,
                first.span,
                format!(
                    "the {} runtime cannot install `runtime_packages`",
                    runtime.value.as_str()
                ),
            )
            .label(format!("its runtime image is {image}"))
            .also(runtime.span, "this runtime")
            .help("remove `runtime_packages` (`packages` still installs into the build stage), or use your own Dockerfile"),
        );
    }
}

/// The config file names Next.js reads (`CONFIG_FILES` in Next's
/// `packages/next/src/shared/lib/constants.ts`), by extension.
pub const NEXT_CONFIG_EXTENSIONS: &[&str] = &["js", "mjs", "ts"];

/// Whether `next_config = "next.config.fly.ts"` names a file the Dockerfile can
/// copy over Next's own: a relative path of plain characters ending in one of
/// the extensions Next reads.
fn next_config_ok(config: &Spanned<String>, sink: &Sink) -> bool {
    let path = config.value.as_str();
    let extension = path.rsplit_once('.').map(|(_, e)| e);
    let plain = !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
    let problem = if !plain {
        Some("it may hold only letters, digits, `.`, `_`, `-` and `/`")
    } else if path.starts_with('/') || path.split('/').any(|p| p == ".." || p.is_empty()) {
        Some("it is a path inside the build context, without `..`")
    } else if !extension.is_some_and(|e| NEXT_CONFIG_EXTENSIONS.contains(&e)) {
        Some("Next.js reads only `.js`, `.mjs` and `.ts` config files")
    } else {
        None
    };
    let Some(problem) = problem else {
        return true;
    };
    sink.push(
        Diagnostic::new(
            Code::E0233,
            config.span,
            format!("`{path}` cannot be used as the Next.js config: {problem}"),
        )
        .label("the Dockerfile copies this file over next.config before `next build`")
        .help("name a file beside package.json, e.g. \"next.config.fly.ts\""),
    );
    false
}

/// Passes env values to the build as well: each `build_env` name, and for a
/// Next.js app every `NEXT_PUBLIC_*` (Next inlines them, and evaluates
/// `rewrites()`, at `next build`). The value is the env entry's own, so a
/// reference resolves exactly as it does in `[env]`.
pub fn add_build_env(
    source: &mut Source,
    names: &[Spanned<String>],
    env: &[crate::model::EnvVar],
    sink: &Sink,
) {
    let next = matches!(source, Source::Runtime(RuntimeBuild {
        config: RuntimeConfig::Node { next_standalone, next_config, .. }, ..
    }) if *next_standalone || next_config.is_some());
    let Some(args) = source.build_args_mut() else {
        return;
    };
    let explicit: Vec<Spanned<String>> = args.iter().map(|a| a.name.clone()).collect();
    for name in names {
        let Some(var) = env.iter().find(|v| v.name.value == name.value) else {
            let help = match did_you_mean(&name.value, env.iter().map(|v| v.name.value.as_str())) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!(
                    "set `{}` in the service's `env`; secrets never reach the build",
                    name.value
                ),
            };
            sink.push(
                Diagnostic::new(
                    Code::E0232,
                    name.span,
                    format!(
                        "`build_env` names `{}`, which the service's `env` does not set",
                        name.value
                    ),
                )
                .label("not an env var of this service")
                .help(help),
            );
            continue;
        };
        if let Some(arg) = explicit.iter().find(|a| a.value == name.value) {
            sink.push(
                Diagnostic::new(
                    Code::E0232,
                    name.span,
                    format!(
                        "`{}` is both in `build_env` and a build argument",
                        name.value
                    ),
                )
                .label("passes the env value to the build")
                .also(arg.span, "sets its own value here")
                .help("keep one: `build_env` passes the env value, `args` a value of its own"),
            );
            continue;
        }
        if !args.iter().any(|a| a.name.value == name.value) {
            args.push(crate::model::EnvVar {
                name: name.clone(),
                value: var.value.clone(),
            });
        }
    }
    if next {
        for var in env
            .iter()
            .filter(|v| v.name.value.starts_with("NEXT_PUBLIC_"))
        {
            if !args.iter().any(|a| a.name.value == var.name.value) {
                args.push(var.clone());
            }
        }
    }
}
