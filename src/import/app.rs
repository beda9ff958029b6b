//! Import, mapping: one fly.toml, read the way flyctl reads it
//! (`internal/appconfig`: config.go, definition.go, service.go, patches.go),
//! becomes one `service` block, with a diagnostic for each defect and for each
//! key flyx drops.

mod machine;
mod proxy;

use std::collections::BTreeMap;

use super::tree::{Kind, Node};
use super::units::{self, IntUnit};
use super::write::{Block, Value, is_name};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::FileId;
use crate::span::Span;

/// One fly.toml read into a service.
#[derive(Clone, Debug)]
pub struct ImportedApp {
    /// The service's name in the `.flyx` file.
    pub service: String,
    /// The exact app name.
    pub app: String,
    /// The primary region, after a deprecated one is replaced.
    pub region: Option<String>,
    /// The `[http_service]` internal port, for `X.url`.
    pub http_port: Option<i64>,
    /// Whether the service is reached through flycast (it stops idle machines).
    pub auto_stops: bool,
    /// The service block, without its region and links (the stack adds them).
    pub block: Block,
    /// Env entries, name to value, in the order written: the stack turns
    /// private addresses of other apps into references.
    pub env: Vec<(String, String)>,
    /// The file it came from.
    pub file: FileId,
}

/// What reading one file needs.
pub struct Reader<'a> {
    /// The file's id in the sources diagnostics point into.
    pub file: FileId,
    /// The folder of the fly.toml relative to the `.flyx` file (`""` for the same).
    pub dir: String,
    /// A name for the app when the file has none (from its path).
    pub fallback_name: String,
    /// The `--region` given on the command line.
    pub region: Option<String>,
    /// What is found.
    pub diagnostics: &'a mut Diagnostics,
    /// Check names given so far: flyx wants them unique in a service.
    pub check_names: Vec<String>,
}

/// Keys of `Config` (`internal/appconfig/config.go`), with the aliases the
/// patches accept.
const TOP_KEYS: &[&str] = &[
    "app",
    "primary_region",
    "kill_signal",
    "kill_timeout",
    "swap_size_mb",
    "console_command",
    "host_dedication_id",
    "machine_config",
    "container",
    "experimental",
    "build",
    "deploy",
    "env",
    "processes",
    "mounts",
    "mount",
    "http_service",
    "services",
    "checks",
    "machine_checks",
    "files",
    "restart",
    "vm",
    "compute",
    "computes",
    "statics",
    "metrics",
    "metric",
];

