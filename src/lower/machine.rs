//! Lowers how a service's machines start: `entrypoint`, `exec` and
//! `machine_config`, with the rules that tie them to builds, process groups
//! and schedules (docs/language.md, "Starting machines").

use super::fields::{Fields, Sink};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{MachineConfig, Service, Source};
use crate::span::Spanned;
use crate::syntax::ast::ValueKind;

/// What a service says about how its machines start.
pub struct Start {
    /// `entrypoint = [...]`.
    pub entrypoint: Option<Spanned<Vec<String>>>,
    /// `exec = [...]`.
    pub exec: Option<Spanned<Vec<String>>>,
    /// `machine_config = "..."`.
    pub machine_config: Option<MachineConfig>,
}

/// Reads `entrypoint`, `exec` and `machine_config` from a service block.
pub fn lower(f: &mut Fields<'_>) -> Start {
    let entrypoint = command(f, "entrypoint", "[\"/usr/bin/tini\", \"--\"]");
    let exec = command(f, "exec", "[\"redis-server\", \"--appendonly\", \"yes\"]");
    let machine_config = f
        .string("machine_config")
        .and_then(|text| machine_config(text, f.sink()));
    Start {
        entrypoint,
        exec,
        machine_config,
    }
}

/// A command as fly.toml's `[experimental]` writes it: a list of strings, the
/// program first. A string is refused: flyctl would run it as one word.
fn command(f: &mut Fields<'_>, name: &'static str, example: &str) -> Option<Spanned<Vec<String>>> {
    let sink = f.sink();
    let value = f.value(name)?;
    if let ValueKind::String(_) = value.kind {
        sink.push(
            Diagnostic::new(
                Code::E0203,
                value.span,
                format!("`{name}` is a list: the program, then each argument"),
            )
            .label("flyctl runs a string as one word, spaces and all")
            .help(format!("write it like `{name} = {example}`")),
        );
        return None;
    }
    let words = super::values::names(value, name, sink);
    if words.is_empty() && matches!(&value.kind, ValueKind::List(items) if items.is_empty()) {
        not_a_command(name, value.span, "the list is empty", example, sink);
        return None;
    }
    if words.is_empty() {
        return None;
    }
    if words[0].value.trim().is_empty() {
        not_a_command(name, words[0].span, "the program is empty", example, sink);
        return None;
    }
    Some(Spanned::new(
        words.into_iter().map(|w| w.value).collect(),
        value.span,
    ))
}

fn not_a_command(name: &str, at: crate::span::Span, problem: &str, example: &str, sink: &Sink) {
    sink.push(
        Diagnostic::new(
            Code::E0244,
            at,
            format!("`{name}` is not a command: {problem}"),
        )
        .label("the machine would have nothing to run")
        .help(format!(
            "name the program first, e.g. `{name} = {example}`, or remove `{name}`"
        )),
    );
}

/// `machine_config = "{ ... }"` (inline JSON, an object) or `"edge.json"` (a
/// file flyctl reads; it must end in `.json`, flyctl's own rule).
fn machine_config(text: Spanned<String>, sink: &Sink) -> Option<MachineConfig> {
    let trimmed = text.value.trim();
    if trimmed.starts_with('{') {
        return match inline_json_problem(trimmed) {
            None => Some(MachineConfig::Inline(Spanned::new(
                trimmed.to_string(),
                text.span,
            ))),
            Some(problem) => {
                unreadable(
                    &text,
                    &problem,
                    "write one JSON object, as `fly machine run --machine-config` takes it",
                    sink,
                );
                None
            }
        };
    }
    let problem = if trimmed.is_empty() {
        Some("it is empty".to_string())
    } else if !trimmed.ends_with(".json") {
        Some("flyctl reads a string starting with `{` as JSON and anything else as a path ending in `.json`".to_string())
    } else if trimmed.starts_with('/') {
        Some("it is absolute; write it relative to the .flyx file".to_string())
    } else {
        None
    };
    match problem {
        None => Some(MachineConfig::File(Spanned::new(
            trimmed.to_string(),
            text.span,
        ))),
        Some(problem) => {
            unreadable(
                &text,
                &problem,
                "write inline JSON (`\"{ \\\"containers\\\": [...] }\"`) or a path such as \"config/edge.machine.json\"",
                sink,
            );
            None
        }
    }
}

/// Why inline JSON is not a machine config flyctl can decode, if it is not.
fn inline_json_problem(text: &str) -> Option<String> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(_)) => None,
        Ok(_) => Some("it is JSON, but not an object".to_string()),
        Err(e) => Some(format!("it is not valid JSON ({e})")),
    }
}

fn unreadable(text: &Spanned<String>, problem: &str, help: &str, sink: &Sink) {
    sink.push(
        Diagnostic::new(
            Code::E0246,
            text.span,
            format!("flyctl cannot read this `machine_config`: {problem}"),
        )
        .label("merged into every machine's config by `fly deploy`")
        .help(help),
    );
}

