//! Stage 4, emit: the checked topology to the files `flyx build` writes, in
//! memory. Only the command line writes them to disk.

mod compose;
mod deploy_sh;
mod dockerfile;
mod fly_toml;
pub mod graph;
pub mod header;
mod outputs;
pub mod parallel;
mod templates;
mod workflow;

pub use dockerfile::Detected;
pub use outputs::{OutputFile, Outputs};
pub use templates::{BUILTIN as BUILTIN_TEMPLATES, OVERRIDE_DIR, TemplateOverride};

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostics;
use crate::model::Source;
use crate::topology::Topology;
use templates::Templates;

/// Where the output goes relative to the project, for paths inside the files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmitOptions {
    /// The `.flyx` file's name, for the generated-file header.
    pub source_name: String,
    /// The folder of the `.flyx` file, relative to the output folder (`..` for
    /// the default `fly/` beside it), with `/` separators.
    pub project_from_output: String,
    /// The output folder, relative to the folder of the `.flyx` file (`fly`).
    pub output_from_project: String,
    /// What the command line found in each service's build context, by service name.
    pub detected: BTreeMap<String, Detected>,
    /// The project's replacements for built-in templates.
    pub templates: Vec<TemplateOverride>,
    /// The environment built, if not the base stack.
    pub environment: Option<String>,
}

impl EmitOptions {
    /// Options for output in `fly/` beside the `.flyx` file.
    pub fn beside(source_name: impl Into<String>) -> Self {
        EmitOptions {
            source_name: source_name.into(),
            project_from_output: "..".into(),
            output_from_project: "fly".into(),
            detected: BTreeMap::new(),
            templates: Vec::new(),
            environment: None,
        }
    }

    /// Options for output in `fly/<environment>/` beside the `.flyx` file,
    /// where `flyx build --env` writes, or `fly/` for the base stack.
    pub fn beside_for(source_name: impl Into<String>, environment: Option<&str>) -> Self {
        let mut options = EmitOptions::beside(source_name);
        if let Some(environment) = environment {
            options.project_from_output = "../..".into();
            options.output_from_project = format!("fly/{environment}");
            options.environment = Some(environment.to_string());
        }
        options
    }

    /// Who generated a file: the source, and the environment when there is
    /// one. Files of other sources or environments are never touched.
    pub fn owner(&self) -> String {
        header::owner(&self.source_name, self.environment.as_deref())
    }

    /// The first line of every generated file, after any shebang.
    pub fn header(&self) -> String {
        header::line(&self.owner())
    }
}

