//! Lowers `schedule NAME { every = 5m  command = "..." }`: scheduled work,
//! run by supercronic in a `cron` process group the service gains (one
//! machine, kept up to date by every deploy). docs/language.md, "Scheduled
//! work", says why this design and not Fly's scheduled machines.

use super::fields::{Fields, Sink};
use super::required_label;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{FileContent, FileMount, Process, RuntimeConfig, Schedule, Service, Source};
use crate::span::{Span, Spanned};
use crate::syntax::ast::{Block, Duration};

/// The process group flyx adds to a service with schedules.
pub const CRON_GROUP: &str = "cron";

/// Where the generated crontab is written on the cron machine (`[[files]]`).
pub const CRONTAB_PATH: &str = "/etc/flyx/crontab";

/// Where the generated Dockerfiles install supercronic.
pub const SUPERCRONIC: &str = "/usr/local/bin/supercronic";

/// The `@` forms supercronic accepts besides five cron fields.
const MACROS: &[&str] = &[
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@hourly",
];

/// Lowers one `schedule` block.
pub fn lower(block: &Block, sink: &Sink) -> Option<Schedule> {
    let label = required_label(
        block,
        sink,
        "schedule NAME { every = 1h  command = \"...\" }",
    );
    let mut f = Fields::new(block, sink);
    let every = f.duration("every");
    let cron = f.string("cron");
    let command = f.required("command", "command = \"bin/cleanup\"", |f, n| f.string(n));
    f.finish();
    let timetable = timetable(every, cron, block.span, sink);
    let command = command?;
    if command.value.contains(['\n', '\r']) || command.value.trim().is_empty() {
        sink.push(
            Diagnostic::new(
                Code::E0240,
                command.span,
                "a schedule's command must be one line",
            )
            .label("a crontab line ends at the first line break")
            .help("write one command, or call a script that runs several"),
        );
        return None;
    }
    let label = label?;
    Some(Schedule {
        name: Spanned::new(label.name.clone(), label.span),
        cron: timetable?,
        command,
        span: block.span,
    })
}

/// The crontab timetable of `every` or `cron`: exactly one of them.
fn timetable(
    every: Option<Spanned<Duration>>,
    cron: Option<Spanned<String>>,
    block: Span,
    sink: &Sink,
) -> Option<Spanned<String>> {
    match (every, cron) {
        (Some(every), None) => every_as_cron(every, sink),
        (None, Some(cron)) => valid_cron(cron, sink),
        (Some(every), Some(cron)) => {
            sink.push(
                Diagnostic::new(
                    Code::E0240,
                    cron.span,
                    "a schedule takes `every` or `cron`, not both",
                )
                .label("a second timetable")
                .also(every.span, "the first timetable")
                .help("keep one of them"),
            );
            None
        }
        (None, None) => {
            sink.push(
                Diagnostic::new(Code::E0206, block, "a schedule needs `every` or `cron`")
                    .label("no timetable")
                    .help("add `every = 1h`, or `cron = \"0 3 * * *\"` for 03:00 UTC"),
            );
            None
        }
    }
}

/// `every = 5m` as a cron line: whole minutes that divide an hour, whole hours
/// that divide a day, or a day. Anything else drifts at the hour or the day
/// boundary, so it is refused rather than approximated.
fn every_as_cron(every: Spanned<Duration>, sink: &Sink) -> Option<Spanned<String>> {
    let millis = every.value.millis;
    let minutes = millis / 60_000;
    let hours = minutes / 60;
    let whole_minutes = millis.is_multiple_of(60_000) && minutes > 0;
    let line = if !whole_minutes {
        None
    } else if minutes < 60 && 60u64.is_multiple_of(minutes) {
        Some(match minutes {
            1 => "* * * * *".to_string(),
            n => format!("*/{n} * * * *"),
        })
    } else if minutes.is_multiple_of(60) && hours < 24 && 24u64.is_multiple_of(hours) {
        Some(match hours {
            1 => "0 * * * *".to_string(),
            n => format!("0 */{n} * * *"),
        })
    } else if hours == 24 && minutes.is_multiple_of(60) {
        Some("0 0 * * *".to_string())
    } else {
        None
    };
    match line {
        Some(line) => Some(Spanned::new(line, every.span)),
        None => {
            sink.push(
                Diagnostic::new(
                    Code::E0240,
                    every.span,
                    "`every` must divide an hour or a day evenly",
                )
                .label("cron cannot repeat this interval without drifting")
                .help("use 1m, 2m, 5m, 10m, 15m, 30m, 1h, 2h, 6h, 12h or 24h, or write `cron = \"...\"`"),
            );
            None
        }
    }
}