impl Reader<'_> {
    fn span(&self, node: &Node) -> Span {
        Span::new(self.file, node.span.0, node.span.1)
    }

    fn key_span(&self, node: &Node) -> Span {
        Span::new(self.file, node.key_span.0, node.key_span.1)
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// W0501: a key flyctl ignores.
    fn ignored(&mut self, node: &Node, path: &str) {
        let d = Diagnostic::new(
            Code::W0501,
            self.key_span(node),
            format!("`{path}` is not a key flyctl reads; it is dropped"),
        )
        .label("flyctl ignores this key")
        .help("nothing changes on the machines; delete it from the fly.toml too");
        self.push(d);
    }

    /// W0504: a setting flyctl reads that flyx cannot express; dropped.
    fn cannot_express(&mut self, node: &Node, path: &str, why: &str) {
        let d = Diagnostic::new(
            Code::W0504,
            self.key_span(node),
            format!("`{path}` has no flyx equivalent yet; it is dropped"),
        )
        .label(why.to_string())
        .help("check whether the app needs it; if it does, keep deploying that part by hand");
        self.push(d);
    }

    /// W0506: the build context is the Dockerfile's folder, outside the
    /// fly.toml's: flyctl resolves `dockerfile` from the fly.toml's folder
    /// (`deploy_build.go: resolveDockerfilePath`) but builds the folder
    /// `fly deploy` runs in (`command.go`), which such a file is deployed from.
    fn context_from_dockerfile(&mut self, node: &Node, folder: &str) {
        let d = Diagnostic::new(
            Code::W0506,
            self.span(node),
            format!(
                "the Dockerfile is outside this file's folder; the build context is `{folder}`"
            ),
        )
        .label("flyctl builds the folder `fly deploy` runs in, not this file's")
        .help("check the service's `build { context }`: it must be the folder `fly deploy` ran in");
        self.push(d);
    }

    /// E0501: a value flyctl cannot read as written.
    fn bad_value(&mut self, node: &Node, path: &str, why: &str) {
        let d = Diagnostic::new(
            Code::E0501,
            self.span(node),
            format!("`{path}` cannot be read: {why}"),
        )
        .label("flyctl refuses this value")
        .help("write the value the way flyctl's fly.toml reference gives it");
        self.push(d);
    }

    fn warn_unknown(&mut self, table: &Node, known: &[&str], path: &str) {
        if let Some(map) = table.as_table() {
            for (key, node) in map {
                if !known.contains(&key.as_str()) {
                    self.ignored(node, &format!("{path}{key}"));
                }
            }
        }
    }

    fn duration(&mut self, node: &Node, unit: IntUnit, path: &str) -> Option<Value> {
        match units::duration_nanos(node, unit) {
            Ok(nanos) => Some(Value::Bare(units::flyx_duration(nanos))),
            Err(why) => {
                self.bad_value(node, path, &why);
                None
            }
        }
    }

    fn int(&mut self, node: &Node, path: &str) -> Option<i64> {
        match &node.kind {
            Kind::Int(n) => Some(*n),
            _ => {
                self.bad_value(node, path, "it must be a whole number");
                None
            }
        }
    }

    /// `internal_port` and `ports.port` of `[[services]]` take a string too
    /// (`patches.go: castToInt`).
    fn port_number(&mut self, node: &Node, path: &str) -> Option<i64> {
        match &node.kind {
            Kind::Int(n) => Some(*n),
            Kind::Str(s) => match s.trim().parse() {
                Ok(n) => Some(n),
                Err(_) => {
                    self.bad_value(node, path, "it must be a port number");
                    None
                }
            },
            _ => {
                self.bad_value(node, path, "it must be a port number");
                None
            }
        }
    }

    fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match node.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.bad_value(node, path, "it must be a string");
                None
            }
        }
    }

    fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match node.as_bool() {
            Some(b) => Some(b),
            None => {
                self.bad_value(node, path, "it must be true or false");
                None
            }
        }
    }

    fn names(&mut self, node: &Node, path: &str) -> Option<Value> {
        match node.strings() {
            Some(items) => Some(Value::List(items.iter().map(|n| name_value(n)).collect())),
            None => {
                self.bad_value(node, path, "it must be a list of strings");
                None
            }
        }
    }

    fn strings(&mut self, node: &Node, path: &str) -> Option<Value> {
        match node.strings() {
            Some(items) => Some(Value::List(items.into_iter().map(Value::Str).collect())),
            None => {
                self.bad_value(node, path, "it must be a list of strings");
                None
            }
        }
    }

    /// Reads one whole file.
    pub fn read(&mut self, root: &Node) -> ImportedApp {
        self.warn_unknown(root, TOP_KEYS, "");
        let app = self.app_name(root);
        let service = service_name(&app);
        let mut block = Block::named("service", &service);
        if service != app {
            block.attr("app", Value::Str(app.clone()));
        }
        let region = self.region(root);
        let processes = self.processes(root);
        self.build(root, &mut block);
        self.top_fields(root, &mut block);
        let (env, env_block) = self.env(root);
        self.public_port_clashes(root, &default_group(&processes));
        let proxy = self.proxy_sections(root, &mut block, &default_group(&processes));
        let mut exposed = proxy.exposed;
        self.checks(root, &mut block, &mut exposed);
        self.mounts(root, &mut block);
        self.vms(root, &mut block, &group_names(&processes));
        if let Some(deploy) = root.get("deploy") {
            let d = self.deploy(deploy);
            block.block_if_any(d);
        }
        self.experimental(root, &mut block, &processes);
        if !processes.is_empty() {
            let mut p = Block::new("processes");
            for (name, command) in &processes {
                p.attr(name, Value::Str(command.clone()));
            }
            block.block(p);
        }
        self.lists(root, &mut block);
        block.block_if_any(env_block);
        ImportedApp {
            service,
            app,
            region,
            http_port: proxy.http_port,
            auto_stops: proxy.auto_stops,
            block,
            env,
            file: self.file,
        }
    }

    fn app_name(&mut self, root: &Node) -> String {
        match root.get("app").and_then(Node::as_str) {
            Some(name) => {
                if looks_like_placeholder(name) {
                    self.placeholder(root.get("app").unwrap_or(root), "app");
                }
                name.to_string()
            }
            None => {
                let d = Diagnostic::new(
                    Code::W0505,
                    Span::new(self.file, 0, 0),
                    format!(
                        "the file names no app; it is imported as `{}`",
                        self.fallback_name
                    ),
                )
                .label("no `app` key")
                .help(
                    "flyctl took the name from `-a`; set `app` in the .flyx service to that name",
                );
                self.push(d);
                self.fallback_name.clone()
            }
        }
    }

    fn placeholder(&mut self, node: &Node, path: &str) {
        let d = Diagnostic::new(
            Code::E0505,
            self.span(node),
            format!("`{path}` holds a template placeholder, not a value"),
        )
        .label("a placeholder left from a template")
        .help("put the real value in the fly.toml (or the .flyx file) before importing");
        self.push(d);
    }

    fn region(&mut self, root: &Node) -> Option<String> {
        let from_file = root.get("primary_region");
        let (node, code) = match from_file.and_then(Node::as_str) {
            Some(code) => (from_file, code.to_string()),
            None => {
                let env = root
                    .get("env")
                    .and_then(|e| e.get("PRIMARY_REGION"))
                    .and_then(Node::as_str)
                    .map(str::to_string);
                match env.or(self.region.clone()) {
                    Some(code) => (None, code),
                    None => return None,
                }
            }
        };
        if looks_like_placeholder(&code) {
            if let Some(node) = node {
                self.placeholder(node, "primary_region");
            }
            return None;
        }
        match crate::fly::replacement_region(&code) {
            Some(new) => {
                let span = node.map_or(Span::new(self.file, 0, 0), |n| self.span(n));
                let d = Diagnostic::new(
                    Code::W0502,
                    span,
                    format!("region `{code}` is deprecated; imported as `{new}`"),
                )
                .label(format!("Fly moved these machines to `{new}`"))
                .help(format!(
                    "every machine's `PRIMARY_REGION` becomes `{new}` too (flyctl sets it from \
                     `primary_region`): check code that compares it; write \
                     `primary_region = \"{new}\"` in the fly.toml too"
                ));
                self.push(d);
                Some(new.to_string())
            }
            None => Some(code),
        }
    }

    /// `[processes]`: a table, or the legacy `[{name, command}]` array
    /// (`patches.go: patchProcesses`); `processes = []` is none.
    fn processes(&mut self, root: &Node) -> Vec<(String, String)> {
        let Some(node) = root.get("processes") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        match &node.kind {
            Kind::Table(map) => {
                for (name, command) in map {
                    if let Some(command) = self.string(command, &format!("processes.{name}")) {
                        out.push((name.clone(), command));
                    }
                }
            }
            Kind::Array(items) => {
                for item in items {
                    let name = item.get("name").and_then(Node::as_str);
                    let command = item.get("command").and_then(Node::as_str);
                    if let (Some(name), Some(command)) = (name, command) {
                        out.push((name.to_string(), command.to_string()));
                    }
                }
            }
            _ => self.bad_value(node, "processes", "it must be a table of commands"),
        }
        out
    }

    fn build(&mut self, root: &Node, block: &mut Block) {
        let build = root.get("build");
        self.warn_unknown_build(build);
        let get = |key: &str| build.and_then(|b| b.get(key));
        if let Some(image) = get("image").and_then(Node::as_str) {
            if looks_like_placeholder(image) {
                self.placeholder(get("image").unwrap_or(root), "build.image");
            }
            block.attr("image", Value::Str(image.to_string()));
            return;
        }
        let mut b = Block::new("build");
        let context = if self.dir.is_empty() {
            ".".to_string()
        } else {
            self.dir.clone()
        };
        b.attr("context", Value::Str(context));
        if let Some(builder) = get("builder") {
            if let Some(builder) = self.string(builder, "build.builder") {
                b.attr("builder", Value::Str(builder));
            }
            if let Some(packs) = get("buildpacks").and_then(|p| self.strings(p, "build.buildpacks"))
            {
                b.attr("buildpacks", packs);
            }
        } else {
            let dockerfile = get("dockerfile")
                .and_then(Node::as_str)
                .unwrap_or("Dockerfile")
                .to_string();
            let path = if dockerfile.starts_with("http://") || dockerfile.starts_with("https://") {
                dockerfile
            } else {
                if let Some(folder) = folder_outside(&dockerfile) {
                    self.context_from_dockerfile(get("dockerfile").unwrap_or(root), &folder);
                    b.set("context", Value::Str(normalise(&join(&self.dir, &folder))));
                }
                normalise(&join(&self.dir, &dockerfile))
            };
            b.attr("dockerfile", Value::Str(path));
        }
        if let Some(target) = get("build-target").or_else(|| get("build_target"))
            && let Some(target) = self.string(target, "build.build-target")
        {
            b.attr("target", Value::Str(target));
        }
        if let Some(ignore) = get("ignorefile").and_then(Node::as_str) {
            b.attr("ignorefile", Value::Str(join(&self.dir, ignore)));
        }
        if let Some(args) = get("args").and_then(Node::as_table) {
            let mut a = Block::new("args");
            for (name, value) in args {
                if let Some(v) = self.string(value, &format!("build.args.{name}")) {
                    a.attr(&map_name(name), Value::Str(v));
                }
            }
            b.block_if_any(a);
        }
        block.block(b);
    }

    fn warn_unknown_build(&mut self, build: Option<&Node>) {
        let Some(build) = build else { return };
        self.warn_unknown(
            build,
            &[
                "builder",
                "buildpacks",
                "args",
                "image",
                "settings",
                "builtin",
                "dockerfile",
                "ignorefile",
                "build-target",
                "build_target",
                "compose",
                "compression",
                "compression_level",
            ],
            "build.",
        );
        for key in [
            "settings",
            "builtin",
            "compose",
            "compression",
            "compression_level",
        ] {
            if let Some(node) = build.get(key) {
                self.cannot_express(
                    node,
                    &format!("build.{key}"),
                    "flyx has no such build setting",
                );
            }
        }
        if build.get("image").is_some() {
            for key in [
                "dockerfile",
                "builder",
                "buildpacks",
                "build-target",
                "args",
            ] {
                if let Some(node) = build.get(key) {
                    self.cannot_express(
                        node,
                        &format!("build.{key}"),
                        "the file also names an image, which flyctl deploys",
                    );
                }
            }
        }
    }

    fn top_fields(&mut self, root: &Node, block: &mut Block) {
        if let Some(signal) = root.get("kill_signal")
            && let Some(s) = self.string(signal, "kill_signal")
        {
            block.attr("kill_signal", Value::Bare(s.to_ascii_uppercase()));
        }
        let timeout = root
            .get("kill_timeout")
            .or_else(|| root.get("experimental").and_then(|e| e.get("kill_timeout")));
        if let Some(timeout) = timeout
            && let Some(d) = self.duration(timeout, IntUnit::Seconds, "kill_timeout")
        {
            block.attr("kill_timeout", d);
        }
        if let Some(swap) = root.get("swap_size_mb")
            && let Some(mb) = self.int(swap, "swap_size_mb")
        {
            block.attr("swap", Value::Bare(format!("{mb}mb")));
        }
        if let Some(console) = root.get("console_command")
            && let Some(c) = self.string(console, "console_command")
        {
            block.attr("console_command", Value::Str(c));
        }
        if let Some(config) = root.get("machine_config")
            && let Some(c) = self.string(config, "machine_config")
        {
            block.attr("machine_config", Value::Str(c));
        }
        for key in ["host_dedication_id", "container", "machine_checks"] {
            if let Some(node) = root.get(key) {
                self.cannot_express(node, key, "flyx has no such setting");
            }
        }
    }

    /// `[env]`: a table, or an array of tables merged; non-strings are
    /// stringified (`patches.go: patchEnv`).
    fn env(&mut self, root: &Node) -> (Vec<(String, String)>, Block) {
        let mut entries: BTreeMap<String, (String, Node)> = BTreeMap::new();
        if let Some(env) = root.get("env") {
            for table in env.items() {
                if let Some(map) = table.as_table() {
                    for (name, value) in map {
                        entries.insert(name.clone(), (value.display(), value.clone()));
                    }
                }
            }
        }
        let mut out = Vec::new();
        let mut block = Block::new("env");
        for (name, (value, node)) in entries {
            if name == "PRIMARY_REGION" {
                // Fly sets it from primary_region, over [env] (flytoml.md §1.1).
                continue;
            }
            if is_reserved_env(&name) {
                let d = Diagnostic::new(
                    Code::W0507,
                    self.key_span(&node),
                    format!("`{name}` is set by Fly on every machine; it is dropped"),
                )
                .label("Fly overwrites this value, so the machine never sees it")
                .help("nothing changes on the machines; delete it from the fly.toml too, and read Fly's value at run time");
                self.push(d);
                continue;
            }
            block.attr(&map_name(&name), Value::Str(value.clone()));
            out.push((name, value));
        }
        (out, block)
    }

    /// `[experimental]`: `cmd` becomes the command of the image's default
    /// group; `entrypoint` and `exec` are service attributes; `enable_consul`
    /// is inert in current flyctl (`patches.go: patchExperimental`).
    fn experimental(&mut self, root: &Node, block: &mut Block, processes: &[(String, String)]) {
        let Some(exp) = root.get("experimental") else {
            return;
        };
        let Some(map) = exp.as_table() else {
            return;
        };
        for (key, value) in map {
            let at = format!("experimental.{key}");
            match key.as_str() {
                "cmd" => {
                    let Some(words) = value.strings() else {
                        self.bad_value(value, &at, "it must be a string or a list of strings");
                        continue;
                    };
                    if processes.is_empty() {
                        match command_line(&words) {
                            Some(line) => {
                                let mut p = Block::new("processes");
                                p.attr("app", Value::Str(line));
                                block.block(p);
                            }
                            None => self.bad_value(value, &at, "a word holds a NUL byte"),
                        }
                    } else {
                        self.cannot_express(
                            value,
                            &at,
                            "the groups in [processes] give their own commands",
                        );
                    }
                }
                "entrypoint" | "exec" => {
                    if let Some(v) = self.strings(value, &at) {
                        block.attr(key, v);
                    }
                }
                // Declared in `Experimental` (`appconfig/config.go`) but read
                // by no deploy code: inert (lazy_load_images only prints that
                // it is no longer supported, `deploy_build.go`).
                "enable_consul" | "auto_rollback" | "enable_etcd" | "lazy_load_images"
                | "attached" => {
                    let help = if key == "enable_consul" {
                        "for LiteFS's lease, write `consul = true` in the service"
                    } else {
                        "nothing changes on the machines; delete it from the fly.toml too"
                    };
                    let d = Diagnostic::new(
                        Code::W0501,
                        self.key_span(value),
                        format!("`{at}` does nothing in current flyctl; it is dropped"),
                    )
                    .label("inert")
                    .help(help);
                    self.push(d);
                }
                "kill_timeout" => {}
                "machine_config" => {
                    if let Some(s) = self.string(value, &at) {
                        block.attr("machine_config", Value::Str(s));
                    }
                }
                "metrics_port" | "metrics_path" => {}
                _ => self.ignored(value, &at),
            }
        }
        if let Some(port) = exp.get("metrics_port").and_then(Node::as_int) {
            let mut m = Block::new("metrics");
            m.attr("port", Value::Num(port.to_string()));
            if let Some(path) = exp.get("metrics_path").and_then(Node::as_str) {
                m.attr("path", Value::Str(path.to_string()));
            }
            block.block(m);
        }
    }

    /// `[[statics]]`, `[[metrics]]`, `[[restart]]`, `[[files]]`.
    fn lists(&mut self, root: &Node, block: &mut Block) {
        let sections: [(&str, &str, Fields); 5] = [
            (
                "statics",
                "static",
                &[("guest_path", "guest_path"), ("url_prefix", "url_prefix")],
            ),
            (
                "metrics",
                "metrics",
                &[
                    ("port", "port"),
                    ("path", "path"),
                    ("https", "https"),
                    ("processes", "processes"),
                ],
            ),
            (
                "metric",
                "metrics",
                &[
                    ("port", "port"),
                    ("path", "path"),
                    ("https", "https"),
                    ("processes", "processes"),
                ],
            ),
            (
                "restart",
                "restart",
                &[
                    ("policy", "policy"),
                    ("retries", "retries"),
                    ("processes", "processes"),
                ],
            ),
            (
                "files",
                "file",
                &[
                    ("guest_path", "guest_path"),
                    ("local_path", "local_path"),
                    ("secret_name", "secret"),
                    ("raw_value", "raw_value"),
                    ("processes", "processes"),
                ],
            ),
        ];
        for (key, kind, fields) in sections {
            let Some(node) = root.get(key) else { continue };
            for item in node.items() {
                let mut b = Block::new(kind);
                let Some(map) = item.as_table() else { continue };
                for (name, value) in map {
                    let at = format!("{key}.{name}");
                    match fields.iter().find(|(k, _)| k == name) {
                        Some((_, attr)) => {
                            if let Some(v) = self.plain_value(value, attr, &at) {
                                b.attr(attr, v);
                            }
                        }
                        None if key == "statics"
                            && matches!(name.as_str(), "tigris_bucket" | "index_document") =>
                        {
                            self.cannot_express(value, &at, "flyx has no such static setting")
                        }
                        None => self.ignored(value, &at),
                    }
                }
                block.block(b);
            }
        }
    }

    fn plain_value(&mut self, value: &Node, attr: &str, at: &str) -> Option<Value> {
        match (&value.kind, attr) {
            (_, "processes") => self.names(value, at),
            (Kind::Str(s), "policy") => Some(Value::Bare(s.clone())),
            (Kind::Str(s), _) => Some(Value::Str(s.clone())),
            (Kind::Int(n), _) => Some(Value::Num(n.to_string())),
            (Kind::Bool(b), _) => Some(Value::Bool(*b)),
            _ => {
                self.bad_value(value, at, "unexpected type");
                None
            }
        }
    }
}

