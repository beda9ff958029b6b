//! Stage 2, lowering: the syntax tree to the typed [`model::Stack`], checking
//! every value where it is written.
//!
//! One function per block kind, each reading its block with [`fields::Fields`],
//! which reports unknown and repeated entries. Lowering keeps going after a
//! problem, so one run reports them all.

mod build;
mod ci;
mod fields;
pub mod keywords;
mod local;
mod machine;
mod network;
mod ops;
mod project;
pub mod schedule;
mod service;
mod storage;
mod store;
pub mod values;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::model::{self, Stack};
use crate::source::FileId;
use crate::span::Span;
use crate::syntax::ast::{self, Block, Item};

pub use build::NEXT_CONFIG_EXTENSIONS;
pub use fields::Sink;

/// The kinds of block the top level may hold.
const TOP_LEVEL: &[&str] = &[
    "project",
    "service",
    "postgres",
    "redis",
    "template",
    "environment",
    "ci",
];

/// Lowers an expanded file (see [`crate::expand`]) whose root is `root`.
/// Returns the stack when lowering found no error, and every diagnostic either way.
pub fn lower(file: &ast::File, root: FileId) -> (Option<Stack>, Diagnostics) {
    let sink = Sink::default();
    let stack = lower_file(file, root, &sink);
    let diagnostics = sink.into_inner();
    let stack = (!diagnostics.has_errors()).then_some(stack).flatten();
    (stack, diagnostics)
}

fn lower_file(file: &ast::File, root: FileId, sink: &Sink) -> Option<Stack> {
    let mut projects = Vec::new();
    let mut services = Vec::new();
    let mut stores = Vec::new();
    let mut cis = Vec::new();
    for item in &file.items {
        // Expansion leaves blocks only; `use` and `for` are gone by now.
        let Item::Block(block) = item else { continue };
        match block.kind.name.as_str() {
            "project" => projects.push(block),
            "service" => services.push(block),
            "postgres" | "redis" => stores.push(block),
            "ci" => cis.push(block),
            _ => unknown_top_level(sink, block),
        }
    }
    let project = project::lower_all(&projects, Span::new(root, 0, 0), sink)?;
    let services: Vec<model::Service> = services
        .into_iter()
        .filter_map(|block| service::lower(block, &project, sink))
        .collect();
    let stores: Vec<model::Store> = stores
        .into_iter()
        .filter_map(|block| store::lower(block, &project, sink))
        .collect();
    duplicates(sink, &services, &stores);
    let ci = ci::lower_all(&cis, sink);
    Some(Stack {
        project,
        services,
        stores,
        ci,
    })
}

fn unknown_top_level(sink: &Sink, block: &Block) {
    let name = &block.kind.name;
    let help = match did_you_mean(name, TOP_LEVEL.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!("the top level holds: {}", TOP_LEVEL.join(", ")),
    };
    sink.push(
        Diagnostic::new(
            Code::E0201,
            block.kind.span,
            format!("unknown block `{name}` at the top level"),
        )
        .label("not a top-level block")
        .help(help),
    );
}

/// Services and stores share one namespace: links and references name either.
fn duplicates(sink: &Sink, services: &[model::Service], stores: &[model::Store]) {
    let names = services
        .iter()
        .map(|s| (&s.name, "service"))
        .chain(stores.iter().map(|s| (&s.name, s.kind.keyword())));
    let mut seen: std::collections::HashMap<&str, (Span, &str)> = std::collections::HashMap::new();
    for (name, kind) in names {
        match seen.get(name.value.as_str()) {
            Some((first, first_kind)) => sink.push(
                Diagnostic::new(
                    Code::E0205,
                    name.span,
                    format!("`{}` is declared twice", name.value),
                )
                .label(format!("{kind} `{}` declared again here", name.value))
                .also(*first, format!("first declared here as a {first_kind}"))
                .help("services and data stores share one namespace; rename one of them"),
            ),
            None => {
                seen.insert(&name.value, (name.span, kind));
            }
        }
    }
}

/// Requires a label on `block` (`service NAME { }`); reports and returns `None` without one.
fn required_label<'a>(block: &'a Block, sink: &Sink, example: &str) -> Option<&'a ast::Ident> {
    if block.label.is_none() {
        sink.push(
            Diagnostic::new(
                Code::E0223,
                block.kind.span,
                format!("`{}` needs a name", block.kind.name),
            )
            .label("no name given")
            .help(format!("write `{example}`")),
        );
    }
    block.label.as_ref()
}

