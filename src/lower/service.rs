//! Lowers `service NAME { ... }`: one Fly app and everything it declares.

use super::fields::{Fields, Sink};
use super::keywords::Signal;
use super::values::{self, region_code};
use super::{
    build, machine, network, no_label, ops, required_label, schedule, storage, unique_names,
};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::fly::{self, CpuKind, Region};
use crate::model::{
    Count, Deploy, EnvVar, Process, Project, RuntimeBuild, RuntimeConfig, Service, Source, Vm,
};
use crate::span::Spanned;
use crate::syntax::ast::{Block, Duration, Entry, MapEntry, Value, ValueKind};

/// The most machines flyx places in one region.
const MAX_COUNT: u64 = 1000;

/// Fly's documented maximum for `kill_timeout`.
const MAX_KILL_TIMEOUT: Duration = Duration::seconds(300);

/// Lowers `service api { ... }`.
pub fn lower(block: &Block, project: &Project, sink: &Sink) -> Option<Service> {
    let label = required_label(block, sink, "service NAME { ... }");
    let mut f = Fields::new(block, sink);
    let app_override = f.string("app");
    let region = f.region("region").or(project.region);
    let count = lower_count(&mut f, &process_group_names(block));
    let build::Lowered {
        mut source,
        build_env,
    } = build::lower(&mut f, label.map_or("app", |l| l.name.as_str()));
    let http = f.block("http").and_then(|b| network::lower_http(b, sink));
    let ports = f
        .blocks("port")
        .into_iter()
        .filter_map(|b| network::lower_port(b, sink))
        .collect::<Vec<_>>();
    let checks = f
        .blocks("check")
        .into_iter()
        .filter_map(|b| network::lower_check(b, network::CheckPlace::Service, sink))
        .collect::<Vec<_>>();
    let vms = f
        .blocks("vm")
        .into_iter()
        .filter_map(|b| {
            no_label(b, sink);
            lower_vm(b, project.vm.as_ref(), sink)
        })
        .collect::<Vec<_>>();
    let env = f
        .block("env")
        .map(|b| lower_env(b, sink))
        .unwrap_or_default();
    build::add_build_env(&mut source, &build_env, &env, sink);
    check_generated_build_args(&source, sink);
    let consul = f.bool("consul");
    let secrets = lower_secrets(&mut f, consul.is_some_and(|c| c.value));
    let local = super::local::lower(f.block("local"), &env, &secrets, sink);
    let links = network::lower_links(&mut f);
    let after = f.names("after");
    let volumes = f
        .blocks("volume")
        .into_iter()
        .filter_map(|b| storage::lower_volume(b, sink))
        .collect::<Vec<_>>();
    let deploy = f
        .block("deploy")
        .map(|b| lower_deploy(b, sink))
        .unwrap_or_default();
    let processes = f
        .block("processes")
        .map(|b| lower_processes(b, sink))
        .unwrap_or_default();
    let kill_signal = f
        .keyword::<Signal>("kill_signal")
        .map(|s| Spanned::new(s.value.0.to_string(), s.span));
    let kill_timeout = f.duration("kill_timeout");
    let swap_mb = f.megabytes("swap");
    let console_command = f.string("console_command");
    let flycast = f.bool("flycast");
    let statics = f
        .blocks("static")
        .into_iter()
        .filter_map(|b| storage::lower_static(b, sink))
        .collect();
    let files = f
        .blocks("file")
        .into_iter()
        .filter_map(|b| storage::lower_file(b, sink))
        .collect();
    let metrics = f
        .blocks("metrics")
        .into_iter()
        .filter_map(|b| ops::lower_metrics(b, sink))
        .collect();
    let restarts = f
        .blocks("restart")
        .into_iter()
        .filter_map(|b| ops::lower_restart(b, sink))
        .collect();
    let post_deploy = f
        .blocks("post_deploy")
        .into_iter()
        .filter_map(|b| ops::lower_post_deploy(b, sink))
        .collect::<Vec<_>>();
    let schedules = f
        .blocks("schedule")
        .into_iter()
        .filter_map(|b| schedule::lower(b, sink))
        .collect::<Vec<_>>();
    let start = machine::lower(&mut f);
    f.finish();

    python_start(&source, &processes, sink);
    if let Some(timeout) = kill_timeout {
        check_kill_timeout(timeout, sink);
    }
    let label = label?;
    let name = Spanned::new(label.name.clone(), label.span);
    check_service_name(&name, sink);
    let app = app_name(&name, app_override, project, sink);
    let within = format!("service `{}`", name.value);
    unique_names(sink, "port", &within, ports.iter().map(|p| &p.name));
    unique_names(sink, "volume", &within, volumes.iter().map(|v| &v.name));
    unique_names(
        sink,
        "check",
        &within,
        checks
            .iter()
            .chain(http.iter().flat_map(|h| h.checks.iter()))
            .chain(ports.iter().flat_map(|p| p.checks.iter()))
            .map(|c| &c.name),
    );
    unique_names(
        sink,
        "post_deploy step",
        &within,
        post_deploy.iter().map(|p| &p.name),
    );
    unique_names(sink, "schedule", &within, schedules.iter().map(|s| &s.name));
    let mut service = Service {
        name,
        app,
        region,
        count,
        source,
        http,
        ports,
        checks,
        vms,
        env,
        secrets,
        links,
        after,
        volumes,
        deploy,
        processes,
        kill_signal,
        kill_timeout,
        swap_mb,
        console_command,
        flycast,
        consul,
        statics,
        metrics,
        restarts,
        files,
        post_deploy,
        schedules,
        entrypoint: start.entrypoint,
        exec: start.exec,
        machine_config: start.machine_config,
        local,
        span: block.header(),
    };
    machine::check(&service, sink);
    schedule::attach(&mut service, sink);
    Some(service)
}

