//! The checked topology: the stack with every name resolved, the graph of links,
//! the deploy order and every address computed. Emitters read only this.

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::fly::Region;
use crate::model::{Protocol, Service, Stack, Store, Via};
use crate::span::Span;

/// Index of a service in [`Stack::services`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceId(pub usize);

/// Index of a store in [`Stack::stores`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StoreId(pub usize);

/// A node of the graph: a service or a managed data store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    /// A Fly app flyx deploys.
    Service(ServiceId),
    /// A Fly Postgres cluster or Upstash Redis database.
    Store(StoreId),
}

/// How traffic flows along an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Traffic {
    /// Over the internet, to `<app>.fly.dev`.
    Public,
    /// Through the Fly proxy on the private network: `<app>.flycast`.
    Flycast,
    /// Straight to the machines over 6PN: `<app>.internal`.
    Internal,
    /// To a managed store, through the URL attached as a secret.
    Attached,
    /// No traffic: a post-deploy step runs on the target's machine.
    Step,
    /// No traffic: `after = [target]` orders the deploy only.
    After,
}

impl Traffic {
    /// The traffic of a private link resolved to `via`.
    pub fn of(via: Via) -> Traffic {
        match via {
            Via::Flycast => Traffic::Flycast,
            Via::Internal => Traffic::Internal,
        }
    }

    /// A word for drawings and messages.
    pub fn describe(self) -> &'static str {
        match self {
            Traffic::Public => "public",
            Traffic::Flycast => "flycast",
            Traffic::Internal => "internal",
            Traffic::Attached => "attached",
            Traffic::Step => "post-deploy",
            Traffic::After => "after",
        }
    }
}

/// An edge of the graph: the source uses the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    /// How traffic flows.
    pub traffic: Traffic,
    /// Whether the source deploys after the target.
    pub orders_deploy: bool,
    /// Where the edge was declared.
    pub span: Span,
}

/// What the check stage computed for one service.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    /// The primary region.
    pub primary_region: Region,
    /// Machines per region, in region order, every process group together.
    pub placements: Vec<(Region, u32)>,
    /// Machines of each process group, in group order.
    pub machines: Vec<GroupMachines>,
    /// Whether the service gets public IPs. A service is public only when it
    /// says so; everything else gets none, ever.
    pub public: bool,
    /// Whether it needs a dedicated public IPv4: a public raw TCP or UDP port,
    /// which the shared IPv4 cannot carry. (deploy.sh still recomputes this
    /// from the service; it should read it here.)
    pub dedicated_ipv4: bool,
    /// Whether other services reach it through `.flycast`, which needs a
    /// private IPv6 address and a proxy service definition for each port.
    pub flycast: bool,
    /// `[env]`, references resolved, in source order.
    pub env: Vec<(String, String)>,
    /// `[build.args]`, references resolved, in source order.
    pub build_args: Vec<(String, String)>,
    /// A static site's proxied paths and where they go, references resolved.
    pub proxies: Vec<ProxyTarget>,
    /// `release_command`, references resolved.
    pub release_command: Option<String>,
    /// Post-deploy steps, references resolved.
    pub post_deploy: Vec<Step>,
    /// Stores attached to this service.
    pub attachments: Vec<Attachment>,
    /// Volumes to create: volume index, region, how many.
    pub volume_placements: Vec<VolumePlacement>,
    /// The services this one deploys after.
    pub depends_on: Vec<ServiceId>,
    /// The process groups, sorted; `["app"]` when none are declared.
    pub process_groups: Vec<String>,
    /// The group a section without `processes` applies to: `app` if declared,
    /// else the first group by name (flyctl's `DefaultProcessName`).
    pub default_group: String,
    /// The private address other services reach it at: `.flycast` when it is
    /// reached through the proxy or stops when idle, else `.internal`; none
    /// when it listens on no port.
    pub private_via: Option<Via>,
    /// The same service run locally under Compose (`compose.yaml`).
    pub local: Local,
}

/// What a service gets when it runs locally under Compose: every private
/// address is the Compose service name and the container port, every public
/// URL `http://localhost:<published port>`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Local {
    /// `[env]` with local addresses, in source order.
    pub env: Vec<(String, String)>,
    /// `[build.args]` with local addresses, in source order.
    pub build_args: Vec<(String, String)>,
    /// `release_command` with local addresses.
    pub release_command: Option<String>,
    /// A static site's proxies as its nginx reaches them inside the Compose
    /// network (`http://backend:5000`), in source order.
    pub proxies: Vec<ProxyTarget>,
    /// The ports published on 127.0.0.1, in listening order.
    pub ports: Vec<LocalPort>,
}

/// Where a static site's nginx passes one path on to: a checked
/// `http(s)://host[:port][/base]` URL, split as nginx's configuration needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyTarget {
    /// The path prefix passed on (`/api/`).
    pub path: String,
    /// The whole URL, without a trailing `/`.
    pub url: String,
    /// `http` or `https`.
    pub scheme: String,
    /// Host and port: what nginx looks up, and sends as Host and TLS SNI.
    pub host: String,
    /// The URL's path, without a trailing `/` (empty for none): what the
    /// prefix is replaced with.
    pub base: String,
}

impl ProxyTarget {
    /// Splits a URL that starts with `http://` or `https://`.
    pub fn new(path: &str, url: &str) -> ProxyTarget {
        let url = url.trim_end_matches('/');
        let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
        let (host, base) = match rest.split_once('/') {
            Some((host, base)) => (host, format!("/{base}")),
            None => (rest, String::new()),
        };
        ProxyTarget {
            path: path.to_string(),
            url: url.to_string(),
            scheme: scheme.to_string(),
            host: host.to_string(),
            base,
        }
    }
}

