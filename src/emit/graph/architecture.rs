//! ARCHITECTURE.md: the Mermaid diagram and a table of every service, like the
//! service table a team would otherwise keep by hand.

use std::fmt::Write as _;

use super::diagram::Diagram;
use crate::cost::{self, Prices};
use crate::model::{Postgres, Service, StoreKind, Via};
use crate::topology::{ServiceId, Topology};

/// The document.
pub fn render(topology: &Topology, source: &str, header: &str) -> String {
    let diagram = Diagram::of(topology);
    let project = &topology.stack.project.name.value;
    let mut out = String::new();
    let _ = writeln!(out, "<!-- {} -->", header.trim_start_matches("# "));
    let _ = writeln!(out, "# {project}: architecture\n");
    let _ = writeln!(
        out,
        "The stack `{source}` describes, as `flyx build` deploys it. Rows are deploy\nlevels: each service deploys after the ones it links to.\n"
    );
    out.push_str("```mermaid\n");
    out.push_str(&super::mermaid::render(&diagram, header));
    out.push_str("```\n\n## Services\n\n");
    out.push_str(
        "| service | app | address | ports | volumes | secrets | regions | VM | machines |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for (level, ids) in topology.levels.iter().enumerate().rev() {
        for id in ids {
            let _ = writeln!(out, "{}", service_row(topology, *id, level));
        }
    }
    domains_section(topology, &mut out);
    if !topology.stack.stores.is_empty() {
        let by_name = topology.services_by_name();
        out.push_str("\n## Data stores\n\n| store | kind | name | region | used by |\n|---|---|---|---|---|\n");
        for (i, store) in topology.stack.stores.iter().enumerate() {
            let kind = match &store.kind {
                StoreKind::Postgres(Postgres::Managed(mpg)) => format!(
                    "Managed Postgres ({} plan, Postgres {}, {} GB)",
                    mpg.plan.value.as_str(),
                    mpg.version.value,
                    mpg.volume_gb.value,
                ),
                StoreKind::Postgres(Postgres::Legacy(pg)) => format!(
                    "Fly Postgres, unmanaged ({}, {} GB, {} node{})",
                    pg.vm_size.value,
                    pg.volume_gb.value,
                    pg.cluster_size.value,
                    if pg.cluster_size.value == 1 { "" } else { "s" }
                ),
                StoreKind::Redis(_) => "Upstash Redis".to_string(),
            };
            let users: Vec<String> = by_name
                .iter()
                .copied()
                .filter_map(|id| {
                    let attachment = topology
                        .resolved(id)
                        .attachments
                        .iter()
                        .find(|a| a.store.0 == i)?;
                    Some(format!(
                        "{} (`{}`)",
                        topology.service(id).name.value,
                        attachment.secret
                    ))
                })
                .collect();
            let _ = writeln!(
                out,
                "| {} | {kind} | `{}` | {} | {} |",
                store.name.value,
                store.app.value,
                store
                    .region
                    .map_or(String::new(), |r| r.value.code().to_string()),
                users.join(", ")
            );
        }
    }
    if !topology.secrets.is_empty() {
        out.push_str("\n## Secrets\n\nValues are never in this repository: `deploy.sh` reads them from the environment\nor from `--secrets-file`.\n\n| secret | services |\n|---|---|\n");
        for (secret, ids) in &topology.secrets {
            let names: Vec<&str> = ids
                .iter()
                .map(|id| topology.service(*id).name.value.as_str())
                .collect();
            let _ = writeln!(out, "| `{secret}` | {} |", names.join(", "));
        }
    }
    let estimate = cost::estimate(topology, &Prices::builtin(), None);
    out.push_str(&cost::to_markdown(&estimate));
    out
}

