//! Import: existing fly.toml (or fly.json) files in, one `.flyx` stack out.
//! Not a compiler stage: it writes the source the pipeline then reads.
//!
//! ```text
//! fly.toml --tree (toml, spans)--> Node --app (flyctl's reading)--> service block
//!          --stack (references, project)--> blocks --write--> .flyx text
//! ```

pub mod app;
pub mod tree;
pub mod units;
pub mod write;

use std::collections::BTreeMap;

use app::{ImportedApp, Reader};
use tree::Node;
use write::{Block, Value};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::Sources;
use crate::span::Span;

/// One file to import.
#[derive(Clone, Debug)]
pub struct Input {
    /// The name diagnostics show, e.g. `api/fly.toml`.
    pub name: String,
    /// Its folder relative to where the `.flyx` file is written (`""` for the same).
    pub dir: String,
    /// The file's text: TOML, or JSON for a `fly.json`.
    pub text: String,
}

/// What the import is asked for.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The project's name (`--project`).
    pub project: Option<String>,
    /// The region of apps that name none (`--region`).
    pub region: Option<String>,
    /// The organization the apps are in (`--org`); flyx's `personal` when none.
    pub org: Option<String>,
}

/// The result: the `.flyx` text (when no error stops it), every diagnostic,
/// and the sources they point into.
#[derive(Debug)]
pub struct Imported {
    /// The stack, formatted.
    pub flyx: Option<String>,
    /// Defects and what was dropped, pointing into the fly.toml files.
    pub diagnostics: Diagnostics,
    /// The fly.toml files, registered for rendering.
    pub sources: Sources,
    /// One line per app: `fly.toml → service api (app "api")`.
    pub summary: Vec<String>,
}

/// Imports every file into one stack.
pub fn import(inputs: &[Input], options: &Options) -> Imported {
    let mut sources = Sources::new();
    let mut diagnostics = Diagnostics::new();
    let mut apps = Vec::new();
    for input in inputs {
        let file = sources.add(input.name.clone(), input.text.clone());
        let root = match parse(&input.name, &input.text) {
            Ok(root) => root,
            Err((message, (start, end))) => {
                diagnostics.push(
                    Diagnostic::new(Code::E0501, Span::new(file, start, end), message)
                        .label("the file cannot be parsed")
                        .help("fix the file so flyctl can read it, then import again"),
                );
                continue;
            }
        };
        let mut reader = Reader {
            file,
            dir: input.dir.clone(),
            fallback_name: fallback_name(&input.name),
            region: options.region.clone(),
            diagnostics: &mut diagnostics,
            check_names: Vec::new(),
        };
        apps.push(reader.read(&root));
    }
    let summary = apps
        .iter()
        .map(|a| {
            format!(
                "{} → service {}{}",
                sources.get(a.file).name,
                a.service,
                if a.service == a.app {
                    String::new()
                } else {
                    format!(" (app \"{}\")", a.app)
                }
            )
        })
        .collect();
    let flyx = (!diagnostics.has_errors() && !apps.is_empty())
        .then(|| stack_text(&mut apps, inputs, options));
    Imported {
        flyx,
        diagnostics,
        sources,
        summary,
    }
}

/// A fly.toml, or a fly.json read the way flyctl reads it:
/// `internal/appconfig/serde.go: LoadConfig` picks `unmarshalJSON` by the
/// `.json` suffix, which decodes into the same map and runs the same patches
/// (`applyPatches`); its numbers are float64, which `patches.go`'s
/// `_castDuration` and `castToInt` take like integers. So JSON is converted
/// to the same tree and read by the same code; its diagnostics point at the
/// start of the file (serde_json keeps no spans).
fn parse(name: &str, text: &str) -> Result<Node, (String, (usize, usize))> {
    if name.ends_with(".json") {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| (e.to_string(), (0, 0)))?;
        return Ok(from_json(&value));
    }
    Node::parse(text)
}

