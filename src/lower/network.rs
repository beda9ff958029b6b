//! Lowers what a service exposes and what it reaches: `http`, `port`, `check`
//! and links.

use super::fields::{Fields, Sink};
use super::service::check_secret_name;
use super::values;
use super::{no_label, required_label, unique_names};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{
    AutoStop, Check, CheckKind, Concurrency, Handler, Http, HttpOptions, Link, Listen, Port,
    Protocol, ProxySettings, TlsOptions,
};
use crate::span::Spanned;
use crate::syntax::ast::{Block, Duration, ValueKind};

/// Lowers `http { port = 8080  public = true ... }`: `[http_service]`.
pub fn lower_http(block: &Block, sink: &Sink) -> Option<Http> {
    no_label(block, sink);
    let mut f = Fields::new(block, sink);
    let port = f.required("port", "port = 8080", |f, n| f.port(n));
    let public = f.bool("public");
    let force_https = f.bool("force_https");
    let proxy = lower_proxy(&mut f);
    let tls = f.block("tls").map(|b| lower_tls(b, sink));
    let options = f.block("options").map(|b| lower_http_options(b, sink));
    let checks = f
        .blocks("check")
        .into_iter()
        .filter_map(|b| lower_check(b, CheckPlace::Proxy, sink))
        .collect();
    let domains = lower_domains(&mut f);
    f.finish();
    let port = port?;
    Some(Http {
        port,
        public: public.unwrap_or(Spanned::new(false, block.kind.span)),
        force_https,
        proxy,
        tls,
        options,
        checks,
        domains,
        span: block.span,
    })
}

/// Reads `domains = ["example.com", "*.example.com"]`, reporting each
/// hostname `fly certs add` would refuse (E0237).
fn lower_domains(f: &mut Fields<'_>) -> Vec<Spanned<String>> {
    let sink = f.sink();
    f.strings("domains")
        .into_iter()
        .filter(|host| match crate::fly::hostname_problem(&host.value) {
            None => true,
            Some(problem) => {
                sink.push(
                    Diagnostic::new(
                        Code::E0237,
                        host.span,
                        format!(
                            "`{}` is not a hostname flyx can add a certificate for",
                            host.value
                        ),
                    )
                    .label("not a custom domain")
                    .help(problem),
                );
                false
            }
        })
        .collect()
}

/// Reads the proxy settings `http` and `port` share.
fn lower_proxy(f: &mut Fields<'_>) -> ProxySettings {
    let sink = f.sink();
    let auto_stop = f.value("auto_stop").and_then(|v| match v.kind {
        ValueKind::Bool(true) => Some(Spanned::new(AutoStop::Stop, v.span)),
        ValueKind::Bool(false) => Some(Spanned::new(AutoStop::Off, v.span)),
        _ => values::keyword(v, "auto_stop", sink),
    });
    let auto_start = f.bool("auto_start");
    let min_running = f.count("min_running", 0, 1000);
    let processes = f.names("processes");
    let concurrency = f.block("concurrency").map(|b| lower_concurrency(b, sink));
    ProxySettings {
        auto_stop,
        auto_start,
        min_running,
        processes,
        concurrency,
    }
}

/// Lowers `concurrency { type = requests  soft_limit = 20  hard_limit = 25 }`.
fn lower_concurrency(block: &Block, sink: &Sink) -> Concurrency {
    no_label(block, sink);
    let mut f = Fields::new(block, sink);
    let kind = f.keyword("type").map(|k| k.value);
    let soft = f.count("soft_limit", 1, 1_000_000);
    let hard = f.count("hard_limit", 1, 1_000_000);
    f.finish();
    if let (Some(soft), Some(hard)) = (soft, hard)
        && soft.value > hard.value
    {
        sink.push(
            Diagnostic::new(
                Code::E0218,
                soft.span,
                format!(
                    "`soft_limit` {} is above `hard_limit` {}",
                    soft.value, hard.value
                ),
            )
            .label("the soft limit must not exceed the hard limit")
            .also(hard.span, "hard limit set here")
            .help("lower `soft_limit` or raise `hard_limit`"),
        );
    }
    Concurrency {
        kind,
        soft_limit: soft.map(|s| s.value),
        hard_limit: hard.map(|h| h.value),
        span: block.span,
    }
}