fn service_row(topology: &Topology, id: ServiceId, level: usize) -> String {
    let service = topology.service(id);
    let resolved = topology.resolved(id);
    let address = address(service, resolved.public, resolved.private_via);
    let mut ports: Vec<String> = service
        .http
        .iter()
        .map(|h| format!("{} (http)", h.port.value))
        .chain(
            service
                .ports
                .iter()
                .map(|p| format!("{} ({})", p.internal.value, p.protocol.as_str())),
        )
        .collect();
    if ports.is_empty() {
        ports.push("none".into());
    }
    let volumes: Vec<String> = service
        .volumes
        .iter()
        .map(|v| {
            format!(
                "`{}` {} GB at `{}`",
                v.name.value,
                v.size_gb.map_or(1, |s| s.value),
                v.mount.value
            )
        })
        .collect();
    let secrets: Vec<String> = service
        .secrets
        .iter()
        .map(|s| format!("`{}`", s.value))
        .chain(
            resolved
                .attachments
                .iter()
                .map(|a| format!("`{}`", a.secret)),
        )
        .collect();
    let regions: Vec<&str> = resolved.placements.iter().map(|(r, _)| r.code()).collect();
    let machines = machines(resolved);
    format!(
        "| {} (level {level}) | `{}` | {address} | {} | {} | {} | {} | {} | {} |",
        service.name.value,
        service.app.value,
        ports.join(", "),
        or_dash(volumes.join(", ")),
        or_dash(secrets.join(", ")),
        regions.join(", "),
        vm(topology.resolved(id)),
        machines
    )
}

/// The custom domains, in deploy order, with what deploy.sh does for each.
fn domains_section(topology: &Topology, out: &mut String) {
    let services: Vec<&Service> = topology
        .levels
        .iter()
        .flatten()
        .map(|id| topology.service(*id))
        .filter(|s| !s.domains().is_empty())
        .collect();
    if services.is_empty() {
        return;
    }
    out.push_str("\n## Custom domains\n\n`deploy.sh` adds each certificate once the app is deployed, and ends by printing\nthe DNS records each hostname still needs (an A record alone cannot validate one).\n\n| hostname | service | app | check |\n|---|---|---|---|\n");
    for service in services {
        for host in service.domains() {
            let _ = writeln!(
                out,
                "| `{}` | {} | `{}` | `fly certs check {} -a {}` |",
                host.value, service.name.value, service.app.value, host.value, service.app.value
            );
        }
    }
}

/// The public URL, or the private address others reach it at.
fn address(service: &Service, public: bool, private_via: Option<Via>) -> String {
    let app = &service.app.value;
    if let Some(http) = service.http.as_ref().filter(|h| public && h.public.value) {
        let mut urls: Vec<String> = http
            .domains
            .iter()
            .filter(|d| !d.value.starts_with("*."))
            .map(|d| format!("https://{}", d.value))
            .collect();
        urls.push(format!("https://{app}.fly.dev"));
        return urls.join(", ");
    }
    if public {
        return format!("`{app}.fly.dev`");
    }
    match private_via {
        Some(via) => format!("`{app}.{}` (private)", via.domain()),
        None => "- (no port)".to_string(),
    }
}

/// The machine of each process group (check's `Guest`): one when they
/// agree, else per group.
fn vm(resolved: &crate::topology::Resolved) -> String {
    let describe = |guest: &crate::check::compute::Guest| {
        format!("{}, {} MB", guest.preset(), guest.memory_mb)
    };
    let guests: Vec<String> = resolved
        .machines
        .iter()
        .map(|m| describe(&m.guest))
        .collect();
    match guests.as_slice() {
        [] => "shared-cpu-1x, 256 MB".to_string(),
        [first, rest @ ..] if rest.iter().all(|g| g == first) => first.clone(),
        _ => resolved
            .machines
            .iter()
            .zip(&guests)
            .map(|(m, guest)| format!("{}: {guest}", m.group))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn or_dash(text: String) -> String {
    if text.is_empty() {
        "-".to_string()
    } else {
        text
    }
}

/// Machines per region, and per process group when there are several:
/// `2 in sjc`, or `beat: 1 in sjc; web: 2 in sjc, 1 in ams`.
fn machines(resolved: &crate::topology::Resolved) -> String {
    let in_regions = |placements: &[(crate::fly::Region, u32)]| {
        placements
            .iter()
            .map(|(r, n)| format!("{n} in {r}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if resolved.machines.len() < 2 {
        return in_regions(&resolved.placements);
    }
    resolved
        .machines
        .iter()
        .map(|m| format!("{}: {}", m.group, in_regions(&m.placements)))
        .collect::<Vec<_>>()
        .join("; ")
}