/// Service names become folder names and app-name suffixes.
fn check_service_name(name: &Spanned<String>, sink: &Sink) {
    if let Some(problem) = fly::app_name_problem(&name.value) {
        sink.push(
            Diagnostic::new(
                Code::E0213,
                name.span,
                format!("service name `{}` is not valid: {problem}", name.value),
            )
            .label("used in the app name and as a folder name")
            .help("use lowercase letters, digits and dashes, starting with a letter"),
        );
    }
}

/// The Fly app name: `app = "..."`, or the prefix and the service name.
fn app_name(
    name: &Spanned<String>,
    app_override: Option<Spanned<String>>,
    project: &Project,
    sink: &Sink,
) -> Spanned<String> {
    if let Some(app) = app_override {
        if let Some(problem) = fly::app_name_problem(&app.value) {
            sink.push(
                Diagnostic::new(
                    Code::E0213,
                    app.span,
                    format!("app name `{}` is not valid: {problem}", app.value),
                )
                .label("not a valid Fly app name")
                .help("use lowercase letters, digits and dashes, at most 63 characters"),
            );
        }
        return app;
    }
    let full = if project.prefix.is_empty() {
        name.value.clone()
    } else {
        format!("{}-{}", project.prefix, name.value)
    };
    if full.len() > fly::MAX_APP_NAME && fly::app_name_problem(&name.value).is_none() {
        sink.push(
            Diagnostic::new(
                Code::E0213,
                name.span,
                format!(
                    "app name `{full}` is {} characters long; Fly allows at most {}",
                    full.len(),
                    fly::MAX_APP_NAME
                ),
            )
            .label("the prefix and this name make the app name")
            .help("shorten the service name or the project's prefix, or set `app = \"...\"`"),
        );
    }
    Spanned::new(full, name.span)
}

/// The names the service's `processes { }` block declares, for messages.
fn process_group_names(block: &Block) -> Vec<&str> {
    block
        .entries
        .iter()
        .filter_map(|entry| match entry {
            Entry::Block(b) if b.kind.name == "processes" => Some(b),
            _ => None,
        })
        .flat_map(|b| b.entries.iter().map(|e| e.name().name.as_str()))
        .collect()
}