/// Lowers `tls { alpn = ["h2", "http/1.1"]  versions = ["TLSv1.2", "TLSv1.3"] }`.
fn lower_tls(block: &Block, sink: &Sink) -> TlsOptions {
    no_label(block, sink);
    let mut f = Fields::new(block, sink);
    let alpn = f.strings("alpn").into_iter().map(|s| s.value).collect();
    let versions = f.strings("versions").into_iter().map(|s| s.value).collect();
    let default_self_signed = f.bool("default_self_signed").map(|b| b.value);
    f.finish();
    TlsOptions {
        alpn,
        versions,
        default_self_signed,
    }
}

/// Lowers `options { compress = true  idle_timeout = 60s ... }`: `http_options`.
fn lower_http_options(block: &Block, sink: &Sink) -> HttpOptions {
    no_label(block, sink);
    let mut f = Fields::new(block, sink);
    let compress = f.bool("compress").map(|b| b.value);
    let h2_backend = f.bool("h2_backend").map(|b| b.value);
    let idle_timeout = f
        .duration("idle_timeout")
        .and_then(|d| whole_seconds(d, sink));
    let headers_read_timeout = f
        .duration("headers_read_timeout")
        .and_then(|d| whole_seconds(d, sink));
    let pristine = f.bool("pristine").map(|b| b.value);
    let response_headers = f.string_map("response_headers");
    f.finish();
    HttpOptions {
        compress,
        h2_backend,
        idle_timeout,
        headers_read_timeout,
        pristine,
        response_headers,
    }
}

/// fly.toml takes these timeouts as whole seconds.
fn whole_seconds(duration: Spanned<Duration>, sink: &Sink) -> Option<u32> {
    let millis = duration.value.millis;
    if !millis.is_multiple_of(1000) || millis == 0 {
        sink.push(
            Diagnostic::new(
                Code::E0216,
                duration.span,
                format!(
                    "{} is not a whole number of seconds",
                    duration.value.to_go()
                ),
            )
            .label("Fly takes this timeout in whole seconds")
            .help("round it to whole seconds, at least 1s"),
        );
        return None;
    }
    u32::try_from(millis / 1000).ok()
}

/// Lowers `port client { internal = 4222 ... }`: a raw TCP or UDP port.
pub fn lower_port(block: &Block, sink: &Sink) -> Option<Port> {
    let label = required_label(block, sink, "port NAME { internal = 4222 }");
    let mut f = Fields::new(block, sink);
    let internal = f.required("internal", "internal = 4222", |f, n| f.port(n));
    let protocol = f.keyword::<Protocol>("protocol").map(|p| p.value);
    let public = f.bool("public");
    let external = f.port("external");
    let handlers = handlers(&mut f);
    let force_https = f.bool("force_https").map(|b| b.value);
    let entry = entry_options(&mut f);
    let mut listen: Vec<Listen> = f
        .blocks("listen")
        .into_iter()
        .filter_map(|b| lower_listen(b, sink))
        .collect();
    let proxy = lower_proxy(&mut f);
    let checks = f
        .blocks("check")
        .into_iter()
        .filter_map(|b| lower_check(b, CheckPlace::Proxy, sink))
        .collect();
    f.finish();
    let label = label?;
    let internal = internal?;
    if let Some(port) = external {
        listen.insert(
            0,
            Listen {
                port,
                handlers,
                force_https,
                tls: entry.tls,
                options: entry.options,
                span: port.span,
            },
        );
    } else {
        if !handlers.is_empty() {
            sink.push(
                Diagnostic::new(
                    Code::E0206,
                    handlers[0].span,
                    "`handlers` need an `external` port",
                )
                .label("handlers apply to a port the proxy listens on")
                .help("add `external = 443` (or use a `listen { port = ... }` block)"),
            );
        }
        entry.report_without_external(&label.name, sink);
    }
    Some(Port {
        name: Spanned::new(label.name.clone(), label.span),
        internal,
        protocol: protocol.unwrap_or(Protocol::Tcp),
        public: public.unwrap_or(Spanned::new(false, block.kind.span)),
        listen,
        proxy,
        checks,
        span: block.span,
    })
}

