//! What a service exposes: ports used once, checks on real ports, public ports
//! the proxy listens on, and no `force_https` where flycast callers arrive.

use super::placement::section_groups;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{Protocol, Service};
use crate::span::{Span, Spanned};

/// One port a service uses: where, and on which machines.
struct PortUse<'a> {
    protocol: Protocol,
    port: u16,
    span: Span,
    why: &'a str,
    /// The process groups whose machines get the section, or every group for
    /// a proxy port (the app's IPs are shared by all its machines).
    groups: Vec<&'a str>,
}

/// Reports ports a service uses twice. An internal port is taken once per
/// process group: flyctl gives each machine only the sections of its own
/// group (`Config.Flatten` in `internal/appconfig/processgroups.go`), so
/// sections for disjoint groups may share one. A port the proxy listens on
/// belongs to the app's IPs, which every group shares.
pub fn duplicate_ports(service: &Service, groups: &[String], diagnostics: &mut Diagnostics) {
    const FIRST: &str = "first used here";
    const HTTP: &str = "a public `http` block has the proxy listen on 80 and 443";
    let default = super::config::default_group(groups);
    let served = |processes: &[Spanned<String>]| -> Vec<&str> {
        let serves = section_groups(processes, default);
        groups
            .iter()
            .map(String::as_str)
            .filter(|g| serves(g))
            .collect()
    };
    let every: Vec<&str> = groups.iter().map(String::as_str).collect();
    let mut internal: Vec<PortUse> = Vec::new();
    let mut external: Vec<PortUse> = Vec::new();
    let proxy = |protocol, port, span, why| PortUse {
        protocol,
        port,
        span,
        why,
        groups: every.clone(),
    };
    if let Some(http) = &service.http {
        internal.push(PortUse {
            protocol: Protocol::Tcp,
            port: http.port.value,
            span: http.port.span,
            why: FIRST,
            groups: served(&http.proxy.processes),
        });
        if http.public.value {
            external.push(proxy(Protocol::Tcp, 80, http.public.span, HTTP));
            external.push(proxy(Protocol::Tcp, 443, http.public.span, HTTP));
        }
    }
    for port in &service.ports {
        internal.push(PortUse {
            protocol: port.protocol,
            port: port.internal.value,
            span: port.internal.span,
            why: FIRST,
            groups: served(&port.proxy.processes),
        });
        for listen in &port.listen {
            external.push(proxy(
                port.protocol,
                listen.port.value,
                listen.port.span,
                FIRST,
            ));
        }
    }
    report_repeats(service, &internal, "listens on", diagnostics);
    report_repeats(service, &external, "has the proxy listen on", diagnostics);
}

