//! `deploy.sh`: one ordered, idempotent deploy of the whole stack, rendered
//! from `templates/deploy.sh.hbs` with every value shell-quoted here.

use serde::Serialize;

use super::EmitOptions;
use super::templates::Templates;
use std::collections::BTreeMap;

use crate::model::{Postgres, Service, Source, StoreKind};
use crate::shell::quote;
use crate::topology::{Attachment, ServiceId, Topology};

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
    /// Whether a service asks for Consul: deploy.sh then has `attach_consul`.
    consul: bool,
    /// Per service of the stack that has secrets: which ones.
    secret_users: Vec<SecretUser>,
    /// Build recipes shared by several services: built once.
    images: Vec<ImageContext>,
    /// Each service's provision and deploy functions, rendered on their own
    /// from `deploy.sh.service.hbs` (on several threads) and joined in order.
    service_functions: String,
    services: Vec<Dependencies>,
    /// Services with custom domains, in deploy order.
    domains: Vec<DomainsContext>,
}

/// The custom domains of one service: a certificate each.
#[derive(Debug, Serialize)]
struct DomainsContext {
    name: String,
    app: String,
    hosts: Vec<String>,
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
struct SecretUser {
    name: String,
    app: String,
    secrets: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ImageContext {
    index: usize,
    names: String,
    members: Vec<ImageMember>,
}

#[derive(Debug, Serialize)]
struct ImageMember {
    name: String,
    app: String,
    context: String,
    config: String,
}

#[derive(Debug, Serialize)]
struct StoreContext {
    function: String,
    name: String,
    app: String,
    region: String,
    /// `ensure_mpg`, `ensure_postgres` or `ensure_redis`.
    command: &'static str,
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
    /// `consul = true`: `attach_consul` after the secrets are staged.
    consul: bool,
    context: Option<String>,
    config: String,
    /// The variable holding the shared image this service deploys, if any.
    image: Option<String>,
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
    /// Whether the stack sets the count: `ensure_volumes`, else `ensure_first_volume`.
    counted: bool,
    size_gb: u64,
    flags: Vec<String>,
}

#[derive(Debug, Serialize)]
struct AttachmentContext {
    /// `attach_mpg`, `attach_postgres` or `attach_redis`.
    command: &'static str,
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

/// Renders deploy.sh for the whole topology. `generated` holds, by service
/// name, the build files flyx wrote for it (its Dockerfile and Dockerfile.dockerignore),
/// which are part of its build recipe.
pub fn render(
    topology: &Topology,
    templates: &Templates,
    options: &EmitOptions,
    generated: &BTreeMap<String, String>,
) -> Result<String, crate::diagnostic::Diagnostic> {
    templates.render(
        "deploy.sh.hbs",
        &context(topology, templates, options, generated)?,
    )
}

fn context(
    topology: &Topology,
    templates: &Templates,
    options: &EmitOptions,
    generated: &BTreeMap<String, String>,
) -> Result<Context, crate::diagnostic::Diagnostic> {
    let name = |id: ServiceId| quote(&topology.service(id).name.value);
    let order: Vec<(usize, ServiceId)> = topology
        .levels
        .iter()
        .enumerate()
        .flat_map(|(level, ids)| ids.iter().map(move |id| (level, *id)))
        .collect();
    let services = topology.stack.services.len();
    let images = shared_images(topology, &order, generated);
    let contexts: Vec<ServiceContext> = order
        .iter()
        .map(|(level, id)| {
            let image = images
                .iter()
                .find(|image| image.ids.contains(id))
                .map(|image| format!("IMAGE_{}", image.index));
            service(topology, *id, *level, image)
        })
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
        consul: order
            .iter()
            .any(|(_, id)| topology.service(*id).consul.is_some_and(|c| c.value)),
        secret_users: order
            .iter()
            .map(|(_, id)| topology.service(*id))
            .filter(|service| !service.secrets.is_empty())
            .map(|service| SecretUser {
                name: quote(&service.name.value),
                app: quote(&service.app.value),
                secrets: service.secrets.iter().map(|s| quote(&s.value)).collect(),
            })
            .collect(),
        images: images
            .iter()
            .map(|image| image_context(topology, image))
            .collect(),
        service_functions,
        domains: order
            .iter()
            .map(|(_, id)| topology.service(*id))
            .filter(|service| !service.domains().is_empty())
            .map(|service| DomainsContext {
                name: quote(&service.name.value),
                app: quote(&service.app.value),
                hosts: service.domains().iter().map(|d| quote(&d.value)).collect(),
            })
            .collect(),
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
            let (command, flags) = store_command(&store.kind);
            StoreContext {
                function: function_name(&store.name.value),
                name: quote(&store.name.value),
                app: quote(&store.app.value),
                region,
                command,
                flags,
                users,
            }
        })
        .collect()
}

/// The deploy.sh function that creates a store, and the flags it passes on.
fn store_command(kind: &StoreKind) -> (&'static str, Vec<String>) {
    match kind {
        StoreKind::Postgres(Postgres::Managed(mpg)) => {
            let mut flags = vec![
                "--plan".to_string(),
                mpg.plan.value.as_str().to_string(),
                "--volume-size".to_string(),
                mpg.volume_gb.value.to_string(),
                "--pg-major-version".to_string(),
                mpg.version.value.to_string(),
            ];
            if mpg.postgis() {
                flags.push("--enable-postgis-support".to_string());
            }
            ("ensure_mpg", flags)
        }
        StoreKind::Postgres(Postgres::Legacy(pg)) => {
            let mut flags = vec![
                "--vm-size".to_string(),
                pg.vm_size.value.to_string(),
                "--volume-size".to_string(),
                pg.volume_gb.value.to_string(),
                "--initial-cluster-size".to_string(),
                pg.cluster_size.value.to_string(),
            ];
            if let Some(memory) = pg.memory_mb {
                flags.push("--vm-memory".to_string());
                flags.push(memory.value.to_string());
            }
            if pg.backups {
                flags.push("--enable-backups".to_string());
            }
            ("ensure_postgres", flags)
        }
        StoreKind::Redis(redis) => ("ensure_redis", redis_flags(redis)),
    }
}

/// `fly redis create` flags that answer every prompt it would ask.
fn redis_flags(redis: &crate::model::Redis) -> Vec<String> {
    let mut flags = Vec::new();
    if redis.replicas.is_empty() {
        flags.push("--no-replicas".to_string());
    } else {
        let regions: Vec<&str> = redis.replicas.iter().map(|r| r.value.code()).collect();
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
    flags
}

/// A bash function name for a service or store: dashes become underscores.
fn function_name(name: &str) -> String {
    name.replace('-', "_")
}

fn service(
    topology: &Topology,
    id: ServiceId,
    level: usize,
    image: Option<String>,
) -> ServiceContext {
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
        dedicated_ipv4: resolved.dedicated_ipv4,
        volumes: resolved
            .volume_placements
            .iter()
            .map(|placement| {
                let volume = &service.volumes[placement.volume];
                let mut flags = vec![
                    format!("--vm-size {}", placement.guest.preset()),
                    format!("--vm-memory {}", placement.guest.memory_mb),
                ];
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
                    counted: placement.counted,
                    size_gb: volume.size_gb.map_or(1, |s| s.value),
                    flags,
                }
            })
            .collect(),
        attachments: resolved
            .attachments
            .iter()
            .map(|attachment| attachment_context(topology, attachment))
            .collect(),
        secrets: service.secrets.iter().map(|s| quote(&s.value)).collect(),
        consul: service.consul.is_some_and(|c| c.value),
        context: build_context(service),
        config: format!("{}/fly.toml", service.name.value),
        image,
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
        scale: scale(resolved),
        depends_on: resolved
            .depends_on
            .iter()
            .map(|dep| quote(&topology.service(*dep).name.value))
            .collect(),
    }
}

