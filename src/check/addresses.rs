//! Private addresses: which path each link takes (`.flycast` or `.internal`),
//! and what every reference resolves to.
//!
//! `<app>.internal` is 6PN DNS straight to the machines: it bypasses the Fly
//! proxy, so it cannot wake a stopped machine. `<app>.flycast` goes through the
//! proxy and needs a private IPv6. A service whose machines stop when idle must
//! therefore be reached through flycast.

use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::model::{Port, Postgres, Ref, RefAttr, Service, Stack, StoreKind, Text, TextPart, Via};
use crate::span::Span;
use crate::topology::{LocalPort, Node, ServiceId};

use super::names::Names;

/// Postgres listens here on its flycast address.
pub const POSTGRES_PORT: u16 = 5432;

/// A link whose target was found.
#[derive(Clone, Debug)]
pub struct ResolvedLink {
    /// The service or store linked to.
    pub target: Node,
    /// For a service: the path traffic takes.
    pub via: Option<Via>,
    /// Whether the linking service deploys after the target.
    pub orders_deploy: bool,
    /// Index of the link in the service's `links`.
    pub index: usize,
    /// Where the link was written.
    pub span: Span,
}

/// How one service is reached.
pub fn default_via(service: &Service) -> Via {
    if auto_stops(service) || service.flycast.is_some_and(|f| f.value) {
        Via::Flycast
    } else {
        Via::Internal
    }
}

/// Whether the proxy stops or suspends the service's idle machines.
pub fn auto_stops(service: &Service) -> bool {
    service.http.iter().any(|h| h.proxy.auto_stops())
        || service.ports.iter().any(|p| p.proxy.auto_stops())
}

/// Whether the service listens on any port.
pub fn has_ports(service: &Service) -> bool {
    service.http.is_some() || !service.ports.is_empty()
}

/// Every service's links: those that resolved, and the targets of those that
/// were rejected after their target was found.
pub struct Links {
    /// Per service, the links that resolved.
    pub resolved: Vec<Vec<ResolvedLink>>,
    /// Per service, the targets of links reported as wrong. A reference
    /// through such a link is not reported again as a missing link: the
    /// first error is the cause.
    pub rejected: Vec<Vec<Node>>,
}

/// Resolves every link of every service, reporting unknown targets, links a
/// target cannot serve, and `.internal` forced onto an auto-stopping target.
pub fn resolve_links(stack: &Stack, names: &Names<'_>, diagnostics: &mut Diagnostics) -> Links {
    let mut rejected = vec![Vec::new(); stack.services.len()];
    let resolved = stack
        .services
        .iter()
        .zip(rejected.iter_mut())
        .map(|(service, rejected)| {
            service
                .links
                .iter()
                .enumerate()
                .filter_map(|(index, link)| {
                    let target = names.lookup(
                        &link.target,
                        &format!("service `{}` links to", service.name.value),
                        diagnostics,
                    )?;
                    let via = match target {
                        Node::Service(id) => {
                            let target_service = &stack.services[id.0];
                            let checked =
                                check_service_link(service, link, target_service, diagnostics);
                            if checked.is_none() {
                                rejected.push(target);
                            }
                            checked?
                        }
                        Node::Store(id) => {
                            check_store_link(link, &stack.stores[id.0].kind, diagnostics);
                            None
                        }
                    };
                    Some(ResolvedLink {
                        target,
                        via,
                        orders_deploy: link.deploy_order.value,
                        index,
                        span: link.span,
                    })
                })
                .collect()
        })
        .collect();
    Links { resolved, rejected }
}

