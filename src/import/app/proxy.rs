//! Import, mapping: `[http_service]`, `[[services]]` and checks become `http`,
//! `port` and `check` blocks (`internal/appconfig/service.go`, `toplevelcheck.go`,
//! `patches.go: _patchService`).

use std::collections::BTreeMap;

use super::*;

/// A public port already taken: the internal port behind it, where it is
/// written, and whether `[http_service]` took it.
type Listener = (Option<i64>, (usize, usize), bool);

/// What the proxy sections tell the rest of the import.
pub(super) struct Proxy {
    /// The `[http_service]` port, when it stays an `http` block (for `X.url`).
    pub http_port: Option<i64>,
    /// Whether some section stops idle machines (callers then use flycast).
    pub auto_stops: bool,
    /// Every internal port a section exposes.
    pub exposed: Vec<i64>,
}

impl Reader<'_> {
    /// E0502: two sections of one app on the same public port for the same
    /// process groups. `[http_service]` listens on 80 and 443
    /// (`HTTPService.ToService`); a `[[services]]` on its internal port is the
    /// same service twice when its proxy settings are the same (see
    /// `same_proxy_settings`), and a clash when they differ.
    pub(super) fn public_port_clashes(&mut self, root: &Node, default_group: &str) {
        let groups = |n: &Node| section_groups(n, default_group).join(",");
        // (protocol and groups, public port) -> (internal port, where, from http_service)
        let mut seen: BTreeMap<(String, i64), Listener> = BTreeMap::new();
        if let Some(http) = root.get("http_service") {
            let internal = http.get("internal_port").and_then(Node::as_int);
            for number in [80, 443] {
                seen.insert(
                    (format!("tcp/{}", groups(http)), number),
                    (internal, http.key_span, true),
                );
            }
        }
        for service in root.get("services").map(Node::items).unwrap_or_default() {
            let protocol = service
                .get("protocol")
                .and_then(Node::as_str)
                .unwrap_or("tcp")
                .to_ascii_lowercase();
            let internal = service.get("internal_port").and_then(|p| {
                p.as_int()
                    .or_else(|| p.as_str().and_then(|s| s.parse().ok()))
            });
            for port in service.get("ports").map(Node::items).unwrap_or_default() {
                let Some(number) = port.get("port").and_then(|p| {
                    p.as_int()
                        .or_else(|| p.as_str().and_then(|s| s.parse().ok()))
                }) else {
                    continue;
                };
                let key = (format!("{protocol}/{}", groups(service)), number);
                // A `[[services]]` on the http port with the same settings
                // is the same service to the proxy (import merges the two).
                let same_as_http = root
                    .get("http_service")
                    .is_some_and(|h| same_proxy_settings(service, h, default_group));
                match seen.get(&key) {
                    Some((first_internal, _, true))
                        if *first_internal == internal && same_as_http => {}
                    Some((first_internal, first, from_http)) => {
                        let settings_differ = *from_http && *first_internal == internal;
                        let d = Diagnostic::new(
                            Code::E0502,
                            self.span(port),
                            if settings_differ {
                                format!(
                                    "two services listen on public port {number}, with different proxy settings"
                                )
                            } else {
                                format!("two services listen on public port {number}")
                            },
                        )
                        .label("the second one")
                        .also(Span::new(self.file, first.0, first.1), "the first one")
                        .help(if settings_differ {
                            "Fly's proxy routes a port to one service: give this `[[services]]` \
                             the auto-stop, auto-start, minimum machines, concurrency and \
                             processes of `[http_service]` (import then merges them), or move \
                             it off ports 80 and 443"
                        } else {
                            "Fly's proxy routes a port to one service: remove or renumber one"
                        });
                        self.push(d);
                    }
                    None => {
                        seen.insert(key, (internal, port.span, false));
                    }
                }
            }
        }
    }

    /// `[http_service]` and every `[[services]]`, as `http` and `port` blocks.
    pub(super) fn proxy_sections(
        &mut self,
        root: &Node,
        block: &mut Block,
        default_group: &str,
    ) -> Proxy {
        let http = root.get("http_service");
        let services = root.get("services").map(Node::items).unwrap_or_default();
        // `[[services]]` on the http port with the same proxy settings: one
        // service to the proxy, written as one `port` block with every listener.
        let joins: Vec<&Node> = match http {
            Some(h) => services
                .iter()
                .copied()
                .filter(|s| !duplicates_http(s, h) && same_proxy_settings(s, h, default_group))
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
                duplicates_http(service, h) && same_proxy_settings(service, h, default_group)
            }) {
                self.duplicate_service(service);
                continue;
            }
            auto_stops |= stops_idle(service);
            if let Some(port) = self.port_block(service, &mut names, &mut exposed) {
                block.block(port);
            }
        }
        Proxy {
            http_port,
            auto_stops,
            exposed,
        }
    }

    pub(super) fn http_service(&mut self, http: &Node) -> Block {
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
    pub(super) fn http_as_port(&mut self, http: &Node, joins: &[&Node]) -> Block {
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
    pub(super) fn machine_policy(&mut self, section: &Node, b: &mut Block, path: &str) {
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
    pub(super) fn concurrency(&mut self, node: &Node, path: &str) -> Option<Block> {
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

    pub(super) fn tls(&mut self, node: &Node, path: &str) -> Block {
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

    pub(super) fn http_options(&mut self, node: &Node, path: &str) -> Block {
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
                // fly-go's HTTPOptions (machine_types.go) has these fields and
                // no others; flyctl drops any other key.
                "replay_cache" => {
                    self.cannot_express(value, &format!("{path}.{key}"), "flyx has no such option")
                }
                _ => self.ignored(value, &format!("{path}.{key}")),
            }
        }
        o
    }

    pub(super) fn http_response(&mut self, value: &Node, o: &mut Block, path: &str) {
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
    pub(super) fn proxy_check(
        &mut self,
        check: &Node,
        path: &str,
        unit: IntUnit,
        http: bool,
    ) -> Block {
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

    pub(super) fn check_fields(
        &mut self,
        check: &Node,
        c: &mut Block,
        path: &str,
        unit: IntUnit,
        top: bool,
    ) {
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

    pub(super) fn duplicate_service(&mut self, service: &Node) {
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
    pub(super) fn port_block(
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

    /// E0507: `[[services.http_checks]]` with no `[[services]]` before it
    /// makes a service of its own, with no port: the check is misplaced.
    pub(super) fn misplaced_checks(&mut self, service: &Node) {
        let d = Diagnostic::new(
            Code::E0507,
            self.key_span(service),
            "this `[[services]]` has no `internal_port`: its checks belong to no service",
        )
        .label("a `[[services.*_checks]]` with no `[[services]]` above it")
        .help("move the check under the `[[services]]` it tests, or into `[http_service]` as `[[http_service.checks]]`");
        self.push(d);
    }

    pub(super) fn listen(&mut self, port: &Node) -> Option<Block> {
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
    pub(super) fn checks(&mut self, root: &Node, block: &mut Block, exposed: &mut Vec<i64>) {
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
}

/// Keys of `HTTPService` (`internal/appconfig/service.go`).
pub(super) const HTTP_KEYS: &[&str] = &[
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

/// Whether a `[[services]]` has the port and the proxy settings of
/// `[http_service]` (each with flyctl's default when not given).
pub(super) fn same_proxy_settings(service: &Node, http: &Node, default_group: &str) -> bool {
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
    let groups = |n: &Node| section_groups(n, default_group);
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

/// The process groups a section applies to, sorted: its `processes`, else
/// the app's default group.
fn section_groups(section: &Node, default_group: &str) -> Vec<String> {
    let mut groups = section
        .get("processes")
        .and_then(Node::strings)
        .filter(|g| !g.is_empty())
        .unwrap_or_else(|| vec![default_group.to_string()]);
    groups.sort();
    groups
}

/// A value without its spans, to compare two of them.
pub(super) fn plain(node: &Node) -> String {
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

/// The order a check's attributes are written in.
pub(super) const CHECK_ORDER: &[&str] = &[
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
pub(super) fn stops_idle(section: &Node) -> bool {
    match section.get("auto_stop_machines").map(|n| &n.kind) {
        Some(Kind::Bool(b)) => *b,
        Some(Kind::Str(s)) => s == "stop" || s == "suspend",
        _ => false,
    }
}

/// A `[[services]]` that only repeats `[http_service]`: the same internal
/// port, every port 80 or 443, no checks of its own.
pub(super) fn duplicates_http(service: &Node, http: &Node) -> bool {
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
