//! Stage 3, check: post-deploy steps, which deploy.sh runs over `fly ssh
//! console` and so need a started machine on their target.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{PostDeploy, ProxySettings, Service};

use super::config::{default_group, process_groups};

/// Whether the Fly proxy may stop every machine of `service`: each of its
/// process groups is served by a section that stops idle machines, and no
/// section serving it keeps one running (`min_running` of 1 or more). A
/// group no proxy section serves is never stopped by the proxy. Fly's
/// `min_machines_running` defaults to 0, and flyx writes `auto_stop_machines
/// = "off"` when `auto_stop` is not set.
pub fn can_stop_every_machine(service: &Service) -> bool {
    let groups = process_groups(service);
    let default = default_group(&groups);
    let sections: Vec<&ProxySettings> = service
        .http
        .iter()
        .map(|h| &h.proxy)
        .chain(service.ports.iter().map(|p| &p.proxy))
        .collect();
    let serves = |proxy: &ProxySettings, group: &str| {
        if proxy.processes.is_empty() {
            group == default
        } else {
            proxy.processes.iter().any(|p| p.value == group)
        }
    };
    groups.iter().all(|group| {
        let serving: Vec<&&ProxySettings> = sections.iter().filter(|p| serves(p, group)).collect();
        serving.iter().any(|p| p.auto_stops())
            && serving
                .iter()
                .all(|p| p.min_running.is_none_or(|m| m.value == 0))
    })
}

/// A step whose target can have no started machine: `fly ssh console` then
/// finds nothing to connect to, and deploy.sh stops there.
pub fn stoppable_target(step: &PostDeploy, target: &Service, diagnostics: &mut Diagnostics) {
    if !can_stop_every_machine(target) {
        return;
    }
    let name = &target.name.value;
    diagnostics.push(
        Diagnostic::new(
            Code::E0327,
            step.span,
            format!(
                "post-deploy step `{}` runs over ssh on `{name}`, whose machines can all be stopped",
                step.name.value
            ),
        )
        .label(format!(
            "`fly ssh console` needs a started machine of `{name}`, and an idle one may have none"
        ))
        .help(format!(
            "move the command to `release_command` (it runs on a temporary machine before the new version serves), or set `min_running = 1` beside the `auto_stop` of `{name}`"
        )),
    );
}