/// The path a link to a service takes, or `None` after reporting why it cannot.
fn check_service_link(
    from: &Service,
    link: &crate::model::Link,
    target: &Service,
    diagnostics: &mut Diagnostics,
) -> Option<Option<Via>> {
    if target.name.value == from.name.value {
        diagnostics.push(
            Diagnostic::new(
                Code::E0302,
                link.target.span,
                format!("service `{}` links to itself", from.name.value),
            )
            .label("a service does not need a link to reach itself")
            .help("remove this link; a service's references to itself need none"),
        );
        return None;
    }
    for (name, span) in [
        ("secret", link.secret.as_ref().map(|s| s.span)),
        ("database", link.database.as_ref().map(|s| s.span)),
    ] {
        if let Some(span) = span {
            diagnostics.push(
                Diagnostic::new(
                    Code::E0323,
                    span,
                    format!(
                        "`{name}` applies to links to data stores, and `{}` is a service",
                        target.name.value
                    ),
                )
                .label("not an option of a link to a service")
                .help(format!("remove `{name}`")),
            );
        }
    }
    if !has_ports(target) {
        diagnostics.push(
            Diagnostic::new(
                Code::E0304,
                link.target.span,
                format!(
                    "`{}` links to `{}`, which exposes no port",
                    from.name.value, target.name.value
                ),
            )
            .label("nothing to connect to")
            .also(target.span, format!("`{}` has no `http` or `port` block", target.name.value))
            .help(format!(
                "add `http {{ port = ... }}` or `port NAME {{ internal = ... }}` to `{}`, or remove the link",
                target.name.value
            )),
        );
        return None;
    }
    let forced = link.via.map(|v| v.value);
    if forced == Some(Via::Internal) && auto_stops(target) {
        let via_span = link.via.map_or(link.span, |v| v.span);
        diagnostics.push(
            Diagnostic::new(
                Code::E0306,
                via_span,
                format!(
                    "`{}` reaches `{}` through `.internal`, but `{}` stops idle machines",
                    from.name.value, target.name.value, target.name.value
                ),
            )
            .label("`.internal` is 6PN DNS straight to running machines")
            .help(
                "`.internal` bypasses the Fly proxy, so nothing wakes a stopped machine; \
                 remove `via = internal` to go through `.flycast`, or set `auto_stop = off` on the target",
            ),
        );
        return None;
    }
    Some(Some(forced.unwrap_or_else(|| default_via(target))))
}

fn check_store_link(link: &crate::model::Link, kind: &StoreKind, diagnostics: &mut Diagnostics) {
    if let Some(via) = link.via {
        diagnostics.push(
            Diagnostic::new(
                Code::E0323,
                via.span,
                format!(
                    "`via` applies to links to services, and `{}` is a data store",
                    link.target.value
                ),
            )
            .label("a store is reached through the URL attached as a secret")
            .help("remove `via`"),
        );
    }
    let managed = matches!(kind, StoreKind::Postgres(Postgres::Managed(_)));
    let legacy = matches!(kind, StoreKind::Postgres(Postgres::Legacy(_)));
    let misplaced = [
        (
            "database",
            link.database.as_ref().map(|d| d.span),
            managed || legacy,
            "Postgres",
        ),
        (
            "user",
            link.user.as_ref().map(|u| u.span),
            managed || legacy,
            "Postgres",
        ),
        (
            "role",
            link.role.map(|r| r.span),
            managed,
            "Managed Postgres (users of an unmanaged app get no role)",
        ),
        (
            "superuser",
            link.superuser.map(|s| s.span),
            legacy,
            "an unmanaged Fly Postgres app (Managed Postgres users get a `role`)",
        ),
    ];
    for (name, span, applies, to) in misplaced {
        let Some(span) = span else { continue };
        if applies {
            continue;
        }
        diagnostics.push(
            Diagnostic::new(
                Code::E0323,
                span,
                format!(
                    "`{name}` applies to {to}, and `{}` is {}",
                    link.target.value,
                    store_kind_name(kind)
                ),
            )
            .label("not a setting of this store's links")
            .help(format!("remove `{name}`")),
        );
    }
}

/// How a store is named in messages.
fn store_kind_name(kind: &StoreKind) -> &'static str {
    match kind {
        StoreKind::Postgres(Postgres::Managed(_)) => "Managed Postgres",
        StoreKind::Postgres(Postgres::Legacy(_)) => "an unmanaged Fly Postgres app",
        StoreKind::Redis(_) => "Upstash Redis",
    }
}

