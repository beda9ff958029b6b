//! The rest of flyctl's own validation, so nothing flyx writes is refused:
//! process groups, VMs, statics, commands, and names that must be unique.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::model::{RuntimeConfig, Service, Source, Stack};
use crate::span::{Span, Spanned};

/// The process groups of a service, sorted; `["app"]` when none are declared.
pub fn process_groups(service: &Service) -> Vec<String> {
    let mut groups: Vec<String> = service
        .processes
        .iter()
        .map(|p| p.name.value.clone())
        .collect();
    if groups.is_empty() {
        groups.push("app".into());
    }
    groups.sort();
    groups
}

/// The group sections without `processes` apply to: `app` if declared, else the
/// first group by name (flyctl's `DefaultProcessName`).
pub fn default_group(groups: &[String]) -> &str {
    groups
        .iter()
        .find(|g| *g == "app")
        .or(groups.first())
        .map_or("app", String::as_str)
}

/// The declared process in the default group, if the service declares any:
/// a python build without `start` runs its command as the image's CMD.
pub fn default_process(service: &Service) -> Option<&crate::model::Process> {
    let groups = process_groups(service);
    let default = default_group(&groups);
    service.processes.iter().find(|p| p.name.value == default)
}

/// Every `processes = [...]` must name declared groups.
pub fn process_references(service: &Service, groups: &[String], diagnostics: &mut Diagnostics) {
    let lists = service
        .http
        .iter()
        .map(|h| &h.proxy.processes)
        .chain(service.ports.iter().map(|p| &p.proxy.processes))
        .chain(service.vms.iter().map(|v| &v.processes))
        .chain(service.volumes.iter().map(|v| &v.processes))
        .chain(service.checks.iter().map(|c| &c.processes))
        .chain(service.metrics.iter().map(|m| &m.processes))
        .chain(service.restarts.iter().map(|r| &r.processes))
        .chain(service.files.iter().map(|f| &f.processes));
    for name in lists.flatten() {
        if groups.contains(&name.value) {
            continue;
        }
        let help = match did_you_mean(&name.value, groups.iter().map(String::as_str)) {
            Some(close) => format!("did you mean `{close}`?"),
            None if service.processes.is_empty() => {
                "the service declares no `processes`; its only group is `app`".into()
            }
            None => format!("the service's groups are: {}", groups.join(", ")),
        };
        diagnostics.push(
            Diagnostic::new(
                Code::E0318,
                name.span,
                format!(
                    "`{}` has no process group `{}`",
                    service.name.value, name.value
                ),
            )
            .label("not declared in `processes`")
            .help(help),
        );
    }
}

/// At most one `[[vm]]` per group, and at most one for all groups.
pub fn vm_groups(service: &Service, diagnostics: &mut Diagnostics) {
    let mut seen: HashMap<String, Span> = HashMap::new();
    for vm in &service.vms {
        let mut names: Vec<&str> = vm.processes.iter().map(|p| p.value.as_str()).collect();
        names.sort_unstable();
        let keys: Vec<String> = if names.is_empty() {
            vec![String::new()]
        } else {
            names.iter().map(|n| n.to_string()).collect()
        };
        for key in keys {
            if let Some(first) = seen.get(&key) {
                let which = if key.is_empty() {
                    "every process group".to_string()
                } else {
                    format!("process group `{key}`")
                };
                diagnostics.push(
                    Diagnostic::new(Code::E0319, vm.span, format!("two `vm` blocks for {which}"))
                        .label("a second VM for the same machines")
                        .also(*first, "the first one")
                        .help("merge them, or give each its own `processes`"),
                );
            } else {
                seen.insert(key, vm.span);
            }
        }
    }
}

/// Fly serves at most 10 statics, and their URL prefixes must not overlap.
pub fn statics(service: &Service, diagnostics: &mut Diagnostics) {
    if let Some(extra) = service.statics.get(10) {
        diagnostics.push(
            Diagnostic::new(
                Code::E0320,
                extra.span,
                format!(
                    "`{}` declares {} statics; Fly serves at most 10",
                    service.name.value,
                    service.statics.len()
                ),
            )
            .label("the eleventh")
            .help("serve the rest from the app, or merge folders under one prefix"),
        );
    }
    for (i, a) in service.statics.iter().enumerate() {
        for b in &service.statics[..i] {
            if a.url_prefix.value.starts_with(&b.url_prefix.value)
                || b.url_prefix.value.starts_with(&a.url_prefix.value)
            {
                diagnostics.push(
                    Diagnostic::new(
                        Code::E0320,
                        a.url_prefix.span,
                        format!(
                            "static prefixes `{}` and `{}` overlap",
                            b.url_prefix.value, a.url_prefix.value
                        ),
                    )
                    .label("overlaps an earlier prefix")
                    .also(b.url_prefix.span, "the earlier prefix")
                    .help("give each static its own prefix"),
                );
            }
        }
    }
}

