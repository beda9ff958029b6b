//! Checking every environment of a stack at once: each must compile, no two
//! may give an app the same name, and none may refer to another's apps.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Sources};
use crate::topology::Topology;
use crate::{CheckOptions, Checked, check_with};

/// Checks the base stack and every environment the file declares. The
/// topology returned is the base stack's; the diagnostics are everyone's, each
/// once, environment-specific ones saying which environment they are about.
pub fn check_every_environment(
    sources: &Sources,
    file: FileId,
    loader: &dyn crate::expand::Loader,
) -> Checked {
    let base = check_with(
        sources,
        file,
        &CheckOptions {
            loader,
            environment: None,
        },
    );
    if base.environments.is_empty() {
        return base;
    }
    let Checked {
        topology: base_topology,
        mut diagnostics,
        // Each check starts from the files the previous ones made, so every
        // template copy, whichever environment made it, has an id of its own.
        sources: mut sources_out,
        environments: names,
    } = base;
    let base_checks = base_topology.is_some();
    let mut topologies: Vec<(String, Topology)> = Vec::new();
    if let Some(topology) = base_topology {
        topologies.push(("the base stack".to_string(), topology));
    }
    for name in &names {
        let checked = check_with(
            &sources_out,
            file,
            &CheckOptions {
                loader,
                environment: Some(name),
            },
        );
        sources_out = checked.sources;
        for diagnostic in checked.diagnostics.iter() {
            if !diagnostics
                .iter()
                .any(|d| same(d, diagnostic, &sources_out))
            {
                let mut diagnostic = diagnostic.clone();
                diagnostic.message = format!("{} (in environment `{name}`)", diagnostic.message);
                diagnostics.push(diagnostic);
            }
        }
        if let Some(topology) = checked.topology {
            topologies.push((format!("environment `{name}`"), topology));
        }
    }
    cross_environment(&topologies, &mut diagnostics);
    shared_hostnames(&topologies, &mut diagnostics);
    // The base stack's topology comes first, when it checked.
    let topology = (base_checks && !diagnostics.has_errors()).then(|| topologies.swap_remove(0).1);
    Checked {
        topology,
        diagnostics,
        sources: sources_out,
        environments: names,
    }
}

/// The same problem at the same place: in the same file by name, since each
/// check has its own copies of modules and templates.
fn same(a: &Diagnostic, b: &Diagnostic, sources: &Sources) -> bool {
    let (x, y) = (a.primary.span, b.primary.span);
    a.code == b.code
        && a.message == b.message
        && (x.start, x.end) == (y.start, y.end)
        && sources.get(x.file).name == sources.get(y.file).name
}

/// No app name in two environments, and no environment naming another's apps.
fn cross_environment(topologies: &[(String, Topology)], diagnostics: &mut Diagnostics) {
    let mut owner: BTreeMap<&str, (&str, crate::span::Span)> = BTreeMap::new();
    for (env, topology) in topologies {
        // Fly Postgres and Upstash Redis are apps too: a staging deploy.sh
        // must never attach production's database.
        let services = topology
            .stack
            .services
            .iter()
            .map(|s| (&s.app, s.name.span));
        let stores = topology.stack.stores.iter().map(|s| (&s.app, s.name.span));
        for (app, name) in services.chain(stores) {
            if let Some((other, _)) = owner.get(app.value.as_str())
                && *other != env.as_str()
            {
                diagnostics.push(
                    Diagnostic::new(
                        Code::E0325,
                        app.span,
                        format!("app `{}` is in both {other} and {env}", app.value),
                    )
                    .label("the same Fly app for two environments")
                    .help(if app.span == name {
                        "give the environment its own `prefix`, so each deploys its own apps"
                    } else {
                        "an `app` written out is the same in every environment: set it again in the environment's block for this one"
                    }),
                );
            } else {
                owner.insert(&app.value, (env, app.span));
            }
        }
    }
    for (env, topology) in topologies {
        for (i, service) in topology.stack.services.iter().enumerate() {
            for (span, text) in resolved_texts(service, &topology.resolved[i]) {
                for app in addressed_apps(text) {
                    let Some((other, _)) = owner.get(app) else {
                        continue;
                    };
                    if *other == env.as_str() {
                        continue;
                    }
                    diagnostics.push(
                        Diagnostic::new(
                            Code::E0326,
                            span,
                            format!(
                                "`{}` in {env} refers to `{app}`, an app of {other}",
                                service.name.value
                            ),
                        )
                        .label("reaches into another environment")
                        .help("refer to services by reference (`api.url`), so each environment resolves to its own apps"),
                    );
                }
            }
        }
    }
}

/// No custom domain in two environments (E0329): the certificate of a
/// hostname belongs to one app, and a staging deploy must not take
/// production's.
fn shared_hostnames(topologies: &[(String, Topology)], diagnostics: &mut Diagnostics) {
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    for (env, topology) in topologies {
        for service in &topology.stack.services {
            for host in service.domains() {
                match owner.get(host.value.as_str()) {
                    Some(other) if *other != env.as_str() => diagnostics.push(
                        Diagnostic::new(
                            Code::E0329,
                            host.span,
                            format!(
                                "custom domain `{}` is in both {other} and {env}",
                                host.value
                            ),
                        )
                        .label("the same hostname for two environments")
                        .help(format!(
                            "set `domains` again in the environment's `service {} {{ http {{ ... }} }}`: its own hostnames, or `domains = []`",
                            service.name.value
                        )),
                    ),
                    Some(_) => {}
                    None => {
                        owner.insert(&host.value, env);
                    }
                }
            }
        }
    }
}

/// A service's env values and build arguments as they will be deployed, each
/// with where it was written.
fn resolved_texts<'a>(
    service: &'a crate::model::Service,
    resolved: &'a crate::topology::Resolved,
) -> impl Iterator<Item = (crate::span::Span, &'a str)> {
    let env = service.env.iter().zip(&resolved.env);
    let args = service.source.build_args().iter().zip(&resolved.build_args);
    env.chain(args)
        .map(|(var, (_, value))| (var.value.span, value.as_str()))
}

/// The apps a text addresses: `<app>` in `<app>.internal`, `<app>.flycast`
/// and `<app>.fly.dev`.
fn addressed_apps(text: &str) -> Vec<&str> {
    let mut apps = Vec::new();
    for suffix in [".internal", ".flycast", ".fly.dev"] {
        for (at, _) in text.match_indices(suffix) {
            let start = text[..at]
                .char_indices()
                .rev()
                .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-'))
                .map_or(0, |(i, c)| i + c.len_utf8());
            if start < at {
                apps.push(&text[start..at]);
            }
        }
    }
    apps
}
