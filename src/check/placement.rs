//! Where machines and volumes go: primary regions, volume placement, and the
//! deploy strategies Fly allows with volumes.
//!
//! A volume lives in one region, on one host, and serves one machine; a service
//! running N machines in a region needs N volumes there.

use std::collections::BTreeMap;

use super::compute::{VmSection, guest};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::fly::Region;
use crate::lower::schedule::CRON_GROUP;
use crate::model::{Service, Strategy};
use crate::span::Spanned;
use crate::topology::{GroupMachines, VolumePlacement};

/// Where each process group's machines run: its count, or the one machine in
/// the primary region that its first deploy gives it.
pub fn machines(
    service: &Service,
    groups: &[String],
    sections: &[VmSection<'_>],
    primary: Region,
) -> Vec<GroupMachines> {
    let schedules = !service.schedules.is_empty();
    groups
        .iter()
        .map(|group| (group, guest(sections, group)))
        .map(
            |(group, guest)| match service.count.of_group(group, primary) {
                // Exactly one machine runs the schedules, whatever else is counted.
                _ if schedules && group == CRON_GROUP => GroupMachines {
                    group: group.clone(),
                    placements: vec![(primary, 1)],
                    counted: true,
                    guest,
                },
                Some(placements) => GroupMachines {
                    group: group.clone(),
                    placements,
                    counted: true,
                    guest,
                },
                None => GroupMachines {
                    group: group.clone(),
                    placements: vec![(primary, 1)],
                    counted: false,
                    guest,
                },
            },
        )
        .collect()
}

/// Machines per region of the groups `wanted` accepts, together, in region order.
pub fn machines_of(
    machines: &[GroupMachines],
    wanted: impl Fn(&str) -> bool,
) -> Vec<(Region, u32)> {
    let mut per_region: BTreeMap<Region, u32> = BTreeMap::new();
    for group in machines.iter().filter(|m| wanted(&m.group)) {
        for (region, count) in &group.placements {
            *per_region.entry(*region).or_default() += count;
        }
    }
    per_region.into_iter().collect()
}

/// The groups a section applies to: its `processes`, or the default group.
pub fn section_groups<'a>(
    processes: &'a [Spanned<String>],
    default_group: &'a str,
) -> impl Fn(&str) -> bool + 'a {
    move |group| {
        if processes.is_empty() {
            group == default_group
        } else {
            processes.iter().any(|p| p.value == group)
        }
    }
}

/// The primary region, or an E0309 diagnostic.
pub fn primary_region(service: &Service, diagnostics: &mut Diagnostics) -> Option<Region> {
    if let Some(region) = service.region {
        return Some(region.value);
    }
    let why = if service.volumes.is_empty() {
        "Fly places new machines in the primary region"
    } else {
        "Fly places new machines in the primary region, and `[mounts]` requires one"
    };
    diagnostics.push(
        Diagnostic::new(
            Code::E0309,
            service.name.span,
            format!("service `{}` has no primary region", service.name.value),
        )
        .label(why)
        .help("add `region = sjc` (or another region) to the project or to this service"),
    );
    None
}

/// Where each volume goes, one per machine of the groups that mount it.
pub fn volumes(
    service: &Service,
    machines: &[GroupMachines],
    default_group: &str,
    diagnostics: &mut Diagnostics,
) -> Vec<VolumePlacement> {
    let mut out = Vec::new();
    for (index, volume) in service.volumes.iter().enumerate() {
        let mounts = section_groups(&volume.processes, default_group);
        let counted = machines
            .iter()
            .filter(|m| mounts(&m.group))
            .all(|m| m.counted);
        // flyctl's first deploy passes the machine's size to `volumes
        // create` (deploy_first.go, ComputeRequirements) so the volume lands on
        // a host that can run it; deploy.sh does the same with this one.
        let guest = machines
            .iter()
            .filter(|m| mounts(&m.group))
            .map(|m| m.guest)
            .max_by_key(|g| {
                (
                    g.cpu_kind == crate::fly::CpuKind::Performance,
                    g.cpus,
                    g.memory_mb,
                )
            })
            .unwrap_or_else(|| super::compute::guest(&[], default_group));
        let placements = machines_of(machines, mounts);
        for region in &volume.regions {
            if !placements.iter().any(|(r, _)| *r == region.value) {
                diagnostics.push(
                    Diagnostic::new(
                        Code::E0310,
                        region.span,
                        format!(
                            "volume `{}` is placed in `{}`, where `{}` runs no machine",
                            volume.name.value, region.value, service.name.value
                        ),
                    )
                    .label("no machine here to mount it")
                    .help(format!(
                        "add `{}` to the `count` of `{}`, or remove it from `regions`",
                        region.value, service.name.value
                    )),
                );
            }
        }
        for &(region, count) in &placements {
            if !volume.regions.is_empty() && !volume.regions.iter().any(|r| r.value == region) {
                diagnostics.push(
                    Diagnostic::new(
                        Code::E0310,
                        volume.name.span,
                        format!(
                            "`{}` runs {count} machine{} in `{region}`, where volume `{}` is not placed",
                            service.name.value,
                            if count == 1 { "" } else { "s" },
                            volume.name.value
                        ),
                    )
                    .label("these machines would have nothing to mount")
                    .help(format!("add `{region}` to the volume's `regions`, or remove `regions` to place it wherever the service runs")),
                );
                continue;
            }
            out.push(VolumePlacement {
                volume: index,
                region,
                count,
                counted,
                guest,
            });
        }
    }
    out
}

