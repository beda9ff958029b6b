//! Modules, templates, repetition and environments, through the library with
//! an in-memory set of files: what each expands to, and where each diagnostic
//! points.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use flyx::diagnostic::{Code, Diagnostic};
use flyx::expand::Loader;
use flyx::source::Sources;
use flyx::topology::Topology;
use flyx::{CheckOptions, Checked};

/// Files by path, read relative to the file that uses them, like the disk.
struct Files(BTreeMap<String, String>);

impl Files {
    fn new(files: &[(&str, &str)]) -> Files {
        Files(
            files
                .iter()
                .map(|(name, text)| (name.to_string(), text.to_string()))
                .collect(),
        )
    }
}

fn normalize(path: &Path) -> String {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out.to_string_lossy().into_owned()
}

impl Loader for Files {
    fn load(&self, from: &str, path: &str) -> Result<(String, String), String> {
        let base = Path::new(from).parent().unwrap_or(Path::new(""));
        let name = normalize(&base.join(path));
        match self.0.get(&name) {
            Some(text) => Ok((name, text.clone())),
            None => Err("no such file".into()),
        }
    }
}

/// Checks `root` (the text of `stack.flyx`) with `files` beside it.
fn check_env(root: &str, files: &[(&str, &str)], environment: Option<&str>) -> Checked {
    let (sources, file) = Sources::single("stack.flyx", root);
    let loader = Files::new(files);
    let options = CheckOptions {
        loader: &loader,
        environment,
    };
    flyx::check_with(&sources, file, &options)
}

fn check(root: &str, files: &[(&str, &str)]) -> Checked {
    check_env(root, files, None)
}

fn topology(checked: Checked) -> Topology {
    assert!(
        checked.diagnostics.is_empty(),
        "unexpected diagnostics: {:#?}",
        checked.diagnostics
    );
    checked.topology.expect("a topology")
}

/// The only diagnostic, which must have `code`.
fn only(checked: &Checked, code: Code) -> Diagnostic {
    let all: Vec<&Diagnostic> = checked.diagnostics.iter().collect();
    assert_eq!(all.len(), 1, "expected one diagnostic, got {all:#?}");
    assert_eq!(all[0].code, code, "{all:#?}");
    all[0].clone()
}

/// `file:line:column` of a span, and the text under it.
fn at(checked: &Checked, span: flyx::span::Span) -> (String, usize, usize, String) {
    let file = checked.sources.get(span.file);
    let (line, column) = checked.sources.line_column(span.file, span.start as usize);
    let text = file.text[span.start as usize..span.end as usize].to_string();
    (file.name.to_string(), line, column, text)
}

fn service_names(topology: &Topology) -> Vec<String> {
    let mut names: Vec<String> = topology
        .stack
        .services
        .iter()
        .map(|s| s.name.value.clone())
        .collect();
    names.sort();
    names
}

fn service<'a>(topology: &'a Topology, name: &str) -> &'a flyx::model::Service {
    &topology.stack.services[index(topology, name)]
}

/// What the check computed for a service: regions, machines, resolved env.
fn resolved<'a>(topology: &'a Topology, name: &str) -> &'a flyx::topology::Resolved {
    &topology.resolved[index(topology, name)]
}

fn index(topology: &Topology, name: &str) -> usize {
    topology
        .stack
        .services
        .iter()
        .position(|s| s.name.value == name)
        .unwrap_or_else(|| panic!("no service {name}"))
}

const PROJECT: &str = "project shop {\n  region = ams\n}\n";

// --- modules -----------------------------------------------------------------

#[test]
fn a_relative_use_brings_in_the_files_services_and_templates() {
    let root = format!(
        "use \"./lib/workers.flyx\"\n{PROJECT}\nservice api from web(port = 9000) {{\n  links = [queue]\n}}\n"
    );
    let workers = "use \"../common/web.flyx\"\n\nservice queue {\n  image = \"nats:2.10-alpine\"\n  port client { internal = 4222 }\n}\n";
    let web = "template web(port = 8080) {\n  image = \"shop/web:1\"\n  http { port = port  public = true }\n}\n";
    let topology = topology(check(
        &root,
        &[("lib/workers.flyx", workers), ("common/web.flyx", web)],
    ));
    assert_eq!(service_names(&topology), ["api", "queue"]);
    let api = service(&topology, "api");
    assert_eq!(api.http.as_ref().expect("http").port.value, 9000);
}