/// flyctl's default process group: `app` when there is one, else the first
/// by name (`processgroups.go: DefaultProcessName`).
/// The app's process groups: those of `[processes]`, or flyctl's `app`.
fn group_names(processes: &[(String, String)]) -> Vec<String> {
    if processes.is_empty() {
        return vec!["app".to_string()];
    }
    processes.iter().map(|(name, _)| name.clone()).collect()
}

fn default_group(processes: &[(String, String)]) -> String {
    let mut names: Vec<&str> = processes.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    if names.is_empty() || names.contains(&"app") {
        "app".to_string()
    } else {
        names[0].to_string()
    }
}

/// fly.toml keys and the flyx attributes they become, of one list section.
type Fields = &'static [(&'static str, &'static str)];

/// Names Fly sets on every machine (docs: machines/runtime-environment).
fn is_reserved_env(name: &str) -> bool {
    crate::fly::MACHINE_ENV.contains(&name)
}

/// A value left from a template: `{{ }}`, `${ }`, `<app-name>`, `your-app`.
pub fn looks_like_placeholder(text: &str) -> bool {
    text.contains("{{")
        || text.contains("${")
        || (text.contains('{') && text.contains('}'))
        || (text.contains('<') && text.contains('>'))
        || text.starts_with('$')
        || text.contains("your-app")
        || text.contains("YOUR_")
}