/// Every file `flyx build` writes for this topology, or the problems that stop it
/// (an error in a project's template, a file a build cannot reach).
///
/// The stack-wide files (deploy.sh, ARCHITECTURE.md) and each service's files
/// are independent, so they render on several threads; the result is the same
/// bytes whatever the number of threads.
pub fn emit(topology: &Topology, options: &EmitOptions) -> Result<Outputs, Diagnostics> {
    let templates = Templates::new(&options.templates)?;
    let ids = topology.services_by_name();
    let service_files = parallel::map(&ids, |id| service_files(topology, *id, &templates, options));
    let generated = build_files(topology, &ids, &service_files);
    let stack_files = stack_files(topology, &templates, options, &generated);
    let mut outputs = Outputs::default();
    let mut diagnostics = Diagnostics::new();
    for result in service_files
        .into_iter()
        .chain(std::iter::once(stack_files))
    {
        match result {
            Ok(files) => files
                .into_iter()
                .for_each(|(path, file)| outputs.insert(path, file)),
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    if options.environment.is_none()
        && let Some(text) = workflow::render(topology, options)
    {
        outputs.insert_in_project(workflow::path(topology), OutputFile::text(text));
    }
    if diagnostics.is_empty() {
        Ok(outputs)
    } else {
        Err(diagnostics)
    }
}

/// By service name, the build files flyx generated for it (everything but
/// fly.toml), joined: what decides whether two services build the same image.
fn build_files(
    topology: &Topology,
    ids: &[crate::topology::ServiceId],
    rendered: &[Rendered],
) -> BTreeMap<String, String> {
    ids.iter()
        .zip(rendered)
        .filter_map(|(id, files)| {
            let files = files.as_ref().ok()?;
            let joined: String = files
                .iter()
                .filter(|(path, _)| !path.ends_with("/fly.toml"))
                .map(|(path, file)| {
                    let name = path.rsplit('/').next().unwrap_or(path);
                    format!("{name}\0{}\0", file.contents)
                })
                .collect();
            Some((topology.service(*id).name.value.clone(), joined))
        })
        .collect()
}

/// Files as `(path, file)`, or the problem that stops them.
type Rendered = Result<Vec<(String, OutputFile)>, crate::diagnostic::Diagnostic>;

/// One service's fly.toml, and its Dockerfile and Dockerfile.dockerignore when flyx
/// builds it from a runtime.
fn service_files(
    topology: &Topology,
    id: crate::topology::ServiceId,
    templates: &Templates,
    options: &EmitOptions,
) -> Rendered {
    let service = topology.service(id);
    let name = &service.name.value;
    let mut files = vec![(
        format!("{name}/fly.toml"),
        OutputFile::text(fly_toml::render(topology, id, options)?),
    )];
    if let Source::Runtime(build) = &service.source {
        for file in dockerfile::render(topology, id, build, templates, options)? {
            files.push((
                format!("{name}/{}", file.name),
                OutputFile::text(file.contents),
            ));
        }
    }
    Ok(files)
}

/// The files about the whole stack: ARCHITECTURE.md and deploy.sh.
fn stack_files(
    topology: &Topology,
    templates: &Templates,
    options: &EmitOptions,
    generated: &BTreeMap<String, String>,
) -> Rendered {
    let architecture = graph::architecture(topology, &options.source_name, &options.header());
    let script = deploy_sh::render(topology, templates, options, generated)?;
    let mut files = vec![
        (
            "ARCHITECTURE.md".to_string(),
            OutputFile::text(architecture),
        ),
        ("deploy.sh".to_string(), OutputFile::script(script)),
    ];
    files.extend(compose::render(topology, options));
    Ok(files)
}

/// The files `flyx build` writes at the top of the output folder.
pub const STACK_FILES: &[&str] = &["ARCHITECTURE.md", "compose.yaml", "deploy.sh"];

/// The files `flyx build` may write in a service's folder (`crontab`: the
/// schedules' crontab compose.yaml mounts). `.dockerignore` and
/// `nginx.conf` are no longer written (the ignore file is named after the
/// Dockerfile, and the static Dockerfile holds nginx's configuration), but
/// ones an older flyx wrote are still removed as stale.
pub const SERVICE_FILES: &[&str] = &[
    "fly.toml",
    "Dockerfile",
    "Dockerfile.dockerignore",
    "crontab",
    ".dockerignore",
    "nginx.conf",
];

/// Whether `path` (relative, with `/`) has the shape of a file `flyx build`
/// writes: a stack file at the top, or a service file one folder down. Only
/// such files are ever removed as stale, so another output folder nested
/// inside this one is never touched.
pub fn is_output_path(path: &str) -> bool {
    match path.split_once('/') {
        None => STACK_FILES.contains(&path),
        Some((folder, name)) => {
            !folder.is_empty() && !name.contains('/') && SERVICE_FILES.contains(&name)
        }
    }
}

/// Whether `path` (relative to the `.flyx` file's folder, with `/`) has the
/// shape of the workflow `flyx build` writes there: only such files are ever
/// removed as stale from the project folder.
pub fn is_project_output_path(path: &str) -> bool {
    path.strip_prefix(".github/workflows/flyx-")
        .and_then(|rest| rest.strip_suffix(".yml"))
        .is_some_and(|name| !name.is_empty() && !name.contains('/'))
}

/// `path` (relative to the project) as seen from the folder `dir` (relative
/// to the project), climbing out of `dir` as far as needed. `dir` must not
/// climb out of the project itself (the check stage refuses such contexts
/// where it matters).
pub fn relative_from(dir: &str, path: &str) -> String {
    let dir = join_relative(&[dir]);
    let path = join_relative(&[path]);
    if dir == "." {
        return path;
    }
    let dir_parts: Vec<&str> = dir.split('/').collect();
    let path_parts: Vec<&str> = path.split('/').collect();
    let shared = dir_parts
        .iter()
        .zip(&path_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<&str> = vec![".."; dir_parts.len() - shared];
    parts.extend(&path_parts[shared..]);
    join_relative(&parts)
}

/// Joins relative paths with `/` and removes `.` and `x/..` pairs.
pub fn join_relative(parts: &[&str]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in parts.iter().flat_map(|p| p.split('/')) {
        match part {
            "" | "." => {}
            ".." if out.last().is_some_and(|last| *last != "..") => {
                out.pop();
            }
            _ => out.push(part),
        }
    }
    if out.is_empty() {
        ".".to_string()
    } else {
        out.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::{join_relative, relative_from};

    #[test]
    fn a_dockerfile_path_is_taken_from_its_context() {
        assert_eq!(relative_from("api", "api/Dockerfile"), "Dockerfile");
        assert_eq!(
            relative_from("apps/web", "docker/web.Dockerfile"),
            "../../docker/web.Dockerfile"
        );
        assert_eq!(relative_from(".", "./Dockerfile"), "Dockerfile");
        assert_eq!(relative_from("a/./b/", "a/c/D"), "../c/D");
    }

    #[test]
    fn relative_paths_normalise() {
        assert_eq!(
            join_relative(&["..", "..", "docker/Dockerfile.api"]),
            "../../docker/Dockerfile.api"
        );
        assert_eq!(
            join_relative(&["..", "..", "./Dockerfile"]),
            "../../Dockerfile"
        );
        assert_eq!(
            join_relative(&["..", "fly/api/../Dockerfile"]),
            "../fly/Dockerfile"
        );
        assert_eq!(join_relative(&["a", ".."]), ".");
    }
}