/// The rules between `exec`, `entrypoint`, the build and the process groups,
/// checked before schedules add the `cron` group.
pub fn check(service: &Service, sink: &Sink) {
    if let Some(exec) = &service.exec {
        check_exec(service, exec, sink);
    }
    if let Some(entrypoint) = &service.entrypoint {
        shell_takes_one_word(service, entrypoint, sink);
    }
    if let (Some(entrypoint), Some(schedule)) = (&service.entrypoint, service.schedules.first()) {
        sink.push(
            Diagnostic::new(
                Code::W0204,
                entrypoint.span,
                "the `cron` group runs supercronic through this entrypoint",
            )
            .label(format!(
                "the cron machine runs `{} supercronic ...`",
                entrypoint.value.join(" ")
            ))
            .also(schedule.name.span, "a schedule adds the `cron` group")
            .help("make sure the entrypoint ends by running its arguments (`exec \"$@\"`); `/bin/sh -c` would run `supercronic` without its crontab"),
        );
    }
    if let Some(context) = context_outside_project(service) {
        local_files_need_a_context_inside(service, context, sink);
    }
    if let (Some(MachineConfig::File(path)), Some(context)) =
        (&service.machine_config, context_outside_project(service))
    {
        sink.push(
            Diagnostic::new(
                Code::E0246,
                path.span,
                "a `machine_config` file needs a build context inside the project",
            )
            .label("flyctl opens this path from the build context")
            .also(context.span, "this context leaves the .flyx file's folder")
            .help("write the JSON inline (`machine_config = \"{ ... }\"`), or use a context inside the project"),
        );
    }
}

/// The service's build context, when it is not inside the `.flyx` file's
/// folder (`../app`, or an absolute path): flyctl reads some paths from
/// there, and the path back would need the project folder's own name or
/// place, which flyx does not know.
fn context_outside_project(service: &Service) -> Option<&Spanned<String>> {
    service.source.context().filter(|c| {
        c.value.starts_with('/') || crate::emit::join_relative(&[&c.value]).starts_with("..")
    })
}

/// `fly deploy <context>` changes into the context and then reads each
/// `local_path` from there (internal/command/command.go,
/// internal/appconfig/config.go `toMachineFile`).
fn local_files_need_a_context_inside(service: &Service, context: &Spanned<String>, sink: &Sink) {
    for file in &service.files {
        let crate::model::FileContent::Local(path) = &file.content else {
            continue;
        };
        sink.push(
            Diagnostic::new(
                Code::E0246,
                path.span,
                "a `local_path` file needs a build context inside the project",
            )
            .label("flyctl reads this path from the build context")
            .also(context.span, "this context leaves the .flyx file's folder")
            .help("put the file's text in `raw_value`, or use a context inside the project (move the .flyx file up)"),
        );
    }
}

/// An entrypoint ending in `-c` (`["sh", "-c"]`) hands the shell the
/// command's words as separate arguments: the shell runs the first and makes
/// the second `$0`. flyctl splits each group's command and the release
/// command into words (`InitCmd`, `ToReleaseMachineConfig`).
fn shell_takes_one_word(service: &Service, entrypoint: &Spanned<Vec<String>>, sink: &Sink) {
    if entrypoint.value.len() < 2 || entrypoint.value.last().is_none_or(|last| last != "-c") {
        return;
    }
    let release = service.deploy.release_command.as_ref().map(|text| {
        let literal: String = text
            .parts
            .iter()
            .map(|part| match part {
                crate::model::TextPart::Literal(l) => l.as_str(),
                crate::model::TextPart::Ref(_) => "ref",
            })
            .collect();
        ("the release command", literal, text.span)
    });
    let groups = service.processes.iter().map(|p| {
        (
            "a process group's command",
            p.command.value.clone(),
            p.command.span,
        )
    });
    let several = release.into_iter().chain(groups).find(|(_, command, _)| {
        crate::shell::split_words(command).is_ok_and(|words| words.len() > 1)
    });
    let Some((what, command, span)) = several else {
        return;
    };
    let first = crate::shell::split_words(&command)
        .ok()
        .and_then(|words| words.into_iter().next())
        .unwrap_or_default();
    sink.push(
        Diagnostic::new(
            Code::W0205,
            span,
            format!("`{}` runs only the first word of {what}", entrypoint.value.join(" ")),
        )
        .label(format!("the shell runs `{first}`; the next word becomes `$0`, the rest its arguments"))
        .also(entrypoint.span, "the command's words follow this entrypoint as separate arguments")
        .help(format!("quote the whole command as one word (`\"'{}'\"`), or use an entrypoint that runs its arguments, such as `[\"/usr/bin/tini\", \"--\"]`", command.trim())),
    );
}

/// `exec` replaces the image's ENTRYPOINT and CMD and every process group's
/// command: it cannot stand beside anything else that sets them.
fn check_exec(service: &Service, exec: &Spanned<Vec<String>>, sink: &Sink) {
    let conflict = if let Some(entrypoint) = &service.entrypoint {
        Some((
            Code::E0219,
            entrypoint.span,
            "`exec` runs instead of the entrypoint",
            "keep one: `exec` for the whole command, or `entrypoint` to wrap the image's CMD",
        ))
    } else if let Some(process) = service.processes.first() {
        Some((
            Code::E0245,
            process.name.span,
            "`exec` runs instead of every process group's command",
            "remove `exec` and give each group its command, or remove `processes`",
        ))
    } else if let Some(schedule) = service.schedules.first() {
        Some((
            Code::E0245,
            schedule.name.span,
            "the `cron` group would run `exec`, not supercronic",
            "remove `exec` and set the command with the runtime's `start`, or remove the schedules",
        ))
    } else if let Source::Runtime(build) = &service.source {
        Some((
            Code::E0245,
            build.runtime.span,
            "flyx writes this runtime's command into the Dockerfile it writes",
            "remove `exec`; set the command with the runtime's `start` or with `processes`",
        ))
    } else {
        None
    };
    let Some((code, at, label, help)) = conflict else {
        return;
    };
    sink.push(
        Diagnostic::new(
            code,
            exec.span,
            "`exec` replaces the command that something else here sets",
        )
        .label("Fly runs this instead of the image's ENTRYPOINT and CMD")
        .also(at, label)
        .help(help),
    );
}