/// Reports a label on a block that takes none (`http api { }`).
fn no_label(block: &Block, sink: &Sink) {
    if let Some(label) = &block.label {
        sink.push(
            Diagnostic::new(
                Code::E0223,
                label.span,
                format!("`{}` takes no name", block.kind.name),
            )
            .label("remove this name")
            .help(format!("write `{} {{ ... }}`", block.kind.name)),
        );
    }
}

/// Reports declarations of one kind that share a name within one block.
fn unique_names<'a, I>(sink: &Sink, what: &str, within: &str, names: I)
where
    I: IntoIterator<Item = &'a crate::span::Spanned<String>>,
{
    let mut seen: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
    for name in names {
        if let Some(first) = seen.get(name.value.as_str()) {
            sink.push(
                Diagnostic::new(
                    Code::E0205,
                    name.span,
                    format!("{what} `{}` is declared twice in {within}", name.value),
                )
                .label("declared again here")
                .also(*first, "first declared here")
                .help(format!("give each {what} its own name")),
            );
        } else {
            seen.insert(&name.value, name.span);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;
    use crate::model::*;
    use crate::source::Sources;

    fn lower_text(text: &str) -> (Option<Stack>, Diagnostics) {
        let (sources, file) = Sources::single("t.flyx", text);
        let ast = crate::syntax::parse(&sources, file).expect("parses");
        lower(&ast, file)
    }

    fn stack(text: &str) -> Stack {
        let (stack, diagnostics) = lower_text(text);
        assert!(!diagnostics.has_errors(), "{diagnostics:?}");
        stack.expect("a stack")
    }

    fn codes(text: &str) -> Vec<Code> {
        lower_text(text).1.iter().map(|d| d.code).collect()
    }

    const PROJECT: &str = "project drop {\n  org = \"acme\"\n  region = sjc\n}\n";

    #[test]
    fn app_names_take_the_prefix() {
        let s = stack(&format!("{PROJECT}service api {{ image = \"x\" }}"));
        assert_eq!(s.project.prefix, "drop");
        assert_eq!(s.services[0].app.value, "drop-api");
        let s = stack("project p { prefix = \"\" }\nservice solo { image = \"x\" }");
        assert_eq!(s.services[0].app.value, "solo");
        let s = stack(&format!(
            "{PROJECT}service api {{ image = \"x\"  app = \"legacy-api\" }}"
        ));
        assert_eq!(s.services[0].app.value, "legacy-api");
    }

    #[test]
    fn the_project_region_is_the_default() {
        let s = stack(&format!(
            "{PROJECT}service a {{ image = \"x\" }}\nservice b {{ image = \"x\"  region = ams }}"
        ));
        let regions: Vec<&str> = s
            .services
            .iter()
            .map(|svc| svc.region.map_or("", |r| r.value.code()))
            .collect();
        assert_eq!(regions, ["sjc", "ams"]);
        assert_eq!(s.project.org, "acme");
    }

    #[test]
    fn counts_per_region_are_sorted() {
        let s = stack(&format!(
            "{PROJECT}service a {{ image = \"x\"  count = {{ sjc = 2, ams = 1 }} }}"
        ));
        let primary = s.services[0].region.map(|r| r.value).expect("a region");
        let placements: Vec<(&str, u32)> = s.services[0]
            .count
            .of_group("app", primary)
            .expect("every group is counted")
            .into_iter()
            .map(|(r, n)| (r.code(), n))
            .collect();
        assert_eq!(placements, [("ams", 1), ("sjc", 2)]);
        let s = stack(&format!(
            "{PROJECT}service a {{ image = \"x\"  count = 3 }}"
        ));
        assert_eq!(
            s.services[0]
                .count
                .of_group("app", primary)
                .map(|p| p.len()),
            Some(1)
        );
        assert!(matches!(s.services[0].count, Count::Primary(n) if n.value == 3));
    }

    #[test]
    fn sizes_become_megabytes_and_gigabytes() {
        let s = stack(&format!(
            "{PROJECT}service a {{ image = \"x\"\n vm {{ memory = 1gb }}\n volume data {{ mount = \"/data\"  size = 10gb }} }}"
        ));
        assert_eq!(s.services[0].vms[0].memory_mb.map(|m| m.value), Some(1024));
        assert_eq!(s.services[0].volumes[0].size_gb.map(|g| g.value), Some(10));
    }

    #[test]
    fn env_keeps_references_as_references() {
        let s = stack(&format!(
            "{PROJECT}service a {{ image = \"x\"\n env {{ URL = \"nats://${{nats.host}}:4222\"  WEB = web.public_url  N = 3 }} }}"
        ));
        let env = &s.services[0].env;
        assert_eq!(env.len(), 3);
        let refs: Vec<String> = env[0]
            .value
            .references()
            .map(|r| format!("{}.{}", r.target.value, r.attr.describe()))
            .collect();
        assert_eq!(refs, ["nats.host"]);
        assert!(matches!(&env[1].value.parts[0], TextPart::Ref(r) if r.attr == RefAttr::PublicUrl));
        assert_eq!(env[2].value.parts, [TextPart::Literal("3".into())]);
    }

    #[test]
    fn links_come_from_the_list_and_from_blocks() {
        let s = stack(&format!(
            "{PROJECT}service a {{ image = \"x\"\n links = [b]\n link c {{ deploy_order = false  via = flycast }} }}"
        ));
        let links = &s.services[0].links;
        assert_eq!(links.len(), 2);
        assert!(links[0].deploy_order.value);
        assert!(!links[1].deploy_order.value);
        assert_eq!(links[1].via.map(|v| v.value), Some(Via::Flycast));
    }

    #[test]
    fn runtimes_keep_their_options() {
        let s = stack(&format!(
            "{PROJECT}service a {{ build {{ runtime = rust  binary = \"api\" }} }}"
        ));
        let Source::Runtime(build) = &s.services[0].source else {
            panic!("expected a runtime build");
        };
        assert_eq!(build.runtime.value, Runtime::Rust);
        assert_eq!(build.context.value, ".");
        let RuntimeConfig::Rust {
            binary, version, ..
        } = &build.config
        else {
            panic!("expected rust options");
        };
        assert_eq!((binary.as_str(), version.as_str()), ("api", "1.95"));
    }

    #[test]
    fn another_runtimes_option_is_named_as_such() {
        let (_, diagnostics) = lower_text(&format!(
            "{PROJECT}service a {{ build {{ runtime = rust  next_standalone = true }} }}"
        ));
        let d = diagnostics.iter().next().expect("a diagnostic");
        assert_eq!(d.code, Code::E0202);
        assert!(
            d.message.contains("not an option of the rust runtime"),
            "{}",
            d.message
        );
    }

    #[test]
    fn unknown_attributes_suggest_the_closest_name() {
        let (_, diagnostics) = lower_text(&format!(
            "{PROJECT}service a {{ image = \"x\"  imgae = \"y\" }}"
        ));
        let d = diagnostics.iter().next().expect("a diagnostic");
        assert_eq!(d.help.as_deref(), Some("did you mean `image`?"));
    }

    #[test]
    fn services_and_stores_share_a_namespace() {
        assert_eq!(
            codes(&format!(
                "{PROJECT}service db {{ image = \"x\" }}\npostgres db {{}}"
            )),
            [Code::E0205]
        );
    }

    #[test]
    fn an_invalid_value_is_reported_once() {
        assert_eq!(
            codes(&format!(
                "{PROJECT}service a {{ http {{ port = \"80\" }} }}"
            )),
            [Code::E0203]
        );
        assert_eq!(
            codes(&format!("{PROJECT}service a {{ http {{ }} }}")),
            [Code::E0206]
        );
    }

    #[test]
    fn every_problem_in_a_file_is_reported() {
        let found = codes(&format!(
            "{PROJECT}service a {{ region = sea\n vm {{ memory = 100mb }}\n secrets = [lower] }}"
        ));
        assert_eq!(found, [Code::E0212, Code::E0209, Code::E0214]);
    }

    #[test]
    fn stores_get_defaults() {
        let s = stack(&format!(
            "{PROJECT}postgres db {{}}\nredis cache {{ eviction = true }}"
        ));
        assert_eq!(s.stores[0].app.value, "drop-db");
        let StoreKind::Postgres(crate::model::Postgres::Managed(mpg)) = &s.stores[0].kind else {
            panic!("expected Managed Postgres");
        };
        assert_eq!(
            (mpg.plan.value, mpg.volume_gb.value, mpg.version.value),
            (crate::model::MpgPlan::Basic, 10, 17)
        );
        assert!(matches!(&s.stores[1].kind, StoreKind::Redis(r) if r.eviction));
    }

    #[test]
    fn a_buildpacks_build_keeps_its_builder_buildpacks_and_ignorefile() {
        let s = stack(&format!(
            "{PROJECT}service a {{ build {{ context = \"app\"  builder = \"heroku/builder:24\"  buildpacks = [\"heroku/nodejs\"]  ignorefile = \"app/.ignore\" }} }}"
        ));
        let Source::Buildpacks(build) = &s.services[0].source else {
            panic!("expected a buildpacks build");
        };
        assert_eq!(build.builder.value, "heroku/builder:24");
        assert_eq!(build.buildpacks[0].value, "heroku/nodejs");
        assert_eq!(build.context.value, "app");
        assert_eq!(
            build.ignorefile.as_ref().map(|i| i.value.as_str()),
            Some("app/.ignore")
        );
    }

    #[test]
    fn buildpacks_exclude_dockerfiles_runtimes_and_repeats() {
        let build = |body: &str| codes(&format!("{PROJECT}service a {{ build {{ {body} }} }}"));
        assert_eq!(
            build("builder = \"b\"  dockerfile = \"Dockerfile\""),
            [Code::E0219]
        );
        assert_eq!(build("builder = \"b\"  target = \"run\""), [Code::E0219]);
        assert_eq!(build("runtime = go  buildpacks = [\"p\"]"), [Code::E0219]);
        assert_eq!(
            build("runtime = go  ignorefile = \".ignore\""),
            [Code::E0219]
        );
        assert_eq!(
            build("builder = \"b\"  buildpacks = [\"p\", \"p\"]"),
            [Code::E0205]
        );
        assert_eq!(build("builder = \"b\"  buildpacks = [\"\"]"), [Code::E0247]);
        assert_eq!(
            build("builder = \"b\"  packages = [\"libpq5\"]"),
            [Code::E0202]
        );
    }

    #[test]
    fn start_commands_are_lists_and_exec_stands_alone() {
        let service =
            |body: &str| codes(&format!("{PROJECT}service a {{ image = \"x\"  {body} }}"));
        assert_eq!(service("entrypoint = \"/bin/sh -c\""), [Code::E0203]);
        assert_eq!(service("exec = [\"\", \"x\"]"), [Code::E0244]);
        assert_eq!(
            service("exec = [\"a\"]  entrypoint = [\"b\"]"),
            [Code::E0219]
        );
        assert!(service("exec = [\"redis-server\"]").is_empty());
        let s = stack(&format!(
            "{PROJECT}service a {{ image = \"x\"  entrypoint = [\"/usr/bin/tini\", \"--\"] }}"
        ));
        assert_eq!(
            s.services[0].entrypoint.as_ref().map(|e| e.value.clone()),
            Some(vec!["/usr/bin/tini".to_string(), "--".to_string()])
        );
    }

    #[test]
    fn machine_configs_are_a_json_object_or_a_json_file() {
        let service =
            |body: &str| codes(&format!("{PROJECT}service a {{ image = \"x\"  {body} }}"));
        assert!(service("machine_config = \"{\\\"dns\\\": {}}\"").is_empty());
        assert!(service("machine_config = \"m/edge.json\"").is_empty());
        assert_eq!(service("machine_config = \"[1]\""), [Code::E0246]);
        assert_eq!(service("machine_config = \"{ nope\""), [Code::E0246]);
        assert_eq!(
            service("machine_config = \"/etc/edge.json\""),
            [Code::E0246]
        );
        assert_eq!(
            codes(&format!(
                "{PROJECT}service a {{ build {{ context = \"../app\"  dockerfile = \"Dockerfile\" }}  machine_config = \"m.json\" }}"
            )),
            [Code::E0246]
        );
    }

    #[test]
    fn a_release_command_timeout_needs_a_second_and_a_command() {
        let deploy = |body: &str| {
            codes(&format!(
                "{PROJECT}service a {{ image = \"x\"  deploy {{ {body} }} }}"
            ))
        };
        assert_eq!(
            deploy("release_command = \"m\"  release_command_timeout = 500ms"),
            [Code::E0216]
        );
        assert_eq!(deploy("release_command_timeout = 5m"), [Code::W0202]);
        assert!(deploy("release_command = \"m\"  release_command_timeout = 5m").is_empty());
    }

    #[test]
    fn a_shell_entrypoint_warns_only_before_commands_of_several_words() {
        let service = |body: &str| {
            codes(&format!(
                "{PROJECT}service a {{ image = \"x\"  entrypoint = [\"sh\", \"-c\"]  {body} }}"
            ))
        };
        assert_eq!(
            service("deploy { release_command = \"bin/migrate up\" }"),
            [Code::W0205]
        );
        assert_eq!(
            service("processes { app = \"bin/server --port 8080\" }"),
            [Code::W0205]
        );
        assert!(service("processes { app = \"'bin/server --port 8080'\" }").is_empty());
        assert!(service("deploy { release_command = \"bin/migrate\" }").is_empty());
    }
}