/// What resolving the texts of one service found.
#[derive(Default)]
pub struct References {
    /// Services and stores referenced through public addresses, with where.
    pub public: Vec<(Node, Span)>,
}

/// Resolves references from one service.
pub struct Resolver<'a> {
    /// The stack.
    pub stack: &'a Stack,
    /// Names of services and stores.
    pub names: &'a Names<'a>,
    /// Every service's resolved links.
    pub links: &'a [Vec<ResolvedLink>],
    /// Every service's rejected link targets.
    pub rejected: &'a [Vec<Node>],
    /// For Compose: every service's published ports, parallel to
    /// `stack.services`. References then resolve to local addresses.
    pub local: Option<&'a [Vec<LocalPort>]>,
    /// With `local`: whether the text is used inside the Compose network (a
    /// static site's nginx proxy), where another service's public URL is its
    /// Compose name and container port, not `localhost` (which a browser
    /// uses, and which in a container is the container itself).
    pub in_network: bool,
}

impl Resolver<'_> {
    /// The text with every reference replaced by its value, or `None` after
    /// reporting why one cannot be resolved.
    pub fn text(
        &self,
        from: ServiceId,
        text: &Text,
        found: &mut References,
        diagnostics: &mut Diagnostics,
    ) -> Option<String> {
        let mut out = String::new();
        let mut ok = true;
        for part in &text.parts {
            match part {
                TextPart::Literal(literal) => out.push_str(literal),
                TextPart::Ref(reference) => {
                    match self.reference(from, reference, found, diagnostics) {
                        Some(value) => out.push_str(&value),
                        None => ok = false,
                    }
                }
            }
        }
        ok.then_some(out)
    }

    fn reference(
        &self,
        from: ServiceId,
        reference: &Ref,
        found: &mut References,
        diagnostics: &mut Diagnostics,
    ) -> Option<String> {
        let fly = self.fly_reference(from, reference, found, diagnostics)?;
        match self.local {
            None => Some(fly),
            Some(ports) => Some(self.local_value(reference, ports).unwrap_or(fly)),
        }
    }

    /// The local value of a reference that resolved on Fly, or `None` when
    /// it is the same locally (an app name, a store's port).
    fn local_value(&self, reference: &Ref, ports: &[Vec<LocalPort>]) -> Option<String> {
        let mut unused = Diagnostics::new();
        let target = self.names.lookup(&reference.target, "", &mut unused)?;
        let id = match target {
            Node::Store(id) => {
                let store = &self.stack.stores[id.0];
                return matches!(reference.attr, RefAttr::Host).then(|| store.name.value.clone());
            }
            Node::Service(id) => id,
        };
        let service = &self.stack.services[id.0];
        let ports = &ports[id.0];
        let http = service.http.as_ref().and_then(|_| ports.first());
        let first = ports.first();
        match &reference.attr {
            RefAttr::App => None,
            RefAttr::PublicHost | RefAttr::FlyDevHost if self.in_network => {
                http.map(|port| port.compose_service.clone())
            }
            RefAttr::PublicUrl | RefAttr::FlyDevUrl if self.in_network => {
                http.map(|port| format!("http://{}:{}", port.compose_service, port.container))
            }
            RefAttr::PublicHost | RefAttr::FlyDevHost => Some("localhost".to_string()),
            RefAttr::PublicUrl | RefAttr::FlyDevUrl => {
                http.map(|port| format!("http://localhost:{}", port.host))
            }
            RefAttr::Host => first.map(|port| port.compose_service.clone()),
            RefAttr::Url => {
                http.map(|port| format!("http://{}:{}", port.compose_service, port.container))
            }
            RefAttr::Port => first.map(|port| port.container.to_string()),
            RefAttr::NamedPort(name) => {
                let index = service
                    .ports
                    .iter()
                    .position(|p| p.name.value == name.value)?;
                ports
                    .get(index + usize::from(service.http.is_some()))
                    .map(|port| port.container.to_string())
            }
        }
    }

    fn fly_reference(
        &self,
        from: ServiceId,
        reference: &Ref,
        found: &mut References,
        diagnostics: &mut Diagnostics,
    ) -> Option<String> {
        let source = &self.stack.services[from.0];
        let target = self.names.lookup(
            &reference.target,
            &format!("service `{}` refers to", source.name.value),
            diagnostics,
        )?;
        let is_self = target == Node::Service(from);
        if !reference.attr.is_private() {
            if !is_self {
                found.public.push((target, reference.span));
            }
            return self.public_value(source, target, reference, diagnostics);
        }
        let via = if is_self {
            Some(default_via(source))
        } else {
            let Some(link) = self.links[from.0].iter().find(|l| l.target == target) else {
                if !self.rejected[from.0].contains(&target) {
                    diagnostics.push(missing_link(source, reference));
                }
                return None;
            };
            link.via
        };
        match target {
            Node::Service(id) => {
                let target = &self.stack.services[id.0];
                private_value(target, via.unwrap_or(Via::Internal), reference, diagnostics)
            }
            Node::Store(id) => {
                let store = &self.stack.stores[id.0];
                store_value(store, reference, diagnostics)
            }
        }
    }

    fn public_value(
        &self,
        source: &Service,
        target: Node,
        reference: &Ref,
        diagnostics: &mut Diagnostics,
    ) -> Option<String> {
        if let (Node::Store(id), false) = (target, matches!(reference.attr, RefAttr::App)) {
            let store = &self.stack.stores[id.0];
            let secret = store.kind.default_secret();
            diagnostics.push(
                Diagnostic::new(
                    Code::E0304,
                    reference.span,
                    format!(
                        "`{}` refers to a public address of {} `{}`, and a data store has none",
                        source.name.value,
                        store.kind.keyword(),
                        store.name.value
                    ),
                )
                .label("not an address a store has")
                .help(format!(
                    "read the `{secret}` secret that a link to `{}` attaches (its URL holds the password)",
                    store.name.value
                )),
            );
            return None;
        }
        let (app, public_http, public_any, name, domain) = match target {
            Node::Service(id) => {
                let service = &self.stack.services[id.0];
                let http = service.http.as_ref().filter(|h| h.public.value);
                let public_any = http.is_some() || service.ports.iter().any(|p| p.public.value);
                (
                    &service.app.value,
                    http.is_some(),
                    public_any,
                    &service.name.value,
                    http.and_then(|h| h.primary_domain()),
                )
            }
            Node::Store(id) => {
                let store = &self.stack.stores[id.0];
                (&store.app.value, false, false, &store.name.value, None)
            }
        };
        let fly_dev = format!("{app}.fly.dev");
        match &reference.attr {
            RefAttr::App => Some(app.clone()),
            RefAttr::PublicHost if public_any => Some(domain.map_or(fly_dev, str::to_string)),
            RefAttr::PublicUrl if public_http => {
                Some(format!("https://{}", domain.unwrap_or(&fly_dev)))
            }
            RefAttr::FlyDevHost if public_any => Some(fly_dev),
            RefAttr::FlyDevUrl if public_http => Some(format!("https://{fly_dev}")),
            attr => {
                let what = if matches!(attr, RefAttr::PublicUrl | RefAttr::FlyDevUrl) {
                    "public HTTP port"
                } else {
                    "public port"
                };
                diagnostics.push(
                    Diagnostic::new(
                        Code::E0304,
                        reference.span,
                        format!("`{}` refers to the public address of `{name}`, which has no {what}", source.name.value),
                    )
                    .label("not reachable from the internet")
                    .help(format!(
                        "set `public = true` in the `http` block of `{name}`, or link to it and use its private address"
                    )),
                );
                None
            }
        }
    }
}

