//! Import, mapping: `[mounts]`, `[[vm]]` and `[deploy]` become `volume`, `vm`
//! and `deploy` blocks (`internal/appconfig/config.go`, `patches.go:
//! patchMounts`, `patchCompute`).

use super::*;

impl Reader<'_> {
    /// `mounts`, `mount`: a table or an array (`patches.go: patchMounts`).
    pub(super) fn mounts(&mut self, root: &Node, block: &mut Block) {
        let mut all = Vec::new();
        for key in ["mounts", "mount"] {
            if let Some(node) = root.get(key) {
                all.extend(node.items());
            }
        }
        for mount in all {
            if let Some(v) = self.mount(mount) {
                block.block(v);
            }
        }
    }

    pub(super) fn mount(&mut self, mount: &Node) -> Option<Block> {
        self.warn_unknown(
            mount,
            &[
                "source",
                "destination",
                "initial_size",
                "snapshot_retention",
                "scheduled_snapshots",
                "auto_extend_size_threshold",
                "auto_extend_size_increment",
                "auto_extend_size_limit",
                "processes",
            ],
            "mounts.",
        );
        let Some(source) = mount.get("source").and_then(Node::as_str) else {
            let d = Diagnostic::new(
                Code::E0504,
                self.key_span(mount),
                "this mount names no volume (`source`)",
            )
            .label("no `source`")
            .help("add `source = \"NAME\"`, the volume's name");
            self.push(d);
            return None;
        };
        let mut v = Block::named("volume", source);
        if let Some(dest) = mount
            .get("destination")
            .and_then(|d| self.string(d, "mounts.destination"))
        {
            v.attr("mount", Value::Str(dest));
        }
        if let Some(size) = mount.get("initial_size") {
            match units::volume_gb(size) {
                Ok(gb) => v.attr("size", Value::Bare(format!("{gb}gb"))),
                Err(why) => self.bad_value(size, "mounts.initial_size", &why),
            }
        }
        if let Some(days) = mount.get("snapshot_retention")
            && let Some(n) = self.int(days, "mounts.snapshot_retention")
        {
            v.attr("snapshot_retention", Value::Num(n.to_string()));
        }
        if let Some(on) = mount.get("scheduled_snapshots")
            && let Some(b) = self.boolean(on, "mounts.scheduled_snapshots")
        {
            v.attr("scheduled_snapshots", Value::Bool(b));
        }
        let mut extend = Block::new("auto_extend");
        if let Some(t) = mount.get("auto_extend_size_threshold")
            && let Some(n) = self.int(t, "mounts.auto_extend_size_threshold")
        {
            extend.attr("threshold", Value::Num(n.to_string()));
        }
        for (key, attr) in [
            ("auto_extend_size_increment", "increment"),
            ("auto_extend_size_limit", "limit"),
        ] {
            if let Some(size) = mount.get(key) {
                match units::volume_gb(size) {
                    Ok(gb) => extend.attr(attr, Value::Bare(format!("{gb}gb"))),
                    Err(why) => self.bad_value(size, &format!("mounts.{key}"), &why),
                }
            }
        }
        v.block_if_any(extend);
        if let Some(processes) = mount.get("processes")
            && let Some(p) = self.names(processes, "mounts.processes")
        {
            v.attr("processes", p);
        }
        Some(v)
    }

    /// `vm`, `compute`, `computes`: tables or arrays merged (`patches.go: patchCompute`).
    pub(super) fn vms(&mut self, root: &Node, block: &mut Block, groups: &[String]) {
        let mut all = Vec::new();
        for key in ["vm", "compute", "computes"] {
            if let Some(node) = root.get(key) {
                all.extend(node.items());
            }
        }
        for vm in all {
            if self.applies_to_no_group(vm, groups) {
                continue;
            }
            if let Some(b) = self.vm(vm) {
                block.block(b);
            }
        }
    }

    /// A `[[vm]]` whose `processes` name no group of the app sizes no
    /// machine: flyctl picks a group's VM by its name (`processgroups.go:
    /// ComputeForGroup`) and checks no other. The usual case is
    /// `processes = ["release_command"]`: the release machine's size comes
    /// from `[deploy] release_command_vm` or the app's VM
    /// (`machines.go: ToReleaseMachineConfig`,
    /// `machines_releasecommand.go: inferReleaseCommandGuest`), never from
    /// `[[vm]]`. Such a section is dropped with W0501.
    fn applies_to_no_group(&mut self, vm: &Node, groups: &[String]) -> bool {
        let Some(processes) = vm.get("processes") else {
            return false;
        };
        let Some(names) = processes.strings() else {
            return false;
        };
        if names.is_empty() || names.iter().any(|n| groups.contains(n)) {
            return false;
        }
        let d = Diagnostic::new(
            Code::W0501,
            self.span(processes),
            format!(
                "this `[[vm]]` is for {}, which the app does not run; it is dropped",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .label("flyctl sizes no machine from it")
        .help(
            "a release command machine takes `[deploy] release_command_vm`, else the app's VM; \
             delete this section from the fly.toml too",
        );
        self.push(d);
        true
    }

    pub(super) fn vm(&mut self, vm: &Node) -> Option<Block> {
        self.warn_unknown(
            vm,
            &[
                "size",
                "memory",
                "cpu_kind",
                "cpus",
                "memory_mb",
                "max_memory_mb",
                "gpus",
                "gpu_kind",
                "host_dedication_id",
                "persist_rootfs",
                "kernel_args",
                "processes",
            ],
            "vm.",
        );
        let size = vm.get("size").and_then(Node::as_str);
        let gpu = vm.get("gpu_kind").or_else(|| vm.get("gpus"));
        let gpu_preset = size.is_some_and(|s| s.starts_with("a100") || s == "l40s" || s == "a10");
        if gpu.is_some() || gpu_preset {
            let at = gpu.or_else(|| vm.get("size")).unwrap_or(vm);
            let d = Diagnostic::new(Code::E0506, self.span(at), "GPU machines are discontinued")
                .label("flyctl refuses GPU presets")
                .help("choose a CPU preset (`performance-8x`) or run the model elsewhere");
            self.push(d);
            return None;
        }
        let mut b = Block::new("vm");
        let preset = match size {
            Some(name) => match crate::fly::preset_named(name) {
                Some(p) => {
                    b.attr("size", Value::Str(name.to_string()));
                    Some(p)
                }
                None => {
                    self.bad_value(
                        vm.get("size").unwrap_or(vm),
                        "vm.size",
                        "it is not a Fly preset",
                    );
                    return None;
                }
            },
            None => None,
        };
        let memory = match vm.get("memory_mb").or_else(|| vm.get("memory")) {
            Some(node) => match units::memory_mb(node) {
                Ok(mb) => Some((mb, node)),
                Err(why) => {
                    self.bad_value(node, "vm.memory", &why);
                    None
                }
            },
            None => None,
        };
        let cpus = vm.get("cpus").and_then(|n| self.int(n, "vm.cpus"));
        let kind = match vm.get("cpu_kind").and_then(Node::as_str) {
            Some("performance") => crate::fly::CpuKind::Performance,
            Some(_) => crate::fly::CpuKind::Shared,
            None => preset.map_or(crate::fly::CpuKind::Shared, |p| p.cpu_kind),
        };
        if let Some((mb, node)) = memory {
            let n_cpus = cpus.unwrap_or_else(|| preset.map_or(1, |p| i64::from(p.cpus)));
            let (min, max) = kind.memory_per_cpu();
            let (min, max) = (min as i64 * n_cpus, max as i64 * n_cpus);
            if mb < min || mb > max {
                let d = Diagnostic::new(
                    Code::E0503,
                    self.span(node),
                    format!("{mb} MB does not fit {n_cpus} {} CPU(s)", kind.as_str()),
                )
                .label(format!("Fly allows {min}..{max} MB here"))
                .help("change the memory or the preset; Fly refuses the machine as written");
                self.push(d);
            }
            b.attr("memory", Value::Bare(units::flyx_megabytes(mb)));
        }
        if let Some(n) = cpus {
            b.attr("cpus", Value::Num(n.to_string()));
        }
        if let Some(k) = vm.get("cpu_kind").and_then(Node::as_str) {
            b.attr("cpu_kind", Value::Bare(k.to_string()));
        }
        for key in [
            "max_memory_mb",
            "host_dedication_id",
            "persist_rootfs",
            "kernel_args",
        ] {
            if let Some(node) = vm.get(key) {
                self.cannot_express(node, &format!("vm.{key}"), "flyx has no such VM setting");
            }
        }
        if let Some(processes) = vm.get("processes")
            && let Some(p) = self.names(processes, "vm.processes")
        {
            b.attr("processes", p);
        }
        Some(b)
    }

    pub(super) fn deploy(&mut self, deploy: &Node) -> Block {
        self.warn_unknown(
            deploy,
            &[
                "strategy",
                "max_unavailable",
                "wait_timeout",
                "release_command",
                "release_command_timeout",
                "release_command_vm",
                "seed_command",
            ],
            "deploy.",
        );
        let mut d = Block::new("deploy");
        if let Some(s) = deploy
            .get("strategy")
            .and_then(|s| self.string(s, "deploy.strategy"))
        {
            d.attr("strategy", Value::Bare(s));
        }
        if let Some(c) = deploy
            .get("release_command")
            .and_then(|c| self.string(c, "deploy.release_command"))
        {
            d.attr("release_command", Value::Str(c));
        }
        for key in ["wait_timeout", "release_command_timeout"] {
            if let Some(t) = deploy.get(key)
                && let Some(v) = self.duration(t, IntUnit::Nanos, &format!("deploy.{key}"))
            {
                d.attr(key, v);
            }
        }
        if let Some(m) = deploy.get("max_unavailable") {
            match &m.kind {
                Kind::Int(n) => d.attr("max_unavailable", Value::Num(n.to_string())),
                Kind::Float(f) => d.attr("max_unavailable", Value::Num(f.to_string())),
                _ => self.bad_value(m, "deploy.max_unavailable", "it must be a number"),
            }
        }
        for key in ["release_command_vm", "seed_command"] {
            if let Some(node) = deploy.get(key) {
                self.cannot_express(
                    node,
                    &format!("deploy.{key}"),
                    "flyx has no such deploy setting",
                );
            }
        }
        d
    }
}
