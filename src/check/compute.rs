//! Stage 3, check: the `[[vm]]` sections each service's fly.toml gets, and the
//! machine each process group then runs on, as flyctl decides it
//! (`internal/appconfig/processgroups.go` `ComputeForGroup`, `machines.go`
//! `computeToGuest`). fly.toml, deploy.sh and `flyx cost` all read these.

use crate::fly::{CpuKind, DEFAULT_PRESET, preset_named};
use crate::model::{Service, Vm};

/// A `[[vm]]` section: the block and the groups it names (none: every group).
#[derive(Clone, Debug, PartialEq)]
pub struct VmSection<'a> {
    /// The block, the service's own or the project's.
    pub vm: &'a Vm,
    /// `processes`; empty for a section that applies to every group.
    pub processes: Vec<String>,
}

/// The machine a process group runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Guest {
    /// Shared or performance CPUs.
    pub cpu_kind: CpuKind,
    /// How many CPUs.
    pub cpus: u32,
    /// Memory, in MB.
    pub memory_mb: u64,
}

impl Guest {
    /// The preset with this kind and number of CPUs (`shared-cpu-2x`,
    /// `performance-4x`): what `fly volumes create --vm-size` and Fly's price
    /// list name.
    pub fn preset(&self) -> String {
        match self.cpu_kind {
            CpuKind::Shared => format!("shared-cpu-{}x", self.cpus),
            CpuKind::Performance => format!("performance-{}x", self.cpus),
        }
    }
}

/// The `[[vm]]` sections of a service: its own `vm` blocks, or the project's
/// when it has none. When every block of the service names its groups, the
/// project's block also covers the groups none of them names.
pub fn vm_sections<'a>(
    project: Option<&'a Vm>,
    service: &'a Service,
    groups: &[String],
) -> Vec<VmSection<'a>> {
    if service.vms.is_empty() {
        return project
            .map(|vm| VmSection {
                vm,
                processes: Vec::new(),
            })
            .into_iter()
            .collect();
    }
    let mut sections: Vec<VmSection<'a>> = service
        .vms
        .iter()
        .map(|vm| VmSection {
            vm,
            processes: vm.processes.iter().map(|p| p.value.clone()).collect(),
        })
        .collect();
    let every_block_scoped = service.vms.iter().all(|vm| !vm.processes.is_empty());
    let unnamed: Vec<String> = groups
        .iter()
        .filter(|group| !sections.iter().any(|s| s.processes.contains(group)))
        .cloned()
        .collect();
    if let (true, Some(project), false) = (every_block_scoped, project, unnamed.is_empty()) {
        sections.push(VmSection {
            vm: project,
            processes: unnamed,
        });
    }
    sections
}

/// The machine `group` runs on: the section naming it, else the section for
/// every group, applied over the preset it names (flyctl's default,
/// `shared-cpu-1x`, when it names none); flyctl's default machine when no
/// section applies.
pub fn guest(sections: &[VmSection<'_>], group: &str) -> Guest {
    let section = sections
        .iter()
        .find(|s| s.processes.iter().any(|p| p == group))
        .or_else(|| sections.iter().find(|s| s.processes.is_empty()));
    let size = section
        .and_then(|s| s.vm.size.map(|size| size.value))
        .unwrap_or(DEFAULT_PRESET);
    let mut guest = preset_guest(size);
    if let Some(vm) = section.map(|s| s.vm) {
        if let Some(memory) = vm.memory_mb {
            guest.memory_mb = memory.value;
        }
        if let Some(cpus) = vm.cpus {
            guest.cpus = cpus.value;
        }
        if let Some(kind) = vm.cpu_kind {
            guest.cpu_kind = kind.value;
        }
    }
    guest
}

/// The machine a preset gives; the default preset's for a name that is not
/// one (lowering has already reported it).
fn preset_guest(name: &str) -> Guest {
    let preset = preset_named(name)
        .or_else(|| preset_named(DEFAULT_PRESET))
        .map_or((CpuKind::Shared, 1, 256), |p| {
            (p.cpu_kind, p.cpus, p.memory_mb)
        });
    Guest {
        cpu_kind: preset.0,
        cpus: preset.1,
        memory_mb: preset.2,
    }
}
