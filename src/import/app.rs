//! Import, mapping: one fly.toml, read the way flyctl reads it
//! (`internal/appconfig`: config.go, definition.go, service.go, patches.go),
//! becomes one `service` block, with a diagnostic for each defect and for each
//! key flyx drops.

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
        let http = root.get("http_service");
        let services = root.get("services").map(Node::items).unwrap_or_default();
        let default_group = default_group(&processes);
        // `[[services]]` on the http port with the same proxy settings: one
        // service to the proxy, written as one `port` block with every listener.
        let joins: Vec<&Node> = match http {
            Some(h) => services
                .iter()
                .copied()
                .filter(|s| !duplicates_http(s, h) && same_proxy_settings(s, h, &default_group))
                .collect(),
            None => Vec::new(),
        };
        let mut http_port = http
            .and_then(|h| h.get("internal_port"))
            .and_then(Node::as_int);
        let mut exposed: Vec<i64> = http_port.into_iter().collect();
        let mut auto_stops = false;
        if let Some(http) = http {
            auto_stops |= stops_idle(http);
            if joins.is_empty() {
                let b = self.http_service(http);
                block.block(b);
            } else {
                let b = self.http_as_port(http, &joins);
                block.block(b);
                http_port = None;
            }
        }
        let mut names = BTreeMap::new();
        for service in services {
            if joins.iter().any(|j| std::ptr::eq(*j, service)) {
                continue;
            }
            if http.is_some_and(|h| {
                duplicates_http(service, h) && same_proxy_settings(service, h, &default_group)
            }) {
                self.duplicate_service(service);
                continue;
            }
            auto_stops |= stops_idle(service);
            if let Some(port) = self.port_block(service, &mut names, &mut exposed) {
                block.block(port);
            }
        }
        self.checks(root, &mut block, &mut exposed);
        self.mounts(root, &mut block);
        self.vms(root, &mut block);
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
            http_port,
            auto_stops,
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
            Code::E0506,
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
                    "write `primary_region = \"{new}\"` in the fly.toml too"
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
                join(&self.dir, &dockerfile)
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
                    Code::E0505,
                    self.key_span(&node),
                    format!("`{name}` is set by Fly on every machine"),
                )
                .label("Fly overwrites this value")
                .help("remove it, or read the value Fly sets");
                self.push(d);
                continue;
            }
            block.attr(&map_name(&name), Value::Str(value.clone()));
            out.push((name, value));
        }
        (out, block)
    }

    fn http_service(&mut self, http: &Node) -> Block {
        self.warn_unknown(http, HTTP_KEYS, "http_service.");
        let mut b = Block::new("http");
        if let Some(port) = http.get("internal_port")
            && let Some(p) = self.int(port, "http_service.internal_port")
        {
            b.attr("port", Value::Num(p.to_string()));
        }
        b.attr("public", Value::Bool(true));
        // flyx forces HTTPS on a public http block unless told; flyctl does not.
        let force = http
            .get("force_https")
            .and_then(|n| self.boolean(n, "http_service.force_https"))
            .unwrap_or(false);
        b.attr("force_https", Value::Bool(force));
        self.machine_policy(http, &mut b, "http_service.");
        if let Some(c) = http.get("concurrency")
            && let Some(c) = self.concurrency(c, "http_service.concurrency")
        {
            b.block(c);
        }
        if let Some(tls) = http.get("tls_options") {
            b.block_if_any(self.tls(tls, "http_service.tls_options"));
        }
        if let Some(options) = http.get("http_options") {
            b.block_if_any(self.http_options(options, "http_service.http_options"));
        }
        if let Some(checks) = http.get("checks") {
            for check in checks.items() {
                let c = self.proxy_check(check, "http_service.checks", IntUnit::Nanos, true);
                b.block(c);
            }
        }
        if let Some(node) = http.get("machine_checks") {
            self.cannot_express(
                node,
                "http_service.machine_checks",
                "flyx has no machine checks",
            );
        }
        b
    }

    /// `[http_service]` with the `[[services]]` that share its port and proxy
    /// settings, as one `port` block: flyctl's `HTTPService.ToService`
    /// listeners (80 with `http`, 443 with `http` and `tls`), then theirs.
    fn http_as_port(&mut self, http: &Node, joins: &[&Node]) -> Block {
        self.warn_unknown(http, HTTP_KEYS, "http_service.");
        let port = http
            .get("internal_port")
            .and_then(|p| self.int(p, "http_service.internal_port"))
            .unwrap_or(0);
        let mut b = Block::named("port", &format!("p{port}"));
        b.attr("internal", Value::Num(port.to_string()));
        b.attr("public", Value::Bool(true));
        self.machine_policy(http, &mut b, "http_service.");
        if let Some(c) = http.get("concurrency")
            && let Some(c) = self.concurrency(c, "http_service.concurrency")
        {
            b.block(c);
        }
        let force = http
            .get("force_https")
            .and_then(|n| self.boolean(n, "http_service.force_https"))
            .unwrap_or(false);
        for (number, handlers) in [(80, vec!["http"]), (443, vec!["http", "tls"])] {
            let mut l = Block::new("listen");
            l.attr("port", Value::Num(number.to_string()));
            l.attr(
                "handlers",
                Value::List(
                    handlers
                        .iter()
                        .map(|h| Value::Bare((*h).to_string()))
                        .collect(),
                ),
            );
            if number == 80 && force {
                l.attr("force_https", Value::Bool(true));
            }
            if number == 443
                && let Some(tls) = http.get("tls_options")
            {
                l.block_if_any(self.tls(tls, "http_service.tls_options"));
            }
            if let Some(options) = http.get("http_options") {
                l.block_if_any(self.http_options(options, "http_service.http_options"));
            }
            b.block(l);
        }
        for join in joins {
            for p in join.get("ports").map(Node::items).unwrap_or_default() {
                if let Some(listen) = self.listen(p) {
                    b.block(listen);
                }
            }
        }
        if let Some(checks) = http.get("checks") {
            for check in checks.items() {
                let c = self.proxy_check(check, "http_service.checks", IntUnit::Nanos, true);
                b.block(c);
            }
        }
        for join in joins {
            for (key, is_http) in [("tcp_checks", false), ("http_checks", true)] {
                for check in join.get(key).map(Node::items).unwrap_or_default() {
                    let c = self.proxy_check(
                        check,
                        &format!("services.{key}"),
                        IntUnit::Millis,
                        is_http,
                    );
                    b.block(c);
                }
            }
        }
        b
    }

    /// `auto_stop_machines`, `auto_start_machines`, `min_machines_running`, `processes`.
    fn machine_policy(&mut self, section: &Node, b: &mut Block, path: &str) {
        if let Some(stop) = section.get("auto_stop_machines") {
            let word = match &stop.kind {
                Kind::Bool(true) => Some("stop".to_string()),
                Kind::Bool(false) => Some("off".to_string()),
                Kind::Str(s) if matches!(s.as_str(), "off" | "stop" | "suspend") => Some(s.clone()),
                _ => {
                    self.bad_value(
                        stop,
                        &format!("{path}auto_stop_machines"),
                        "it must be true, false, \"off\", \"stop\" or \"suspend\"",
                    );
                    None
                }
            };
            if let Some(word) = word {
                b.attr("auto_stop", Value::Bare(word));
            }
        }
        if let Some(start) = section.get("auto_start_machines")
            && let Some(v) = self.boolean(start, &format!("{path}auto_start_machines"))
        {
            b.attr("auto_start", Value::Bool(v));
        }
        if let Some(min) = section.get("min_machines_running")
            && let Some(v) = self.int(min, &format!("{path}min_machines_running"))
        {
            b.attr("min_running", Value::Num(v.to_string()));
        }
        if let Some(processes) = section.get("processes")
            && let Some(v) = self.names(processes, &format!("{path}processes"))
        {
            b.attr("processes", v);
        }
    }

    /// `concurrency`: a table, or the legacy `"soft,hard"` string
    /// (`patches.go: _patchService`, which makes it `type = "requests"`).
    fn concurrency(&mut self, node: &Node, path: &str) -> Option<Block> {
        let mut c = Block::new("concurrency");
        match &node.kind {
            Kind::Table(map) => {
                let mut entries: Vec<(&String, &Node)> = map.iter().collect();
                let order = ["type", "soft_limit", "hard_limit"];
                entries
                    .sort_by_key(|(k, _)| order.iter().position(|o| o == k).unwrap_or(usize::MAX));
                for (key, value) in entries {
                    match key.as_str() {
                        "type" => {
                            if let Some(s) = self.string(value, &format!("{path}.type")) {
                                c.attr("type", Value::Bare(s));
                            }
                        }
                        "soft_limit" | "hard_limit" => {
                            if let Some(n) = self.int(value, &format!("{path}.{key}")) {
                                c.attr(key, Value::Num(n.to_string()));
                            }
                        }
                        _ => self.ignored(value, &format!("{path}.{key}")),
                    }
                }
            }
            Kind::Str(text) => {
                let limits: Vec<&str> = text.split(',').map(str::trim).collect();
                c.attr("type", Value::Bare("requests".into()));
                if let [soft, hard] = limits.as_slice() {
                    c.attr("soft_limit", Value::Num((*soft).to_string()));
                    c.attr("hard_limit", Value::Num((*hard).to_string()));
                }
            }
            _ => {
                self.bad_value(node, path, "it must be a table");
                return None;
            }
        }
        (!c.entries.is_empty()).then_some(c)
    }

    fn tls(&mut self, node: &Node, path: &str) -> Block {
        let mut t = Block::new("tls");
        if let Some(map) = node.as_table() {
            for (key, value) in map {
                match key.as_str() {
                    "alpn" | "versions" => {
                        if let Some(v) = self.strings(value, &format!("{path}.{key}")) {
                            t.attr(key, v);
                        }
                    }
                    "default_self_signed" => {
                        if let Some(v) = self.boolean(value, &format!("{path}.{key}")) {
                            t.attr(key, Value::Bool(v));
                        }
                    }
                    _ => self.ignored(value, &format!("{path}.{key}")),
                }
            }
        }
        t
    }

    fn http_options(&mut self, node: &Node, path: &str) -> Block {
        let mut o = Block::new("options");
        let Some(map) = node.as_table() else {
            return o;
        };
        for (key, value) in map {
            match key.as_str() {
                "compress" | "h2_backend" => {
                    if let Some(v) = self.boolean(value, &format!("{path}.{key}")) {
                        o.attr(key, Value::Bool(v));
                    }
                }
                "idle_timeout" | "headers_read_timeout" => {
                    if let Some(n) = self.int(value, &format!("{path}.{key}")) {
                        o.attr(key, Value::Bare(format!("{n}s")));
                    }
                }
                "response" => self.http_response(value, &mut o, path),
                _ => {
                    self.cannot_express(value, &format!("{path}.{key}"), "flyx has no such option")
                }
            }
        }
        o
    }

    fn http_response(&mut self, value: &Node, o: &mut Block, path: &str) {
        if let Some(pristine) = value.get("pristine")
            && let Some(v) = self.boolean(pristine, &format!("{path}.response.pristine"))
        {
            o.attr("pristine", Value::Bool(v));
        }
        if let Some(headers) = value.get("headers").and_then(Node::as_table) {
            let mut entries = Vec::new();
            for (name, header) in headers {
                match header.as_str() {
                    Some(s) => entries.push((name.clone(), Value::Str(s.to_string()))),
                    None => self.cannot_express(
                        header,
                        &format!("{path}.response.headers.{name}"),
                        "flyx writes response headers as strings",
                    ),
                }
            }
            if !entries.is_empty() {
                o.attr("response_headers", Value::Map(entries));
            }
        }
    }

    /// A check inside `[http_service]` or `[[services]]`.
    fn proxy_check(&mut self, check: &Node, path: &str, unit: IntUnit, http: bool) -> Block {
        let label = if http { "http" } else { "tcp" };
        let mut name = label.to_string();
        let mut n = 1;
        while self.check_names.contains(&name) {
            n += 1;
            name = format!("{label}{n}");
        }
        self.check_names.push(name.clone());
        let mut c = Block::named("check", &name);
        if http && check.get("path").is_none() {
            c.attr("type", Value::Bare("http".into()));
        }
        // A check with no `path` is a TCP check in flyx, as in a tcp_checks list.
        self.check_fields(check, &mut c, path, unit, false);
        c
    }

    fn check_fields(&mut self, check: &Node, c: &mut Block, path: &str, unit: IntUnit, top: bool) {
        let Some(map) = check.as_table() else {
            self.bad_value(check, path, "a check must be a table");
            return;
        };
        let mut entries: Vec<(&String, &Node)> = map.iter().collect();
        entries.sort_by_key(|(key, _)| {
            CHECK_ORDER
                .iter()
                .position(|k| k == key)
                .unwrap_or(usize::MAX)
        });
        for (key, value) in entries {
            let at = format!("{path}.{key}");
            match key.as_str() {
                "interval" | "timeout" => {
                    if let Some(d) = self.duration(value, unit, &at) {
                        c.attr(key, d);
                    }
                }
                "grace_period" => {
                    if let Some(d) = self.duration(value, unit, &at) {
                        c.attr("grace", d);
                    }
                }
                "path" | "method" | "tls_server_name" => {
                    if let Some(s) = self.string(value, &at) {
                        c.attr(key, Value::Str(s));
                    }
                }
                "protocol" => {
                    if let Some(s) = self.string(value, &at) {
                        c.attr(key, Value::Bare(s.to_ascii_lowercase()));
                    }
                }
                "tls_skip_verify" => {
                    if let Some(b) = self.boolean(value, &at) {
                        c.attr(key, Value::Bool(b));
                    }
                }
                "headers" => {
                    let mut entries = Vec::new();
                    for table in value.items() {
                        if let Some(m) = table.as_table() {
                            for (name, v) in m {
                                entries.push((name.clone(), Value::Str(v.display())));
                            }
                        }
                    }
                    c.attr("headers", Value::Map(entries));
                }
                "type" | "port" | "processes" if top => {}
                "restart_limit" | "name" if !top => self.ignored(value, &at),
                "kind" if top => self.ignored(value, &at),
                _ => self.ignored(value, &at),
            }
        }
    }

    fn duplicate_service(&mut self, service: &Node) {
        let d = Diagnostic::new(
            Code::W0503,
            self.span(service),
            "this `[[services]]` repeats `[http_service]`; it is dropped",
        )
        .label("the same internal port on 80 and 443 as `[http_service]`")
        .help("flyctl sends the same traffic twice to one port; keep one of the two sections");
        self.push(d);
    }

    /// One `[[services]]` as a `port` block.
    fn port_block(
        &mut self,
        service: &Node,
        names: &mut BTreeMap<String, usize>,
        exposed: &mut Vec<i64>,
    ) -> Option<Block> {
        self.warn_unknown(
            service,
            &[
                "protocol",
                "internal_port",
                "auto_stop_machines",
                "auto_start_machines",
                "min_machines_running",
                "processes",
                "concurrency",
                "ports",
                "tcp_checks",
                "http_checks",
                "machine_checks",
            ],
            "services.",
        );
        let internal = match service.get("internal_port") {
            Some(node) => self.port_number(node, "services.internal_port")?,
            None => {
                self.misplaced_checks(service);
                return None;
            }
        };
        let protocol = service
            .get("protocol")
            .and_then(Node::as_str)
            .unwrap_or("tcp")
            .to_ascii_lowercase();
        let base = if protocol == "udp" {
            format!("udp{internal}")
        } else {
            format!("p{internal}")
        };
        let count = names.entry(base.clone()).or_insert(0);
        *count += 1;
        let name = if *count == 1 {
            base
        } else {
            format!("{base}-{count}")
        };
        let mut b = Block::named("port", &name);
        b.attr("internal", Value::Num(internal.to_string()));
        exposed.push(internal);
        if protocol != "tcp" {
            b.attr("protocol", Value::Bare(protocol));
        }
        let ports = service.get("ports").map(Node::items).unwrap_or_default();
        if !ports.is_empty() {
            b.attr("public", Value::Bool(true));
        }
        self.machine_policy(service, &mut b, "services.");
        if let Some(c) = service.get("concurrency")
            && let Some(c) = self.concurrency(c, "services.concurrency")
        {
            b.block(c);
        }
        for port in ports {
            if let Some(listen) = self.listen(port) {
                b.block(listen);
            }
        }
        for (key, http) in [("tcp_checks", false), ("http_checks", true)] {
            if let Some(checks) = service.get(key) {
                for check in checks.items() {
                    let c =
                        self.proxy_check(check, &format!("services.{key}"), IntUnit::Millis, http);
                    b.block(c);
                }
            }
        }
        if let Some(node) = service.get("machine_checks") {
            self.cannot_express(
                node,
                "services.machine_checks",
                "flyx has no machine checks",
            );
        }
        Some(b)
    }

    /// E0508: `[[services.http_checks]]` with no `[[services]]` before it
    /// makes a service of its own, with no port: the check is misplaced.
    fn misplaced_checks(&mut self, service: &Node) {
        let d = Diagnostic::new(
            Code::E0508,
            self.key_span(service),
            "this `[[services]]` has no `internal_port`: its checks belong to no service",
        )
        .label("a `[[services.*_checks]]` with no `[[services]]` above it")
        .help("move the check under the `[[services]]` it tests, or into `[http_service]` as `[[http_service.checks]]`");
        self.push(d);
    }

    fn listen(&mut self, port: &Node) -> Option<Block> {
        self.warn_unknown(
            port,
            &[
                "port",
                "start_port",
                "end_port",
                "handlers",
                "force_https",
                "tls_options",
                "http_options",
                "proxy_proto_options",
            ],
            "services.ports.",
        );
        let mut l = Block::new("listen");
        match port.get("port") {
            Some(p) => {
                let n = self.port_number(p, "services.ports.port")?;
                l.attr("port", Value::Num(n.to_string()));
            }
            None => {
                if let Some(node) = port.get("start_port") {
                    self.cannot_express(
                        node,
                        "services.ports.start_port",
                        "flyx has no port ranges",
                    );
                }
                return None;
            }
        }
        if let Some(handlers) = port.get("handlers")
            && let Some(v) = self.names(handlers, "services.ports.handlers")
        {
            l.attr("handlers", v);
        }
        if let Some(force) = port.get("force_https")
            && let Some(v) = self.boolean(force, "services.ports.force_https")
        {
            l.attr("force_https", Value::Bool(v));
        }
        if let Some(tls) = port.get("tls_options") {
            l.block_if_any(self.tls(tls, "services.ports.tls_options"));
        }
        if let Some(options) = port.get("http_options") {
            l.block_if_any(self.http_options(options, "services.ports.http_options"));
        }
        if let Some(node) = port.get("proxy_proto_options") {
            self.cannot_express(
                node,
                "services.ports.proxy_proto_options",
                "flyx has no such option",
            );
        }
        Some(l)
    }

    /// Top-level `[checks.NAME]`, or the legacy array of named checks
    /// (`patches.go: patchTopLevelChecks`; integers are milliseconds).
    fn checks(&mut self, root: &Node, block: &mut Block, exposed: &mut Vec<i64>) {
        let Some(checks) = root.get("checks") else {
            return;
        };
        let mut named: Vec<(String, &Node)> = Vec::new();
        match &checks.kind {
            Kind::Table(map) => named.extend(map.iter().map(|(k, v)| (k.clone(), v))),
            Kind::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let name = item
                        .get("name")
                        .and_then(Node::as_str)
                        .map_or(format!("check{}", i + 1), str::to_string);
                    named.push((name, item));
                }
            }
            _ => self.bad_value(checks, "checks", "it must be a table of checks"),
        }
        for (name, check) in named {
            let path = format!("checks.{name}");
            let mut c = Block::named("check", &name);
            match check.get("type").and_then(Node::as_str) {
                Some(kind) => c.attr("type", Value::Bare(kind.to_ascii_lowercase())),
                None => {
                    let d = Diagnostic::new(
                        Code::E0501,
                        self.key_span(check),
                        format!("`{path}` has no `type`"),
                    )
                    .label("flyctl needs `type = \"http\"` or `\"tcp\"`")
                    .help("add the check's type");
                    self.push(d);
                    continue;
                }
            }
            if let Some(port) = check.get("port")
                && let Some(n) = self.port_number(port, &format!("{path}.port"))
            {
                c.attr("port", Value::Num(n.to_string()));
                if !exposed.contains(&n) {
                    // A check on a port nothing exposes: a private port
                    // for it, so flyx's E0316 holds.
                    let mut p = Block::named("port", &format!("check{n}"));
                    p.attr("internal", Value::Num(n.to_string()));
                    block.block(p);
                    exposed.push(n);
                }
            }
            if let Some(processes) = check.get("processes")
                && let Some(v) = self.names(processes, &format!("{path}.processes"))
            {
                c.attr("processes", v);
            }
            self.check_fields(check, &mut c, &path, IntUnit::Millis, true);
            block.block(c);
        }
    }

    /// `mounts`, `mount`: a table or an array (`patches.go: patchMounts`).
    fn mounts(&mut self, root: &Node, block: &mut Block) {
        let mut all = Vec::new();
        for key in ["mounts", "mount"] {
            if let Some(node) = root.get(key) {
                all.extend(node.items());
            }
        }
        for mount in all {
            if let Some(v) = self.mount(mount) {
                block.block(v);
            }
        }
    }

    fn mount(&mut self, mount: &Node) -> Option<Block> {
        self.warn_unknown(
            mount,
            &[
                "source",
                "destination",
                "initial_size",
                "snapshot_retention",
                "scheduled_snapshots",
                "auto_extend_size_threshold",
                "auto_extend_size_increment",
                "auto_extend_size_limit",
                "processes",
            ],
            "mounts.",
        );
        let Some(source) = mount.get("source").and_then(Node::as_str) else {
            let d = Diagnostic::new(
                Code::E0504,
                self.key_span(mount),
                "this mount names no volume (`source`)",
            )
            .label("no `source`")
            .help("add `source = \"NAME\"`, the volume's name");
            self.push(d);
            return None;
        };
        let mut v = Block::named("volume", source);
        if let Some(dest) = mount
            .get("destination")
            .and_then(|d| self.string(d, "mounts.destination"))
        {
            v.attr("mount", Value::Str(dest));
        }
        if let Some(size) = mount.get("initial_size") {
            match units::volume_gb(size) {
                Ok(gb) => v.attr("size", Value::Bare(format!("{gb}gb"))),
                Err(why) => self.bad_value(size, "mounts.initial_size", &why),
            }
        }
        if let Some(days) = mount.get("snapshot_retention")
            && let Some(n) = self.int(days, "mounts.snapshot_retention")
        {
            v.attr("snapshot_retention", Value::Num(n.to_string()));
        }
        if let Some(on) = mount.get("scheduled_snapshots")
            && let Some(b) = self.boolean(on, "mounts.scheduled_snapshots")
        {
            v.attr("scheduled_snapshots", Value::Bool(b));
        }
        let mut extend = Block::new("auto_extend");
        if let Some(t) = mount.get("auto_extend_size_threshold")
            && let Some(n) = self.int(t, "mounts.auto_extend_size_threshold")
        {
            extend.attr("threshold", Value::Num(n.to_string()));
        }
        for (key, attr) in [
            ("auto_extend_size_increment", "increment"),
            ("auto_extend_size_limit", "limit"),
        ] {
            if let Some(size) = mount.get(key) {
                match units::volume_gb(size) {
                    Ok(gb) => extend.attr(attr, Value::Bare(format!("{gb}gb"))),
                    Err(why) => self.bad_value(size, &format!("mounts.{key}"), &why),
                }
            }
        }
        v.block_if_any(extend);
        if let Some(processes) = mount.get("processes")
            && let Some(p) = self.names(processes, "mounts.processes")
        {
            v.attr("processes", p);
        }
        Some(v)
    }

    /// `vm`, `compute`, `computes`: tables or arrays merged (`patches.go: patchCompute`).
    fn vms(&mut self, root: &Node, block: &mut Block) {
        let mut all = Vec::new();
        for key in ["vm", "compute", "computes"] {
            if let Some(node) = root.get(key) {
                all.extend(node.items());
            }
        }
        for vm in all {
            if let Some(b) = self.vm(vm) {
                block.block(b);
            }
        }
    }

    fn vm(&mut self, vm: &Node) -> Option<Block> {
        self.warn_unknown(
            vm,
            &[
                "size",
                "memory",
                "cpu_kind",
                "cpus",
                "memory_mb",
                "max_memory_mb",
                "gpus",
                "gpu_kind",
                "host_dedication_id",
                "persist_rootfs",
                "kernel_args",
                "processes",
            ],
            "vm.",
        );
        let size = vm.get("size").and_then(Node::as_str);
        let gpu = vm.get("gpu_kind").or_else(|| vm.get("gpus"));
        let gpu_preset = size.is_some_and(|s| s.starts_with("a100") || s == "l40s" || s == "a10");
        if gpu.is_some() || gpu_preset {
            let at = gpu.or_else(|| vm.get("size")).unwrap_or(vm);
            let d = Diagnostic::new(Code::E0507, self.span(at), "GPU machines are discontinued")
                .label("flyctl refuses GPU presets")
                .help("choose a CPU preset (`performance-8x`) or run the model elsewhere");
            self.push(d);
            return None;
        }
        let mut b = Block::new("vm");
        let preset = match size {
            Some(name) => match crate::fly::preset_named(name) {
                Some(p) => {
                    b.attr("size", Value::Str(name.to_string()));
                    Some(p)
                }
                None => {
                    self.bad_value(
                        vm.get("size").unwrap_or(vm),
                        "vm.size",
                        "it is not a Fly preset",
                    );
                    return None;
                }
            },
            None => None,
        };
        let memory = match vm.get("memory_mb").or_else(|| vm.get("memory")) {
            Some(node) => match units::memory_mb(node) {
                Ok(mb) => Some((mb, node)),
                Err(why) => {
                    self.bad_value(node, "vm.memory", &why);
                    None
                }
            },
            None => None,
        };
        let cpus = vm.get("cpus").and_then(|n| self.int(n, "vm.cpus"));
        let kind = match vm.get("cpu_kind").and_then(Node::as_str) {
            Some("performance") => crate::fly::CpuKind::Performance,
            Some(_) => crate::fly::CpuKind::Shared,
            None => preset.map_or(crate::fly::CpuKind::Shared, |p| p.cpu_kind),
        };
        if let Some((mb, node)) = memory {
            let n_cpus = cpus.unwrap_or_else(|| preset.map_or(1, |p| i64::from(p.cpus)));
            let (min, max) = kind.memory_per_cpu();
            let (min, max) = (min as i64 * n_cpus, max as i64 * n_cpus);
            if mb < min || mb > max {
                let d = Diagnostic::new(
                    Code::E0503,
                    self.span(node),
                    format!("{mb} MB does not fit {n_cpus} {} CPU(s)", kind.as_str()),
                )
                .label(format!("Fly allows {min}..{max} MB here"))
                .help("change the memory or the preset; Fly refuses the machine as written");
                self.push(d);
            }
            b.attr("memory", Value::Bare(units::flyx_megabytes(mb)));
        }
        if let Some(n) = cpus {
            b.attr("cpus", Value::Num(n.to_string()));
        }
        if let Some(k) = vm.get("cpu_kind").and_then(Node::as_str) {
            b.attr("cpu_kind", Value::Bare(k.to_string()));
        }
        for key in [
            "max_memory_mb",
            "host_dedication_id",
            "persist_rootfs",
            "kernel_args",
        ] {
            if let Some(node) = vm.get(key) {
                self.cannot_express(node, &format!("vm.{key}"), "flyx has no such VM setting");
            }
        }
        if let Some(processes) = vm.get("processes")
            && let Some(p) = self.names(processes, "vm.processes")
        {
            b.attr("processes", p);
        }
        Some(b)
    }

    fn deploy(&mut self, deploy: &Node) -> Block {
        self.warn_unknown(
            deploy,
            &[
                "strategy",
                "max_unavailable",
                "wait_timeout",
                "release_command",
                "release_command_timeout",
                "release_command_vm",
                "seed_command",
            ],
            "deploy.",
        );
        let mut d = Block::new("deploy");
        if let Some(s) = deploy
            .get("strategy")
            .and_then(|s| self.string(s, "deploy.strategy"))
        {
            d.attr("strategy", Value::Bare(s));
        }
        if let Some(c) = deploy
            .get("release_command")
            .and_then(|c| self.string(c, "deploy.release_command"))
        {
            d.attr("release_command", Value::Str(c));
        }
        for key in ["wait_timeout", "release_command_timeout"] {
            if let Some(t) = deploy.get(key)
                && let Some(v) = self.duration(t, IntUnit::Nanos, &format!("deploy.{key}"))
            {
                d.attr(key, v);
            }
        }
        if let Some(m) = deploy.get("max_unavailable") {
            match &m.kind {
                Kind::Int(n) => d.attr("max_unavailable", Value::Num(n.to_string())),
                Kind::Float(f) => d.attr("max_unavailable", Value::Num(f.to_string())),
                _ => self.bad_value(m, "deploy.max_unavailable", "it must be a number"),
            }
        }
        for key in ["release_command_vm", "seed_command"] {
            if let Some(node) = deploy.get(key) {
                self.cannot_express(
                    node,
                    &format!("deploy.{key}"),
                    "flyx has no such deploy setting",
                );
            }
        }
        d
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

/// Keys of `HTTPService` (`internal/appconfig/service.go`).
const HTTP_KEYS: &[&str] = &[
    "internal_port",
    "force_https",
    "auto_stop_machines",
    "auto_start_machines",
    "min_machines_running",
    "processes",
    "concurrency",
    "tls_options",
    "http_options",
    "checks",
    "machine_checks",
];

/// flyctl's default process group: `app` when there is one, else the first
/// by name (`processgroups.go: DefaultProcessName`).
fn default_group(processes: &[(String, String)]) -> String {
    let mut names: Vec<&str> = processes.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    if names.is_empty() || names.contains(&"app") {
        "app".to_string()
    } else {
        names[0].to_string()
    }
}

/// Whether a `[[services]]` has the port and the proxy settings of
/// `[http_service]` (each with flyctl's default when not given).
fn same_proxy_settings(service: &Node, http: &Node, default_group: &str) -> bool {
    let protocol = service
        .get("protocol")
        .and_then(Node::as_str)
        .unwrap_or("tcp");
    let port = |n: &Node| match n.get("internal_port").map(|p| &p.kind) {
        Some(Kind::Int(i)) => Some(*i),
        Some(Kind::Str(s)) => s.parse().ok(),
        _ => None,
    };
    let stop = |n: &Node| match n.get("auto_stop_machines").map(|p| &p.kind) {
        Some(Kind::Bool(true)) => "stop".to_string(),
        Some(Kind::Str(s)) => s.clone(),
        _ => "off".to_string(),
    };
    let start = |n: &Node| {
        n.get("auto_start_machines")
            .and_then(Node::as_bool)
            .unwrap_or(true)
    };
    let min = |n: &Node| {
        n.get("min_machines_running")
            .and_then(Node::as_int)
            .unwrap_or(0)
    };
    let groups = |n: &Node| {
        let mut g = n
            .get("processes")
            .and_then(Node::strings)
            .filter(|g| !g.is_empty())
            .unwrap_or_else(|| vec![default_group.to_string()]);
        g.sort();
        g
    };
    let concurrency = |n: &Node| n.get("concurrency").map(plain);
    protocol.eq_ignore_ascii_case("tcp")
        && port(service).is_some()
        && port(service) == port(http)
        && stop(service) == stop(http)
        && start(service) == start(http)
        && min(service) == min(http)
        && groups(service) == groups(http)
        && concurrency(service) == concurrency(http)
        && service.get("machine_checks").is_none()
}

/// A value without its spans, to compare two of them.
fn plain(node: &Node) -> String {
    match &node.kind {
        Kind::Table(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}={}", plain(v)))
                .collect();
            format!("{{{}}}", entries.join(","))
        }
        Kind::Array(items) => {
            let items: Vec<String> = items.iter().map(plain).collect();
            format!("[{}]", items.join(","))
        }
        _ => node.display(),
    }
}