fn report_repeats(
    service: &Service,
    ports: &[PortUse<'_>],
    verb: &str,
    diagnostics: &mut Diagnostics,
) {
    for (i, used) in ports.iter().enumerate() {
        let Some((first, shared)) = ports[..i].iter().find_map(|earlier| {
            let same = earlier.protocol == used.protocol && earlier.port == used.port;
            let shared = earlier.groups.iter().find(|g| used.groups.contains(g));
            same.then_some(shared).flatten().map(|g| (earlier, *g))
        }) else {
            continue;
        };
        let on = if service.processes.is_empty() {
            String::new()
        } else {
            format!(" in process group `{shared}`")
        };
        diagnostics.push(
            Diagnostic::new(
                Code::E0315,
                used.span,
                format!(
                    "`{}` {verb} {} port {}{on} twice",
                    service.name.value,
                    used.protocol.as_str(),
                    used.port
                ),
            )
            .label("used again here")
            .also(first.span, first.why)
            .help(if verb == "listens on" && !service.processes.is_empty() {
                "give each port its own number, or give the sections disjoint `processes`; Fly's health checks break on duplicate services"
            } else {
                "give each port its own number; Fly's health checks break on duplicate services"
            }),
        );
    }
}

/// A service-level check must target a port the service listens on.
pub fn check_ports(service: &Service, diagnostics: &mut Diagnostics) {
    let exposed: Vec<u16> = service
        .http
        .iter()
        .map(|h| h.port.value)
        .chain(service.ports.iter().map(|p| p.internal.value))
        .collect();
    for check in &service.checks {
        match check.port {
            Some(port) if !exposed.contains(&port.value) => diagnostics.push(
                Diagnostic::new(
                    Code::E0316,
                    port.span,
                    format!(
                        "check `{}` targets port {}, which `{}` does not expose",
                        check.name.value, port.value, service.name.value
                    ),
                )
                .label("no `http` or `port` block has this port")
                .help(format!(
                    "use one of the service's ports ({}), or declare this one with a `port` block",
                    list(&exposed)
                )),
            ),
            None if service.http.is_none() => diagnostics.push(
                Diagnostic::new(
                    Code::E0316,
                    check.name.span,
                    format!(
                        "check `{}` has no port, and `{}` has no `http` block to take it from",
                        check.name.value, service.name.value
                    ),
                )
                .label("which port should Fly check?")
                .help("add `port = ...` to the check"),
            ),
            _ => {}
        }
    }
}

fn list(ports: &[u16]) -> String {
    if ports.is_empty() {
        return "none".into();
    }
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A public raw port needs a port the proxy listens on.
pub fn public_ports(service: &Service, diagnostics: &mut Diagnostics) {
    for port in &service.ports {
        if port.public.value && port.listen.is_empty() {
            diagnostics.push(
                Diagnostic::new(
                    Code::E0307,
                    port.public.span,
                    format!("public port `{}` has no port for the proxy to listen on", port.name.value),
                )
                .label("public, but not exposed anywhere")
                .help(format!(
                    "add `external = {}` (and `handlers = [tls]` to terminate TLS), or a `listen` block",
                    port.internal.value
                )),
            );
        }
    }
}

/// `force_https` redirects plain HTTP to HTTPS, and flycast is plain HTTP: a
/// service reached through flycast must not force HTTPS.
pub fn force_https_on_flycast(
    service: &Service,
    flycast_callers: &[(String, Span)],
    diagnostics: &mut Diagnostics,
) {
    let Some(http) = &service.http else {
        return;
    };
    let forced = http.force_https.map_or(http.public.value, |f| f.value);
    let Some((caller, span)) = flycast_callers.first() else {
        return;
    };
    if forced {
        let at = http.force_https.map_or(http.public.span, |f| f.span);
        diagnostics.push(
            Diagnostic::new(
                Code::E0308,
                at,
                format!(
                    "`{}` forces HTTPS, but `{caller}` reaches it through flycast",
                    service.name.value
                ),
            )
            .label(if http.force_https.is_some() {
                "`force_https` redirects plain HTTP"
            } else {
                "a public `http` block forces HTTPS unless told not to"
            })
            .also(*span, format!("`{caller}` calls `http://{}.flycast` here", service.app.value))
            .help(
                "flycast carries plain HTTP on port 80 and has no certificate: set `force_https = false`, \
                 or keep the machines running (`auto_stop = off`) so callers can use `.internal`",
            ),
        );
    }
}

/// A service flyx builds from a runtime runs as an unprivileged user, which
/// cannot listen on ports below 1024.
pub fn privileged_ports(service: &Service, diagnostics: &mut Diagnostics) {
    if !matches!(service.source, crate::model::Source::Runtime(_)) {
        return;
    }
    let ports = service
        .http
        .iter()
        .map(|h| h.port)
        .chain(service.ports.iter().map(|p| p.internal));
    for port in ports {
        if port.value < 1024 {
            diagnostics.push(
                Diagnostic::new(
                    Code::E0324,
                    port.span,
                    format!(
                        "`{}` listens on port {}, but its generated image runs as an unprivileged user",
                        service.name.value, port.value
                    ),
                )
                .label("only root may listen below 1024")
                .help("listen on a port of 1024 or more, such as 8080; the Fly proxy still serves 80 and 443 outside"),
            );
        }
    }
}
