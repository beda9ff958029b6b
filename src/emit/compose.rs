//! Stage 4, emit: `compose.yaml`, the local stack check planned
//! ([`crate::check::compose`]) written as YAML, paths taken from the output
//! folder.

use std::fmt::Write;

use crate::check::compose::{
    Bind, BindSource, ComposeService, ComposeSource, ComposeStack, Condition, Dockerfile,
    Healthcheck, plan,
};
use crate::topology::Topology;

use super::{EmitOptions, OutputFile, join_relative, relative_from};

/// `compose.yaml`, and the files it mounts that flyx writes beside it
/// (schedules' crontabs), by path relative to the output folder.
pub fn render(topology: &Topology, options: &EmitOptions) -> Vec<(String, OutputFile)> {
    let overridden: Vec<&str> = options.templates.iter().map(|t| t.name.as_str()).collect();
    let stack = plan(topology, &overridden, options.environment.as_deref());
    let mut files = vec![(
        "compose.yaml".to_string(),
        OutputFile::text(compose_yaml(&stack, options)),
    )];
    files.extend(stack.files.iter().map(|file| {
        let text = format!(
            "{}
{}",
            options.header(),
            file.contents
        );
        (file.path.clone(), OutputFile::text(text))
    }));
    files
}

/// The YAML of a planned stack.
fn compose_yaml(stack: &ComposeStack, options: &EmitOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", options.header());
    let _ = writeln!(
        out,
        "# Local development: docker compose -p {} -f <this file> up",
        stack.project
    );
    out.push_str(
        "# Secret values come from the .env file in the project folder (flyx never writes it).\n\
         services:\n",
    );
    for service in &stack.services {
        render_service(&mut out, service, options);
    }
    render_volumes(&mut out, stack);
    out
}

/// `<host path>:<container path>:ro`, the host path relative to the
/// compose file's folder. Compose takes a source that does not start with
/// `.` or `/` for a named volume, hence `./`.
fn bind_mount(bind: &Bind, options: &EmitOptions) -> String {
    let host = match &bind.source {
        BindSource::Project(path) if path.starts_with('/') => path.clone(),
        BindSource::Project(path) => join_relative(&[&options.project_from_output, path]),
        BindSource::Output(path) => join_relative(&[path]),
    };
    let host = if host.starts_with('.') || host.starts_with('/') {
        host
    } else {
        format!("./{host}")
    };
    format!("{host}:{}:ro", bind.target)
}

/// A YAML double-quoted scalar with Compose's `$` interpolation escaped.
fn quote(value: &str) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "\"\"".to_string());
    json.replace('$', "$$")
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quote(i)).collect();
    format!("[{}]", quoted.join(", "))
}

fn render_service(out: &mut String, service: &ComposeService, options: &EmitOptions) {
    let _ = writeln!(out, "  {}:", service.name);
    for note in &service.notes {
        let _ = writeln!(out, "    # {note}");
    }
    source(out, service, options);
    if let Some(entrypoint) = &service.entrypoint {
        let _ = writeln!(out, "    entrypoint: {}", list(entrypoint));
    }
    if let Some(command) = &service.command {
        let _ = writeln!(out, "    command: {}", quote(command));
    }
    if let Some(command) = &service.command_exec {
        let _ = writeln!(out, "    command: {}", list(command));
    }
    environment(out, service, options);
    items(out, "ports", &service.ports);
    let mut volumes = service.volumes.clone();
    volumes.extend(service.binds.iter().map(|bind| bind_mount(bind, options)));
    items(out, "volumes", &volumes);
    if let Some(check) = &service.healthcheck {
        healthcheck(out, check);
    }
    if let Some(note) = &service.healthcheck_note {
        let _ = writeln!(out, "    # {note}");
    }
    depends_on(out, &service.depends_on);
}

fn source(out: &mut String, service: &ComposeService, options: &EmitOptions) {
    let from_output = |path: &str| join_relative(&[&options.project_from_output, path]);
    match &service.source {
        ComposeSource::None => {}
        ComposeSource::Image(image) => {
            let _ = writeln!(out, "    image: {}", quote(image));
        }
        ComposeSource::Pack {
            image,
            builder,
            context,
        } => {
            let _ = writeln!(
                out,
                "    # a buildpacks build: first run `pack build {image} --builder {builder} --path {}`",
                from_output(context)
            );
            let _ = writeln!(out, "    image: {}", quote(image));
        }
        ComposeSource::Build {
            context,
            dockerfile,
            target,
            args,
        } => {
            let dockerfile = match dockerfile {
                Dockerfile::Project(path) => path.clone(),
                Dockerfile::Generated { service } => relative_from(
                    context,
                    &format!("{}/{service}/Dockerfile", options.output_from_project),
                ),
            };
            out.push_str("    build:\n");
            let _ = writeln!(out, "      context: {}", quote(&from_output(context)));
            let _ = writeln!(out, "      dockerfile: {}", quote(&dockerfile));
            if let Some(target) = target {
                let _ = writeln!(out, "      target: {}", quote(target));
            }
            if !args.is_empty() {
                out.push_str("      args:\n");
                for (name, value) in args {
                    let _ = writeln!(out, "        {name}: {}", quote(value));
                }
            }
        }
    }
}

fn environment(out: &mut String, service: &ComposeService, options: &EmitOptions) {
    if !service.environment.is_empty() {
        out.push_str("    environment:\n");
        for var in &service.environment {
            if let Some(note) = var.note {
                let _ = writeln!(out, "      # {note}");
            }
            let _ = writeln!(out, "      {}: {}", var.name, quote(&var.value));
        }
    }
    if !service.secrets.is_empty() {
        let _ = writeln!(
            out,
            "    # secrets from .env: {}",
            service.secrets.join(", ")
        );
        out.push_str("    env_file:\n");
        let path = join_relative(&[&options.project_from_output, ".env"]);
        let _ = writeln!(out, "      - {}", quote(&path));
    }
}

fn items(out: &mut String, key: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    let _ = writeln!(out, "    {key}:");
    for value in values {
        let _ = writeln!(out, "      - {}", quote(value));
    }
}

fn healthcheck(out: &mut String, check: &Healthcheck) {
    out.push_str("    healthcheck:\n");
    let _ = writeln!(out, "      test: {}", list(&check.test));
    for (key, value) in [
        ("interval", &check.interval),
        ("timeout", &check.timeout),
        ("start_period", &check.start_period),
    ] {
        if let Some(value) = value {
            let _ = writeln!(out, "      {key}: {value}");
        }
    }
    if let Some(retries) = check.retries {
        let _ = writeln!(out, "      retries: {retries}");
    }
}

fn depends_on(out: &mut String, depends: &[(String, Condition)]) {
    if depends.is_empty() {
        return;
    }
    out.push_str("    depends_on:\n");
    for (name, condition) in depends {
        let _ = writeln!(
            out,
            "      {name}:\n        condition: {}",
            condition.as_str()
        );
    }
}

fn render_volumes(out: &mut String, stack: &ComposeStack) {
    if stack.volumes.is_empty() {
        return;
    }
    out.push_str("volumes:\n");
    for volume in &stack.volumes {
        let _ = writeln!(out, "  {volume}: {{}}");
    }
}
