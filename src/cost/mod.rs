//! Stage 4, report: the monthly estimate of a checked topology from Fly.io's
//! published prices (`prices.toml`). `flyx cost` prints it; nothing is written.
//!
//! Money is integer US cents per month. Each machine is priced, rounded to the
//! cent, then multiplied by the count, so a line's total is exactly its
//! quantity times its unit price.

mod prices;
mod render;

pub use prices::{PRICES_TOML, Prices};
pub use render::{to_json, to_markdown, to_text};

use crate::fly::Region;
use crate::model::{Postgres, Redis, Service, Store, StoreKind};
use crate::topology::{ServiceId, StoreId, Topology};

/// The estimate for a whole stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// The project.
    pub project: String,
    /// The environment, when not the base stack.
    pub environment: Option<String>,
    /// The date of the prices.
    pub prices_date: String,
    /// Where the prices come from.
    pub prices_source: String,
    /// Each service and store, services by name then stores by name.
    pub apps: Vec<AppCost>,
    /// What the organization pays once for the whole stack (certificates).
    pub stack: Vec<Line>,
}

impl Estimate {
    /// The sum of every priced line.
    pub fn total_cents(&self) -> u64 {
        self.apps.iter().map(AppCost::cents).sum::<u64>()
            + self.stack.iter().map(|l| l.cents()).sum::<u64>()
    }

    /// Whether some line has no price, so the total is a lower bound.
    pub fn incomplete(&self) -> bool {
        self.apps
            .iter()
            .flat_map(|a| &a.lines)
            .chain(&self.stack)
            .any(|l| l.unit_cents.is_none())
    }
}

/// What one app (or store) costs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppCost {
    /// Its name in the `.flyx` file.
    pub name: String,
    /// The Fly app, database or Redis name.
    pub app: String,
    /// `service`, `managed postgres`, `postgres app` or `redis`.
    pub kind: &'static str,
    /// What is priced.
    pub lines: Vec<Line>,
    /// What the figure leaves out or assumes.
    pub notes: Vec<String>,
}

impl AppCost {
    /// The sum of its priced lines.
    pub fn cents(&self) -> u64 {
        self.lines.iter().map(Line::cents).sum()
    }
}

/// One priced item: how many, at what unit price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// What it is: `shared-cpu-1x 512 MB in iad`.
    pub what: String,
    /// How many.
    pub quantity: u64,
    /// The price of one, per month; `None` when the price file has none.
    pub unit_cents: Option<u64>,
}

impl Line {
    /// Quantity times unit price; 0 when unpriced.
    pub fn cents(&self) -> u64 {
        self.quantity * self.unit_cents.unwrap_or(0)
    }
}

/// Prices every service and store of the topology.
pub fn estimate(topology: &Topology, prices: &Prices, environment: Option<&str>) -> Estimate {
    let mut apps: Vec<AppCost> = topology
        .services_by_name()
        .into_iter()
        .map(|id| service_cost(topology, id, prices))
        .collect();
    let mut stores: Vec<StoreId> = (0..topology.stack.stores.len()).map(StoreId).collect();
    stores.sort_by(|a, b| {
        topology
            .store(*a)
            .name
            .value
            .cmp(&topology.store(*b).name.value)
    });
    apps.extend(
        stores
            .into_iter()
            .map(|id| store_cost(topology, topology.store(id), prices)),
    );
    Estimate {
        project: topology.stack.project.name.value.clone(),
        environment: environment.map(str::to_string),
        prices_date: prices.source.date.clone(),
        prices_source: prices.source.url.clone(),
        apps,
        stack: certificate_lines(topology, prices),
    }
}

fn service_cost(topology: &Topology, id: ServiceId, prices: &Prices) -> AppCost {
    let service = topology.service(id);
    let resolved = topology.resolved(id);
    let mut lines = machine_lines(topology, id, prices);
    lines.extend(volume_lines(topology, id, prices));
    if resolved.public && resolved.dedicated_ipv4 {
        lines.push(Line {
            what: "dedicated IPv4".to_string(),
            quantity: 1,
            unit_cents: Some(prices.ips.dedicated_ipv4),
        });
    }
    AppCost {
        name: service.name.value.clone(),
        app: service.app.value.clone(),
        kind: "service",
        notes: service_notes(topology, id, &lines),
        lines,
    }
}