/// flyctl splits these commands into words; unbalanced quotes make it refuse them.
pub fn commands(service: &Service, release_command: Option<&str>, diagnostics: &mut Diagnostics) {
    let mut commands: Vec<(&str, String, Span)> = Vec::new();
    if let (Some(command), Some(text)) = (release_command, &service.deploy.release_command) {
        commands.push(("release_command", command.to_string(), text.span));
    }
    for process in &service.processes {
        commands.push((
            "process",
            process.command.value.clone(),
            process.command.span,
        ));
    }
    if let Some(console) = &service.console_command {
        commands.push(("console_command", console.value.clone(), console.span));
    }
    for (what, command, span) in commands {
        if let Some(problem) = split_problem(&command) {
            diagnostics.push(
                Diagnostic::new(
                    Code::E0317,
                    span,
                    format!("flyctl cannot split this {what} into words: {problem}"),
                )
                .label("not a valid shell-style command")
                .help("balance the quotes, or escape the quote with a backslash"),
            );
        }
    }
}

/// A runtime's `start` must split into words: the generated Dockerfile runs it
/// in exec form (`CMD ["node", "server.js"]`). It and a python build's
/// `build_command` are also written on one line of the Dockerfile, in a comment
/// and an instruction: a line break would start an instruction of its own.
pub fn start_command(service: &Service, diagnostics: &mut Diagnostics) {
    let Source::Runtime(build) = &service.source else {
        return;
    };
    let one_line = match &build.config {
        RuntimeConfig::Node { start, .. } => vec![("start command", start.as_ref())],
        RuntimeConfig::Python {
            start,
            build_command,
            ..
        } => vec![
            // Without `start`, the default process group's command is CMD.
            (
                "start command",
                start
                    .as_ref()
                    .or_else(|| default_process(service).map(|p| &p.command)),
            ),
            ("build command", build_command.as_ref()),
        ],
        _ => Vec::new(),
    };
    for (what, command) in one_line.into_iter().filter_map(|(w, c)| Some((w, c?))) {
        if command.value.contains(['\n', '\r']) {
            diagnostics.push(
                Diagnostic::new(
                    Code::E0317,
                    command.span,
                    format!("the {what} of `{}` spans several lines", service.name.value),
                )
                .label("the Dockerfile writes this command on one line")
                .help("write it on one line; join several commands with `&&`"),
            );
            return;
        }
    }
    let start = match &build.config {
        RuntimeConfig::Node {
            start: Some(start),
            next_standalone: false,
            ..
        } => start,
        RuntimeConfig::Python {
            start: Some(start), ..
        } => start,
        _ => return,
    };
    let problem = match crate::shell::split_words(&start.value) {
        Ok(words) if words.is_empty() => "it is empty",
        Ok(_) => return,
        Err(problem) => problem,
    };
    diagnostics.push(
        Diagnostic::new(
            Code::E0317,
            start.span,
            format!(
                "the start command of `{}` cannot be split into words: {problem}",
                service.name.value
            ),
        )
        .label("the Dockerfile runs this command in exec form")
        .help("balance the quotes, or escape the quote with a backslash"),
    );
}

/// Why `command` cannot be split like a POSIX shell splits words, if it cannot.
pub fn split_problem(command: &str) -> Option<&'static str> {
    crate::shell::split_words(command).err()
}

/// A service needs an image or a build.
pub fn source(service: &Service, diagnostics: &mut Diagnostics) {
    if matches!(service.source, Source::Missing) {
        diagnostics.push(
            Diagnostic::new(
                Code::E0322,
                service.name.span,
                format!("service `{}` has nothing to deploy", service.name.value),
            )
            .label("no `image` and no `build`")
            .help("add `image = \"...\"`, `build { dockerfile = \"...\" }` or `build { runtime = ... }`"),
        );
    }
}