/// A `cron` timetable supercronic reads: five fields, or an `@` macro.
fn valid_cron(cron: Spanned<String>, sink: &Sink) -> Option<Spanned<String>> {
    let text = cron.value.trim();
    let fields: Vec<&str> = text.split_whitespace().collect();
    let allowed = |c: char| c.is_ascii_alphanumeric() || "*/,-".contains(c);
    let ok = MACROS.contains(&text)
        || (fields.len() == 5 && fields.iter().all(|f| f.chars().all(allowed)));
    if ok {
        return Some(Spanned::new(fields.join(" "), cron.span));
    }
    sink.push(
        Diagnostic::new(
            Code::E0240,
            cron.span,
            format!("`{text}` is not a cron timetable"),
        )
        .label("expected five fields: minute hour day-of-month month day-of-week")
        .help("write e.g. `cron = \"*/15 * * * *\"` or `cron = \"@daily\"`; times are UTC"),
    );
    None
}

/// Gives a service with schedules its `cron` process group and crontab, or
/// says why it cannot have them.
pub fn attach(service: &mut Service, sink: &Sink) {
    let Some(first) = service.schedules.first() else {
        return;
    };
    let first = first.name.span;
    if let Some(taken) = service
        .processes
        .iter()
        .find(|p| p.name.value == CRON_GROUP)
    {
        sink.push(
            Diagnostic::new(
                Code::E0241,
                taken.name.span,
                "process group `cron` is the one flyx adds for `schedule` blocks",
            )
            .label("declared here too")
            .also(first, "a schedule needs the group")
            .help("rename this group, or move its job into a `schedule` block"),
        );
        return;
    }
    let Some(shell) = job_shell(&service.source) else {
        sink.push(
            Diagnostic::new(
                Code::E0241,
                first,
                format!(
                    "`{}` cannot run schedules: flyx installs supercronic only in the Dockerfiles it writes for app runtimes",
                    service.name.value
                ),
            )
            .label("a schedule needs supercronic in the image")
            .help("build with `runtime = node | python | rust | go`; or install supercronic in your Dockerfile, add a process group such as `jobs = \"supercronic /app/crontab\"` and count it with `count = { jobs = 1 }`"),
        );
        return;
    };
    if service.processes.is_empty() {
        // The app's own command stays what the image runs.
        service.processes.push(Process {
            name: Spanned::new("app".to_string(), service.name.span),
            command: Spanned::new(String::new(), service.name.span),
        });
    }
    service.processes.push(Process {
        name: Spanned::new(CRON_GROUP.to_string(), first),
        command: Spanned::new(format!("{SUPERCRONIC} {CRONTAB_PATH}"), first),
    });
    service.files.push(FileMount {
        guest_path: Spanned::new(CRONTAB_PATH.to_string(), first),
        content: FileContent::Raw(crontab(&service.name.value, &service.schedules, shell)),
        processes: vec![Spanned::new(CRON_GROUP.to_string(), first)],
        span: first,
    });
}

/// The shell supercronic runs each job with: `/bin/sh`, or busybox's on the
/// distroless image of the go runtime; none where flyx cannot install it.
fn job_shell(source: &Source) -> Option<Option<&'static str>> {
    match source {
        Source::Runtime(build) => match build.config {
            RuntimeConfig::Go { .. } => Some(Some("/busybox/sh")),
            RuntimeConfig::Static { .. } => None,
            _ => Some(None),
        },
        Source::Image(_) | Source::Dockerfile(_) | Source::Buildpacks(_) | Source::Missing => None,
    }
}

/// The crontab: one commented line per schedule, UTC.
fn crontab(service: &str, schedules: &[Schedule], shell: Option<&str>) -> String {
    let mut text = format!(
        "# Written by flyx from the `schedule` blocks of `{service}`. supercronic runs\n\
         # it in the `cron` process group (one machine); times are UTC, and a job\n\
         # still running when it is due again is not started twice.\n"
    );
    if let Some(shell) = shell {
        text.push_str(&format!("SHELL={shell}\n"));
    }
    for schedule in schedules {
        text.push_str(&format!(
            "\n# {}\n{} {}\n",
            schedule.name.value, schedule.cron.value, schedule.command.value
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::every_as_cron;
    use crate::lower::fields::Sink;
    use crate::span::{Span, Spanned};
    use crate::syntax::ast::Duration;

    fn cron(seconds: u64) -> Option<String> {
        let sink = Sink::default();
        let every = Spanned::new(Duration::seconds(seconds), Span::default());
        every_as_cron(every, &sink).map(|c| c.value)
    }

    #[test]
    fn intervals_that_divide_an_hour_or_a_day_become_cron_lines() {
        assert_eq!(cron(60).as_deref(), Some("* * * * *"));
        assert_eq!(cron(5 * 60).as_deref(), Some("*/5 * * * *"));
        assert_eq!(cron(30 * 60).as_deref(), Some("*/30 * * * *"));
        assert_eq!(cron(3600).as_deref(), Some("0 * * * *"));
        assert_eq!(cron(6 * 3600).as_deref(), Some("0 */6 * * *"));
        assert_eq!(cron(24 * 3600).as_deref(), Some("0 0 * * *"));
    }

    #[test]
    fn intervals_that_would_drift_are_refused() {
        for seconds in [30, 90, 7 * 60, 45 * 60, 90 * 60, 5 * 3600, 48 * 3600] {
            assert_eq!(cron(seconds), None, "{seconds}s");
        }
    }
}