/// A line per process group, machine and region.
fn machine_lines(topology: &Topology, id: ServiceId, prices: &Prices) -> Vec<Line> {
    let resolved = topology.resolved(id);
    let several_groups = resolved.machines.len() > 1;
    let mut lines = Vec::new();
    for group in &resolved.machines {
        for (region, count) in &group.placements {
            let machine = describe_machine(&group.guest.preset(), group.guest.memory_mb);
            let what = if several_groups {
                format!("{} machine, {machine} in {region}", group.group)
            } else {
                format!("machine, {machine} in {region}")
            };
            lines.push(Line {
                what,
                quantity: u64::from(*count),
                unit_cents: prices.machine(&group.guest, *region),
            });
        }
    }
    lines
}

/// A line per volume and region: provisioned GB times the volumes there.
fn volume_lines(topology: &Topology, id: ServiceId, prices: &Prices) -> Vec<Line> {
    let service = topology.service(id);
    topology
        .resolved(id)
        .volume_placements
        .iter()
        .filter_map(|placement| {
            let volume = service.volumes.get(placement.volume)?;
            let gb = volume.size_gb.map_or(1, |s| s.value);
            Some(Line {
                what: format!(
                    "volume {}, {gb} GB in {}",
                    volume.name.value, placement.region
                ),
                quantity: u64::from(placement.count),
                unit_cents: Some(gb * prices.volumes.per_gb),
            })
        })
        .collect()
}

fn service_notes(topology: &Topology, id: ServiceId, lines: &[Line]) -> Vec<String> {
    let service = topology.service(id);
    let resolved = topology.resolved(id);
    let mut notes = Vec::new();
    if let Some(http) = service.http.as_ref().filter(|h| h.proxy.auto_stops()) {
        let floor = http.proxy.min_running.map_or(0, |m| m.value);
        notes.push(format!(
            "stops when idle, down to {floor} running: priced as running all month"
        ));
    }
    if resolved.machines.iter().any(|g| !g.counted) {
        notes.push("no count: priced at the one machine a first deploy creates".to_string());
    }
    if lines.iter().any(|l| l.unit_cents.is_none()) {
        notes.push("a machine size the price file does not list is not priced".to_string());
    }
    notes
}

fn store_cost(topology: &Topology, store: &Store, prices: &Prices) -> AppCost {
    let region = store
        .region
        .as_ref()
        .or(topology.stack.project.region.as_ref())
        .map(|r| r.value);
    let (kind, lines, notes) = match &store.kind {
        StoreKind::Postgres(Postgres::Managed(mpg)) => (
            "managed postgres",
            vec![
                Line {
                    what: format!("Managed Postgres, {} plan", mpg.plan.value.as_str()),
                    quantity: 1,
                    unit_cents: prices
                        .managed_postgres
                        .plans
                        .get(mpg.plan.value.as_str())
                        .copied(),
                },
                Line {
                    what: "storage, GB".to_string(),
                    quantity: mpg.volume_gb.value,
                    unit_cents: Some(prices.managed_postgres.storage_per_gb),
                },
            ],
            Vec::new(),
        ),
        StoreKind::Postgres(Postgres::Legacy(pg)) => (
            "postgres app",
            legacy_postgres_lines(pg, region, prices),
            Vec::new(),
        ),
        StoreKind::Redis(redis) => redis_cost(redis, prices),
    };
    AppCost {
        name: store.name.value.clone(),
        app: store.app.value.clone(),
        kind,
        lines,
        notes,
    }
}