/// Reads `count`: `2` (primary region), `{ sjc = 2, ams = 1 }` (per region),
/// `{ web = 2, beat = 1 }` (per process group) or `{ web = { sjc = 2 } }`.
fn lower_count(f: &mut Fields<'_>, groups: &[&str]) -> Count {
    let sink = f.sink();
    let Some(value) = f.value("count") else {
        return Count::Default;
    };
    if let ValueKind::Map(entries) = &value.kind
        && entries
            .iter()
            .any(|e| groups.contains(&e.key.name.as_str()))
    {
        return per_group_count(entries, groups, sink);
    }
    machines_count(
        value,
        sink,
        "a number, a map of regions, or a map of process groups",
    )
}

/// `2` or `{ sjc = 2, ams = 1 }`: one count for every group, or for one group.
fn machines_count(value: &Value, sink: &Sink, expected: &str) -> Count {
    match &value.kind {
        ValueKind::Integer(_) => values::integer(value, "count", 1, MAX_COUNT, sink)
            .map_or(Count::Default, |n| {
                Count::Primary(Spanned::new(n.value as u32, n.span))
            }),
        ValueKind::Map(entries) => {
            let mut counts: Vec<(Spanned<Region>, Spanned<u32>)> = entries
                .iter()
                .filter_map(|entry| {
                    let region = region_code(&entry.key.name, entry.key.span, sink)?;
                    let n = values::integer(&entry.value, "count", 1, MAX_COUNT, sink)?;
                    Some((region, Spanned::new(n.value as u32, n.span)))
                })
                .collect();
            report_repeated_regions(&counts, sink);
            counts.sort_by_key(|(region, _)| region.value);
            counts.dedup_by_key(|(region, _)| region.value);
            Count::PerRegion(counts)
        }
        _ => {
            values::wrong_type(sink, value, "count", expected, "{ sjc = 2 }");
            Count::Default
        }
    }
}

/// `{ web = 2, beat = { sjc = 1 } }`: every key must be a process group.
fn per_group_count(entries: &[MapEntry], groups: &[&str], sink: &Sink) -> Count {
    let mut counts: Vec<(Spanned<String>, Count)> = Vec::new();
    for entry in entries {
        let name = entry.key.name.as_str();
        if !groups.contains(&name) {
            sink.push(not_a_group(name, entry.key.span, groups));
            continue;
        }
        if let Some((first, _)) = counts.iter().find(|(g, _)| g.value == name) {
            sink.push(
                Diagnostic::new(
                    Code::E0204,
                    entry.key.span,
                    format!("process group `{name}` is counted twice"),
                )
                .label("written again here")
                .also(first.span, "first written here")
                .help("give each process group one count"),
            );
            continue;
        }
        let count = machines_count(&entry.value, sink, "a number or a map of regions");
        if !matches!(count, Count::Default) {
            counts.push((Spanned::new(name.to_string(), entry.key.span), count));
        }
    }
    counts.sort_by(|(a, _), (b, _)| a.value.cmp(&b.value));
    Count::PerGroup(counts)
}

/// A key of a per-group `count` that names no process group: a region mixed
/// in, or a typo.
fn not_a_group(name: &str, span: crate::span::Span, groups: &[&str]) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::E0211,
        span,
        format!("`{name}` is not a process group, and this `count` counts process groups"),
    );
    if Region::parse(name).is_some() || fly::replacement_region(name).is_some() {
        return diagnostic
            .label("a region, among process groups")
            .help(format!(
                "a count names regions or process groups, not both: write `{} = {{ {name} = 1 }}` to count a group per region",
                groups.first().copied().unwrap_or("app")
            ));
    }
    let help = match did_you_mean(name, groups.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!("the service's process groups are: {}", groups.join(", ")),
    };
    diagnostic.label("no process group by this name").help(help)
}

fn report_repeated_regions(counts: &[(Spanned<Region>, Spanned<u32>)], sink: &Sink) {
    for (i, (region, _)) in counts.iter().enumerate() {
        if let Some((first, _)) = counts[..i].iter().find(|(r, _)| r.value == region.value) {
            sink.push(
                Diagnostic::new(
                    Code::E0204,
                    region.span,
                    format!("region `{}` is counted twice", region.value),
                )
                .label("written again here")
                .also(first.span, "first written here")
                .help("give each region one count"),
            );
        }
    }
}