/// The `tls { }` and `options { }` of one `[[services.ports]]` entry, with
/// where they were written.
struct EntryOptions {
    tls: Option<TlsOptions>,
    options: Option<HttpOptions>,
    written: Vec<(&'static str, crate::span::Span)>,
}

/// Reads `tls { }` and `options { }` inside a `port` or `listen` block: the
/// `tls_options` and `http_options` of its entry (fly-go's `MachinePort`).
fn entry_options(f: &mut Fields<'_>) -> EntryOptions {
    let sink = f.sink();
    let mut written = Vec::new();
    let tls = f.block("tls").map(|b| {
        written.push(("tls", b.kind.span));
        lower_tls(b, sink)
    });
    let options = f.block("options").map(|b| {
        written.push(("options", b.kind.span));
        lower_http_options(b, sink)
    });
    EntryOptions {
        tls,
        options,
        written,
    }
}

impl EntryOptions {
    /// A port without `external` has no entry of its own for the options to
    /// go on (E0242): flyx would only write its internal port for flycast.
    fn report_without_external(&self, port: &str, sink: &Sink) {
        for (block, span) in &self.written {
            sink.push(
                Diagnostic::new(
                    Code::E0242,
                    *span,
                    format!("`{block}` in port `{port}`, which has no `external` port"),
                )
                .label("applies to the port the proxy listens on")
                .help(format!(
                    "add `external = 443` to port `{port}`, or move `{block} {{ }}` into the `listen {{ }}` block it belongs to"
                )),
            );
        }
    }
}

fn handlers(f: &mut Fields<'_>) -> Vec<Spanned<Handler>> {
    let sink = f.sink();
    let Some(value) = f.value("handlers") else {
        return Vec::new();
    };
    let ValueKind::List(items) = &value.kind else {
        values::wrong_type(sink, value, "handlers", "a list of handlers", "[tls, http]");
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| values::keyword(item, "handlers", sink))
        .collect()
}

/// Lowers `listen { port = 443  handlers = [tls, http] }`: one `[[services.ports]]`.
fn lower_listen(block: &Block, sink: &Sink) -> Option<Listen> {
    no_label(block, sink);
    let mut f = Fields::new(block, sink);
    let port = f.required("port", "port = 443", |f, n| f.port(n));
    let handlers = handlers(&mut f);
    let force_https = f.bool("force_https").map(|b| b.value);
    let entry = entry_options(&mut f);
    f.finish();
    let port = port?;
    Some(Listen {
        port,
        handlers,
        force_https,
        tls: entry.tls,
        options: entry.options,
        span: block.span,
    })
}

/// Where a check is written, which decides where it lands in fly.toml.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckPlace {
    /// At service level: `[checks.NAME]`, a machine check that gates deploys.
    Service,
    /// Inside `http` or `port`: a proxy check that gates routing.
    Proxy,
}

/// Lowers `check health { path = "/health"  interval = 30s ... }`.
pub fn lower_check(block: &Block, place: CheckPlace, sink: &Sink) -> Option<Check> {
    let label = required_label(block, sink, "check NAME { ... }");
    let mut f = Fields::new(block, sink);
    let kind = f.keyword::<CheckKind>("type");
    let port = match place {
        CheckPlace::Service => f.port("port"),
        CheckPlace::Proxy => None,
    };
    let path = f.string("path");
    let method = f.string("method").map(|m| m.value.to_ascii_uppercase());
    let protocol = f.value("protocol").and_then(|v| {
        let word = values::name(v, "protocol", sink)?;
        match word.value.as_str() {
            "http" | "https" => Some(word.value),
            other => {
                sink.push(
                    Diagnostic::new(
                        Code::E0217,
                        word.span,
                        format!("`{other}` is not a check protocol"),
                    )
                    .label("expected `http` or `https`")
                    .help("write `protocol = https` to check over TLS"),
                );
                None
            }
        }
    });
    let headers = f.string_map("headers");
    let tls_skip_verify = f.bool("tls_skip_verify").map(|b| b.value);
    let tls_server_name = f.string("tls_server_name").map(|s| s.value);
    let interval = f.duration("interval");
    let timeout = f.duration("timeout");
    let grace = f.duration("grace");
    let processes = match place {
        CheckPlace::Service => f.names("processes"),
        CheckPlace::Proxy => Vec::new(),
    };
    f.finish();
    let label = label?;
    let kind = match kind {
        Some(kind) => kind.value,
        None if path.is_some() => CheckKind::Http,
        None => CheckKind::Tcp,
    };
    if kind == CheckKind::Tcp
        && let Some(path) = &path
    {
        sink.push(
            Diagnostic::new(Code::E0219, path.span, "a TCP check has no `path`")
                .label("only HTTP checks request a path")
                .help("remove `path`, or write `type = http`"),
        );
    }
    let check = Check {
        name: Spanned::new(label.name.clone(), label.span),
        kind,
        port,
        path,
        method,
        protocol,
        headers,
        tls_skip_verify,
        tls_server_name,
        interval,
        timeout,
        grace,
        processes,
        span: block.span,
    };
    check_durations(&check, place, sink);
    Some(check)
}