/// An unmanaged Postgres app: its machines and their volumes.
fn legacy_postgres_lines(
    pg: &crate::model::LegacyPostgres,
    region: Option<Region>,
    prices: &Prices,
) -> Vec<Line> {
    let preset = crate::fly::preset_named(pg.vm_size.value);
    let guest = preset.map(|p| crate::check::compute::Guest {
        cpu_kind: p.cpu_kind,
        cpus: p.cpus,
        memory_mb: pg.memory_mb.map_or(p.memory_mb, |m| m.value),
    });
    let machine = guest.map_or_else(
        || pg.vm_size.value.to_string(),
        |g| describe_machine(&g.preset(), g.memory_mb),
    );
    let place = region.map_or_else(String::new, |r| format!(" in {r}"));
    let unit = match (guest, region) {
        (Some(guest), Some(region)) => prices.machine(&guest, region),
        _ => None,
    };
    let cluster = u64::from(pg.cluster_size.value);
    vec![
        Line {
            what: format!("machine, {machine}{place}"),
            quantity: cluster,
            unit_cents: unit,
        },
        Line {
            what: format!("volume, {} GB{place}", pg.volume_gb.value),
            quantity: cluster,
            unit_cents: Some(pg.volume_gb.value * prices.volumes.per_gb),
        },
    ]
}

fn redis_cost(redis: &Redis, prices: &Prices) -> (&'static str, Vec<Line>, Vec<String>) {
    let replicas = redis.replicas.len() as u64;
    let plan = redis.plan.as_ref().map(|p| p.value.as_str());
    let mut notes = Vec::new();
    let (what, unit, per_replica) = match plan {
        None => pay_as_you_go(prices, &mut notes),
        Some(name) if is_pay_as_you_go(name) => pay_as_you_go(prices, &mut notes),
        Some(name) => {
            let price = prices
                .redis
                .plans
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, price)| price);
            if price.is_none() {
                notes.push(format!(
                    "the price file has no Upstash plan named `{name}` (it lists {})",
                    prices
                        .redis
                        .plans
                        .keys()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            (
                format!("Upstash Redis, {name} plan"),
                price.map(|p| p.price),
                price.map(|p| p.per_replica),
            )
        }
    };
    let mut lines = vec![Line {
        what,
        quantity: 1,
        unit_cents: unit,
    }];
    if replicas > 0 {
        lines.push(Line {
            what: "read replica region".to_string(),
            quantity: replicas,
            unit_cents: per_replica,
        });
    }
    ("redis", lines, notes)
}

/// Upstash's default plan: no fixed price; replicas are priced by their commands.
fn pay_as_you_go(prices: &Prices, notes: &mut Vec<String>) -> (String, Option<u64>, Option<u64>) {
    notes.push(
        "pay-as-you-go: $0.20 per 100K commands, read replicas included, not estimated".to_string(),
    );
    (
        "Upstash Redis, pay-as-you-go".to_string(),
        Some(prices.redis.pay_as_you_go),
        Some(0),
    )
}

/// Whether a plan name is Upstash's pay-as-you-go.
fn is_pay_as_you_go(name: &str) -> bool {
    ["pay-as-you-go", "payg", "pay as you go"]
        .iter()
        .any(|p| p.eq_ignore_ascii_case(name))
}

/// The stack's certificates past the organization's free ones, and its
/// wildcards, which are never free.
fn certificate_lines(topology: &Topology, prices: &Prices) -> Vec<Line> {
    let domains: Vec<&str> = topology
        .stack
        .services
        .iter()
        .flat_map(Service::domains)
        .map(|d| d.value.as_str())
        .collect();
    let wildcards = domains.iter().filter(|d| d.starts_with("*.")).count() as u64;
    let single = domains.len() as u64 - wildcards;
    let free = single.min(prices.certificates.free_single_hostname);
    let mut lines = Vec::new();
    if free > 0 {
        lines.push(Line {
            what: format!(
                "certificate, single hostname (the first {} of an organization are free)",
                prices.certificates.free_single_hostname
            ),
            quantity: free,
            unit_cents: Some(0),
        });
    }
    if single > free {
        lines.push(Line {
            what: "certificate, single hostname, past the free ones".to_string(),
            quantity: single - free,
            unit_cents: Some(prices.certificates.single_hostname),
        });
    }
    if wildcards > 0 {
        lines.push(Line {
            what: "certificate, wildcard".to_string(),
            quantity: wildcards,
            unit_cents: Some(prices.certificates.wildcard),
        });
    }
    lines
}

/// `shared-cpu-1x 512 MB`, `performance-2x 4 GB`.
fn describe_machine(preset: &str, memory_mb: u64) -> String {
    if memory_mb.is_multiple_of(1024) {
        format!("{preset} {} GB", memory_mb / 1024)
    } else {
        format!("{preset} {memory_mb} MB")
    }
}