/// A flyx service name from an app name: lowercase letters, digits and
/// dashes, starting with a letter.
pub fn service_name(app: &str) -> String {
    let mut name: String = app
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let name = name.trim_matches('-').to_string();
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name
    } else {
        format!("app-{name}")
    }
}

/// A list item that is a name: bare when it can be.
fn name_value(text: &str) -> Value {
    if is_name(text) {
        Value::Bare(text.to_string())
    } else {
        Value::Str(text.to_string())
    }
}

/// An env or arg name as a block key: bare when it is a name, else quoted.
fn map_name(name: &str) -> String {
    if is_name(name) {
        name.to_string()
    } else {
        super::write::quote(name)
    }
}

/// The folder of a Dockerfile path that leaves the fly.toml's folder
/// (`../../Dockerfile` → `../..`); `None` for one inside it.
fn folder_outside(dockerfile: &str) -> Option<String> {
    let path = normalise(dockerfile.trim_start_matches('/'));
    if !path.starts_with("../") {
        return None;
    }
    Some(match path.rfind('/') {
        Some(at) => path[..at].to_string(),
        None => ".".to_string(),
    })
}

/// A relative path with `.` and `name/..` taken out, lexically: `a/./b/../c` is `a/c`.
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// `dir/file`, or `file` when `dir` is empty; `./` dropped. A path that
/// starts with `/` is still under `dir`: flyctl joins `[build] dockerfile`
/// and `ignorefile` to the fly.toml's folder with `filepath.Join`, whatever
/// they start with (`deploy_build.go: resolveDockerfilePath`,
/// `resolveIgnorefilePath`).
pub fn join(dir: &str, file: &str) -> String {
    let file = file.trim_start_matches('/');
    let file = file.strip_prefix("./").unwrap_or(file);
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

/// An exec-form command (`cmd = ["a", "b c"]`) as one command line that
/// flyctl splits back into the same words. Quoting is shlex's, a well-kept
/// crate, rather than a quoter of our own.
fn command_line(words: &[String]) -> Option<String> {
    shlex::try_join(words.iter().map(String::as_str)).ok()
}