#[test]
fn a_module_used_by_two_files_is_loaded_once() {
    // stack -> a, b; a -> shared; b -> shared. Loaded twice, `shared`'s
    // template would be declared twice (E0205).
    let root = format!("use \"./a.flyx\"\nuse \"./b.flyx\"\n{PROJECT}");
    let a = "use \"./shared.flyx\"\nservice one from web {}\n";
    let b = "use \"./shared.flyx\"\nservice two from web {}\n";
    let shared =
        "template web {\n  image = \"shop/web:1\"\n  http { port = 8080  public = true }\n}\n";
    let topology = topology(check(
        &root,
        &[("a.flyx", a), ("b.flyx", b), ("shared.flyx", shared)],
    ));
    assert_eq!(service_names(&topology), ["one", "two"]);
}

#[test]
fn an_import_cycle_is_reported_on_the_use_line_that_closes_it() {
    let root = format!("use \"./a.flyx\"\n{PROJECT}");
    let a = "use \"./b.flyx\"\n";
    let b = "\n\nuse \"./a.flyx\"\n";
    let checked = check(&root, &[("a.flyx", a), ("b.flyx", b)]);
    let diagnostic = only(&checked, Code::E0227);
    assert_eq!(
        at(&checked, diagnostic.primary.span),
        ("b.flyx".into(), 3, 1, "use \"./a.flyx\"".into())
    );
    assert!(
        diagnostic.message.contains("a.flyx -> b.flyx -> a.flyx"),
        "{}",
        diagnostic.message
    );
}

#[test]
fn a_missing_module_is_reported_on_its_use_line() {
    let root = format!("{PROJECT}use \"./nowhere.flyx\"\n");
    let checked = check(&root, &[]);
    let diagnostic = only(&checked, Code::E0226);
    assert_eq!(at(&checked, diagnostic.primary.span).1, 4);
}

#[test]
fn a_diagnostic_inside_a_module_names_the_module_file() {
    let root = format!("use \"./lib/more.flyx\"\n{PROJECT}");
    let more = "service cache {\n  image = \"redis:7\"\n  memroy = 1gb\n}\n";
    let checked = check(&root, &[("lib/more.flyx", more)]);
    let diagnostic = only(&checked, Code::E0202);
    assert_eq!(
        at(&checked, diagnostic.primary.span),
        ("lib/more.flyx".into(), 3, 3, "memroy".into())
    );
}

#[test]
fn stdlib_modules_need_no_files() {
    let root = format!(
        "use nats\n{PROJECT}\nservice nats from nats {{}}\nservice api {{\n  image = \"shop/api:1\"\n  links = [nats]\n}}\n"
    );
    let topology = topology(check(&root, &[]));
    let nats = service(&topology, "nats");
    assert_eq!(nats.volumes.len(), 1);
}

// --- templates ---------------------------------------------------------------

#[test]
fn a_problem_in_a_template_points_at_the_template_and_at_each_instantiation() {
    let root = format!(
        "use \"./web.flyx\"\n{PROJECT}\nservice a from web {{}}\nservice b from web {{}}\n"
    );
    let web = "template web {\n  image = \"shop/web:1\"\n  http { port = 8080  public = true  forse_https = true }\n}\n";
    let checked = check(&root, &[("web.flyx", web)]);
    // Reported once, however many services start from the template.
    let diagnostic = only(&checked, Code::E0202);
    assert_eq!(
        at(&checked, diagnostic.primary.span),
        ("web.flyx".into(), 3, 38, "forse_https".into())
    );
    let places: Vec<(String, usize)> = diagnostic
        .secondary
        .iter()
        .map(|l| {
            let (file, line, _, _) = at(&checked, l.span);
            (file, line)
        })
        .collect();
    assert_eq!(
        places,
        [("stack.flyx".to_string(), 6), ("stack.flyx".to_string(), 7)]
    );
    assert!(diagnostic.secondary[0].message.contains("service `a`"));
}