/// A port published on the host's loopback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalPort {
    /// The port the process listens on in its container.
    pub container: u16,
    /// The port on 127.0.0.1: the container port when free, else the next free one.
    pub host: u16,
    /// TCP or UDP.
    pub protocol: Protocol,
    /// The Compose service that serves it (the process group's).
    pub compose_service: String,
}

/// Where one process group's machines run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMachines {
    /// The process group.
    pub group: String,
    /// Machines per region, in region order.
    pub placements: Vec<(Region, u32)>,
    /// Whether the stack sets this count, so deploy.sh scales the group to
    /// it; an uncounted group keeps the machine its first deploy gave it,
    /// and whatever was scaled by hand since.
    pub counted: bool,
    /// The machine each of them runs on.
    pub guest: crate::check::compute::Guest,
}

/// A resolved post-deploy step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The step's name.
    pub name: String,
    /// The app whose machine runs it.
    pub app: String,
    /// The command.
    pub command: String,
}

/// A store attached to a service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// Which store.
    pub store: StoreId,
    /// The secret the connection URL is stored as.
    pub secret: String,
    /// Postgres: the database name.
    pub database: Option<String>,
    /// Postgres: the user the app connects as.
    pub user: Option<String>,
    /// Managed Postgres: the user's role.
    pub role: crate::model::PgRole,
    /// Legacy Fly Postgres: whether the user is a superuser.
    pub superuser: bool,
}

/// Volumes of one name in one region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumePlacement {
    /// Index into the service's volumes.
    pub volume: usize,
    /// Where.
    pub region: Region,
    /// How many: one per machine of the group that mounts it.
    pub count: u32,
    /// Whether the stack sets the count of the groups that mount it. An
    /// uncounted group has the one machine its first deploy gives it, or the
    /// machines a running app already has: deploy.sh then creates the volume
    /// only for an app that has none of that name anywhere.
    pub counted: bool,
    /// The machine that mounts it (the largest, if groups of several sizes
    /// do): `fly volumes create --vm-size --vm-memory` places the volume on a
    /// host that can run it.
    pub guest: crate::check::compute::Guest,
}

/// The checked topology.
#[derive(Clone, Debug)]
pub struct Topology {
    /// The lowered declarations.
    pub stack: Stack,
    /// What was computed for each service, parallel to `stack.services`.
    pub resolved: Vec<Resolved>,
    /// Services and stores, linked by how they use each other.
    pub graph: DiGraph<Node, Edge>,
    /// The graph node of each service, parallel to `stack.services`.
    pub service_nodes: Vec<NodeIndex>,
    /// The graph node of each store, parallel to `stack.stores`.
    pub store_nodes: Vec<NodeIndex>,
    /// Deploy order: everything in a level can deploy at once, after every
    /// earlier level. Names order each level. Stores are created before level 0.
    pub levels: Vec<Vec<ServiceId>>,
    /// Every secret a service needs a value for, and the services that get it.
    pub secrets: BTreeMap<String, Vec<ServiceId>>,
    /// The workflow the `ci` block asks for, if any.
    pub ci: Option<CiPlan>,
}

impl Topology {
    /// The service with this id.
    pub fn service(&self, id: ServiceId) -> &Service {
        &self.stack.services[id.0]
    }

    /// What was computed for this service.
    pub fn resolved(&self, id: ServiceId) -> &Resolved {
        &self.resolved[id.0]
    }

    /// The store with this id.
    pub fn store(&self, id: StoreId) -> &Store {
        &self.stack.stores[id.0]
    }

    /// Every service id, in source order.
    pub fn service_ids(&self) -> impl Iterator<Item = ServiceId> + '_ {
        (0..self.stack.services.len()).map(ServiceId)
    }

    /// Service ids sorted by name.
    pub fn services_by_name(&self) -> Vec<ServiceId> {
        let mut ids: Vec<ServiceId> = self.service_ids().collect();
        ids.sort_by(|a, b| {
            self.service(*a)
                .name
                .value
                .cmp(&self.service(*b).name.value)
        });
        ids
    }

    /// The name of a node.
    pub fn node_name(&self, node: Node) -> &str {
        match node {
            Node::Service(id) => &self.service(id).name.value,
            Node::Store(id) => &self.store(id).name.value,
        }
    }
}

/// The GitHub Actions workflow a `ci` block asks for, resolved against the
/// services: what each path filter watches, which services each test guards,
/// and which health checks run after a deploy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CiPlan {
    /// The branch whose pushes test and deploy.
    pub branch: String,
    /// By service name, the build context folder relative to the `.flyx`
    /// file's folder (`.` for it), or none for an image-only service.
    pub contexts: BTreeMap<String, Option<String>>,
    /// The test jobs, in source order.
    pub tests: Vec<CiTestPlan>,
    /// The health checks to probe after a deploy, by service name.
    pub probes: Vec<HealthProbe>,
}

/// One test job and the services whose changes run it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CiTestPlan {
    /// The job id.
    pub name: String,
    /// The folder it runs in, relative to the `.flyx` file's folder.
    pub dir: String,
    /// The shell command.
    pub run: String,
    /// The services it guards, by name, sorted; empty for every service.
    pub services: Vec<String>,
}

/// An HTTP health check reachable on a public service's fly.dev address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthProbe {
    /// The service's name.
    pub service: String,
    /// `https://<app>.fly.dev<path>`.
    pub url: String,
}
