//! `deploy.sh`: one ordered, idempotent deploy of the whole stack, rendered
//! from `templates/deploy.sh.hbs` with every value shell-quoted here.

use serde::Serialize;

use super::EmitOptions;
use super::templates::Templates;
use crate::model::{Service, Source, StoreKind};
use crate::shell::quote;
use crate::topology::{ServiceId, Topology};

/// The wait for each deploy's machines to pass their checks, when the
/// `.flyx` file names none (flyctl's own default).
const DEFAULT_WAIT_TIMEOUT: &str = "5m";

#[derive(Debug, Serialize)]
struct Context {
    header: String,
    project: String,
    script: String,
    service_count: String,
    level_count: String,
    root: String,
    org: String,
    service_names: String,
    levels: Vec<Level>,
    secrets: Vec<Secret>,
    stores: Vec<StoreContext>,
    /// Each service's provision and deploy functions, rendered on their own
    /// from `deploy.sh.service.hbs` (on several threads) and joined in order.
    service_functions: String,
    services: Vec<Dependencies>,
}

/// What `report_assumed` needs of a service.
#[derive(Debug, Serialize)]
struct Dependencies {
    name: String,
    depends_on: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Level {
    index: usize,
    names: String,
    services: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Secret {
    name: String,
    services: Vec<String>,
}

#[derive(Debug, Serialize)]
struct StoreContext {
    function: String,
    name: String,
    app: String,
    region: String,
    postgres: bool,
    vm_size: String,
    volume_gb: u64,
    cluster_size: u32,
    flags: Vec<String>,
    users: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ServiceContext {
    name: String,
    function: String,
    app: String,
    level: usize,
    public: bool,
    flycast: bool,
    dedicated_ipv4: bool,
    volumes: Vec<VolumeContext>,
    attachments: Vec<AttachmentContext>,
    secrets: Vec<String>,
    context: Option<String>,
    config: String,
    deploy_flags: Vec<String>,
    steps: Vec<StepContext>,
    scale: Vec<ScaleContext>,
    depends_on: Vec<String>,
}

#[derive(Debug, Serialize)]
struct VolumeContext {
    name: String,
    region: String,
    count: u32,
    size_gb: u64,
    flags: Vec<String>,
}

#[derive(Debug, Serialize)]
struct AttachmentContext {
    postgres: bool,
    store_app: String,
    secret: String,
    flags: Vec<String>,
}

#[derive(Debug, Serialize)]
struct StepContext {
    name: String,
    app: String,
    command: String,
}

#[derive(Debug, Serialize)]
struct ScaleContext {
    region: String,
    counts: String,
}

/// Renders deploy.sh for the whole topology.
pub fn render(
    topology: &Topology,
    templates: &Templates,
    options: &EmitOptions,
) -> Result<String, crate::diagnostic::Diagnostic> {
    templates.render("deploy.sh.hbs", &context(topology, templates, options)?)
}

fn context(
    topology: &Topology,
    templates: &Templates,
    options: &EmitOptions,
) -> Result<Context, crate::diagnostic::Diagnostic> {
    let name = |id: ServiceId| quote(&topology.service(id).name.value);
    let order: Vec<(usize, ServiceId)> = topology
        .levels
        .iter()
        .enumerate()
        .flat_map(|(level, ids)| ids.iter().map(move |id| (level, *id)))
        .collect();
    let services = topology.stack.services.len();
    let contexts: Vec<ServiceContext> = order
        .iter()
        .map(|(level, id)| service(topology, *id, *level))
        .collect();
    let rendered = super::parallel::map(&contexts, |context| {
        templates.render("deploy.sh.service.hbs", context)
    });
    let mut service_functions = String::new();
    for section in rendered {
        service_functions.push('\n');
        service_functions.push_str(&section?);
    }
    Ok(Context {
        header: options.header(),
        project: topology.stack.project.name.value.clone(),
        script: format!("{}/deploy.sh", options.output_from_project),
        service_count: plural(services, "service"),
        level_count: plural(topology.levels.len(), "level"),
        root: double_quoted(&options.project_from_output),
        org: quote(&topology.stack.project.org),
        service_names: order
            .iter()
            .map(|(_, id)| name(*id))
            .collect::<Vec<_>>()
            .join(" "),
        levels: topology
            .levels
            .iter()
            .enumerate()
            .map(|(index, ids)| Level {
                index,
                names: ids
                    .iter()
                    .map(|id| topology.service(*id).name.value.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                services: ids.iter().map(|id| name(*id)).collect(),
            })
            .collect(),
        secrets: topology
            .secrets
            .iter()
            .map(|(secret, ids)| Secret {
                name: quote(secret),
                services: ids.iter().map(|id| name(*id)).collect(),
            })
            .collect(),
        stores: stores(topology),
        service_functions,
        services: contexts
            .into_iter()
            .map(|c| Dependencies {
                name: c.name,
                depends_on: c.depends_on,
            })
            .collect(),
    })
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Text safe inside double quotes.
fn double_quoted(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '"' | '\\' | '$' | '`' => vec!['\\', c],
            _ => vec![c],
        })
        .collect()
}

fn stores(topology: &Topology) -> Vec<StoreContext> {
    let by_name = topology.services_by_name();
    let mut ids: Vec<usize> = (0..topology.stack.stores.len()).collect();
    ids.sort_by(|a, b| {
        topology.stack.stores[*a]
            .name
            .value
            .cmp(&topology.stack.stores[*b].name.value)
    });
    ids.into_iter()
        .map(|i| {
            let store = &topology.stack.stores[i];
            let users: Vec<String> = by_name
                .iter()
                .copied()
                .filter(|id| {
                    topology
                        .resolved(*id)
                        .attachments
                        .iter()
                        .any(|a| a.store.0 == i)
                })
                .map(|id| quote(&topology.service(id).name.value))
                .collect();
            let region = store
                .region
                .map_or(String::new(), |r| r.value.code().to_string());
            match &store.kind {
                StoreKind::Postgres(pg) => StoreContext {
                    function: function_name(&store.name.value),
                    name: quote(&store.name.value),
                    app: quote(&store.app.value),
                    region,
                    postgres: true,
                    vm_size: pg.vm_size.value.to_string(),
                    volume_gb: pg.volume_gb.value,
                    cluster_size: pg.cluster_size.value,
                    flags: Vec::new(),
                    users,
                },
                StoreKind::Redis(redis) => {
                    let mut flags = Vec::new();
                    if redis.replicas.is_empty() {
                        flags.push("--no-replicas".to_string());
                    } else {
                        let regions: Vec<&str> =
                            redis.replicas.iter().map(|r| r.value.code()).collect();
                        flags.push("--replica-regions".to_string());
                        flags.push(regions.join(","));
                    }
                    flags.push(
                        if redis.eviction {
                            "--enable-eviction"
                        } else {
                            "--disable-eviction"
                        }
                        .to_string(),
                    );
                    if let Some(plan) = &redis.plan {
                        flags.push("--plan".to_string());
                        flags.push(quote(&plan.value));
                    }
                    flags.push("--enable-prodpack=false".to_string());
                    flags.push("--enable-auto-upgrade=false".to_string());
                    StoreContext {
                        function: function_name(&store.name.value),
                        name: quote(&store.name.value),
                        app: quote(&store.app.value),
                        region,
                        postgres: false,
                        vm_size: String::new(),
                        volume_gb: 0,
                        cluster_size: 0,
                        flags,
                        users,
                    }
                }
            }
        })
        .collect()
}

/// A bash function name for a service or store: dashes become underscores.
fn function_name(name: &str) -> String {
    name.replace('-', "_")
}

fn service(topology: &Topology, id: ServiceId, level: usize) -> ServiceContext {
    let service = topology.service(id);
    let resolved = topology.resolved(id);
    let app = quote(&service.app.value);
    ServiceContext {
        name: quote(&service.name.value),
        function: function_name(&service.name.value),
        app: app.clone(),
        level,
        public: resolved.public,
        flycast: resolved.flycast,
        dedicated_ipv4: service.ports.iter().any(|p| p.public.value),
        volumes: resolved
            .volume_placements
            .iter()
            .map(|placement| {
                let volume = &service.volumes[placement.volume];
                let mut flags = Vec::new();
                if let Some(days) = volume.snapshot_retention {
                    flags.push(format!("--snapshot-retention {}", days.value));
                }
                if let Some(scheduled) = volume.scheduled_snapshots {
                    flags.push(format!("--scheduled-snapshots={scheduled}"));
                }
                VolumeContext {
                    name: quote(&volume.name.value),
                    region: placement.region.code().to_string(),
                    count: placement.count,
                    size_gb: volume.size_gb.map_or(1, |s| s.value),
                    flags,
                }
            })
            .collect(),
        attachments: resolved
            .attachments
            .iter()
            .map(|attachment| {
                let store = topology.store(attachment.store);
                let mut flags = Vec::new();
                if let Some(database) = &attachment.database {
                    flags.push("--database-name".to_string());
                    flags.push(quote(database));
                }
                AttachmentContext {
                    postgres: matches!(store.kind, StoreKind::Postgres(_)),
                    store_app: quote(&store.app.value),
                    secret: quote(&attachment.secret),
                    flags,
                }
            })
            .collect(),
        secrets: service.secrets.iter().map(|s| quote(&s.value)).collect(),
        context: build_context(service),
        config: format!("{}/fly.toml", service.name.value),
        deploy_flags: deploy_flags(service, resolved.public),
        steps: resolved
            .post_deploy
            .iter()
            .map(|step| StepContext {
                name: step.name.clone(),
                app: quote(&step.app),
                command: quote(&step.command),
            })
            .collect(),
        scale: resolved
            .placements
            .iter()
            .map(|(region, count)| ScaleContext {
                region: region.code().to_string(),
                counts: resolved
                    .process_groups
                    .iter()
                    .map(|group| format!("{group}={count}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            })
            .collect(),
        depends_on: resolved
            .depends_on
            .iter()
            .map(|dep| quote(&topology.service(*dep).name.value))
            .collect(),
    }
}

/// The folder `fly deploy` builds in, relative to the project; none for images.
fn build_context(service: &Service) -> Option<String> {
    match &service.source {
        Source::Dockerfile(build) => Some(quote(&build.context.value)),
        Source::Runtime(build) => Some(quote(&build.context.value)),
        Source::Image(_) | Source::Missing => None,
    }
}

/// Everything `fly deploy` needs to run without a prompt.
fn deploy_flags(service: &Service, public: bool) -> Vec<String> {
    let wait = service
        .deploy
        .wait_timeout
        .map_or_else(|| DEFAULT_WAIT_TIMEOUT.to_string(), |w| w.value.to_go());
    let mut flags = vec![
        "--remote-only".to_string(),
        // One machine per process group; `scale count` sets the real counts.
        "--ha=false".to_string(),
        "--wait-timeout".to_string(),
        wait,
        "--yes".to_string(),
    ];
    if !public {
        flags.push("--no-public-ips".to_string());
    }
    flags
}
