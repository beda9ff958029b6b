//! Stage 3, check: resolves names, builds the graph (petgraph), finds the deploy
//! order, computes every address, and applies Fly's rules. The result is the
//! [`Topology`] every emitter reads.

mod addresses;
mod ci;
pub mod compose;
pub mod compute;
mod config;
mod domains;
mod exposure;
mod graph;
pub mod local;
mod names;
mod placement;
mod steps;

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{Handler, Listen, Protocol, Service, Stack, Via};
use crate::span::Span;
use crate::topology::{Attachment, Edge, Node, Resolved, ServiceId, Step, Topology, Traffic};

use addresses::{References, ResolvedLink, Resolver};
use graph::PendingEdge;
use names::Names;

pub use addresses::{POSTGRES_PORT, auto_stops, default_via};
pub use config::{default_group, default_process, process_groups};

/// Checks a lowered stack. Returns the topology when no error was found, and
/// every diagnostic either way.
pub fn check(stack: Stack) -> (Option<Topology>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let names = Names::new(&stack);
    let addresses::Links {
        resolved: links,
        rejected,
    } = addresses::resolve_links(&stack, &names, &mut diagnostics);
    let resolver = Resolver {
        stack: &stack,
        names: &names,
        links: &links,
        rejected: &rejected,
        local: None,
        in_network: false,
    };
    let host_ports = local::host_ports(&stack);
    let local_resolver = Resolver {
        local: Some(&host_ports),
        ..resolver
    };
    let network_resolver = Resolver {
        in_network: true,
        local: Some(&host_ports),
        ..resolver
    };
    let mut resolved = Vec::with_capacity(stack.services.len());
    let mut edges = Vec::new();
    for (i, service) in stack.services.iter().enumerate() {
        let id = ServiceId(i);
        let service_links = &links[i];
        let mut found = resolve_service(id, service, &resolver, &names, &mut diagnostics);
        if let Some(resolved) = found.resolved.as_mut() {
            resolved.local = local_values(
                id,
                service,
                [&local_resolver, &network_resolver],
                &host_ports[i],
                &mut diagnostics,
            );
        }
        edges.extend(link_edges(id, service_links));
        edges.extend(extra_edges(
            id,
            service_links,
            &found.references,
            &found.steps_on,
        ));
        edges.extend(after_edges(id, service_links, &found.after));
        resolved.push(found.resolved);
    }
    config::unique_apps(&stack, &mut diagnostics);
    domains::unique(&stack, &mut diagnostics);
    for store in &stack.stores {
        if store.region.is_none() {
            diagnostics.push(store_without_region(store));
        }
    }
    flycast_rules(&stack, &links, &mut resolved, &mut diagnostics);
    let built = graph::build(&stack, edges);
    let deps = graph::dependencies(&built, &stack);
    let levels = graph::levels(&stack, &deps, &mut diagnostics);
    if !diagnostics.has_errors() {
        // An unresolved link would make its target look unreached.
        orphans(&stack, &built, &mut diagnostics);
    }
    let (Some(levels), false) = (levels, diagnostics.has_errors()) else {
        return (None, diagnostics);
    };
    let mut resolved: Vec<Resolved> = resolved.into_iter().flatten().collect();
    for (i, service_deps) in deps.iter().enumerate() {
        let mut ids: Vec<ServiceId> = service_deps.iter().map(|(id, _)| *id).collect();
        ids.sort_by(|a, b| {
            stack.services[a.0]
                .name
                .value
                .cmp(&stack.services[b.0].name.value)
        });
        resolved[i].depends_on = ids;
    }
    let secrets = secret_table(&stack);
    let ci = ci::plan(&stack);
    let topology = Topology {
        stack,
        resolved,
        graph: built.graph,
        service_nodes: built.service_nodes,
        store_nodes: built.store_nodes,
        levels,
        secrets,
        ci,
    };
    compose::unique_names(&topology, &mut diagnostics);
    if diagnostics.has_errors() {
        return (None, diagnostics);
    }
    (Some(topology), diagnostics)
}

/// A `local_path` (relative to the `.flyx` file's folder) as fly.toml must
/// say it: deploy.sh runs `fly deploy <build context>` from the project,
/// flyctl changes into that folder first and then reads the file with a
/// plain relative path (internal/command/command.go
/// `ChangeWorkingDirectoryToFirstArgIfPresent`, internal/appconfig/config.go
/// `toMachineFile`), so the path is taken from the context. An absolute
/// path stays as it is.
pub fn flyctl_local_path(service: &Service, path: &str) -> String {
    if path.starts_with('/') {
        return path.to_string();
    }
    let from = service.source.context().map_or(".", |c| c.value.as_str());
    crate::emit::relative_from(from, path)
}