/// The folder `fly deploy` builds in, relative to the project; none for images.
fn build_context(service: &Service) -> Option<String> {
    service
        .source
        .context()
        .map(|context| quote(&context.value))
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

/// `fly scale count` per region, naming only the process groups whose count
/// the stack sets: a group it does not count, or a count set by hand on an
/// app the stack leaves alone, stays as it is (flyctl leaves groups it is not
/// given untouched).
fn scale(resolved: &crate::topology::Resolved) -> Vec<ScaleContext> {
    let mut per_region: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for group in resolved.machines.iter().filter(|m| m.counted) {
        for (region, count) in &group.placements {
            per_region
                .entry(region.code())
                .or_default()
                .push(format!("{}={count}", group.group));
        }
    }
    per_region
        .into_iter()
        .map(|(region, counts)| ScaleContext {
            region: region.to_string(),
            counts: counts.join(" "),
        })
        .collect()
}

/// How a store is attached to a service: its own database user, least
/// privilege unless the link asks for more.
fn attachment_context(topology: &Topology, attachment: &Attachment) -> AttachmentContext {
    let store = topology.store(attachment.store);
    let database = attachment.database.as_deref().unwrap_or_default();
    let user = attachment.user.as_deref().unwrap_or_default();
    let (command, flags) = match &store.kind {
        StoreKind::Postgres(Postgres::Managed(mpg)) => {
            let mut flags = vec![
                quote(database),
                quote(user),
                attachment.role.as_str().to_string(),
            ];
            flags.extend(mpg.extensions.iter().map(|e| quote(&e.value)));
            ("attach_mpg", flags)
        }
        StoreKind::Postgres(Postgres::Legacy(_)) => (
            "attach_postgres",
            vec![
                "--database-name".to_string(),
                quote(database),
                "--database-user".to_string(),
                quote(user),
                format!("--superuser={}", attachment.superuser),
            ],
        ),
        StoreKind::Redis(_) => ("attach_redis", Vec::new()),
    };
    AttachmentContext {
        command,
        store_app: quote(&store.app.value),
        secret: quote(&attachment.secret),
        flags,
    }
}

/// Services that build the same image: one build, several deploys.
struct SharedImage {
    index: usize,
    ids: Vec<ServiceId>,
}

/// Groups services, in deploy order, by build recipe: the build context, the
/// Dockerfile (the user's path and target, or the bytes flyx generated) and
/// the build arguments. Only groups of two or more are shared.
fn shared_images(
    topology: &Topology,
    order: &[(usize, ServiceId)],
    generated: &BTreeMap<String, String>,
) -> Vec<SharedImage> {
    // Groups in the order their first service deploys; the map finds a
    // recipe's group without comparing it with every other group's.
    let mut groups: Vec<Vec<ServiceId>> = Vec::new();
    let mut by_recipe: BTreeMap<String, usize> = BTreeMap::new();
    for (_, id) in order {
        let Some(recipe) = recipe(topology, *id, generated) else {
            continue;
        };
        let group = *by_recipe.entry(recipe).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[group].push(*id);
    }
    groups
        .into_iter()
        .filter(|ids| ids.len() > 1)
        .enumerate()
        .map(|(i, ids)| SharedImage { index: i + 1, ids })
        .collect()
}

/// A service's build recipe as one comparable text; none for an image.
fn recipe(
    topology: &Topology,
    id: ServiceId,
    generated: &BTreeMap<String, String>,
) -> Option<String> {
    let service = topology.service(id);
    let args = &topology.resolved(id).build_args;
    match &service.source {
        Source::Dockerfile(build) => Some(format!(
            "dockerfile\0{}\0{}\0{:?}\0{args:?}\0{:?}",
            build.context.value,
            build.dockerfile.value,
            build.target.as_ref().map(|t| &t.value),
            build.ignorefile.as_ref().map(|i| &i.value)
        )),
        Source::Buildpacks(build) => Some(format!(
            "buildpacks\0{}\0{}\0{:?}\0{args:?}\0{:?}",
            build.context.value,
            build.builder.value,
            build
                .buildpacks
                .iter()
                .map(|b| &b.value)
                .collect::<Vec<_>>(),
            build.ignorefile.as_ref().map(|i| &i.value)
        )),
        Source::Runtime(build) => Some(format!(
            "runtime\0{}\0{}\0{args:?}",
            build.context.value,
            generated
                .get(&service.name.value)
                .map_or("", String::as_str)
        )),
        Source::Image(_) | Source::Missing => None,
    }
}

fn image_context(topology: &Topology, image: &SharedImage) -> ImageContext {
    ImageContext {
        index: image.index,
        names: image
            .ids
            .iter()
            .map(|id| topology.service(*id).name.value.clone())
            .collect::<Vec<_>>()
            .join(", "),
        members: image
            .ids
            .iter()
            .map(|id| {
                let service = topology.service(*id);
                ImageMember {
                    name: quote(&service.name.value),
                    app: service.app.value.clone(),
                    context: build_context(service).unwrap_or_else(|| ".".to_string()),
                    config: format!("{}/fly.toml", service.name.value),
                }
            })
            .collect(),
    }
}