/// Canary and blue-green deploys create extra machines, which cannot get the
/// volumes of the machines they replace; blue-green also needs a health check.
pub fn strategy(service: &Service, diagnostics: &mut Diagnostics) {
    let Some(strategy) = service.deploy.strategy else {
        return;
    };
    if matches!(strategy.value, Strategy::Canary | Strategy::Bluegreen)
        && let Some(volume) = service.volumes.first()
    {
        diagnostics.push(
            Diagnostic::new(
                Code::E0312,
                strategy.span,
                format!(
                    "`{}` deploys cannot be used with volumes",
                    strategy.value.as_str()
                ),
            )
            .label("this strategy starts new machines beside the old ones")
            .also(
                volume.name.span,
                "a volume serves one machine and cannot follow it",
            )
            .help("use `strategy = rolling` or `immediate` for a service with volumes"),
        );
    }
    if strategy.value == Strategy::Bluegreen && !has_health_check(service) {
        diagnostics.push(
            Diagnostic::new(
                Code::E0313,
                strategy.span,
                "a blue-green deploy needs a health check",
            )
            .label("Fly switches traffic when the new machines pass their checks")
            .help("add a `check` block to the service or to its `http` block"),
        );
    }
}

fn has_health_check(service: &Service) -> bool {
    !service.checks.is_empty()
        || service.http.iter().any(|h| !h.checks.is_empty())
        || service.ports.iter().any(|p| !p.checks.is_empty())
}

/// flyctl allows one `[[mounts]]` per process group.
pub fn one_volume_per_group(service: &Service, default_group: &str, diagnostics: &mut Diagnostics) {
    let mut seen: Vec<(String, &crate::model::Volume)> = Vec::new();
    for volume in &service.volumes {
        let groups: Vec<String> = if volume.processes.is_empty() {
            vec![default_group.to_string()]
        } else {
            volume.processes.iter().map(|p| p.value.clone()).collect()
        };
        for group in groups {
            if let Some((_, first)) = seen.iter().find(|(g, _)| *g == group) {
                diagnostics.push(
                    Diagnostic::new(
                        Code::E0311,
                        volume.name.span,
                        format!(
                            "process group `{group}` of `{}` would mount two volumes",
                            service.name.value
                        ),
                    )
                    .label("a second volume for the same machines")
                    .also(first.name.span, "the first volume")
                    .help("Fly mounts one volume per machine: use one volume with subfolders, or give each volume its own `processes`"),
                );
            } else {
                seen.push((group, volume));
            }
        }
    }
}

/// `min_running` counts machines in the primary region only (Fly's
/// `min_machines_running`): above the machines the service runs there, Fly
/// keeps no more running than it has, and the setting promises what it
/// cannot give.
pub fn min_running_fits(
    service: &Service,
    primary: Region,
    machines: &[GroupMachines],
    default_group: &str,
    diagnostics: &mut Diagnostics,
) {
    let sections = service
        .http
        .iter()
        .map(|h| &h.proxy)
        .chain(service.ports.iter().map(|p| &p.proxy));
    for proxy in sections {
        let Some(min) = proxy.min_running else {
            continue;
        };
        let in_primary = machines_of(machines, section_groups(&proxy.processes, default_group))
            .iter()
            .find(|(region, _)| *region == primary)
            .map_or(0, |(_, count)| *count);
        if min.value <= in_primary {
            continue;
        }
        diagnostics.push(
            Diagnostic::new(
                Code::W0303,
                min.span,
                format!(
                    "`min_running = {}` is more machines than `{}` runs in its primary region, {} ({in_primary})",
                    min.value,
                    service.name.value,
                    primary.code()
                ),
            )
            .label("Fly keeps at most the machines there are")
            .help(format!(
                "Fly counts `min_running` in the primary region only: raise `count` in {} to {}, or lower `min_running`",
                primary.code(),
                min.value
            )),
        );
    }
}

/// LiteFS, what Fly's Consul is for, warns against stopping idle machines: a
/// stopped primary holds no lease, and replicas stopped by the proxy miss
/// writes until they wake.
pub fn consul_without_auto_stop(service: &Service, diagnostics: &mut Diagnostics) {
    if !service.consul.is_some_and(|c| c.value) {
        return;
    }
    let stops = service
        .http
        .iter()
        .map(|h| &h.proxy)
        .chain(service.ports.iter().map(|p| &p.proxy))
        .filter_map(|proxy| {
            proxy
                .auto_stop
                .filter(|a| a.value != crate::model::AutoStop::Off)
        })
        .next();
    let (Some(auto_stop), Some(consul)) = (stops, service.consul) else {
        return;
    };
    diagnostics.push(
        Diagnostic::new(
            Code::W0304,
            auto_stop.span,
            format!(
                "`{}` asks for Consul, for LiteFS, and stops idle machines",
                service.name.value
            ),
        )
        .label("the proxy stops idle machines")
        .also(consul.span, "Consul holds LiteFS's primary lease")
        .help("LiteFS's docs warn against autostop: set `auto_stop = off` and `min_running` to the machines LiteFS needs"),
    );
}