fn check_kill_timeout(timeout: Spanned<Duration>, sink: &Sink) {
    if timeout.value > MAX_KILL_TIMEOUT || timeout.value.millis < 1000 {
        sink.push(
            Diagnostic::new(
                Code::E0216,
                timeout.span,
                format!(
                    "`kill_timeout` of {} is outside 1s..5m",
                    timeout.value.to_go()
                ),
            )
            .label("Fly waits at most 300 seconds before killing a machine")
            .help("use a value from 1s to 5m"),
        );
    }
}

/// Lowers `vm { size = "shared-cpu-1x"  memory = 512mb }`. A block that names
/// no machine shape (`size`, `cpus`, `cpu_kind`) takes the project's `vm` and
/// changes only what it says, such as `memory`.
pub fn lower_vm(block: &Block, defaults: Option<&Vm>, sink: &Sink) -> Option<Vm> {
    let mut f = Fields::new(block, sink);
    let size = f.attr("size").and_then(|a| vm_size(&a.value, "size", sink));
    let memory_mb = f.megabytes("memory");
    let cpus = f.count("cpus", 1, 16);
    let cpu_kind = f.keyword::<CpuKind>("cpu_kind");
    let processes = f.names("processes");
    f.finish();
    let shaped = size.is_some() || cpus.is_some() || cpu_kind.is_some();
    let defaults = defaults.filter(|_| !shaped);
    let vm = Vm {
        size: size.or(defaults.and_then(|d| d.size)),
        memory_mb: memory_mb.or(defaults.and_then(|d| d.memory_mb)),
        cpus: cpus.or(defaults.and_then(|d| d.cpus)),
        cpu_kind: cpu_kind.or(defaults.and_then(|d| d.cpu_kind)),
        processes,
        span: block.span,
    };
    check_memory(&vm, sink);
    Some(vm)
}

/// A machine preset named by the attribute `key`, or a diagnostic with the
/// closest name.
pub(super) fn vm_size(
    value: &crate::syntax::ast::Value,
    key: &str,
    sink: &Sink,
) -> Option<Spanned<&'static str>> {
    let name = values::name(value, key, sink)?;
    if let Some(preset) = fly::preset_named(&name.value) {
        return Some(Spanned::new(preset.name, name.span));
    }
    let help = if fly::GPU_PRESETS.contains(&name.value.as_str()) {
        "GPU Machines are no longer offered; use a `performance-*` size".to_string()
    } else if let Some(rest) = name.value.strip_prefix("dedicated-cpu-") {
        format!("`dedicated-cpu-*` sizes are now called `performance-*`: try `performance-{rest}`")
    } else {
        match did_you_mean(&name.value, fly::PRESETS.iter().map(|p| p.name)) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!(
                "Fly's sizes are: {}",
                fly::PRESETS
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    };
    sink.push(
        Diagnostic::new(
            Code::E0208,
            name.span,
            format!("`{}` is not a Fly VM size", name.value),
        )
        .label("not a machine preset")
        .help(help),
    );
    None
}

