//! Stage 3, check: how every service is reached when it runs locally under
//! Compose: compose service names, published host ports, local addresses.

use std::collections::BTreeSet;

use crate::model::{Protocol, Service, Stack};
use crate::topology::{LocalPort, ServiceId};

use super::config;

/// Redis listens here in its local container.
pub const REDIS_PORT: u16 = 6379;

/// The lowest host port picked when a wanted one is taken or privileged.
const FIRST_FREE: u16 = 1024;

/// The group that keeps the service's own name under Compose: the one serving
/// the `http` block, else the first port's, else the default group.
pub fn primary_group(service: &Service) -> String {
    let groups = config::process_groups(service);
    let section = service
        .http
        .as_ref()
        .map(|h| &h.proxy.processes)
        .or_else(|| service.ports.first().map(|p| &p.proxy.processes));
    section.and_then(|processes| processes.first()).map_or_else(
        || config::default_group(&groups).to_string(),
        |g| g.value.clone(),
    )
}

/// The Compose service name of one process group: the service's name for its
/// primary group, `<service>-<group>` for the others.
pub fn compose_name(service: &Service, group: &str) -> String {
    if group == primary_group(service) {
        service.name.value.clone()
    } else {
        format!("{}-{group}", service.name.value)
    }
}

/// The ports one service listens on, with the group serving each: the `http`
/// block's port first, then each `port` block in source order.
fn listened(service: &Service) -> Vec<(u16, Protocol, String)> {
    let groups = config::process_groups(service);
    let group_of = |processes: &[crate::span::Spanned<String>]| {
        processes.first().map_or_else(
            || config::default_group(&groups).to_string(),
            |g| g.value.clone(),
        )
    };
    let http = service
        .http
        .iter()
        .map(|h| (h.port.value, Protocol::Tcp, group_of(&h.proxy.processes)));
    let ports = service
        .ports
        .iter()
        .map(|p| (p.internal.value, p.protocol, group_of(&p.proxy.processes)));
    http.chain(ports).collect()
}

/// Host ports for every service, parallel to `stack.services`. Services are
/// taken by name; each port gets its container port when that is free and
/// not privileged, else the next free port from there (from 1024 for a
/// privileged one). The same stack always gets the same ports.
pub fn host_ports(stack: &Stack) -> Vec<Vec<LocalPort>> {
    let mut ids: Vec<ServiceId> = (0..stack.services.len()).map(ServiceId).collect();
    ids.sort_by(|a, b| {
        stack.services[a.0]
            .name
            .value
            .cmp(&stack.services[b.0].name.value)
    });
    let mut taken = BTreeSet::new();
    let mut out = vec![Vec::new(); stack.services.len()];
    for id in ids {
        let service = &stack.services[id.0];
        for (container, protocol, group) in listened(service) {
            let host = free_port(container, &mut taken);
            out[id.0].push(LocalPort {
                container,
                host,
                protocol,
                compose_service: compose_name(service, &group),
            });
        }
    }
    out
}

/// The first free port from `wanted` (from 1024 when `wanted` is
/// privileged), marked as taken.
pub fn free_port(wanted: u16, taken: &mut BTreeSet<u16>) -> u16 {
    let mut port = wanted.max(FIRST_FREE);
    while taken.contains(&port) {
        port = if port == u16::MAX {
            FIRST_FREE
        } else {
            port + 1
        };
    }
    taken.insert(port);
    port
}

/// The `local` block applied to a service's env: `unset` names removed, then
/// each local variable replacing the one of the same name in place, or added
/// at the end.
pub fn apply_overrides(
    env: &mut Vec<(String, String)>,
    unset: &[crate::span::Spanned<String>],
    overrides: Vec<(String, String)>,
) {
    env.retain(|(name, _)| !unset.iter().any(|u| &u.value == name));
    for (name, value) in overrides {
        match env.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => env.push((name, value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_port_is_kept_and_a_taken_one_moves_to_the_next_free() {
        let mut taken = BTreeSet::new();
        assert_eq!(free_port(8080, &mut taken), 8080);
        assert_eq!(free_port(8080, &mut taken), 8081);
        assert_eq!(free_port(8081, &mut taken), 8082);
        assert_eq!(free_port(3000, &mut taken), 3000);
    }

    #[test]
    fn a_privileged_port_is_published_from_1024() {
        let mut taken = BTreeSet::new();
        assert_eq!(free_port(80, &mut taken), 1024);
        assert_eq!(free_port(443, &mut taken), 1025);
        assert_eq!(free_port(1024, &mut taken), 1026);
    }

    #[test]
    fn local_overrides_replace_in_place_add_at_the_end_and_unset() {
        let mut env = vec![
            ("A".to_string(), "1".to_string()),
            ("B".to_string(), "2".to_string()),
            ("C".to_string(), "3".to_string()),
        ];
        let unset = [crate::span::Spanned::new(
            "B".to_string(),
            crate::span::Span::default(),
        )];
        apply_overrides(
            &mut env,
            &unset,
            vec![("C".into(), "x".into()), ("D".into(), "4".into())],
        );
        let names: Vec<String> = env.iter().map(|(n, v)| format!("{n}={v}")).collect();
        assert_eq!(names, ["A=1", "C=x", "D=4"]);
    }
}