/// fly.toml keys and the flyx attributes they become, of one list section.
type Fields = &'static [(&'static str, &'static str)];

/// The order a check's attributes are written in.
const CHECK_ORDER: &[&str] = &[
    "path",
    "method",
    "protocol",
    "interval",
    "timeout",
    "grace_period",
    "headers",
    "tls_skip_verify",
    "tls_server_name",
];

/// Whether a section stops idle machines, so its app is reached through flycast.
fn stops_idle(section: &Node) -> bool {
    match section.get("auto_stop_machines").map(|n| &n.kind) {
        Some(Kind::Bool(b)) => *b,
        Some(Kind::Str(s)) => s == "stop" || s == "suspend",
        _ => false,
    }
}

/// A `[[services]]` that only repeats `[http_service]`: the same internal
/// port, every port 80 or 443, no checks of its own.
fn duplicates_http(service: &Node, http: &Node) -> bool {
    let port = |n: &Node| match n.get("internal_port").map(|p| &p.kind) {
        Some(Kind::Int(i)) => Some(*i),
        Some(Kind::Str(s)) => s.parse().ok(),
        _ => None,
    };
    if port(service).is_none() || port(service) != port(http) {
        return false;
    }
    let ports = service.get("ports").map(Node::items).unwrap_or_default();
    let only_web = !ports.is_empty()
        && ports.iter().all(|p| {
            matches!(p.get("port").map(|p| &p.kind), Some(Kind::Int(80 | 443)))
                || matches!(p.get("port").and_then(Node::as_str), Some("80" | "443"))
        });
    let checks = service.get("tcp_checks").is_some() || service.get("http_checks").is_some();
    only_web && !checks
}

/// Names Fly sets on every machine (docs: machines/runtime-environment).
fn is_reserved_env(name: &str) -> bool {
    matches!(
        name,
        "FLY_APP_NAME"
            | "FLY_MACHINE_ID"
            | "FLY_ALLOC_ID"
            | "FLY_REGION"
            | "FLY_PUBLIC_IP"
            | "FLY_IMAGE_REF"
            | "FLY_MACHINE_VERSION"
            | "FLY_PRIVATE_IP"
            | "FLY_PROCESS_GROUP"
            | "FLY_VM_MEMORY_MB"
    )
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

/// `dir/file`, or `file` when `dir` is empty; `./` dropped.
pub fn join(dir: &str, file: &str) -> String {
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
