//! What `flyx build` reads from the project besides the `.flyx` file: the
//! project's own Dockerfile templates, and the lockfiles that choose a Node
//! package manager.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::input;
use super::report::CliError;
use crate::emit::{BUILTIN_TEMPLATES, Detected, OVERRIDE_DIR, TemplateOverride};
use crate::model::{PackageManager, RuntimeConfig, Source};
use crate::source::Sources;
use crate::topology::Topology;

/// Reads `flyx/dockerfiles/<name>.hbs` beside the `.flyx` file for each built-in
/// template name, adding each to `sources` so diagnostics can point into it.
pub fn template_overrides(
    project: &Path,
    sources: &mut Sources,
) -> Result<Vec<TemplateOverride>, CliError> {
    let dir = project.join(OVERRIDE_DIR);
    let mut found = Vec::new();
    for (name, _) in BUILTIN_TEMPLATES {
        let path = dir.join(name);
        if !path.is_file() {
            continue;
        }
        let text = input::read(&path)?;
        let shown = format!("{OVERRIDE_DIR}/{name}");
        let text: Arc<str> = Arc::from(text);
        let file = sources.add(shown, text.clone());
        found.push(TemplateOverride {
            name: (*name).to_string(),
            file,
            text,
        });
    }
    Ok(found)
}

/// For each Node or static service without a `package_manager`, which lockfile
/// its build context holds.
pub fn detect_package_managers(project: &Path, topology: &Topology) -> BTreeMap<String, Detected> {
    let mut detected = BTreeMap::new();
    for service in &topology.stack.services {
        let Source::Runtime(build) = &service.source else {
            continue;
        };
        let node = matches!(
            build.config,
            RuntimeConfig::Node { .. } | RuntimeConfig::Static { .. }
        );
        if !node {
            continue;
        }
        let context = project.join(&build.context.value);
        let found = [
            PackageManager::Pnpm,
            PackageManager::Yarn,
            PackageManager::Npm,
        ]
        .into_iter()
        .find(|pm| context.join(pm.lockfile()).is_file());
        let state = match found {
            Some(pm) => Detected::Lockfile(pm),
            None if context.join("package.json").is_file() => Detected::NoLockfile,
            // No Node project there (yet): assume a locked npm project.
            None => continue,
        };
        detected.insert(service.name.value.clone(), state);
    }
    detected
}