#[test]
fn a_template_may_start_from_another_and_the_service_overrides_both() {
    let root = format!(
        "{PROJECT}
template base(image) {{
  image = image
  http {{ port = 8080  public = true }}
  env {{ MODE = \"base\"  KEEP = \"yes\" }}
  links = [a]
}}
template web(image = \"shop/web:1\") from base(image = image) {{
  env {{ MODE = \"web\" }}
}}
service a {{
  image = \"shop/a:1\"
  http {{ port = 7000  public = true }}
}}
service b {{
  image = \"shop/b:1\"
  port p {{ internal = 7000 }}
}}
service site from web {{
  http {{ port = 3000 }}
  env {{ EXTRA = \"1\" }}
  links = [b]
}}
"
    );
    let topology = topology(check(&root, &[]));
    let site = service(&topology, "site");
    let http = site.http.as_ref().expect("http");
    // A block merges entry by entry: the port changes, `public` stays.
    assert_eq!(http.port.value, 3000);
    assert!(http.public.value);
    // Attributes replace: the service's list, not the template's plus it.
    let links: Vec<&str> = site.links.iter().map(|l| l.target.value.as_str()).collect();
    assert_eq!(links, ["b"]);
    let env = &resolved(&topology, "site").env;
    let expected = [("MODE", "web"), ("KEEP", "yes"), ("EXTRA", "1")];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(*env, expected);
}

#[test]
fn a_missing_argument_points_at_the_instantiation_and_the_parameter() {
    let root = format!("use rust\n{PROJECT}\nservice api from rust() {{}}\n");
    let checked = check(&root, &[]);
    let diagnostic = only(&checked, Code::E0229);
    assert_eq!(at(&checked, diagnostic.primary.span).0, "stack.flyx");
    let (file, _, _, text) = at(&checked, diagnostic.secondary[0].span);
    assert_eq!(
        (file.as_str(), text.as_str()),
        ("<stdlib>/rust.flyx", "binary")
    );
}

// --- repetition --------------------------------------------------------------

#[test]
fn loops_declare_one_block_per_item_and_nest() {
    let root = format!(
        "{PROJECT}
for region in [ams, fra] {{
  for shard in [{{ n = \"0\", size = 1gb }}, {{ n = \"1\", size = 2gb }}] {{
    service \"db-${{region}}-${{shard.n}}\" {{
      image  = \"postgres:16\"
      region = region
      port pg {{ internal = 5432 }}
      volume data {{ mount = \"/data\"  size = shard.size }}
    }}
  }}
}}
service api {{
  image = \"shop/api:1\"
  http {{ port = 8080  public = true }}
  links = [db-ams-0, db-ams-1, db-fra-0, db-fra-1]
}}
"
    );
    let topology = topology(check(&root, &[]));
    assert_eq!(
        service_names(&topology),
        ["api", "db-ams-0", "db-ams-1", "db-fra-0", "db-fra-1"]
    );
    let db = service(&topology, "db-fra-1");
    assert_eq!(db.app.value, "shop-db-fra-1");
    assert_eq!(resolved(&topology, "db-fra-1").primary_region.code(), "fra");
    assert_eq!(db.volumes[0].size_gb.map(|s| s.value), Some(2));
}

#[test]
fn a_loop_variable_hides_a_service_of_the_same_name() {
    let root = format!(
        "{PROJECT}
service api {{
  image = \"shop/api:1\"
  http {{ port = 8080  public = true }}
}}
for api in [\"x\"] {{
  service \"w-${{api}}\" {{
    image = \"shop/w:1\"
    env {{ WHICH = api }}
  }}
}}
"
    );
    let topology = topology(check(&root, &[]));
    let env = &resolved(&topology, "w-x").env;
    assert_eq!(*env, [("WHICH".to_string(), "x".to_string())]);
}

#[test]
fn a_name_no_loop_binds_is_reported_on_the_label() {
    let root = format!("{PROJECT}\nservice \"web-${{n}}\" {{\n  image = \"shop/web:1\"\n}}\n");
    let checked = check(&root, &[]);
    let diagnostic = only(&checked, Code::E0231);
    assert_eq!(at(&checked, diagnostic.primary.span).1, 5);
}

// --- environments ------------------------------------------------------------

const STAGED: &str = "use rust

project drop {
  region = sjc
  vm { size = \"shared-cpu-1x\"  memory = 512mb }
}

service api from rust(binary = \"api\") {
  count = 3
  links = [sse]
}
service sse from rust(binary = \"sse\", public = false) {}
service mailer { image = \"drop/mailer:1\" }

environment staging {
  prefix  = \"drop-staging\"
  region  = lax
  exclude = [mailer]
  vm { memory = 256mb }

  service api {
    count = 1
    env { LOG_LEVEL = \"debug\" }
  }
  service bot from rust(binary = \"bot\") {}
}
";

#[test]
fn an_environment_overrides_prefix_region_counts_vm_env_and_services() {
    let base = topology(check(STAGED, &[]));
    assert_eq!(service_names(&base), ["api", "mailer", "sse"]);
    assert_eq!(service(&base, "api").app.value, "drop-api");

    let staging = topology(check_env(STAGED, &[], Some("staging")));
    assert_eq!(service_names(&staging), ["api", "bot", "sse"]);
    let api = service(&staging, "api");
    assert_eq!(api.app.value, "drop-staging-api");
    let placed = resolved(&staging, "api");
    assert_eq!(placed.primary_region.code(), "lax");
    let machines: Vec<(&str, u32)> = placed
        .placements
        .iter()
        .map(|(r, n)| (r.code(), *n))
        .collect();
    assert_eq!(machines, [("lax", 1)]);
    assert_eq!(placed.env, [("LOG_LEVEL".to_string(), "debug".to_string())]);
    let options = flyx::emit::EmitOptions::beside_for("stack.flyx", Some("staging"));
    let outputs = flyx::emit::emit(&staging, &options).expect("emits");
    let fly_toml = &outputs.get("api/fly.toml").expect("api/fly.toml").contents;
    assert!(
        fly_toml.contains("size = \"shared-cpu-1x\"\nmemory = \"256mb\""),
        "{fly_toml}"
    );
    assert_eq!(service(&staging, "bot").app.value, "drop-staging-bot");
}

#[test]
fn excluding_a_service_something_links_to_is_an_error() {
    let root = STAGED.replace("exclude = [mailer]", "exclude = [sse]");
    let checked = check_env(&root, &[], Some("staging"));
    let diagnostic = only(&checked, Code::E0301);
    assert!(diagnostic.message.contains("sse"), "{}", diagnostic.message);
}

#[test]
fn checking_every_environment_finds_shared_app_names() {
    let root = STAGED.replace("prefix  = \"drop-staging\"", "");
    let (sources, file) = Sources::single("stack.flyx", root);
    let checked = flyx::check_every_environment(&sources, file, &flyx::expand::NoFiles);
    let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.iter().all(|c| *c == Code::E0325), "{codes:?}");
    // api and sse are in both; mailer is excluded and bot is staging's own.
    assert_eq!(codes.len(), 2);
}

#[test]
fn an_environment_in_a_module_is_an_error() {
    let root = format!("use \"./envs.flyx\"\n{PROJECT}");
    let envs = "environment staging {\n  prefix = \"s\"\n}\n";
    let checked = check(&root, &[("envs.flyx", envs)]);
    let diagnostic = only(&checked, Code::E0230);
    assert_eq!(at(&checked, diagnostic.primary.span).0, "envs.flyx");
}

// --- edge cases ----------------------------------------------------------------

/// Every diagnostic's code, in order.
fn codes(checked: &Checked) -> Vec<Code> {
    checked.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn a_template_passes_its_parameters_on_to_the_template_it_starts_from() {
    let root = format!(
        "{PROJECT}
template web(p) {{
  image = \"nginx:${{p}}\"
  http {{ port = 8080  public = true }}
}}
template api(v) from web(p = v) {{}}
service a from api(v = \"1.25\") {{}}
"
    );
    let topology = topology(check(&root, &[]));
    match &service(&topology, "a").source {
        flyx::model::Source::Image(image) => assert_eq!(image.value, "nginx:1.25"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_problem_in_a_template_under_a_template_names_every_service() {
    let root = format!(
        "{PROJECT}
template web {{
  image = \"nginx:1\"
  http {{ port = 8080  public = true  forse = true }}
}}
template api from web {{}}
service a from api {{}}
service b from api {{}}
"
    );
    let checked = check(&root, &[]);
    let diagnostic = only(&checked, Code::E0202);
    let labels: Vec<&str> = diagnostic
        .secondary
        .iter()
        .map(|l| l.message.as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "in template `api`, which starts from template `web` here",
            "in service `a`, which starts from template `api` here",
            "in service `b`, which starts from template `api` here",
        ]
    );
}

#[test]
fn an_argument_given_twice_and_a_parameter_declared_twice_are_errors() {
    let given = format!(
        "{PROJECT}template w(p = 1) {{ image = \"x:1\" }}\nservice s from w(p = 2, p = 3) {{}}\n"
    );
    assert_eq!(codes(&check(&given, &[])), [Code::E0229]);
    let declared =
        format!("{PROJECT}template w(p = 1, p = 2) {{ image = \"x:1\" }}\nservice s from w {{}}\n");
    assert_eq!(codes(&check(&declared, &[])), [Code::E0205]);
}

#[test]
fn loop_values_that_cannot_be_used_are_errors_with_a_suggestion() {
    let misspelt = format!(
        "{PROJECT}for c in [{{ name = \"a\" }}, {{ name = \"b\" }}] {{\n  service \"i-${{c.name}}\" {{\n    image = \"x:1\"\n    env {{ N = c.nmae }}\n  }}\n}}\n"
    );
    let checked = check(&misspelt, &[]);
    // Once, not once per item.
    let diagnostic = only(&checked, Code::E0231);
    assert_eq!(diagnostic.help.as_deref(), Some("did you mean `c.name`?"));

    let whole_map = format!(
        "{PROJECT}for c in [{{ name = \"a\" }}] {{\n  service \"i-${{c.name}}\" {{\n    image = \"x:1\"\n    env {{ N = \"${{c}}\" }}\n  }}\n}}\n"
    );
    let checked = check(&whole_map, &[]);
    assert!(
        only(&checked, Code::E0231)
            .message
            .contains("cannot go inside a string")
    );

    let template_in_loop =
        format!("{PROJECT}for t in [a] {{\n  template w {{ image = \"x:1\" }}\n}}\n");
    assert_eq!(codes(&check(&template_in_loop, &[])), [Code::E0231]);
}

#[test]
fn an_unbound_name_in_a_nested_block_is_reported() {
    let root = format!(
        "{PROJECT}service api {{\n  image = \"x:1\"\n  http {{ port = 8080  public = true }}\n  check \"h-${{nope}}\" {{ path = \"/\" }}\n}}\n"
    );
    let checked = check(&root, &[]);
    assert_eq!(at(&checked, only(&checked, Code::E0231).primary.span).1, 7);
}

#[test]
fn exclude_takes_names_anywhere_in_the_block_and_refuses_other_values() {
    let later = STAGED.replace(
        "  exclude = [mailer]\n",
        "",
    )
    .replace(
        "  service bot from rust(binary = \"bot\") {}\n}",
        "  service bot from rust(binary = \"bot\") {}\n  service mailer { image = \"drop/mailer:2\" }\n  exclude = [\"mailer\"]\n}",
    );
    assert!(later.contains("exclude = [\"mailer\"]"), "{later}");
    let staging = topology(check_env(&later, &[], Some("staging")));
    assert_eq!(service_names(&staging), ["api", "bot", "sse"]);

    let number = STAGED.replace("exclude = [mailer]", "exclude = [mailer, 42]");
    let checked = check_env(&number, &[], Some("staging"));
    assert_eq!(codes(&checked), [Code::E0203]);
}

#[test]
fn stores_count_as_apps_across_environments() {
    let root = format!(
        "{PROJECT}postgres db {{ app = \"shop-db\" }}\nservice api {{\n  image = \"x:1\"\n  http {{ port = 8080  public = true }}\n  link db {{}}\n}}\nenvironment staging {{\n  prefix = \"shop-staging\"\n}}\n"
    );
    let (sources, file) = Sources::single("stack.flyx", root);
    let checked = flyx::check_every_environment(&sources, file, &flyx::expand::NoFiles);
    assert_eq!(codes(&checked), [Code::E0325]);
    assert!(
        checked
            .diagnostics
            .iter()
            .next()
            .is_some_and(|d| d.message.contains("shop-db"))
    );
}

#[test]
fn an_address_after_non_ascii_text_is_read_without_panicking() {
    let root = format!(
        "{PROJECT}service api {{\n  image = \"x:1\"\n  http {{ port = 8080  public = true }}\n  env {{ G = \"visit→shop-api.fly.dev\" }}\n}}\nenvironment staging {{\n  prefix = \"shop-staging\"\n}}\n"
    );
    let (sources, file) = Sources::single("stack.flyx", root);
    let checked = flyx::check_every_environment(&sources, file, &flyx::expand::NoFiles);
    // Staging's api names the base stack's api by its public address.
    assert_eq!(codes(&checked), [Code::E0326]);
}

#[test]
fn each_environments_diagnostics_point_into_the_right_template() {
    let root = format!(
        "use rust\nuse postgres\n{PROJECT}environment a {{\n  prefix = \"a\"\n  service x from rust(binary = \"x\") {{}}\n  postgres p from postgres {{}}\n}}\nenvironment b {{\n  prefix = \"b\"\n  postgres p from postgres(version = 15) {{}}\n}}\n"
    );
    let (sources, file) = Sources::single("stack.flyx", root);
    let checked = flyx::check_every_environment(&sources, file, &flyx::expand::NoFiles);
    let diagnostic = checked
        .diagnostics
        .iter()
        .find(|d| d.message.contains("environment `b`"))
        .expect("a problem in environment b");
    // In the postgres template, not in the rust one environment a copied.
    let file = checked.sources.get(diagnostic.primary.span.file);
    assert_eq!(file.name, "<stdlib>/postgres.flyx", "{diagnostic:?}");
    let instantiated = checked.sources.get(diagnostic.secondary[0].span.file);
    assert_eq!(instantiated.name, "stack.flyx");
}