/// App names must stay unique once the prefix is applied.
pub fn unique_apps(stack: &Stack, diagnostics: &mut Diagnostics) {
    let mut seen: HashMap<&str, &Spanned<String>> = HashMap::new();
    let apps = stack
        .services
        .iter()
        .map(|s| &s.app)
        .chain(stack.stores.iter().map(|s| &s.app));
    for app in apps {
        if let Some(first) = seen.get(app.value.as_str()) {
            diagnostics.push(
                Diagnostic::new(
                    Code::E0314,
                    app.span,
                    format!("two apps are named `{}`", app.value),
                )
                .label("this app name is taken")
                .also(first.span, "already used here")
                .help("Fly app names are global; rename one, or set `app = \"...\"`"),
            );
        } else {
            seen.insert(&app.value, app);
        }
    }
}

/// Secret names, attached store URLs and env names must not collide: a secret
/// silently overrides an env value of the same name.
pub fn name_collisions(
    service: &Service,
    attached: &[(String, Span)],
    diagnostics: &mut Diagnostics,
) {
    let mut seen: HashMap<&str, (Span, &str)> = HashMap::new();
    let names = service
        .secrets
        .iter()
        .map(|s| (s.value.as_str(), s.span, "a secret"))
        .chain(
            attached
                .iter()
                .map(|(n, s)| (n.as_str(), *s, "an attached store URL")),
        )
        .chain(service.env.iter().map(|e| {
            (
                e.name.value.as_str(),
                e.name.span,
                "an environment variable",
            )
        }));
    for (name, span, kind) in names {
        match seen.get(name) {
            Some((first, first_kind)) => diagnostics.push(
                Diagnostic::new(
                    Code::E0321,
                    span,
                    format!("`{name}` is set twice in `{}`", service.name.value),
                )
                .label(format!("here as {kind}"))
                .also(*first, format!("and here as {first_kind}"))
                .help("keep one; a link to a store attaches its URL as a secret, and secrets override env values"),
            ),
            None => {
                seen.insert(name, (span, kind));
            }
        }
    }
}

/// Warns about env entries that look like they hold a secret.
pub fn secret_looking_env(service: &Service, diagnostics: &mut Diagnostics) {
    for var in &service.env {
        let literal: String = var
            .value
            .parts
            .iter()
            .filter_map(|p| match p {
                crate::model::TextPart::Literal(text) => Some(text.as_str()),
                crate::model::TextPart::Ref(_) => None,
            })
            .collect();
        if literal.is_empty() {
            continue;
        }
        let why = if looks_secret_name(&var.name.value) {
            Some("its name says it is a secret")
        } else if url_has_password(&literal) {
            Some("its value is a URL with a password")
        } else {
            None
        };
        if let Some(why) = why {
            diagnostics.push(
                Diagnostic::new(
                    Code::W0302,
                    var.name.span,
                    format!("`{}` looks like a secret, but it is written in `env`", var.name.value),
                )
                .label(why)
                .help(format!(
                    "env values are written into fly.toml in plain text: move it to `secrets = [{}]` and give the value to deploy.sh",
                    var.name.value
                )),
            );
        }
    }
}

fn looks_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["SECRET", "PASSWORD", "TOKEN", "KEY"]
        .iter()
        .any(|suffix| upper.ends_with(suffix))
}

/// Whether `text` holds `scheme://user:password@host`.
pub fn url_has_password(text: &str) -> bool {
    text.split("://").skip(1).any(|rest| {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        match authority.rsplit_once('@') {
            Some((userinfo, _)) => userinfo
                .split_once(':')
                .is_some_and(|(_, password)| !password.is_empty()),
            None => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_like_a_shell() {
        assert_eq!(split_problem("npx prisma migrate deploy"), None);
        assert_eq!(split_problem("sh -c 'cd /app && npm run migrate'"), None);
        assert_eq!(split_problem(r#"echo "it's""#), None);
        assert!(split_problem("echo 'oops").is_some());
        assert!(split_problem("echo \"oops").is_some());
        assert!(split_problem("echo \\").is_some());
    }

    #[test]
    fn passwords_in_urls() {
        assert!(url_has_password(
            "postgres://app:hunter2@db.internal:5432/app"
        ));
        assert!(!url_has_password("postgres://app@db.internal:5432/app"));
        assert!(!url_has_password("https://example.com/a@b"));
        assert!(!url_has_password("nats://drop-nats.internal:4222"));
    }

    #[test]
    fn default_group_is_app_or_the_first() {
        assert_eq!(default_group(&["app".into(), "worker".into()]), "app");
        assert_eq!(default_group(&["web".into(), "worker".into()]), "web");
    }
}