/// Memory must be a multiple of 256 MB and fit the CPU count.
fn check_memory(vm: &Vm, sink: &Sink) {
    let Some(memory) = vm.memory_mb else {
        return;
    };
    if memory.value == 0 || !memory.value.is_multiple_of(fly::MEMORY_STEP_MB) {
        sink.push(
            Diagnostic::new(
                Code::E0209,
                memory.span,
                format!("memory of {} MB is not a multiple of 256 MB", memory.value),
            )
            .label("Fly allocates memory in steps of 256 MB")
            .help(format!(
                "use {} MB or {} MB",
                (memory.value / 256).max(1) * 256,
                (memory.value / 256 + 1) * 256
            )),
        );
        return;
    }
    let preset = fly::preset_named(vm.size.map_or(fly::DEFAULT_PRESET, |s| s.value));
    let cpus = vm
        .cpus
        .map(|c| c.value)
        .or(preset.map(|p| p.cpus))
        .unwrap_or(1);
    let kind = vm
        .cpu_kind
        .map(|k| k.value)
        .or(preset.map(|p| p.cpu_kind))
        .unwrap_or(CpuKind::Shared);
    let (min, max) = kind.memory_per_cpu();
    let (min, max) = (min * u64::from(cpus), max * u64::from(cpus));
    if !(min..=max).contains(&memory.value) {
        let size = vm.size.map_or(fly::DEFAULT_PRESET, |s| s.value);
        let help = if memory.value < min {
            format!("use at least {min}mb on `{size}`")
        } else {
            match fly::PRESETS.iter().find(|p| {
                p.cpu_kind == kind && kind.memory_per_cpu().1 * u64::from(p.cpus) >= memory.value
            }) {
                Some(larger) => format!(
                    "use at most {max}mb on `{size}`, or a larger size such as `{}`",
                    larger.name
                ),
                None => format!("use at most {max}mb on `{size}`"),
            }
        };
        sink.push(
            Diagnostic::new(
                Code::E0210,
                memory.span,
                format!(
                    "{} MB is outside {min}..{max} MB, the memory Fly allows for {cpus} {} CPU{}",
                    memory.value,
                    kind.as_str(),
                    if cpus == 1 { "" } else { "s" }
                ),
            )
            .label(format!(
                "too {} for `{size}`",
                if memory.value < min { "little" } else { "much" }
            ))
            .help(help),
        );
    }
}

/// Lowers `env { NAME = "value" }`.
pub(super) fn lower_env(block: &Block, sink: &Sink) -> Vec<EnvVar> {
    no_label(block, sink);
    let vars = text_entries(block, sink, "env");
    for var in &vars {
        check_env_name(&var.name, sink);
    }
    vars
}

/// Reads every `NAME = value` of a block whose entries are free names (env, args).
pub fn text_entries(block: &Block, sink: &Sink, what: &str) -> Vec<EnvVar> {
    let mut vars: Vec<EnvVar> = Vec::new();
    for entry in &block.entries {
        match entry {
            Entry::Attribute(attribute) => {
                if let Some(first) = vars.iter().find(|v| v.name.value == attribute.key.name) {
                    sink.push(
                        Diagnostic::new(
                            Code::E0204,
                            attribute.key.span,
                            format!("`{}` is set twice in `{what}`", attribute.key.name),
                        )
                        .label("set again here")
                        .also(first.name.span, "first set here")
                        .help("remove one of the two"),
                    );
                    continue;
                }
                if let Some(value) = values::text(&attribute.value, &attribute.key.name, sink) {
                    vars.push(EnvVar {
                        name: Spanned::new(attribute.key.name.clone(), attribute.key.span),
                        value,
                    });
                }
            }
            Entry::Block(nested) => sink.push(
                Diagnostic::new(
                    Code::E0201,
                    nested.kind.span,
                    format!("`{what}` holds only `NAME = value` entries"),
                )
                .label("a block is not allowed here")
                .help(format!("write `{} = \"...\"`", nested.kind.name)),
            ),
        }
    }
    vars
}

fn check_env_name(name: &Spanned<String>, sink: &Sink) {
    if let Some(problem) = fly::env_name_problem(&name.value) {
        sink.push(
            Diagnostic::new(
                Code::E0220,
                name.span,
                format!("`{}` cannot be an environment variable", name.value),
            )
            .label("not a name flyx can set")
            .help(problem),
        );
    }
}