fn from_json(value: &serde_json::Value) -> Node {
    use tree::Kind;
    let kind = match value {
        serde_json::Value::Null => Kind::Other("null".into()),
        serde_json::Value::Bool(b) => Kind::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Kind::Int(i),
            None => Kind::Float(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => Kind::Str(s.clone()),
        serde_json::Value::Array(items) => Kind::Array(items.iter().map(from_json).collect()),
        serde_json::Value::Object(map) => Kind::Table(
            map.iter()
                .map(|(k, v)| (k.clone(), from_json(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    };
    Node {
        kind,
        span: (0, 0),
        key_span: (0, 0),
    }
}

/// An app name from a path when the file has none: `api/fly.toml` → `api`.
fn fallback_name(path: &str) -> String {
    let parts: Vec<&str> = path.split(['/', '\\']).collect();
    let file = parts.last().copied().unwrap_or("app");
    let stem = file
        .trim_end_matches(".toml")
        .trim_end_matches(".json")
        .trim_start_matches("fly")
        .trim_matches('.');
    let name = if stem.is_empty() {
        parts
            .iter()
            .rev()
            .nth(1)
            .copied()
            .unwrap_or("app")
            .to_string()
    } else {
        stem.to_string()
    };
    app::service_name(&name)
}

/// The stack's text: one project, one service per app, private addresses
/// turned into references.
fn stack_text(apps: &mut [ImportedApp], inputs: &[Input], options: &Options) -> String {
    let region = options.region.clone().or_else(|| common_region(apps));
    let name = options
        .project
        .clone()
        .unwrap_or_else(|| apps.first().map_or("stack".into(), |a| a.service.clone()));
    let mut project = Block::named("project", &app::service_name(&name));
    if let Some(org) = &options.org {
        project.attr("org", Value::Str(org.clone()));
    }
    project.attr("prefix", Value::Str(String::new()));
    if let Some(region) = &region {
        project.attr("region", Value::Bare(region.clone()));
    }
    let targets: Vec<Target> = apps
        .iter()
        .map(|a| Target {
            app: a.app.clone(),
            service: a.service.clone(),
            http_port: a.http_port,
            auto_stops: a.auto_stops,
        })
        .collect();
    let mut blocks = vec![project];
    for a in apps.iter_mut() {
        let mut block = a.block.clone();
        if a.region.is_some() && a.region != region {
            let at = usize::from(
                block
                    .entries
                    .first()
                    .is_some_and(|e| matches!(e, write::Entry::Attr(k, _) if k == "app")),
            );
            block.entries.insert(
                at,
                write::Entry::Attr(
                    "region".into(),
                    Value::Bare(a.region.clone().unwrap_or_default()),
                ),
            );
        }
        let links = reference_env(&mut block, &a.env, &a.service, &targets);
        if !links.is_empty() {
            block.attr(
                "links",
                Value::List(links.into_iter().map(Value::Bare).collect()),
            );
        }
        blocks.push(block);
    }
    let names: Vec<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
    let header = vec![
        format!("Imported by `flyx import` from {}.", names.join(", ")),
        "Check it with `flyx check`; `flyx build` writes the fly.toml files again.".into(),
    ];
    formatted(write::file(&header, &blocks))
}

/// The stack in `flyx fmt`'s layout. The writer only writes text that parses
/// (the corpus test asserts that every import is fmt-clean); should it ever
/// not, the text is returned as written, and `flyx check` reports where.
fn formatted(text: String) -> String {
    crate::format::format_source("stack.flyx", &text).unwrap_or(text)
}

/// The region most apps name (the first by name on a tie).
fn common_region(apps: &[ImportedApp]) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for a in apps {
        if let Some(r) = &a.region {
            *counts.entry(r).or_default() += 1;
        }
    }
    let best = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|(_, n)| *n == best)
        .map(|(r, _)| r.to_string())
}

/// An imported app another one may name.
struct Target {
    app: String,
    service: String,
    http_port: Option<i64>,
    auto_stops: bool,
}

/// Rewrites the env block: a value naming another app's `.internal` or
/// `.flycast` address becomes a reference. Returns the services to link to.
fn reference_env(
    block: &mut Block,
    env: &[(String, String)],
    own: &str,
    targets: &[Target],
) -> Vec<String> {
    let mut links = Vec::new();
    let Some(env_block) = block.entries.iter_mut().find_map(|e| match e {
        write::Entry::Block(b) if b.kind == "env" => Some(b),
        _ => None,
    }) else {
        return links;
    };
    for (name, value) in env {
        let Some(new) = reference_value(value, own, targets, &mut links) else {
            continue;
        };
        for entry in &mut env_block.entries {
            if let write::Entry::Attr(key, v) = entry
                && key.trim_matches('"') == name
            {
                *v = new.clone();
            }
        }
    }
    links.sort();
    links.dedup();
    links
}

/// The value as a reference, when it names another app's private address.
fn reference_value(
    value: &str,
    own: &str,
    targets: &[Target],
    links: &mut Vec<String>,
) -> Option<Value> {
    let mut rest = value;
    let mut out = String::new();
    let mut changed = false;
    'scan: while !rest.is_empty() {
        for target in targets.iter().filter(|t| t.service != own) {
            for suffix in [".internal", ".flycast"] {
                let host = format!("{}{suffix}", target.app);
                if let Some(after) = rest.strip_prefix(host.as_str())
                    && boundary_before(&out)
                    && !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-')
                {
                    // The whole value is the target's URL: `other.url`.
                    // The whole value is the target's URL as flyx resolves
                    // it (flycast for a target that stops idle machines,
                    // `.internal` and the http port otherwise): `other.url`.
                    let url = match (suffix, target.auto_stops, target.http_port) {
                        (".internal", false, Some(p)) => Some(format!("http://{host}:{p}")),
                        (".flycast", true, Some(_)) => Some(format!("http://{host}")),
                        _ => None,
                    };
                    if url.as_deref() == Some(value) {
                        links.push(target.service.clone());
                        return Some(Value::Bare(format!("{}.url", target.service)));
                    }
                    out.push_str(&format!("${{{}.host}}", target.service));
                    links.push(target.service.clone());
                    rest = after;
                    changed = true;
                    continue 'scan;
                }
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push_str(&write::escape(&c.to_string()));
        rest = &rest[c.len_utf8()..];
    }
    if !changed {
        return None;
    }
    if out == format!("${{{}.host}}", links.last().map_or("", String::as_str)) {
        return links.last().map(|s| Value::Bare(format!("{s}.host")));
    }
    Some(Value::Interpolated(out))
}

/// Whether a host name may start here: at the start or after a character
/// that cannot be part of a name.
fn boundary_before(out: &str) -> bool {
    !out.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}