fn missing_link(source: &Service, reference: &Ref) -> Diagnostic {
    Diagnostic::new(
        Code::E0303,
        reference.span,
        format!(
            "`{}` refers to the private address of `{}` without linking to it",
            source.name.value, reference.target.value
        ),
    )
    .label("a private address needs a link")
    .also(source.name.span, format!("`{}` has no link to `{}`", source.name.value, reference.target.value))
    .help(format!(
        "add `{}` to the `links` of `{}`; links order deploys and decide between .flycast and .internal",
        reference.target.value, source.name.value
    ))
}

/// The value of a private reference to a service reached through `via`.
fn private_value(
    target: &Service,
    via: Via,
    reference: &Ref,
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    let host = private_host(target, via, reference);
    match &reference.attr {
        RefAttr::Host => Some(host),
        RefAttr::Url => match &target.http {
            Some(http) => Some(match via {
                Via::Flycast => format!("http://{host}"),
                Via::Internal => format!("http://{host}:{}", http.port.value),
            }),
            None => {
                diagnostics.push(no_port_of_kind(
                    target,
                    reference,
                    "an `http` block",
                    "use `.host` and `.port`, or add an `http` block",
                ));
                None
            }
        },
        RefAttr::Port => match sole_port(target) {
            Ok(port) => Some(port.for_via(via).to_string()),
            Err(names) => {
                let help = format!(
                    "name the port: {}",
                    names
                        .iter()
                        .map(|n| format!("`{}.ports.{n}`", reference.target.value))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let message = if names.is_empty() {
                    format!("`{}` exposes no port", target.name.value)
                } else {
                    format!(
                        "`{}` has several ports; `.port` does not say which",
                        target.name.value
                    )
                };
                let code = if names.is_empty() {
                    Code::E0304
                } else {
                    Code::E0305
                };
                diagnostics.push(
                    Diagnostic::new(code, reference.span, message)
                        .label("which port?")
                        .help(if names.is_empty() {
                            format!("add a `port` block to `{}`", target.name.value)
                        } else {
                            help
                        }),
                );
                None
            }
        },
        RefAttr::NamedPort(name) => {
            match target.ports.iter().find(|p| p.name.value == name.value) {
                Some(port) => Some(PortRef::Raw(port).for_via(via).to_string()),
                None => {
                    let help = match did_you_mean(
                        &name.value,
                        target.ports.iter().map(|p| p.name.value.as_str()),
                    ) {
                        Some(close) => {
                            format!("did you mean `{}.ports.{close}`?", reference.target.value)
                        }
                        None if target.ports.is_empty() => {
                            format!("`{}` declares no `port` blocks", target.name.value)
                        }
                        None => format!(
                            "`{}` declares: {}",
                            target.name.value,
                            target
                                .ports
                                .iter()
                                .map(|p| p.name.value.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    diagnostics.push(
                        Diagnostic::new(
                            Code::E0304,
                            name.span,
                            format!("`{}` has no port named `{}`", target.name.value, name.value),
                        )
                        .label("no such port")
                        .help(help),
                    );
                    None
                }
            }
        }
        RefAttr::App
        | RefAttr::PublicHost
        | RefAttr::PublicUrl
        | RefAttr::FlyDevHost
        | RefAttr::FlyDevUrl => None,
    }
}

/// The private host name of `target`: `<app>.flycast`, `<app>.internal`, or,
/// for a target with several process groups, the `.internal` name of the group
/// that serves the port the reference reaches (`web.process.<app>.internal`):
/// plain `<app>.internal` lists every started machine of every group, a
/// `cron` or worker machine that does not listen included. The proxy behind
/// `.flycast` already routes to the right group.
fn private_host(target: &Service, via: Via, reference: &Ref) -> String {
    let app_host = format!("{}.{}", target.app.value, via.domain());
    let groups = super::config::process_groups(target);
    if via == Via::Flycast || groups.len() < 2 {
        return app_host;
    }
    let section = match &reference.attr {
        RefAttr::NamedPort(name) => target
            .ports
            .iter()
            .find(|p| p.name.value == name.value)
            .map(|p| &p.proxy.processes),
        _ => target
            .http
            .as_ref()
            .map(|h| &h.proxy.processes)
            .or_else(|| target.ports.first().map(|p| &p.proxy.processes)),
    };
    let group = section.and_then(|processes| processes.first()).map_or_else(
        || super::config::default_group(&groups).to_string(),
        |g| g.value.clone(),
    );
    format!("{group}.process.{app_host}")
}

fn no_port_of_kind(target: &Service, reference: &Ref, needs: &str, help: &str) -> Diagnostic {
    Diagnostic::new(
        Code::E0304,
        reference.span,
        format!(
            "`{}` needs {needs} in `{}`, which has none",
            reference.dotted_attr(),
            target.name.value
        ),
    )
    .label("the target does not expose this")
    .help(help.to_string())
}

/// The port a service exposes, as seen by a private caller.
enum PortRef<'a> {
    /// The `http` block's port.
    Http(u16),
    /// A `port` block.
    Raw(&'a Port),
}

impl PortRef<'_> {
    /// The port number a caller connects to through `via`. Through flycast the
    /// proxy listens on 80 for HTTP and on a port's first `external` port.
    fn for_via(&self, via: Via) -> u16 {
        match (self, via) {
            (PortRef::Http(port), Via::Internal) => *port,
            (PortRef::Http(_), Via::Flycast) => 80,
            (PortRef::Raw(port), Via::Internal) => port.internal.value,
            (PortRef::Raw(port), Via::Flycast) => port
                .listen
                .first()
                .map_or(port.internal.value, |l| l.port.value),
        }
    }
}

/// The only port of a service, or the names of its ports when there are several.
fn sole_port(service: &Service) -> Result<PortRef<'_>, Vec<String>> {
    match (&service.http, service.ports.as_slice()) {
        (Some(http), []) => Ok(PortRef::Http(http.port.value)),
        (None, [port]) => Ok(PortRef::Raw(port)),
        _ => Err(service.ports.iter().map(|p| p.name.value.clone()).collect()),
    }
}

/// The value of a private reference to a store.
fn store_value(
    store: &crate::model::Store,
    reference: &Ref,
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    let postgres = matches!(store.kind, StoreKind::Postgres(_));
    let managed = matches!(store.kind, StoreKind::Postgres(Postgres::Managed(_)));
    match (&reference.attr, postgres) {
        (RefAttr::Host, true) if managed => {
            diagnostics.push(
                Diagnostic::new(
                    Code::E0304,
                    reference.span,
                    format!(
                        "the host of Managed Postgres `{}` is not known before it is created",
                        store.name.value
                    ),
                )
                .label("not available for Managed Postgres")
                .help(
                    "read the `DATABASE_URL` secret instead: its host is \
                     `pgbouncer.<cluster id>.flympg.net`, which Fly assigns when the cluster is \
                     created (set `managed = false` for a Fly Postgres app at `<app>.flycast`)",
                ),
            );
            None
        }
        (RefAttr::Host, true) => Some(format!("{}.flycast", store.app.value)),
        (RefAttr::Port, true) => Some(POSTGRES_PORT.to_string()),
        (attr, _) => {
            let secret = store.kind.default_secret();
            let why = if postgres {
                format!("its URL holds a password, so flyx attaches it as the `{secret}` secret")
            } else {
                format!(
                    "Upstash Redis is reached through the URL flyx stores as the `{secret}` secret"
                )
            };
            diagnostics.push(
                Diagnostic::new(
                    Code::E0304,
                    reference.span,
                    format!(
                        "`{}` cannot be named for {} `{}`",
                        attr.describe(),
                        store.kind.keyword(),
                        store.name.value
                    ),
                )
                .label("not available for this store")
                .help(format!("read the `{secret}` secret instead: {why}")),
            );
            None
        }
    }
}

impl Ref {
    /// `.url`, `.port`, ... as written after the target.
    pub fn dotted_attr(&self) -> String {
        format!("{}.{}", self.target.value, self.attr.describe())
    }
}