/// A runtime build's arguments become `ARG NAME` lines in the Dockerfile
/// flyx writes, and the build reads them as shell variables: a name a shell
/// cannot hold (`$key-x` is `$key` then `-x`, docker/buildx#3145) is E0243.
/// The user's own Dockerfile takes any name flyctl's `--build-arg` passes.
fn check_generated_build_args(source: &Source, sink: &Sink) {
    let Source::Runtime(build) = source else {
        return;
    };
    for arg in build
        .args
        .iter()
        .filter(|a| !fly::is_shell_name(&a.name.value))
    {
        sink.push(
            Diagnostic::new(
                Code::E0243,
                arg.name.span,
                format!(
                    "`{}` cannot be a build argument of the Dockerfile flyx writes",
                    arg.name.value
                ),
            )
            .label("the generated Dockerfile declares it with `ARG`")
            .help("build arguments of a runtime build use letters, digits and `_`, not starting with a digit: rename it (the env entry may keep its name if it stays out of `build_env`), or build from your own Dockerfile"),
        );
    }
}

/// The secret `fly consul attach` sets.
pub const CONSUL_SECRET: &str = "FLY_CONSUL_URL";

/// Reads `secrets = [API_KEY, JWT_SECRET]`. `FLY_CONSUL_URL` is Fly's, set by
/// `consul = true`: listed with it, it is left out (deploy.sh asks no value
/// for it); listed without it, the error says where it comes from.
fn lower_secrets(f: &mut Fields<'_>, consul: bool) -> Vec<Spanned<String>> {
    let sink = f.sink();
    let mut secrets = f.names("secrets");
    for secret in &secrets {
        if secret.value == CONSUL_SECRET {
            if !consul {
                sink.push(
                    Diagnostic::new(
                        Code::E0214,
                        secret.span,
                        format!("`{CONSUL_SECRET}` is set by Fly's Consul, which this service does not ask for"),
                    )
                    .label("names starting with `FLY_` are reserved by Fly")
                    .help(format!(
                        "write `consul = true` in the service: deploy.sh runs `fly consul attach`, which sets `{CONSUL_SECRET}`; then this entry is not needed"
                    )),
                );
            }
            continue;
        }
        check_secret_name(secret, sink);
    }
    unique_names(sink, "secret", "`secrets`", secrets.iter());
    secrets.retain(|s| s.value != CONSUL_SECRET);
    secrets
}

/// Checks a secret name: `[A-Z_][A-Z0-9_]*`, not `FLY_...`.
pub fn check_secret_name(name: &Spanned<String>, sink: &Sink) -> bool {
    match fly::secret_name_problem(&name.value) {
        Some(problem) => {
            sink.push(
                Diagnostic::new(
                    Code::E0214,
                    name.span,
                    format!("`{}` is not a valid secret name: {problem}", name.value),
                )
                .label("not a valid secret name")
                .help(format!(
                    "write it as `{}`",
                    name.value
                        .to_ascii_uppercase()
                        .replace(['-', '.', ' '], "_")
                )),
            );
            false
        }
        None => true,
    }
}

/// Lowers `deploy { strategy = rolling  release_command = "..." }`.
fn lower_deploy(block: &Block, sink: &Sink) -> Deploy {
    no_label(block, sink);
    let mut f = Fields::new(block, sink);
    let strategy = f.keyword("strategy");
    let release_command = f.text("release_command");
    let wait_timeout = f.duration("wait_timeout");
    let release_command_timeout = f.duration("release_command_timeout");
    let max_unavailable = f
        .value("max_unavailable")
        .and_then(|v| max_unavailable(v, sink));
    f.finish();
    if let Some(wait) = wait_timeout
        && wait.value.millis < 1000
    {
        sink.push(
            Diagnostic::new(Code::E0216, wait.span, "`wait_timeout` must be at least 1s")
                .label("too short to deploy anything")
                .help("use a duration such as `5m`"),
        );
    }
    if let Some(timeout) = release_command_timeout {
        check_release_command_timeout(timeout, release_command.as_ref(), sink);
    }
    Deploy {
        strategy,
        release_command,
        wait_timeout,
        release_command_timeout,
        max_unavailable,
        span: Some(block.span),
    }
}