/// flyctl rejects machine checks with `interval` under 2s or `timeout` over 60s,
/// and clamps proxy check durations to 1s..1m.
fn check_durations(check: &Check, place: CheckPlace, sink: &Sink) {
    let one_second = Duration::seconds(1);
    let one_minute = Duration::seconds(60);
    match place {
        CheckPlace::Service => {
            if let Some(interval) = check.interval
                && interval.value < Duration::seconds(2)
            {
                reject(
                    sink,
                    interval,
                    "interval",
                    "at least 2s",
                    "flyctl refuses check intervals under 2 seconds",
                );
            }
            if let Some(timeout) = check.timeout
                && (timeout.value > one_minute || timeout.value.millis == 0)
            {
                reject(
                    sink,
                    timeout,
                    "timeout",
                    "from 1ms to 60s",
                    "flyctl refuses check timeouts over 60 seconds",
                );
            }
        }
        CheckPlace::Proxy => {
            for (name, value) in [
                ("interval", check.interval),
                ("timeout", check.timeout),
                ("grace", check.grace),
            ] {
                let Some(value) = value else { continue };
                let zero_grace = name == "grace" && value.value.millis == 0;
                if !zero_grace && (value.value < one_second || value.value > one_minute) {
                    let clamped = if value.value < one_second { "1s" } else { "1m" };
                    sink.push(
                        Diagnostic::new(
                            Code::W0201,
                            value.span,
                            format!(
                                "the `{name}` of check `{}` is {}, which Fly clamps to {clamped}",
                                check.name.value,
                                value.value.to_go()
                            ),
                        )
                        .label("outside 1s..1m")
                        .help(format!(
                            "write `{name} = {clamped}` to say what Fly will do"
                        )),
                    );
                }
            }
        }
    }
    if let (Some(interval), Some(timeout)) = (check.interval, check.timeout)
        && timeout.value > interval.value
    {
        sink.push(
            Diagnostic::new(
                Code::W0201,
                timeout.span,
                format!(
                    "check `{}` waits {} for an answer but runs every {}",
                    check.name.value,
                    timeout.value.to_go(),
                    interval.value.to_go()
                ),
            )
            .label("longer than the interval")
            .also(interval.span, "interval set here")
            .help("make the timeout shorter than the interval"),
        );
    }
}

fn reject(sink: &Sink, value: Spanned<Duration>, name: &str, allowed: &str, why: &str) {
    sink.push(
        Diagnostic::new(
            Code::E0216,
            value.span,
            format!(
                "check `{name}` of {} is not allowed: it must be {allowed}",
                value.value.to_go()
            ),
        )
        .label(why.to_string())
        .help(format!("set `{name}` {allowed}")),
    );
}

/// Reads `links = [nats, db]` and every `link NAME { ... }` block.
pub fn lower_links(f: &mut Fields<'_>) -> Vec<Link> {
    let sink = f.sink();
    let mut links: Vec<Link> = f
        .names("links")
        .into_iter()
        .map(|target| Link {
            span: target.span,
            deploy_order: Spanned::new(true, target.span),
            target,
            via: None,
            secret: None,
            database: None,
            user: None,
            role: None,
            superuser: None,
        })
        .collect();
    links.extend(
        f.blocks("link")
            .into_iter()
            .filter_map(|b| lower_link(b, sink)),
    );
    unique_names(
        sink,
        "link to",
        "this service",
        links.iter().map(|l| &l.target),
    );
    links
}

/// Lowers `link restate { deploy_order = false }`.
fn lower_link(block: &Block, sink: &Sink) -> Option<Link> {
    let label = required_label(block, sink, "link SERVICE { ... }");
    let mut f = Fields::new(block, sink);
    let via = f.keyword("via");
    let deploy_order = f.bool("deploy_order");
    let secret = f.name("secret");
    let database = f.string("database");
    let user = f.string("user");
    let role = f.keyword("role");
    let superuser = f.bool("superuser");
    f.finish();
    if let Some(secret) = &secret {
        check_secret_name(secret, sink);
    }
    let label = label?;
    let target = Spanned::new(label.name.clone(), label.span);
    Some(Link {
        deploy_order: deploy_order.unwrap_or(Spanned::new(true, label.span)),
        target,
        via,
        secret,
        database,
        user,
        role,
        superuser,
        span: block.span,
    })
}