/// The service's env, build args and release command with local addresses,
/// and its `local` block applied to the env. Every problem of the shared
/// texts was reported when they resolved for Fly; the `local` block's own
/// texts report theirs here.
/// `resolvers` are the local one and the one for texts used inside the
/// Compose network (a static site's proxies).
fn local_values(
    id: ServiceId,
    service: &Service,
    [resolver, network]: [&Resolver<'_>; 2],
    ports: &[crate::topology::LocalPort],
    diagnostics: &mut Diagnostics,
) -> crate::topology::Local {
    let mut unused = Diagnostics::new();
    let mut references = References::default();
    let proxies = match &service.source {
        crate::model::Source::Runtime(build) => {
            let mut text = |t: &crate::model::Text, d: &mut Diagnostics| {
                network.text(id, t, &mut references, d)
            };
            proxies(&build.proxies, &mut text, &mut unused).unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let mut text =
        |t: &crate::model::Text, d: &mut Diagnostics| resolver.text(id, t, &mut references, d);
    let mut env = named_texts(&service.env, &mut text, &mut unused).unwrap_or_default();
    let overrides = named_texts(&service.local.env, &mut text, diagnostics).unwrap_or_default();
    local::apply_overrides(&mut env, &service.local.unset, overrides);
    let build_args =
        named_texts(service.source.build_args(), &mut text, &mut unused).unwrap_or_default();
    let release_command = service
        .deploy
        .release_command
        .as_ref()
        .and_then(|command| text(command, &mut unused));
    crate::topology::Local {
        env,
        build_args,
        release_command,
        proxies,
        ports: ports.to_vec(),
    }
}

/// What checking one service found.
struct ServiceFindings {
    resolved: Option<Resolved>,
    references: References,
    steps_on: Vec<(Node, Span)>,
    /// `after = [...]`: the services this one deploys after.
    after: Vec<(Node, Span)>,
}

/// Applies the per-service rules and resolves the service's texts.
fn resolve_service(
    id: ServiceId,
    service: &Service,
    resolver: &Resolver<'_>,
    names: &Names<'_>,
    diagnostics: &mut Diagnostics,
) -> ServiceFindings {
    let groups = config::process_groups(service);
    config::source(service, diagnostics);
    config::start_command(service, diagnostics);
    config::process_references(service, &groups, diagnostics);
    config::vm_groups(service, diagnostics);
    config::statics(service, diagnostics);
    config::secret_looking_env(service, diagnostics);
    exposure::duplicate_ports(service, &groups, diagnostics);
    exposure::check_ports(service, diagnostics);
    exposure::public_ports(service, diagnostics);
    exposure::privileged_ports(service, diagnostics);
    domains::public_only(service, diagnostics);
    placement::strategy(service, diagnostics);
    placement::consul_without_auto_stop(service, diagnostics);
    placement::one_volume_per_group(service, config::default_group(&groups), diagnostics);

    let mut references = References::default();
    let mut text =
        |t: &crate::model::Text, d: &mut Diagnostics| resolver.text(id, t, &mut references, d);
    let env = named_texts(&service.env, &mut text, diagnostics);
    let build_args = named_texts(service.source.build_args(), &mut text, diagnostics);
    let proxies = match &service.source {
        crate::model::Source::Runtime(build) => proxies(&build.proxies, &mut text, diagnostics),
        _ => Some(Vec::new()),
    };
    let release_command = match &service.deploy.release_command {
        Some(command) => text(command, diagnostics).map(Some),
        None => Some(None),
    };
    let mut steps_on = Vec::new();
    let mut steps = Some(Vec::new());
    for step in &service.post_deploy {
        let app = match &step.on {
            Some(on) => match names.lookup(
                on,
                &format!("post_deploy `{}` runs on", step.name.value),
                diagnostics,
            ) {
                Some(Node::Service(target)) => {
                    steps_on.push((Node::Service(target), on.span));
                    steps::stoppable_target(step, &resolver.stack.services[target.0], diagnostics);
                    Some(resolver.stack.services[target.0].app.value.clone())
                }
                Some(Node::Store(_)) => {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::E0323,
                            on.span,
                            "a post-deploy step runs on a service, not on a data store",
                        )
                        .label("flyx cannot open a console on a managed store")
                        .help("name a service, or run the command from this service"),
                    );
                    None
                }
                None => None,
            },
            None => {
                steps::stoppable_target(step, service, diagnostics);
                Some(service.app.value.clone())
            }
        };
        let command = text(&step.command, diagnostics);
        match (app, command, steps.as_mut()) {
            (Some(app), Some(command), Some(list)) => list.push(Step {
                name: step.name.value.clone(),
                app,
                command,
            }),
            _ => steps = None,
        }
    }
    config::commands(
        service,
        release_command.as_ref().and_then(|c| c.as_deref()),
        diagnostics,
    );
    let attachments = attachments(id, service, resolver, diagnostics);
    let primary = placement::primary_region(service, diagnostics);
    let resolved = match (
        primary,
        env,
        (build_args, proxies),
        release_command,
        steps,
        attachments,
    ) {
        (
            Some(primary_region),
            Some(env),
            (Some(build_args), Some(proxies)),
            Some(release_command),
            Some(post_deploy),
            Some(attachments),
        ) => {
            let default_group = config::default_group(&groups).to_string();
            let sections =
                compute::vm_sections(resolver.stack.project.vm.as_ref(), service, &groups);
            let machines = placement::machines(service, &groups, &sections, primary_region);
            let placements = placement::machines_of(&machines, |_| true);
            let volume_placements =
                placement::volumes(service, &machines, &default_group, diagnostics);
            placement::min_running_fits(
                service,
                primary_region,
                &machines,
                &default_group,
                diagnostics,
            );
            Some(Resolved {
                primary_region,
                placements,
                machines,
                public: is_public(service),
                dedicated_ipv4: needs_dedicated_ipv4(service),
                flycast: service.flycast.is_some_and(|f| f.value),
                env,
                build_args,
                proxies,
                release_command,
                post_deploy,
                attachments,
                volume_placements,
                depends_on: Vec::new(),
                default_group,
                process_groups: groups,
                // Decided once every caller is known, in `flycast_rules`.
                private_via: None,
                // Filled in by `local_values`.
                local: crate::topology::Local::default(),
            })
        }
        _ => None,
    };
    ServiceFindings {
        resolved,
        references,
        steps_on,
        after: after_targets(service, names, diagnostics),
    }
}

/// The services `after = [...]` names. A store is created before every
/// service anyway, so naming one is a mistake.
fn after_targets(
    service: &Service,
    names: &names::Names<'_>,
    diagnostics: &mut Diagnostics,
) -> Vec<(Node, Span)> {
    let mut out = Vec::new();
    for name in &service.after {
        match names.lookup(name, "`after` names", diagnostics) {
            Some(Node::Service(_)) if name.value == service.name.value => diagnostics.push(
                Diagnostic::new(
                    Code::E0302,
                    name.span,
                    format!("service `{}` deploys after itself", name.value),
                )
                .label("a service cannot wait for its own deploy")
                .help("remove it from `after`"),
            ),
            Some(Node::Service(target)) => out.push((Node::Service(target), name.span)),
            Some(Node::Store(_)) => diagnostics.push(
                Diagnostic::new(
                    Code::E0323,
                    name.span,
                    format!(
                        "`after` orders deploys of services, and `{}` is a data store",
                        name.value
                    ),
                )
                .label("stores are created before any service deploys")
                .help("remove it from `after`; link to the store to attach its URL"),
            ),
            None => {}
        }
    }
    out
}

fn named_texts(
    vars: &[crate::model::EnvVar],
    text: &mut impl FnMut(&crate::model::Text, &mut Diagnostics) -> Option<String>,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<(String, String)>> {
    resolve_all(vars, |var| {
        text(&var.value, diagnostics).map(|value| (var.name.value.clone(), value))
    })
}

/// Resolves every item, so that every problem is reported, and gives them all
/// back only when none failed.
fn resolve_all<T, U>(items: &[T], mut resolve: impl FnMut(&T) -> Option<U>) -> Option<Vec<U>> {
    let mut out = Some(Vec::with_capacity(items.len()));
    for item in items {
        match (resolve(item), out.as_mut()) {
            (Some(value), Some(list)) => list.push(value),
            _ => out = None,
        }
    }
    out
}

/// A static site's proxied paths with their resolved URLs: `http(s)://` and
/// nothing nginx would read as syntax.
fn proxies(
    proxies: &[crate::model::Proxy],
    text: &mut impl FnMut(&crate::model::Text, &mut Diagnostics) -> Option<String>,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<crate::topology::ProxyTarget>> {
    resolve_all(proxies, |proxy| {
        let url = text(&proxy.to, diagnostics)?;
        let usable = (url.starts_with("http://") || url.starts_with("https://"))
            && !url
                .chars()
                .any(|c| c.is_whitespace() || ";{}'\"$\\#".contains(c));
        if !usable {
            diagnostics.push(
                Diagnostic::new(
                    Code::E0236,
                    proxy.to.span,
                    format!(
                        "`{url}` is not a URL nginx can pass `{}` on to",
                        proxy.path.value
                    ),
                )
                .label("where the proxy sends requests")
                .help("use an `http://` or `https://` address, such as `backend.public_url`"),
            );
            return None;
        }
        Some(crate::topology::ProxyTarget::new(&proxy.path.value, &url))
    })
}

/// The stores a service links to, with the secret each URL is stored as.
fn attachments(
    id: ServiceId,
    service: &Service,
    resolver: &Resolver<'_>,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<Attachment>> {
    let mut out = Vec::new();
    let mut attached: Vec<(String, Span)> = Vec::new();
    for link in &resolver.links[id.0] {
        let Node::Store(store) = link.target else {
            continue;
        };
        let declared = &service.links[link.index];
        let kind = &resolver.stack.stores[store.0].kind;
        let secret = declared
            .secret
            .as_ref()
            .map_or_else(|| kind.default_secret().to_string(), |s| s.value.clone());
        attached.push((
            secret.clone(),
            declared.secret.as_ref().map_or(declared.span, |s| s.span),
        ));
        let postgres = matches!(kind, crate::model::StoreKind::Postgres(_));
        let default_name = || service.app.value.replace('-', "_");
        out.push(Attachment {
            store,
            secret,
            database: postgres.then(|| {
                declared
                    .database
                    .as_ref()
                    .map_or_else(default_name, |d| d.value.clone())
            }),
            user: postgres.then(|| {
                declared
                    .user
                    .as_ref()
                    .map_or_else(default_name, |u| u.value.clone())
            }),
            role: declared
                .role
                .map_or(crate::model::PgRole::Writer, |r| r.value),
            superuser: declared.superuser.is_some_and(|s| s.value),
        });
    }
    config::name_collisions(service, &attached, diagnostics);
    Some(out)
}

/// Edges for links: private traffic to services, attachments to stores.
fn link_edges(from: ServiceId, links: &[ResolvedLink]) -> Vec<PendingEdge> {
    links
        .iter()
        .map(|link| PendingEdge {
            from,
            to: link.target,
            edge: Edge {
                traffic: match (link.target, link.via) {
                    (Node::Store(_), _) => Traffic::Attached,
                    (Node::Service(_), Some(via)) => Traffic::of(via),
                    (Node::Service(_), None) => Traffic::Internal,
                },
                orders_deploy: link.orders_deploy,
                span: link.span,
            },
        })
        .collect()
}

/// Edges for public references and post-deploy steps on other services, when
/// no link already joins the two.
fn extra_edges(
    from: ServiceId,
    links: &[ResolvedLink],
    references: &References,
    steps_on: &[(Node, Span)],
) -> Vec<PendingEdge> {
    let mut out: Vec<PendingEdge> = Vec::new();
    for (target, span) in steps_on {
        let ordered_by_link = links.iter().any(|l| l.target == *target && l.orders_deploy);
        if *target != Node::Service(from) && !ordered_by_link {
            out.push(PendingEdge {
                from,
                to: *target,
                edge: graph::traffic_edge(Traffic::Step, true, *span),
            });
        }
    }
    for (target, span) in &references.public {
        let linked = links.iter().any(|l| l.target == *target);
        let known = out
            .iter()
            .any(|e| e.to == *target && e.edge.traffic == Traffic::Public);
        if !linked && !known {
            out.push(PendingEdge {
                from,
                to: *target,
                edge: graph::traffic_edge(Traffic::Public, false, *span),
            });
        }
    }
    out
}

/// Deploy-order edges for `after = [...]`, where no link orders the two
/// already.
fn after_edges(
    from: ServiceId,
    links: &[ResolvedLink],
    after: &[(Node, Span)],
) -> Vec<PendingEdge> {
    after
        .iter()
        .filter(|(target, _)| !links.iter().any(|l| l.target == *target && l.orders_deploy))
        .map(|(target, span)| PendingEdge {
            from,
            to: *target,
            edge: graph::traffic_edge(Traffic::After, true, *span),
        })
        .collect()
}

/// Marks services reached through flycast, and refuses `force_https` on them.
fn flycast_rules(
    stack: &Stack,
    links: &[Vec<ResolvedLink>],
    resolved: &mut [Option<Resolved>],
    diagnostics: &mut Diagnostics,
) {
    let mut callers: Vec<Vec<(String, Span)>> = vec![Vec::new(); stack.services.len()];
    for (from, service_links) in links.iter().enumerate() {
        for link in service_links {
            if let (Node::Service(to), Some(Via::Flycast)) = (link.target, link.via) {
                callers[to.0].push((stack.services[from].name.value.clone(), link.span));
            }
        }
    }
    for (i, service) in stack.services.iter().enumerate() {
        exposure::force_https_on_flycast(service, &callers[i], diagnostics);
        if let Some(resolved) = resolved[i].as_mut() {
            resolved.flycast |= !callers[i].is_empty();
            resolved.private_via = addresses::has_ports(service).then(|| {
                if resolved.flycast || default_via(service) == Via::Flycast {
                    Via::Flycast
                } else {
                    Via::Internal
                }
            });
        }
    }
}

/// Whether the service gets public IPs: only when it says so.
fn is_public(service: &Service) -> bool {
    service.http.as_ref().is_some_and(|h| h.public.value)
        || service.ports.iter().any(|p| p.public.value)
}

/// Whether the service's public ports need a dedicated IPv4. Fly's shared
/// IPv4 carries only HTTP on 80 and HTTPS on 443: flyctl's `DetermineIPType`
/// (`internal/appconfig/config.go`, with fly-go's `HasNonHttpPorts`) gives an
/// app a shared one unless a public port is UDP, another number, 80 with
/// handlers other than `http`, or 443 with handlers other than `tls` and
/// `http`.
fn needs_dedicated_ipv4(service: &Service) -> bool {
    service
        .ports
        .iter()
        .filter(|p| p.public.value)
        .any(|p| p.protocol == Protocol::Udp || p.listen.iter().any(not_shared_web))
}

/// A proxy port the shared IPv4 cannot carry: not 80 `[http]`, not 443 `[tls, http]`.
fn not_shared_web(listen: &Listen) -> bool {
    let mut handlers: Vec<Handler> = listen.handlers.iter().map(|h| h.value).collect();
    handlers.sort_by_key(|h| h.as_str());
    match listen.port.value {
        80 => handlers != [Handler::Http],
        443 => handlers != [Handler::Http, Handler::Tls],
        _ => true,
    }
}

/// A private service that listens on ports but that nothing reaches.
fn orphans(stack: &Stack, built: &graph::Built, diagnostics: &mut Diagnostics) {
    for (i, service) in stack.services.iter().enumerate() {
        if is_public(service) || !addresses::has_ports(service) {
            continue;
        }
        let node = built.service_nodes[i];
        let reached = built
            .graph
            .neighbors_directed(node, petgraph::Direction::Incoming)
            .next()
            .is_some();
        if !reached {
            diagnostics.push(
                Diagnostic::new(
                    Code::W0301,
                    service.name.span,
                    format!("service `{}` is private and nothing links to it", service.name.value),
                )
                .label("no public port, and no service reaches it")
                .help(format!(
                    "link to it from the services that call it (`links = [{}]`), or set `public = true` on its `http` block",
                    service.name.value
                )),
            );
        }
    }
}

fn store_without_region(store: &crate::model::Store) -> Diagnostic {
    Diagnostic::new(
        Code::E0309,
        store.name.span,
        format!(
            "{} `{}` has no region",
            store.kind.keyword(),
            store.name.value
        ),
    )
    .label("flyx cannot create it without one")
    .help("add `region = sjc` (or another region) to the project or to this store")
}

/// Every secret a service lists, with the services that get its value.
fn secret_table(stack: &Stack) -> BTreeMap<String, Vec<ServiceId>> {
    let mut table: BTreeMap<String, Vec<ServiceId>> = BTreeMap::new();
    for (i, service) in stack.services.iter().enumerate() {
        for secret in &service.secrets {
            table
                .entry(secret.value.clone())
                .or_default()
                .push(ServiceId(i));
        }
    }
    for services in table.values_mut() {
        services.sort_by(|a, b| {
            stack.services[a.0]
                .name
                .value
                .cmp(&stack.services[b.0].name.value)
        });
    }
    table
}