/// `release_command_timeout`: at least a second, and only with a release
/// command, the one thing it times (flyctl ignores it otherwise).
fn check_release_command_timeout(
    timeout: Spanned<Duration>,
    release_command: Option<&crate::model::Text>,
    sink: &Sink,
) {
    if timeout.value.millis < 1000 {
        sink.push(
            Diagnostic::new(
                Code::E0216,
                timeout.span,
                "`release_command_timeout` must be at least 1s",
            )
            .label("too short to run a release command")
            .help("use a duration such as `10m`; Fly's default is 5m"),
        );
    } else if release_command.is_none() {
        sink.push(
            Diagnostic::new(
                Code::W0202,
                timeout.span,
                "`release_command_timeout` without a `release_command` does nothing",
            )
            .label("nothing runs for this long")
            .help("add `release_command = \"...\"` to the `deploy` block, or remove the timeout"),
        );
    }
}

/// `max_unavailable`: a fraction in (0, 1) or a whole count of at least 1.
fn max_unavailable(value: &crate::syntax::ast::Value, sink: &Sink) -> Option<Spanned<f64>> {
    let n = match value.kind {
        ValueKind::Integer(n) if n >= 1 => return Some(Spanned::new(n as f64, value.span)),
        ValueKind::Float(n) if n > 0.0 && n < 1.0 => return Some(Spanned::new(n, value.span)),
        ValueKind::Integer(n) => n as f64,
        ValueKind::Float(n) => n,
        _ => {
            values::wrong_type(sink, value, "max_unavailable", "a number", "0.33");
            return None;
        }
    };
    sink.push(
        Diagnostic::new(
            Code::E0218,
            value.span,
            format!("`max_unavailable` is {n}: it must be a fraction between 0 and 1, or a count of at least 1"),
        )
        .label("out of range")
        .help("write `max_unavailable = 0.33` for a third of the machines, or `2` for two"),
    );
    None
}

/// A python build needs `start` unless every process group has a command of
/// its own: on Fly a group's command replaces the image's CMD, and a group with
/// an empty command runs the CMD.
fn python_start(source: &Source, processes: &[Process], sink: &Sink) {
    let Source::Runtime(RuntimeBuild {
        config: RuntimeConfig::Python { start: None, .. },
        runtime,
        ..
    }) = source
    else {
        return;
    };
    let empty = processes.iter().find(|p| p.command.value.trim().is_empty());
    if !processes.is_empty() && empty.is_none() {
        return;
    }
    let mut diagnostic = Diagnostic::new(
        Code::E0206,
        runtime.span,
        "a python build needs `start`, unless `processes` gives every group a command",
    )
    .label("`start` is missing");
    if let Some(process) = empty {
        diagnostic = diagnostic.also(
            process.command.span,
            format!("group `{}` runs the image's CMD", process.name.value),
        );
    }
    sink.push(diagnostic.help(
        "add `start = \"gunicorn app:app --bind [::]:8000\"`, or a command for every process group",
    ));
}

/// Lowers `processes { web = "bin/server"  worker = "bin/worker" }`.
fn lower_processes(block: &Block, sink: &Sink) -> Vec<Process> {
    no_label(block, sink);
    let mut processes: Vec<Process> = Vec::new();
    for entry in &block.entries {
        let Entry::Attribute(attribute) = entry else {
            let name = entry.name();
            sink.push(
                Diagnostic::new(
                    Code::E0201,
                    name.span,
                    "`processes` holds only `NAME = \"command\"` entries",
                )
                .label("a block is not allowed here")
                .help(format!("write `{} = \"command\"`", name.name)),
            );
            continue;
        };
        let name = Spanned::new(attribute.key.name.clone(), attribute.key.span);
        check_process_name(&name, sink);
        if let Some(command) = values::string(&attribute.value, &name.value, sink) {
            processes.push(Process { name, command });
        }
    }
    unique_names(
        sink,
        "process group",
        "`processes`",
        processes.iter().map(|p| &p.name),
    );
    processes
}

fn check_process_name(name: &Spanned<String>, sink: &Sink) {
    let valid = !name.value.is_empty()
        && name
            .value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !valid {
        sink.push(
            Diagnostic::new(
                Code::E0213,
                name.span,
                format!("`{}` is not a valid process group name", name.value),
            )
            .label("not a valid process group name")
            .help("use lowercase letters, digits, `-` and `_`"),
        );
    }
}
